import { ActionDeclaration, GetPipelineStateOutput, PipelineExecution, PipelineExecutionSummary, SourceRevisionType } from '@aws-sdk/client-codepipeline';
import { SOURCE_ACTION, SOURCE_STAGE } from '../../model/stage-names';
import { CommandContext } from '../context';
import { CliError, ExitCode, notFound, usageError } from '../errors';
import { println } from '../io';
import { describeRevision, Revision, revisionOfExecution, revisionOfSummary, validateName } from '../pipeline-model';
import { safeLine } from '../terminal';
import { executionWhereabouts, waitForExecution, WaitOptions } from './wait';

interface ExecutionCommandOptions extends WaitOptions {
  readonly pipeline: string;
  readonly wait?: boolean;
  readonly json?: boolean;
}

export interface StartOptions extends ExecutionCommandOptions {
  /**
   * Run these source revisions instead of the latest: a full commit id, an image digest or an S3
   * object version id for the main source, `<action>=<id>` for another source action of the
   * `Source` stage (an additional source).
   */
  readonly revision?: readonly string[];
}

export interface StopOptions extends ExecutionCommandOptions {
  /** The execution to stop (default: the one in progress). */
  readonly execution?: string;
  /** Abandon the in-progress actions instead of letting them finish. */
  readonly abandon?: boolean;
  readonly reason?: string;
  readonly yes?: boolean;
}

/** The longest `reason` StopPipelineExecution accepts. */
export const MAX_STOP_REASON_LENGTH = 200;
/** The longest source revision value StartPipelineExecution accepts. */
const MAX_REVISION_LENGTH = 1500;
/** Characters of a revision: commit ids, ECR digests (`sha256:...`), S3 version ids. */
const REVISION_CHARS = /^[A-Za-z0-9._+/=:-]+$/;
const FULL_COMMIT = /^[0-9a-f]{40}$/i;
const FULL_DIGEST = /^(?:sha256:)?([0-9a-f]{64})$/i;

/** The revision type of StartPipelineExecution's override for a source action provider (the library's sources). */
const REVISION_TYPES: Record<string, SourceRevisionType> = {
  CodeStarSourceConnection: 'COMMIT_ID',
  CodeCommit: 'COMMIT_ID',
  ECR: 'IMAGE_DIGEST',
  S3: 'S3_OBJECT_VERSION_ID',
};

type NamedAction = ActionDeclaration & { name: string };

/** The named source actions of the `Source` stage (GetPipeline's stages): the pipeline's own, then its additional sources. */
function sourceActions(stages: { name?: string; actions?: ActionDeclaration[] }[] | undefined): NamedAction[] {
  return ((stages ?? []).find((s) => s.name === SOURCE_STAGE)?.actions ?? [])
    .filter((a): a is NamedAction => a.actionTypeId?.category === 'Source' && !!a.name);
}

/** The pipeline's main source action among `sources`: the `Source` action, or the only source action. */
function mainSourceAction(sources: NamedAction[]): NamedAction | undefined {
  return sources.find((a) => a.name === SOURCE_ACTION) ?? (sources.length === 1 ? sources[0] : undefined);
}

/**
 * The override of `--revision` for the pipeline's source provider. CodePipeline starts from the
 * revision given; an abbreviated commit id or digest is refused (usage error): status shows them
 * abbreviated, `status --json` in full.
 */
function revisionOverride(pipeline: string, action: ActionDeclaration, value: string): { revisionType: SourceRevisionType; revisionValue: string } {
  const provider = action.actionTypeId?.provider ?? '?';
  const revisionType = REVISION_TYPES[provider];
  if (!revisionType) {
    throw usageError(`--revision: the source action '${action.name}' of '${pipeline}' uses provider ${provider}, which takes no revision `
      + `override (${Object.keys(REVISION_TYPES).join(', ')} do)`);
  }
  if (revisionType === 'COMMIT_ID') {
    if (!FULL_COMMIT.test(value)) {
      throw usageError(`--revision: CodePipeline starts from a full commit id (40 hexadecimal characters), got '${value}'; `
        + `the full id is in 'cdk-delivery status ${pipeline} --json' (.deployed.revision.id) or 'git rev-parse ${value}'`);
    }
    return { revisionType, revisionValue: value.toLowerCase() };
  }
  if (revisionType === 'IMAGE_DIGEST') {
    const m = FULL_DIGEST.exec(value);
    if (!m) {
      throw usageError(`--revision: CodePipeline starts from a full image digest (sha256: and 64 hexadecimal characters), got '${value}'; `
        + `the full digest is in 'cdk-delivery status ${pipeline} --json' (.deployed.revision.id)`);
    }
    return { revisionType, revisionValue: `sha256:${m[1].toLowerCase()}` };
  }
  return { revisionType, revisionValue: value };
}

interface RevisionOverride {
  readonly actionName: string;
  readonly revisionType: SourceRevisionType;
  readonly revisionValue: string;
  /** The pipeline's main source action (the one a `--revision` without a name pins). */
  readonly main: boolean;
}

