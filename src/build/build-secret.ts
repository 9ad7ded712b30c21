import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { refuseKeylessOtherAccountSecret, refuseOwnedUnreferable } from '../private/referable';
import { isResource, literal, type Validator } from '../private/validation';

/** A secret validated for one environment variable of a CodeBuild project. */
export interface BoundBuildSecret {
  /** Where CodeBuild reads it: the buildspec's `env.secrets-manager` or `env.parameter-store`. */
  readonly store: 'secrets-manager' | 'parameter-store';
  /** The buildspec's value: `<secret ARN>[:<json field>]`, or the parameter's name. */
  readonly reference: string;
  /** Where the value comes from, for the plan (names only, never the value). */
  readonly label: string;
  /** The Secrets Manager secret (its grant reads exactly it, and its customer managed key). */
  readonly secret?: secretsmanager.ISecret;
  /** The Parameter Store parameter (its grant reads exactly it, and its customer managed key when given). */
  readonly parameter?: ssm.IParameter;
}

/**
 * A secret a CodeBuild project reads into an environment variable when the build starts
 * (`secrets` of the build, checks, deploy scripts and tests).
 *
 * CodeBuild fetches the value itself and masks it in the build's logs; the template, the project's
 * definition (`codebuild:BatchGetProjects`) and the plan hold only where it comes from. The
 * project's role may read exactly that secret or parameter.
 */
export abstract class BuildSecret {
  /**
   * A Secrets Manager secret: the whole secret string, or one field of a JSON secret.
   *
   * The project's role may read the secret (`secretsmanager:GetSecretValue` on its ARN) and decrypt
   * it with its customer managed key, if it has one. A secret of another account must be imported
   * with its key (`secretsmanager.Secret.fromSecretAttributes(this, id, { secretCompleteArn, encryptionKey })`):
   * reading it needs `kms:Decrypt` on that key, and one imported without it is refused at synth.
   *
   * @param secret the secret
   * @param jsonField the JSON field of the secret to read, for a secret such as `{"token": "..."}`; by default the whole secret string
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret, jsonField?: string): BuildSecret {
    return new SecretsManagerBuildSecret(secret, jsonField);
  }

  /**
   * A Parameter Store parameter, typically a SecureString:
   * `ssm.StringParameter.fromSecureStringParameterAttributes(this, 'NpmToken', { parameterName: '/ci/npm-token' })`.
   *
   * The project's role may read the parameter (on its ARN), and decrypt it with the parameter's
   * `encryptionKey` when one is given; the AWS managed key `aws/ssm` needs no grant.
   */
  public static fromParameterStore(parameter: ssm.IParameter): BuildSecret {
    return new ParameterStoreBuildSecret(parameter);
  }

  /** @internal */
  public abstract _bind(v: Validator, field: string): BoundBuildSecret;
}

class SecretsManagerBuildSecret extends BuildSecret {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly jsonField: string | undefined) {
    super();
  }

  public _bind(v: Validator, field: string): BoundBuildSecret {
    const secret = this.secret as unknown;
    if (!isResource(secret, 'secretArn') || typeof (secret as secretsmanager.ISecret).grantRead !== 'function') {
      v.fail(field, 'must be a secretsmanager.ISecret', secret,
        "Pass a secret: BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, 'NpmToken', 'ci/npm-token')).");
    }
    // the pipeline's project reads it: an owned secret of another Region, account or CDK stage cannot be referred to from its stack
    refuseOwnedUnreferable(v, field, this.secret, 'a Secrets Manager secret',
      "Create the secret in a stack of the pipeline's account and Region (in its CDK stage), or import it by ARN: "
      + "BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(this, 'NpmToken', 'arn:aws:secretsmanager:...')).");
    refuseKeylessOtherAccountSecret(v, field, this.secret, imported => `BuildSecret.fromSecretsManager(${imported})`);
    const jsonField = this.jsonField as unknown;
    if (jsonField !== undefined && (typeof jsonField !== 'string' || jsonField.trim() === '' || literal(jsonField) === undefined || jsonField.includes(':'))) {
      v.fail(`${field}.jsonField`, "must be the literal name of a JSON field of the secret, without ':'", jsonField,
        "Pass a field name such as 'token', or leave it out to read the whole secret string.");
    }
    const s = this.secret;
    const name = literal(s.secretName) ?? literal(s.secretArn) ?? s.node.path;
    return {
      store: 'secrets-manager',
      reference: this.jsonField !== undefined ? `${s.secretArn}:${this.jsonField}` : s.secretArn,
      label: `Secrets Manager secret ${name}${this.jsonField !== undefined ? `, field ${this.jsonField}` : ''}`,
      secret: s,
    };
  }
}

class ParameterStoreBuildSecret extends BuildSecret {
  constructor(private readonly parameter: ssm.IParameter) {
    super();
  }

  public _bind(v: Validator, field: string): BoundBuildSecret {
    const p = this.parameter as unknown;
    if (!isResource(p, 'parameterName') || typeof (p as ssm.IParameter).grantRead !== 'function') {
      v.fail(field, 'must be an ssm.IParameter', p,
        "Pass a parameter: BuildSecret.fromParameterStore(ssm.StringParameter.fromSecureStringParameterAttributes(this, 'NpmToken', { parameterName: '/ci/npm-token' })).");
    }
    // the pipeline's project reads it: an owned parameter of another Region, account or CDK stage cannot be referred to from its stack
    refuseOwnedUnreferable(v, field, this.parameter, 'a Parameter Store parameter',
      "Create the parameter in a stack of the pipeline's account and Region (in its CDK stage), or import it by name: "
      + "BuildSecret.fromParameterStore(ssm.StringParameter.fromSecureStringParameterAttributes(this, 'NpmToken', { parameterName: '/ci/npm-token' })).");
    const parameter = this.parameter;
    return {
      store: 'parameter-store',
      reference: parameter.parameterName,
      label: `Parameter Store parameter ${literal(parameter.parameterName) ?? parameter.node.path}`,
      parameter,
    };
  }
}
