import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DockerLoginModel, ModelContext } from '../model/model';
import { refuseKeylessOtherAccountSecret, refuseOwnedUnreferable } from '../private/referable';
import { described, isResource, isToken, requireFactoryMade, type Validator } from '../private/validation';

/** Options of a Docker registry login with a Secrets Manager secret. */
export interface DockerCredentialOptions {
  /**
   * The secret's JSON field that holds the user name.
   *
   * @default 'username'
   */
  readonly usernameField?: string;
  /**
   * The secret's JSON field that holds the password or access token.
   *
   * @default 'secret'
   */
  readonly secretField?: string;
}

/**
 * A Docker registry the pipeline's CodeBuild projects log in to before they run Docker: the build
 * and checks, deploy scripts and tests that are `privileged`, and the action that publishes the CDK
 * stages' Docker image assets.
 *
 * Builds that pull base images anonymously from Docker Hub share CodeBuild's addresses, and so its
 * pull rate limit ("toomanyrequests"); a login lifts it. A private registry, or Amazon ECR
 * repositories of another account, need a login to pull at all.
 */
export abstract class DockerCredential {
  /**
   * Docker Hub, with a Secrets Manager secret holding the user name and an access token as JSON
   * fields (`{"username": "...", "secret": "..."}`).
   */
  public static dockerHub(secret: secretsmanager.ISecret, options: DockerCredentialOptions = {}): DockerCredential {
    return new SecretLogin(undefined, secret, options ?? {});
  }

  /**
   * Another registry (`ghcr.io`, `registry.example.com:5000`), with a Secrets Manager secret holding
   * the user name and the password or token as JSON fields.
   */
  public static customRegistry(registryDomain: string, secret: secretsmanager.ISecret, options: DockerCredentialOptions = {}): DockerCredential {
    return new SecretLogin(registryDomain, secret, options ?? {});
  }

  /**
   * Amazon ECR repositories to pull from (for example base images in a shared account): the
   * projects may pull from them and log in to their registries. A repository of another account
   * must also allow the pipeline's account in its repository policy.
   */
  public static ecr(repositories: ecr.IRepository[]): DockerCredential {
    return new EcrLogin(repositories);
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext): DockerLoginModel[];
}

const DOCKER_HUB = 'Docker Hub';
/** Docker Hub's registry under its names, in any case, with its default port or none. */
const DOCKER_HUB_HOST = /^((index|registry-1)\.docker\.io|docker\.io|registry\.hub\.docker\.com)(:443)?$/i;
/** An Amazon ECR registry host: <account>.dkr.ecr.<region>.amazonaws.com (.com.cn in China). */
const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/**
 * The key two logins to one registry share: host names compare in any case and without the
 * default port, and an ECR registry named by its host is the ECR login of its account and region.
 */
function registryKeyOf(host: string): string {
  const name = host.toLowerCase().replace(/:443$/, '');
  const ecrHost = ECR_HOST.exec(name);
  return ecrHost ? ecrKey(ecrHost[1], ecrHost[2]) : name;
}

function ecrKey(account: string, region: string): string {
  return `Amazon ECR (account ${account}, ${region})`;
}

class SecretLogin extends DockerCredential {
  constructor(
    private readonly registry: string | undefined,
    private readonly secret: secretsmanager.ISecret,
    private readonly options: DockerCredentialOptions,
  ) {
    super();
  }

  public _toModel(ctx: ModelContext): DockerLoginModel[] {
    const v: Validator = ctx.validator;
    const what = this.registry === undefined ? 'DockerCredential.dockerHub' : 'DockerCredential.customRegistry';
    if (this.registry !== undefined) {
      v.requireString(`${ctx.field}.registryDomain`, this.registry, "Pass the registry's host name, for example 'ghcr.io' or 'registry.example.com:5000'.");
      if (!isToken(this.registry) && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/.test(this.registry)) {
        v.fail(`${ctx.field}.registryDomain`, 'must be a registry host name, with an optional port', this.registry,
          "Pass the host only, without scheme or path, for example 'ghcr.io' or 'registry.example.com:5000'.");
      }
      if (DOCKER_HUB_HOST.test(this.registry)) {
        v.fail(`${ctx.field}.registryDomain`, 'is Docker Hub', this.registry, 'Use DockerCredential.dockerHub(secret).');
      }
    }
    if (this.secret === null || typeof this.secret !== 'object' || typeof (this.secret as secretsmanager.ISecret).secretArn !== 'string') {
      v.fail(`${ctx.field}.secret`, 'must be a secretsmanager.ISecret', this.secret,
        `Pass ${what}(secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerLogin', 'arn:aws:secretsmanager:...')).`);
    }
    // the pipeline's projects read it: an owned secret of another Region, account or CDK stage cannot be referred to from its stack
    refuseOwnedUnreferable(v, `${ctx.field}.secret`, this.secret, 'a Secrets Manager secret',
      "Create the secret in a stack of the pipeline's account and Region (in its CDK stage), or import it by ARN: "
      + `${what}(secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerLogin', 'arn:aws:secretsmanager:...')).`);
    refuseKeylessOtherAccountSecret(v, `${ctx.field}.secret`, this.secret,
      imported => `${what}(${this.registry === undefined ? '' : `'${this.registry}', `}${imported})`);
    v.noMisspeltFields(ctx.field, this.options, 'DockerCredentialOptions');
    const field = (name: 'usernameField' | 'secretField', fallback: string): string => {
      const value = v.optionalString(`${ctx.field}.${name}`, this.options[name], `Pass the name of a JSON field of the secret, such as '${fallback}'.`) ?? fallback;
      if (value === '' || value.includes(':') || isToken(value)) {
        v.fail(`${ctx.field}.${name}`, 'must be the literal name of a JSON field of the secret, without \':\'', value, `Pass a field name such as '${fallback}'.`);
      }
      return value;
    };
    return [{
      registry: this.registry,
      label: this.registry ?? DOCKER_HUB,
      secret: this.secret,
      usernameField: field('usernameField', 'username'),
      secretField: field('secretField', 'secret'),
      registryKey: this.registry === undefined ? DOCKER_HUB : isToken(this.registry) ? undefined : registryKeyOf(this.registry),
    }];
  }
}

