import {
  CodePipelineClient, ConflictException, GetPipelineCommand, GetPipelineExecutionCommand, GetPipelineStateCommand, ListActionExecutionsCommand,
  RetryStageExecutionCommand, NotLatestPipelineExecutionException, RollbackStageCommand, StageNotRetryableException, UnableToRollbackStageException,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { actionExecutions, COMMIT_1, COMMIT_2, execution3, PIPELINE, pipelineState } from './fixtures/pipeline';
import { awsError, cli, minutesAgo } from './helpers';

const cp = mockClient(CodePipelineClient);

beforeEach(() => {
  cp.reset();
  cp.on(GetPipelineStateCommand).resolves(pipelineState({ stagingStatus: 'Failed' }));
  cp.on(RetryStageExecutionCommand).resolves({ pipelineExecutionId: 'exec-3' });
  cp.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'exec-rb' });
  cp.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'arn:aws:iam::111111111111:role/p', stages: [], executionMode: 'SUPERSEDED' } });
  cp.on(GetPipelineExecutionCommand).resolves({
    pipelineExecution: { pipelineExecutionId: 'exec-1', artifactRevisions: [{ revisionId: COMMIT_1, revisionSummary: 'First release' }] },
  });
  // two pages: the second is only reached by following nextToken
  cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: actionExecutions.slice(0, 6), nextToken: 'page-2' });
  cp.on(ListActionExecutionsCommand, { nextToken: 'page-2' }).resolves({ actionExecutionDetails: actionExecutions.slice(6) });
});

