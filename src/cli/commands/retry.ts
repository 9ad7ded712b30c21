import { PipelineExecution } from '@aws-sdk/client-codepipeline';
import { PIPELINE_STAGES, SOURCE_STAGE } from '../../model/stage-names';
import { CommandContext } from '../context';
import { CliError, ExitCode, usageError } from '../errors';
import { println } from '../io';
import {
  actionsNotRun, describeRevision, findStage, isRollbackExecution, revisionOfExecution, shortRevision, stageActionNames, StageRun, stageRuns,
  validateName,
} from '../pipeline-model';
import { safeLine } from '../terminal';
import { lastStatusChange, StageActionOptions, waitForStage } from './wait';

export interface StageCommandOptions extends StageActionOptions {
  /** rollback only: the execution to roll back to. */
  readonly targetExecution?: string;
  /** retry only: run every action of the stage again, from its first (ALL_ACTIONS), not only the failed ones. */
  readonly allActions?: boolean;
  /** Do not ask for confirmation (`-y, --yes`); without a terminal, the command needs it. */
  readonly yes?: boolean;
}

/**
 * Without a terminal nothing can confirm: `retry` and `rollback` redeploy, so without `--yes` they
 * refuse (exit 2) before reading anything, as `stop` does.
 */
function requireConfirmation(ctx: CommandContext, options: StageCommandOptions, verb: string): void {
  if (!options.yes && !ctx.io.stdinIsTTY) {
    throw usageError(`refusing to ${verb} without confirmation: stdin is not a terminal; pass --yes`);
  }
}

/** Shows what is about to happen on stderr and asks `question`; false (after `nothing done`) on no. */
async function confirm(ctx: CommandContext, context: string, question: string): Promise<boolean> {
  println(ctx.io.stderr, safeLine(context));
  const ok = await ctx.io.confirm(safeLine(question));
  if (!ok) println(ctx.io.stderr, 'nothing done');
  return ok;
}

/**
 * `cdk-delivery retry <pipeline> --env <name> [--all-actions] [--yes]`: RetryStageExecution of the stage's
 * latest execution, FAILED_ACTIONS (the console's "Retry failed actions") or, with `--all-actions`,
 * ALL_ACTIONS (its "Retry stage"). A stage failed with no failed action (its success conditions, the
 * alarms watched after the deployments, failed it) has no failed action to retry: when CodePipeline
 * refuses to retry it (StageNotRetryableException), the error says so and names the commands that do
 * what the release manager wants, `--all-actions` or `rollback`. It redeploys, so it asks first on
 * a terminal (after one GetPipelineExecution for the revision) and needs `--yes` in a script.
 */