interface RevisionOverrides {
  readonly overrides: RevisionOverride[];
  /** The source actions left to their latest revision. */
  readonly latest: string[];
  /** The main source action's name. */
  readonly mainName?: string;
}

const NO_OVERRIDES: RevisionOverrides = { overrides: [], latest: [] };
const NAMED_REVISION = /^([A-Za-z0-9.@_-]+)=(.+)$/;

/**
 * The source revision overrides of `--revision` values (GetPipeline's stages): `<id>` for the main
 * source action, `<action>=<id>` for another source action of the `Source` stage; main first, then
 * as given. `latest`: the source actions of the stage left to their latest revision. A value
 * `<name>=...` whose name is no source action is refused, unless the main source takes S3 version
 * ids (which may hold `=`): it is then the main source's.
 */
function revisionOverrides(
  pipeline: string, stages: { name?: string; actions?: ActionDeclaration[] }[] | undefined, values: readonly string[],
): RevisionOverrides {
  const sources = sourceActions(stages);
  const main = mainSourceAction(sources);
  const chosen = new Map<string, { action: NamedAction; value: string }>();
  for (const given of values) {
    const named = NAMED_REVISION.exec(given);
    const other = named ? sources.find((a) => a.name === named[1]) : undefined;
    if (named && !other && sources.length > 1 && (!main || REVISION_TYPES[main.actionTypeId?.provider ?? ''] !== 'S3_OBJECT_VERSION_ID')) {
      throw usageError(`--revision: '${named[1]}' is not a source action of '${pipeline}'; its sources are ${sources.map((a) => a.name).join(', ')} `
        + '(the main one takes a revision without a name)');
    }
    const action = other ?? main;
    if (!action) {
      throw notFound(`--revision: pipeline '${pipeline}' has no source action '${SOURCE_ACTION}' in a '${SOURCE_STAGE}' stage to start from that revision`);
    }
    const value = other ? named![2] : given;
    const previous = chosen.get(action.name);
    if (previous) throw usageError(`--revision: two revisions for source ${action.name} (${previous.value}, ${value}); give one per source`);
    chosen.set(action.name, { action, value });
  }
  const overrides = [...chosen.values()]
    .map(({ action, value }) => ({ actionName: action.name, ...revisionOverride(pipeline, action, value), main: action === main }))
    .sort((a, b) => Number(b.main) - Number(a.main));
  return { overrides, latest: sources.map((a) => a.name).filter((name) => !chosen.has(name)), mainName: main?.name };
}

/**
 * `cdk-delivery start <pipeline> [--revision id] [--revision action=id]`: StartPipelineExecution, with a source revision
 * override when `--revision` is given (GetPipeline first reads the source action's provider, which
 * decides the revision type).
 */
export async function startCommand(ctx: CommandContext, options: StartOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const values = options.revision ?? [];
  for (const value of values) {
    if (!REVISION_CHARS.test(value) || value.length > MAX_REVISION_LENGTH) {
      throw usageError(`--revision must be a commit id, image digest or S3 version id (at most ${MAX_REVISION_LENGTH} letters, digits and . _ + / = : -), `
        + `got '${value}'`);
    }
  }
  const { overrides, latest, mainName } = values.length > 0
    ? revisionOverrides(pipeline, (await ctx.api.getPipeline(pipeline)).stages, values)
    : NO_OVERRIDES;
  const sourceRevisions = overrides.map(({ actionName, revisionType, revisionValue }) => ({ actionName, revisionType, revisionValue }));
  const executionId = await ctx.api.startPipelineExecution({ name: pipeline, ...(sourceRevisions.length > 0 ? { sourceRevisions } : {}) });
  const mainOverride = overrides.find((o) => o.main);
  const json = (o: RevisionOverride) => ({ actionName: o.actionName, type: o.revisionType, id: o.revisionValue });
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({
      pipeline,
      executionId,
      ...(mainOverride ? { revision: json(mainOverride) } : {}),
      ...(overrides.length > 0 ? { revisions: overrides.map(json), latest } : {}),
    }, null, 2));
  } else {
    const at = overrides.map((o) => `${o.main ? '' : `${o.actionName} `}at ${o.revisionValue} (${o.revisionType})`);
    println(ctx.io.stdout, safeLine(`started execution ${executionId ?? 'unknown'} of '${pipeline}'`
      + ` ${mainOverride ? '' : 'at the latest source revision'}${!mainOverride && at.length > 0 ? '; ' : ''}${at.join('; ')}`));
  }
  if (latest.length > 0) {
    const pin = latest.map((name) => `--revision ${name === mainName ? '' : `${name}=`}<id>`);
    println(ctx.io.stderr, safeLine(latest.length === 1
      ? `note: source ${latest[0]} runs its latest revision, which may be newer than the others': pin it with ${pin[0]}`
      : `note: sources ${latest.join(', ')} run their latest revision, which may be newer than the others': pin them with ${pin.join(' ')}`));
  }
  return options.wait && executionId ? waitForExecution(ctx, pipeline, executionId, { timeoutMs: options.timeoutMs, goal: 'end' }) : ExitCode.OK;
}

