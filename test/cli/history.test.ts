import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import {
  ActionExecutionDetail, CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand, GetPipelineStateCommand, ListActionExecutionsCommand,
  ListPipelineExecutionsCommand, ListRuleExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { action, actionExecutions, executions, PIPELINE, pipelineState } from './fixtures/pipeline';
import { actionExecution, cli, minutesAgo } from './helpers';

const cp = mockClient(CodePipelineClient);
mockClient(CodeDeployClient);

beforeEach(() => {
  cp.reset();
  // CodePipeline answers an empty list for an execution no rule ran for
  cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
  cp.on(GetPipelineStateCommand).resolves(pipelineState());
  cp.on(ListPipelineExecutionsCommand, { nextToken: undefined }).resolves({ pipelineExecutionSummaries: executions.slice(0, 2), nextToken: 'e2' });
  cp.on(ListPipelineExecutionsCommand, { nextToken: 'e2' }).resolves({ pipelineExecutionSummaries: executions.slice(2) });
  cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: actionExecutions.slice(0, 5), nextToken: 'a2' });
  cp.on(ListActionExecutionsCommand, { nextToken: 'a2' }).resolves({ actionExecutionDetails: actionExecutions.slice(5) });
});

describe('history', () => {
  test('follows nextToken on both list calls and shows every execution', async () => {
    const r = await cli(['history', PIPELINE]);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandWith(ListPipelineExecutionsCommand, { pipelineName: PIPELINE, maxResults: 100, nextToken: 'e2' });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, nextToken: 'a2' });
    for (const text of ['exec-3', 'exec-2', 'exec-1', '0badc0d "First release"', '1h 40m', 'running', 'WebhookV2']) {
      expect(r.stdout).toContain(text);
    }
  });

  test('a push through a connection shows as WebhookV2 (connection), a stopping execution as stopping (regressions: the connection id; "—")', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => (e.pipelineExecutionId === 'exec-3' ? { ...e, status: 'Stopping' as const } : e)),
    });
    const r = await cli(['history', PIPELINE, '--json']);
    expect(JSON.parse(r.stdout).map((e: { trigger?: string }) => e.trigger)).toContain('WebhookV2 (connection)');
    const rows = (await cli(['history', PIPELINE])).stdout.split('\n').filter((l) => l.includes('exec-3'));
    expect(rows[0]).toMatch(/│ stopping\s+│ Stopping/);
  });

  test('--json lists who answered each approval, when and with what comment', async () => {
    const r = await cli(['history', PIPELINE, '--json']);
    const entries = JSON.parse(r.stdout);
    expect(entries.map((e: { executionId: string }) => e.executionId)).toEqual(['exec-3', 'exec-2', 'exec-1']);
    expect(entries[1]).toMatchObject({
      status: 'Failed',
      durationMs: 60 * 60_000,
      revision: { id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', message: 'Fix checkout' },
      approvals: [{ environment: 'prod', action: 'Approve', decision: 'approved', by: 'arn:aws:sts::111111111111:assumed-role/Release/alice', comment: 'go for it' }],
    });
    expect(entries[1].approvals[0].at).toBe('2026-11-20T07:50:00.000Z');
    expect(entries[0].approvals[0]).toMatchObject({ decision: 'waiting' });
    expect(entries[0].approvals[0].by).toBeUndefined();
  });

  test('--env keeps the executions that reached the environment, with its result', async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
    const entries = JSON.parse(r.stdout);
    expect(entries.map((e: { executionId: string; environmentResult: string }) => [e.executionId, e.environmentResult]))
      .toEqual([['exec-3', 'InProgress'], ['exec-2', 'Failed'], ['exec-1', 'Succeeded']]);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
  });

  test('--env: a stage whose failed deployment succeeded when retried shows Succeeded (regression: Failed)', async () => {
    const retried = { ...actionExecutions[4], actionExecutionId: 'exec-2-prod-Deploy-retry', status: 'Succeeded' as const, startTime: actionExecutions[4].lastUpdateTime, output: {} };
    cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: [...actionExecutions.slice(0, 4), retried, actionExecutions[4]], nextToken: 'a2' });
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { executionId: string; environmentResult: string }) => [e.executionId, e.environmentResult]))
      .toEqual([['exec-3', 'InProgress'], ['exec-2', 'Succeeded'], ['exec-1', 'Succeeded']]);
    // when its first attempt failed, as metrics counts the failed change; the table marks the run retried
    expect(JSON.parse(r.stdout)[1].environmentFailedAt).toBe(minutesAgo(240).toISOString());
    const rows = (await cli(['history', PIPELINE, '--env', 'prod'])).stdout.split('\n');
    expect(rows[rows.findIndex((l) => l.includes('exec-2')) + 1]).toMatch(/│ \(retried\)\s+│/);
  });

  describe('an approval nobody answered before its timeout is expired, not rejected (regression: "rejected")', () => {
    // exec-3's approval in prod: CodePipeline failed it when its time ran out, with no principal that answered
    const answered = (extra: Partial<ActionExecutionDetail>) => {
      const approval = { ...actionExecutions[0], status: 'Failed' as const, lastUpdateTime: minutesAgo(5), ...extra };
      cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: [approval, ...actionExecutions.slice(1, 5)], nextToken: 'a2' });
    };
    const prodOfExec3 = async () => {
      const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
      expect(r.code).toBe(0);
      const entry = JSON.parse(r.stdout)[0];
      expect(entry.executionId).toBe('exec-3');
      return entry;
    };

    test('failed with an error saying it timed out: expired, in JSON (decision and environment result) and in the table', async () => {
      answered({ output: { executionResult: { errorDetails: { code: 'JobFailed', message: 'Approval timed out' } } } });
      expect(await prodOfExec3()).toMatchObject({ environmentResult: 'Expired', approvals: [{ environment: 'prod', action: 'Approve', decision: 'expired' }] });
      const row = (await cli(['history', PIPELINE])).stdout.split('\n').find((l) => l.includes('exec-3'));
      expect(row).toContain('prod/Approve: expired 11-20 11:55');
      expect(row).not.toContain('rejected');
    });

    test('failed with no principal and no error: expired', async () => {
      answered({});
      expect(await prodOfExec3()).toMatchObject({ environmentResult: 'Expired', approvals: [{ decision: 'expired' }] });
    });

    test('failed with an error saying the request expired, even with a principal recorded: expired', async () => {
      answered({
        updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice',
        output: { executionResult: { errorDetails: { code: 'ApprovalTimeout', message: 'The approval request expired' } } },
      });
      expect((await prodOfExec3()).approvals[0].decision).toBe('expired');
    });

    test('rejected by a principal: rejected, by whom', async () => {
      answered({
        updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice',
        output: { executionResult: { externalExecutionSummary: 'broken metrics', errorDetails: { code: 'JobFailed', message: 'Rejected' } } },
      });
      expect(await prodOfExec3()).toMatchObject({
        environmentResult: 'Rejected',
        approvals: [{ decision: 'rejected', by: 'arn:aws:sts::111111111111:assumed-role/Release/alice', comment: 'broken metrics' }],
      });
    });
  });

  test('--env with an unknown environment exits 3 listing the valid ones, after one GetPipelineState call', async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prdo']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: unknown environment 'prdo' in pipeline 'shop-pipeline'; environments: staging, prod\n");
    expect(r.stdout).toBe('');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
    expect(cp.calls()).toHaveLength(1);
  });

  test.each(['Source', 'Build'])('--env %s, one of the pipeline\'s own stages, is refused as metrics refuses it, before any listing '
    + '(regression: its runs listed as an environment\'s)', async (stage) => {
    const r = await cli(['history', PIPELINE, '--env', stage]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: '${stage}' in pipeline '${PIPELINE}' is the pipeline's own ${stage} stage, not an environment; environments: staging, prod\n`);
    expect(r.stdout).toBe('');
    expect(cp.calls()).toHaveLength(1);
    const metrics = await cli(['metrics', PIPELINE, '--env', stage]);
    expect([metrics.code, metrics.stderr]).toEqual([r.code, r.stderr]);
  });

  test('without --env no GetPipelineState call is made', async () => {
    expect((await cli(['history', PIPELINE])).code).toBe(0);
    expect(cp).not.toHaveReceivedCommand(GetPipelineStateCommand);
  });

  test('--since stops paging once executions are older', async () => {
    const r = await cli(['history', PIPELINE, '--since', '2h', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { executionId: string }) => e.executionId)).toEqual(['exec-3']);
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
  });

  test.each([['3x'], ['0d'], ['-1d'], ['30']])('exit 2 on the bad duration --since %s', async (since) => {
    const r = await cli(['history', PIPELINE, '--since', since]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--since: invalid duration '${since}'`);
    expect(cp.calls()).toHaveLength(0);
  });

  test('control characters of approval comments, principals and triggers are replaced in the table, kept in --json', async () => {
    const evil = actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-2' && a.actionName === 'Approve'
      ? { ...a, updatedBy: 'arn:aws:sts::1:assumed-role/R/mallory\x1b[1A', output: { executionResult: { externalExecutionSummary: 'ok\r\x1b[2Kall good\tnow' } } }
      : a));
    cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: evil.slice(0, 5), nextToken: 'a2' });
    cp.on(ListActionExecutionsCommand, { nextToken: 'a2' }).resolves({ actionExecutionDetails: evil.slice(5) });
    const r = await cli(['history', PIPELINE]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    const flat = r.stdout.replace(/[│\s]+/g, ' ');
    expect(flat).toContain('approved by mallory\uFFFD[1A');
    expect(flat).toContain('"ok\uFFFD\uFFFD[2Kall good now"');
    const json = JSON.parse((await cli(['history', PIPELINE, '--json'])).stdout);
    expect(json[1].approvals[0].comment).toBe('ok\r\x1b[2Kall good\tnow');
  });

  test.each([['401d'], ['58w'], ['99999d'], ['999999w']])('exit 2 when --since %s reaches back more than 400 days, before any call', async (since) => {
    const r = await cli(['history', PIPELINE, '--since', since]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: --since: '${since}' is too far back; at most 400d (CodePipeline keeps about 12 months of execution history)\n`);
    expect(cp.calls()).toHaveLength(0);
  });

  test('--since 400d is accepted', async () => {
    expect((await cli(['history', PIPELINE, '--since', '400d'])).code).toBe(0);
  });

  test('listing stops after 1,000 pages with one warning line per list on stderr', async () => {
    let n = 0;
    cp.on(ListPipelineExecutionsCommand).callsFake(() => ({ pipelineExecutionSummaries: executions.slice(0, 1), nextToken: `more-${++n}` }));
    cp.on(ListActionExecutionsCommand).callsFake(() => ({ actionExecutionDetails: actionExecutions.slice(0, 1), nextToken: `more-${++n}` }));
    const r = await cli(['history', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 1000);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1000);
    expect(r.stderr.split('\n').sort()).toEqual([
      '',
      "cdk-delivery: warning: stopped reading ListActionExecutions of 'shop-pipeline' after 1000 pages; older items are left out",
      "cdk-delivery: warning: stopped reading ListPipelineExecutions of 'shop-pipeline' after 1000 pages; older items are left out",
    ]);
  });
});

