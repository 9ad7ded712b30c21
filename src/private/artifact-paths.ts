import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { isToken, Validator } from './validation';

/**
 * A file path inside the build output, as a deployment action reads it from the build artifact
 * (`<artifact>::<path>`): relative, inside the artifact, with '/' between directories. Returns it
 * normalised the way CodePipeline needs it ('./cdk.out/x.json' becomes 'cdk.out/x.json'); a token
 * is returned as it is.
 *
 * @param example a valid path for the field, for the fix ('template.yaml')
 */
export function buildOutputFilePath(v: Validator, field: string, given: string, example: string): string {
  if (isToken(given)) return given;
  if (given.includes('\\')) {
    v.fail(field, "separates directories with '\\', but CodePipeline reads paths inside the build artifact with '/' only", given,
      `Pass '${given.replace(/\\/g, '/')}'.`);
  }
  const normalized = path.posix.normalize(given);
  if (normalized.startsWith('/') || normalized.includes('::') || normalized === '..' || normalized.startsWith('../')) {
    v.fail(field, 'must be a relative path inside the build output', given,
      `Pass a path such as '${example}'; the library prefixes the build artifact itself.`);
  }
  if (normalized === '.' || normalized.endsWith('/')) {
    v.fail(field, 'names a directory, but the action reads one file', given, `Pass the file's path, such as '${example}'.`);
  }
  return normalized;
}

/**
 * Where the build's `cdk synth` output is in the build output when nothing names it: `cdk.out`, or
 * the output's root when the build's `outputDirectory` is the cloud assembly itself (`cdk.out`,
 * `infra/cdk.out`): the artifact then holds the assembly's files at its root.
 */
export function defaultAssemblyDirectory(outputDirectory: string | undefined): string {
  if (outputDirectory === undefined || isToken(outputDirectory)) return 'cdk.out';
  const normalized = path.posix.normalize(outputDirectory.trim()).replace(/\/+$/, '');
  return path.posix.basename(normalized) === 'cdk.out' ? '.' : 'cdk.out';
}

/**
 * True for a path or glob that is not inside the build's working directory: absolute, with a '..'
 * that climbs out of it, or with '\\' (CodeBuild's paths are POSIX paths).
 */
export function leavesWorkingDirectory(value: string): boolean {
  const normalized = path.posix.normalize(value.trim());
  return value.includes('\\') || path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')
    || value.split('/').includes('..');
}

/**
 * Where the cloud assembly holds a stack's template, relative to the assembly's root directory:
 * `<template>`, or `<nested assembly>/<template>` for a stack of a Stage.
 */
export function stackTemplatePath(stack: Stack): string {
  const stage = Stage.of(stack);
  const root = stack.node.root as Stage;
  const nested = stage && stage !== root ? path.relative(root.outdir, stage.outdir).split(path.sep).join('/') : '';
  return [nested, stack.templateFile].filter(Boolean).join('/');
}
