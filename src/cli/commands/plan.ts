import * as fs from 'fs';
import * as path from 'path';
import type { PlanAction, PlanAdditionalSource, PlanDocument, PlanEnvironment } from '../../model/plan-document';
import { BUILD_STAGE, SELF_UPDATE_STAGE } from '../../model/stage-names';
import { CliError, ExitCode, usageError } from '../errors';
import { escapeHtml, htmlPage } from '../html';
import { CliIo, println, writeOutFile } from '../io';
import { safeText } from '../terminal';

/** The metadata type under which the constructs store a plan (same value as PLAN_METADATA_TYPE). */
const PLAN_TYPE = 'cdk-delivery-pipeline:plan';
const NESTED_ASSEMBLY_TYPE = 'cdk:cloud-assembly';
const STACK_TYPE = 'aws:cloudformation:stack';
const TREE_TYPE = 'cdk:tree';

export const PLAN_FORMATS = ['text', 'json', 'mermaid', 'html'];

/** The kind of the action that updates the pipeline's own stack (stage UpdatePipeline, `selfUpdate: true`). */
const SELF_UPDATE_KIND = 'cloudformation-self-update';

export interface PlanOptions {
  readonly dir?: string;
  readonly format?: string;
  readonly out?: string;
  readonly json?: boolean;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly displayName?: string;
  readonly properties?: { directoryName?: string; stackName?: string };
  readonly metadata?: Record<string, { type?: string; data?: unknown }[]>;
  /** aws-cdk-lib 2.2xx writes stack metadata to a file beside the manifest instead of inline. */
  readonly additionalMetadataFile?: string;
}

type MetadataMap = Record<string, { type?: string; data?: unknown }[]>;

function readJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, ExitCode.USAGE);
  }
}

/** The plan format version this CLI reads (same value as PLAN_FORMAT_VERSION). */
const FORMAT_VERSION = '1';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is wrong with a value found at path `at` of a plan document (undefined when it is fine). */
type Check = (v: unknown, at: string) => string | undefined;
const missing = (check: Check): Check => (v, at) => (v === undefined || v === null ? `${at} is missing` : check(v, at));
const optional = (check: Check): Check => (v, at) => (v === undefined ? undefined : check(v, at));
const str: Check = missing((v, at) => (typeof v === 'string' ? undefined : `${at} must be a string`));
const strings: Check = missing((v, at) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : `${at} must be an array of strings`));
const bool: Check = missing((v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false`));
const shape = (fields: Record<string, Check>): Check => missing((v, at) => {
  if (!isObject(v)) return `${at} must be an object`;
  for (const [key, check] of Object.entries(fields)) {
    const problem = check(v[key], at ? `${at}.${key}` : key);
    if (problem) return problem;
  }
  return undefined;
});
const arrayOf = (item: Check): Check => missing((v, at) => {
  if (!Array.isArray(v)) return `${at} must be an array`;
  for (let i = 0; i < v.length; i++) {
    const problem = item(v[i], `${at}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
});
const action = shape({ name: str, summary: str, details: strings });
/** The fields the renderers read (format 1). */
const PLAN_FIELDS = shape({
  constructPath: str,
  pipelineName: optional(str),
  // added in format 1: absent from older plans
  pipelineNameUnresolved: optional(bool),
  stackName: optional(str),
  releaseMode: str,
  releaseModeDescription: str,
  executionMode: str,
  source: shape({ kind: str, summary: str, triggers: strings }),
  // added in format 1: absent from older plans and from pipelines without additional sources
  additionalSources: optional(arrayOf(shape({ name: str, kind: str, summary: str, triggers: strings, directory: str, triggersPipeline: bool }))),
  buildStep: action,
  checks: arrayOf(action),
  environments: arrayOf(shape({
    name: str,
    stageName: str,
    // alarms: added in format 1, absent from older plans
    gates: arrayOf(shape({ kind: str, summary: str, alarms: optional(strings) })),
    // gradual: added in format 1, absent from older plans
    deployments: arrayOf(shape({
      name: str,
      summary: str,
      details: strings,
      gradual: optional(bool),
      // added in format 1: absent from older plans and for every other deployment
      runsBeforeDeployments: optional(bool),
      runsAfterDeployments: optional(bool),
      account: optional(str),
      region: optional(str),
      accountUnresolved: optional(bool),
    })),
    verification: arrayOf(action),
  })),
  stages: optional(arrayOf(shape({ name: str, actions: arrayOf(shape({ name: str })) }))),
  notifications: optional(shape({ events: strings, targets: strings })),
});

/**
 * Checks one plan document: format version "1" and the fields the renderers read. Throws a one-line
 * usage error (exit 2) naming the construct path and what is wrong.
 */
