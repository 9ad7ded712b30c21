import { PipelineExecution, StageState } from '@aws-sdk/client-codepipeline';
import { mapLimit } from '../aws';
import { CommandContext } from '../context';
import { CliError, ExitCode, usageError } from '../errors';
import { println } from '../io';
import {
  describeRevision, findStage, isApproval, pendingApproval, revisionArgumentProblem, revisionMatches, revisionOfExecution, shortRevision,
  validateName,
} from '../pipeline-model';
import { safeLine } from '../terminal';
import { describeFreeze, inboundTransition, waitingBefore } from './freeze';
import { StageActionOptions, waitForStage } from './wait';

export interface ApproveOptions extends StageActionOptions {
  readonly decision: 'Approved' | 'Rejected';
  readonly comment?: string;
  /** Full or abbreviated (at least 4 characters) commit id, image digest or S3 version id the approval must be for. */
  readonly revision?: string;
  /** Pipeline execution id the approval must be for. */
  readonly execution?: string;
  readonly yes?: boolean;
}

/** An approval waiting for an answer: what PutApprovalResult needs, and the execution it belongs to. */
interface WaitingApproval {
  readonly actionName?: string;
  readonly token: string;
  readonly executionId?: string;
}

/**
 * The error of an environment where no approval waits (exit 3). A frozen one (`freeze`: its inbound
 * transition disabled) says so, with the executions waiting before it, whose approval comes only
 * once it is unfrozen, and the command that lets them in.
 */
function noPendingApproval(ctx: CommandContext, stage: StageState, env: string, pipeline: string): CliError {
  const none = `no pending approval in environment '${env}' of pipeline '${pipeline}'`;
  const transition = inboundTransition(stage);
  if (!transition || transition.enabled) return new CliError(none, ExitCode.NOT_FOUND);
  const freeze = describeFreeze(transition, ctx.io.now(), 300).replace(/^frozen: /, '');
  const waiting = waitingBefore(stage);
  const unfreeze = `cdk-delivery unfreeze ${pipeline} --env ${env}`;
  const several = waiting.length > 1;
  return new CliError(`${none}: it is frozen (${freeze})${waiting.length > 0
    ? ` and execution${several ? 's' : ''} ${waiting.join(', ')} wait${several ? '' : 's'} before it; unfreeze it to let ${several ? 'them' : 'that execution'} in (${unfreeze})`
    : `, so no execution enters it until it is unfrozen (${unfreeze})`}`, ExitCode.NOT_FOUND);
}

/** How far back approvals of a PARALLEL pipeline are looked for: the longest approval timeout (60 days). */
const APPROVAL_MAX_AGE_MS = 60 * 86_400_000;
/** ListActionExecutions pages read at most for them (a warning says when older ones are left out). */
const PARALLEL_MAX_PAGES = 20;

/**
 * The approval to answer in a pipeline in PARALLEL mode, where GetPipelineState shows no token: the
 * approvals waiting in the stage are read from ListActionExecutions (the token is their
 * `externalExecutionId`), and one `GetPipelineExecution` per waiting execution gives its mode and
 * revision. With several waiting, `--execution` or `--revision` must choose one.
 */
async function chooseParallelApproval(
  ctx: CommandContext, pipeline: string, stage: StageState, env: string, verb: string, options: ApproveOptions,
): Promise<{ approval: WaitingApproval; execution: PipelineExecution }> {
  const since = new Date(ctx.io.now().getTime() - APPROVAL_MAX_AGE_MS);
  const actions = await ctx.api.listActionExecutions(pipeline, { since, maxPages: PARALLEL_MAX_PAGES, warnWhenCapped: true });
  const found = new Map<string, WaitingApproval>();
  for (const a of actions) {
    const token = a.output?.executionResult?.externalExecutionId;
    if (a.stageName === env && a.status === 'InProgress' && isApproval(a) && token && a.pipelineExecutionId && !found.has(a.pipelineExecutionId)) {
      found.set(a.pipelineExecutionId, { actionName: a.actionName, token, executionId: a.pipelineExecutionId });
    }
  }
  const executions = await mapLimit([...found.keys()], 4, (id) => ctx.api.getPipelineExecution(pipeline, id));
  const waiting = executions
    .filter((e) => e.executionMode === 'PARALLEL' && e.pipelineExecutionId && found.has(e.pipelineExecutionId))
    .map((execution) => ({ approval: found.get(execution.pipelineExecutionId!)!, execution }));
  if (waiting.length === 0) throw noPendingApproval(ctx, stage, env, pipeline);
  const list = waiting.map((w) => `${w.approval.executionId} (${describeRevision(revisionOfExecution(w.execution), 30)})`).join(', ');
  let chosen = waiting;
  if (options.execution !== undefined) {
    chosen = waiting.filter((w) => w.approval.executionId === options.execution);
  } else if (options.revision !== undefined) {
    chosen = waiting.filter((w) => revisionMatches(options.revision!, revisionOfExecution(w.execution).id));
  }
  if (chosen.length === 0) {
    throw new CliError(`refusing to ${verb}: no approval waiting in '${env}' is for ${options.execution !== undefined ? 'execution' : 'revision'} `
      + `${options.execution ?? options.revision}; waiting: ${list}`, ExitCode.NOT_FOUND);
  }
  if (chosen.length > 1) {
    throw usageError(`${chosen.length} executions wait for approval in '${env}' of '${pipeline}' (PARALLEL mode): ${list}; `
      + 'choose one with --execution <id>');
  }
  return chosen[0];
}

