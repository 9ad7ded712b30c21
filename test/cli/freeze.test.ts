import {
  CodePipelineClient, DisableStageTransitionCommand, EnableStageTransitionCommand, GetPipelineStateCommand, GetPipelineStateOutput,
  ListActionExecutionsCommand, ListPipelineExecutionsCommand, PipelineNotFoundException, StageNotFoundException,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { actionExecutions, executions, PIPELINE, pipelineState } from './fixtures/pipeline';
import { awsError, cli, minutesAgo } from './helpers';
import { freezeReasonProblem } from '../../src/cli/commands/freeze';

const cp = mockClient(CodePipelineClient);
const ALICE = 'arn:aws:sts::111111111111:assumed-role/Release/alice';

/** The fixture's state with prod frozen (or not) since `minutes` ago. */
function stateWithProd(enabled: boolean, reason?: string, minutes = 120, waiting: string[] = []): GetPipelineStateOutput {
  const state = pipelineState();
  state.stageStates![3].inboundTransitionState = enabled
    ? { enabled: true, lastChangedBy: ALICE, lastChangedAt: minutesAgo(minutes) }
    : { enabled: false, disabledReason: reason, lastChangedBy: ALICE, lastChangedAt: minutesAgo(minutes) };
  state.stageStates![3].inboundExecutions = waiting.map((id) => ({ pipelineExecutionId: id, status: 'InProgress' as const }));
  return state;
}

beforeEach(() => {
  cp.reset();
  cp.on(GetPipelineStateCommand).resolves(stateWithProd(true));
  cp.on(DisableStageTransitionCommand).resolves({});
  cp.on(EnableStageTransitionCommand).resolves({});
});

describe('freeze', () => {
  test('disables the inbound transition of the environment\'s stage with the reason', async () => {
    const r = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'Change freeze until Jan 2 (CAB-1234)']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: PIPELINE });
    expect(cp).toHaveReceivedCommandTimes(DisableStageTransitionCommand, 1);
    expect(cp).toHaveReceivedCommandWith(DisableStageTransitionCommand, {
      pipelineName: PIPELINE, stageName: 'prod', transitionType: 'Inbound', reason: 'Change freeze until Jan 2 (CAB-1234)',
    });
    expect(r.stdout).toBe("froze 'prod' of 'shop-pipeline': executions now wait before it (\"Change freeze until Jan 2 (CAB-1234)\"); "
      + 'those already in it go on (cdk-delivery unfreeze shop-pipeline --env prod)\n');
    expect(r.stderr).toBe('');
  });

  test('an environment frozen with the same reason is left alone: no call, exit 0', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Change freeze'));
    const r = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'Change freeze']);
    expect(r.code).toBe(0);
    expect(cp).not.toHaveReceivedCommand(DisableStageTransitionCommand);
    expect(r.stdout).toBe("'prod' of 'shop-pipeline' is already frozen: \"Change freeze\" by alice, 2h 00m ago; nothing changed\n");
  });

  test('an environment frozen with another reason gets the new one (DisableStageTransition again)', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Change freeze'));
    const r = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'Incident 77 - hold all releases', '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(DisableStageTransitionCommand, {
      pipelineName: PIPELINE, stageName: 'prod', transitionType: 'Inbound', reason: 'Incident 77 - hold all releases',
    });
    expect(JSON.parse(r.stdout)).toEqual({
      pipeline: PIPELINE,
      environment: 'prod',
      frozen: true,
      reason: 'Incident 77 - hold all releases',
      changed: true,
      previous: { enabled: false, disabledReason: 'Change freeze', lastChangedBy: ALICE, lastChangedAt: minutesAgo(120).toISOString() },
    });
    const text = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'Incident 77']);
    expect(text.stdout).toBe("'prod' of 'shop-pipeline' was already frozen: \"Change freeze\" by alice, 2h 00m ago; the reason is now \"Incident 77\"\n");
  });

  test.each([
    ['release 42, not before Monday', "','"],
    ['café', 'U+00E9'],
    ['line\nbreak', 'U+000A'],
    ['path/to', "'/'"],
    ['under_score', "'_'"],
  ])('a --reason with a character CodePipeline refuses (%j) is a usage error naming the allowed ones, before any call', async (reason, shown) => {
    const r = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', reason]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: --reason may hold only letters a-z and A-Z, digits, spaces and ! @ ( ) . * ? - (the CodePipeline rule); it holds ${shown}\n`);
    expect(cp.calls()).toHaveLength(0);
  });

  test('--reason holds 1 to 300 characters: empty and 301 are usage errors, 300 is sent', async () => {
    const empty = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('cdk-delivery: --reason must not be empty\n');
    const long = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'x'.repeat(301)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toBe('cdk-delivery: --reason is 301 characters long; CodePipeline accepts at most 300\n');
    expect(cp.calls()).toHaveLength(0);
    const max = 'A!@ ().*?-'.repeat(30);
    expect((await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', max])).code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(DisableStageTransitionCommand, { reason: max });
  });

  test('freezeReasonProblem accepts exactly the characters of the API\'s pattern', () => {
    expect(freezeReasonProblem('aZ09!@ ().*?-')).toBeUndefined();
    for (const ch of [',', ':', ';', '\'', '"', '#', '_', '/', '\t', '[', '+']) expect(freezeReasonProblem(`a${ch}b`)).toBeDefined();
  });

  test('--reason is required', async () => {
    const r = await cli(['freeze', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: required option '--reason <text>' not specified\n");
  });

  test('exit 3 on an unknown environment, listing the valid ones, without freezing', async () => {
    const r = await cli(['freeze', PIPELINE, '--env', 'production', '--reason', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: unknown environment 'production' in pipeline 'shop-pipeline'; environments: staging, prod\n");
    expect(cp).not.toHaveReceivedCommand(DisableStageTransitionCommand);
  });

  test.each([
    ['Source'], ['Build'], ['Checks'], ['UpdatePipeline'],
  ])('--env %s, one of the pipeline\'s own stages, is refused (exit 3) listing the environments, without freezing', async (stage) => {
    const state = stateWithProd(true);
    state.stageStates!.splice(2, 0, { stageName: 'Checks', inboundTransitionState: { enabled: true } }, { stageName: 'UpdatePipeline', inboundTransitionState: { enabled: true } });
    state.stageStates![1].inboundTransitionState = { enabled: true };
    cp.on(GetPipelineStateCommand).resolves(state);
    const r = await cli(['freeze', PIPELINE, '--env', stage, '--reason', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: '${stage}' in pipeline 'shop-pipeline' is the pipeline's own ${stage} stage, not an environment; `
      + 'environments: staging, prod\n');
    expect(r.stdout).toBe('');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
    expect(cp).not.toHaveReceivedCommand(DisableStageTransitionCommand);
  });

  test('a stage without an inbound transition in GetPipelineState is not frozen (exit 3, no call)', async () => {
    // the fixture's staging has no inboundTransitionState, as GetPipelineState answers for a pipeline's first stage
    const r = await cli(['freeze', PIPELINE, '--env', 'staging', '--reason', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: 'staging' in pipeline 'shop-pipeline' has no inbound transition (GetPipelineState gives none, "
      + 'as for the first stage): nothing to freeze\n');
    expect(cp).not.toHaveReceivedCommand(DisableStageTransitionCommand);
  });

  test('a pipeline without environments: the refusal says so', async () => {
    cp.on(GetPipelineStateCommand).resolves({
      pipelineName: PIPELINE,
      stageStates: [{ stageName: 'Source' }, { stageName: 'Build', inboundTransitionState: { enabled: true } }],
    });
    const r = await cli(['freeze', PIPELINE, '--env', 'Build', '--reason', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: 'Build' in pipeline 'shop-pipeline' is the pipeline's own Build stage, not an environment; environments: (none)\n");
    const unknown = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'x']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe("cdk-delivery: unknown environment 'prod' in pipeline 'shop-pipeline'; environments: (none)\n");
    expect(cp).not.toHaveReceivedCommand(DisableStageTransitionCommand);
  });

  test('exit 4 naming codepipeline:DisableStageTransition when access is denied', async () => {
    cp.on(DisableStageTransitionCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized'));
    const r = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'x']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('cdk-delivery: access denied: DisableStageTransition needs the IAM permission codepipeline:DisableStageTransition '
      + "(pipeline 'shop-pipeline', environment 'prod')\n");
  });

  test('exit 5 when still throttled; exit 3 when the pipeline or the stage is gone', async () => {
    cp.on(DisableStageTransitionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400, 6));
    const throttled = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'x']);
    expect(throttled.code).toBe(5);
    expect(throttled.stderr).toContain('throttled: codepipeline:DisableStageTransition was still throttled after 6 attempts');
    cp.on(DisableStageTransitionCommand).rejects(new StageNotFoundException({ message: 'no stage', $metadata: {} }));
    const stage = await cli(['freeze', PIPELINE, '--env', 'prod', '--reason', 'x']);
    expect(stage.code).toBe(3);
    expect(stage.stderr).toBe("cdk-delivery: environment 'prod' not found in pipeline 'shop-pipeline'\n");
    cp.on(GetPipelineStateCommand).rejects(new PipelineNotFoundException({ message: 'no pipeline', $metadata: {} }));
    const pipeline = await cli(['freeze', 'nope', '--env', 'prod', '--reason', 'x']);
    expect(pipeline.code).toBe(3);
    expect(pipeline.stderr).toMatch(/^cdk-delivery: pipeline 'nope' not found \(GetPipelineState\)/);
  });
});

describe('unfreeze', () => {
  test('enables the inbound transition and says which executions wait before it', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Change freeze', 120, ['exec-5', 'exec-4']));
    const r = await cli(['unfreeze', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(EnableStageTransitionCommand, { pipelineName: PIPELINE, stageName: 'prod', transitionType: 'Inbound' });
    expect(r.stdout).toBe("unfroze 'prod' of 'shop-pipeline' (it was frozen: \"Change freeze\" by alice, 2h 00m ago)\n"
      + 'the latest execution waiting before it now enters it (waiting: exec-5, exec-4)\n');
    expect(r.stderr).toBe('');
  });

  test('an environment that is not frozen is left alone: no call, exit 0', async () => {
    const r = await cli(['unfreeze', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(cp).not.toHaveReceivedCommand(EnableStageTransitionCommand);
    expect(JSON.parse(r.stdout)).toEqual({ pipeline: PIPELINE, environment: 'prod', frozen: false, changed: false, waitingExecutions: [] });
    const text = await cli(['unfreeze', PIPELINE, '--env', 'prod']);
    expect(text.stdout).toBe("'prod' of 'shop-pipeline' is not frozen; nothing changed\n");
  });

  test('frozen for more than 30 days: a warning says CodePipeline does not resume the waiting execution', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Long freeze', 31 * 24 * 60, ['exec-5']));
    const r = await cli(['unfreeze', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(EnableStageTransitionCommand, 1);
    expect(r.stderr).toBe("cdk-delivery: warning: 'prod' was frozen for more than 30 days: CodePipeline does not resume the execution waiting before it; "
      + 'release again (cdk-delivery start shop-pipeline)\n');
    const json = await cli(['unfreeze', PIPELINE, '--env', 'prod', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ changed: true, waitingExecutions: ['exec-5'], resumes: false });
    // regression: --json said nothing on stderr
    expect(json.stderr).toBe(r.stderr);
  });

  test('frozen for more than 30 days with nothing waiting: the warning speaks of an execution that was waiting', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Long freeze', 31 * 24 * 60, []));
    const r = await cli(['unfreeze', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("cdk-delivery: warning: 'prod' was frozen for more than 30 days: CodePipeline does not resume an execution that was waiting "
      + 'before it; release again (cdk-delivery start shop-pipeline)\n');
  });

  test('exit 4 naming codepipeline:EnableStageTransition when access is denied', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Change freeze'));
    cp.on(EnableStageTransitionCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const r = await cli(['unfreeze', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('needs the IAM permission codepipeline:EnableStageTransition');
  });

  test.each([
    ['Source'], ['Build'],
  ])('--env %s, one of the pipeline\'s own stages, is refused (exit 3) listing the environments, without unfreezing', async (stage) => {
    const state = stateWithProd(false, 'Change freeze');
    state.stageStates![1].inboundTransitionState = { enabled: false, disabledReason: 'set in the console' };
    cp.on(GetPipelineStateCommand).resolves(state);
    const r = await cli(['unfreeze', PIPELINE, '--env', stage]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: '${stage}' in pipeline 'shop-pipeline' is the pipeline's own ${stage} stage, not an environment; `
      + 'environments: staging, prod\n');
    expect(r.stdout).toBe('');
    expect(cp).not.toHaveReceivedCommand(EnableStageTransitionCommand);
  });

  test('a stage without an inbound transition is not reported as "not frozen": exit 3, no call', async () => {
    const r = await cli(['unfreeze', PIPELINE, '--env', 'staging']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: 'staging' in pipeline 'shop-pipeline' has no inbound transition (GetPipelineState gives none, "
      + 'as for the first stage): nothing to unfreeze\n');
    expect(r.stdout).toBe('');
    expect(cp).not.toHaveReceivedCommand(EnableStageTransitionCommand);
  });

  test('exit 3 on an unknown environment', async () => {
    const r = await cli(['unfreeze', PIPELINE, '--env', 'qa']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("unknown environment 'qa' in pipeline 'shop-pipeline'; environments: staging, prod");
    expect(cp).not.toHaveReceivedCommand(EnableStageTransitionCommand);
  });
});

describe('status of a frozen environment', () => {
  beforeEach(() => {
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions });
  });

  test('the table shows the freeze in the stage\'s row, with its reason, who and when; no extra call', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Change freeze (CAB-1234)', 90));
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(cp.calls()).toHaveLength(3);
    // the "in progress" cell of prod: the freeze first, then what runs
    const inProgress = r.stdout.split('\n').map((l) => l.split('│')).filter((cells) => cells.length === 7).map((cells) => cells[3].trim());
    const prod = r.stdout.split('\n').filter((l) => l.split('│').length === 7).findIndex((l) => l.startsWith('│ prod '));
    expect(inProgress.slice(prod, prod + 5)).toEqual([
      'frozen: "Change freeze', '(CAB-1234)" by alice, 1h 30m', 'ago', '3f2a9c1 "Add gift cards"', 'awaiting approval',
    ]);
    // an enabled transition shows nothing
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(true));
    expect((await cli(['status', PIPELINE])).stdout).not.toContain('frozen');
  });

  test('--json gives inboundTransition for every stage that has one', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'Change freeze', 90));
    const r = await cli(['status', PIPELINE, '--json']);
    const envs = JSON.parse(r.stdout).environments;
    expect(envs.find((e: { name: string }) => e.name === 'prod').inboundTransition).toEqual({
      enabled: false, disabledReason: 'Change freeze', lastChangedBy: ALICE, lastChangedAt: minutesAgo(90).toISOString(),
    });
    expect(envs.find((e: { name: string }) => e.name === 'Source').inboundTransition).toBeUndefined();
  });

  test('control characters of a reason set in the console are replaced in the table, kept in JSON', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd(false, 'freeze\x1b[2J\u202Eevil', 5));
    const r = await cli(['status', PIPELINE]);
    expect(r.stdout).toContain('frozen: "freeze\uFFFD[2J\uFFFDevil"');
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    const json = await cli(['status', PIPELINE, '--json']);
    expect(JSON.parse(json.stdout).environments[3].inboundTransition.disabledReason).toBe('freeze\x1b[2J\u202Eevil');
  });
});