function checkPlan(data: unknown, metadataPath: string, file: string): PlanDocument {
  const construct = isObject(data) && typeof data.constructPath === 'string' ? data.constructPath : metadataPath.replace(/^\//, '');
  const fail = (what: string) => new CliError(`the plan of '${construct}' in ${file} ${what}`, ExitCode.USAGE);
  if (!isObject(data)) throw fail('is not an object');
  const version = data.formatVersion;
  if (version !== FORMAT_VERSION) {
    if (typeof version === 'string' && /^\d+$/.test(version) && Number(version) > Number(FORMAT_VERSION)) {
      throw fail(`was written by a newer cdk-delivery-pipeline (plan format ${version}; this CLI reads format ${FORMAT_VERSION}): upgrade the CLI`);
    }
    const unknown = typeof version === 'number' ? `a formatVersion that is the number ${version}, not the string "${version}"`
      : `an unknown formatVersion ${JSON.stringify(version)}`;
    throw fail(`has ${version === undefined ? 'no formatVersion' : unknown} (this CLI reads format ${FORMAT_VERSION})`);
  }
  const problem = PLAN_FIELDS(data, '');
  if (problem) throw fail(`is malformed: ${problem}`);
  return data as unknown as PlanDocument;
}

/** The stack artifact a plan was read from. */
export interface PlanStack {
  /** Unique in the cloud assembly: the artifact id, after the nested assembly's directory when in one (`assembly-Prod/ProdPipeline`). */
  readonly key: string;
  /** The artifact's display name (`Prod/ProdPipeline`), else its id. */
  readonly name: string;
  /** The CloudFormation stack's name: `properties.stackName`, else the artifact id (the manifest leaves it out when they are equal). */
  readonly stackName?: string;
}

const STACKS = new WeakMap<PlanDocument, PlanStack>();

/** The stack artifact `loadPlans` read a plan from; undefined for a plan read from a file (`plan --format json` does not record it). */
export function stackOfPlan(plan: PlanDocument): PlanStack | undefined {
  return STACKS.get(plan);
}

/** A stack artifact of the assembly, by the construct path of its stack. */
interface AssemblyStack {
  /** The stack's construct path (the artifact's display name). */
  readonly path: string;
  readonly stackName: string;
}

/** What `readAssembly` finds in a cloud assembly and its nested assemblies. */
interface AssemblyContents {
  readonly plans: PlanDocument[];
  readonly stacks: AssemblyStack[];
  /** The construct tree's file (the root manifest's `cdk:tree` artifact), absent when the app wrote none (`treeMetadata: false`). */
  readonly treeFile?: string;
}

function readAssembly(dir: string): AssemblyContents {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new CliError(`no cloud assembly in '${dir}': ${manifestPath} not found; run 'cdk synth' first or pass the cdk.out directory`, ExitCode.NOT_FOUND);
  }
  const plans: PlanDocument[] = [];
  const stacks: AssemblyStack[] = [];
  let treeFile: string | undefined;
  const seen = new Set<string>();
  const visit = (assemblyDir: string, depth: number) => {
    const real = path.resolve(assemblyDir);
    if (seen.has(real) || depth > 10) return;
    seen.add(real);
    const file = path.join(assemblyDir, 'manifest.json');
    if (!fs.existsSync(file)) return;
    const manifest = readJson<unknown>(file);
    if (!isObject(manifest)) {
      throw new CliError(`cannot read ${file}: not a cloud assembly manifest (expected a JSON object)`, ExitCode.USAGE);
    }
    const artifacts = isObject(manifest.artifacts) ? manifest.artifacts : {};
    const nested = path.relative(dir, assemblyDir).split(path.sep).filter(Boolean).join('/');
    for (const [artifactId, value] of Object.entries(artifacts)) {
      if (!isObject(value)) continue;
      const artifact = value as ManifestArtifact;
      const stack: PlanStack = {
        key: nested ? `${nested}/${artifactId}` : artifactId,
        name: typeof artifact.displayName === 'string' && artifact.displayName ? artifact.displayName : artifactId,
        ...(artifact.type === STACK_TYPE
          ? { stackName: typeof artifact.properties?.stackName === 'string' && artifact.properties.stackName ? artifact.properties.stackName : artifactId }
          : {}),
      };
      if (stack.stackName !== undefined && typeof artifact.displayName === 'string' && artifact.displayName) {
        stacks.push({ path: artifact.displayName, stackName: stack.stackName });
      }
      const treeProperty = (artifact.properties as { file?: unknown } | undefined)?.file;
      if (depth === 0 && artifact.type === TREE_TYPE && typeof treeProperty === 'string' && treeProperty) {
        treeFile = path.join(assemblyDir, treeProperty);
      }
      // the metadata of CDK itself: anything that is not a map of arrays is skipped, not a crash
      const metadata: { map: MetadataMap; file: string }[] = [];
      if (isObject(artifact.metadata)) metadata.push({ map: artifact.metadata, file });
      if (typeof artifact.additionalMetadataFile === 'string') {
        const extra = path.join(assemblyDir, artifact.additionalMetadataFile);
        if (fs.existsSync(extra)) {
          const content = readJson<unknown>(extra);
          if (isObject(content)) metadata.push({ map: content as MetadataMap, file: extra });
        }
      }
      for (const { map, file: source } of metadata) {
        for (const [metadataPath, entries] of Object.entries(map)) {
          if (!Array.isArray(entries)) continue;
          for (const entry of entries) {
            if (isObject(entry) && entry.type === PLAN_TYPE) {
              const plan = checkPlan(entry.data, metadataPath, source);
              STACKS.set(plan, stack);
              plans.push(plan);
            }
          }
        }
      }
      const directoryName = artifact.properties?.directoryName;
      if (artifact.type === NESTED_ASSEMBLY_TYPE && typeof directoryName === 'string' && directoryName) {
        visit(path.join(assemblyDir, directoryName), depth + 1);
      }
    }
  };
  visit(dir, 0);
  return { plans, stacks, treeFile };
}

/** A CodePipeline pipeline of the assembly that no DeliveryPipeline made, found in its construct tree. */
export interface OtherPipeline {
  /** `cdk-pipelines`: a `pipelines.CodePipeline`; `codepipeline`: a `codepipeline.Pipeline`, or an `AWS::CodePipeline::Pipeline` resource, made otherwise. */
  readonly kind: 'cdk-pipelines' | 'codepipeline';
  /** Its class, as an app imports it: `pipelines.CodePipeline`, `codepipeline.Pipeline`, `codepipeline.CfnPipeline`. */
  readonly construct: string;
  /** Its construct path (`PipelineStack/Pipeline`). */
  readonly path: string;
  /** The CloudFormation name of its stack, when the manifest names it. */
  readonly stackName?: string;
}

