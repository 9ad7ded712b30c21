import { ActionExecutionDetail, GetPipelineStateOutput, PipelineExecutionSummary, StageState } from '@aws-sdk/client-codepipeline';
import Table from 'cli-table3';
import pc from 'picocolors';
import { CommandContext } from '../context';
import { ago, formatTime } from '../duration';
import { ExitCode } from '../errors';
import { println, useColor } from '../io';
import {
  describeRevision, failureMessage, isApproval, isSource, mergeRevisions, NON_ENVIRONMENT_STAGES, pendingApproval, Revision,
  revisionOfSourceAction, revisionOfSummary, stageRuns, validateName,
} from '../pipeline-model';
import { safeLine } from '../terminal';

export interface StatusOptions {
  readonly pipeline: string;
  readonly json?: boolean;
  /** Refresh every this many seconds. */
  readonly watch?: number;
}

export interface PendingApproval {
  readonly actionName: string;
  readonly executionId?: string;
  readonly revision: Revision;
  readonly since?: Date;
}

/** What `status` knows about one stage. */
export interface EnvironmentStatus {
  readonly name: string;
  readonly environment: boolean;
  readonly deployed?: { executionId: string; revision: Revision; at?: Date };
  readonly inProgress?: { executionId: string; revision: Revision; actions: string[]; since?: Date };
  /** The approval waiting in the stage (the newest, when several executions wait in PARALLEL mode). */
  readonly pendingApproval?: PendingApproval;
  /** Every approval waiting in the stage: at most one, except in PARALLEL mode. */
  readonly pendingApprovals: PendingApproval[];
  readonly lastFailure?: { executionId: string; at?: Date; message?: string };
  readonly queued: number;
}

export interface PipelineStatus {
  readonly pipeline: string;
  readonly refreshedAt: Date;
  readonly environments: EnvironmentStatus[];
}

/** Action executions per ListActionExecutions page (the API maximum). */
const STATUS_PAGE_SIZE = 100;
/** Pages read at most to find what a stage whose latest execution did not succeed has deployed. */
export const STATUS_MAX_PAGES = 10;

/**
 * Reads the status of every stage with three API calls, whatever the number of environments:
 * GetPipelineState, one page of ListPipelineExecutions and one page of ListActionExecutions. When a
 * stage whose latest execution did not succeed has no successful run in that page, the action
 * executions are read again, up to STATUS_MAX_PAGES pages, until every such stage has one.
 */
export async function fetchStatus(ctx: CommandContext, pipeline: string): Promise<PipelineStatus> {
  const [state, executions, firstPage] = await Promise.all([
    ctx.api.getPipelineState(pipeline),
    ctx.api.listPipelineExecutions(pipeline, { maxPages: 1 }),
    ctx.api.listActionExecutions(pipeline, { maxPages: 1, pageSize: STATUS_PAGE_SIZE }),
  ]);
  let actions = firstPage;
  // Stages whose latest execution did not succeed show the newest successful run as deployed. With
  // many environments or several executions in flight, it can be older than one page: read on.
  const missing = (items: ActionExecutionDetail[]) => {
    const succeeded = new Set(stageRuns(items).filter((r) => r.status === 'Succeeded').map((r) => r.stageName));
    return (state.stageStates ?? []).filter((s) =>
      s.latestExecution?.pipelineExecutionId && s.latestExecution.status !== 'Succeeded' && !succeeded.has(s.stageName ?? ''));
  };
  if (firstPage.length >= STATUS_PAGE_SIZE && missing(firstPage).length > 0) {
    actions = await ctx.api.listActionExecutions(pipeline, {
      maxPages: STATUS_MAX_PAGES, pageSize: STATUS_PAGE_SIZE, stopWhen: (items) => missing(items).length === 0,
    });
  }
  return {
    pipeline,
    refreshedAt: ctx.io.now(),
    environments: (state.stageStates ?? []).map((s) => stageStatus(s, state, executions, actions)),
  };
}

