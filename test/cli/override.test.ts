import {
  CodePipelineClient, ConditionNotOverridableException, GetPipelineExecutionCommand, GetPipelineStateCommand,
  ListRuleExecutionsCommand, NotLatestPipelineExecutionException, OverrideStageConditionCommand, RuleExecutionDetail, StageState,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { execution3, PIPELINE, prodStageState } from './fixtures/pipeline';
import { cli, minutesAgo } from './helpers';

const cp = mockClient(CodePipelineClient);

const prodState = (status: string, conditions: Partial<StageState>) => prodStageState(status, conditions);

/** prod waiting for its deployment window (the entry alarm already fine). */
const waitingForWindow = () => prodState('InProgress', {
  beforeEntryConditionState: {
    latestExecution: { status: 'InProgress' },
    conditionStates: [{
      ruleStates: [
        { ruleName: 'prod.DeploymentWindow', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(20) } },
        { ruleName: 'prod.EntryAlarm', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(20) } },
      ],
    }],
  },
});

/** prod deployed, its alarms watched for the bake time. */
const baking = () => prodState('InProgress', {
  beforeEntryConditionState: { latestExecution: { status: 'Succeeded' }, conditionStates: [] },
  onSuccessConditionState: {
    latestExecution: { status: 'InProgress' },
    conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(12) } }] }],
  },
});

/** A rule execution of the pipeline (ListRuleExecutions). */
const ruleRun = (stageName: string, ruleName: string, status: 'InProgress' | 'Succeeded', pipelineExecutionId: string): RuleExecutionDetail =>
  ({ stageName, ruleName, status, pipelineExecutionId, startTime: minutesAgo(20) });

beforeEach(() => {
  cp.reset();
  cp.on(GetPipelineStateCommand).resolves(waitingForWindow());
  cp.on(ListRuleExecutionsCommand).resolves({
    ruleExecutionDetails: [
      ruleRun('prod', 'prod.DeploymentWindow', 'InProgress', 'exec-3'),
      ruleRun('prod', 'prod.EntryAlarm', 'Succeeded', 'exec-3'),
      // another stage's bake time: not prod's condition
      ruleRun('staging', 'staging.BakeAlarm', 'InProgress', 'exec-9'),
    ],
  });
  cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: execution3() });
  cp.on(OverrideStageConditionCommand).resolves({});
});

