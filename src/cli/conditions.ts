import { RuleExecutionDetail, StageConditionState, StageState } from '@aws-sdk/client-codepipeline';
import { formatDuration } from './duration';
import { safeLine } from './terminal';

/** A rule of a stage condition, as GetPipelineState gives its latest run. */
export interface ConditionRuleStatus {
  readonly name: string;
  /** `InProgress`, `Succeeded`, `Failed` or `Abandoned`. */
  readonly status?: string;
  readonly summary?: string;
  /** The error CodePipeline gives when the rule could not run (the pipeline's role may not read the alarm...). */
  readonly error?: string;
  /** When the rule's run last changed status. */
  readonly since?: Date;
}

/**
 * The latest run of a stage's conditions of one kind (its entry conditions, the conditions checked
 * when it succeeds or when it fails), as GetPipelineState gives it: for a stage of a DeliveryPipeline,
 * the deployment window and the alarms that block entry, and the alarms watched for a bake time
 * after the deployments.
 */
export interface ConditionStatus {
  /** `InProgress`, `Succeeded`, `Failed`, `Errored`, `Cancelled`, `Abandoned` or `Overridden`. */
  readonly status: string;
  readonly summary?: string;
  /** When the condition's run last changed status (its rules may not say). */
  readonly since?: Date;
  readonly rules: ConditionRuleStatus[];
}

/** The latest run of each kind of condition of a stage, for those that ran. */
export interface StageConditionsStatus {
  readonly beforeEntry?: ConditionStatus;
  readonly onSuccess?: ConditionStatus;
  readonly onFailure?: ConditionStatus;
}

/** The automatic and manual retries of the stage's latest execution (GetPipelineState's `retryStageMetadata`). */
export interface StageRetries {
  readonly automatic?: number;
  readonly manual?: number;
  /** `AutomatedStageRetry` or `ManualStageRetry`. */
  readonly latestTrigger?: string;
}

/** The latest run of a stage's conditions of one kind, when one ran. */
function conditionStatus(state: StageConditionState | undefined): ConditionStatus | undefined {
  const status = state?.latestExecution?.status;
  if (!status) return undefined;
  const conditionStates = state?.conditionStates ?? [];
  const summary = state?.latestExecution?.summary ?? conditionStates.map((c) => c.latestExecution?.summary).find((x) => x);
  const since = latest(conditionStates.map((c) => c.latestExecution?.lastStatusChange));
  const rules = conditionStates.flatMap((c) => c.ruleStates ?? []).map((r): ConditionRuleStatus => ({
    name: r.ruleName ?? '?',
    status: r.latestExecution?.status,
    ...(r.latestExecution?.summary ? { summary: r.latestExecution.summary } : {}),
    ...(r.latestExecution?.errorDetails?.message ? { error: r.latestExecution.errorDetails.message } : {}),
    since: r.latestExecution?.lastStatusChange,
  }));
  return { status, ...(summary ? { summary } : {}), ...(since ? { since } : {}), rules };
}

/** The kinds of condition, as the table names them (CodePipeline's words: entry, on success, on failure). */
export const CONDITION_KINDS = [['beforeEntry', 'entry conditions'], ['onSuccess', 'success conditions'], ['onFailure', 'failure conditions']] as const;

type ConditionKind = typeof CONDITION_KINDS[number][0];

/** GetPipelineState's state of each kind of condition of a stage. */
function statesByKind(stage: StageState): Record<ConditionKind, StageConditionState | undefined> {
  return { beforeEntry: stage.beforeEntryConditionState, onSuccess: stage.onSuccessConditionState, onFailure: stage.onFailureConditionState };
}

