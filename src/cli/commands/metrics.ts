import { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { ActionExecutionDetail, GetPipelineStateOutput, PipelineExecution, PipelineExecutionSummary, StageState } from '@aws-sdk/client-codepipeline';
import Table from 'cli-table3';
import { mapLimit } from '../aws';
import { conditionFailureBeforeRetry, executionsToLookUp, stageRunKey, stagesFailedByConditions } from '../condition-failures';
import { CommandContext } from '../context';
import { DeploymentRecord, EnvironmentMetrics, computeDora } from '../dora';
import { formatDuration, formatTime, parseSince } from '../duration';
import { ExitCode, usageError } from '../errors';
import { barChart, DURATION_AXIS, escapeHtml, htmlPage, lineChart } from '../html';
import { println, writeOutFile } from '../io';
import {
  findEnvironmentStage, isApproval, isCodeDeploy, isRollbackExecution, isSource, mayBeHalfRun, NON_ENVIRONMENT_STAGES, primarySourceRevision,
  revisionOfSourceAction, StageRun, stageRunResult, stageRuns, validateName,
} from '../pipeline-model';
import { StageStructures } from '../stage-structures';
import { safeLine } from '../terminal';

export interface MetricsOptions {
  readonly pipelines: string[];
  readonly since?: string;
  readonly env?: string;
  readonly format?: string;
  readonly out?: string;
  readonly json?: boolean;
}

export const METRICS_FORMATS = ['text', 'json', 'html'];

/** Concurrent BatchGetDeployments calls at most. */
const CODEDEPLOY_CONCURRENCY = 4;

/** Concurrent look-ups of executions that started before the window. */
const OUTSIDE_CONCURRENCY = 4;

function rolledBackOrStopped(d: DeploymentInfo | undefined): boolean {
  if (!d) return false;
  return !!d.rollbackInfo?.rollbackDeploymentId || d.errorInformation?.code === 'ALARM_ACTIVE' ||
    (d.status === 'Stopped' && !!d.rollbackInfo);
}

/**
 * The status of a stage run's record: Failed when an attempt failed and no retry succeeded,
 * Abandoned for a run whose approval was rejected or expired (a change-set review rejected after
 * `<stack>.Prepare`: the stage ended before its deployment), else stageRunResult: a run cut short
 * by a stop or a cancellation (or not gone on yet) before the later actions of its stage, in the
 * pipeline version it executed (`stageActions`), is no deployment, as `history --env` and `status`
 * read it; nor, yet, is a run that its stage (`stage`, GetPipelineState) still runs: InProgress while
 * the alarms watched after its deployments may still fail it.
 */
function runStatus(run: StageRun, failedAttempts: number, execution: PipelineExecutionSummary | PipelineExecution | undefined,
  stageActions: readonly string[] | undefined, stage: StageState | undefined): DeploymentRecord['status'] {
  if (failedAttempts && run.status !== 'Succeeded') return 'Failed';
  const result = stageRunResult(run, execution?.status, stageActions, stage);
  return result === 'Rejected' || result === 'Expired' ? 'Abandoned' : result;
}

/**
 * Reads one pipeline's history since `since` and turns it into deployment records.
 * API calls: ceil(executions/100) ListPipelineExecutions + ceil(actions/100) ListActionExecutions
 * (the two chains run side by side), plus ceil(CodeDeploy deployments/25) BatchGetDeployments,
 * started while the action pages arrive, at most 4 at a time. A stage run in the window whose
 * execution started before it (its summary and Source action are older than `since`) costs one
 * GetPipelineExecution and one ListActionExecutions filtered on that execution, at most 4 at a time;
 * that execution's deployment attempts before `since` (a first attempt that failed before a retry in
 * the window) are part of its run, which then started before the window (an approval that waited
 * since before it does not count as a start).
 *
 * `state` (GetPipelineState, read alongside) gives each stage's actions, to tell a run that stopped
 * before its later actions from a deployment. A run of an execution stopped or still running that
 * executed an earlier pipeline version is judged against the actions its stage had in that version:
 * one GetPipeline per such version (StageStructures), usually none. An execution that failed while
 * every action of it succeeded costs one ListRuleExecutions (stagesFailedByConditions): a run of it
 * that the alarms watched after its deployments failed is Failed, failed when that alarm's rule did.
 * So does a run that succeeded after a retry that no failed action explains (an action run more than
 * once in the execution, or the retries GetPipelineState counts for the stage's latest execution:
 * retriedWithoutFailedAction): when a rule of its stage failed after its actions started, it is a
 * failed change (`failedAt` that rule's failure) that the retry restored when it succeeded. A run
 * with each action run once and no retry counted costs no call.
 */
export async function collectRecords(ctx: CommandContext, pipeline: string, since: Date, env?: string,
  state?: Promise<GetPipelineStateOutput> | GetPipelineStateOutput): Promise<DeploymentRecord[]> {
  const deployments = new Map<string, DeploymentInfo>();
  const pending: Promise<void>[] = [];
  let running = 0;
  let failure: { error: unknown } | undefined;
  const queue: string[][] = [];
  const pump = () => {
    while (running < CODEDEPLOY_CONCURRENCY && queue.length) {
      const batch = queue.shift()!;
      running++;
      pending.push(ctx.api.batchGetDeploymentsOnce(batch).then((infos) => {
        for (const i of infos) if (i.deploymentId) deployments.set(i.deploymentId, i);
      }).catch((e: unknown) => {
        // keep the first error; it is thrown once the listing is done (no unhandled rejection meanwhile)
        failure = failure ?? { error: e };
      }).finally(() => {
        running--;
        if (!failure) pump();
      }));
    }
  };
  const onPage = (items: ActionExecutionDetail[]) => {
    const ids = items
      .filter((a) => isCodeDeploy(a) && (!env || a.stageName === env))
      .map((a) => a.output?.executionResult?.externalExecutionId)
      .filter((id): id is string => !!id);
    for (let i = 0; i < ids.length; i += 25) queue.push(ids.slice(i, i + 25));
    pump();
  };
  const [executions, actions] = await Promise.all([
    ctx.api.listPipelineExecutions(pipeline, { since }),
    ctx.api.listActionExecutions(pipeline, { since, onPage }),
  ]);
  // settle every batch (including those queued by the last pump) before reading results
  while (pending.length) {
    await Promise.all(pending.splice(0));
  }
  if (failure) throw failure.error;

  const byId = new Map<string | undefined, PipelineExecutionSummary | PipelineExecution>(executions.map((e) => [e.pipelineExecutionId, e]));
  const commitTimes = new Map<string, Date>();
  const withSource = new Set<string>();
  const executionStarts = new Map<string, Date>();
  for (const e of executions) {
    if (e.pipelineExecutionId && e.startTime) executionStarts.set(e.pipelineExecutionId, e.startTime);
  }
  const readSource = (a: ActionExecutionDetail) => {
    if (!isSource(a) || !a.pipelineExecutionId) return;
    withSource.add(a.pipelineExecutionId);
    const t = revisionOfSourceAction(a).time;
    if (t) commitTimes.set(a.pipelineExecutionId, t);
  };
  actions.forEach(readSource);
  // runs with work: one of nothing but approvals is no deployment attempt; one with work whose
  // approval was rejected or expired is none either (runStatus), unless an attempt of it failed
  const environmentRuns = (items: ActionExecutionDetail[]) => stageRuns(items).filter((run) =>
    !NON_ENVIRONMENT_STAGES.has(run.stageName) && (!env || run.stageName === env) && run.work.length > 0 && run.startTime);
  let runs = environmentRuns(actions);

  // Runs in the window of executions that started before it: their summary (rollback or not, start)
  // and Source action (commit time) were not listed. Read them one execution at a time.
  // A rollback listed in the window runs no Source action: it needs no such lookup.
  const needsSource = (id: string) => !withSource.has(id) && !(byId.has(id) && isRollbackExecution(byId.get(id)));
  const outside = [...new Set(runs
    .filter((r) => r.status === 'Succeeded' || r.status === 'Failed' || r.failedBeforeRetry)
    .filter((r) => !byId.has(r.executionId) || needsSource(r.executionId))
    .map((r) => r.executionId))];
  const earlier: ActionExecutionDetail[] = [];
  await mapLimit(outside, OUTSIDE_CONCURRENCY, async (id) => {
    const [execution, own] = await Promise.all([
      byId.has(id) ? undefined : ctx.api.getPipelineExecution(pipeline, id),
      needsSource(id) ? ctx.api.listActionExecutions(pipeline, { pipelineExecutionId: id }) : [],
    ]);
    if (execution) byId.set(id, execution);
    own.forEach(readSource);
    // an approval that waited since before the window does not move the run's start: its deployment attempts do
    earlier.push(...own.filter((a) => a.startTime && a.startTime < since && !isApproval(a)));
    if (!executionStarts.has(id)) {
      const starts = [...own, ...actions]
        .filter((a) => a.pipelineExecutionId === id)
        .map((a) => a.startTime?.getTime())
        .filter((t): t is number => t !== undefined);
      if (starts.length) executionStarts.set(id, new Date(Math.min(...starts)));
    }
  });
  // the attempts before the window of the runs read again: a run retried in the window started before it
  if (earlier.length) runs = environmentRuns([...actions, ...earlier]);
  const current = await state;
  const structures = new StageStructures(ctx, pipeline);
  // the actions each run's stage had in the version it executed, for the runs a stop may have cut short
  const stageActionsOf = (run: StageRun) => (mayBeHalfRun(run, byId.get(run.executionId)?.status) ? structures.actionsFor(run, current) : undefined);
  await structures.settle(() => runs.forEach(stageActionsOf));
  // a stage failed by the alarms watched after its deployments (its success conditions): every
  // action succeeded and the execution failed, or the run succeeded after a retry that no failed
  // action explains; one ListRuleExecutions per such execution says so
  const conditionRuns = await stagesFailedByConditions(ctx, pipeline,
    executionsToLookUp(runs, [...actions, ...earlier], (id) => byId.get(id)?.status, current));
  const failedByConditions = conditionRuns.failed;

  const records: DeploymentRecord[] = [];
  for (const run of runs) {
    if (!run.startTime) continue;
    const summary = byId.get(run.executionId);
    // every attempt counts: a deployment that failed and was retried (RetryStageExecution) is a
    // failed change; when the retry succeeded, it is also a deployment, which restored the environment
    const failedAttempts = run.actions.filter((a) => a.status === 'Failed' && !isApproval(a));
    const key = stageRunKey(run.executionId, run.stageName);
    const stage = current?.stageStates?.find((st) => st.stageName === run.stageName);
    const actionStatus = runStatus(run, failedAttempts.length, summary, stageActionsOf(run), stage);
    // its deployments succeeded, then an alarm watched for the bake time failed the stage: a failed change, failed then
    const byCondition = actionStatus === 'Succeeded' && failedByConditions.has(key);
    const status = byCondition ? 'Failed' : actionStatus;
    // a rule of the stage that failed after the actions started, whatever a retry did then: its first failure counts
    const ruleFailure = actionStatus === 'Succeeded' ? conditionFailureBeforeRetry(run, conditionRuns.ruleRuns.get(key)) : undefined;
    // or they failed it, and a retry of the stage then succeeded: a failed change, restored at the retry's success
    const beforeRetry = byCondition ? undefined : ruleFailure;
    const conditionFailure = byCondition
      ? [(failedByConditions.get(key) ?? run.endTime)?.getTime(), ruleFailure?.failedAt.getTime()]
        .filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0]
      : beforeRetry?.failedAt.getTime();
    const firstFailure = [...failedAttempts.map((a) => a.lastUpdateTime?.getTime()), conditionFailure]
      .filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
    // each action's latest attempt: a CodeDeploy rollback of an attempt that a retry then fixed is that attempt's failure
    const autoRolledBack = run.work
      .filter(isCodeDeploy)
      .some((a) => rolledBackOrStopped(deployments.get(a.output?.executionResult?.externalExecutionId ?? '')));
    records.push({
      pipeline,
      environment: run.stageName,
      executionId: run.executionId,
      kind: isRollbackExecution(summary) ? 'rollback' : 'deployment',
      status,
      startTime: run.startTime,
      // a retry that ran only the conditions again ended when they passed, after the actions
      endTime: beforeRetry?.passedAt && run.endTime && beforeRetry.passedAt > run.endTime ? beforeRetry.passedAt
        : run.endTime ?? (failedAttempts.length ? failedAttempts[0].lastUpdateTime : undefined),
      // the change failed when its first attempt failed, whatever its retries did
      ...(firstFailure !== undefined ? { failedAt: new Date(firstFailure) } : {}),
      ...(summary?.rollbackMetadata?.rollbackTargetPipelineExecutionId
        ? { rollbackTarget: summary.rollbackMetadata.rollbackTargetPipelineExecutionId } : {}),
      commitTime: commitTimes.get(run.executionId),
      executionStartTime: executionStarts.get(run.executionId),
      revision: primarySourceRevision((summary as PipelineExecutionSummary | undefined)?.sourceRevisions, (r) => r.actionName)?.revisionId
        ?? primarySourceRevision((summary as PipelineExecution | undefined)?.artifactRevisions, (r) => r.name)?.revisionId,
      autoRolledBack,
    });
  }
  return records;
}

