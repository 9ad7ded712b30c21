import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Validator } from './validation';
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
  if (o.computeType !== undefined && !(Object.values(codebuild.ComputeType) as string[]).includes(o.computeType)) {
    v.fail(`${ctx.field}.computeType`, 'must be a codebuild.ComputeType', o.computeType, 'Use codebuild.ComputeType.SMALL, MEDIUM, LARGE or X2_LARGE.');
  }
  if (o.buildImage !== undefined && (o.buildImage === null || typeof (o.buildImage as any).imageId !== 'string')) {
    v.fail(`${ctx.field}.buildImage`, 'must be a codebuild.IBuildImage', o.buildImage, 'Use codebuild.LinuxBuildImage.STANDARD_7_0 or another codebuild build image.');
  }
  const privileged = v.optionalBoolean(`${ctx.field}.privileged`, o.privileged) ?? false;
  const d = v.defaults;
  return {
    install,
    environmentVariables,
    buildImage: o.buildImage ?? (d.buildImage as codebuild.IBuildImage | undefined),
    computeType: o.computeType ?? (d.computeType as codebuild.ComputeType | undefined),
    timeout,
    privileged,
  };
}

/** A short description of the image/compute of a project, for the plan. */
export function describeEnvironment(o: ValidCommandsOptions): string[] {
  const lines: string[] = [];
  if (o.privileged) lines.push('privileged (Docker) build environment');
  if (o.computeType) lines.push(`compute ${o.computeType}`);
  if (o.timeout && !o.timeout.isUnresolved()) lines.push(`timeout ${o.timeout.toMinutes({ integral: false })} min`);
  return lines;
}
