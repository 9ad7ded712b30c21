import { Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { DEFAULT_BUILD_IMAGE, ProjectNetwork, ProjectOrigin } from './codebuild';
import { joinedText } from './intrinsics';
import { refuseUnreferable } from './referable';
import { actionConfiguration, MAX_ACTION_CONFIGURATION_FIELD } from './stack-outputs';
import { Described, described, literal, requireFactoryMade, resolvedOrUndefined, Validator } from './validation';
import { BuildSecret, type BoundBuildSecret } from '../build/build-secret';
import type { QualityCheckCommandsOptions } from '../build/quality-check';
import { ModelContext } from '../model/model';

/**
 * The CodeBuild settings common to every commands-based part (build, check, deploy script,
 * verification), as the user passed them: `QualityCheckCommandsOptions` is their public form.
 */
export type RawCommandsOptions = QualityCheckCommandsOptions;

/** The same settings once validated. */
export interface ValidCommandsOptions extends Omit<RawCommandsOptions, 'privileged' | 'vpc' | 'subnetSelection' | 'securityGroups' | 'secrets'> {
  readonly privileged: boolean;
  /** Where the part is, for the checks of its project when it is created (the size of its buildspec). */
  readonly origin: ProjectOrigin;
  /** The secrets CodeBuild reads into environment variables, by variable name. */
  readonly secrets?: Record<string, BoundBuildSecret>;
  /** The VPC the project runs in (the part's, else DeliveryDefaults'); undefined outside any VPC. */
  readonly network?: ProjectNetwork;
}

/** Validates the common CodeBuild options of a part at `ctx.field`. */
export function validateCommandsOptions(ctx: ModelContext, options: RawCommandsOptions | undefined): ValidCommandsOptions {
  const v: Validator = ctx.validator;
  const o = options ?? {};
  if (typeof o !== 'object') v.fail(ctx.field, 'options must be an object', o, 'Pass an options object or leave it out.');
  const install = v.optionalStringArray(`${ctx.field}.install`, o.install, "Pass shell commands such as ['npm ci'].");
  refuseSecretsInCommands(v, install, i => `${ctx.field}.install[${i}]`, `${ctx.field}.secrets`);
  const environmentVariables = v.optionalStringMap(`${ctx.field}.environmentVariables`, o.environmentVariables,
    "Pass plain string values, for example { NODE_ENV: 'test' }; pass secrets in secrets (BuildSecret).");
  checkEnvironmentVariables(v, `${ctx.field}.environmentVariables`, environmentVariables, `${ctx.field}.secrets`);
  const secrets = validateSecrets(v, `${ctx.field}.secrets`, o.secrets, environmentVariables);
  const passed = splitVariables(environmentVariables).action;
  const configuration = actionConfiguration(passed);
  if (configuration.length > MAX_ACTION_CONFIGURATION_FIELD) {
    v.fail(`${ctx.field}.environmentVariables`, `has values that read CodePipeline variables, which the CodeBuild action passes: ${configuration.length} characters `
      + `of action configuration, more than CodePipeline's ${MAX_ACTION_CONFIGURATION_FIELD} for a CodeBuild action's environment variables`,
    described(Object.keys(passed).join(', ')), 'Pass fewer of them, or read the values in the commands (CODEBUILD_RESOLVED_SOURCE_VERSION holds the commit).');
  }
  const timeout = o.timeout;
  if (timeout !== undefined) {
    v.durationMinutes(`${ctx.field}.timeout`, timeout, {
      min: 5, max: 2160, limits: 'whole minutes from 5 to 2160 (CodeBuild\'s limits)', example: 'Duration.minutes(60)',
    });
  }
  checkComputeType(v, `${ctx.field}.computeType`, o.computeType);
  checkBuildImage(v, `${ctx.field}.buildImage`, o.buildImage);
  const privileged = v.optionalBoolean(`${ctx.field}.privileged`, o.privileged) ?? false;
  const d = v.defaults;
  const buildImage = o.buildImage ?? (d.buildImage as codebuild.IBuildImage | undefined);
  const image = buildImage ?? DEFAULT_BUILD_IMAGE;
  const lambda = isLambdaImage(image);
  // The part's own image is nearer than the organisation's compute type: a default compute type that
  // does not fit it (MEDIUM for a Lambda image) gives way to the image's own.
  const defaultCompute = d.computeType as codebuild.ComputeType | undefined;
  const usableDefault = defaultCompute !== undefined && o.buildImage !== undefined && imageProblems(image, defaultCompute, false).length > 0
    ? undefined : defaultCompute;
  // a Lambda image runs on Lambda compute: the default compute type follows the image
  // SMALL unless the image does not run on it (a Windows image): then the image's own default (MEDIUM)
  const smallDoesNotFit = imageProblems(image, codebuild.ComputeType.SMALL, false).length > 0;
  const computeType = o.computeType ?? usableDefault ?? (lambda ? codebuild.ComputeType.LAMBDA_1GB : undefined)
    ?? (smallDoesNotFit ? image.defaultComputeType : undefined);
  const compute = computeType ?? codebuild.ComputeType.SMALL;
  const problems = imageProblems(image, compute, privileged);
  if (problems.length > 0) {
    const windows = image.type.startsWith('WINDOWS');
    const privilegedOnly = problems.every(p => /privileged/i.test(p));
    // the nearest setting that makes the combination: the part's own, else the organisation's default
    const field = privilegedOnly && o.privileged ? `${ctx.field}.privileged`
      : o.computeType !== undefined ? `${ctx.field}.computeType` : o.privileged ? `${ctx.field}.privileged`
        : o.buildImage !== undefined ? `${ctx.field}.buildImage` : usableDefault !== undefined ? 'DeliveryDefaults.computeType' : 'DeliveryDefaults.buildImage';
    const fix = windows
      ? [
        ...(privileged ? ['Windows images have no privileged mode (no Docker daemon to run): '
          + 'leave privileged out, or run Docker on a Linux image such as codebuild.LinuxBuildImage.STANDARD_7_0.'] : []),
        ...(privilegedOnly ? [] : ["Windows images do not run on SMALL: choose codebuild.ComputeType.MEDIUM or LARGE, or leave computeType out for the image's own (MEDIUM)."]),
      ].join(' ')
      : 'Choose a compute type the image supports: Lambda images run on codebuild.ComputeType.LAMBDA_* without privileged mode, other images on SMALL, MEDIUM, LARGE or X2_LARGE.';
    v.fail(field, `does not fit the build environment (CodeBuild: ${problems.join('; ')})`,
      described(`image ${image.imageId}, compute ${compute}${privileged ? ', privileged' : ''}`), fix);
  }
  if (lambda && timeout !== undefined) {
    v.fail(`${ctx.field}.timeout`, 'cannot be set with a Lambda build image (CodeBuild fixes the time limit of Lambda compute)', described(timeout.toHumanString()),
      'Leave timeout out, or use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0.');
  }
  const rolePolicyStatements = checkRolePolicyStatements(v, `${ctx.field}.rolePolicyStatements`, o.rolePolicyStatements);
  const network = validateNetwork(v, ctx.field, o, { image, imageField: o.buildImage !== undefined ? `${ctx.field}.buildImage` : 'DeliveryDefaults.buildImage' });
  return {
    origin: { validator: v, field: ctx.field },
    install,
    environmentVariables,
    secrets,
    buildImage,
    computeType,
    timeout,
    privileged,
    rolePolicyStatements,
    network,
  };
}

/**
 * Checks plain environment variables given at `field` (`environmentVariables`, or a test's `env`):
 * valid names CodeBuild and the library do not reserve, and no secret's dynamic reference, which
 * CodeBuild would keep as a PLAINTEXT variable (`secretsField` is where secrets go instead).
 */
export function checkEnvironmentVariables(v: Validator, field: string, variables: Record<string, string> | undefined, secretsField: string): void {
  for (const name of Object.keys(variables ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      v.fail(field, 'has a name that is not a valid environment variable name', name, 'Use letters, digits and underscores, not starting with a digit.');
    }
    if (/^CODEBUILD_/i.test(name)) {
      v.fail(field, 'has a name that starts with CODEBUILD_, a prefix CodeBuild reserves for its own variables', name, 'Give the variable another name.');
    }
    refuseLibraryPrefix(v, field, name);
  }
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (holdsSecret(v, value)) {
      v.fail(`${field}.${name}`, 'holds a secret (a Secrets Manager or SecureString dynamic reference), which CodeBuild would keep as a '
        + 'PLAINTEXT variable: readable in the project\'s definition and not masked in the build\'s logs (a SecureString reference fails the deployment)',
      described(name), `Pass it in ${secretsField} instead: { ${name}: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromParameterStore(parameter).`);
    }
  }
}

