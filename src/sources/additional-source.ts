import { PipelineSource, SOURCE_ACTION_NAME, SOURCE_VARIABLES_NAMESPACE } from './pipeline-source';
import type { AdditionalInput, AdditionalSourceModel } from '../model/model';
import { described, isToken, requireFactoryMade, Validator } from '../private/validation';

/**
 * A second repository (or bucket, or image) the build reads beside the pipeline's source: shared
 * configuration, deployment scripts, a library checked out next to the application.
 *
 * It is a source action of its own in the `Source` stage, and the build action takes it as an
 * extra input artifact, placed at `directory` inside the source's working directory before the
 * install commands run. Only the build reads it; checks, deploy scripts and tests read the
 * pipeline's source and the build output.
 */
export interface AdditionalSource {
  /**
   * The name of the source action and of its output artifact: 1 to 84 letters, digits and
   * underscores, unique among the additional sources (ignoring case), and not `Source` or
   * `BuildOutput` (the pipeline's own artifacts).
   *
   * The build finds the files in `$CODEBUILD_SRC_DIR_<name>` too, and the source action's
   * variables live in the namespace `SourceVariables_<name>` (for example
   * `#{SourceVariables_Config.CommitId}`).
   */
  readonly name: string;
  /** Where the changes come from: any `PipelineSource` (`fullClone` is for the pipeline's source only). */
  readonly source: PipelineSource;
  /**
   * Where the build finds the source's files, relative to the pipeline's source (the build's
   * working directory), for example `config` or `vendor/shop-lib`: a relative path of letters,
   * digits, `.`, `_` and `-`, without `.` or `..` segments or a segment that starts with `-`. The
   * directory must not exist in the pipeline's source (the build fails with a message saying so),
   * and no two additional sources may share a directory or nest one in another.
   *
   * @default - the source's `name`
   */
  readonly directory?: string;
  /**
   * Whether a change to this source starts the pipeline, as a change to the pipeline's source does.
   * When false, the source is only read at the start of executions that another source starts:
   * each execution builds the newest revision of every source.
   *
   * An ECR source always starts the pipeline (false is refused); a GitHub source that does not
   * start the pipeline takes no `triggers`.
   *
   * @default true
   */
  readonly triggersPipeline?: boolean;
}

/** CodeBuild takes at most 5 input artifacts per action: the pipeline's source and 4 more. */
export const MAX_ADDITIONAL_SOURCES = 4;

/** The prefix of an additional source's variables namespace (`SourceVariables_<name>`). */
const NAMESPACE_PREFIX = `${SOURCE_VARIABLES_NAMESPACE}_`;
/** CodePipeline namespaces are at most 100 characters: what is left for the name after the prefix. */
const MAX_NAME_LENGTH = 100 - NAMESPACE_PREFIX.length;
/** The pipeline's own artifacts, whose names an additional source may not take. */
const RESERVED_ARTIFACTS = [SOURCE_ACTION_NAME, 'BuildOutput'];

/**
 * Validates `additionalSources` and models each of them (the source itself through its
 * `_toModel`, as an additional source). Directories are compared with each other here; against
 * the pipeline's source they are checked when the build runs.
 */
export function additionalSourcesModel(v: Validator, raw: unknown, pipelineAccount: string, pipelineRegion: string): AdditionalSourceModel[] {
  if (raw === undefined) return [];
  const example = "Pass [{ name: 'Config', source: PipelineSource.gitHub({ repository: 'acme/shop-config', connectionArn }) }], or leave it out.";
  if (raw instanceof PipelineSource) {
    v.fail('additionalSources', 'must be an array of AdditionalSource', described('a single PipelineSource'),
      "Wrap it in an object with a name, in an array: [{ name: 'Config', source }].");
  }
  if (!Array.isArray(raw)) v.fail('additionalSources', 'must be an array of AdditionalSource', raw, example);
  if (raw.length > MAX_ADDITIONAL_SOURCES) {
    v.fail('additionalSources', `may hold at most ${MAX_ADDITIONAL_SOURCES} sources (a CodeBuild action takes at most 5 input artifacts: the pipeline's source and ${MAX_ADDITIONAL_SOURCES} more)`,
      described(`${raw.length} sources`), 'Combine repositories (a Git submodule, or one repository for shared configuration), or fetch the rest in the build commands.');
  }
  const models: AdditionalSourceModel[] = [];
  raw.forEach((item, i) => {
    const at = `additionalSources[${i}]`;
    if (item instanceof PipelineSource) {
      v.fail(at, 'must be an AdditionalSource', described('a PipelineSource'), "Wrap it in an object with a name: { name: 'Config', source }.");
    }
    v.requireObject(at, item, "Pass { name: 'Config', source: PipelineSource.gitHub({ ... }) }.");
    const given = item as AdditionalSource;
    const name = sourceName(v, `${at}.name`, given.name);
    const field = `${at} ('${name}')`;
    v.noMisspeltFields(field, item, 'AdditionalSource');
    const clash = [...RESERVED_ARTIFACTS, ...models.map(m => m.name)].find(n => n.toLowerCase() === name.toLowerCase());
    if (clash !== undefined) {
      const other = models.find(m => m.name === clash);
      v.fail(`${at}.name`, other
        ? `duplicates the name of ${other.field} (names of additional sources must be unique, ignoring case)`
        : `is the name of the pipeline's own ${clash === SOURCE_ACTION_NAME ? 'source action and artifact' : 'build output artifact'} '${clash}'`,
      name, "Give each additional source its own name, for example 'Config'.");
    }
    const directory = sourceDirectory(v, `${field}.directory`, given.directory, name);
    for (const m of models) {
      const inside = (a: string, b: string) => a.startsWith(`${b}/`);
      if (m.directory === directory || inside(directory, m.directory) || inside(m.directory, directory)) {
        v.fail(`${field}.directory`, m.directory === directory
          ? `is also the directory of ${m.field} (each additional source needs a directory of its own)`
          : `${inside(directory, m.directory) ? 'is inside' : 'contains'} the directory '${m.directory}' of ${m.field} (one source's files would land in the other's)`,
        directory, `Give the sources separate directories, for example '${directory.split('/')[0]}-${i + 1}'.`);
      }
    }
    const triggersPipeline = v.optionalBoolean(`${field}.triggersPipeline`, given.triggersPipeline) ?? true;
    if (!(given.source instanceof PipelineSource)) {
      v.fail(`${field}.source`, 'must be a PipelineSource', given.source,
        "Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().");
    }
    requireFactoryMade(v, `${field}.source`, given.source, 'PipelineSource');
    const variablesNamespace = `${NAMESPACE_PREFIX}${name}`;
    const source = given.source._toModel({ validator: v, field: `${field}.source`, pipelineAccount, pipelineRegion },
      { actionName: name, variablesNamespace, triggersPipeline, additionalField: field });
    models.push({ name, directory, triggersPipeline, variablesNamespace, source, field });
  });
  return models;
}