class EcrLogin extends DockerCredential {
  constructor(private readonly repositories: ecr.IRepository[]) {
    super();
  }

  public _toModel(ctx: ModelContext): DockerLoginModel[] {
    const v: Validator = ctx.validator;
    const fix = "Pass the repositories to pull from, for example [ecr.Repository.fromRepositoryArn(this, 'Base', 'arn:aws:ecr:eu-west-1:111111111111:repository/base')].";
    if (!Array.isArray(this.repositories) || this.repositories.length === 0) {
      v.fail(`${ctx.field}.repositories`, 'must hold at least one ecr.IRepository', this.repositories, fix);
    }
    const byRegistry = new Map<string, DockerLoginModel>();
    this.repositories.forEach((repo, i) => {
      if (!isResource(repo, 'repositoryUri')) {
        v.fail(`${ctx.field}.repositories[${i}]`, 'must be an ecr.IRepository', repo, fix);
      }
      // the pipeline's projects pull from it: an owned repository of another Region, account or CDK stage cannot be referred to from its stack
      refuseOwnedUnreferable(v, `${ctx.field}.repositories[${i}]`, repo, 'an ECR repository',
        "Create the repository in a stack of the pipeline's account and Region (in its CDK stage), or import it by ARN: "
        + "ecr.Repository.fromRepositoryArn(this, 'Base', 'arn:aws:ecr:<region>:<account>:repository/<name>').");
      // the registry is the host of the repository URI: <account>.dkr.ecr.<region>.<URL suffix>
      const account = Token.isUnresolved(repo.env.account) ? undefined : repo.env.account;
      const region = Token.isUnresolved(repo.env.region) ? undefined : repo.env.region;
      const key = account && region ? ecrKey(account, region) : repo.node.path;
      const known = byRegistry.get(key);
      if (known) {
        known.repositories!.push(repo);
        return;
      }
      byRegistry.set(key, {
        registry: account && region ? `${account}.dkr.ecr.${region}.${Stack.of(repo).urlSuffix}` : Fn.select(0, Fn.split('/', repo.repositoryUri)),
        label: account && region ? ecrKey(account, region) : `Amazon ECR (${repo.node.path})`,
        ecrRegion: repo.env.region,
        repositories: [repo],
        registryKey: account && region ? key : undefined,
      });
    });
    return [...byRegistry.values()];
  }
}

/** Validates `dockerCredentials` (the pipeline's, or DeliveryDefaults') into one login per registry. */
export function dockerLoginsModel(v: Validator, field: string, raw: unknown): DockerLoginModel[] | undefined {
  if (raw === undefined) return undefined;
  const fix = 'Pass [DockerCredential.dockerHub(secret)], DockerCredential.customRegistry(...) or DockerCredential.ecr([...]).';
  if (!Array.isArray(raw)) v.fail(field, 'must be an array of DockerCredential', raw, fix);
  const logins = raw.flatMap((c, i) => {
    if (!(c instanceof DockerCredential)) v.fail(`${field}[${i}]`, 'must be a DockerCredential', c, fix);
    requireFactoryMade(v, `${field}[${i}]`, c, 'DockerCredential');
    return (c as DockerCredential)._toModel({ validator: v, field: `${field}[${i}]` });
  });
  // `docker login` keeps one credential per registry: a second would silently replace the first
  const seen = new Map<string, number>();
  logins.forEach((l, i) => {
    const key = l.registryKey;
    if (key === undefined) return;
    if (seen.has(key)) {
      const names = [...new Set([logins[seen.get(key)!].label, l.label])].join(' and ');
      v.fail(field, `logs in to ${key} twice${names === key ? '' : `, as ${names}`} (docker login keeps one credential per registry)`, described(key),
        'Keep one credential per registry.');
    }
    seen.set(key, i);
  });
  return logins;
}