/** The prefix of the environment variables the library gives CodeBuild projects itself (the Docker logins' secrets). */
const LIBRARY_VARIABLE_PREFIX = 'CDK_DELIVERY_DOCKER_';

function refuseLibraryPrefix(v: Validator, field: string, name: string): void {
  if (name.toUpperCase().startsWith(LIBRARY_VARIABLE_PREFIX)) {
    v.fail(field, `has a name that starts with ${LIBRARY_VARIABLE_PREFIX}, a prefix the library reserves for the Docker logins' credentials`, name,
      'Give the variable another name.');
  }
}

/** A CloudFormation dynamic reference to a secret: CodeBuild would show its value, or CloudFormation refuse it, in a PLAINTEXT variable. */
const SECRET_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;

/** True when an environment variable's value, resolved as CloudFormation receives it, holds a secret's dynamic reference. */
function holdsSecret(v: Validator, value: string): boolean {
  return secretReferenceIn(v, value) !== undefined;
}

/**
 * The secret's dynamic reference a value holds, as CloudFormation receives it (references of the
 * template as `<LogicalId>`: `{{resolve:secretsmanager:<NpmToken1234>:SecretString:token::}}`),
 * to name it in errors; the reference names where the secret is, never its value. Undefined when
 * the value holds none.
 */
