import { StageState } from '@aws-sdk/client-codepipeline';
import ora from 'ora';
import { CommandContext } from '../context';
import { formatDuration } from '../duration';
import { ExitCode, notFound } from '../errors';
import { println } from '../io';
import { failureMessage, stageRuns } from '../pipeline-model';
import { safeLine } from '../terminal';

const DONE_OK = new Set(['Succeeded']);
const DONE_BAD = new Set(['Failed', 'Stopped', 'Cancelled', 'Abandoned', 'Rejected', 'Skipped']);
/** Pipeline execution statuses after which an execution that has not reached the stage never will. */
const EXECUTION_ENDED = new Set(['Superseded', 'Stopped', 'Cancelled', 'Failed', 'Succeeded']);
/** Polls in a row that may show the stage without any execution before waiting stops (exit 3). */
export const MAX_POLLS_WITHOUT_EXECUTION = 3;

export interface WaitOptions {
  /** Stop waiting after this many milliseconds (`--timeout`); the stage goes on in CodePipeline. */
  readonly timeoutMs?: number;
  /**
   * retry: the stage as it was before RetryStageExecution (same execution id). Until the stage
   * changes (another status, or a newer action status change), its old Failed state is not the
   * retry's result.
   */
  readonly before?: { readonly status?: string; readonly lastChange: number };
}

/** The options every command that acts on one environment's stage takes (approve, reject, retry, rollback). */
export interface StageActionOptions extends WaitOptions {
  readonly pipeline: string;
  readonly env: string;
  /** Follow the stage to its end (`--wait`). */
  readonly wait?: boolean;
  readonly json?: boolean;
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
 * the stage left the pipeline or shows no execution for MAX_POLLS_WITHOUT_EXECUTION polls.
 */
export async function waitForStage(
  ctx: CommandContext, pipeline: string, stageName: string, executionId: string, options: WaitOptions = {},
): Promise<number> {
  const deadline = options.timeoutMs !== undefined ? ctx.io.now().getTime() + options.timeoutMs : undefined;
  const tty = Boolean(ctx.io.stderr.isTTY);
  const spinner = tty
    ? ora({ text: `waiting for ${stageName}`, stream: ctx.io.stderr as unknown as NodeJS.WritableStream, isEnabled: true })
    : undefined;
  spinner?.start();
  let lastLine = '';
  const progress = (text: string) => {
    const line = safeLine(text);
    if (line === lastLine) return;
    lastLine = line;
    if (spinner) spinner.text = line;
    else println(ctx.io.stderr, line);
  };
  let changed = !options.before;
  let pollsWithoutExecution = 0;
  const stopInterrupt = ctx.io.onInterrupt?.(() => {
    spinner?.stop();
    println(ctx.io.stderr, `${stageName}: stopped waiting (interrupted); what was done stays done and the stage goes on in CodePipeline `
      + `(cdk-delivery status ${pipeline})`);
  });
  try {
    for (let poll = 1; ; poll++) {
      const state = await ctx.api.getPipelineState(pipeline);
      const stage = (state.stageStates ?? []).find((s) => s.stageName === stageName);
      if (!stage) {
        throw notFound(`environment '${stageName}' is no longer in pipeline '${pipeline}'; stopped waiting`);
      }
      const latest = stage.latestExecution;
      pollsWithoutExecution = latest?.pipelineExecutionId ? 0 : pollsWithoutExecution + 1;
      let status: string;
      let failure: string | undefined;
      if (latest?.pipelineExecutionId === executionId) {
        status = latest.status ?? 'InProgress';
        const parts = (stage.actionStates ?? []).map((a) => {
          const e = a.latestExecution;
          const pct = e?.percentComplete !== undefined && e.status === 'InProgress' ? ` ${e.percentComplete}%` : '';
          return `${a.actionName} ${e?.status ?? 'not started'}${pct}`;
        });
        failure = (stage.actionStates ?? [])
          .filter((a) => a.latestExecution?.status === 'Failed')
          .map((a) => `${a.actionName}${a.latestExecution?.errorDetails?.message ? `: ${a.latestExecution.errorDetails.message}` : ''}`)[0];
        if (!changed && status === options.before?.status && lastStatusChange(stage) <= options.before.lastChange) {
          // the stage still shows how it was before the retry
          status = 'InProgress';
          progress(`${stageName}: waiting for the retry to start`);
        } else {
          changed = true;
          progress(`${stageName}: ${status}${parts.length ? ` — ${parts.join(', ')}` : ''}`);
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
            const execution = await ctx.api.getPipelineExecution(pipeline, executionId);
            if (execution.status !== 'Succeeded') {
              const ended = execution.status && EXECUTION_ENDED.has(execution.status) ? execution.status : undefined;
              status = ended ? 'Abandoned' : 'InProgress';
              failure = ended ? `execution ${executionId} is ${ended}` : undefined;
            }
          }
          if (status === 'InProgress') progress(`${stageName}: InProgress — execution ${executionId}`);
        } else {
          const execution = await ctx.api.getPipelineExecution(pipeline, executionId);
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
        throw notFound(`environment '${stageName}' of pipeline '${pipeline}' shows no execution any more (was the pipeline updated?); `
          + `stopped waiting (cdk-delivery status ${pipeline})`);
      }
      if (ctx.maxRefreshes !== undefined && poll >= ctx.maxRefreshes) {
        spinner?.stop();
        println(ctx.io.stderr, `${stageName} still ${words(status)}; stopped waiting`);
        return ExitCode.FAILED;
      }
      const left = deadline === undefined ? undefined : deadline - ctx.io.now().getTime();
      if (left !== undefined && left <= 0) {
        spinner?.stop();
        println(ctx.io.stderr, `${stageName} still ${words(status)} after ${formatDuration(options.timeoutMs)}; `
          + `stopped waiting (the stage goes on: cdk-delivery status ${pipeline})`);
        return ExitCode.TIMED_OUT;
      }
      await ctx.io.sleep(left === undefined ? ctx.pollIntervalMs : Math.min(ctx.pollIntervalMs, left));
    }
  } finally {
    stopInterrupt?.();
    if (spinner?.isSpinning) spinner.stop();
  }
}

/** `InProgress` → `in progress`. */
function words(status: string): string {
  return status.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