describe('retry', () => {
  test('retries the failed actions of the stage\'s latest execution', async () => {
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(RetryStageExecutionCommand, {
      pipelineName: PIPELINE, stageName: 'staging', pipelineExecutionId: 'exec-3', retryMode: 'FAILED_ACTIONS',
    });
    expect(r.stdout).toContain("retrying the failed actions of 'staging' in 'shop-pipeline' (execution exec-3)");
  });

  test('exit 3 when the stage has not failed', async () => {
    const r = await cli(['retry', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("nothing to retry in 'prod': its latest execution exec-3 is InProgress");
    expect(cp).not.toHaveReceivedCommand(RetryStageExecutionCommand);
  });

  test('exit 3, without calling RetryStageExecution, when the stage was cancelled by an update of the pipeline', async () => {
    const state = pipelineState({ stagingStatus: 'Failed' });
    state.stageStates![2].latestExecution = { pipelineExecutionId: 'exec-3', status: 'Cancelled' };
    cp.on(GetPipelineStateCommand).resolves(state);
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: nothing to retry in 'staging': its latest execution exec-3 was cancelled by an update of the pipeline, "
      + 'and CodePipeline cannot retry a stage after the pipeline changed; release again (start a new execution)\n');
    expect(cp).not.toHaveReceivedCommand(RetryStageExecutionCommand);
  });

  test('exit 1 when CodePipeline says the stage is not retryable', async () => {
    cp.on(RetryStageExecutionCommand).rejects(new StageNotRetryableException({ message: 'newer execution exists', $metadata: {} }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RetryStageExecution failed');
    expect(r.stderr).toContain('newer execution exists');
  });

  test('--all-actions runs every action of the stage again (ALL_ACTIONS) and says so', async () => {
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--all-actions']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(RetryStageExecutionCommand, {
      pipelineName: PIPELINE, stageName: 'staging', pipelineExecutionId: 'exec-3', retryMode: 'ALL_ACTIONS',
    });
    expect(r.stdout).toBe("retrying every action of 'staging' in 'shop-pipeline', from its first (execution exec-3)\n");
    const json = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--all-actions', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ pipeline: PIPELINE, environment: 'staging', retried: 'exec-3', executionId: 'exec-3', retryMode: 'ALL_ACTIONS' });
  });

  test('a stage failed with every action succeeded (its success conditions) that CodePipeline will not retry: exit 1, naming --all-actions and rollback', async () => {
    const state = pipelineState({ stagingStatus: 'Failed' });
    state.stageStates![2].actionStates = [{ actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(40) } }];
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(RetryStageExecutionCommand).rejects(new StageNotRetryableException({ message: 'No failed actions to retry', $metadata: {} }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: no failed action to retry in 'staging': its execution exec-3 failed with every action succeeded "
      + '(its success conditions, the alarms watched after the deployments, failed it); '
      + "run every action again with 'cdk-delivery retry shop-pipeline --env staging --all-actions' (it deploys the same revision again and watches the alarms again), "
      + "or roll back with 'cdk-delivery rollback shop-pipeline --env staging' (RetryStageExecution failed (pipeline 'shop-pipeline', environment 'staging'): "
      + 'StageNotRetryableException: No failed actions to retry)\n');
    expect(cp).toHaveReceivedCommandWith(RetryStageExecutionCommand, { retryMode: 'FAILED_ACTIONS' });
  });

  test('with --all-actions, CodePipeline\'s refusal is reported as it is (the advice would repeat the command)', async () => {
    const state = pipelineState({ stagingStatus: 'Failed' });
    state.stageStates![2].actionStates = [{ actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(40) } }];
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(RetryStageExecutionCommand).rejects(new StageNotRetryableException({ message: 'Stage is not retryable', $metadata: {} }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--all-actions']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: RetryStageExecution failed (pipeline 'shop-pipeline', environment 'staging'): "
      + 'StageNotRetryableException: Stage is not retryable\n');
  });

  test('a later execution in the stage (NotLatestPipelineExecutionException) is CodePipeline\'s refusal: exit 1, naming the operation '
    + '(regression: "execution ? is no longer the latest", exit 3)', async () => {
    cp.on(RetryStageExecutionCommand).rejects(new NotLatestPipelineExecutionException({ message: 'The stage has failed in a later run', $metadata: {} }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: RetryStageExecution failed (pipeline 'shop-pipeline', environment 'staging'): "
      + 'NotLatestPipelineExecutionException: The stage has failed in a later run\n');
  });

  test('the pipeline busy (ConflictException): exit 5, nothing done, try again (regression: exit 1, "failed")', async () => {
    cp.on(RetryStageExecutionCommand).rejects(new ConflictException({ message: 'The pipeline is busy handling ongoing activities.', $metadata: { httpStatusCode: 409 } }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe("cdk-delivery: CodePipeline is busy with pipeline 'shop-pipeline' (RetryStageExecution, environment 'staging': "
      + "ConflictException: The pipeline is busy handling ongoing activities): nothing was done; try again in a minute ('cdk-delivery status shop-pipeline' "
      + 'shows what is running)\n');
  });

  test('--wait follows the retried stage to success', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState({ stagingStatus: 'Failed' })).resolves(pipelineState({ stagingStatus: 'Succeeded' }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('staging succeeded');
  });

  test('--wait: the failure being retried, still shown by the first polls, is not the retry\'s result', async () => {
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'InProgress' }))
      .resolves(pipelineState({ stagingStatus: 'Succeeded' }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('staging: waiting for the retry to start\nstaging: InProgress — Deploy Succeeded\nstaging: Succeeded — Deploy Succeeded\nstaging succeeded\n');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 5);
  });

  test('--wait: a retry that fails again exits 1 once the stage shows a newer failure', async () => {
    const again = pipelineState({ stagingStatus: 'Failed' });
    again.stageStates![2].actionStates![0].latestExecution = { status: 'Failed', lastStatusChange: minutesAgo(1), errorDetails: { code: 'JobFailed', message: 'stack rollback again' } };
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolves(again);
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('staging: waiting for the retry to start\nstaging: Failed — Deploy Failed\nstaging failed: Deploy: stack rollback again\n');
  });

  test('--wait shows the alarms watched after the deployments, and the alarm that failed the stage when no action did', async () => {
    const withConditions = (status: string, ruleStatus: 'InProgress' | 'Failed', summary?: string) => {
      const state = pipelineState({ stagingStatus: status });
      const stage = state.stageStates![2];
      stage.actionStates![0].latestExecution = { status: 'Succeeded', lastStatusChange: minutesAgo(5) };
      stage.onSuccessConditionState = {
        latestExecution: { status: ruleStatus },
        conditionStates: [{ ruleStates: [{ ruleName: 'staging.BakeAlarm', latestExecution: { status: ruleStatus, summary, lastStatusChange: minutesAgo(4) } }] }],
      };
      return state;
    };
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(withConditions('InProgress', 'InProgress'))
      .resolves(withConditions('Failed', 'Failed', 'shop-staging-errors is in ALARM'));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('staging: waiting for the retry to start\n'
      + 'staging: InProgress — Deploy Succeeded; checking success conditions: BakeAlarm\n'
      + 'staging: Failed — Deploy Succeeded\n'
      + 'staging failed: success conditions failed: BakeAlarm (shop-staging-errors is in ALARM)\n');
  });

  test('--wait without a terminal prints the alarms watched once, not once per poll for the whole bake time (regression: a line per poll)', async () => {
    const baking = () => {
      const state = pipelineState({ stagingStatus: 'InProgress' });
      const stage = state.stageStates![2];
      stage.actionStates![0].latestExecution = { status: 'Succeeded', lastStatusChange: minutesAgo(5) };
      stage.onSuccessConditionState = {
        latestExecution: { status: 'InProgress' },
        conditionStates: [{ ruleStates: [{ ruleName: 'staging.BakeAlarm', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(4) } }] }],
      };
      return state;
    };
    const done = pipelineState({ stagingStatus: 'Succeeded' });
    done.stageStates![2].actionStates![0].latestExecution = { status: 'Succeeded', lastStatusChange: minutesAgo(5) };
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(baking()).resolvesOnce(baking()).resolvesOnce(baking()).resolvesOnce(baking())
      .resolves(done);
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait'], { clockFollowsSleeps: true }, { pollIntervalMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('staging: InProgress — Deploy Succeeded; checking success conditions: BakeAlarm\n'
      + 'staging: Succeeded — Deploy Succeeded\nstaging succeeded\n');
  });

  test('--timeout stops waiting on a stage still running: exit 8, never sleeping past the deadline', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState({ stagingStatus: 'Failed' })).resolves(pipelineState({ stagingStatus: 'InProgress' }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait', '--timeout', '12s'], { clockFollowsSleeps: true }, { pollIntervalMs: 5000 });
    expect(r.code).toBe(8);
    expect(r.io.sleeps).toEqual([5000, 5000, 2000]);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1 + 4);
    expect(r.stderr).toContain('staging still in progress after 12s; stopped waiting for execution exec-3, which goes on in CodePipeline: '
      + 'what the command did stays done, do not run it again (see: cdk-delivery status shop-pipeline)\n');
  });

  test('--wait: polling still throttled after the retry was accepted keeps exit 5, saying that the retry stays done and the execution goes on', async () => {
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'InProgress' }))
      .rejects(awsError('ThrottlingException', 'Rate exceeded', 400, 6));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait']);
    expect(r.code).toBe(5);
    expect(cp).toHaveReceivedCommandTimes(RetryStageExecutionCommand, 1);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 3);
    expect(r.stdout).toBe("retrying the failed actions of 'staging' in 'shop-pipeline' (execution exec-3)\n");
    expect(r.stderr).toBe('staging: InProgress — Deploy Succeeded\n'
      + 'cdk-delivery: throttled: codepipeline:GetPipelineState was still throttled after 6 attempts; try again later or raise AWS_MAX_ATTEMPTS; '
      + 'stopped waiting for execution exec-3, which goes on in CodePipeline: what the command did stays done, do not run it again '
      + '(see: cdk-delivery status shop-pipeline)\n');
  });

  test('--timeout does not cut a stage that ends in time', async () => {
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState({ stagingStatus: 'Failed' }))
      .resolvesOnce(pipelineState({ stagingStatus: 'InProgress' }))
      .resolves(pipelineState({ stagingStatus: 'Succeeded' }));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes', '--wait', '--timeout', '1h'], { clockFollowsSleeps: true }, { pollIntervalMs: 5000 });
    expect(r.code).toBe(0);
    expect(r.io.sleeps).toEqual([5000]);
    expect(r.stderr).toContain('staging succeeded');
  });

  test('--timeout without --wait, or not a duration, is a usage error before any call', async () => {
    const without = await cli(['retry', PIPELINE, '--env', 'staging', '--timeout', '30m']);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('--timeout limits --wait: add --wait, or leave --timeout out');
    const bad = await cli(['rollback', PIPELINE, '--env', 'prod', '--wait', '--timeout', '3x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--timeout: invalid duration '3x'");
    expect(cp).not.toHaveReceivedCommand(RetryStageExecutionCommand);
    expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
  });

  test('exit 5 when still throttled after the retries', async () => {
    cp.on(GetPipelineStateCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400, 6));
    const r = await cli(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('throttled: codepipeline:GetPipelineState was still throttled after 6 attempts');
  });
});