export async function retryCommand(ctx: CommandContext, options: StageCommandOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  requireConfirmation(ctx, options, 'retry');
  const state = await ctx.api.getPipelineState(pipeline);
  const stage = findStage(state, env, pipeline);
  const latest = stage.latestExecution;
  if (latest?.pipelineExecutionId && latest.status === 'Cancelled') {
    // Cancelled: the pipeline was updated before the stage ended; CodePipeline retries no stage across a structure change
    throw new CliError(
      `nothing to retry in '${env}': its latest execution ${latest.pipelineExecutionId} was cancelled by an update of the pipeline, `
      + 'and CodePipeline cannot retry a stage after the pipeline changed; release again (start a new execution)',
      ExitCode.NOT_FOUND);
  }
  if (!latest?.pipelineExecutionId || !['Failed', 'Stopped'].includes(latest.status ?? '')) {
    throw new CliError(
      `nothing to retry in '${env}': its latest execution ${latest?.pipelineExecutionId ?? '(none)'} is ${latest?.status ?? 'not started'}`,
      ExitCode.NOT_FOUND);
  }
  const retryMode = options.allActions ? 'ALL_ACTIONS' : 'FAILED_ACTIONS';
  if (!options.yes) {
    const retried = latest.pipelineExecutionId;
    const revision = revisionOfExecution(await ctx.api.findPipelineExecution(pipeline, retried));
    const failed = (stage.actionStates ?? []).filter((a) => a.latestExecution?.status === 'Failed' && a.actionName).map((a) => a.actionName!);
    const context = `'${env}' of '${pipeline}': execution ${retried} (${describeRevision(revision)}) is ${latest.status}`
      + `${failed.length > 0 ? ` (failed: ${failed.join(', ')})` : ''}`;
    const what = options.allActions ? `every action of ${env}, from its first` : `the failed actions of ${env}`;
    if (!await confirm(ctx, context, `Retry ${what} (execution ${retried}, revision ${shortRevision(revision.id)})?`)) return ExitCode.USAGE;
  }
  let executionId: string;
  try {
    executionId = await ctx.api.retryStageExecution({
      pipelineName: pipeline,
      stageName: env,
      pipelineExecutionId: latest.pipelineExecutionId,
      retryMode,
    }) ?? latest.pipelineExecutionId;
  } catch (e) {
    // a stage whose actions all succeeded failed on its conditions: nothing failed to retry
    const noFailedAction = latest.status === 'Failed' && !(stage.actionStates ?? []).some((a) => a.latestExecution?.status === 'Failed');
    if (!(e instanceof CliError) || e.awsErrorName !== 'StageNotRetryableException' || options.allActions || !noFailedAction) throw e;
    throw new CliError(`no failed action to retry in '${env}': its execution ${latest.pipelineExecutionId} failed with every action succeeded `
      + '(its success conditions, the alarms watched after the deployments, failed it); '
      + `run every action again with 'cdk-delivery retry ${pipeline} --env ${env} --all-actions' (it deploys the same revision again and watches the alarms again), `
      + `or roll back with 'cdk-delivery rollback ${pipeline} --env ${env}' (${e.message})`, ExitCode.FAILED);
  }
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({ pipeline, environment: env, retried: latest.pipelineExecutionId, executionId, retryMode }, null, 2));
  } else {
    println(ctx.io.stdout, safeLine(options.allActions
      ? `retrying every action of '${env}' in '${pipeline}', from its first (execution ${executionId})`
      : `retrying the failed actions of '${env}' in '${pipeline}' (execution ${executionId})`));
  }
  // the first polls may still show the failure being retried: it is not the retry's result
  const before = executionId === latest.pipelineExecutionId ? { status: latest.status, lastChange: lastStatusChange(stage) } : undefined;
  return options.wait ? waitForStage(ctx, pipeline, env, executionId, { timeoutMs: options.timeoutMs, before }) : ExitCode.OK;
}

/**
 * When the stage's latest execution is a rollback that succeeded, the execution it restored (what
 * the stage runs now). A rollback that did not succeed is refused: rolling back again should be a
 * choice (`--target-execution`), not a guess.
 */
function restoredByCurrent(pipeline: string, env: string, current: string, execution: PipelineExecution | undefined): string | undefined {
  if (!execution || !isRollbackExecution(execution)) return undefined;
  const restored = execution.rollbackMetadata?.rollbackTargetPipelineExecutionId;
  if (execution.status !== 'Succeeded' || !restored) {
    throw new CliError(`'${env}' of '${pipeline}' is being rolled back, or its rollback did not end well: its latest execution ${current} is a rollback`
      + `${restored ? ` to execution ${restored}` : ''} that is ${execution.status ?? 'in an unknown state'}; choose what to roll back to with --target-execution`
      + `${restored ? ` (${restored} to roll back to it again)` : ''}`, ExitCode.NOT_FOUND);
  }
  return restored;
}

/**
 * Refuses (exit 1) to roll back a pipeline in PARALLEL execution mode (GetPipeline), where
 * CodePipeline has no stage rollback, saying how to release the earlier revision again instead:
 * with `--target-execution`, the command that starts that execution's revision (one
 * GetPipelineExecution). A denied GetPipeline is a warning: CodePipeline refuses RollbackStage in
 * PARALLEL mode itself, and a missing read permission should not keep a rollback from running.
 */
