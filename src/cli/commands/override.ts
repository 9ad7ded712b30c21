import { ConditionType, StageState } from '@aws-sdk/client-codepipeline';
import { conditionsChecked, ConditionStatus, ruleLabel, stageConditions } from '../conditions';
import { CommandContext } from '../context';
import { CliError, ExitCode, usageError } from '../errors';
import { println } from '../io';
import { describeRevision, findEnvironmentStage, revisionOfExecution, shortRevision, validateName } from '../pipeline-model';
import { safeLine } from '../terminal';
import { StageActionOptions, waitForStage } from './wait';

/** The conditions `override` lets through, as `--condition` names them, and how CodePipeline does. */
const OVERRIDABLE = {
  entry: { kind: 'beforeEntry', type: ConditionType.BEFORE_ENTRY, label: 'entry conditions', what: 'the deployment window and the entry alarms' },
  success: { kind: 'onSuccess', type: ConditionType.ON_SUCCESS, label: 'success conditions', what: 'the alarms watched after the deployments (bake time)' },
} as const;
type Overridable = keyof typeof OVERRIDABLE;

/** Pages of ListRuleExecutions (100 rule runs each) `override` reads at most to find the runs of the condition's rules. */
export const OVERRIDE_RULE_PAGES = 5;

/** The ids of the runs in progress of a stage's rules of one kind of condition, as GetPipelineState shows them. */
function runIdsInProgress(stage: StageState, kind: 'beforeEntry' | 'onSuccess'): string[] {
  const state = kind === 'beforeEntry' ? stage.beforeEntryConditionState : stage.onSuccessConditionState;
  return (state?.conditionStates ?? []).flatMap((c) => c.ruleStates ?? [])
    .filter((r) => r.latestExecution?.status === 'InProgress' && r.latestExecution.ruleExecutionId)
    .map((r) => r.latestExecution!.ruleExecutionId!);
}

export interface OverrideOptions extends StageActionOptions {
  /** `entry` or `success`; by default the one being checked. */
  readonly condition?: string;
  /** Only if the condition is checked for this pipeline execution. */
  readonly execution?: string;
  readonly yes?: boolean;
}

/**
 * `cdk-delivery override <pipeline> --env <name>`: OverrideStageCondition of the condition being
 * checked in the environment (a change waiting for the deployment window, alarms watched for the
 * bake time), for the stage's latest execution: a hotfix that cannot wait. It skips a safety check,
 * so it asks first on a terminal and needs `--yes` (or `--execution`) in a script.
 */