interface TreeNode {
  readonly id?: unknown;
  readonly path?: unknown;
  readonly children?: unknown;
  readonly constructInfo?: { fqn?: unknown };
  readonly attributes?: Record<string, unknown>;
  /** A subtree written to another file (aws-cdk-lib splits trees of more than `@aws-cdk/core.TreeMetadata:maxNodes` nodes). */
  readonly fileName?: unknown;
  readonly treeId?: unknown;
}

/**
 * The construct tree of the app, its subtrees in other files read as they are reached; undefined
 * when the file is absent or unreadable (a missing subtree file only cuts that subtree off).
 */
function treeReader(treeFile: string): { root: TreeNode; resolve: (node: TreeNode) => TreeNode | undefined } | undefined {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const main = read(treeFile);
  if (!isObject(main) || !isObject(main.tree)) return undefined;
  const forests = new Map<string, unknown>();
  const resolve = (node: TreeNode): TreeNode | undefined => {
    if (typeof node.fileName !== 'string') return node;
    const file = path.join(path.dirname(treeFile), node.fileName);
    if (!forests.has(file)) forests.set(file, read(file));
    const content = forests.get(file);
    if (!isObject(content)) return undefined;
    const sub = typeof node.treeId === 'string' && isObject(content.forest) ? content.forest[node.treeId] : content.tree;
    return isObject(sub) && typeof sub.fileName !== 'string' ? sub as TreeNode : undefined;
  };
  return { root: main.tree as TreeNode, resolve };
}

const CDK_PIPELINES_FQN = 'aws-cdk-lib.pipelines.CodePipeline';
const CODEPIPELINE_FQN = 'aws-cdk-lib.aws_codepipeline.Pipeline';

/**
 * The pipelines of an assembly that no DeliveryPipeline made, from its construct tree (`tree.json`):
 * CDK Pipelines' `pipelines.CodePipeline`, and CodePipeline pipelines made otherwise (a
 * `codepipeline.Pipeline`, or an `AWS::CodePipeline::Pipeline` resource outside one). What a
 * pipeline holds is not searched (the `codepipeline.Pipeline` inside a `pipelines.CodePipeline`). A `codepipeline.Pipeline` in a stack whose `pipelines.CodePipeline`
 * has none of its own is the one it was given (`codePipeline`), not another. Undefined when the
 * assembly has no readable construct tree.
 */
function otherPipelines(contents: AssemblyContents): OtherPipeline[] | undefined {
  if (!contents.treeFile) return undefined;
  const tree = treeReader(contents.treeFile);
  if (!tree) return undefined;
  const stackNames = new Map(contents.stacks.map((s) => [s.path, s.stackName]));
  const found: { pipeline: OtherPipeline; stack?: string }[] = [];
  /** Construct paths of the stacks holding a `pipelines.CodePipeline` built on a `codepipeline.Pipeline` given to it. */
  const givenPipeline = new Set<string>();
  const pending: { node: TreeNode; stack?: string }[] = [{ node: tree.root }];
  let visited = 0;
  while (pending.length > 0 && visited++ < 5_000_000) {
    const { node: reference, stack: inStack } = pending.pop()!;
    const node = tree.resolve(reference);
    if (!node || typeof node.path !== 'string') continue;
    const fqn = typeof node.constructInfo?.fqn === 'string' ? node.constructInfo.fqn : '';
    const stack = stackNames.has(node.path) ? node.path : inStack;
    const stackName = stack === undefined ? undefined : stackNames.get(stack);
    const at = { path: node.path, ...(stackName !== undefined ? { stackName } : {}) };
    const children = isObject(node.children) ? Object.values(node.children).filter(isObject) as TreeNode[] : [];
    if (fqn === CDK_PIPELINES_FQN) {
      found.push({ pipeline: { kind: 'cdk-pipelines', construct: 'pipelines.CodePipeline', ...at }, stack });
      // its own is its child `Pipeline` (written to another file, a reference to it)
      const own = children.some((c) => c.constructInfo?.fqn === CODEPIPELINE_FQN || (typeof c.fileName === 'string' && c.id === 'Pipeline'));
      if (!own && stack !== undefined) givenPipeline.add(stack);
      continue;
    }
    const construct = fqn === CODEPIPELINE_FQN ? 'codepipeline.Pipeline'
      : node.attributes?.['aws:cdk:cloudformation:type'] === 'AWS::CodePipeline::Pipeline' ? 'codepipeline.CfnPipeline' : undefined;
    if (construct) {
      found.push({ pipeline: { kind: 'codepipeline', construct, ...at }, stack });
      continue;
    }
    // depth first, in the tree's order
    for (let i = children.length - 1; i >= 0; i--) pending.push({ node: children[i], stack });
  }
  return found
    .filter((f) => !(f.pipeline.kind === 'codepipeline' && f.stack !== undefined && givenPipeline.has(f.stack)))
    .map((f) => f.pipeline);
}

/** How many pipelines the message names; it counts the others. */
const PIPELINES_NAMED = 3;

/**
 * Where the migration guide is: shipped in the package (`docs/` beside `lib/`, as `src/` in the
 * repository), named relative to the working directory when it is below it
 * (`node_modules/cdk-delivery-pipeline/docs/...` in an app), else by its absolute path.
 */
export function migrationGuidePath(): string {
  const guide = path.resolve(__dirname, '..', '..', '..', 'docs', 'migrating-from-cdk-pipelines.md');
  const relative = path.relative(process.cwd(), guide);
  return relative.startsWith('..') || path.isAbsolute(relative) ? guide : relative;
}

/**
 * Why an assembly without plan documents has none, when its construct tree says: the pipelines it
 * holds that no DeliveryPipeline made, and what to do (`stack 'ShopPipeline' holds a CDK Pipelines
 * pipeline (pipelines.CodePipeline at ShopPipeline/Pipeline), which writes no plan for cdk-delivery
 * to read; docs/migrating-from-cdk-pipelines.md shows how to move it to DeliveryPipeline`), the
 * guide named where it is installed (`migrationGuidePath`).
 */