export function secretReferenceIn(v: Validator, value: string): string | undefined {
  let text: string | undefined = value;
  if (!SECRET_REFERENCE.test(value)) {
    if (!Token.isUnresolved(value) || !v.pipeline) return undefined;
    const resolved = resolvedOrUndefined(Stack.of(v.pipeline), value);
    const kind = resolved === undefined ? undefined : SECRET_REFERENCE.exec(JSON.stringify(resolved))?.[1];
    if (kind === undefined) return undefined;
    text = joinedText(resolved, name => `<${name}>`) ?? `{{resolve:${kind}:...}}`;
  }
  return /\{\{resolve:(secretsmanager|ssm-secure):[^}]*\}\}/.exec(text)?.[0] ?? text;
}

/**
 * Refuses a value the pipeline's definition keeps as written (an action's configuration: a
 * CloudFormation target's `parameterOverrides`, an approval's `comment` and `reviewUrl`) when it holds
 * a secret's dynamic reference: CloudFormation resolves it into the definition, which
 * `codepipeline:GetPipeline` returns with the value in plain text (CodePipeline masks only the fields
 * of its own secret kinds), and the console shows; a SecureString reference is refused by
 * CloudFormation there. `fix` says where the secret goes instead.
 */
export function refuseSecretInPipelineDefinition(v: Validator, field: string, value: string | undefined, fix: string): void {
  if (value === undefined) return;
  const reference = secretReferenceIn(v, value);
  if (reference === undefined) return;
  v.fail(field, 'holds a secret (a Secrets Manager or SecureString dynamic reference), which CloudFormation would write into the '
    + "pipeline's definition in plain text: returned to anyone who may codepipeline:GetPipeline (grantRead, grantOperate, grantApprove, cdk-delivery status) and shown "
    + 'in the console (a SecureString reference fails the deployment)', described(reference), fix);
}

/**
 * Refuses a command (of `install` or `commands`) holding a secret's dynamic reference: CloudFormation
 * resolves it into the project's inline buildspec, which keeps the value in plain text in the
 * project's definition (`codebuild:BatchGetProjects`), and CodeBuild prints each command it runs in
 * the build's logs, masking only the values it read itself (`secrets`). `fieldOf` names a command's
 * field (`buildStep.commands[1]`), `secretsField` the part's `secrets`.
 */
export function refuseSecretsInCommands(
  v: Validator, commands: readonly string[] | undefined, fieldOf: (index: number) => string, secretsField: string,
): void {
  (commands ?? []).forEach((command, i) => {
    const reference = secretReferenceIn(v, command);
    if (reference === undefined) return;
    v.fail(fieldOf(i), 'holds a secret (a Secrets Manager or SecureString dynamic reference), which CloudFormation would write into the project\'s inline buildspec: '
      + 'readable in the project\'s definition and printed unmasked in the build\'s logs as CodeBuild runs the command (a SecureString reference fails the deployment)',
    described(reference), `Pass it in ${secretsField} instead, { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromParameterStore(parameter), `
      + 'and read $NPM_TOKEN in the command.');
  });
}

/** A CodePipeline variable in a value (`#{SourceVariables.CommitId}`): CodePipeline resolves it in the action's configuration only. */
const PIPELINE_VARIABLE = /#\{[^{}\s]+\.[^{}\s]+\}/;

/** The environment variables the CodeBuild action passes (those reading CodePipeline variables), and the ones the project keeps. */
export function splitVariables(variables: Record<string, string> | undefined): { project: Record<string, string>; action: Record<string, string> } {
  const project: Record<string, string> = {};
  const action: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables ?? {})) {
    (!Token.isUnresolved(value) && PIPELINE_VARIABLE.test(value) ? action : project)[name] = value;
  }
  return { project, action };
}

/** The variables a part sets itself (plain and secret), by name: stack outputs may not set them again. */
export function takenVariables(o: ValidCommandsOptions): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(o.secrets ?? {}).map(([name, s]) => [name, s.label])), ...o.environmentVariables };
}