describe('override', () => {
  test('lets the execution waiting for the deployment window through its entry conditions', async () => {
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(OverrideStageConditionCommand, {
      pipelineName: PIPELINE, stageName: 'prod', pipelineExecutionId: 'exec-3', conditionType: 'BEFORE_ENTRY',
    });
    expect(r.stdout).toBe('overrode the entry conditions (DeploymentWindow, EntryAlarm) of \'prod\' in \'shop-pipeline\' '
      + 'for 3f2a9c1 "Add gift cards" (execution exec-3)\n');
  });

  test('overrides the execution the rules run for, which may not be the stage\'s latest yet', async () => {
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [ruleRun('prod', 'prod.DeploymentWindow', 'InProgress', 'exec-4')] });
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-4' }).resolves({ pipelineExecution: { ...execution3(), pipelineExecutionId: 'exec-4' } });
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE });
    expect(cp).toHaveReceivedCommandWith(OverrideStageConditionCommand, { pipelineExecutionId: 'exec-4', conditionType: 'BEFORE_ENTRY' });
    expect(r.stdout).toContain('(execution exec-4)');
  });

  test('the run GetPipelineState shows not on the first page of ListRuleExecutions: reads on (up to 5 pages) and overrides its execution, not the stage\'s latest', async () => {
    const state = waitingForWindow();
    state.stageStates![3].beforeEntryConditionState!.conditionStates![0].ruleStates![0].latestExecution!.ruleExecutionId = 'rule-w4';
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListRuleExecutionsCommand)
      .resolvesOnce({ ruleExecutionDetails: [ruleRun('staging', 'staging.BakeAlarm', 'Succeeded', 'exec-4')], nextToken: 'p2' })
      .resolvesOnce({ ruleExecutionDetails: [{ ...ruleRun('prod', 'prod.DeploymentWindow', 'InProgress', 'exec-4'), ruleExecutionId: 'rule-w4' }], nextToken: 'p3' });
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-4' }).resolves({ pipelineExecution: { ...execution3(), pipelineExecutionId: 'exec-4' } });
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(0);
    expect(cp.commandCalls(ListRuleExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: PIPELINE, maxResults: 100 }, { pipelineName: PIPELINE, maxResults: 100, nextToken: 'p2' },
    ]);
    expect(cp).toHaveReceivedCommandTimes(OverrideStageConditionCommand, 1);
    expect(cp).toHaveReceivedCommandWith(OverrideStageConditionCommand, { pipelineExecutionId: 'exec-4', conditionType: 'BEFORE_ENTRY' });
  });

  test('ListRuleExecutions denied (a grant of an earlier version): exit 4, nothing overridden rather than a guessed execution', async () => {
    cp.on(ListRuleExecutionsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe("cdk-delivery: access denied: ListRuleExecutions needs the IAM permission codepipeline:ListRuleExecutions (pipeline 'shop-pipeline')\n");
    expect(cp).not.toHaveReceivedCommand(OverrideStageConditionCommand);
  });

  test('several executions waiting for the window (PARALLEL mode): none overridden until --execution picks one', async () => {
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [ruleRun('prod', 'prod.DeploymentWindow', 'InProgress', 'exec-4'), ruleRun('prod', 'prod.DeploymentWindow', 'InProgress', 'exec-3')],
    });
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: the entry conditions of 'prod' are checked for 2 executions: exec-4, exec-3; choose one with --execution <id>\n");
    const other = await cli(['override', PIPELINE, '--env', 'prod', '--execution', 'exec-2']);
    expect(other.code).toBe(3);
    expect(other.stderr).toBe("cdk-delivery: refusing to override: the entry conditions of 'prod' are checked for 2 executions: exec-4, exec-3, not exec-2\n");
    expect(cp).not.toHaveReceivedCommand(OverrideStageConditionCommand);
    expect((await cli(['override', PIPELINE, '--env', 'prod', '--execution', 'exec-3'])).code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(OverrideStageConditionCommand, { pipelineExecutionId: 'exec-3' });
  });

  test('without a rule run in progress in the list, the stage\'s latest execution is the one overridden', async () => {
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
    expect((await cli(['override', PIPELINE, '--env', 'prod', '--yes'])).code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(OverrideStageConditionCommand, { pipelineExecutionId: 'exec-3' });
  });

  test('during the bake time it overrides the success conditions; --json gives what was overridden', async () => {
    cp.on(GetPipelineStateCommand).resolves(baking());
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [ruleRun('prod', 'prod.BakeAlarm', 'InProgress', 'exec-3')] });
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(OverrideStageConditionCommand, { pipelineExecutionId: 'exec-3', conditionType: 'ON_SUCCESS' });
    expect(JSON.parse(r.stdout)).toEqual({
      pipeline: PIPELINE,
      environment: 'prod',
      conditionType: 'ON_SUCCESS',
      rules: ['prod.BakeAlarm'],
      executionId: 'exec-3',
      revision: execution3().artifactRevisions![0].revisionId,
    });
  });

  test('on a terminal it says what is checked and what overriding skips, and asks; declined, it does nothing (exit 2); accepted, it overrides', async () => {
    const r = await cli(['override', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('prod: checking entry conditions: DeploymentWindow for 20m 00s\n'
      + 'overriding skips the deployment window and the entry alarms for this execution\nnothing done\n');
    expect(r.io.questions).toEqual(['Override the entry conditions of prod for 3f2a9c1?']);
    expect(cp).not.toHaveReceivedCommand(OverrideStageConditionCommand);
    const yes = await cli(['override', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => true });
    expect(yes.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(OverrideStageConditionCommand, 1);
  });

  test('without a terminal and without --yes or --execution it is refused before any call', async () => {
    const r = await cli(['override', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cdk-delivery: refusing to override without confirmation: stdin is not a terminal; pass --yes or --execution <id>\n');
    expect(cp.calls()).toHaveLength(0);
  });

  test('--execution confirms it, and refuses when the condition is checked for another execution', async () => {
    expect((await cli(['override', PIPELINE, '--env', 'prod', '--execution', 'exec-3'])).code).toBe(0);
    cp.resetHistory();
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--execution', 'exec-2']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('cdk-delivery: refusing to override: the entry conditions of \'prod\' are checked for execution exec-3 (revision 3f2a9c1), not exec-2\n');
    expect(cp).not.toHaveReceivedCommand(OverrideStageConditionCommand);
  });

  test('nothing being checked: exit 3, naming the state of each condition, without calling OverrideStageCondition', async () => {
    // the window was open: exec-3 deploys
    cp.on(GetPipelineStateCommand).resolves(prodState('InProgress', {
      beforeEntryConditionState: { latestExecution: { status: 'Succeeded' }, conditionStates: [] },
    }));
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: nothing to override in 'prod' of 'shop-pipeline': no condition is being checked "
      + '(entry conditions: Succeeded; success conditions: not run)\n');
    const asked = await cli(['override', PIPELINE, '--env', 'prod', '--yes', '--condition', 'success']);
    expect(asked.code).toBe(3);
    expect(asked.stderr).toContain('its success conditions are not being checked (entry conditions: Succeeded; success conditions: not run)');
    expect(cp).not.toHaveReceivedCommand(OverrideStageConditionCommand);
  });

  test('a condition that is not in progress is not overridden, even when asked for by --condition: one that failed, or an earlier execution\'s '
    + '(regression: OverrideStageCondition called)', async () => {
    // exec-3 deploys; the success conditions shown failed in an earlier execution (GetPipelineState does not say which)
    cp.on(GetPipelineStateCommand).resolves(prodState('InProgress', {
      beforeEntryConditionState: { latestExecution: { status: 'Succeeded' }, conditionStates: [] },
      onSuccessConditionState: {
        latestExecution: { status: 'Failed' },
        conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(90) } }] }],
      },
    }));
    const failed = await cli(['override', PIPELINE, '--env', 'prod', '--yes', '--condition', 'success']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toBe("cdk-delivery: nothing to override in 'prod' of 'shop-pipeline': its success conditions are not being checked "
      + '(entry conditions: Succeeded; success conditions: Failed)\n');
    // exec-3 failed in the stage; the entry conditions still show in progress, and no rule runs any more
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [ruleRun('prod', 'prod.DeploymentWindow', 'Succeeded', 'exec-3')] });
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', { beforeEntryConditionState: waitingForWindow().stageStates![3].beforeEntryConditionState }));
    const ended = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(ended.code).toBe(3);
    expect(ended.stderr).toBe("cdk-delivery: nothing to override in 'prod' of 'shop-pipeline': its latest execution exec-3 is Failed, "
      + 'so no condition is being checked for it (entry conditions: InProgress; success conditions: not run)\n');
    expect(cp).not.toHaveReceivedCommand(OverrideStageConditionCommand);
  });

  test('a --condition other than entry or success, and the pipeline\'s own stages, are refused', async () => {
    const bad = await cli(['override', PIPELINE, '--env', 'prod', '--yes', '--condition', 'failure']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('cdk-delivery: --condition must be entry (the deployment window, entry alarms) or success '
      + "(the alarms watched after the deployments), got 'failure'\n");
    // names of Object.prototype are no kind of condition (regression: `constructor` passed, then read as one)
    for (const name of ['constructor', 'toString', '__proto__']) {
      const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes', '--condition', name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('cdk-delivery: --condition must be entry (the deployment window, entry alarms) or success '
        + `(the alarms watched after the deployments), got '${name}'\n`);
    }
    expect(cp.calls()).toHaveLength(0);
    const own = await cli(['override', PIPELINE, '--env', 'Build', '--yes']);
    expect(own.code).toBe(3);
    expect(own.stderr).toContain("'Build' in pipeline 'shop-pipeline' is the pipeline's own Build stage, not an environment");
  });

  test('CodePipeline\'s refusals name the cause and what to run next', async () => {
    cp.on(OverrideStageConditionCommand).rejects(new ConditionNotOverridableException({ message: 'The condition cannot be overridden.', $metadata: {} }));
    const refused = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("cdk-delivery: CodePipeline refused to override the condition of 'prod' in 'shop-pipeline' "
      + "(ConditionNotOverridableException: The condition cannot be overridden); run 'cdk-delivery status shop-pipeline' to see the current state\n");
    cp.on(OverrideStageConditionCommand).rejects(new NotLatestPipelineExecutionException({ message: 'out of date', $metadata: {} }));
    const stale = await cli(['override', PIPELINE, '--env', 'prod', '--yes']);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toBe("cdk-delivery: execution exec-3 is no longer the latest in 'prod' of 'shop-pipeline' (OverrideStageCondition); "
      + "run 'cdk-delivery status shop-pipeline' to see the current state\n");
  });

  test('--wait follows the stage to its end once the window is overridden', async () => {
    const deployed = prodState('Succeeded', {});
    deployed.stageStates![3].actionStates = [{ actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(0) } }];
    cp.on(GetPipelineStateCommand).resolvesOnce(waitingForWindow()).resolves(deployed);
    const r = await cli(['override', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('prod: Succeeded — Deploy Succeeded\nprod succeeded\n');
  });
});