describe('history --env of a run cut short: its stage did not run every action (Approve, App.Prepare, then App.Deploy)', () => {
  const C1 = '1111111111111111111111111111111111111111';
  const C2 = '2222222222222222222222222222222222222222';
  const type = (category: string, provider: string, mode?: string): ActionExecutionDetail['input'] =>
    ({ actionTypeId: { category: category as 'Deploy', owner: 'AWS' as const, provider, version: '1' }, configuration: mode ? { ActionMode: mode } : undefined });
  const act = (exec: string, stage: string, name: string, status: string, start: number, end: number, input: ActionExecutionDetail['input'],
    extra: Partial<ActionExecutionDetail> = {}): ActionExecutionDetail => action(exec, stage, name, 'Deploy', status, start, end, { input, ...extra });
  const source = (exec: string, commit: string, at: number) => act(exec, 'Source', 'Source', 'Succeeded', at, at - 1, type('Source', 'CodeStarSourceConnection'), {
    output: { outputVariables: { CommitId: commit, CommitMessage: `release ${exec}` } },
  });
  const approve = (exec: string, start: number, end: number) => act(exec, 'prod', 'Approve', 'Succeeded', start, end, type('Approval', 'Manual'), {
    updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice',
  });
  const prepare = (exec: string, start: number, end: number) => act(exec, 'prod', 'App.Prepare', 'Succeeded', start, end, type('Deploy', 'CloudFormation', 'CHANGE_SET_REPLACE'));
  const e1 = [
    act('e1', 'prod', 'App.Deploy', 'Succeeded', 270, 250, type('Deploy', 'CloudFormation', 'CHANGE_SET_EXECUTE')),
    prepare('e1', 280, 270),
    approve('e1', 290, 281),
    source('e1', C1, 300),
  ];
  const setup = (e2Status: string, e2Actions: ActionExecutionDetail[]) => {
    cp.reset();
    // CodePipeline answers an empty list for an execution no rule ran for
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
    cp.on(GetPipelineStateCommand).resolves({
      pipelineName: PIPELINE,
      stageStates: [
        { stageName: 'Source', actionStates: [{ actionName: 'Source' }] },
        { stageName: 'prod', latestExecution: { pipelineExecutionId: 'e2', status: e2Status as 'Stopped' }, actionStates: [{ actionName: 'Approve' }, { actionName: 'App.Prepare' }, { actionName: 'App.Deploy' }] },
      ],
    });
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'e2', status: e2Status as 'Stopped', startTime: minutesAgo(100), lastUpdateTime: minutesAgo(50), sourceRevisions: [{ actionName: 'Source', revisionId: C2 }] },
        { pipelineExecutionId: 'e1', status: 'Succeeded', startTime: minutesAgo(300), lastUpdateTime: minutesAgo(250), sourceRevisions: [{ actionName: 'Source', revisionId: C1 }] },
      ],
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [...e2Actions, source('e2', C2, 100), ...e1] });
  };
  const results = async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    type Entry = { executionId: string; status: string; environmentResult: string };
    return JSON.parse(r.stdout).map((e: Entry) => [e.executionId, e.status, e.environmentResult]);
  };
  const resultCell = async (execution: string) => {
    const r = await cli(['history', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(0);
    return r.stdout.split('\n').find((l) => l.includes(`│ ${execution} `))?.split('│')[6].trim();
  };

  test('stopped after App.Prepare (App.Deploy never ran) is Abandoned, as status and metrics read it (regression: Succeeded)', async () => {
    setup('Stopped', [approve('e2', 95, 91), prepare('e2', 90, 85)].reverse());
    expect(await results()).toEqual([['e2', 'Stopped', 'Abandoned'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(await resultCell('e2')).toBe('Abandoned');
    expect(await resultCell('e1')).toBe('Succeeded');
    // status: prod runs e1's release; metrics: e1 is prod's only deployment
    const status = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(status.environments.find((e: { name: string }) => e.name === 'prod').deployed.executionId).toBe('e1');
    const metrics = JSON.parse((await cli(['metrics', PIPELINE, '--env', 'prod', '--json'])).stdout);
    expect(metrics.environments[0]).toMatchObject({ deployments: 1, changes: 1 });
    // judged against the current stage: no GetPipeline
    expect(cp).not.toHaveReceivedCommand(GetPipelineCommand);
  });

  test('stopped while its approval waited, then approved (only the approval ran): Abandoned (regression: Succeeded)', async () => {
    setup('Stopped', [approve('e2', 95, 60)]);
    expect(await results()).toEqual([['e2', 'Stopped', 'Abandoned'], ['e1', 'Succeeded', 'Succeeded']]);
    expect((JSON.parse((await cli(['history', PIPELINE, '--env', 'prod', '--json'])).stdout)[0].approvals)).toEqual([
      expect.objectContaining({ action: 'Approve', decision: 'approved', by: 'arn:aws:sts::111111111111:assumed-role/Release/alice' }),
    ]);
  });

  test('still running between App.Prepare and App.Deploy: InProgress (regression: Succeeded)', async () => {
    setup('InProgress', [approve('e2', 95, 91), prepare('e2', 90, 85)].reverse());
    expect(await results()).toEqual([['e2', 'InProgress', 'InProgress'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(await resultCell('e2')).toBe('InProgress');
  });

  test('an execution stopped after the stage ran in full keeps Succeeded', async () => {
    setup('Stopped', [
      act('e2', 'prod', 'App.Deploy', 'Succeeded', 85, 60, type('Deploy', 'CloudFormation', 'CHANGE_SET_EXECUTE')), prepare('e2', 90, 85), approve('e2', 95, 91),
    ]);
    expect(await results()).toEqual([['e2', 'Stopped', 'Succeeded'], ['e1', 'Succeeded', 'Succeeded']]);
  });
});

describe('history against a list that repeats its page token', () => {
  test('stops at the repeat with a warning, and shows each execution once (regression: 1,000 pages, then "Invalid string length" or a hang)', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions, nextToken: 'same' });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions, nextToken: 'same' });
    const r = await cli(['history', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(JSON.parse(r.stdout).map((e: { executionId: string }) => e.executionId)).toEqual(['exec-3', 'exec-2', 'exec-1']);
    expect(r.stderr.split('\n').sort()).toEqual([
      '',
      "cdk-delivery: warning: ListActionExecutions of 'shop-pipeline' returned a page token it had returned before; stopped reading there",
      "cdk-delivery: warning: ListPipelineExecutions of 'shop-pipeline' returned a page token it had returned before; stopped reading there",
    ]);
  });
});

describe('history table', () => {
  test('a long commit message of emoji is cut between characters, never inside one (regression: a lone surrogate shown as \u{FFFD})', async () => {
    const message = `${'🚀'.repeat(30)} launch`;
    const withEmoji = actionExecutions.map((a) => (a.stageName === 'Source'
      ? { ...a, output: { outputVariables: { ...a.output?.outputVariables, CommitMessage: message } } } : a));
    cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: withEmoji.slice(0, 5), nextToken: 'a2' });
    cp.on(ListActionExecutionsCommand, { nextToken: 'a2' }).resolves({ actionExecutionDetails: withEmoji.slice(5) });
    const r = await cli(['history', PIPELINE]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(r.stdout).not.toContain('\uFFFD');
    expect(r.stdout.split('\n').filter((l) => l.includes(`"${'🚀'.repeat(14)}…`))).toHaveLength(3);
    const json = JSON.parse((await cli(['history', PIPELINE, '--json'])).stdout);
    expect(json.map((e: { revision: { message: string } }) => e.revision.message)).toEqual([message, message, message]);
  });

  test('says that its times are UTC (the table leaves the zone out of each time)', async () => {
    const r = await cli(['history', PIPELINE]);
    const header = r.stdout.split('\n')[1];
    expect(header).toMatch(/^│ started \(UTC\) +│ execution +│ revision +│ trigger +│ duration +│ result +│ approvals \(times UTC\) +│$/);
    expect(r.stdout).toContain('│ 2026-11-20 07:00 │ exec-2 ');
    expect(r.stdout).toContain('│ prod/Approve: approved by alice 11-20  │');
  });
});

describe('history --env of a run in the period whose execution started before --since', () => {
  const DAY = 1440;
  const C9 = '9999999999999999999999999999999999999999';
  // e9 started 10 days ago; its prod approval waited from then, was answered 2 days ago, and prod deployed right after
  const act = (stage: string, name: string, category: string, start: number, end: number, extra: Partial<ActionExecutionDetail> = {}) =>
    actionExecution('e9', stage, name, category, start, end, extra);
  const e9 = [
    act('prod', 'Deploy', 'Deploy', 2 * DAY, 2 * DAY - 30),
    act('prod', 'Approve', 'Approval', 10 * DAY - 60, 2 * DAY, { updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice' }),
    act('Source', 'Source', 'Source', 10 * DAY, 10 * DAY - 1, { output: { outputVariables: { CommitId: C9, CommitMessage: 'slow release' } } }),
  ];

  beforeEach(() => {
    cp.reset();
    // CodePipeline answers an empty list for an execution no rule ran for
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
    cp.on(GetPipelineStateCommand).resolves(pipelineState());
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [{ pipelineExecutionId: 'e9', status: 'Succeeded', startTime: minutesAgo(10 * DAY), lastUpdateTime: minutesAgo(2 * DAY - 30) }],
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: e9 });
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        pipelineExecutionId: 'e9',
        status: 'Succeeded',
        trigger: { triggerType: 'WebhookV2' },
        artifactRevisions: [{ name: 'Source', revisionId: C9, revisionSummary: JSON.stringify({ CommitMessage: 'slow release' }) }],
      },
    });
  });

  test('is listed, as metrics measures it, with its whole run read from its execution (regression: left out, while metrics counted it)', async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--since', '7d', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{
      executionId: 'e9',
      status: 'Succeeded',
      trigger: 'WebhookV2',
      startTime: minutesAgo(10 * DAY).toISOString(),
      endTime: minutesAgo(2 * DAY - 30).toISOString(),
      durationMs: (8 * DAY + 30) * 60_000,
      revision: { id: C9, message: 'slow release' },
      environmentResult: 'Succeeded',
      // answered inside the period, though the approval started before it: read from the execution's own actions
      approvals: [{
        environment: 'prod', action: 'Approve', decision: 'approved', by: 'arn:aws:sts::111111111111:assumed-role/Release/alice', at: minutesAgo(2 * DAY).toISOString(),
      }],
    }]);
    // one look-up of the execution, and of its actions only
    expect(cp).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 1);
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'e9' });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'e9' } });
    const table = await cli(['history', PIPELINE, '--env', 'prod', '--since', '7d']);
    expect(table.stdout.split('\n').find((l) => l.includes('│ e9 '))).toContain('│ 9999999 "slow');
    // metrics measures the same run
    const metrics = JSON.parse((await cli(['metrics', PIPELINE, '--env', 'prod', '--since', '7d', '--json'])).stdout).environments[0];
    expect(metrics).toMatchObject({ deployments: 1, changes: 1 });
  });

  test('within a period that holds the whole execution, no look-up is made', async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--since', '30d', '--json']);
    expect(JSON.parse(r.stdout).map((e: { executionId: string; environmentResult: string }) => [e.executionId, e.environmentResult])).toEqual([['e9', 'Succeeded']]);
    expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
  });

  test('without --env, history lists the executions that started in the period', async () => {
    const r = await cli(['history', PIPELINE, '--since', '7d']);
    expect(r.stdout).toBe('no executions in this period\n');
    expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
  });
});