/** A CodeBuild action's environment variables (PLAINTEXT, resolved by CodePipeline when the action starts); undefined when none. */
export function actionVariables(variables: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> | undefined {
  const entries = Object.entries(variables);
  return entries.length > 0
    ? Object.fromEntries(entries.map(([name, value]) => [name, { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value }]))
    : undefined;
}

/** Validates `secrets`: valid names none of the other variables take, each a BuildSecret. */
function validateSecrets(
  v: Validator, field: string, raw: unknown, environmentVariables: Record<string, string> | undefined,
): Record<string, BoundBuildSecret> | undefined {
  if (raw === undefined) return undefined;
  const fix = '{ NPM_TOKEN: BuildSecret.fromSecretsManager(secret) }';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    v.fail(field, 'must map environment variable names to BuildSecret', raw, `Pass ${fix}.`);
  }
  const bound: Record<string, BoundBuildSecret> = {};
  for (const [name, secret] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      v.fail(field, 'has a name that is not a valid environment variable name', name, 'Use letters, digits and underscores, not starting with a digit.');
    }
    if (/^CODEBUILD_/i.test(name)) {
      v.fail(field, 'has a name that starts with CODEBUILD_, a prefix CodeBuild reserves for its own variables', name, 'Give the variable another name.');
    }
    refuseLibraryPrefix(v, field, name);
    if (environmentVariables !== undefined && Object.prototype.hasOwnProperty.call(environmentVariables, name)) {
      v.fail(`${field}.${name}`, 'sets a variable environmentVariables sets too (the plain value would silently replace the secret)', name,
        'Give the variable one source: remove it from environmentVariables or from secrets.');
    }
    if (!(secret instanceof BuildSecret)) {
      v.fail(`${field}.${name}`, 'must be a BuildSecret', secret, 'Use BuildSecret.fromSecretsManager(secret) or BuildSecret.fromParameterStore(parameter).');
    }
    requireFactoryMade(v, `${field}.${name}`, secret, 'BuildSecret');
    bound[name] = secret._bind(v, `${field}.${name}`);
  }
  return bound;
}

/** The network fields of a part (or of DeliveryDefaults), as given. */
export interface RawNetwork {
  readonly vpc?: unknown;
  readonly subnetSelection?: unknown;
  readonly securityGroups?: unknown;
}

/** The build image a project runs, and where it came from, for the Lambda check. */
export interface NetworkImage {
  readonly image: codebuild.IBuildImage;
  readonly imageField: string;
}

/** CodeBuild's limits of a project's VpcConfig (CreateProject: securityGroupIds at most 5, subnets at most 16). */
const MAX_SECURITY_GROUPS = 5;
const MAX_SUBNETS = 16;

/**
 * Validates where a CodeBuild project runs: the part's `vpc` (with its `subnetSelection` and
 * `securityGroups`), else DeliveryDefaults' (the three go together: a part that names a vpc uses
 * its own selection and groups, never the defaults'). `field` is the part's field path ('' for
 * the project that publishes the assets, which only follows DeliveryDefaults).
 */