function pct(v: number | undefined): string {
  return v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}

function perDay(m: EnvironmentMetrics): string {
  if (m.deploymentsPerDay >= 1 || m.deploymentsPerDay === 0) return `${m.deploymentsPerDay.toFixed(2)}/day`;
  return `${(m.deploymentsPerDay * 7).toFixed(2)}/week`;
}

export function renderMetricsText(metrics: EnvironmentMetrics[], since: Date, until: Date): string {
  if (metrics.length === 0) return `no deployments between ${formatTime(since)} and ${formatTime(until)}`;
  const table = new Table({
    head: ['pipeline', 'environment', 'deployments', 'frequency', 'lead time (median / p90)', 'change failure rate', 'time to restore (median)'],
    style: { head: [], border: [] },
  });
  for (const m of metrics) {
    table.push([
      m.pipeline,
      safeLine(m.environment),
      String(m.deployments),
      perDay(m),
      m.leadTimeMedianMs === undefined ? 'n/a' : `${formatDuration(m.leadTimeMedianMs)} / ${formatDuration(m.leadTimeP90Ms)}`,
      `${pct(m.changeFailureRate)} (${m.failedChanges}/${m.changes})`,
      m.timeToRestoreMedianMs === undefined
        ? (m.openFailures ? 'not restored yet' : 'n/a')
        : `${formatDuration(m.timeToRestoreMedianMs)} (${m.restores} restored${m.openFailures ? ', 1 open' : ''})`,
    ]);
  }
  return `DORA metrics from ${formatTime(since)} to ${formatTime(until)}\n${table.toString()}`;
}