async function refuseParallelMode(ctx: CommandContext, pipeline: string, env: string, targetExecution: string | undefined): Promise<void> {
  let mode: string | undefined;
  try {
    mode = (await ctx.api.getPipeline(pipeline)).executionMode;
  } catch (e) {
    if (!(e instanceof CliError) || e.exitCode !== ExitCode.ACCESS_DENIED) throw e;
    println(ctx.io.stderr, safeLine(`cdk-delivery: warning: ${e.message}; cannot tell the execution mode of '${pipeline}' `
      + '(CodePipeline refuses RollbackStage in PARALLEL mode)'));
    return;
  }
  if (mode !== 'PARALLEL') return;
  const why = `cannot roll back '${env}' of '${pipeline}': the pipeline runs in PARALLEL execution mode, where CodePipeline has no stage rollback `
    + '(RollbackStage works in SUPERSEDED and QUEUED mode only)';
  const execution = targetExecution === undefined ? undefined : await ctx.api.findPipelineExecution(pipeline, targetExecution);
  const revision = execution ? revisionOfExecution(execution) : undefined;
  if (revision?.id) {
    throw new CliError(`${why}; release ${describeRevision(revision)} (execution ${targetExecution}) again instead: `
      + `cdk-delivery start ${pipeline} --revision ${revision.id}`, ExitCode.FAILED);
  }
  // history --env takes environments only, not the pipeline's own stages (Build...)
  const history = `cdk-delivery history ${pipeline}${PIPELINE_STAGES.includes(env) ? '' : ` --env ${env}`} --json`;
  throw new CliError(`${why}; release the earlier revision again instead: cdk-delivery start ${pipeline} --revision <id> `
    + `(the full revision ids of the executions that ran '${env}' are in ${history})`, ExitCode.FAILED);
}

/**
 * `cdk-delivery rollback <pipeline> --env <name> [--target-execution <id>] [--yes]`: RollbackStage to the
 * last execution that succeeded in the stage (read from the stage's action execution history).
 * Refused in PARALLEL execution mode, where CodePipeline has no stage rollback. It puts an earlier
 * revision back into the environment, so it asks first on a terminal, naming the revision the stage's
 * latest execution ran and the one it goes back to, and needs `--yes` in a script.
 */
