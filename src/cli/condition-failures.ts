import { ActionExecutionDetail, GetPipelineStateOutput, RuleExecutionDetail } from '@aws-sdk/client-codepipeline';
import { mapLimit } from './aws';
import { CommandContext } from './context';
import { CliError, ExitCode } from './errors';
import { println } from './io';
import { StageRun, stageRuns } from './pipeline-model';
import { safeLine } from './terminal';

/** Concurrent ListRuleExecutions calls at most. */
const CONCURRENCY = 4;

/** Pages of ListRuleExecutions (100 rule runs each) read at most per execution. */
const PAGES = 3;

/** Results of a stage run that fail its execution through an action. */
const EXPLAINED: ReadonlySet<string> = new Set(['Failed', 'Rejected', 'Expired']);

/** The key of a stage run in the map stagesFailedByConditions returns. */
export function stageRunKey(executionId: string, stageName: string): string {
  return `${executionId}\u0000${stageName}`;
}

/**
 * The executions that may have been failed by a stage's success conditions (the alarms watched for
 * the bake time after the deployments, `Verification.alarms`): those that failed while a run of
 * theirs among `runs` succeeded (every action's latest attempt) and no action of theirs among
 * `actions` failed in its latest attempt (an approval rejected or expired included). An execution
 * that failed in an action needs no look-up: the action explains it.
 */
function failedWithoutFailedAction(runs: readonly StageRun[], actions: ActionExecutionDetail[],
  executionStatus: (executionId: string) => string | undefined): string[] {
  // a failed action, or an approval rejected or expired (CodePipeline fails it), explains the execution's failure
  const failedInAction = new Set(stageRuns(actions).filter((r) => EXPLAINED.has(r.status)).map((r) => r.executionId));
  return [...new Set(runs
    .filter((r) => r.status === 'Succeeded' && executionStatus(r.executionId) === 'Failed' && !failedInAction.has(r.executionId))
    .map((r) => r.executionId))];
}

/**
 * The executions with a run among `runs` that succeeded after a retry (RetryStageExecution, by hand
 * or by the stage's failure policy) while no attempt of any of its actions failed: its stage failed
 * with every action succeeded (its success conditions, the alarms watched for the bake time after
 * the deployments), and the retry then succeeded. The execution may have succeeded: its summary
 * keeps no trace of the failure. Told apart with what was read already, no call:
 * - an action of the run ran more than once in the execution (ListActionExecutions lists every
 *   attempt): a retry of the whole stage (retry mode ALL_ACTIONS, the console's "Retry stage")
 *   runs each action again;
 * - the stage's latest execution is the run's and GetPipelineState counts retries of it
 *   (`retryStageMetadata`): a retry that ran no action again (retry mode FAILED_ACTIONS on a stage
 *   no action of which failed) leaves only that trace, for the stage's latest execution alone.
 * A run whose action failed in an attempt needs no look-up: that action explains the retry. A normal
 * run (each action once, not retried in GetPipelineState) is never looked up.
 */
function retriedWithoutFailedAction(runs: readonly StageRun[], state: GetPipelineStateOutput | undefined): string[] {
  const retriedInState = (run: StageRun) => {
    const stage = state?.stageStates?.find((s) => s.stageName === run.stageName);
    const retries = stage?.retryStageMetadata;
    return stage?.latestExecution?.pipelineExecutionId === run.executionId && !!(retries?.manualStageRetryAttempt || retries?.autoStageRetryAttempt);
  };
  const severalAttempts = (run: StageRun) => run.actions.length > run.work.length + run.approvals.length;
  return [...new Set(runs
    .filter((r) => r.status === 'Succeeded' && !r.actions.some((a) => a.status === 'Failed') && (severalAttempts(r) || retriedInState(r)))
    .map((r) => r.executionId))];
}

/**
 * The executions whose rule runs may show a stage of theirs among `runs` failed by its success
 * conditions, for stagesFailedByConditions: those that failed with every action succeeded
 * (failedWithoutFailedAction), and those that succeeded after a retry that no failed action
 * explains (retriedWithoutFailedAction). Each once.
 */
export function executionsToLookUp(runs: readonly StageRun[], actions: ActionExecutionDetail[],
  executionStatus: (executionId: string) => string | undefined, state: GetPipelineStateOutput | undefined): string[] {
  return [...new Set([...failedWithoutFailedAction(runs, actions, executionStatus), ...retriedWithoutFailedAction(runs, state)])];
}

/** What the rule runs of some executions say about their stages (stagesFailedByConditions). */
export interface ConditionRuns {
  /**
   * By stageRunKey: the stages a condition failed (the newest run of one of their rules for the
   * execution failed), and when (the earliest end of those failed runs).
   */
  readonly failed: Map<string, Date | undefined>;
  /** By stageRunKey: every run of the stage's rules for the execution (for conditionFailureBeforeRetry). */
  readonly ruleRuns: Map<string, RuleExecutionDetail[]>;
}

