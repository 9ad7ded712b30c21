import { Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { useRenamedConnection } from './action-grants';
import { suppressCacheBucketFindings } from './nag';
import { described, resolvedOrUndefined, type Validator } from './validation';
import type { BoundBuildSecret } from '../build/build-secret';
import type { DockerLoginModel } from '../model/model';

/** A report group declaration inside a project spec. */
export interface ReportSpec {
  readonly id: string;
  readonly files: string;
  readonly format: string;
  readonly baseDirectory?: string;
}

/** The VPC a project runs in, validated (see `validateNetwork` in commands-spec.ts). */
export interface ProjectNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnetSelection?: ec2.SubnetSelection;
  /** Undefined: aws-cdk-lib creates one security group for the project. */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** One line for the plan: `in VPC vpc-0abc, subnets private with egress, 2 security groups`. */
  readonly summary: string;
}

/** The part a project is created for: its validator and field, for the errors of the checks at creation. */
export interface ProjectOrigin {
  readonly validator: Validator;
  readonly field: string;
}

/**
 * CodeBuild's limit on an inline buildspec, in characters: not in its documented quotas, but the
 * API refuses a longer one (aws-cdk-lib's pipelines module moved its assets buildspec to a file for it).
 */
export const MAX_INLINE_BUILDSPEC = 25_600;

/** Everything needed to create one CodeBuild project with an inline buildspec. */
export interface ProjectSpec {
  readonly description: string;
  readonly install?: string[];
  readonly commands: string[];
  /** The part the project is for; with it, a buildspec over CodeBuild's limit is refused naming its commands. */
  readonly origin?: ProjectOrigin;
  readonly environmentVariables?: Record<string, string>;
  /** Secrets CodeBuild reads into environment variables (the buildspec's `env.secrets-manager` and `env.parameter-store`). */
  readonly secrets?: Record<string, BoundBuildSecret>;
  readonly reports?: ReportSpec[];
  /** Files of the output artifact; undefined means no output artifact. */
  readonly outputs?: string[];
  readonly outputBaseDirectory?: string;
  readonly cache?: codebuild.Cache;
  /** The bucket of an S3 cache (for the cdk-nag suppression of aws-cdk-lib's grant on its objects). */
  readonly cacheBucket?: s3.IBucket;
  readonly cachePaths?: string[];
  readonly buildImage?: codebuild.IBuildImage;
  readonly computeType?: codebuild.ComputeType;
  readonly timeout?: Duration;
  readonly privileged?: boolean;
  /** The connection the project clones the source repository with (`fullClone`). */
  readonly fullCloneConnectionArn?: string;
  /** Statements the user adds to the project's role. */
  readonly rolePolicyStatements?: iam.PolicyStatement[];
  /** The VPC the project runs in; undefined runs it outside any VPC. */
  readonly network?: ProjectNetwork;
  /** Docker registries to log in to before the build phase; used only by a privileged project (the ones that run Docker). */
  readonly dockerLogins?: DockerLoginModel[];
}

/** What every project of a pipeline shares (a RenderContext provides it). */
export interface ProjectContext {
  /** The key the project encrypts its artifacts with. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the project's logs in days: a log group of its own; undefined: CodeBuild's `/aws/codebuild/<project>`. */
  readonly logRetention?: number;
}

/** The default build image: the newest AWS CodeBuild standard image. */
export const DEFAULT_BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/**
 * Creates a PipelineProject for `spec` under `scope` with the id 'Project', its report groups,
 * and the buildspec inline. Artifacts are encrypted with the context's key; with a log retention,
 * the project logs to a log group of its own, 'Logs' beside it (unnamed: CodeBuild may already have
 * created `/aws/codebuild/<project>` for an existing project, and a named group would then fail).
 */