export function validateNetwork(v: Validator, field: string, o: RawNetwork, image: NetworkImage): ProjectNetwork | undefined {
  const own = field !== '' && o.vpc !== undefined;
  const at = (name: string) => (field === '' ? `DeliveryDefaults.${name}` : `${field}.${name}`);
  if (field !== '') {
    for (const name of ['subnetSelection', 'securityGroups'] as const) {
      if (o[name] !== undefined && o.vpc === undefined) {
        v.fail(at(name), 'is given without vpc (subnets and security groups belong to a VPC)', o[name],
          `Pass vpc too${v.defaults.vpc !== undefined ? " (DeliveryDefaults' vpc, subnetSelection and securityGroups apply together, only to parts that name no vpc)" : ''}, or leave ${name} out.`);
      }
    }
  }
  const d = v.defaults;
  const given: RawNetwork = own ? o : { vpc: d.vpc, subnetSelection: d.subnetSelection, securityGroups: d.securityGroups };
  if (given.vpc === undefined) return undefined;
  const f = (name: string) => (own ? at(name) : `DeliveryDefaults.${name}`);
  checkVpc(v, f('vpc'), given.vpc);
  checkSubnetSelection(v, f('subnetSelection'), given.subnetSelection);
  checkSecurityGroups(v, f('securityGroups'), given.securityGroups);
  const vpc = given.vpc as ec2.IVpc;
  const selection = given.subnetSelection as ec2.SubnetSelection | undefined;
  const securityGroups = given.securityGroups as ec2.ISecurityGroup[] | undefined;
  const vpcLabel = labelOf(vpc, vpc.vpcId);
  if (isLambdaImage(image.image)) {
    // the field to change: the part's own vpc, else the part's own image, else the default vpc
    v.fail(own ? f('vpc') : image.imageField.startsWith('DeliveryDefaults.') ? 'DeliveryDefaults.vpc' : image.imageField,
      `puts a project with the Lambda build image ${image.image.imageId} in VPC ${vpcLabel}, and CodeBuild's Lambda compute cannot run in a VPC`,
      described(`vpc ${vpcLabel}, image ${image.image.imageId}`),
      'Use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0 for a project that must reach the VPC.');
  }
  checkReferable(v, f('vpc'), vpc, 'VPC', vpcLabel);
  (securityGroups ?? []).forEach((sg, i) => checkReferable(v, `${f('securityGroups')}[${i}]`, sg, 'security group', labelOf(sg, sg.securityGroupId)));
  (selection?.subnets ?? []).forEach((subnet, i) => checkReferable(v, `${f('subnetSelection')}.subnets[${i}]`, subnet, 'subnet', labelOf(subnet, subnet.subnetId)));
  (securityGroups ?? []).forEach((sg, i) => refuseOtherVpc(v, `${f('securityGroups')}[${i}]`, sg, 'security group', labelOf(sg, sg.securityGroupId), vpc, vpcLabel,
    `Pass security groups of VPC ${vpcLabel}, for example new ec2.SecurityGroup(this, 'Builds', { vpc }).`));
  (selection?.subnets ?? []).forEach((subnet, i) => refuseOtherVpc(v, `${f('subnetSelection')}.subnets[${i}]`, subnet, 'subnet', labelOf(subnet, subnet.subnetId),
    vpc, vpcLabel, `Pass subnets of VPC ${vpcLabel}, for example { subnets: vpc.privateSubnets }, or select them by subnetType or subnetGroupName.`));
  (securityGroups ?? []).forEach((sg, i) => {
    const first = securityGroups!.indexOf(sg);
    if (first !== i) v.fail(`${f('securityGroups')}[${i}]`, `is the security group of ${f('securityGroups')}[${first}] again`, labelOf(sg, sg.securityGroupId), 'Pass each security group once.');
  });
  const subnets = selectSubnets(v, f('subnetSelection'), vpc, selection, vpcLabel);
  const n = securityGroups?.length;
  const summary = `in VPC ${vpcLabel}, subnets ${describeSubnets(vpc, selection, subnets)}, `
    + (n === undefined ? '1 new security group' : `${n} security group${n === 1 ? '' : 's'}`);
  return { vpc, subnetSelection: selection, securityGroups, summary };
}

/** Checks a value given as an ec2.IVpc. */
export function checkVpc(v: Validator, field: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof (value as ec2.IVpc).vpcId !== 'string' || typeof (value as ec2.IVpc).selectSubnets !== 'function')) {
    v.fail(field, 'must be an ec2.IVpc', value, "Pass an ec2.Vpc, or import one with ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' }).");
  }
}

/** Checks a value given as an ec2.SubnetSelection. */
export function checkSubnetSelection(v: Validator, field: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    v.fail(field, 'must be an ec2.SubnetSelection', value, 'Pass { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or leave it out.');
  }
  const subnets = (value as ec2.SubnetSelection).subnets as unknown;
  if (subnets === undefined) return;
  const fix = "Pass [ec2.Subnet.fromSubnetId(this, 'Builds', 'subnet-0123456789abcdef0')], or select subnets by subnetType or subnetGroupName.";
  if (!Array.isArray(subnets)) v.fail(`${field}.subnets`, 'must be an array of ec2.ISubnet', subnets, fix);
  subnets.forEach((subnet, i) => {
    if (subnet === null || typeof subnet !== 'object' || typeof (subnet as ec2.ISubnet).subnetId !== 'string') v.fail(`${field}.subnets[${i}]`, 'must be an ec2.ISubnet', subnet, fix);
  });
}

/** Checks a value given as ec2.ISecurityGroup[]: 1 to 5 groups (CodeBuild's limit). */
export function checkSecurityGroups(v: Validator, field: string, value: unknown): void {
  if (value === undefined) return;
  const fix = "Pass [ec2.SecurityGroup.fromSecurityGroupId(this, 'Builds', 'sg-0123456789abcdef0')], or leave it out for one aws-cdk-lib creates.";
  if (!Array.isArray(value)) v.fail(field, 'must be an array of ec2.ISecurityGroup', value, fix);
  if (value.length === 0) v.fail(field, 'must hold at least one security group', value, 'Leave it out for one security group aws-cdk-lib creates (all outbound traffic allowed).');
  if (value.length > MAX_SECURITY_GROUPS) {
    v.fail(field, `may hold at most ${MAX_SECURITY_GROUPS} security groups (CodeBuild's limit for a project)`, described(`${value.length} security groups`),
      'Combine their rules into fewer security groups.');
  }
  value.forEach((sg, i) => {
    if (sg === null || typeof sg !== 'object' || typeof (sg as ec2.ISecurityGroup).securityGroupId !== 'string') {
      v.fail(`${field}[${i}]`, 'must be an ec2.ISecurityGroup', sg, fix);
    }
  });
}

