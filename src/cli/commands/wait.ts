import { ActionExecutionDetail, ActionState, GetPipelineStateOutput, RuleExecutionDetail, StageState } from '@aws-sdk/client-codepipeline';
import ora from 'ora';
import { conditionFailure, conditionsChecked, ruleRunsFailure, stageConditions } from '../conditions';
import { CommandContext } from '../context';
import { formatDuration } from '../duration';
import { CliError, ExitCode } from '../errors';
import { println } from '../io';
import { APPROVAL_ACTION_NAMES, failureMessage, stageRuns } from '../pipeline-model';
import { safeLine } from '../terminal';

const DONE_OK = new Set(['Succeeded']);
const DONE_BAD = new Set(['Failed', 'Stopped', 'Cancelled', 'Abandoned', 'Rejected', 'Expired', 'Skipped']);
/** Pipeline execution statuses after which an execution that has not reached the stage never will. */
const EXECUTION_ENDED = new Set(['Superseded', 'Stopped', 'Cancelled', 'Failed', 'Succeeded']);
/** Polls in a row that may show the stage without any execution before waiting stops (exit 3). */
export const MAX_POLLS_WITHOUT_EXECUTION = 3;

/**
 * How a message ends when waiting stops before the execution followed ended there (an error while
 * polling, `--timeout`): the command's action was accepted before the wait began, so it stays done.
 * `goesOn`: the execution is known to go on (not for an execution or environment no longer found).
 */
function stoppedWaiting(pipeline: string, executionId: string, goesOn = true): string {
  return `stopped waiting for execution ${executionId}${goesOn ? ', which goes on in CodePipeline' : ''}: `
    + `what the command did stays done, do not run it again (see: cdk-delivery status ${pipeline})`;
}

/** An error that ends a wait, its message already saying that what the command did stays done. */
class WaitStopped extends CliError {}

/**
 * The error that ends a wait when polling failed (throttled, denied, the endpoint unreachable...):
 * its message, then that the execution goes on and what the command did stays done; same exit code.
 */
function whileWaiting(error: unknown, pipeline: string, executionId: string): CliError {
  if (error instanceof WaitStopped) return error;
  const cause = error instanceof CliError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  return new WaitStopped(`${cause}; ${stoppedWaiting(pipeline, executionId)}`, error instanceof CliError ? error.exitCode : ExitCode.FAILED);
}

export interface WaitOptions {
  /** Stop waiting after this many milliseconds (`--timeout`); the stage goes on in CodePipeline. */
  readonly timeoutMs?: number;
  /**
   * retry: the stage as it was before RetryStageExecution (same execution id). Until the stage
   * changes (another status, or a newer action status change), its old Failed state is not the
   * retry's result.
   */
  readonly before?: { readonly status?: string; readonly lastChange: number };
  /**
   * approve: the answered approval (its action name, and when CodePipeline recorded the answer),
   * and the actions of the stage with a later run order (`later`, from GetPipeline). Those run after
   * the answer, so one whose last change is older shows the state of an earlier execution and is
   * reported as not started. Without `later`, every action is shown as GetPipelineState gives it.
   */
  readonly answered?: { readonly actionName: string; readonly at: Date; readonly later?: ReadonlySet<string> };
}

/** The options every command that acts on one environment's stage takes (approve, reject, retry, rollback). */
export interface StageActionOptions extends WaitOptions {
  readonly pipeline: string;
  readonly env: string;
  /** Follow the stage to its end (`--wait`). */
  readonly wait?: boolean;
  readonly json?: boolean;
}

/**
 * The rules that failed `executionId` (ListRuleExecutions of that execution), once its actions in
 * the stage succeeded and it failed: `here`, the stage's rules whose newest run for it failed (an
 * alarm watched after the deployments), and `later`, whether a rule of another stage that started
 * after the stage's run ended failed it (an entry alarm of a later environment). Undefined, with a
 * warning, when access is denied (a grant of an earlier version of this library).
 */