export function describeOtherPipelines(found: OtherPipeline[]): string {
  const one = (p: OtherPipeline) => `${p.stackName !== undefined ? `stack '${p.stackName}'` : 'the app'} holds `
    + (p.kind === 'cdk-pipelines'
      ? `a CDK Pipelines pipeline (${p.construct} at ${p.path})`
      : `a CodePipeline pipeline not made with DeliveryPipeline (${p.construct} at ${p.path})`);
  const named = found.slice(0, PIPELINES_NAMED).map(one);
  const more = found.length - named.length;
  if (more > 0) named.push(`${more} more ${more === 1 ? 'pipeline' : 'pipelines'} not made with DeliveryPipeline`);
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  const single = found.length === 1;
  const cdkPipelines = found.filter((p) => p.kind === 'cdk-pipelines').length;
  const todo = cdkPipelines === found.length
    ? `${migrationGuidePath()} shows how to move ${single ? 'it' : 'them'} to DeliveryPipeline`
    : cdkPipelines === 0
      ? `define ${single ? 'it' : 'them'} with DeliveryPipeline to see ${single ? 'its' : 'their'} plan`
      : `move them to DeliveryPipeline (${migrationGuidePath()} shows how for CDK Pipelines)`;
  return `${list}, which ${single ? 'writes' : 'write'} no plan for cdk-delivery to read; ${todo}`;
}

/**
 * Why the cloud assembly `source` holds no plan document, when its construct tree says (see
 * `describeOtherPipelines`); undefined for a plan file, an assembly without a readable tree, or
 * one whose tree holds no other pipeline either.
 */
export function whyNoPlan(source: string): string | undefined {
  try {
    if (!fs.statSync(source).isDirectory()) return undefined;
    const found = otherPipelines(readAssembly(source));
    return found && found.length > 0 ? describeOtherPipelines(found) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every plan document of a cloud assembly, nested assemblies included. */
export function loadPlans(dir: string, allowNone = false): PlanDocument[] {
  const contents = readAssembly(dir);
  if (contents.plans.length === 0 && !allowNone) {
    const found = otherPipelines(contents);
    const why = found && found.length > 0 ? describeOtherPipelines(found) : `no '${PLAN_TYPE}' metadata in its stacks`;
    throw new CliError(`no delivery pipeline in '${dir}': ${why}`, ExitCode.NOT_FOUND);
  }
  return contents.plans;
}

/**
 * Reads the plan documents of `source`: a cloud assembly directory (as `loadPlans`), or a file that
 * `cdk-delivery plan --format json` wrote (an array of plan documents; a single plan document is
 * read too). Each document is checked as in an assembly; the errors and exit codes are `loadPlans`'s.
 * A path ending in `.json` that does not exist is a plan file not found (exit 3). With `allowNone`,
 * an assembly without a pipeline, or an empty array, is no plan rather than an error (`diff`: the
 * main branch before a pipeline is added).
 */
export function loadPlanSource(source: string, allowNone = false): PlanDocument[] {
  let isFile = false;
  try {
    isFile = fs.statSync(source).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code === 'ENOENT' || code === 'ENOTDIR') && /\.json$/i.test(source)) {
      throw new CliError(`plan file '${source}' not found: pass a cloud assembly directory (such as cdk.out), `
        + "or a file that 'cdk-delivery plan --format json --out <file>' wrote", ExitCode.NOT_FOUND);
    }
    // absent: loadPlans says that there is no cloud assembly there (exit 3)
  }
  if (!isFile) return loadPlans(source, allowNone);
  const content = readJson<unknown>(source);
  const documents = Array.isArray(content) ? content : [content];
  if (!Array.isArray(content) && !(isObject(content) && 'formatVersion' in content)) {
    throw new CliError(`cannot read ${source}: not a plan (expected the JSON array that 'cdk-delivery plan --format json' writes, or a cloud assembly directory)`,
      ExitCode.USAGE);
  }
  const plans = documents.map((data, i) => checkPlan(data, `[${i}]`, source));
  if (plans.length === 0 && !allowNone) {
    throw new CliError(`no delivery pipeline in '${source}': the array of plan documents is empty`, ExitCode.NOT_FOUND);
  }
  return plans;
}

function modeLine(plan: PlanDocument): string {
  return `${plan.releaseModeDescription}${plan.releaseModeDefaulted ? ' (release mode not configured: chosen by default)' : ''}`;
}