describe('rollback', () => {
  test('rolls back to the last execution that succeeded in the stage, following nextToken', async () => {
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, nextToken: 'page-2' });
    expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-1' });
    expect(r.stdout).toContain('to 0badc0d "First release" (execution exec-1); rollback execution exec-rb');
  });

  test('--target-execution overrides the search', async () => {
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-0', '--json']);
    expect(r.code).toBe(0);
    expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
    expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { targetPipelineExecutionId: 'exec-0' });
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'exec-0', executionId: 'exec-rb' });
  });

  test('an invalid --target-execution is a usage error found before any AWS call', async () => {
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--target-execution', 'bad id']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: invalid execution id (--target-execution) 'bad id': use 1-100 letters, digits, '.', '@', '-' or '_' (no spaces)\n");
    expect(cp.calls()).toHaveLength(0);
  });

  test('exit 3 when no earlier execution succeeded in the stage', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions.filter((a) => a.pipelineExecutionId !== 'exec-1') });
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no earlier successful execution of 'prod' to roll back to");
    expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
  });

  test('the search stops after 50 pages with a warning on stderr', async () => {
    const page = actionExecutions.filter((a) => a.pipelineExecutionId === 'exec-3');
    let n = 0;
    cp.on(ListActionExecutionsCommand).callsFake(() => ({ actionExecutionDetails: page, nextToken: `more-${++n}` }));
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 50);
    expect(r.stderr).toBe("cdk-delivery: warning: stopped reading ListActionExecutions of 'shop-pipeline' after 50 pages; older items are left out\n"
      + "cdk-delivery: no earlier successful execution of 'prod' to roll back to in pipeline 'shop-pipeline'\n");
    expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
  });

  test('the last success of the stage being an earlier rollback, it rolls back to what that rollback restored', async () => {
    // exec-1 ok, exec-2 deployed then rolled back by rb-1 (to exec-1), exec-3 failed: prod must go back to exec-1, not exec-2
    const prodRun = (exec: string, status: string, at: number) => ({
      pipelineExecutionId: exec,
      stageName: 'prod',
      actionName: 'Deploy',
      status: status as 'Succeeded',
      startTime: minutesAgo(at + 10),
      lastUpdateTime: minutesAgo(at),
      input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } },
    });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [prodRun('exec-3', 'Failed', 10), prodRun('rb-1', 'Succeeded', 100), prodRun('exec-2', 'Succeeded', 200), prodRun('exec-1', 'Succeeded', 500)],
    });
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' }).resolves({
      pipelineExecution: {
        pipelineExecutionId: 'rb-1',
        executionType: 'ROLLBACK',
        trigger: { triggerType: 'AutomatedRollback' },
        rollbackMetadata: { rollbackTargetPipelineExecutionId: 'exec-1' },
        artifactRevisions: [{ revisionId: COMMIT_1, revisionSummary: 'First release' }],
      },
    });
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(RollbackStageCommand, 1);
    expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-1' });
    expect(r.stdout).toBe("rolling back 'prod' of 'shop-pipeline' to 0badc0d \"First release\" (execution exec-1, restored by rollback execution rb-1); rollback execution exec-rb\n");
  });

  describe('after a rollback', () => {
    // exec-0 and exec-1 good, exec-2 bad, rb-1 (the stage's latest execution) rolled prod back to exec-1
    const prodRun = (exec: string, at: number) => ({
      pipelineExecutionId: exec,
      stageName: 'prod',
      actionName: 'Deploy',
      status: 'Succeeded' as const,
      startTime: minutesAgo(at + 10),
      lastUpdateTime: minutesAgo(at),
      input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } },
    });
    const rolledBack = (status: 'Succeeded' | 'Failed' | 'InProgress') => {
      const state = pipelineState();
      state.stageStates![3] = { ...state.stageStates![3], latestExecution: { pipelineExecutionId: 'rb-1', status, type: 'ROLLBACK' } };
      cp.on(GetPipelineStateCommand).resolves(state);
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [prodRun('rb-1', 50), prodRun('exec-2', 200), prodRun('exec-1', 500), prodRun('exec-0', 900)] });
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' }).resolves({
        pipelineExecution: { pipelineExecutionId: 'rb-1', status, executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'exec-1' } },
      });
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-0' }).resolves({
        pipelineExecution: { pipelineExecutionId: 'exec-0', artifactRevisions: [{ revisionId: COMMIT_1, revisionSummary: 'Older release' }] },
      });
    };

    test('rolling back again goes to the success before the one restored, never to the release it undid (regression: back to exec-2)', async () => {
      rolledBack('Succeeded');
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandTimes(RollbackStageCommand, 1);
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-0' });
    });

    test('exit 3, without calling RollbackStage, when nothing succeeded before the execution restored', async () => {
      rolledBack('Succeeded');
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [prodRun('rb-1', 50), prodRun('exec-2', 200), prodRun('exec-1', 500)] });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe("cdk-delivery: no earlier successful execution of 'prod' before execution exec-1, which rollback execution rb-1 restored, "
        + "to roll back to in pipeline 'shop-pipeline'\n");
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
    });

    test.each(['Failed', 'InProgress'] as const)('exit 3, without calling RollbackStage, when that rollback is %s: the target must be chosen', async (status) => {
      rolledBack(status);
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('cdk-delivery: \'prod\' of \'shop-pipeline\' is being rolled back, or its rollback did not end well: its latest execution rb-1 '
        + `is a rollback to execution exec-1 that is ${status}; choose what to roll back to with --target-execution (exec-1 to roll back to it again)\n`);
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
      expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
    });
  });

  describe('what counts as a success of the stage', () => {
    const prodAction = (exec: string, name: string, status: string, at: number) => ({
      pipelineExecutionId: exec,
      stageName: 'prod',
      actionName: name,
      status: status as 'Succeeded',
      startTime: minutesAgo(at + 10),
      lastUpdateTime: minutesAgo(at),
      input: name === 'Approve'
        ? { actionTypeId: { category: 'Approval' as const, owner: 'AWS' as const, provider: 'Manual', version: '1' } }
        : { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } },
    });

    test('a run stopped after its approval (stop and wait: the deployment never started) is no target', async () => {
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [
          prodAction('exec-3', 'Approve', 'InProgress', 10),
          prodAction('exec-2', 'Approve', 'Succeeded', 200),
          prodAction('exec-1', 'Deploy', 'Succeeded', 500),
          prodAction('exec-1', 'Approve', 'Succeeded', 520),
        ],
      });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandTimes(RollbackStageCommand, 1);
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-1' });
    });

    test('exit 3 naming the action a stopped run left out, when no run of the stage completed', async () => {
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [prodAction('exec-3', 'Approve', 'InProgress', 10), prodAction('exec-2', 'Approve', 'Succeeded', 200)],
      });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe("cdk-delivery: no earlier successful execution of 'prod' to roll back to in pipeline 'shop-pipeline'; "
        + 'execution exec-2 did not run Deploy (stopped before it, or run before the stage changed)\n');
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
    });

    test('a run whose deployment failed, then succeeded when retried, is the target (regression: counted as failed)', async () => {
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [
          prodAction('exec-3', 'Deploy', 'Failed', 10),
          prodAction('exec-3', 'Approve', 'Succeeded', 20),
          prodAction('exec-2', 'Deploy', 'Succeeded', 100),
          prodAction('exec-2', 'Deploy', 'Failed', 200),
          prodAction('exec-2', 'Approve', 'Succeeded', 220),
          prodAction('exec-1', 'Deploy', 'Succeeded', 500),
          prodAction('exec-1', 'Approve', 'Succeeded', 520),
        ],
      });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-2' });
      expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-2' });
    });
  });

  test('--target-execution naming a rollback execution: exit 3 naming the execution it restored', async () => {
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' }).resolves({
      pipelineExecution: { pipelineExecutionId: 'rb-1', executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'exec-1' } },
    });
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'rb-1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: cannot roll back 'prod' to execution rb-1: it is a rollback execution, and CodePipeline rolls back only to "
      + 'standard executions; it restored execution exec-1 (--target-execution exec-1)\n');
    expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
  });

  test('exit 3, without calling RollbackStage, when the last success ran an older pipeline version', async () => {
    cp.on(GetPipelineStateCommand).resolves({ ...pipelineState({ stagingStatus: 'Failed' }), pipelineVersion: 4 });
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: { pipelineExecutionId: 'exec-1', pipelineVersion: 3, artifactRevisions: [{ revisionId: COMMIT_1, revisionSummary: 'First release' }] },
    });
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: cannot roll back 'prod' of 'shop-pipeline' to 0badc0d \"First release\" (execution exec-1): it ran pipeline version 3, "
      + 'and the pipeline has changed since (version 4); CodePipeline rolls back only to executions started in the current version: '
      + 'release that revision again instead\n');
    expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
  });

  test('exit 1, without calling RollbackStage, for the source stage, which CodePipeline never rolls back', async () => {
    const r = await cli(['rollback', PIPELINE, '--env', 'Source', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: cannot roll back 'Source' in 'shop-pipeline': it is the source stage, which CodePipeline never rolls back; "
      + 'roll back the environment that runs the change, or start the pipeline on an earlier revision (cdk-delivery start --revision)\n');
    expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
    expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
  });

  describe('in PARALLEL execution mode, where CodePipeline has no stage rollback', () => {
    const mode = (executionMode: 'PARALLEL' | 'QUEUED' | 'SUPERSEDED') =>
      cp.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'arn:aws:iam::111111111111:role/p', stages: [], executionMode } });

    test('exit 1 after GetPipeline, without searching or calling RollbackStage, saying how to redeploy instead', async () => {
      mode('PARALLEL');
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(1);
      expect(cp).toHaveReceivedCommandWith(GetPipelineCommand, { name: PIPELINE });
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
      expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe("cdk-delivery: cannot roll back 'prod' of 'shop-pipeline': the pipeline runs in PARALLEL execution mode, "
        + 'where CodePipeline has no stage rollback (RollbackStage works in SUPERSEDED and QUEUED mode only); '
        + 'release the earlier revision again instead: cdk-delivery start shop-pipeline --revision <id> '
        + "(the full revision ids of the executions that ran 'prod' are in cdk-delivery history shop-pipeline --env prod --json)\n");
    });

    test('with --target-execution, the message gives the command that releases that execution\'s revision again', async () => {
      mode('PARALLEL');
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-1']);
      expect(r.code).toBe(1);
      expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-1' });
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
      expect(r.stderr).toBe("cdk-delivery: cannot roll back 'prod' of 'shop-pipeline': the pipeline runs in PARALLEL execution mode, "
        + 'where CodePipeline has no stage rollback (RollbackStage works in SUPERSEDED and QUEUED mode only); '
        + `release 0badc0d "First release" (execution exec-1) again instead: cdk-delivery start shop-pipeline --revision ${COMMIT_1}\n`);
    });

    test('QUEUED mode rolls back', async () => {
      mode('QUEUED');
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-1' });
    });

    test('a denied GetPipeline is a warning, and the rollback goes on (CodePipeline refuses it itself in PARALLEL mode)', async () => {
      cp.on(GetPipelineCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-1' });
      expect(r.stderr).toBe("cdk-delivery: warning: access denied: GetPipeline needs the IAM permission codepipeline:GetPipeline (pipeline 'shop-pipeline'); "
        + 'cannot tell the execution mode of \'shop-pipeline\' (CodePipeline refuses RollbackStage in PARALLEL mode)\n');
    });
  });

  test('exit 1 when CodePipeline cannot roll back', async () => {
    cp.on(RollbackStageCommand).rejects(new UnableToRollbackStageException({ message: 'pipeline type V1', $metadata: {} }));
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RollbackStage failed');
  });

  test('exit 4 naming codepipeline:RollbackStage when access is denied', async () => {
    cp.on(RollbackStageCommand).rejects(awsError('AccessDeniedException', 'denied', 400));
    const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('codepipeline:RollbackStage');
  });

  describe('--wait', () => {
    const prod = (id: string, status: string) => ({
      stageStates: [{ stageName: 'prod', latestExecution: { pipelineExecutionId: id, status: status as 'Failed' }, actionStates: [{ actionName: 'Deploy', latestExecution: { status: status as 'Failed' } }] }],
    });

    beforeEach(() => {
      cp.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'rb-1' });
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
      cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { pipelineExecutionId: 'rb-1', status: 'InProgress' } });
    });

    test('the rollback execution that has not reached the stage yet is followed, not reported abandoned', async () => {
      cp.on(GetPipelineStateCommand)
        .resolvesOnce(prod('exec-2', 'Failed')).resolvesOnce(prod('exec-2', 'Failed')).resolvesOnce(prod('rb-1', 'InProgress'))
        .resolves(prod('rb-1', 'Succeeded'));
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-1', '--wait']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('prod: waiting for execution rb-1 to reach the stage\nprod: InProgress — Deploy InProgress\nprod: Succeeded — Deploy Succeeded\nprod succeeded\n');
      expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'rb-1' } });
      expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'rb-1' });
    });

    test('a rollback execution not readable yet is waited for (regression: exit 3 on the first poll), and given up after 3 polls', async () => {
      cp.on(GetPipelineStateCommand)
        .resolvesOnce(prod('exec-2', 'Failed')).resolvesOnce(prod('exec-2', 'Failed')).resolvesOnce(prod('rb-1', 'InProgress'))
        .resolves(prod('rb-1', 'Succeeded'));
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' })
        .rejectsOnce(awsError('PipelineExecutionNotFoundException', 'Pipeline execution rb-1 not found'))
        .resolves({ pipelineExecution: { pipelineExecutionId: 'rb-1', status: 'InProgress' } });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-1', '--wait']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('prod succeeded\n');

      cp.on(GetPipelineStateCommand).resolves(prod('exec-2', 'Failed'));
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' }).rejects(awsError('PipelineExecutionNotFoundException', 'Pipeline execution rb-1 not found'));
      const gone = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-1', '--wait']);
      expect(gone.code).toBe(3);
      expect(gone.stderr).toContain("cdk-delivery: execution rb-1 of pipeline 'shop-pipeline' was not found in 3 polls in a row; stopped waiting");
    });

    test('the endpoint lost while polling, after RollbackStage was accepted: exit 5, saying that the rollback execution goes on', async () => {
      cp.on(GetPipelineStateCommand)
        .resolvesOnce(prod('exec-2', 'Failed'))
        .rejects(Object.assign(new Error('socket hang up'), { name: 'Error', $metadata: {} }));
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-1', '--wait']);
      expect(r.code).toBe(5);
      expect(cp).toHaveReceivedCommandTimes(RollbackStageCommand, 1);
      expect(r.stderr).toBe('cdk-delivery: cannot reach the codepipeline endpoint for GetPipelineState (socket hang up); check AWS_ENDPOINT_URL, --region and the network; '
        + 'stopped waiting for execution rb-1, which goes on in CodePipeline: what the command did stays done, do not run it again '
        + '(see: cdk-delivery status shop-pipeline)\n');
    });

    test('exit 1 "abandoned" only when the execution ended without reaching the stage', async () => {
      cp.on(GetPipelineStateCommand).resolves(prod('exec-2', 'Failed'));
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' }).resolves({ pipelineExecution: { pipelineExecutionId: 'rb-1', status: 'Superseded' } });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--yes', '--target-execution', 'exec-1', '--wait']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('prod abandoned: execution rb-1 is Superseded\n');
    });
  });
});

