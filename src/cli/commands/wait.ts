import ora from 'ora';
import { CommandContext } from '../context';
import { formatDuration } from '../duration';
import { ExitCode } from '../errors';
import { println } from '../io';
import { failureMessage, stageRuns } from '../pipeline-model';
import { safeLine } from '../terminal';

const DONE_OK = new Set(['Succeeded']);
const DONE_BAD = new Set(['Failed', 'Stopped', 'Cancelled', 'Abandoned', 'Rejected']);

export interface WaitOptions {
  /** Stop waiting after this many milliseconds (`--timeout`); the stage goes on in CodePipeline. */
  readonly timeoutMs?: number;
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
 * Polls a stage until the given execution ends in it, with progress output (a spinner on a TTY,
 * plain lines otherwise). Returns 0 only if the stage succeeded, 8 when `timeoutMs` ran out first.
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
  try {
    for (let poll = 1; ; poll++) {
      const state = await ctx.api.getPipelineState(pipeline);
      const stage = (state.stageStates ?? []).find((s) => s.stageName === stageName);
      let status: string = stage?.latestExecution?.status ?? 'InProgress';
      let failure: string | undefined;
      if (stage && stage.latestExecution?.pipelineExecutionId !== executionId) {
        // Another execution entered the stage: read how ours ended from its action executions.
        const actions = await ctx.api.listActionExecutions(pipeline, { pipelineExecutionId: executionId });
        const run = stageRuns(actions).find((r) => r.stageName === stageName);
        status = run?.status ?? 'Abandoned';
        failure = run ? failureMessage(run.actions) : undefined;
      } else if (stage) {
        const parts = (stage.actionStates ?? []).map((a) => {
          const e = a.latestExecution;
          const pct = e?.percentComplete !== undefined && e.status === 'InProgress' ? ` ${e.percentComplete}%` : '';
          return `${a.actionName} ${e?.status ?? 'not started'}${pct}`;
        });
        failure = (stage.actionStates ?? [])
          .filter((a) => a.latestExecution?.status === 'Failed')
          .map((a) => `${a.actionName}${a.latestExecution?.errorDetails?.message ? `: ${a.latestExecution.errorDetails.message}` : ''}`)[0];
        progress(`${stageName}: ${status} — ${parts.join(', ')}`);
      }
      if (DONE_OK.has(status)) {
        spinner?.succeed(`${stageName} succeeded`);
        if (!spinner) println(ctx.io.stderr, `${stageName} succeeded`);
        return ExitCode.OK;
      }
      if (DONE_BAD.has(status)) {
        const text = safeLine(`${stageName} ${status.toLowerCase()}${failure ? `: ${failure}` : ''}`);
        spinner?.fail(text);
        if (!spinner) println(ctx.io.stderr, text);
        return ExitCode.FAILED;
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
    if (spinner?.isSpinning) spinner.stop();
  }
}

/** `InProgress` → `in progress`. */
function words(status: string): string {
  return status.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
