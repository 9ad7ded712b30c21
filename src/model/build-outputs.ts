import * as path from 'path';
import type { ActionModel, BuildOutputRead } from './model';
import { described, isToken, Validator } from '../private/validation';

/*
 * The build's `outputs` globs decide which files reach the build artifact, and every deployment
 * reads its files from that artifact. A file the globs leave out fails the deployment action at run
 * time ("The specified template file does not exist"), after the whole build; this check refuses it
 * at synth instead.
 */

/**
 * A CodeBuild artifact glob as a regular expression over a path relative to the artifact root, or
 * undefined when the glob holds something this matcher does not model (a token, a `!` pattern): the
 * check then assumes the glob may match.
 *
 * `**` spans any number of directories (zero included), `*` and `?` stay inside one path segment,
 * `[...]` is a character class and `{a,b}` an alternation, as in CodeBuild's buildspec `files`.
 */
export function globToRegExp(glob: string): RegExp | undefined {
  if (isToken(glob) || glob.startsWith('!')) return undefined;
  const segments = glob.replace(/^\.\//, '').split('/').filter((s, i, all) => s !== '' || i === all.length - 1);
  let re = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (seg === '**') {
      // zero or more whole directories; at the end, everything below
      re += last ? '.*' : '(?:[^/]+/)*';
      continue;
    }
    const part = segmentToRegExp(seg);
    if (part === undefined) return undefined;
    re += part + (last ? '' : '/');
  }
  return new RegExp(`^${re}$`);
}

function segmentToRegExp(seg: string): string | undefined {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) return undefined;
      const body = seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else if (c === '{') {
      const end = seg.indexOf('}', i);
      if (end < 0) return undefined;
      const alternatives = seg.slice(i + 1, end).split(',').map(segmentToRegExp);
      if (alternatives.some(a => a === undefined)) return undefined;
      out += `(?:${alternatives.join('|')})`;
      i = end;
    } else {
      out += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
    }
  }
  return out;
}

/**
 * Where a glob keeps a file below a directory of its own: the glob's leading literal directories
 * (`infra` of `infra/cdk.out/**\/*`) when the rest of it (`cdk.out/**\/*`) names the file's own top
 * directory (or the file) and matches it, so the build most likely writes the file there, not at the
 * path read. A rest that starts with a wildcard (`dist/**\/*`) says nothing of where the file is.
 */
function keptBelow(globs: string[], file: string): { readonly directory: string; readonly rest: string } | undefined {
  const top = file.split('/')[0];
  for (const glob of globs) {
    if (isToken(glob) || glob.startsWith('!')) continue;
    const segments = glob.replace(/^\.\//, '').split('/');
    for (let k = 1; k < segments.length && !/[*?[{]/.test(segments[k - 1]); k++) {
      if (segments[k] !== top) continue;
      const rest = segments.slice(k).join('/');
      if (globToRegExp(rest)?.test(file)) return { directory: segments.slice(0, k).join('/'), rest };
    }
  }
  return undefined;
}

/** The glob to suggest for a path: its top directory, recursively, or the file itself. */
function suggestedGlob(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : `${file.slice(0, slash)}/**/*`;
}

/**
 * Refuses a deployment (or the self-update) that reads a file from the build output which the
 * build's `outputs` globs leave out, or that names the file with the build's `outputDirectory` in
 * front (the artifact holds paths relative to that directory).
 */
export function checkBuildOutputReads(v: Validator, build: ActionModel, reads: BuildOutputRead[]): void {
  const outputs = build.buildOutputs;
  if (!outputs) return;
  const patterns = outputs.globs.map(globToRegExp);
  const directory = outputs.directory && !isToken(outputs.directory) ? outputs.directory.replace(/^\.\//, '').replace(/\/+$/, '') : undefined;
  // a read only outputDirectory can move (selfUpdate's template, whose path the synth decides) that
  // the outputs keep below a directory: every read kept below it is moved by outputDirectory too,
  // so that following one fix does not undo another
  const missing = (read: BuildOutputRead) => !isToken(read.path) && !patterns.some(p => p === undefined || p.test(read.path.replace(/^\.\//, '')));
  const fixed = reads.filter(r => r.movedBy === 'outputDirectory' && missing(r))
    .map(r => keptBelow(outputs.globs, r.path.replace(/^\.\//, ''))?.directory).find(d => d !== undefined);
  for (const read of reads) {
    if (isToken(read.path)) continue;
    const file = read.path.replace(/^\.\//, '');
    if (directory && directory !== '.' && file.startsWith(`${directory}/`)) {
      const value = (read.value ?? read.path).replace(/^\.\//, '');
      v.fail(read.field, `names ${read.what} with the build's outputDirectory '${directory}' in front, but the build output holds paths relative to that directory`,
        read.value ?? read.path, `Pass '${value === directory ? '.' : value.startsWith(`${directory}/`) ? value.slice(directory.length + 1) : value}'.`);
    }
    if (patterns.some(p => p === undefined || p.test(file))) continue;
    v.fail(`${outputs.field}`, `must keep ${read.what}, which ${read.field} reads from the build output; no glob matches '${file}'`,
      described(outputs.globs.map(g => `'${g}'`).join(', ')), missingFileFix(outputs.field, directory, read, file, keptBelow(outputs.globs, file), fixed));
  }
}

/**
 * The fix for a file no glob keeps. When a glob keeps it below a directory (the build's 'cdk synth'
 * runs in 'infra', the outputs keep 'infra/cdk.out/**\/*'), the reader must look there: leaving the
 * outputs out or adding a glob for the path read would pass synth and still miss the file. Below
 * `fixedDirectory`, where a read only outputDirectory can move is kept, outputDirectory is the fix
 * for every read whose own field would not move that one too (a CDK stage's cloudAssemblyDirectory
 * does: the self-update follows it): the one fix that serves them all.
 */
function missingFileFix(
  outputsField: string, directory: string | undefined, read: BuildOutputRead, file: string, below: ReturnType<typeof keptBelow>,
  fixedDirectory: string | undefined,
): string {
  if (!below) return `Add '${suggestedGlob(file)}' to ${outputsField}, or leave outputs out to keep every file.`;
  const kept = `'${below.directory}/${file}'`;
  if (read.movedBy === 'outputDirectory' || (below.directory === fixedDirectory && !read.movesSelfUpdate)) {
    const directoryField = outputsField.replace(/outputs$/, 'outputDirectory');
    const moved = path.posix.join(directory ?? '.', below.directory);
    return `The outputs keep it as ${kept}: set ${directoryField}: '${moved}' and make outputs relative to it (['${below.rest}'], `
      + `or leave them out to keep every file of '${moved}'): the build output then holds '${file}'.`;
  }
  const value = (read.value ?? read.path).replace(/^\.\//, '');
  return `The outputs keep it as ${kept}: pass '${path.posix.join(below.directory, value)}' to ${read.field}.`;
}