/** Pipeline execution statuses that can still be stopped. */
const STOPPABLE = new Set(['InProgress', 'Stopping']);

/** `exec-5 (3f2a9c1 "Add gift cards"; in prod (Approve))` */
function describeExecution(id: string, revision: Revision, state: GetPipelineStateOutput, maxMessage = 30): string {
  const where = executionWhereabouts(state, id);
  return `${id} (${describeRevision(revision, maxMessage)}${where ? `; ${where}` : ''})`;
}

/**
 * `cdk-delivery stop <pipeline> [--execution id] [--abandon] [--reason text]`: StopPipelineExecution
 * of the execution in progress (one page of ListPipelineExecutions, with GetPipelineState to say
 * where each is), or of the one given (GetPipelineExecution). With several in progress (any
 * execution mode: in SUPERSEDED mode one can run in Build while another deploys) it stops none
 * until `--execution` picks one.
 */
export async function stopCommand(ctx: CommandContext, options: StopOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  if (options.execution !== undefined) validateName(options.execution, 'execution id (--execution)');
  const reason = options.reason ?? `Stopped with cdk-delivery${options.abandon ? ' (abandon)' : ''}`;
  const reasonLength = [...reason].length;
  if (reasonLength > MAX_STOP_REASON_LENGTH) {
    throw usageError(`--reason is ${reasonLength} characters long; CodePipeline accepts at most ${MAX_STOP_REASON_LENGTH}`);
  }
  // Without a terminal nothing can confirm: refuse before reading anything (whatever is in progress, it would not be stopped)
  if (!options.yes && !ctx.io.stdinIsTTY) {
    throw usageError('refusing to stop without confirmation: stdin is not a terminal; pass --yes');
  }

  let executionId: string;
  let revision: Revision;
  let state: GetPipelineStateOutput;
  if (options.execution !== undefined) {
    let execution: PipelineExecution;
    [execution, state] = await Promise.all([ctx.api.getPipelineExecution(pipeline, options.execution), ctx.api.getPipelineState(pipeline)]);
    if (!STOPPABLE.has(execution.status ?? '')) {
      throw new CliError(`nothing to stop: execution ${options.execution} of '${pipeline}' is ${execution.status ?? 'in an unknown state'}`, ExitCode.NOT_FOUND);
    }
    executionId = options.execution;
    revision = revisionOfExecution(execution);
  } else {
    let summaries: PipelineExecutionSummary[];
    [summaries, state] = await Promise.all([ctx.api.listPipelineExecutions(pipeline, { maxPages: 1 }), ctx.api.getPipelineState(pipeline)]);
    const running = summaries.filter((e) => e.status === 'InProgress' && e.pipelineExecutionId);
    if (running.length === 0) {
      const stopping = summaries.filter((e) => e.status === 'Stopping' && e.pipelineExecutionId)
        .map((e) => describeExecution(e.pipelineExecutionId!, revisionOfSummary(e), state));
      throw new CliError(`nothing to stop: no execution of '${pipeline}' is in progress`
        + (stopping.length ? `; ${stopping.join(', ')} ${stopping.length === 1 ? 'is' : 'are'} already stopping (--abandon --execution <id> abandons `
          + 'its in-progress actions)' : ''), ExitCode.NOT_FOUND);
    }
    if (running.length > 1) {
      const list = running.map((e) => describeExecution(e.pipelineExecutionId!, revisionOfSummary(e), state)).join(', ');
      throw usageError(`${running.length} executions of '${pipeline}' are in progress: ${list}; choose one with --execution <id>`);
    }
    executionId = running[0].pipelineExecutionId!;
    revision = revisionOfSummary(running[0]);
  }
  const how = options.abandon ? 'abandoning its in-progress actions' : 'its in-progress actions finish first (stop and wait)';

  if (!options.yes) {
    println(ctx.io.stderr, safeLine(`stopping execution ${describeExecution(executionId, revision, state, 50)} of '${pipeline}'; ${how}`));
    const ok = await ctx.io.confirm(safeLine(`Stop execution ${executionId}${options.abandon ? ' and abandon its in-progress actions' : ''}?`));
    if (!ok) {
      println(ctx.io.stderr, 'nothing done');
      return ExitCode.USAGE;
    }
  }

  await ctx.api.stopPipelineExecution({ pipelineName: pipeline, pipelineExecutionId: executionId, abandon: options.abandon === true, reason });
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({ pipeline, executionId, revision: revision.id, abandon: options.abandon === true, reason }, null, 2));
  } else {
    println(ctx.io.stdout, safeLine(`stopping execution ${executionId} (${describeRevision(revision)}) of '${pipeline}': ${how}`));
  }
  return options.wait ? waitForExecution(ctx, pipeline, executionId, { timeoutMs: options.timeoutMs, goal: 'stopped' }) : ExitCode.OK;
}
