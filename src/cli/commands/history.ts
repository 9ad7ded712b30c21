import { ActionExecutionDetail } from '@aws-sdk/client-codepipeline';
import Table from 'cli-table3';
import { CommandContext } from '../context';
import { formatDuration, formatTime, parseSince } from '../duration';
import { ExitCode } from '../errors';
import { println } from '../io';
import {
  describeRevision, findStage, isApproval, isExpiredApproval, isSource, mergeRevisions, Revision, revisionOfSourceAction, revisionOfSummary,
  shortPrincipal, stageRuns, validateName,
} from '../pipeline-model';
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
  readonly approvals: ApprovalAnswer[];
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
 */
export async function fetchHistory(ctx: CommandContext, options: HistoryOptions): Promise<HistoryEntry[]> {
  const since = new Date(ctx.io.now().getTime() - parseSince(options.since ?? '30d'));
  const [executions, actions] = await Promise.all([
    ctx.api.listPipelineExecutions(options.pipeline, { since }),
    ctx.api.listActionExecutions(options.pipeline, { since }),
  ]);
  const runs = stageRuns(actions);
  const byExecution = new Map<string, ActionExecutionDetail[]>();
  for (const a of actions) {
    const list = byExecution.get(a.pipelineExecutionId ?? '') ?? [];
    list.push(a);
    byExecution.set(a.pipelineExecutionId ?? '', list);
  }
  const entries: HistoryEntry[] = [];
  for (const e of executions) {
    const id = e.pipelineExecutionId ?? '';
    const own = byExecution.get(id) ?? [];
    const envRun = options.env ? runs.find((r) => r.executionId === id && r.stageName === options.env) : undefined;
    if (options.env && !envRun) continue;
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
      revision: mergeRevisions(revisionOfSourceAction(own.find(isSource)), revisionOfSummary(e)),
      environmentResult: envRun?.status,
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
      safeLine(env ? (e.environmentResult ?? '—') : e.status),
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
  if (options.env !== undefined) {
    // an unknown environment is an error listing the valid ones, not an empty history
    findStage(await ctx.api.getPipelineState(options.pipeline), options.env, options.pipeline);
  }
  const entries = await fetchHistory(ctx, options);
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify(entries, null, 2));
  } else {
    println(ctx.io.stdout, renderHistory(entries, options.env));
  }
  return ExitCode.OK;
}
