import { ActionExecutionDetail, GetPipelineStateOutput, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import Table from 'cli-table3';
import { mapLimit } from '../aws';
import { conditionFailureBeforeRetry, ConditionRuns, executionsToLookUp, stageRunKey, stagesFailedByConditions } from '../condition-failures';
import { CommandContext } from '../context';
import { formatDuration, formatTime, parseSince } from '../duration';
import { ExitCode } from '../errors';
import { println } from '../io';
import {
  describeRevision, findEnvironmentStage, isApproval, isExpiredApproval, isSource, mayBeHalfRun, mergeRevisions, Revision, revisionOfExecution,
  revisionOfSourceAction, revisionOfSummary, shortPrincipal, StageRun, stageRunResult, stageRuns, validateName,
} from '../pipeline-model';
import { StageStructures } from '../stage-structures';
import { safeLine } from '../terminal';

export interface HistoryOptions {
  readonly pipeline: string;
  /** e.g. '30d' */
  readonly since?: string;
  readonly env?: string;
  readonly json?: boolean;
}

export interface ApprovalAnswer {
  readonly environment: string;
  readonly action: string;
  /** `expired`: nobody answered before the approval's timeout, and CodePipeline failed it. */
  readonly decision: 'approved' | 'rejected' | 'expired' | 'waiting' | 'abandoned';
  readonly by?: string;
  readonly at?: Date;
  readonly comment?: string;
}

export interface HistoryEntry {
  readonly executionId: string;
  readonly status: string;
  readonly trigger?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly durationMs?: number;
  readonly revision: Revision;
  /** With --env: the result of that environment's stage in this execution. */
  readonly environmentResult?: string;
  /**
   * With --env, for a run that succeeded after a retry (RetryStageExecution): when it failed before
   * (its first failed deployment attempt, or the rule of its success conditions, the alarms watched
   * after the deployments, that failed the stage); `metrics` counts it as a failed change, restored
   * by the retry.
   */
  readonly environmentFailedAt?: Date;
  readonly approvals: ApprovalAnswer[];
}

/** Concurrent look-ups of executions that started before the period (`--env`). */
const OUTSIDE_CONCURRENCY = 4;

/** An execution listed: its summary, and the revision its summary (or GetPipelineExecution) gives. */
interface Execution {
  readonly summary: PipelineExecutionSummary;
  readonly revision: Revision;
}

function answerOf(a: ActionExecutionDetail): ApprovalAnswer {
  const decision = a.status === 'Succeeded' ? 'approved'
    : a.status === 'Failed' ? (isExpiredApproval(a) ? 'expired' : 'rejected')
      : a.status === 'InProgress' ? 'waiting' : 'abandoned';
  return {
    environment: a.stageName ?? '',
    action: a.actionName ?? '',
    decision,
    by: decision === 'waiting' ? undefined : a.updatedBy,
    at: decision === 'waiting' ? undefined : a.lastUpdateTime,
    comment: a.output?.executionResult?.externalExecutionSummary,
  };
}

/**
 * Reads the history of a pipeline. API calls: ceil(executions / 100) ListPipelineExecutions pages
 * plus ceil(action executions / 100) ListActionExecutions pages over the same period (not one
 * call per execution), run side by side.
 *
 * With `--env`, `state` (GetPipelineState) gives the environment's actions, to tell a run that
 * stopped before its later actions (stageRunResult) from one that ran the whole stage; a run of
 * an earlier pipeline version is judged against that version's actions (StageStructures: one
 * GetPipeline per such version, only for runs of executions stopped or still running). A run of
 * the environment in the period whose execution started before it (not listed by
 * ListPipelineExecutions, as `metrics` measures it) costs one GetPipelineExecution and one
 * ListActionExecutions filtered on that execution, at most 4 at a time: it is listed after the
 * executions of the period, with its start and end read from its actions. A run of the environment
 * whose execution failed with every action succeeded, or that succeeded after a retry no failed
 * action explains (retriedWithoutFailedAction), costs one ListRuleExecutions of its execution, as
 * `metrics` reads it.
 */
export async function fetchHistory(ctx: CommandContext, options: HistoryOptions, state?: GetPipelineStateOutput): Promise<HistoryEntry[]> {
  const since = new Date(ctx.io.now().getTime() - parseSince(options.since ?? '30d'));
  const [listed, actions] = await Promise.all([
    ctx.api.listPipelineExecutions(options.pipeline, { since }),
    ctx.api.listActionExecutions(options.pipeline, { since }),
  ]);
  const byExecution = new Map<string, ActionExecutionDetail[]>();
  const group = (items: ActionExecutionDetail[]) => {
    for (const a of items) {
      const list = byExecution.get(a.pipelineExecutionId ?? '') ?? [];
      list.push(a);
      byExecution.set(a.pipelineExecutionId ?? '', list);
    }
  };
  group(actions);
  const envRuns = new Map(stageRuns(actions).filter((r) => r.stageName === options.env).map((r) => [r.executionId, r]));
  const executions: Execution[] = listed.map((e) => ({ summary: e, revision: revisionOfSummary(e) }));
  if (options.env) {
    // runs of the environment in the period whose execution started before it: read that execution and all its actions
    const known = new Set(listed.map((e) => e.pipelineExecutionId));
    const outside = [...envRuns.keys()].filter((id) => id && !known.has(id));
    const read = await mapLimit(outside, OUTSIDE_CONCURRENCY, async (id) => {
      const [execution, own] = await Promise.all([
        ctx.api.getPipelineExecution(options.pipeline, id),
        ctx.api.listActionExecutions(options.pipeline, { pipelineExecutionId: id }),
      ]);
      return { id, execution, own: own.filter((a) => a.pipelineExecutionId === id) };
    });
    const earlier: Execution[] = [];
    for (const { id, execution, own } of read) {
      // its own listing holds the run's actions before the period too (an approval answered then)
      const run = stageRuns(own).find((r) => r.stageName === options.env);
      if (run) {
        byExecution.delete(id);
        group(own);
        envRuns.set(id, run);
      }
      const starts = own.map((a) => a.startTime?.getTime()).filter((t): t is number => t !== undefined);
      const ends = own.map((a) => a.lastUpdateTime?.getTime()).filter((t): t is number => t !== undefined);
      earlier.push({
        summary: {
          pipelineExecutionId: id,
          status: execution.status,
          trigger: execution.trigger,
          startTime: starts.length ? new Date(Math.min(...starts)) : undefined,
          lastUpdateTime: ends.length ? new Date(Math.max(...ends)) : undefined,
        },
        revision: revisionOfExecution(execution),
      });
    }
    // they started before every execution listed: after them, newest first
    executions.push(...earlier.sort((a, b) => (b.summary.startTime?.getTime() ?? 0) - (a.summary.startTime?.getTime() ?? 0)));
  }
  const structures = new StageStructures(ctx, options.pipeline);
  const environmentResult = (run: StageRun, executionStatus: string | undefined) =>
    stageRunResult(run, executionStatus, mayBeHalfRun(run, executionStatus) ? structures.actionsFor(run, state) : undefined,
      state?.stageStates?.find((stage) => stage.stageName === run.stageName));
  // the versions the runs to judge executed, read before the entries are built
  await structures.settle(() => executions.forEach(({ summary: e }) => {
    const run = envRuns.get(e.pipelineExecutionId ?? '');
    if (run) environmentResult(run, e.status);
  }));
  // a run of the environment whose alarms watched after its deployments failed it (its success
  // conditions): every action succeeded and the execution failed; one ListRuleExecutions per such execution
  const statusOf = new Map(executions.map(({ summary: e }) => [e.pipelineExecutionId ?? '', e.status]));
  // (or whose run succeeded after a retry that no failed action explains: retriedWithoutFailedAction)
  const conditionRuns: ConditionRuns = options.env
    ? await stagesFailedByConditions(ctx, options.pipeline,
      executionsToLookUp([...envRuns.values()], [...byExecution.values()].flat(), (id) => statusOf.get(id), state))
    : { failed: new Map(), ruleRuns: new Map() };
  const resultOf = (run: StageRun, executionStatus: string | undefined) => {
    const result = environmentResult(run, executionStatus);
    return result === 'Succeeded' && conditionRuns.failed.has(stageRunKey(run.executionId, run.stageName)) ? 'Failed' : result;
  };
  // a run that succeeded after a retry: when it failed before (its first failed deployment attempt, or the rule of its success conditions)
  const failedBeforeRetry = (run: StageRun, result: string | undefined): Date | undefined => {
    if (result !== 'Succeeded') return undefined;
    const times = [
      ...run.actions.filter((a) => a.status === 'Failed' && !isApproval(a)).map((a) => a.lastUpdateTime?.getTime()),
      conditionFailureBeforeRetry(run, conditionRuns.ruleRuns.get(stageRunKey(run.executionId, run.stageName)))?.failedAt.getTime(),
    ].filter((t): t is number => t !== undefined);
    return times.length ? new Date(Math.min(...times)) : undefined;
  };
  const entries: HistoryEntry[] = [];
  for (const { summary: e, revision } of executions) {
    const id = e.pipelineExecutionId ?? '';
    const own = byExecution.get(id) ?? [];
    const envRun = options.env ? envRuns.get(id) : undefined;
    if (options.env && !envRun) continue;
    const result = envRun && resultOf(envRun, e.status);
    const failedAt = envRun && failedBeforeRetry(envRun, result);
    const running = e.status === 'InProgress' || e.status === 'Stopping';
    const end = running ? undefined : e.lastUpdateTime;
    entries.push({
      executionId: id,
      status: e.status ?? 'Unknown',
      trigger: e.trigger?.triggerType
        ? `${e.trigger.triggerType}${e.trigger.triggerDetail ? ` (${triggerDetail(e.trigger.triggerDetail)})` : ''}`
        : undefined,
      startTime: e.startTime,
      endTime: end,
      durationMs: e.startTime && end ? end.getTime() - e.startTime.getTime() : undefined,
      revision: mergeRevisions(revisionOfSourceAction(own.find(isSource)), revision),
      environmentResult: result,
      ...(failedAt ? { environmentFailedAt: failedAt } : {}),
      approvals: own.filter(isApproval)
        .filter((a) => !options.env || a.stageName === options.env)
        .map(answerOf),
    });
  }
  return entries;
}

/** Who or what started an execution: a principal's short name, or `connection` for a push through a connection (its ARN says nothing to a reader). */
function triggerDetail(detail: string): string {
  return /^arn:aws[a-z-]*:(codestar-connections|codeconnections):/.test(detail) ? 'connection' : shortPrincipal(detail);
}

export function renderHistory(entries: HistoryEntry[], env?: string): string {
  if (entries.length === 0) return 'no executions in this period';
  const table = new Table({
    head: ['started (UTC)', 'execution', 'revision', 'trigger', 'duration', env ? `${env}` : 'result', 'approvals (times UTC)'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [18, 12, 32, 16, 10, 12, 40],
  });
  for (const e of entries) {
    table.push([
      formatTime(e.startTime).replace(' UTC', ''),
      safeLine(e.executionId.slice(0, 8)),
      describeRevision(e.revision, 22),
      e.trigger ? safeLine(e.trigger) : '—',
      e.durationMs !== undefined ? formatDuration(e.durationMs) : (e.status === 'InProgress' ? 'running' : e.status === 'Stopping' ? 'stopping' : '—'),
      safeLine(env ? (e.environmentResult ? `${e.environmentResult}${e.environmentFailedAt ? ' (retried)' : ''}` : '—') : e.status),
      e.approvals.map((a) => safeLine(`${a.environment}/${a.action}: ${a.decision}${a.by ? ` by ${shortPrincipal(a.by)}` : ''}` +
        `${a.at ? ` ${formatTime(a.at).slice(5, 16)}` : ''}${a.comment ? ` "${a.comment}"` : ''}`)).join('\n') || '—',
    ]);
  }
  return table.toString();
}

/** `cdk-delivery history <pipeline> [--since 30d] [--env name] [--json]` */
export async function historyCommand(ctx: CommandContext, options: HistoryOptions): Promise<number> {
  validateName(options.pipeline, 'pipeline name');
  if (options.env !== undefined) validateName(options.env, 'environment name (--env)');
  parseSince(options.since ?? '30d');
  let state: GetPipelineStateOutput | undefined;
  if (options.env !== undefined) {
    // an unknown environment is an error listing the valid ones, not an empty history; the
    // pipeline's own stages (Source, Build...) are refused, as metrics refuses them
    state = await ctx.api.getPipelineState(options.pipeline);
    findEnvironmentStage(state, options.env, options.pipeline);
  }
  const entries = await fetchHistory(ctx, options, state);
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify(entries, null, 2));
  } else {
    println(ctx.io.stdout, renderHistory(entries, options.env));
  }
  return ExitCode.OK;
}