export function createProject(scope: Construct, spec: ProjectSpec, context: ProjectContext): codebuild.PipelineProject {
  const reportGroups = (spec.reports ?? []).map(r => ({
    spec: r,
    group: new codebuild.ReportGroup(scope, `${r.id}ReportGroup`, {
      type: codebuild.ReportGroupType.TEST,
      zipExport: false,
    }),
  }));

  const phases: Record<string, unknown> = {};
  if (spec.install && spec.install.length > 0) phases.install = { commands: spec.install };
  const logins = spec.privileged ? dockerLoginSpec(spec.dockerLogins ?? []) : undefined;
  if (logins) phases.pre_build = { commands: logins.commands };
  phases.build = { commands: spec.commands };

  const env = secretsEnv(spec.secrets ?? {}, logins?.secrets);
  const buildSpec: Record<string, unknown> = { version: '0.2', ...(env ? { env } : {}), phases };
  if (reportGroups.length > 0) {
    const reports: Record<string, unknown> = {};
    for (const { spec: r, group } of reportGroups) {
      reports[group.reportGroupArn] = {
        'files': [r.files],
        'file-format': r.format,
        ...(r.baseDirectory ? { 'base-directory': r.baseDirectory } : {}),
      };
    }
    buildSpec.reports = reports;
  }
  if (spec.outputs) {
    buildSpec.artifacts = {
      files: spec.outputs,
      ...(spec.outputBaseDirectory ? { 'base-directory': spec.outputBaseDirectory } : {}),
    };
  }
  if (spec.cachePaths && spec.cachePaths.length > 0) {
    buildSpec.cache = { paths: spec.cachePaths };
  }

  const environmentVariables: Record<string, codebuild.BuildEnvironmentVariable> = {};
  for (const [name, value] of Object.entries(spec.environmentVariables ?? {})) {
    environmentVariables[name] = { value };
  }

  const project = new codebuild.PipelineProject(scope, 'Project', {
    description: spec.description,
    buildSpec: codebuild.BuildSpec.fromObject(buildSpec),
    environment: {
      buildImage: spec.buildImage ?? DEFAULT_BUILD_IMAGE,
      computeType: spec.computeType ?? codebuild.ComputeType.SMALL,
      privileged: spec.privileged ?? false,
    },
    environmentVariables,
    cache: spec.cache,
    timeout: spec.timeout,
    encryptionKey: context.encryptionKey,
    ...(context.logRetention !== undefined
      ? { logging: { cloudWatch: { logGroup: new logs.LogGroup(scope, 'Logs', { retention: context.logRetention as logs.RetentionDays }) } } }
      : {}),
    vpc: spec.network?.vpc,
    subnetSelection: spec.network?.subnetSelection,
    securityGroups: spec.network?.securityGroups,
  });
  for (const { group } of reportGroups) {
    group.grantWrite(project);
  }
  if (spec.cacheBucket) suppressCacheBucketFindings(project, spec.cacheBucket);
  if (spec.origin) refuseOversizedBuildSpec(spec.origin, project, spec.commands.length);
  const useConnection = spec.fullCloneConnectionArn ? useRenamedConnection(spec.fullCloneConnectionArn) : undefined;
  if (useConnection) project.addToRolePolicy(useConnection);
  for (const statement of spec.rolePolicyStatements ?? []) project.addToRolePolicy(statement);
  for (const secret of Object.values(spec.secrets ?? {})) {
    secret.secret?.grantRead(project);
    grantImportedSecretKey(project, secret.secret);
    secret.parameter?.grantRead(project);
  }
  for (const login of logins ? spec.dockerLogins ?? [] : []) {
    login.secret?.grantRead(project);
    grantImportedSecretKey(project, login.secret);
    for (const repository of login.repositories ?? []) repository.grantPull(project);
  }
  return project;
}

/**
 * The length of a project's inline buildspec as CloudFormation receives it (the JSON string
 * aws-cdk-lib renders): `exact` when it is a literal; with references in it, the known part only.
 */
