import { ActionExecutionDetail, RuleExecutionDetail } from '@aws-sdk/client-codepipeline';
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
export function failedWithoutFailedAction(runs: readonly StageRun[], actions: ActionExecutionDetail[],
  executionStatus: (executionId: string) => string | undefined): string[] {
  // a failed action, or an approval rejected or expired (CodePipeline fails it), explains the execution's failure
  const failedInAction = new Set(stageRuns(actions).filter((r) => EXPLAINED.has(r.status)).map((r) => r.executionId));
  return [...new Set(runs
    .filter((r) => r.status === 'Succeeded' && executionStatus(r.executionId) === 'Failed' && !failedInAction.has(r.executionId))
    .map((r) => r.executionId))];
}

/**
 * The stage runs that a condition failed after their actions succeeded: an alarm watched after the
 * deployments went into ALARM during the bake time, and the stage failed (or rolled back) with every
 * action succeeded. One `ListRuleExecutions` filtered on each execution of `executionIds` (see
 * failedWithoutFailedAction), at most 4 at a time: a stage of it whose rule's newest run for it
 * failed. Returns, by stageRunKey, when the condition failed it (the earliest end of those failed
 * runs). Only the stages the execution ran are read that way (the caller matches runs): a failed
 * rule of a stage the execution did not enter is an entry condition (an entry alarm of a later
 * environment kept it out), which leaves the stages before it succeeded. Access denied (a grant of
 * an earlier version of this library, without `codepipeline:ListRuleExecutions`) is one warning on
 * stderr, and no more calls: the runs count by their actions.
 */
export async function stagesFailedByConditions(ctx: CommandContext, pipeline: string,
  executionIds: string[]): Promise<Map<string, Date | undefined>> {
  const failed = new Map<string, Date | undefined>();
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
  return failed;
}
