import {
  ActionExecutionDetail, CodePipelineClient, GetPipelineStateCommand, ListActionExecutionsCommand, ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { actionExecutions, executions, PIPELINE, pipelineState } from './fixtures/pipeline';
import { cli, minutesAgo } from './helpers';

const cp = mockClient(CodePipelineClient);

beforeEach(() => {
  cp.reset();
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