/**
 * The stage runs that a condition failed after their actions succeeded: an alarm watched after the
 * deployments went into ALARM during the bake time, and the stage failed (or rolled back) with every
 * action succeeded. One `ListRuleExecutions` filtered on each execution of `executionIds` (see
 * failedWithoutFailedAction and retriedWithoutFailedAction), at most 4 at a time: a stage of it whose
 * rule's newest run for it failed. Returns, by stageRunKey, when the condition failed it (the
 * earliest end of those failed runs), and the rule runs read (a stage whose rule failed and passed
 * when the stage was retried: conditionFailureBeforeRetry). Only the stages the execution ran are
 * read that way (the caller matches runs): a failed rule of a stage the execution did not enter is
 * an entry condition (an entry alarm of a later environment kept it out), which leaves the stages
 * before it succeeded. Access denied (a grant of an earlier version of this library, without
 * `codepipeline:ListRuleExecutions`) is one warning on stderr, and no more calls: the runs count by
 * their actions.
 */
export async function stagesFailedByConditions(ctx: CommandContext, pipeline: string,
  executionIds: string[]): Promise<ConditionRuns> {
  const failed = new Map<string, Date | undefined>();
  const ruleRuns = new Map<string, RuleExecutionDetail[]>();
  let denied: CliError | undefined;
  await mapLimit(executionIds, CONCURRENCY, async (executionId) => {
    if (denied) return;
    let runs: RuleExecutionDetail[];
    try {
      runs = await ctx.api.listRuleExecutions(pipeline, { pipelineExecutionId: executionId, maxPages: PAGES });
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== ExitCode.ACCESS_DENIED) throw e;
      denied = e;
      return;
    }
    const time = (r: RuleExecutionDetail) => (r.lastUpdateTime ?? r.startTime)?.getTime() ?? 0;
    // the newest run of each rule of each stage for this execution (the order of the list is not documented)
    const newest = new Map<string, RuleExecutionDetail>();
    for (const r of runs.filter((x) => x.pipelineExecutionId === undefined || x.pipelineExecutionId === executionId)) {
      const key = stageRunKey(r.stageName ?? '', r.ruleName ?? '?');
      const seen = newest.get(key);
      if (!seen || time(r) > time(seen)) newest.set(key, r);
      const stageKey = stageRunKey(executionId, r.stageName ?? '');
      ruleRuns.set(stageKey, [...ruleRuns.get(stageKey) ?? [], r]);
    }
    for (const r of newest.values()) {
      if (r.status !== 'Failed') continue;
      const key = stageRunKey(executionId, r.stageName ?? '');
      const at = r.lastUpdateTime ?? r.startTime;
      const known = failed.get(key);
      failed.set(key, known && at ? (known < at ? known : at) : known ?? at);
    }
  });
  if (denied) {
    println(ctx.io.stderr, safeLine(`cdk-delivery: warning: ${denied.message}; cannot tell whether the alarms watched after the deployments failed `
      + `execution${executionIds.length > 1 ? 's' : ''} ${executionIds.join(', ')}: the stages ${executionIds.length > 1 ? 'they' : 'it'} ran count by their actions `
      + '(grantRead, grantOperate and grantApprove of this version of cdk-delivery-pipeline include that permission: deploy the pipeline\'s stack again)'));
  }
  return { failed, ruleRuns };
}

/**
 * When the success conditions of a run that succeeded had failed its stage before a retry: a run of
 * one of the stage's rules for the execution (`ruleRuns`, stagesFailedByConditions) failed after the
 * run's first action started (an entry condition runs before any action: one that kept the change
 * out is no failure of the run). `failedAt`: the earliest end of those failed runs; `passedAt`: the
 * latest end of the rule runs that succeeded after it (the retry's success, when only the
 * conditions ran again). Undefined when none failed.
 */
export function conditionFailureBeforeRetry(run: StageRun, ruleRuns: readonly RuleExecutionDetail[] | undefined):
{ readonly failedAt: Date; readonly passedAt?: Date } | undefined {
  if (!ruleRuns || !run.startTime) return undefined;
  const start = run.startTime.getTime();
  const end = (r: RuleExecutionDetail) => (r.lastUpdateTime ?? r.startTime)?.getTime();
  const failedEnds = ruleRuns
    .filter((r) => r.status === 'Failed' && ((r.startTime ?? r.lastUpdateTime)?.getTime() ?? 0) >= start)
    .map(end).filter((t): t is number => t !== undefined);
  if (failedEnds.length === 0) return undefined;
  const failedAt = Math.min(...failedEnds);
  const passedEnds = ruleRuns.filter((r) => r.status === 'Succeeded').map(end).filter((t): t is number => t !== undefined && t > failedAt);
  return { failedAt: new Date(failedAt), ...(passedEnds.length ? { passedAt: new Date(Math.max(...passedEnds)) } : {}) };
}