function stageStatus(
  stage: StageState,
  _state: GetPipelineStateOutput,
  executions: PipelineExecutionSummary[],
  actions: ActionExecutionDetail[],
): EnvironmentStatus {
  const name = stage.stageName ?? '';
  const byId = new Map(executions.map((e) => [e.pipelineExecutionId, e]));
  const sources = new Map<string, ActionExecutionDetail>();
  for (const a of actions) {
    if (isSource(a) && a.pipelineExecutionId && !sources.has(a.pipelineExecutionId)) sources.set(a.pipelineExecutionId, a);
  }
  const revisionOf = (id: string) => mergeRevisions(revisionOfSourceAction(sources.get(id)), revisionOfSummary(byId.get(id)));
  const runs = stageRuns(actions).filter((r) => r.stageName === name);
  const latest = stage.latestExecution;
  const latestId = latest?.pipelineExecutionId;
  const lastChange = (stage.actionStates ?? [])
    .map((a) => a.latestExecution?.lastStatusChange?.getTime() ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);

  let deployed: EnvironmentStatus['deployed'];
  if (latestId && latest?.status === 'Succeeded') {
    deployed = { executionId: latestId, revision: revisionOf(latestId), at: lastChange ? new Date(lastChange) : undefined };
  } else {
    const run = runs.find((r) => r.status === 'Succeeded');
    if (run) deployed = { executionId: run.executionId, revision: revisionOf(run.executionId), at: run.endTime };
  }

  const approval = pendingApproval(stage);
  let pendingApprovals: PendingApproval[] = approval ? [{
    actionName: approval.actionName ?? 'Approve',
    executionId: latestId,
    revision: latestId ? revisionOf(latestId) : {},
    since: approval.latestExecution?.lastStatusChange,
  }] : [];
  if (!approval) {
    // PARALLEL mode: GetPipelineState holds no token, and several executions may wait in the stage
    const seen = new Set<string>();
    pendingApprovals = actions
      .filter((a) => a.stageName === name && a.status === 'InProgress' && isApproval(a) && a.pipelineExecutionId &&
        byId.get(a.pipelineExecutionId)?.executionMode === 'PARALLEL' && !seen.has(a.pipelineExecutionId) && seen.add(a.pipelineExecutionId))
      .map((a) => ({ actionName: a.actionName ?? 'Approve', executionId: a.pipelineExecutionId, revision: revisionOf(a.pipelineExecutionId!), since: a.startTime }));
  }
  let inProgress: EnvironmentStatus['inProgress'];
  if (latestId && latest?.status === 'InProgress') {
    const waitingHere = new Set(pendingApprovals.filter((p) => p.executionId === latestId).map((p) => p.actionName));
    const running = (stage.actionStates ?? [])
      .filter((a) => a.latestExecution?.status === 'InProgress' && a !== approval && !waitingHere.has(a.actionName ?? ''))
      .map((a) => a.actionName ?? '?');
    const run = runs.find((r) => r.executionId === latestId);
    inProgress = { executionId: latestId, revision: revisionOf(latestId), actions: running, since: run?.startTime };
  }

  let lastFailure: EnvironmentStatus['lastFailure'];
  if (latestId && latest?.status === 'Failed') {
    const failed = (stage.actionStates ?? []).find((a) => a.latestExecution?.status === 'Failed');
    lastFailure = {
      executionId: latestId,
      at: failed?.latestExecution?.lastStatusChange,
      message: failed ? `${failed.actionName}${failed.latestExecution?.errorDetails?.message ? `: ${failed.latestExecution.errorDetails.message}` : ''}` : undefined,
    };
  } else {
    const run = runs.find((r) => r.status === 'Failed');
    if (run) lastFailure = { executionId: run.executionId, at: run.endTime, message: failureMessage(run.actions) };
  }

  return {
    name,
    environment: !NON_ENVIRONMENT_STAGES.has(name),
    deployed,
    inProgress,
    pendingApproval: pendingApprovals[0],
    pendingApprovals,
    lastFailure,
    queued: stage.inboundExecutions?.length ?? (stage.inboundExecution ? 1 : 0),
  };
}

/** Renders the status as a table (one row per stage). */
export function renderStatus(status: PipelineStatus, now: Date, color: boolean): string {
  const c = pc.createColors(color);
  const table = new Table({
    head: ['stage', 'deployed', 'in progress', 'pending approval', 'last failure'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [12, 42, 30, 28, 34],
  });
  for (const env of status.environments) {
    table.push([
      env.environment ? c.bold(safeLine(env.name)) : safeLine(env.name),
      env.deployed ? `${describeRevision(env.deployed.revision, 28)}\n${ago(env.deployed.at, now)}` : c.dim('nothing yet'),
      env.inProgress
        ? c.cyan(`${describeRevision(env.inProgress.revision, 16)}\n${safeLine(env.inProgress.actions.join(', ')) || (env.pendingApproval ? 'awaiting approval' : 'waiting')}`) +
          (env.queued ? `\n+${env.queued} queued` : '')
        : (env.queued ? `${env.queued} queued` : '—'),
      env.pendingApproval
        ? c.yellow(`${safeLine(env.pendingApproval.actionName)} ${describeRevision(env.pendingApproval.revision, 12)}\nwaiting ${ago(env.pendingApproval.since, now).replace(/ ago$/, '')}`
          + (env.pendingApprovals.length > 1 ? `\n+${env.pendingApprovals.length - 1} more waiting` : ''))
        : '—',
      env.lastFailure ? c.red(`${ago(env.lastFailure.at, now)}\n${safeLine(env.lastFailure.message)}`) : '—',
    ]);
  }
  return `${c.bold(status.pipeline)} — ${formatTime(status.refreshedAt)}\n${table.toString()}`;
}

function toJson(status: PipelineStatus): unknown {
  return status;
}

/** `cdk-delivery status <pipeline> [--watch [seconds]] [--json]` */
export async function statusCommand(ctx: CommandContext, options: StatusOptions): Promise<number> {
  validateName(options.pipeline, 'pipeline name');
  const color = useColor(ctx.io);
  for (let refresh = 1; ; refresh++) {
    const status = await fetchStatus(ctx, options.pipeline);
    if (options.json) {
      println(ctx.io.stdout, JSON.stringify(toJson(status), null, options.watch ? 0 : 2));
    } else {
      if (options.watch && ctx.io.stdout.isTTY) ctx.io.stdout.write('\x1b[2J\x1b[H');
      println(ctx.io.stdout, renderStatus(status, ctx.io.now(), color));
    }
    if (!options.watch || (ctx.maxRefreshes !== undefined && refresh >= ctx.maxRefreshes)) {
      return ExitCode.OK;
    }
    await ctx.io.sleep(options.watch * 1000);
  }
}