/**
 * Refuses a security group or subnet of the app that belongs to another VPC than the project's
 * (CodeBuild's network interfaces take subnets and security groups of one VPC). Its VPC is known
 * when its L1 names a literal VPC id, or the id of a VPC of the app; otherwise it is not checked.
 */
function refuseOtherVpc(
  v: Validator, field: string, resource: IConstruct, what: string, label: string, vpc: ec2.IVpc, vpcLabel: string, fix: string,
): void {
  const cfn = resource.node?.defaultChild;
  if (!(cfn instanceof ec2.CfnSecurityGroup || cfn instanceof ec2.CfnSubnet) || cfn.vpcId === undefined) return;
  const theirs = vpcOf(cfn.vpcId);
  const ours = vpcOf(vpc.vpcId);
  if (theirs === undefined || ours === undefined || theirs === ours) return;
  const other = typeof theirs === 'string' ? theirs : theirs.node.scope?.node.path ?? theirs.node.path;
  v.fail(field, `is a ${what} of VPC ${other}, not of the project's VPC ${vpcLabel} (a CodeBuild project's subnets and security groups belong to its VPC)`, label, fix);
}

/** A VPC id as a literal, or as the CfnVPC of the app it refers to; undefined when not known. */
function vpcOf(id: string): string | IConstruct | undefined {
  if (!Token.isUnresolved(id)) return id;
  const tokens = Tokenization.reverseString(id);
  const token = tokens.firstToken;
  if (tokens.length !== 1 || !token || !Reference.isReference(token) || !(token.target instanceof ec2.CfnVPC)) return undefined;
  return token.target;
}

/** A resource as messages and the plan show it: its id when literal, else its construct path. */
function labelOf(resource: IConstruct, id: string): string {
  return literal(id) ?? (typeof resource.node === 'object' ? resource.node.path : id);
}

/**
 * Refuses a VPC, subnet or security group that a CodeBuild project of the pipeline's stack cannot
 * use: one of another account or region (CodeBuild uses VPCs of its own account and Region; a VPC
 * shared from another account is not supported), or one of a stack the pipeline's stack cannot
 * refer to (another CDK stage, another environment), as `alarmRef` in verification.ts decides.
 */
function checkReferable(
  v: Validator, field: string, resource: IConstruct & { env: { account: string; region: string } }, what: string, label: string,
): void {
  if (!v.pipeline || typeof (resource as { node?: unknown }).node !== 'object') return;
  const pipelineStack = Stack.of(v.pipeline);
  const fix = what === 'security group'
    ? "Use a security group of the pipeline's account and Region, imported in the pipeline's stack: ec2.SecurityGroup.fromSecurityGroupId(pipelineStack, 'Builds', 'sg-0123456789abcdef0')."
    : "Use a VPC of the pipeline's account and Region, imported in the pipeline's stack: ec2.Vpc.fromLookup(pipelineStack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' }).";
  for (const [key, word] of [['account', 'account'], ['region', 'Region']] as const) {
    const theirs = literal(resource.env[key]);
    const ours = literal(pipelineStack[key]);
    if (theirs !== undefined && ours !== undefined && theirs !== ours) {
      v.fail(field, `is a ${what} of ${word} ${theirs}, but the pipeline's CodeBuild projects are in its stack '${pipelineStack.node.path}' (${word} ${ours}), `
        + `and CodeBuild runs in VPCs of its own account and Region only${key === 'account' ? ' (shared VPCs are not supported)' : ''}`, label, fix);
    }
  }
  refuseUnreferable(v, field, resource, `a ${what}`, label, fix);
}

/**
 * The subnets a selection picks: aws-cdk-lib's rules (its default picks private subnets with
 * egress, else isolated, else public ones) and its errors, as the library's error naming the
 * field. Public subnets are refused: CodeBuild gives its network interfaces no public IP address,
 * so a build there reaches nothing outside the VPC (not even its source artifact).
 */