function sourceName(v: Validator, field: string, value: unknown): string {
  const fix = `Use 1 to ${MAX_NAME_LENGTH} letters, digits and underscores, for example 'Config' or 'DeployScripts'.`;
  v.requireString(field, value, fix);
  const name = value as string;
  if (isToken(name)) v.fail(field, 'must be a literal (it names the source action and its artifact at synth time)', name, 'Pass a plain string, not a token.');
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    v.fail(field, 'may only hold letters, digits and underscores (it names the source action, its artifact, whose directory the build '
      + 'reads from $CODEBUILD_SRC_DIR_<name>, and its variables namespace)', name, fix);
  }
  if (name.length > MAX_NAME_LENGTH) {
    v.fail(field, `must be at most ${MAX_NAME_LENGTH} characters (its variables namespace ${NAMESPACE_PREFIX}<name> may be 100)`, name, fix);
  }
  return name;
}

function sourceDirectory(v: Validator, field: string, value: unknown, name: string): string {
  if (value === undefined) return name;
  const fix = "Pass a path relative to the pipeline's source, such as 'config' or 'vendor/shop-lib'.";
  v.requireString(field, value, fix);
  const directory = value as string;
  if (isToken(directory)) v.fail(field, 'must be a literal (the buildspec places the source there at synth time)', directory, 'Pass a plain string, not a token.');
  if (directory.startsWith('/')) v.fail(field, "must be relative to the pipeline's source, not absolute", directory, fix);
  const segments = directory.split('/');
  if (segments.some(s => s === '..')) v.fail(field, "must stay inside the pipeline's source (no '..')", directory, fix);
  if (segments.some(s => s === '' || s === '.')) v.fail(field, "must not have empty or '.' segments", directory, fix);
  if (!segments.every(s => /^[A-Za-z0-9._-]+$/.test(s))) {
    v.fail(field, "may only hold letters, digits, '.', '_', '-' and '/' between segments", directory, fix);
  }
  const dashed = segments.find(s => s.startsWith('-'));
  if (dashed !== undefined) {
    v.fail(field, `has a segment that starts with '-' ('${dashed}'), which the commands that place the source (mkdir, ln) and the build's own commands `
      + 'would read as an option', directory, `Start each segment with a letter, digit, '.' or '_', for example '${segments.map(s => s.replace(/^-+/, '') || 'dir').join('/')}'.`);
  }
  return directory;
}

/**
 * Quotes a validated directory for sh (letters, digits, `._-/` only, so single quotes are enough;
 * no segment starts with '-', so no command reads it as an option).
 */
function quoted(directory: string): string {
  return `'${directory}'`;
}

/**
 * The buildspec commands that place each additional source at its directory, before the install
 * commands: a symbolic link to the directory CodeBuild extracted the artifact to
 * (`$CODEBUILD_SRC_DIR_<name>`), refused when the pipeline's source already has that path.
 */
export function placeAdditionalSources(inputs: Pick<AdditionalInput, 'name' | 'directory'>[]): string[] {
  return inputs.flatMap(({ name, directory }) => {
    const parent = directory.includes('/') ? directory.slice(0, directory.lastIndexOf('/')) : undefined;
    return [
      `if [ -e ${quoted(directory)} ] || [ -L ${quoted(directory)} ]; then echo "additionalSources: '${directory}' exists in the pipeline's source; `
        + `give the additional source '${name}' another directory" >&2; exit 1; fi`,
      ...(parent ? [`mkdir -p ${quoted(parent)}`] : []),
      `ln -s "$CODEBUILD_SRC_DIR_${name}" ${quoted(directory)}`,
    ];
  });
}