export async function overrideCommand(ctx: CommandContext, options: OverrideOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  if (options.execution !== undefined) validateName(options.execution, 'execution id (--execution)');
  // own keys only: `in` would take `constructor` or `toString` (Object.prototype's) for a kind of condition
  if (options.condition !== undefined && !Object.prototype.hasOwnProperty.call(OVERRIDABLE, options.condition)) {
    throw usageError(`--condition must be entry (the deployment window, entry alarms) or success (the alarms watched after the deployments), got '${options.condition}'`);
  }
  // Without a terminal nothing can confirm: refuse before reading anything
  const confirmed = options.execution !== undefined || options.yes;
  if (!confirmed && !ctx.io.stdinIsTTY) {
    throw usageError('refusing to override without confirmation: stdin is not a terminal; pass --yes or --execution <id>');
  }

  const state = await ctx.api.getPipelineState(pipeline);
  const stage = findEnvironmentStage(state, env, pipeline);
  const conditions = stageConditions(stage);
  const describe = (name: Overridable) => {
    const c: ConditionStatus | undefined = conditions?.[OVERRIDABLE[name].kind];
    return `${OVERRIDABLE[name].label}: ${c ? c.status : 'not run'}`;
  };
  const chosen: Overridable | undefined = options.condition as Overridable | undefined
    ?? (Object.keys(OVERRIDABLE) as Overridable[]).find((name) => conditions?.[OVERRIDABLE[name].kind]?.status === 'InProgress');
  const condition = chosen ? conditions?.[OVERRIDABLE[chosen].kind] : undefined;
  // only a condition being checked: one that failed, errored or ended is no longer overridden
  if (!chosen || !condition || condition.status !== 'InProgress') {
    throw new CliError(`nothing to override in '${env}' of '${pipeline}': ${chosen ? `its ${OVERRIDABLE[chosen].label} are not being checked` : 'no condition is being checked'} `
      + `(${describe('entry')}; ${describe('success')})`, ExitCode.NOT_FOUND);
  }
  // The execution the condition checks: the one its rules run for (ListRuleExecutions). An execution
  // waiting for the window may not be the stage's latest yet, and in PARALLEL mode several may wait.
  // Their runs that GetPipelineState shows (by id) are looked for on up to OVERRIDE_RULE_PAGES pages.
  const ruleNames = new Set(condition.rules.map((r) => r.name));
  const shown = new Set(runIdsInProgress(stage, OVERRIDABLE[chosen].kind));
  const checked = [...new Set((await ctx.api.listRuleExecutions(pipeline, {
    maxPages: OVERRIDE_RULE_PAGES,
    stopWhen: (items) => [...shown].every((id) => items.some((i) => i.ruleExecutionId === id)),
  }))
    .filter((r) => r.stageName === env && r.status === 'InProgress' && ruleNames.has(r.ruleName ?? '') && r.pipelineExecutionId)
    .map((r) => r.pipelineExecutionId!))];
  if (checked.length > 1 && (options.execution === undefined || !checked.includes(options.execution))) {
    const list = `the ${OVERRIDABLE[chosen].label} of '${env}' are checked for ${checked.length} executions: ${checked.join(', ')}`;
    if (options.execution === undefined) throw usageError(`${list}; choose one with --execution <id>`);
    throw new CliError(`refusing to override: ${list}, not ${options.execution}`, ExitCode.NOT_FOUND);
  }
  const latest = stage.latestExecution;
  // No rule run listed: the stage's latest execution, if it runs. GetPipelineState gives the latest
  // run of each kind of condition without its execution: when the stage's latest execution does not
  // run, a condition shown in progress is an earlier run's.
  if (checked.length === 0 && (!latest?.pipelineExecutionId || latest.status !== 'InProgress')) {
    throw new CliError(`nothing to override in '${env}' of '${pipeline}': its latest execution ${latest?.pipelineExecutionId ?? '(none)'} is `
      + `${latest?.status ?? 'not started'}, so no condition is being checked for it (${describe('entry')}; ${describe('success')})`, ExitCode.NOT_FOUND);
  }
  const executionId = checked.length > 1 ? options.execution! : checked[0] ?? latest!.pipelineExecutionId!;
  const execution = await ctx.api.getPipelineExecution(pipeline, executionId);
  const revision = revisionOfExecution(execution);
  if (options.execution !== undefined && options.execution !== executionId) {
    throw new CliError(`refusing to override: the ${OVERRIDABLE[chosen].label} of '${env}' are checked for execution ${executionId} `
      + `(revision ${shortRevision(revision.id)}), not ${options.execution}`, ExitCode.NOT_FOUND);
  }
  const { label, type } = OVERRIDABLE[chosen];
  const rules = condition.rules.map((r) => ruleLabel(env, r.name)).join(', ');
  const what = `the ${label}${rules ? ` (${rules})` : ''} of '${env}' in '${pipeline}' for ${describeRevision(revision)} (execution ${executionId})`;
  if (!confirmed) {
    const checking = conditionsChecked(env, conditions, ctx.io.now());
    if (checking) println(ctx.io.stderr, safeLine(`${env}: ${checking}`));
    println(ctx.io.stderr, safeLine(`overriding skips ${OVERRIDABLE[chosen].what} for this execution`));
    const ok = await ctx.io.confirm(safeLine(`Override the ${label} of ${env} for ${shortRevision(revision.id)}?`));
    if (!ok) {
      println(ctx.io.stderr, 'nothing done');
      return ExitCode.USAGE;
    }
  }
  await ctx.api.overrideStageCondition({ pipelineName: pipeline, stageName: env, pipelineExecutionId: executionId, conditionType: type });
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({
      pipeline, environment: env, conditionType: type, rules: condition.rules.map((r) => r.name), executionId, revision: revision.id,
    }, null, 2));
  } else {
    println(ctx.io.stdout, safeLine(`overrode ${what}`));
  }
  return options.wait ? waitForStage(ctx, pipeline, env, executionId, { timeoutMs: options.timeoutMs }) : ExitCode.OK;
}