function selectSubnets(v: Validator, field: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined, vpcLabel: string): ec2.ISubnet[] {
  const shown = selectionLabel(selection);
  const has = [
    ...(vpc.privateSubnets.length > 0 ? ['private with egress (ec2.SubnetType.PRIVATE_WITH_EGRESS)'] : []),
    ...(vpc.isolatedSubnets.length > 0 ? ['private isolated (ec2.SubnetType.PRIVATE_ISOLATED)'] : []),
    ...(vpc.publicSubnets.length > 0 ? ['public'] : []),
  ];
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(selection);
  } catch (e) {
    // aws-cdk-lib names the types by their values, deprecated ones included ('Deprecated_Private_NAT,Private,...')
    const problem = selection?.subnetType !== undefined
      ? `selects ${subnetTypeName(selection.subnetType)} subnets, and VPC ${vpcLabel} has none (it has ${has.join(', ') || 'no subnets'})`
      : `selects no subnets of VPC ${vpcLabel} (aws-cdk-lib: ${(e as Error).message})`;
    v.fail(field, problem, shown, "Select subnets the VPC has, for example { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or { subnetGroupName: 'Builds' }.");
  }
  if (selected.isPendingLookup) return selected.subnets;
  if (selected.subnets.length === 0) {
    v.fail(field, `selects no subnets of VPC ${vpcLabel}`, shown, 'Loosen the selection (subnetFilters, availabilityZones) so that it keeps at least one private subnet.');
  }
  if (selected.hasPublic) {
    const publicOnly = vpc.privateSubnets.length === 0 && vpc.isolatedSubnets.length === 0;
    v.fail(field, `selects public subnets of VPC ${vpcLabel}${publicOnly ? ', which has no private subnets' : ''}: CodeBuild gives its network interfaces no public IP address, `
      + 'so a build in a public subnet reaches nothing outside the VPC (not even its source)', shown,
    `${publicOnly ? 'Add private subnets with a NAT gateway to the VPC and select them' : 'Select private subnets'} `
      + '({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }), or isolated subnets with VPC endpoints for S3 and CloudWatch Logs (ec2.SubnetType.PRIVATE_ISOLATED).');
  }
  if (selected.subnets.length > MAX_SUBNETS) {
    v.fail(field, `selects ${selected.subnets.length} subnets of VPC ${vpcLabel}, more than CodeBuild's limit of ${MAX_SUBNETS} for a project`, shown,
      'Add onePerAz: true to the selection, or select a subnet group.');
  }
  return selected.subnets;
}

/** The name of a subnet type as code: 'ec2.SubnetType.PRIVATE_ISOLATED'. */
function subnetTypeName(type: ec2.SubnetType): string {
  const key = Object.entries(ec2.SubnetType).find(([, value]) => value === type)?.[0];
  return key ? `ec2.SubnetType.${key}` : `'${type}'`;
}

/** A subnet selection as messages show it: `{ subnetType: ec2.SubnetType.PUBLIC, onePerAz: true }`. */
function selectionLabel(s: ec2.SubnetSelection | undefined): Described {
  const parts: string[] = [];
  if (s?.subnetType !== undefined) parts.push(`subnetType: ${subnetTypeName(s.subnetType)}`);
  if (s?.subnetGroupName !== undefined) parts.push(`subnetGroupName: '${s.subnetGroupName}'`);
  if (s?.subnets !== undefined) parts.push(`subnets: ${s.subnets.length} subnet${s.subnets.length === 1 ? '' : 's'}`);
  if (s?.availabilityZones !== undefined) parts.push(`availabilityZones: ${s.availabilityZones.join(', ')}`);
  if (s?.onePerAz !== undefined) parts.push(`onePerAz: ${s.onePerAz}`);
  if (s?.subnetFilters !== undefined) parts.push(`subnetFilters: ${s.subnetFilters.length} filter${s.subnetFilters.length === 1 ? '' : 's'}`);
  return described(parts.length > 0 ? `{ ${parts.join(', ')} }`
    : 'the default selection (private subnets with egress, else isolated ones, else public ones, as aws-cdk-lib picks them)');
}

/** The selected subnets in words, for the plan: their kind, group or ids. */
function describeSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined, subnets: ec2.ISubnet[]): string {
  if (selection?.subnetGroupName !== undefined) return `of group '${selection.subnetGroupName}'`;
  if (selection?.subnets !== undefined) {
    const ids = subnets.map(s => s.subnetId);
    return ids.every(id => !Token.isUnresolved(id)) ? ids.join(', ') : `${ids.length} given`;
  }
  const kinds = new Set(subnets.map(s => vpc.privateSubnets.includes(s) ? 'private with egress'
    : vpc.isolatedSubnets.includes(s) ? 'private isolated' : vpc.publicSubnets.includes(s) ? 'public' : 'given'));
  return [...kinds].join(' and ') || 'none';
}