export async function rollbackCommand(ctx: CommandContext, options: StageCommandOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  // a usage error, found before any AWS call
  if (options.targetExecution !== undefined) validateName(options.targetExecution, 'execution id (--target-execution)');
  requireConfirmation(ctx, options, 'roll back');
  const state = await ctx.api.getPipelineState(pipeline);
  const stage = findStage(state, env, pipeline);
  if (stage.stageName === SOURCE_STAGE) {
    // CodePipeline's stage rollback considerations: a source stage cannot be rolled back
    throw new CliError(`cannot roll back '${env}' in '${pipeline}': it is the source stage, which CodePipeline never rolls back; `
      + 'roll back the environment that runs the change, or start the pipeline on an earlier revision (cdk-delivery start --revision)', ExitCode.FAILED);
  }
  await refuseParallelMode(ctx, pipeline, env, options.targetExecution);
  const current = stage.latestExecution?.pipelineExecutionId;
  // the stage's latest execution, read once: for what a rollback restored, and for the question
  let currentExecution: Promise<PipelineExecution | undefined> | undefined;
  const readCurrent = () => {
    if (!currentExecution) currentExecution = current ? ctx.api.findPipelineExecution(pipeline, current) : Promise.resolve(undefined);
    return currentExecution;
  };

  let target = options.targetExecution;
  if (target === undefined) {
    // After a rollback, the stage runs what that rollback restored: rolling back again goes to a
    // success older than it, never to the releases the rollback undid.
    const restored = current ? restoredByCurrent(pipeline, env, current, await readCurrent()) : undefined;
    // The target must have run the whole stage: not a run stopped after its approval (or between run
    // orders). RollbackStage takes only executions of the current pipeline version, whose stage had the
    // actions it has now, so every one of them must have succeeded in the run.
    const isTarget = (r: StageRun) => r.stageName === env && r.status === 'Succeeded' && r.executionId !== current && actionsNotRun(r, stageActionNames(stage)).length === 0;
    // the runs that may be targets, newest first: those older than the restored one after a rollback
    const candidates = (runs: StageRun[]) => {
      if (!restored) return runs;
      const at = runs.findIndex((r) => r.stageName === env && r.executionId === restored);
      return at < 0 ? [] : runs.slice(at + 1);
    };
    const actions = await ctx.api.listActionExecutions(pipeline, {
      maxPages: 50,
      warnWhenCapped: true,
      // stop once a successful run of the stage is complete in what was read (lists are newest first)
      stopWhen: (items) => {
        const last = items[items.length - 1]?.startTime?.getTime() ?? 0;
        return candidates(stageRuns(items)).some((r) => isTarget(r) && (r.startTime?.getTime() ?? 0) > last);
      },
    });
    const runs = candidates(stageRuns(actions));
    target = runs.find(isTarget)?.executionId;
    if (!target) {
      const partial = runs.find((r) => r.stageName === env && r.status === 'Succeeded' && r.executionId !== current);
      const why = partial
        ? `; execution ${partial.executionId} did not run ${actionsNotRun(partial, stageActionNames(stage)).join(', ')} (stopped before it, or run before the stage changed)`
        : '';
      const before = restored ? ` before execution ${restored}, which rollback execution ${current} restored,` : '';
      throw new CliError(`no earlier successful execution of '${env}'${before} to roll back to in pipeline '${pipeline}'${why}`, ExitCode.NOT_FOUND);
    }
  }
  let execution = await ctx.api.getPipelineExecution(pipeline, target);
  // CodePipeline never rolls back to a rollback execution. The last success of the stage may be
  // one (an earlier rollback): what it restored is the execution it rolled back to.
  let restoredBy: string | undefined;
  if (isRollbackExecution(execution)) {
    const original = execution.rollbackMetadata?.rollbackTargetPipelineExecutionId;
    if (options.targetExecution !== undefined || !original) {
      throw new CliError(`cannot roll back '${env}' to execution ${target}: it is a rollback execution, and CodePipeline rolls back only to `
        + `standard executions${original ? `; it restored execution ${original} (--target-execution ${original})` : ''}`, ExitCode.NOT_FOUND);
    }
    restoredBy = target;
    target = original;
    execution = await ctx.api.getPipelineExecution(pipeline, target);
  }
  const revision = revisionOfExecution(execution);
  // CodePipeline rolls back only to an execution started in the pipeline's current structure version.
  if (state.pipelineVersion !== undefined && execution.pipelineVersion !== undefined && execution.pipelineVersion !== state.pipelineVersion) {
    throw new CliError(`cannot roll back '${env}' of '${pipeline}' to ${describeRevision(revision)} (execution ${target}): it ran pipeline version `
      + `${execution.pipelineVersion}, and the pipeline has changed since (version ${state.pipelineVersion}); CodePipeline rolls back only to `
      + 'executions started in the current version: release that revision again instead', ExitCode.NOT_FOUND);
  }
  if (!options.yes) {
    const from = revisionOfExecution(await readCurrent());
    const via = restoredBy ? `, restored by rollback execution ${restoredBy}` : '';
    const latest = current
      ? `the latest execution of '${env}' in '${pipeline}' is ${current} (${describeRevision(from)}, ${stage.latestExecution?.status ?? 'in an unknown state'})`
      : `'${env}' in '${pipeline}' has no execution`;
    const fromWhat = from.id ? ` from ${shortRevision(from.id)}` : current ? ` from execution ${current}` : '';
    if (!await confirm(ctx, `${latest}; rolling back deploys ${describeRevision(revision)} (execution ${target}${via}) again`,
      `Roll back ${env}${fromWhat} to ${shortRevision(revision.id)} (execution ${target})?`)) {
      return ExitCode.USAGE;
    }
  }
  const executionId = await ctx.api.rollbackStage({ pipelineName: pipeline, stageName: env, targetPipelineExecutionId: target });
  if (options.json) {
    const json = { pipeline, environment: env, target, revision: revision.id, executionId, ...(restoredBy ? { restoredBy } : {}) };
    println(ctx.io.stdout, JSON.stringify(json, null, 2));
  } else {
    const via = restoredBy ? `, restored by rollback execution ${restoredBy}` : '';
    println(ctx.io.stdout, safeLine(`rolling back '${env}' of '${pipeline}' to ${describeRevision(revision)} (execution ${target}${via}); `
      + `rollback execution ${executionId ?? 'unknown'}`));
  }
  return options.wait && executionId ? waitForStage(ctx, pipeline, env, executionId, { timeoutMs: options.timeoutMs }) : ExitCode.OK;
}