/**
 * The time to restore card's value and line under it: the median, or `not restored yet` while the
 * only failure is still open (as the text table says), or `n/a` without any failure.
 */
function timeToRestoreCard(m: EnvironmentMetrics): [string, string] {
  const open = m.openFailures ? '1 failure still open' : '';
  if (m.timeToRestoreMedianMs !== undefined) return [formatDuration(m.timeToRestoreMedianMs), `median of ${m.restores} restored${open ? `; ${open}` : ''}`];
  return open ? ['not restored yet', open] : ['n/a', 'no failure in this period'];
}

export function renderMetricsHtml(metrics: EnvironmentMetrics[], since: Date, until: Date): string {
  const sections = metrics.map((m, i) => {
    const card = (title: string, value: string, sub: string) =>
      `<div class="card"><h3>${escapeHtml(title)}</h3><div class="kpi">${escapeHtml(value)}</div><div class="sub">${escapeHtml(sub)}</div></div>`;
    return `<section class="environment" data-environment="${escapeHtml(m.environment)}">
<h2>${escapeHtml(m.pipeline)} · ${escapeHtml(m.environment)}</h2>
<div class="cards">
${card('Deployment frequency', perDay(m), `${m.deployments} successful deployments in ${m.windowDays} days`)}
${card('Lead time for changes', m.leadTimeMedianMs === undefined ? 'n/a' : formatDuration(m.leadTimeMedianMs), m.leadTimeP90Ms === undefined ? 'no deployment' : `median; p90 ${formatDuration(m.leadTimeP90Ms)}`)}
${card('Change failure rate', pct(m.changeFailureRate), `${m.failedChanges} of ${m.changes} changes failed`)}
${card('Time to restore', ...timeToRestoreCard(m))}
</div>
<div class="charts">
<div class="card"><h3>Deployments per day (UTC)</h3>${barChart(`deployments-${i}`, 'Deployments per day (UTC days)', m.daily.map((d) => ({ label: d.day, value: d.deployments })), '#2563eb')}</div>
<div class="card"><h3>Lead time trend</h3>${lineChart(`leadtime-${i}`, 'Lead time trend', m.leadTimes.map((l) => ({ x: l.deployedAt, y: l.leadTimeMs })), since, until, DURATION_AXIS, '#7c3aed')}</div>
<div class="card"><h3>Failures per day (UTC)</h3>${barChart(`failures-${i}`, 'Failures per day (UTC days)', m.daily.map((d) => ({ label: d.day, value: d.failures })), '#b91c1c')}</div>
</div>
</section>`;
  }).join('\n');
  const pipelines = [...new Set(metrics.map((m) => m.pipeline))].join(', ');
  return htmlPage(`Delivery metrics${pipelines ? ` — ${pipelines}` : ''}`, `From ${formatTime(since)} to ${formatTime(until)}`,
    sections || '<p>No deployments in this period.</p>');
}