export function inlineBuildSpecLength(project: codebuild.PipelineProject): { known: number; exact: boolean } | undefined {
  const cfn = project.node.defaultChild as codebuild.CfnProject;
  const source = Stack.of(project).resolve(cfn.source) as { buildSpec?: unknown } | undefined;
  const rendered = resolvedOrUndefined(Stack.of(project), source?.buildSpec);
  const join = (rendered as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const known = typeof rendered === 'string' ? rendered.length
    : join && join[0] === '' ? join[1].filter((x): x is string => typeof x === 'string').reduce((n, x) => n + x.length, 0) : undefined;
  return known === undefined ? undefined : { known, exact: typeof rendered === 'string' };
}

/**
 * Refuses a buildspec longer than CodeBuild takes inline, measured as CloudFormation receives it
 * (the JSON string aws-cdk-lib renders). With references in it (report group ARNs, secret ARNs) the
 * length is known only in part: it is refused when the known part alone is over the limit.
 */
function refuseOversizedBuildSpec(origin: ProjectOrigin, project: codebuild.PipelineProject, commands: number): void {
  const length = inlineBuildSpecLength(project);
  if (length === undefined || length.known <= MAX_INLINE_BUILDSPEC) return;
  const { known, exact } = length;
  origin.validator.fail(`${origin.field}.commands`,
    `make an inline buildspec of ${exact ? '' : 'at least '}${known.toLocaleString('en-US')} characters, more than the ${MAX_INLINE_BUILDSPEC.toLocaleString('en-US')} `
      + 'CodeBuild takes in an inline buildspec (the project would fail to deploy)',
    described(`${commands} command${commands === 1 ? '' : 's'}`),
    "Move the commands into a script in the repository and run it from the buildspec, for example commands: ['bash scripts/build.sh'].");
}

/**
 * `kms:Decrypt` on the customer managed key of a secret whose key is imported. aws-cdk-lib's
 * `grantRead` grants a key through the key policy (via Secrets Manager), which an imported key
 * does not take, so the grant would be dropped silently and the build fail reading the secret.
 */
function grantImportedSecretKey(project: codebuild.IProject, secret: secretsmanager.ISecret | undefined): void {
  const key = secret?.encryptionKey;
  if (!secret || !key || Resource.isOwnedResource(key)) return;
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    // the secret's own region (an ARN of another region says so), else its stack's
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Token.isUnresolved(secret.env.region) ? Stack.of(secret).region : secret.env.region}.amazonaws.com` } },
  }));
}

/**
 * The buildspec's `env`: the user's secrets and the Docker logins' credentials, which CodeBuild
 * reads from Secrets Manager and Parameter Store when the build starts (the values never appear in
 * the template or the project's definition, and CodeBuild masks them in the logs).
 */
function secretsEnv(
  secrets: Record<string, BoundBuildSecret>, loginSecrets: Record<string, string> | undefined,
): Record<string, unknown> | undefined {
  const secretsManager: Record<string, string> = {};
  const parameterStore: Record<string, string> = {};
  for (const [name, secret] of Object.entries(secrets)) {
    (secret.store === 'secrets-manager' ? secretsManager : parameterStore)[name] = secret.reference;
  }
  Object.assign(secretsManager, loginSecrets ?? {});
  const env: Record<string, unknown> = {};
  if (Object.keys(parameterStore).length > 0) env['parameter-store'] = parameterStore;
  if (Object.keys(secretsManager).length > 0) env['secrets-manager'] = secretsManager;
  return Object.keys(env).length > 0 ? env : undefined;
}

/**
 * The buildspec part of the Docker logins: the secrets as environment variables CodeBuild reads
 * from Secrets Manager (the buildspec's `env.secrets-manager`, so the values never appear in the
 * template or the logs), and one `docker login` per registry, before the build phase.
 */
function dockerLoginSpec(logins: DockerLoginModel[]): { commands: string[]; secrets?: Record<string, string> } | undefined {
  if (logins.length === 0) return undefined;
  const secrets: Record<string, string> = {};
  const commands = logins.map((login, i) => {
    if (login.secret) {
      const user = `CDK_DELIVERY_DOCKER_USER_${i}`;
      const secret = `CDK_DELIVERY_DOCKER_SECRET_${i}`;
      secrets[user] = `${login.secret.secretArn}:${login.usernameField}`;
      secrets[secret] = `${login.secret.secretArn}:${login.secretField}`;
      return `printf '%s' "$${secret}" | docker login --username "$${user}" --password-stdin${login.registry ? ` ${login.registry}` : ''}`;
    }
    return `aws ecr get-login-password --region ${login.ecrRegion} | docker login --username AWS --password-stdin ${login.registry}`;
  });
  return { commands, secrets: Object.keys(secrets).length > 0 ? secrets : undefined };
}

/**
 * Publishing roles per statement: aws-cdk-lib moves the statements that do not fit a role's inline
 * policy into managed policies of at most 6,144 characters, and cannot split one statement; the
 * file and image publishing roles of 48 accounts (about 8,800 characters) in one would not fit.
 */
const PUBLISHING_ROLES_PER_STATEMENT = 24;

/** Lets a project assume the CDK bootstrap publishing roles the assets are published with. */
export function allowAssetPublishing(project: codebuild.IProject, roles: string[]): void {
  for (let i = 0; i < roles.length; i += PUBLISHING_ROLES_PER_STATEMENT) {
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: roles.slice(i, i + PUBLISHING_ROLES_PER_STATEMENT) }));
  }
}