function where(x: { account?: string; region?: string }): string {
  const parts = [x.account && `account ${x.account}`, x.region && `region ${x.region}`].filter(Boolean);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

function actionLine(a: PlanAction): string {
  return `${a.name}: ${a.summary}`;
}

/**
 * The details of a check or verification test (IAM, network, variables, logins), without the
 * command lines its summary already shows (`tests: bash scripts/smoke.sh`, all of them when there
 * are several: `commands: npm ci && npm run lint`).
 */
function checkDetails(a: PlanAction): string[] {
  const details = a.details ?? [];
  // the summary ends with every command, joined by ' && ' (`commands: npm ci && npm run lint`)
  const commands = details.filter(d => d.startsWith('run: ')).map(d => d.slice('run: '.length));
  const shown = commands.length > 0 && a.summary.endsWith(commands.join(' && '));
  return details.filter(d => !(shown && d.startsWith('run: ')));
}

/**
 * Where a deployment goes when it is not its environment's account or region (the plan gives them
 * then), unless its summary says so already: a release manager reads the line, not the JSON.
 */
function deploymentWhere(d: PlanAction): string {
  const parts = [
    d.account && !d.summary.includes(d.account) ? `account ${d.account}` : undefined,
    d.accountUnresolved ? 'account unknown at synth' : undefined,
    d.region && !d.summary.includes(d.region) ? `region ${d.region}` : undefined,
  ].filter(Boolean);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** An additional source in one line: where the build finds it and whether a change to it starts the pipeline. */
function additionalSourceLine(a: PlanAdditionalSource): string {
  const starts = a.triggersPipeline ? `starts the pipeline${a.triggers.length ? `: ${a.triggers.join('; ')}` : ''}` : 'does not start the pipeline';
  return `${a.name}: ${a.kind} ${a.summary}, in the build at ${a.directory}/; ${starts}`;
}

/**
 * The pipeline as every format names it: `shop-delivery (ShopPipeline/Shop)`; by its construct
 * path when CloudFormation generates its name, and saying so when the name is a token
 * (`ShopPipeline/Shop (pipeline name set at deploy time)`).
 */
function titleOf(plan: PlanDocument): string {
  if (plan.pipelineName) return `${plan.pipelineName} (${plan.constructPath})`;
  return `${plan.constructPath}${plan.pipelineNameUnresolved === true ? ' (pipeline name set at deploy time)' : ''}`;
}

/**
 * The gates of an environment in the order they act: `before` the deployments (deployment window,
 * entry alarms, approval) and `after` them (alarms watched for a bake time, kind `bake-alarms`,
 * checked once the deployments and verification are done).
 */
/** Deployment kinds that create a change set, executed after the environment's change-set review. */
const CHANGE_SET_KINDS = ['cloudformation', 'cdk-stage'];

/** The first detail line of a script with runAfterDeployments, which plans before `runsAfterDeployments` carry alone. */
const AFTER_DEPLOYMENTS_DETAIL = "after the environment's other deployments";

/**
 * An environment's deployments in the order they run: scripts with runBeforeDeployments, then the
 * others in parallel, then scripts with runAfterDeployments.
 */
function deploymentPhases(env: PlanEnvironment): { first: PlanAction[]; parallel: PlanAction[]; last: PlanAction[] } {
  const after = (d: PlanAction) => d.runsAfterDeployments ?? d.details[0] === AFTER_DEPLOYMENTS_DETAIL;
  return {
    first: env.deployments.filter((d) => d.runsBeforeDeployments),
    parallel: env.deployments.filter((d) => !d.runsBeforeDeployments && !after(d)),
    last: env.deployments.filter((d) => !d.runsBeforeDeployments && after(d)),
  };
}

function splitGates(env: PlanEnvironment): { before: PlanEnvironment['gates']; after: PlanEnvironment['gates'] } {
  return {
    before: env.gates.filter(g => g.kind !== 'bake-alarms'),
    after: env.gates.filter(g => g.kind === 'bake-alarms'),
  };
}

/**
 * True when a gate added by default must be marked as such: the summaries the constructs write
 * already say so (" — added by default (continuous delivery)"), older ones do not.
 */
function markDefault(g: PlanEnvironment['gates'][number]): boolean {
  return !!g.addedByDefault && !/added by default/i.test(g.summary);
}

/** A gate's summary, marked when the pipeline added it by default (once). */
function gateLabel(g: PlanEnvironment['gates'][number]): string {
  return `${g.summary}${markDefault(g) ? ' (added by default)' : ''}`;
}

/**
 * Who is told about what, for every format: `failed, succeeded → SNS topic`. Undefined when the
 * pipeline sends no notifications (or the plan predates the field).
 */
function notificationsLine(plan: PlanDocument): string | undefined {
  const n = plan.notifications;
  if (!n || !Array.isArray(n.events) || !Array.isArray(n.targets)) return undefined;
  const events = n.events.map(e => String(e).toLowerCase().replace(/_/g, ' ')).join(', ');
  const targets = n.targets.map(t => (t === 'sns' ? 'SNS topic' : t === 'slack' ? 'Slack channel' : String(t))).join(', ');
  return `${events} → ${targets}`;
}

/** How long the CodeBuild logs are kept, when they expire: `kept 365 days`. */
function logRetentionLine(plan: PlanDocument): string | undefined {
  return plan.logRetentionDays !== undefined ? `kept ${plan.logRetentionDays} days` : undefined;
}

/** One pipeline as an indented flow. */
export function renderPlanText(plan: PlanDocument): string {
  const out: string[] = [];
  const arrow = '   │\n   ▼';
  out.push(`Pipeline ${titleOf(plan)}${where(plan)}`);
  out.push(`  Release mode: ${plan.releaseMode.toLowerCase().replace(/_/g, ' ')} — ${modeLine(plan)}`);
  out.push(`  Execution mode: ${plan.executionMode}`);
  const notifications = notificationsLine(plan);
  if (notifications) out.push(`  Notifications: ${notifications}`);
  const logs = logRetentionLine(plan);
  if (logs) out.push(`  Build logs: ${logs}`);
  out.push('');
  out.push(`Source  ${plan.source.kind} ${plan.source.summary}${plan.source.triggers.length ? ` (${plan.source.triggers.join('; ')})` : ''}`);
  for (const a of plan.additionalSources ?? []) out.push(`        + ${additionalSourceLine(a)}`);
  out.push(arrow);
  out.push(`Build   ${actionLine(plan.buildStep)}`);
  for (const d of plan.buildStep.details) out.push(`          ${d}`);
  // the one action that publishes the CDK stages' assets: after the build, after the pipeline updated
  // itself, or beside the checks
  const assets = assetsAction(plan);
  const assetsLine = assets ? `${assets.name}: ${ASSETS_SUMMARY}` : undefined;
  const placement = assetsPlacement(plan);
  if (placement === 'build') out.push(`          then ${assetsLine}`);
  const selfUpdate = selfUpdateStage(plan);
  if (selfUpdate) {
    out.push(arrow);
    const updating = selfUpdate.actions.filter(a => a.kind !== 'asset-publishing').map(a => a.name).join(', ') || 'SelfMutate';
    out.push(`Update  ${selfUpdate.name}: ${updating} deploys the pipeline's own stack from the build's cloud assembly, then restarts the execution with the updated pipeline (selfUpdate)`);
    if (placement === 'self-update') out.push(`          then ${assetsLine} (with the updated pipeline)`);
  }
  if (plan.checks.length) {
    out.push(arrow);
    out.push('Checks  (in parallel; each blocks the pipeline on failure)');
    for (const c of plan.checks) {
      out.push(`          • ${actionLine(c)}`);
      for (const d of checkDetails(c)) out.push(`            ${d}`);
    }
    if (placement === 'checks') out.push(`          • ${assetsLine}`);
  }
  for (const env of plan.environments) {
    out.push(arrow);
    out.push(...renderEnvironmentText(env));
  }
  const nowhere = deploysNowhere(plan);
  if (nowhere) {
    out.push(arrow);
    out.push(`Deploy  nowhere: ${nowhere}`);
  }
  return out.join('\n');
}

/**
 * Why a continuous delivery or deployment pipeline without environments deploys nothing, in words
 * (undefined for one with environments, or a continuous integration pipeline, whose mode says it
 * releases nothing).
 */
function deploysNowhere(plan: PlanDocument): string | undefined {
  if (plan.environments.length > 0 || plan.releaseMode === 'CONTINUOUS_INTEGRATION') return undefined;
  return 'the pipeline has no environments, so it builds and checks every change and deploys it to no account. '
    + "Add environments: [{ name: 'staging', deployments: [...] }] to deliver the build.";
}

const ASSETS_SUMMARY = 'publishes the file and image assets of every CDK stage, once per execution';

/** The one action that publishes the CDK stages' assets (after the build or the self-update, or beside the checks), if any. */
function assetsAction(plan: PlanDocument) {
  return (plan.stages ?? []).flatMap(st => st.actions.filter(a => a.kind === 'asset-publishing'))[0];
}

/**
 * Where the assets are published, read from the stage that holds the action: in the Build stage
 * after the build, in the UpdatePipeline stage after SelfMutate (selfUpdate without checks), or in
 * the Checks stage beside the checks.
 */
function assetsPlacement(plan: PlanDocument): 'build' | 'self-update' | 'checks' | undefined {
  const stage = (plan.stages ?? []).find(st => st.actions.some(a => a.kind === 'asset-publishing'));
  if (!stage) return undefined;
  if (stage === selfUpdateStage(plan)) return 'self-update';
  return plan.checks.length > 0 && stage.name !== BUILD_STAGE ? 'checks' : 'build';
}

/** `selfUpdate: true`: the stage after the build (before the checks) that updates the pipeline itself. */
function selfUpdateStage(plan: PlanDocument) {
  return (plan.stages ?? []).find(st => st.name === SELF_UPDATE_STAGE || st.actions.some(a => a.kind === SELF_UPDATE_KIND));
}

function renderEnvironmentText(env: PlanEnvironment): string[] {
  const out: string[] = [];
  out.push(`${env.name}${env.production ? ' (production)' : ''}${env.stageName !== env.name ? ` — stage ${env.stageName}` : ''}${where(env)}`);
  // gates after the deployments (alarms watched for a bake time) are shown after verification
  const { before, after } = splitGates(env);
  if (before.length === 0) {
    out.push('          gates: none (entered automatically)');
  }
  for (const g of before) {
    out.push(`          gate: ${gateLabel(g)}`);
  }
  // scripts that run before or after the others say so in their details
  out.push(`          deploy${deploymentPhases(env).parallel.length > 1 ? ' (in parallel)' : ''}:`);
  for (const d of env.deployments) {
    out.push(`            • ${actionLine(d)}${deploymentWhere(d)}`);
    // what each deployment does in detail (stacks and their order, assets, roles, CodeDeploy rollouts)
    for (const detail of d.details) out.push(`              ${detail}`);
  }
  if (env.verification.length) {
    out.push('          then verify:');
    for (const v of env.verification) {
      out.push(`            • ${actionLine(v)}`);
      for (const d of checkDetails(v)) out.push(`              ${d}`);
    }
  } else if (env.unverifiedAcknowledged) {
    out.push('          no automated verification (acknowledged)');
  }
  for (const g of after) out.push(`          then ${g.summary}`);
  if (env.onFailure) out.push(`          on failure: ${env.onFailure}`);
  return out;
}

/**
 * A quoted Mermaid label: `#` first (Mermaid reads `#...;` as an entity code), then `"`, `<`, `>` and
 * the backtick (`"` then a backtick opens a Markdown string) as entity codes.
 */
function mermaidLabel(text: string): string {
  // a backtick right after the opening quote would make the label a Markdown string
  const codes: Record<string, string> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '`': '#96;' };
  return `"${text.replace(/[#"<>`]/g, (c) => codes[c])}"`;
}