/** `cdk-delivery metrics <pipeline...> [--since 30d] [--env name] [--format text|json|html] [--out file]` */
export async function metricsCommand(ctx: CommandContext, options: MetricsOptions): Promise<number> {
  if (options.pipelines.length === 0) throw usageError('metrics: name at least one pipeline');
  options.pipelines.forEach((p) => validateName(p, 'pipeline name'));
  if (options.env !== undefined) validateName(options.env, 'environment name (--env)');
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!METRICS_FORMATS.includes(format)) {
    throw usageError(`--format: unknown format '${format}'; use one of ${METRICS_FORMATS.join(', ')}`);
  }
  const until = ctx.io.now();
  const since = new Date(until.getTime() - parseSince(options.since ?? '30d'));
  // a pipeline named twice is read (and counted) once
  const pipelines = [...new Set(options.pipelines)];
  // The stages of each pipeline: every environment is reported in pipeline order, with zeros when
  // nothing was deployed to it in the window.
  const readStates = () => Promise.all(pipelines.map((p) => ctx.api.getPipelineState(p)));
  let states: GetPipelineStateOutput[];
  let records: DeploymentRecord[];
  if (options.env !== undefined) {
    // an unknown environment is an error listing the valid ones, not an empty report
    const env = options.env;
    states = await readStates();
    states.forEach((state, i) => findEnvironmentStage(state, env, pipelines[i]));
    records = (await Promise.all(pipelines.map((p, i) => collectRecords(ctx, p, since, env, states[i])))).flat();
  } else {
    const reading = readStates();
    // a failed GetPipelineState is reported once, by the Promise.all below, not also as an unhandled rejection
    reading.catch(() => undefined);
    const stateOf = (i: number) => {
      const one = reading.then((all) => all[i]);
      one.catch(() => undefined);
      return one;
    };
    const collecting = Promise.all(pipelines.map((p, i) => collectRecords(ctx, p, since, undefined, stateOf(i))));
    const [read, collected] = await Promise.all([reading, collecting]);
    states = read;
    records = collected.flat();
  }
  const environments = pipelines.map((pipeline, i) => ({
    pipeline,
    environments: options.env !== undefined ? [options.env] : (states[i].stageStates ?? [])
      .map((s) => s.stageName ?? '').filter((name) => name && !NON_ENVIRONMENT_STAGES.has(name)),
  }));
  const metrics = computeDora(records, { since, until, environments });
  let output: string;
  if (format === 'json') {
    output = JSON.stringify({ since, until, environments: metrics }, null, 2);
  } else if (format === 'html') {
    output = renderMetricsHtml(metrics, since, until);
  } else {
    output = renderMetricsText(metrics, since, until);
  }
  if (options.out) {
    writeOutFile(ctx.io, options.out, output);
    println(ctx.io.stderr, `wrote ${options.out}`);
  } else {
    println(ctx.io.stdout, output.replace(/\n$/, ''));
  }
  return ExitCode.OK;
}