async function failedRules(ctx: CommandContext, pipeline: string, stageName: string, executionId: string, runEnd: Date | undefined,
  beforeWarning: () => void): Promise<{ here: RuleExecutionDetail[]; later: boolean } | undefined> {
  let runs: RuleExecutionDetail[];
  try {
    runs = (await ctx.api.listRuleExecutions(pipeline, { pipelineExecutionId: executionId }))
      .filter((r) => r.pipelineExecutionId === undefined || r.pipelineExecutionId === executionId);
  } catch (e) {
    if (!(e instanceof CliError) || e.exitCode !== ExitCode.ACCESS_DENIED) throw e;
    beforeWarning();
    println(ctx.io.stderr, safeLine(`cdk-delivery: warning: ${e.message}; cannot tell which condition failed execution ${executionId}`));
    return undefined;
  }
  const time = (r: RuleExecutionDetail) => (r.lastUpdateTime ?? r.startTime)?.getTime() ?? 0;
  // the newest run of each rule of the stage (the order of the list is not documented)
  const newest = new Map<string, RuleExecutionDetail>();
  for (const r of runs.filter((x) => x.stageName === stageName)) {
    const seen = newest.get(r.ruleName ?? '?');
    if (!seen || time(r) > time(seen)) newest.set(r.ruleName ?? '?', r);
  }
  return {
    here: [...newest.values()].filter((r) => r.status === 'Failed'),
    later: runs.some((r) => r.stageName !== stageName && r.status === 'Failed' && runEnd !== undefined
      && (r.startTime?.getTime() ?? 0) >= runEnd.getTime()),
  };
}

/** Progress output of a wait: a spinner on a terminal, one line per change otherwise. */
function startProgress(ctx: CommandContext, text: string): { spinner?: ora.Ora; progress: (text: string) => void } {
  const tty = Boolean(ctx.io.stderr.isTTY);
  const spinner = tty
    ? ora({ text, stream: ctx.io.stderr as unknown as NodeJS.WritableStream, isEnabled: true })
    : undefined;
  spinner?.start();
  let lastLine = '';
  const progress = (next: string) => {
    const line = safeLine(next);
    if (line === lastLine) return;
    lastLine = line;
    if (spinner) spinner.text = line;
    else println(ctx.io.stderr, line);
  };
  return { spinner, progress };
}

/** Ends a wait with a result line: the spinner's mark on a terminal, a plain line otherwise. */
function finish(ctx: CommandContext, spinner: ora.Ora | undefined, ok: boolean, text: string): void {
  const line = safeLine(text);
  if (spinner) {
    if (ok) spinner.succeed(line);
    else spinner.fail(line);
  } else {
    println(ctx.io.stderr, line);
  }
}