/** Checks statements for a CodeBuild project's role: iam.PolicyStatement objects valid in an identity policy. */
function checkRolePolicyStatements(v: Validator, field: string, value: unknown): iam.PolicyStatement[] | undefined {
  if (value === undefined) return undefined;
  const fix = "Pass [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] })].";
  if (!Array.isArray(value)) v.fail(field, 'must be an array of iam.PolicyStatement', value, fix);
  value.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof (s as iam.PolicyStatement).validateForIdentityPolicy !== 'function') {
      v.fail(`${field}[${i}]`, 'must be an iam.PolicyStatement', s, fix);
    }
    const problems = (s as iam.PolicyStatement).validateForIdentityPolicy();
    if (problems.length > 0) {
      v.fail(`${field}[${i}]`, `is not valid in a role's policy (${problems.join('; ')})`, described(JSON.stringify((s as iam.PolicyStatement).toStatementJson()).replace(/\$\{Token\[[^\]]+\]\}/g, '<token>')),
        'Give the statement actions and resources, and no principals: the project\'s role is the principal.');
    }
  });
  return value as iam.PolicyStatement[];
}

/** What CodeBuild says against an image on a compute type (none when the image does not check). */
export function imageProblems(image: codebuild.IBuildImage, computeType: codebuild.ComputeType, privileged: boolean): string[] {
  return typeof image.validate === 'function' ? image.validate({ buildImage: image, computeType, privileged }) : [];
}

/** True for CodeBuild's Lambda images (they run on Lambda compute types only). */
export function isLambdaImage(image: codebuild.IBuildImage): boolean {
  return image.type === 'LINUX_LAMBDA_CONTAINER' || image.type === 'ARM_LAMBDA_CONTAINER';
}

/** Checks a value given as a codebuild.ComputeType (by a JavaScript caller, possibly anything). */
export function checkComputeType(v: Validator, field: string, value: unknown): void {
  if (value !== undefined && !(Object.values(codebuild.ComputeType) as unknown[]).includes(value)) {
    v.fail(field, 'must be a codebuild.ComputeType', value, 'Use codebuild.ComputeType.SMALL, MEDIUM, LARGE or X2_LARGE.');
  }
}

/** The retention periods CloudWatch Logs accepts, in days (RetentionDays.INFINITE aside). */
export const RETENTION_DAYS = (Object.values(logs.RetentionDays) as unknown[]).filter((d): d is number => typeof d === 'number');

/** Checks a value given as a logs.RetentionDays (the retention of the CodeBuild projects' logs). */
export function checkLogRetention(v: Validator, field: string, value: unknown): void {
  if (value === undefined || (typeof value === 'number' && Token.isUnresolved(value))) return;
  if (!RETENTION_DAYS.includes(value as number)) {
    const days = RETENTION_DAYS.filter(d => d !== logs.RetentionDays.INFINITE).join(', ');
    v.fail(field, 'must be a logs.RetentionDays', value,
      `Use, for example, logs.RetentionDays.ONE_YEAR (CloudWatch Logs keeps logs ${days} days, or forever with RetentionDays.INFINITE).`);
  }
}

/** Checks a value given as a codebuild.IBuildImage. */
export function checkBuildImage(v: Validator, field: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof (value as codebuild.IBuildImage).imageId !== 'string')) {
    v.fail(field, 'must be a codebuild.IBuildImage', value, 'Use codebuild.LinuxBuildImage.STANDARD_7_0 or another codebuild build image.');
  }
}

/** A short description of the image/compute of a project, for the plan. */
export function describeEnvironment(o: ValidCommandsOptions): string[] {
  const lines: string[] = [];
  if (o.privileged) lines.push('privileged (Docker) build environment');
  if (o.computeType) lines.push(`compute ${o.computeType}`);
  if (o.timeout && !o.timeout.isUnresolved()) lines.push(`timeout ${o.timeout.toMinutes({ integral: false })} min`);
  if (o.network) lines.push(o.network.summary);
  for (const [name, secret] of Object.entries(o.secrets ?? {})) lines.push(`secret ${name}: ${secret.label}`);
  for (const statement of o.rolePolicyStatements ?? []) lines.push(describeStatement(statement));
  return lines;
}

/**
 * A statement of `rolePolicyStatements` for the plan: what it allows or denies, read as IAM reads
 * it (`NotAction` is every action except those listed; `NotResource` every resource except those).
 */
function describeStatement(statement: iam.PolicyStatement): string {
  const json = statement.toStatementJson() as { Effect?: string; Action?: unknown; NotAction?: unknown; NotResource?: unknown };
  const list = (x: unknown) => ([] as unknown[]).concat(x ?? [])
    .map(item => typeof item === 'string' ? item.replace(/\$\{Token\[[^\]]+\]\}/g, '<token>') : '<token>').join(', ');
  const actions = json.NotAction !== undefined ? `every action except ${list(json.NotAction)}` : list(json.Action);
  const resources = json.NotResource !== undefined ? ` on every resource except ${list(json.NotResource)}` : '';
  return `${json.Effect === 'Deny' ? 'denied' : 'may'}: ${actions}${resources}`;
}