/** The longest comment CodePipeline accepts (ApprovalResult.summary). */
export const MAX_COMMENT_LENGTH = 512;

/** `cdk-delivery approve|reject <pipeline> --env <name> ...` */
export async function approveCommand(ctx: CommandContext, options: ApproveOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  if (options.execution !== undefined) validateName(options.execution, 'execution id (--execution)');
  const verb = options.decision === 'Approved' ? 'approve' : 'reject';
  const revisionProblem = options.revision !== undefined ? revisionArgumentProblem(options.revision) : undefined;
  if (revisionProblem) throw usageError(revisionProblem);
  const commentLength = options.comment === undefined ? 0 : [...options.comment].length;
  if (commentLength > MAX_COMMENT_LENGTH) {
    throw usageError(`--comment is ${commentLength} characters long; CodePipeline accepts at most ${MAX_COMMENT_LENGTH}`);
  }
  if (options.revision !== undefined && options.execution !== undefined) {
    throw usageError('use either --revision or --execution, not both');
  }

  // Without a terminal nothing can confirm: refuse before reading anything
  const confirmed = options.revision !== undefined || options.execution !== undefined || options.yes;
  if (!confirmed && !ctx.io.stdinIsTTY) {
    throw usageError(`refusing to ${verb} without confirmation: stdin is not a terminal; pass --yes, --revision <sha> or --execution <id>`);
  }

  const state = await ctx.api.getPipelineState(pipeline);
  const stage = findStage(state, env, pipeline);
  const pending = pendingApproval(stage);
  let approval: WaitingApproval;
  let execution: PipelineExecution | undefined;
  if (pending?.latestExecution?.token) {
    const executionId = stage.latestExecution?.pipelineExecutionId;
    approval = { actionName: pending.actionName, token: pending.latestExecution.token, executionId };
    execution = approval.executionId ? await ctx.api.getPipelineExecution(pipeline, approval.executionId) : undefined;
  } else {
    // In PARALLEL mode GetPipelineState holds no token, and several executions may wait in the stage.
    const latestId = stage.latestExecution?.pipelineExecutionId;
    const latest = latestId ? await ctx.api.getPipelineExecution(pipeline, latestId) : undefined;
    if (latest?.executionMode !== 'PARALLEL') throw noPendingApproval(ctx, stage, env, pipeline);
    ({ approval, execution } = await chooseParallelApproval(ctx, pipeline, stage, env, verb, options));
  }
  const token = approval.token;
  const executionId = approval.executionId;
  const revision = revisionOfExecution(execution);
  const what = `${describeRevision(revision)} (execution ${executionId ?? 'unknown'})`;

  if (options.execution !== undefined && options.execution !== executionId) {
    throw new CliError(
      `refusing to ${verb}: the approval waiting in '${env}' is for execution ${executionId ?? 'unknown'} (revision ${shortRevision(revision.id)}), not ${options.execution}`,
      ExitCode.NOT_FOUND);
  }
  if (options.revision !== undefined && !revisionMatches(options.revision, revision.id)) {
    throw new CliError(
      `refusing to ${verb}: the approval waiting in '${env}' is for revision ${revision.id ?? 'unknown'} (execution ${executionId ?? 'unknown'}), not ${options.revision}`,
      ExitCode.NOT_FOUND);
  }
  if (!confirmed) {
    println(ctx.io.stderr, safeLine(`${approval.actionName} in '${env}' of '${pipeline}' is waiting for ${what}`));
    const ok = await ctx.io.confirm(safeLine(`${verb === 'approve' ? 'Approve' : 'Reject'} ${shortRevision(revision.id)} into ${env}?`));
    if (!ok) {
      println(ctx.io.stderr, 'nothing done');
      return ExitCode.USAGE;
    }
  }

  const answeredAt = await ctx.api.putApprovalResult({
    pipelineName: pipeline,
    stageName: env,
    actionName: approval.actionName,
    token,
    result: {
      status: options.decision,
      summary: options.comment ?? `${options.decision} with cdk-delivery`,
    },
  });
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({
      pipeline,
      environment: env,
      action: approval.actionName,
      decision: options.decision,
      executionId,
      revision: revision.id,
      answeredAt,
    }, null, 2));
  } else {
    println(ctx.io.stdout, safeLine(`${options.decision === 'Approved' ? 'approved' : 'rejected'} ${what} in '${env}' of '${pipeline}'`));
  }
  if (options.wait && executionId) {
    const actionName = approval.actionName;
    return waitForStage(ctx, pipeline, env, executionId, {
      timeoutMs: options.timeoutMs,
      answered: answeredAt && actionName ? { actionName, at: answeredAt, later: await laterActions(ctx, pipeline, env, actionName) } : undefined,
    });
  }
  return ExitCode.OK;
}

/**
 * The actions of the stage with a later run order than the approval (they run after its answer), from
 * GetPipeline; undefined when the pipeline cannot be read (the wait then shows every action as it is).
 */
async function laterActions(ctx: CommandContext, pipeline: string, stageName: string, approvalName: string): Promise<Set<string> | undefined> {
  try {
    const stage = (await ctx.api.getPipeline(pipeline)).stages?.find((s) => s.name === stageName);
    const own = stage?.actions?.find((a) => a.name === approvalName);
    if (!stage || !own) return undefined;
    const runOrder = own.runOrder ?? 1;
    return new Set((stage.actions ?? []).filter((a) => (a.runOrder ?? 1) > runOrder && a.name !== undefined).map((a) => a.name!));
  } catch {
    return undefined;
  }
}

