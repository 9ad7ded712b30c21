import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_BUILD_IMAGE } from './codebuild';
import { described, Validator } from './validation';
import type { QualityCheckCommandsOptions } from '../build/quality-check';
import { ModelContext } from '../model/model';

/**
 * The CodeBuild settings common to every commands-based part (build, check, deploy script,
 * verification), as the user passed them: `QualityCheckCommandsOptions` is their public form.
 */
export type RawCommandsOptions = QualityCheckCommandsOptions;

/** The same settings once validated. */
export interface ValidCommandsOptions extends Omit<RawCommandsOptions, 'privileged'> {
  readonly privileged: boolean;
}

/** Validates the common CodeBuild options of a part at `ctx.field`. */
export function validateCommandsOptions(ctx: ModelContext, options: RawCommandsOptions | undefined): ValidCommandsOptions {
  const v: Validator = ctx.validator;
  const o = options ?? {};
  if (typeof o !== 'object') v.fail(ctx.field, 'options must be an object', o, 'Pass an options object or leave it out.');
  const install = v.optionalStringArray(`${ctx.field}.install`, o.install, "Pass shell commands such as ['npm ci'].");
  const environmentVariables = v.optionalStringMap(`${ctx.field}.environmentVariables`, o.environmentVariables,
    "Pass plain string values, for example { NODE_ENV: 'test' }; keep secrets in Secrets Manager.");
  for (const name of Object.keys(environmentVariables ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      v.fail(`${ctx.field}.environmentVariables`, 'has a name that is not a valid environment variable name', name, 'Use letters, digits and underscores, not starting with a digit.');
    }
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
  // a Lambda image runs on Lambda compute: the default compute type follows the image
  const computeType = o.computeType ?? (d.computeType as codebuild.ComputeType | undefined)
    ?? (lambda ? codebuild.ComputeType.LAMBDA_1GB : undefined);
  const compute = computeType ?? codebuild.ComputeType.SMALL;
  const problems = typeof image.validate === 'function' ? image.validate({ buildImage: image, computeType: compute, privileged }) : [];
  if (problems.length > 0) {
    const field = o.computeType !== undefined ? 'computeType' : o.privileged ? 'privileged' : 'buildImage';
    v.fail(`${ctx.field}.${field}`, `does not fit the build environment (CodeBuild: ${problems.join('; ')})`,
      described(`image ${image.imageId}, compute ${compute}${privileged ? ', privileged' : ''}`),
      'Choose a compute type the image supports: Lambda images run on codebuild.ComputeType.LAMBDA_* without privileged mode, other images on SMALL, MEDIUM, LARGE or X2_LARGE.');
  }
  if (lambda && timeout !== undefined) {
    v.fail(`${ctx.field}.timeout`, 'cannot be set with a Lambda build image (CodeBuild fixes the time limit of Lambda compute)', described(timeout.toHumanString()),
      'Leave timeout out, or use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0.');
  }
  const rolePolicyStatements = checkRolePolicyStatements(v, `${ctx.field}.rolePolicyStatements`, o.rolePolicyStatements);
  return { install, environmentVariables, buildImage, computeType, timeout, privileged, rolePolicyStatements };
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
  for (const statement of o.rolePolicyStatements ?? []) {
    const json = statement.toStatementJson() as { Effect?: string; Action?: string | string[]; NotAction?: string | string[] };
    const verbs = ([] as string[]).concat(json.Action ?? json.NotAction ?? []);
    lines.push(`${json.Effect === 'Deny' ? 'denied' : 'may'}: ${verbs.join(', ')}`);
  }
  return lines;
}