describe('confirmation: retry and rollback redeploy, so they ask first', () => {
  describe('retry', () => {
    beforeEach(() => {
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-3' }).resolves({ pipelineExecution: { ...execution3(), status: 'Failed' } });
    });

    test.each([
      [[], 'Retry the failed actions of staging (execution exec-3, revision 3f2a9c1)?'],
      [['--all-actions'], 'Retry every action of staging, from its first (execution exec-3, revision 3f2a9c1)?'],
    ])('on a terminal, %j asks what will run again; no: exit 2, nothing done, no RetryStageExecution', async (flags, question) => {
      const r = await cli(['retry', PIPELINE, '--env', 'staging', ...flags], { stdinIsTTY: true, confirm: async () => false });
      expect(r.code).toBe(2);
      expect(r.io.questions).toEqual([question]);
      expect(r.stderr).toBe("'staging' of 'shop-pipeline': execution exec-3 (3f2a9c1 \"Add gift cards\") is Failed (failed: Deploy)\nnothing done\n");
      expect(r.stdout).toBe('');
      expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-3' });
      expect(cp).not.toHaveReceivedCommand(RetryStageExecutionCommand);
    });

    test('on a terminal, yes retries', async () => {
      const r = await cli(['retry', PIPELINE, '--env', 'staging', '--all-actions'], { stdinIsTTY: true, confirm: async () => true });
      expect(r.code).toBe(0);
      expect(r.io.questions).toEqual(['Retry every action of staging, from its first (execution exec-3, revision 3f2a9c1)?']);
      expect(cp).toHaveReceivedCommandTimes(RetryStageExecutionCommand, 1);
      expect(cp).toHaveReceivedCommandWith(RetryStageExecutionCommand, {
        pipelineName: PIPELINE, stageName: 'staging', pipelineExecutionId: 'exec-3', retryMode: 'ALL_ACTIONS',
      });
      expect(r.stdout).toBe("retrying every action of 'staging' in 'shop-pipeline', from its first (execution exec-3)\n");
    });

    test('nothing to retry is said without a question', async () => {
      const r = await cli(['retry', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => true });
      expect(r.code).toBe(3);
      expect(r.io.questions).toEqual([]);
      expect(cp).not.toHaveReceivedCommand(RetryStageExecutionCommand);
    });

    test('--yes asks nothing and reads no execution', async () => {
      const r = await cli(['retry', PIPELINE, '--env', 'staging', '-y'], { stdinIsTTY: true, confirm: async () => false });
      expect(r.code).toBe(0);
      expect(r.io.questions).toEqual([]);
      expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
      expect(cp).toHaveReceivedCommandTimes(RetryStageExecutionCommand, 1);
    });

    test('without a terminal and without --yes: exit 2 before any call', async () => {
      for (const flags of [[], ['--all-actions'], ['--wait', '--json']]) {
        const r = await cli(['retry', PIPELINE, '--env', 'staging', ...flags]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe('cdk-delivery: refusing to retry without confirmation: stdin is not a terminal; pass --yes\n');
        expect(r.stdout).toBe('');
      }
      expect(cp.calls()).toHaveLength(0);
    });
  });

  describe('rollback', () => {
    // prod's latest execution, exec-2 (a1b2c3d "Fix checkout"), failed; exec-1 (0badc0d "First release") is the last success
    beforeEach(() => {
      const state = pipelineState({ stagingStatus: 'Succeeded', approval: false });
      state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-2', status: 'Failed' };
      cp.on(GetPipelineStateCommand).resolves(state);
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-2' }).resolves({
        pipelineExecution: { pipelineExecutionId: 'exec-2', status: 'Failed', artifactRevisions: [{ name: 'Source', revisionId: COMMIT_2, revisionSummary: 'Fix checkout' }] },
      });
    });

    test('on a terminal it names the revision the stage ran last and the one it goes back to; no: exit 2, no RollbackStage', async () => {
      const r = await cli(['rollback', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
      expect(r.code).toBe(2);
      expect(r.io.questions).toEqual(['Roll back prod from a1b2c3d to 0badc0d (execution exec-1)?']);
      expect(r.stderr).toBe("the latest execution of 'prod' in 'shop-pipeline' is exec-2 (a1b2c3d \"Fix checkout\", Failed); "
        + 'rolling back deploys 0badc0d "First release" (execution exec-1) again\nnothing done\n');
      expect(r.stdout).toBe('');
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
      // the latest execution is read once: for a rollback it may be, and for the question
      expect(cp).toHaveReceivedNthSpecificCommandWith(1, GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-2' });
      expect(cp).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 2);
    });

    test('on a terminal, yes rolls back', async () => {
      const r = await cli(['rollback', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => true });
      expect(r.code).toBe(0);
      expect(r.io.questions).toEqual(['Roll back prod from a1b2c3d to 0badc0d (execution exec-1)?']);
      expect(cp).toHaveReceivedCommandTimes(RollbackStageCommand, 1);
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'prod', targetPipelineExecutionId: 'exec-1' });
    });

    test('with --target-execution, the latest execution is read for the question only', async () => {
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-0' }).resolves({
        pipelineExecution: { pipelineExecutionId: 'exec-0', artifactRevisions: [{ name: 'Source', revisionId: COMMIT_1, revisionSummary: 'Older release' }] },
      });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod', '--target-execution', 'exec-0'], { stdinIsTTY: true, confirm: async () => false });
      expect(r.code).toBe(2);
      expect(r.io.questions).toEqual(['Roll back prod from a1b2c3d to 0badc0d (execution exec-0)?']);
      expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-2' });
      expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);

      cp.resetHistory();
      const yes = await cli(['rollback', PIPELINE, '--env', 'prod', '--target-execution', 'exec-0', '--yes'], { stdinIsTTY: true });
      expect(yes.code).toBe(0);
      expect(yes.io.questions).toEqual([]);
      expect(cp).not.toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-2' });
      expect(cp).toHaveReceivedCommandWith(RollbackStageCommand, { targetPipelineExecutionId: 'exec-0' });
    });

    test('a latest execution CodePipeline no longer has is named by its id', async () => {
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-2' }).rejects(awsError('PipelineExecutionNotFoundException', 'not found'));
      const r = await cli(['rollback', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
      expect(r.code).toBe(2);
      expect(r.io.questions).toEqual(['Roll back prod from execution exec-2 to 0badc0d (execution exec-1)?']);
      expect(r.stderr).toBe("the latest execution of 'prod' in 'shop-pipeline' is exec-2 (—, Failed); "
        + 'rolling back deploys 0badc0d "First release" (execution exec-1) again\nnothing done\n');
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
    });

    test('a target restored by an earlier rollback is named with it', async () => {
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [
          { ...actionExecutions[4], pipelineExecutionId: 'exec-2', stageName: 'prod', actionName: 'Deploy', status: 'Failed', startTime: minutesAgo(20), lastUpdateTime: minutesAgo(10) },
          { ...actionExecutions[9], pipelineExecutionId: 'rb-1', startTime: minutesAgo(110), lastUpdateTime: minutesAgo(100) },
          { ...actionExecutions[9], pipelineExecutionId: 'exec-1', startTime: minutesAgo(510), lastUpdateTime: minutesAgo(500) },
        ],
      });
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'rb-1' }).resolves({
        pipelineExecution: { pipelineExecutionId: 'rb-1', executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'exec-1' } },
      });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
      expect(r.code).toBe(2);
      expect(r.io.questions).toEqual(['Roll back prod from a1b2c3d to 0badc0d (execution exec-1)?']);
      expect(r.stderr).toBe("the latest execution of 'prod' in 'shop-pipeline' is exec-2 (a1b2c3d \"Fix checkout\", Failed); "
        + 'rolling back deploys 0badc0d "First release" (execution exec-1, restored by rollback execution rb-1) again\nnothing done\n');
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
    });

    test('nothing to roll back to is said without a question', async () => {
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions.filter((a) => a.pipelineExecutionId !== 'exec-1') });
      const r = await cli(['rollback', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => true });
      expect(r.code).toBe(3);
      expect(r.io.questions).toEqual([]);
      expect(cp).not.toHaveReceivedCommand(RollbackStageCommand);
    });

    test('without a terminal and without --yes: exit 2 before any call', async () => {
      for (const flags of [[], ['--target-execution', 'exec-0'], ['--wait', '--json']]) {
        const r = await cli(['rollback', PIPELINE, '--env', 'prod', ...flags]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe('cdk-delivery: refusing to roll back without confirmation: stdin is not a terminal; pass --yes\n');
        expect(r.stdout).toBe('');
      }
      expect(cp.calls()).toHaveLength(0);
    });
  });
});