/** One `flowchart LR` diagram for all pipelines. */
export function renderPlanMermaid(plans: PlanDocument[]): string {
  const lines = ['flowchart LR'];
  plans.forEach((plan, p) => {
    const id = (s: string) => `p${p}_${s.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const notifications = notificationsLine(plan);
    const logs = logRetentionLine(plan);
    const title = `${titleOf(plan)}: ${plan.releaseMode.toLowerCase().replace(/_/g, ' ')}${notifications ? `; notifications: ${notifications}` : ''}`
      + `${logs ? `; build logs: ${logs}` : ''}`;
    lines.push(`  subgraph ${id('pipeline')}[${mermaidLabel(title)}]`);
    lines.push('    direction LR');
    lines.push(`    ${id('source')}[${mermaidLabel(`Source: ${plan.source.kind} ${plan.source.summary}`)}]`);
    lines.push(`    ${id('build')}[${mermaidLabel(`Build: ${plan.buildStep.name}`)}]`);
    lines.push(`    ${id('source')} --> ${id('build')}`);
    (plan.additionalSources ?? []).forEach((a, i) => {
      const starts = a.triggersPipeline ? '' : ', does not start the pipeline';
      lines.push(`    ${id(`source_${i + 1}`)}[${mermaidLabel(`Source ${a.name}: ${a.kind} ${a.summary} at ${a.directory}/${starts}`)}]`);
      lines.push(`    ${id(`source_${i + 1}`)} --> ${id('build')}`);
    });
    let previous = [id('build')];
    const assets = assetsAction(plan);
    const assetsNode = () => lines.push(`    ${id('assets')}[${mermaidLabel(`${assets!.name}: assets of every CDK stage`)}]`);
    const placement = assetsPlacement(plan);
    if (placement === 'build') {
      // right after the build, in the Build stage
      assetsNode();
      lines.push(`    ${id('build')} --> ${id('assets')}`);
      previous = [id('assets')];
    }
    const selfUpdate = selfUpdateStage(plan);
    if (selfUpdate) {
      lines.push(`    ${id('update')}[${mermaidLabel(`Update: ${selfUpdate.name} (the pipeline's own stack)`)}]`);
      lines.push(`    ${previous[0]} --> ${id('update')}`);
      previous = [id('update')];
      if (placement === 'self-update') {
        // right after SelfMutate, in the UpdatePipeline stage
        assetsNode();
        lines.push(`    ${id('update')} --> ${id('assets')}`);
        previous = [id('assets')];
      }
    }
    if (plan.checks.length) {
      const checks = plan.checks.map((c, i) => {
        lines.push(`    ${id(`check_${i}`)}[${mermaidLabel(`Check: ${c.name}`)}]`);
        return id(`check_${i}`);
      });
      if (placement === 'checks') {
        // beside the checks, in parallel
        assetsNode();
        checks.push(id('assets'));
      }
      for (const c of checks) lines.push(`    ${previous[0]} --> ${c}`);
      previous = checks;
    }
    plan.environments.forEach((env, e) => {
      // entry gates → [scripts that run before deploying] → [change sets → their review] → deploy → verify → bake gates (alarms watched after deploying)
      const { before: gates, after } = splitGates(env);
      const before = gates.filter(g => g.kind !== 'change-set-review');
      const reviews = gates.filter(g => g.kind === 'change-set-review');
      const chain: string[] = [];
      /** Adds a node of the environment, linked from the one before it. */
      const step = (node: string, drawn: string) => {
        lines.push(`      ${node}${drawn}`);
        if (chain.length) lines.push(`      ${chain[chain.length - 1]} --> ${node}`);
        chain.push(node);
      };
      lines.push(`    subgraph ${id(`env${e}`)}[${mermaidLabel(`${env.name}${env.production ? ' (production)' : ''}`)}]`);
      before.forEach((g, i) => step(id(`env${e}_gate${i}`), `{{${mermaidLabel(gateLabel(g))}}}`));
      // deploy scripts with runBeforeDeployments: after the manual approval, before the change sets;
      // those with runAfterDeployments once the others succeeded
      const { first, parallel: deployments, last: afterwards } = deploymentPhases(env);
      const names = (ds: PlanAction[]) => ds.map((d) => d.name).join(' ∥ ');
      if (first.length) step(id(`env${e}_before`), `[${mermaidLabel(`Before deploying: ${names(first)}`)}]`);
      if (reviews.length) {
        // the review runs between creating the change sets (CloudFormation and CDK stage targets
        // only) and executing them; the other deployments run with the executions
        step(id(`env${e}_prepare`), `[${mermaidLabel(`Create change sets: ${names(deployments.filter((d) => CHANGE_SET_KINDS.includes(d.kind)))}`)}]`);
        reviews.forEach((g, i) => step(id(`env${e}_review${i}`), `{{${mermaidLabel(gateLabel(g))}}}`));
      }
      // an environment of scripts that run before or after deploying alone deploys nothing else
      if (deployments.length || (!first.length && !afterwards.length)) step(id(`env${e}_deploy`), `[${mermaidLabel(`Deploy: ${names(deployments) || 'nothing'}`)}]`);
      if (afterwards.length) step(id(`env${e}_after`), `[${mermaidLabel(`After deploying: ${names(afterwards)}`)}]`);
      const start = chain[0];
      let last = chain[chain.length - 1];
      if (env.verification.length) {
        lines.push(`      ${id(`env${e}_verify`)}[${mermaidLabel(`Verify: ${env.verification.map((v) => v.name).join(', ')}`)}]`);
        lines.push(`      ${last} --> ${id(`env${e}_verify`)}`);
        last = id(`env${e}_verify`);
      }
      after.forEach((g, i) => {
        lines.push(`      ${id(`env${e}_bake${i}`)}{{${mermaidLabel(g.summary)}}}`);
        lines.push(`      ${last} --> ${id(`env${e}_bake${i}`)}`);
        last = id(`env${e}_bake${i}`);
      });
      lines.push('    end');
      for (const prev of previous) lines.push(`    ${prev} --> ${start}`);
      previous = [last];
    });
    const nowhere = deploysNowhere(plan);
    if (nowhere) {
      // where the environments would be: the flow ends in a step that says so, as in text and html
      lines.push(`    ${id('nowhere')}[${mermaidLabel(`Deploy nowhere: ${nowhere}`)}]`);
      for (const prev of previous) lines.push(`    ${prev} --> ${id('nowhere')}`);
    }
    lines.push('  end');
  });
  return lines.join('\n');
}

function actionHtml(a: PlanAction, location = ''): string {
  const details = a.details.length ? `<ul>${a.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '';
  return `<li><strong>${escapeHtml(a.name)}</strong>: ${escapeHtml(a.summary + location)}${details}</li>`;
}

/** A self-contained HTML page showing every pipeline as a flow of cards. */
export function renderPlanHtml(plans: PlanDocument[]): string {
  const body = plans.map((plan) => {
    const notifications = notificationsLine(plan);
    const logs = logRetentionLine(plan);
    const steps: string[] = [];
    steps.push(`<div class="step"><h3>Source</h3><strong>${escapeHtml(plan.source.kind)}</strong> ${escapeHtml(plan.source.summary)}` +
      `${plan.source.triggers.map((t) => `<div class="sub">${escapeHtml(t)}</div>`).join('')}` +
      `${(plan.additionalSources ?? []).length ? `<ul>${plan.additionalSources!.map((a) => `<li>${escapeHtml(additionalSourceLine(a))}</li>`).join('')}</ul>` : ''}</div>`);
    const assets = assetsAction(plan);
    const assetsHtml = assets ? `<li><strong>${escapeHtml(assets.name)}</strong>: ${escapeHtml(ASSETS_SUMMARY)}</li>` : '';
    const placement = assetsPlacement(plan);
    steps.push(`<div class="step"><h3>Build</h3><ul>${actionHtml(plan.buildStep)}</ul>`
      + `${placement === 'build' ? `<div class="sub">then</div><ul>${assetsHtml}</ul>` : ''}</div>`);
    const selfUpdate = selfUpdateStage(plan);
    if (selfUpdate) {
      steps.push(`<div class="step"><h3>${escapeHtml(selfUpdate.name)}</h3><div class="sub">deploys the pipeline's own stack from the build's cloud assembly, `
        + 'then restarts the execution with the updated pipeline</div>'
        + `${placement === 'self-update' ? `<div class="sub">then, with the updated pipeline</div><ul>${assetsHtml}</ul>` : ''}</div>`);
    }
    if (plan.checks.length) {
      steps.push(`<div class="step"><h3>Checks <span class="tag">in parallel</span></h3><ul>${plan.checks.map((c) => actionHtml(c)).join('')}`
        + `${placement === 'checks' ? assetsHtml : ''}</ul></div>`);
    }
    const nowhere = deploysNowhere(plan);
    if (nowhere) steps.push(`<div class="step"><h3>Deploy</h3><div class="sub">nowhere: ${escapeHtml(nowhere)}</div></div>`);
    for (const env of plan.environments) {
      // entry gates → deploy → verify → bake gates (alarms watched after deploying)
      const { before, after } = splitGates(env);
      const gates = before.length
        ? before.map((g) => `<div class="gate">${escapeHtml(g.summary)}${markDefault(g) ? ' <span class="tag default">added by default</span>' : ''}</div>`).join('')
        : '<div class="sub">no gate</div>';
      steps.push(`<div class="step${env.production ? ' prod' : ''}"><h3>${escapeHtml(env.name)}</h3>` +
        `${env.production ? '<span class="tag prod">production</span>' : ''}${where(env) ? `<div class="sub">${escapeHtml(where(env).trim())}</div>` : ''}` +
        `${gates}<div class="sub">deploy${deploymentPhases(env).parallel.length > 1 ? ' (in parallel)' : ''}</div><ul>${env.deployments.map((d) => actionHtml(d, deploymentWhere(d))).join('')}</ul>` +
        `${env.verification.length ? `<div class="sub">then verify</div><ul>${env.verification.map((x) => actionHtml(x)).join('')}</ul>` : ''}` +
        `${env.unverifiedAcknowledged ? '<div class="sub">no automated verification (acknowledged)</div>' : ''}` +
        `${after.map((g) => `<div class="sub">then</div><div class="gate">${escapeHtml(g.summary)}</div>`).join('')}`
        + `${env.onFailure ? `<div class="sub">on failure: ${escapeHtml(env.onFailure)}</div>` : ''}</div>`);
    }
    return `<section class="pipeline"><h2>${escapeHtml(titleOf(plan))}${escapeHtml(where(plan))}</h2>
<div class="mode"><strong>${escapeHtml(plan.releaseMode.toLowerCase().replace(/_/g, ' '))}</strong> — ${escapeHtml(modeLine(plan))}<div class="sub">execution mode ${escapeHtml(plan.executionMode)}</div>${notifications ? `<div class="sub">notifications: ${escapeHtml(notifications)}</div>` : ''}${logs ? `<div class="sub">build logs: ${escapeHtml(logs)}</div>` : ''}</div>
<div class="flow">${steps.join('<div class="arrow">→</div>')}</div></section>`;
  }).join('\n');
  return htmlPage('Delivery plan', `${plans.length} pipeline${plans.length === 1 ? '' : 's'}`, body);
}

/** `cdk-delivery plan [dir] [--format text|json|mermaid|html] [--out file]` (offline). */
export function planCommand(io: CliIo, options: PlanOptions): number {
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!PLAN_FORMATS.includes(format)) {
    throw usageError(`--format: unknown format '${format}'; use one of ${PLAN_FORMATS.join(', ')}`);
  }
  const plans = loadPlans(options.dir ?? 'cdk.out');
  let output: string;
  switch (format) {
    case 'json': output = JSON.stringify(plans, null, 2); break;
    case 'mermaid': output = safeText(renderPlanMermaid(plans)); break;
    case 'html': output = renderPlanHtml(plans); break;
    default: output = safeText(plans.map(renderPlanText).join('\n\n')); break;
  }
  if (options.out) {
    writeOutFile(io, options.out, output.endsWith('\n') ? output : output + '\n');
    println(io.stderr, `wrote ${options.out}`);
  } else {
    println(io.stdout, output.replace(/\n$/, ''));
  }
  return ExitCode.OK;
}