/** The latest status change of a stage's actions (epoch ms, 0 when none). */
export function lastStatusChange(stage: StageState | undefined): number {
  return (stage?.actionStates ?? [])
    .map((a) => a.latestExecution?.lastStatusChange?.getTime() ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
}

/**
 * Polls a stage until the given execution ends in it, with progress output (a spinner on a TTY,
 * plain lines otherwise). Returns 0 only if the stage succeeded, 1 when it failed, was rejected,
 * skipped or abandoned, 8 when `timeoutMs` ran out first; throws a not-found error (exit 3) when
 * the stage left the pipeline or shows no execution for MAX_POLLS_WITHOUT_EXECUTION polls. An
 * error while polling (throttled, denied...) keeps its exit code; its message adds that the
 * execution goes on and what the command did stays done, as every early end of the wait says.
 */
export async function waitForStage(
  ctx: CommandContext, pipeline: string, stageName: string, executionId: string, options: WaitOptions = {},
): Promise<number> {
  const deadline = options.timeoutMs !== undefined ? ctx.io.now().getTime() + options.timeoutMs : undefined;
  const { spinner, progress } = startProgress(ctx, `waiting for ${stageName}`);
  let changed = !options.before;
  let pollsWithoutExecution = 0;
  // an execution just started (a rollback, a retry) may not be readable at once: wait up to 3 polls for it
  let pollsExecutionMissing = 0;
  const readExecution = async (): Promise<{ status?: string }> => {
    const execution = await ctx.api.findPipelineExecution(pipeline, executionId);
    if (execution) {
      pollsExecutionMissing = 0;
      return execution;
    }
    if (++pollsExecutionMissing >= MAX_POLLS_WITHOUT_EXECUTION) {
      throw new WaitStopped(`execution ${executionId} of pipeline '${pipeline}' was not found in ${MAX_POLLS_WITHOUT_EXECUTION} polls in a row; `
        + stoppedWaiting(pipeline, executionId, false), ExitCode.NOT_FOUND);
    }
    return { status: 'InProgress' };
  };
  let interrupted = false;
  const stopInterrupt = ctx.io.onInterrupt?.(() => {
    interrupted = true;
    spinner?.stop();
    println(ctx.io.stderr, `${stageName}: stopped waiting (interrupted); what was done stays done and the stage goes on in CodePipeline `
      + `(cdk-delivery status ${pipeline})`);
  });
  try {
    for (let poll = 1; ; poll++) {
      const state = await ctx.api.getPipelineState(pipeline);
      const stage = (state.stageStates ?? []).find((s) => s.stageName === stageName);
      if (!stage) {
        throw new WaitStopped(`environment '${stageName}' is no longer in pipeline '${pipeline}'; ${stoppedWaiting(pipeline, executionId, false)}`,
          ExitCode.NOT_FOUND);
      }
      const latest = stage.latestExecution;
      pollsWithoutExecution = latest?.pipelineExecutionId ? 0 : pollsWithoutExecution + 1;
      let status: string;
      let failure: string | undefined;
      if (latest?.pipelineExecutionId === executionId) {
        status = latest.status ?? 'InProgress';
        const answered = options.answered;
        // each action's state in this execution (undefined: an earlier execution's, this one has not reached it)
        const stale = (a: ActionState) => a.actionName !== undefined && answered?.later?.has(a.actionName) === true
          && a.latestExecution?.lastStatusChange !== undefined && a.latestExecution.lastStatusChange.getTime() < answered.at.getTime();
        const current = (stage.actionStates ?? []).map((a) => ({ name: a.actionName, e: stale(a) ? undefined : a.latestExecution }));
        const parts = current.map(({ name, e }) => {
          const pct = e?.percentComplete !== undefined && e.status === 'InProgress' ? ` ${e.percentComplete}%` : '';
          return `${name} ${e?.status ?? 'not started'}${pct}`;
        });
        // the stage's conditions: the deployment window or alarms checked before entry, alarms watched after the deployments
        const conditions = stageConditions(stage);
        // how long they have been checked only on a terminal: a plain line is printed again at each change,
        // and a duration changes at every poll (a line per poll for the whole bake time)
        const checking = conditionsChecked(stageName, conditions, spinner ? ctx.io.now() : undefined);
        failure = current
          .filter(({ e }) => e?.status === 'Failed')
          .map(({ name, e }) => `${name}${e?.errorDetails?.message ? `: ${e.errorDetails.message}` : ''}`)[0]
          // no action failed: a condition did (an entry alarm in ALARM, an alarm in ALARM during the bake time)
          ?? (status === 'Failed' ? conditionFailure(stageName, conditions)?.message : undefined);
        // another approval of the stage waits for a person (a change-set review after the approval answered)
        const approval = current.find(({ name, e }) => e?.status === 'InProgress' && name !== answered?.actionName
          && (e.token !== undefined || APPROVAL_ACTION_NAMES.has(name ?? '')));
        if (!changed && status === options.before?.status && lastStatusChange(stage) <= options.before.lastChange) {
          // the stage still shows how it was before the retry
          status = 'InProgress';
          progress(`${stageName}: waiting for the retry to start`);
        } else {
          changed = true;
          progress(status === 'InProgress' && approval
            ? waitingForApproval(pipeline, stageName, executionId, approval.name)
            : `${stageName}: ${status}${parts.length ? ` — ${parts.join(', ')}` : ''}${status === 'InProgress' && checking ? `; ${checking}` : ''}`);
        }
      } else {
        // Our execution is not the stage's latest: it ended there and another one entered, or it has
        // not reached the stage yet (a rollback or retry that just started). Read its own actions.
        const actions = await ctx.api.listActionExecutions(pipeline, { pipelineExecutionId: executionId });
        const run = stageRuns(actions).find((r) => r.stageName === stageName);
        if (run) {
          status = run.status;
          failure = failureMessage(run.actions);
          if (status === 'Succeeded' && !actions.some((a) => a.stageName !== stageName && (a.startTime?.getTime() ?? 0) >= (run.endTime?.getTime() ?? 0))) {
            // The actions so far succeeded, but the next ones may not have started yet (the deployment
            // after an approval, the next run order): the stage is done once the execution moved on or ended.
            const execution = await readExecution();
            if (execution.status !== 'Succeeded') {
              const ended = execution.status && EXECUTION_ENDED.has(execution.status) ? execution.status : undefined;
              status = ended ? 'Abandoned' : 'InProgress';
              failure = ended ? `execution ${executionId} is ${ended}` : undefined;
              if (ended === 'Failed') {
                const rules = await failedRules(ctx, pipeline, stageName, executionId, run.endTime, () => spinner?.clear());
                if (rules?.here.length) {
                  // its actions succeeded and it failed: a rule of the stage's conditions failed it (an
                  // alarm watched after the deployments, which then rolls the stage back)
                  const rollback = stage.latestExecution?.type === 'ROLLBACK' ? stage.latestExecution.pipelineExecutionId : undefined;
                  status = 'Failed';
                  failure = `${ruleRunsFailure(stageName, stageConditions(stage), rules.here)}${rollback ? `; rolled back by execution ${rollback}` : ''}`;
                } else if (rules?.later) {
                  // a condition of a later stage failed it (an entry alarm there): this stage was done
                  status = 'Succeeded';
                  failure = undefined;
                }
              }
            }
          }
          const approval = run.approvals.find((a) => a.status === 'InProgress' && a.actionName !== options.answered?.actionName);
          if (status === 'InProgress') {
            progress(approval ? waitingForApproval(pipeline, stageName, executionId, approval.actionName) : `${stageName}: InProgress — execution ${executionId}`);
          }
        } else {
          const execution = await readExecution();
          const ended = execution.status && EXECUTION_ENDED.has(execution.status) ? execution.status : undefined;
          if (ended) {
            status = ended === 'Succeeded' ? 'Skipped' : 'Abandoned';
            failure = `execution ${executionId} ${ended === 'Succeeded' ? 'succeeded without running the stage' : `is ${ended}`}`;
          } else {
            status = 'InProgress';
            progress(`${stageName}: waiting for execution ${executionId} to reach the stage`);
          }
        }
      }
      if (DONE_OK.has(status)) {
        spinner?.succeed(`${stageName} succeeded`);
        if (!spinner) println(ctx.io.stderr, `${stageName} succeeded`);
        return ExitCode.OK;
      }
      if (DONE_BAD.has(status)) {
        const text = safeLine(`${stageName} ${status.toLowerCase()}${failure ? `: ${failure}` : status === 'Skipped' ? ' (the stage did not run)' : ''}`);
        spinner?.fail(text);
        if (!spinner) println(ctx.io.stderr, text);
        return ExitCode.FAILED;
      }
      if (pollsWithoutExecution >= MAX_POLLS_WITHOUT_EXECUTION) {
        throw new WaitStopped(`environment '${stageName}' of pipeline '${pipeline}' shows no execution any more (was the pipeline updated?); `
          + stoppedWaiting(pipeline, executionId, false), ExitCode.NOT_FOUND);
      }
      if (ctx.maxRefreshes !== undefined && poll >= ctx.maxRefreshes) {
        spinner?.stop();
        println(ctx.io.stderr, `${stageName} still ${words(status)}; stopped waiting`);
        return ExitCode.FAILED;
      }
      const left = deadline === undefined ? undefined : deadline - ctx.io.now().getTime();
      if (left !== undefined && left <= 0) {
        spinner?.stop();
        println(ctx.io.stderr, `${stageName} still ${words(status)} after ${formatDuration(options.timeoutMs)}; ${stoppedWaiting(pipeline, executionId)}`);
        return ExitCode.TIMED_OUT;
      }
      await ctx.io.sleep(left === undefined ? ctx.pollIntervalMs : Math.min(ctx.pollIntervalMs, left));
    }
  } catch (e) {
    // Ctrl-C: the handler said so, and the process exits
    if (interrupted) throw e;
    throw whileWaiting(e, pipeline, executionId);
  } finally {
    stopInterrupt?.();
    if (spinner?.isSpinning) spinner.stop();
  }
}

/** The progress line of a stage whose execution waits for a person to answer one of its approvals, and the command that answers it. */
function waitingForApproval(pipeline: string, stageName: string, executionId: string, actionName: string | undefined): string {
  return `${stageName}: waiting for approval ${actionName ?? 'Approve'} (cdk-delivery approve ${pipeline} --env ${stageName} --execution ${executionId})`;
}

/** `InProgress` → `in progress`. */
function words(status: string): string {
  return status.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Pipeline execution statuses that end an execution. */
const EXECUTION_DONE = new Set(['Succeeded', 'Failed', 'Stopped', 'Superseded', 'Cancelled']);

export interface ExecutionWaitOptions extends WaitOptions {
  /**
   * `end` (start): exit 0 only if the execution succeeds. `stopped` (stop): exit 0 once it is
   * Stopped; another end (it succeeded, failed... before it stopped) exits 1.
   */
  readonly goal: 'end' | 'stopped';
}

/**
 * Where an execution is, read from GetPipelineState: `in prod (Deploy)` while a stage runs it
 * (`in prod (Deploy), stopping` while it is being stopped and its actions in progress finish),
 * `waiting to enter prod` (`, frozen` when the stage's inbound transition is disabled) while it
 * waits before a stage; undefined when the state shows it nowhere (between stages, or in PARALLEL
 * mode, where the state shows each stage's latest execution only).
 */
export function executionWhereabouts(state: GetPipelineStateOutput | undefined, executionId: string): string | undefined {
  const stages = state?.stageStates ?? [];
  for (const s of stages) {
    const status = s.latestExecution?.status;
    if (s.latestExecution?.pipelineExecutionId === executionId && (status === 'InProgress' || status === 'Stopping')) {
      const running = (s.actionStates ?? []).filter((a) => a.latestExecution?.status === 'InProgress').map((a) => a.actionName ?? '?');
      return `in ${s.stageName}${running.length ? ` (${running.join(', ')})` : ''}${status === 'Stopping' ? ', stopping' : ''}`;
    }
  }
  for (const s of stages) {
    const inbound = s.inboundExecutions ?? (s.inboundExecution ? [s.inboundExecution] : []);
    if (inbound.some((e) => e.pipelineExecutionId === executionId)) {
      return `waiting to enter ${s.stageName}${s.inboundTransitionState?.enabled === false ? ', frozen' : ''}`;
    }
  }
  return undefined;
}

/** The failure of an execution, from the stage the state shows it failed in: `staging: Deploy: stack rollback`. */
function executionFailure(state: GetPipelineStateOutput | undefined, executionId: string): string | undefined {
  const stage = (state?.stageStates ?? []).find((s) => s.latestExecution?.pipelineExecutionId === executionId && s.latestExecution.status === 'Failed');
  if (!stage) return undefined;
  const failed = (stage.actionStates ?? []).find((a) => a.latestExecution?.status === 'Failed');
  const message = failed?.latestExecution?.errorDetails?.message;
  return `${stage.stageName}${failed ? `: ${failed.actionName}${message ? `: ${message}` : ''}` : ''}`;
}

/**
 * The failure of an execution read from its own action executions (ListActionExecutions filtered
 * on it), for when GetPipelineState no longer shows it where it failed: another execution entered
 * that stage since. `staging: Deploy: stack rollback`, from the latest attempt of each action (one
 * that failed and then succeeded when retried is no failure); undefined when no action of it failed
 * (a condition failed it), or, with a warning, when the list cannot be read (the result stays exit 1).
 */
async function failureFromActions(
  ctx: CommandContext, pipeline: string, executionId: string, beforeWarning: () => void,
): Promise<string | undefined> {
  let actions: ActionExecutionDetail[];
  try {
    actions = await ctx.api.listActionExecutions(pipeline, { pipelineExecutionId: executionId, maxPages: 10 });
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    beforeWarning();
    println(ctx.io.stderr, safeLine(`cdk-delivery: warning: ${e.message}; cannot tell which action failed execution ${executionId}`));
    return undefined;
  }
  const run = stageRuns(actions.filter((a) => a.pipelineExecutionId === undefined || a.pipelineExecutionId === executionId))
    .filter((r) => r.status === 'Failed' || r.status === 'Rejected' || r.status === 'Expired')
    .sort((a, b) => (b.endTime?.getTime() ?? 0) - (a.endTime?.getTime() ?? 0))[0];
  if (!run) return undefined;
  const failure = failureMessage([...run.work, ...run.approvals]);
  return `${run.stageName}${failure ? `: ${failure}` : ''}`;
}

/**
 * Polls a pipeline execution (GetPipelineExecution for its status, GetPipelineState for where it
 * is) until it ends, or for `goal: 'stopped'` until it is Stopped, with the progress output of
 * waitForStage. Returns 0 when the goal is reached, 1 when the execution ended otherwise, 8 when
 * `timeoutMs` ran out first; throws a not-found error (exit 3) when the execution is not found for
 * MAX_POLLS_WITHOUT_EXECUTION polls in a row (a new execution may take a moment to be readable).
 * An error while polling keeps its exit code; its message adds that the execution goes on and
 * what the command did stays done. A failure is named by the stage and action that failed.
 */
export async function waitForExecution(ctx: CommandContext, pipeline: string, executionId: string, options: ExecutionWaitOptions): Promise<number> {
  const deadline = options.timeoutMs !== undefined ? ctx.io.now().getTime() + options.timeoutMs : undefined;
  const { spinner, progress } = startProgress(ctx, `waiting for execution ${executionId}`);
  let interrupted = false;
  const stopInterrupt = ctx.io.onInterrupt?.(() => {
    interrupted = true;
    spinner?.stop();
    println(ctx.io.stderr, `execution ${executionId}: stopped waiting (interrupted); what was done stays done and the execution goes on in CodePipeline `
      + `(cdk-delivery status ${pipeline})`);
  });
  let missing = 0;
  try {
    for (let poll = 1; ; poll++) {
      const [execution, state] = await Promise.all([
        ctx.api.getPipelineExecution(pipeline, executionId).catch((e: unknown) => {
          if (e instanceof CliError && e.exitCode === ExitCode.NOT_FOUND && /GetPipelineExecution/.test(e.message)) return undefined;
          throw e;
        }),
        ctx.api.getPipelineState(pipeline),
      ]);
      missing = execution ? 0 : missing + 1;
      if (missing >= MAX_POLLS_WITHOUT_EXECUTION) {
        throw new WaitStopped(`execution ${executionId} of pipeline '${pipeline}' was not found in ${missing} polls in a row; `
          + stoppedWaiting(pipeline, executionId, false), ExitCode.NOT_FOUND);
      }
      const status = execution?.status ?? 'InProgress';
      const summary = execution?.statusSummary ? `: ${execution.statusSummary}` : '';
      if (options.goal === 'stopped' ? status === 'Stopped' : status === 'Succeeded') {
        finish(ctx, spinner, true, `execution ${executionId} ${status.toLowerCase()}`);
        return ExitCode.OK;
      }
      if (EXECUTION_DONE.has(status)) {
        // the stage it failed in may show another execution since (a newer one entered it): then its own actions tell
        const failure = status !== 'Failed' || options.goal !== 'end' ? undefined
          : executionFailure(state, executionId) ?? await failureFromActions(ctx, pipeline, executionId, () => spinner?.clear());
        const text = options.goal === 'stopped'
          ? `execution ${executionId} ended ${status} before it stopped${summary}`
          : `execution ${executionId} ${status.toLowerCase()}${failure ? ` in ${failure}` : summary}`;
        finish(ctx, spinner, false, text);
        return ExitCode.FAILED;
      }
      const where = executionWhereabouts(state, executionId);
      progress(`execution ${executionId}: ${execution ? status : 'not readable yet'}${where ? ` — ${where}` : ''}`);
      if (ctx.maxRefreshes !== undefined && poll >= ctx.maxRefreshes) {
        spinner?.stop();
        println(ctx.io.stderr, `execution ${executionId} still ${words(status)}; stopped waiting`);
        return ExitCode.FAILED;
      }
      const left = deadline === undefined ? undefined : deadline - ctx.io.now().getTime();
      if (left !== undefined && left <= 0) {
        spinner?.stop();
        println(ctx.io.stderr, `execution ${executionId} still ${words(status)} after ${formatDuration(options.timeoutMs)}; `
          + stoppedWaiting(pipeline, executionId));
        return ExitCode.TIMED_OUT;
      }
      await ctx.io.sleep(left === undefined ? ctx.pollIntervalMs : Math.min(ctx.pollIntervalMs, left));
    }
  } catch (e) {
    // Ctrl-C: the handler said so, and the process exits
    if (interrupted) throw e;
    throw whileWaiting(e, pipeline, executionId);
  } finally {
    stopInterrupt?.();
    if (spinner?.isSpinning) spinner.stop();
  }
}