/** The stage's conditions that ran, by kind; undefined when none did. */
export function stageConditions(stage: StageState): StageConditionsStatus | undefined {
  const states = statesByKind(stage);
  const found: Record<string, ConditionStatus> = {};
  for (const [kind] of CONDITION_KINDS) {
    const condition = conditionStatus(states[kind]);
    if (condition) found[kind] = condition;
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

/** Statuses of a condition that stopped the stage. */
const CONDITION_FAILED = new Set(['Failed', 'Errored']);

/**
 * A rule's name without the environment's prefix (`prod.BakeAlarm`: `BakeAlarm`); a name without it
 * (a rule added by hand, or an environment name too long to prefix in full) stays whole.
 */
export function ruleLabel(env: string, name: string): string {
  return name.startsWith(`${env}.`) && name.length > env.length + 1 ? name.slice(env.length + 1) : name;
}

/** A rule's name without the environment's prefix, with its summary and the error it ran into. */
function describeRule(env: string, rule: ConditionRuleStatus): string {
  const details = [rule.summary, rule.error].filter((d, i, all): d is string => !!d && all.indexOf(d) === i);
  return details.length > 0 ? `${ruleLabel(env, rule.name)} (${details.join(': ')})` : ruleLabel(env, rule.name);
}

/** The latest (or, with `pick` Math.min, the earliest) of some dates. */
function latest(dates: Array<Date | undefined>, pick: (...times: number[]) => number = Math.max): Date | undefined {
  const times = dates.map((d) => d?.getTime()).filter((t): t is number => t !== undefined);
  return times.length > 0 ? new Date(pick(...times)) : undefined;
}

/** The rules of a condition that decide its status: those in progress, or failed, or else all. */
function decidingRules(condition: ConditionStatus, statuses: ReadonlySet<string>): ConditionRuleStatus[] {
  const deciding = condition.rules.filter((r) => statuses.has(r.status ?? ''));
  return deciding.length > 0 ? deciding : condition.rules;
}

/**
 * The stage's conditions being checked, for a table cell: `checking entry conditions:
 * DeploymentWindow` while a change waits for the deployment window, `checking success conditions:
 * BakeAlarm for 12m 00s` while the alarms are watched after the deployments. Without `now`, no
 * duration (a progress line printed again only when it changes).
 */
export function conditionsChecked(stageName: string, conditions: StageConditionsStatus | undefined, now?: Date): string | undefined {
  const lines = CONDITION_KINDS.flatMap(([kind, label]) => {
    const condition = conditions?.[kind];
    if (condition?.status !== 'InProgress') return [];
    const rules = decidingRules(condition, new Set(['InProgress']));
    // since when they run: the earliest change of status among them
    const since = latest(rules.map((r) => r.since), Math.min) ?? condition.since;
    return [`checking ${label}${rules.length > 0 ? `: ${rules.map((r) => describeRule(stageName, r)).join(', ')}` : ''}`
      + `${since && now ? ` for ${formatDuration(now.getTime() - since.getTime())}` : ''}`];
  });
  return lines.length > 0 ? safeLine(lines.join('; ')) : undefined;
}

/**
 * The rules that failed the condition conditionFailure reports (its first kind that failed or
 * errored), each with the id of its run as GetPipelineState gives it (`ruleExecutionId`, the id
 * ListRuleExecutions gives the same run): empty when no rule says it failed.
 */
export function failedRuleRuns(stage: StageState): Array<{ readonly ruleName: string; readonly ruleExecutionId?: string }> {
  const states = statesByKind(stage);
  const kind = CONDITION_KINDS.find(([k]) => CONDITION_FAILED.has(states[k]?.latestExecution?.status ?? ''));
  if (!kind) return [];
  return (states[kind[0]]?.conditionStates ?? []).flatMap((c) => c.ruleStates ?? [])
    .filter((r) => r.latestExecution?.status === 'Failed' && r.ruleName)
    .map((r) => ({ ruleName: r.ruleName!, ...(r.latestExecution?.ruleExecutionId ? { ruleExecutionId: r.latestExecution.ruleExecutionId } : {}) }));
}

/**
 * The condition that failed the stage's latest execution, when no action did: an entry alarm in
 * ALARM, an alarm in ALARM while watched after the deployments, a rule that could not run (the
 * condition `Errored`). Its message names the kind of condition and the rules that failed, with
 * CodePipeline's summary and error of each; when no rule says it failed, the condition's summary.
 */
export function conditionFailure(stageName: string, conditions: StageConditionsStatus | undefined): { message: string; at?: Date } | undefined {
  const kind = CONDITION_KINDS.find(([k]) => CONDITION_FAILED.has(conditions?.[k]?.status ?? ''));
  const condition = kind ? conditions?.[kind[0]] : undefined;
  if (!kind || !condition) return undefined;
  // only the rules that failed: the others (the deployment window that opened, an alarm that was OK) did not fail it
  const failed = condition.rules.filter((r) => r.status === 'Failed');
  const detail = failed.length > 0 ? failed.map((r) => describeRule(stageName, r)).join(', ') : condition.summary;
  return {
    message: `${kind[1]} ${condition.status === 'Errored' ? 'errored' : 'failed'}${detail ? `: ${detail}` : ''}`,
    at: latest(failed.map((r) => r.since)) ?? condition.since,
  };
}

/**
 * What failed an execution, from the failed runs of its rules (ListRuleExecutions), in the words of
 * conditionFailure: the kind of condition that lists the first rule (`conditions`, the stage's), and
 * each rule with CodePipeline's summary and error.
 */
export function ruleRunsFailure(stageName: string, conditions: StageConditionsStatus | undefined, runs: RuleExecutionDetail[]): string {
  const kind = CONDITION_KINDS.find(([k]) => conditions?.[k]?.rules.some((rule) => rule.name === runs[0]?.ruleName));
  const rules = runs.map((r) => describeRule(stageName, {
    name: r.ruleName ?? '?',
    ...(r.output?.executionResult?.externalExecutionSummary ? { summary: r.output.executionResult.externalExecutionSummary } : {}),
    ...(r.output?.executionResult?.errorDetails?.message ? { error: r.output.executionResult.errorDetails.message } : {}),
  }));
  return `${kind ? kind[1] : 'a condition'} failed: ${rules.join(', ')}`;
}
