import {
  ActionExecutionDetail, CodePipelineClient, GetPipelineExecutionCommand, GetPipelineStateCommand, GetPipelineStateOutput,
  ListActionExecutionsCommand, ListPipelineExecutionsCommand, ListRuleExecutionsCommand, PipelineNotFoundException, StageState,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  actionExecutions, COMMIT_1, COMMIT_2, COMMIT_3, executions, PIPELINE, pipelineState, selfUpdatingActionExecutions, selfUpdatingPipelineState,
  prodStageState, waitingApproval,
} from './fixtures/pipeline';
import { awsError, cli, minutesAgo } from './helpers';
import { revisionOfExecution, revisionOfSummary } from '../../src/cli/pipeline-model';

const cp = mockClient(CodePipelineClient);

beforeEach(() => {
  cp.reset();
  cp.on(GetPipelineStateCommand).resolves(pipelineState());
  cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions, nextToken: 'more' });
  cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions, nextToken: 'more' });
});

describe('status', () => {
  test('makes three API calls whatever the number of environments', async () => {
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: PIPELINE });
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandWith(ListPipelineExecutionsCommand, { pipelineName: PIPELINE, maxResults: 100 });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
    expect(cp.calls()).toHaveLength(3);
  });

  test('shows per environment the deployed revision, the pending approval and the last failure', async () => {
    const r = await cli(['status', PIPELINE]);
    const prodRow = r.stdout.split('\n').filter((l) => l.includes('prod') || l.includes('First release'));
    expect(r.stdout).toContain('3f2a9c1 "Add gift cards"');
    expect(r.stdout).toContain('0badc0d "First release"');
    expect(r.stdout).toContain('Approve 3f2a9c1');
    expect(r.stdout).toContain('waiting 30m 00s');
    expect(r.stdout).toContain('Deploy: health check failed');
    expect(prodRow.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
  });

  test('--json gives the same facts as data', async () => {
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    const prod = status.environments.find((e: { name: string }) => e.name === 'prod');
    const staging = status.environments.find((e: { name: string }) => e.name === 'staging');
    expect(prod.deployed.executionId).toBe('exec-1');
    expect(prod.deployed.revision.id).toBe(COMMIT_1);
    expect(prod.pendingApproval).toMatchObject({ actionName: 'Approve', executionId: 'exec-3', revision: { id: COMMIT_3 } });
    expect(prod.inProgress.executionId).toBe('exec-3');
    expect(prod.lastFailure).toMatchObject({ executionId: 'exec-2', message: 'Deploy: health check failed' });
    expect(staging.deployed.executionId).toBe('exec-3');
    expect(staging.pendingApproval).toBeUndefined();
    expect(staging.environment).toBe(true);
    expect(status.environments.find((e: { name: string }) => e.name === 'Source').environment).toBe(false);
  });

  test('--watch refreshes with three calls per refresh and waits the given seconds', async () => {
    const r = await cli(['status', PIPELINE, '--watch', '7', '--json'], {}, { maxRefreshes: 3 });
    expect(r.code).toBe(0);
    expect(cp.calls()).toHaveLength(9);
    expect(r.io.sleeps).toEqual([7000, 7000]);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });

  test('an environment whose latest release was stopped says so under what it runs, with the reason; --json has it as stopped '
    + '(regression: nothing in the table)', async () => {
    cp.on(GetPipelineStateCommand).resolves(pipelineState({ approval: false, prodStatus: 'Stopped' }));
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [{ ...executions[0], status: 'Stopped', stopTrigger: { reason: 'bad release 42' } }, ...executions.slice(1)],
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [{ ...actionExecutions[0], status: 'Succeeded' as const }, ...actionExecutions.slice(1)] });
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf('│ prod'));
    const deployedCell = table.split('\n').map((line) => line.split('│')[2]?.trim()).filter((cell) => cell);
    expect(deployedCell.slice(0, 4)).toEqual(['0badc0d "First release"', '8h 20m ago', 'stopped: 3f2a9c1 "Add gift cards"', '30m 00s ago (bad release 42)']);
    const json = await cli(['status', PIPELINE, '--json']);
    expect(JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod')).toMatchObject({
      latestExecution: { executionId: 'exec-3', status: 'Stopped' },
      deployed: { executionId: 'exec-1' },
      stopped: { executionId: 'exec-3', status: 'Stopped', revision: { id: COMMIT_3 }, reason: 'bad release 42', at: minutesAgo(30).toISOString() },
    });
  });

  test('a stage whose execution is being stopped (stop and wait) while its deployment runs shows it in progress, marked stopping '
    + '(regression: nothing in progress)', async () => {
    const state = pipelineState({ approval: false, prodStatus: 'Stopping' });
    state.stageStates![3].actionStates![1].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(5) };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [{ ...executions[0], status: 'Stopping', stopTrigger: { reason: 'bad release 42' } }, ...executions.slice(1)],
    });
    const deploying = { ...actionExecutions[4], pipelineExecutionId: 'exec-3', status: 'InProgress' as const, startTime: minutesAgo(5), output: undefined };
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [deploying, { ...actionExecutions[0], status: 'Succeeded' as const, lastUpdateTime: minutesAgo(6) }, ...actionExecutions.slice(1)],
    });
    const json = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.inProgress).toEqual({
      executionId: 'exec-3',
      revision: { id: COMMIT_3, message: 'Add gift cards', time: minutesAgo(70).toISOString() },
      actions: ['Deploy'],
      since: minutesAgo(30).toISOString(),
      stopping: true,
    });
    expect(prod.deployed).toMatchObject({ executionId: 'exec-1' });
    const rows = (await cli(['status', PIPELINE])).stdout.split('\n');
    const at = rows.findIndex((l) => l.startsWith('│ prod'));
    expect(rows.slice(at, at + 4).map((l) => l.split('│')[3].trim())).toEqual(['3f2a9c1 "Add gift cards"', 'Deploy (stopping)', '', '']);
    expect(rows.slice(at, at + 4).map((l) => l.split('│')[2].trim()))
      .toEqual(['0badc0d "First release"', '8h 20m ago', 'being stopped: 3f2a9c1 "Add gift cards"', '5m 00s ago (bad release 42)']);
  });

  test('--watch before the pipeline name (status --watch shop-pipeline) watches it every 10 s (regression: "missing required argument")', async () => {
    const r = await cli(['status', '--watch', PIPELINE, '--json'], {}, { maxRefreshes: 2 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: PIPELINE });
    expect(r.io.sleeps).toEqual([10_000]);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  test('--watch with seconds and no pipeline name, or a name given twice: usage errors (exit 2), no call', async () => {
    const noName = await cli(['status', '--watch', '30']);
    expect(noName.stderr).toBe("cdk-delivery: missing required argument 'pipeline' (--watch took '30' as its seconds; "
      + 'to watch a pipeline named 30, put the name first: status 30 --watch)\n');
    expect(noName.code).toBe(2);
    expect((await cli(['status'])).stderr).toBe("cdk-delivery: missing required argument 'pipeline'\n");
    const twice = await cli(['status', '--watch', 'other', PIPELINE]);
    expect(twice.stderr).toBe("cdk-delivery: --watch: expected a number of seconds, got 'other'\n");
    expect(twice.code).toBe(2);
    expect(cp.calls()).toHaveLength(0);
  });

  test('a pipeline whose name is all digits is watched when the name comes first, or after --watch=<seconds>', async () => {
    const first = await cli(['status', '12345', '--watch', '--json'], {}, { maxRefreshes: 2 });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: '12345' });
    expect(first.io.sleeps).toEqual([10_000]);
    cp.resetHistory();
    const attached = await cli(['status', '--watch=30', '12345', '--json'], {}, { maxRefreshes: 2 });
    expect(attached.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: '12345' });
    expect(attached.io.sleeps).toEqual([30_000]);
  });

  test('--watch rides out a refresh still throttled after the retries, with a warning (regression: exit 5 ended the watch)', async () => {
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState())
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded', 400, 6))
      .resolves(pipelineState());
    const r = await cli(['status', PIPELINE, '--watch', '5', '--json'], {}, { maxRefreshes: 3 });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^cdk-delivery: warning: refresh failed \(.*\); trying again in 5 s\n$/);
    expect(r.io.sleeps).toEqual([5000, 5000]);
  });

  test('--watch rides out a first refresh that fails (503 after the retries), saying that no status could be read yet '
    + '(regression: exit 5 at once)', async () => {
    cp.on(GetPipelineStateCommand)
      .rejectsOnce(awsError('ServiceUnavailableException', 'unavailable', 503, 6))
      .resolves(pipelineState());
    const r = await cli(['status', PIPELINE, '--watch', '5', '--json'], {}, { maxRefreshes: 3 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('cdk-delivery: warning: refresh failed (service error: codepipeline:GetPipelineState failed with HTTP 503 after 6 attempts '
      + '(ServiceUnavailableException); try again later); no status could be read yet; trying again in 5 s\n');
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.io.sleeps).toEqual([5000, 5000]);
  });

  test('--watch ends (exit 5) after 10 failed refreshes in a row, the first ones included; at once on an error a retry cannot mend '
    + '(access denied: exit 4); without --watch a failure ends status at once', async () => {
    cp.on(GetPipelineStateCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400, 6));
    const outage = await cli(['status', PIPELINE, '--watch', '5'], {}, { maxRefreshes: 20 });
    expect(outage.code).toBe(5);
    const lines = outage.stderr.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.slice(0, 10).every((l) => l.endsWith('; no status could be read yet; trying again in 5 s'))).toBe(true);
    expect(lines[10]).toBe('cdk-delivery: throttled: codepipeline:GetPipelineState was still throttled after 6 attempts; try again later or raise AWS_MAX_ATTEMPTS');
    expect(outage.io.sleeps).toHaveLength(10);
    expect((await cli(['status', PIPELINE])).code).toBe(5);
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).rejects(awsError('AccessDeniedException', 'not authorized'));
    expect((await cli(['status', PIPELINE, '--watch', '5'], {}, { maxRefreshes: 3 })).code).toBe(4);
  });

  test('--watch without a value refreshes every 10 seconds', async () => {
    const r = await cli(['status', PIPELINE, '--watch'], {}, { maxRefreshes: 2 });
    expect(r.code).toBe(0);
    expect(r.io.sleeps).toEqual([10000]);
  });

  test('fails with exit 2 on a bad --watch value', async () => {
    const r = await cli(['status', PIPELINE, '--watch', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--watch: expected a number of seconds, got 'soon'");
    expect(cp.calls()).toHaveLength(0);
  });

  test('fails with exit 3 when the pipeline does not exist', async () => {
    cp.on(GetPipelineStateCommand).rejects(new PipelineNotFoundException({ message: 'no such pipeline', $metadata: {} }));
    cp.on(ListPipelineExecutionsCommand).rejects(new PipelineNotFoundException({ message: 'no such pipeline', $metadata: {} }));
    cp.on(ListActionExecutionsCommand).rejects(new PipelineNotFoundException({ message: 'no such pipeline', $metadata: {} }));
    const r = await cli(['status', 'nope']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cdk-delivery: pipeline 'nope' not found/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('fails with exit 4 naming the permission when access is denied', async () => {
    cp.on(ListActionExecutionsCommand).rejects(awsError('AccessDeniedException', 'User is not authorized', 400));
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('codepipeline:ListActionExecutions');
  });

  test('fails with exit 2 on a pipeline name with spaces, before any call', async () => {
    const r = await cli(['status', 'shop pipeline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid pipeline name 'shop pipeline'");
    expect(cp.calls()).toHaveLength(0);
  });

  test('control characters from the API (commit message, author, error details) are replaced in the table', async () => {
    const evil = actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-1' && a.stageName === 'Source'
      ? { ...a, output: { outputVariables: { CommitId: COMMIT_1, CommitMessage: 'First\r\x1b[2Krelease', AuthorDisplayName: 'bob\x07\x9b' } } }
      : a.pipelineExecutionId === 'exec-2' && a.stageName === 'prod' && a.actionName === 'Deploy'
        ? { ...a, output: { executionResult: { externalExecutionId: 'd-2', errorDetails: { code: 'JobFailed', message: 'health\x1b[8m check\nfailed' } } } }
        : a));
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: evil });
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(r.stdout).toContain('0badc0d "First\uFFFD\uFFFD[2Krelease" (bob\uFFFD\uFFFD)');
    expect(r.stdout).toContain('Deploy: health\uFFFD[8m check');
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').deployed.revision.message).toBe('First\r\x1b[2Krelease');
  });

  test('a long commit message of emoji is cut between characters, never inside one (regression: a lone surrogate shown as \u{FFFD})', async () => {
    const message = `${'🚀'.repeat(30)} launch`;
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-3' && a.stageName === 'Source'
        ? { ...a, output: { outputVariables: { CommitId: COMMIT_3, CommitMessage: message } } } : a)),
    });
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(r.stdout).not.toContain('\uFFFD');
    // the pending approval shows 12 characters of the message: 11 and the ellipsis
    expect(r.stdout).toContain(`"${'🚀'.repeat(11)}…"`);
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.environments.find((e: { name: string }) => e.name === 'staging').deployed.revision.message).toBe(message);
  });
});

describe('status of a self-updating pipeline (selfUpdate: true)', () => {
  test('its UpdatePipeline stage is not an environment (regression: reported as one)', async () => {
    cp.on(GetPipelineStateCommand).resolves(selfUpdatingPipelineState());
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: selfUpdatingActionExecutions });
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).environments.map((e: { name: string; environment: boolean }) => [e.name, e.environment])).toEqual([
      ['Source', false], ['Build', false], ['UpdatePipeline', false], ['staging', true], ['prod', true],
    ]);
  });

  test('an unknown --env lists the environments without UpdatePipeline (regression: listed it)', async () => {
    cp.on(GetPipelineStateCommand).resolves(selfUpdatingPipelineState());
    const r = await cli(['history', PIPELINE, '--env', 'nope']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: unknown environment 'nope' in pipeline 'shop-pipeline'; environments: staging, prod\n");
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
    expect(cp.calls()).toHaveLength(1);
  });
});

describe('status of a pipeline with 48 environments', () => {
  const envs = Array.from({ length: 48 }, (_, i) => `env-${String(i + 1).padStart(2, '0')}`);
  const commit = (n: number) => `${n}`.repeat(40).slice(0, 40);
  // executions exec-1..exec-9, each Source, Build and 48 deployments; exec-8 and exec-9 failed in env-48
  const actions = [...Array(9).keys()].map((i) => i + 1).reverse().flatMap((n) => {
    const start = 10_000 - n * 100;
    return ['Source', 'Build', ...envs].map((stage, k) => ({
      pipelineExecutionId: `exec-${n}`,
      stageName: stage,
      actionName: stage === 'Source' || stage === 'Build' ? stage : 'Deploy',
      status: (n >= 8 && stage === 'env-48' ? 'Failed' : 'Succeeded') as 'Succeeded',
      startTime: minutesAgo(start - k),
      lastUpdateTime: minutesAgo(start - k - 1),
      input: { actionTypeId: { category: (stage === 'Source' ? 'Source' : stage === 'Build' ? 'Build' : 'Deploy') as 'Deploy', owner: 'AWS' as const, provider: 'x', version: '1' } },
      output: stage === 'Source' ? { outputVariables: { CommitId: commit(n), CommitMessage: `Change ${n}` } } : {},
    })).reverse();
  });
  const state = {
    pipelineName: 'big',
    stageStates: ['Source', 'Build', ...envs].map((stage) => ({
      stageName: stage,
      latestExecution: { pipelineExecutionId: 'exec-9', status: (stage === 'env-48' ? 'Failed' : 'Succeeded') as 'Succeeded' },
      actionStates: [{ actionName: 'Deploy', latestExecution: { status: (stage === 'env-48' ? 'Failed' : 'Succeeded') as 'Succeeded', lastStatusChange: minutesAgo(5) } }],
    })),
  };

  test('the environment whose last two changes failed shows what it still runs, from the pages after the first', async () => {
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    cp.on(ListActionExecutionsCommand).callsFake((input: { nextToken?: string; maxResults?: number }) => {
      const offset = Number(input.nextToken ?? 0);
      const size = input.maxResults ?? 100;
      const nextToken = offset + size < actions.length ? String(offset + size) : undefined;
      return { actionExecutionDetails: actions.slice(offset, offset + size), nextToken };
    });
    const r = await cli(['status', 'big', '--json']);
    expect(r.code).toBe(0);
    const prod = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'env-48');
    expect(prod.deployed).toMatchObject({ executionId: 'exec-7', revision: { id: commit(7), message: 'Change 7' } });
    expect(prod.lastFailure).toMatchObject({ executionId: 'exec-9' });
    // one page first, then the second from where it ended (exec-7's env-48 run is the 101st action execution; regression: page 1 read twice)
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(cp.commandCalls(ListActionExecutionsCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, '100']);
  });
});

describe('status of a stage that never deployed in the history read (ListActionExecutions pages of 100)', () => {
  const type = (category: string) => ({ actionTypeId: { category: category as 'Deploy', owner: 'AWS' as const, provider: category === 'Source' ? 'CodeStarSourceConnection' : 'CloudFormation', version: '1' } });
  type Listed = ActionExecutionDetail & { pipelineExecutionId: string; startTime: Date };
  const action = (exec: string, stage: string, status: string, start: number): Listed => ({
    pipelineExecutionId: exec,
    actionExecutionId: `${exec}-${stage}`,
    stageName: stage,
    actionName: stage === 'Source' ? 'Source' : 'Deploy',
    status: status as 'Succeeded',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(start - 1),
    input: type(stage === 'Source' ? 'Source' : 'Deploy'),
    ...(stage === 'Source' ? { output: { outputVariables: { CommitId: 'abcdef1234567890abcdef1234567890abcdef12' } } } : {}),
  });
  /** 500 executions, newest first (1,500 action executions): each runs `stages` (Source first); e0 also ran `added`, where it failed. */
  const history = (stages: string[], added: { stage: string; before?: string }, everyOne = false) => {
    const items: Listed[] = [];
    for (let i = 0; i < 500; i++) {
      const t = i * 60 + 10;
      const run = (everyOne || i === 0) ? [...stages.slice(0, added.before ? stages.indexOf(added.before) : stages.length), added.stage,
        ...(added.before ? stages.slice(stages.indexOf(added.before)) : [])] : stages;
      run.forEach((stage, k) => items.push(action(`e${i}`, stage, stage === added.stage ? 'Failed' : 'Succeeded', t - k)));
    }
    return items.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  };
  const pages = (items: ActionExecutionDetail[]) => cp.on(ListActionExecutionsCommand).callsFake((input: { nextToken?: string }) => {
    const offset = Number(input.nextToken ?? 0);
    return { actionExecutionDetails: items.slice(offset, offset + 100), nextToken: offset + 100 < items.length ? String(offset + 100) : undefined };
  });
  const state = (stages: string[], failed: string) => ({
    pipelineName: PIPELINE,
    stageStates: stages.map((stage) => ({
      stageName: stage,
      latestExecution: { pipelineExecutionId: 'e0', status: (stage === failed ? 'Failed' : 'Succeeded') as 'Succeeded' },
      actionStates: [{ actionName: stage === 'Source' ? 'Source' : 'Deploy', latestExecution: { status: (stage === failed ? 'Failed' : 'Succeeded') as 'Succeeded', lastStatusChange: minutesAgo(5) } }],
    })),
  });
  const summaries = (n: number) => Array.from({ length: n }, (_, i) => ({
    pipelineExecutionId: `e${i}`, status: (i === 0 ? 'Failed' : 'Succeeded') as 'Succeeded', startTime: minutesAgo(i * 60 + 15),
  }));

  test('a stage added since the executions of the first page (the last one, dr): one page, as the others went through without it '
    + '(regression: 11 pages, the first twice, on every refresh)', async () => {
    cp.on(GetPipelineStateCommand).resolves(state(['Source', 'prod', 'dr'], 'dr'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: summaries(100) });
    pages(history(['Source', 'prod'], { stage: 'dr' }));
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const dr = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'dr');
    expect(dr.deployed).toBeUndefined();
    expect(dr.lastFailure).toMatchObject({ executionId: 'e0', message: 'Deploy' });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
    expect(cp.calls()).toHaveLength(3);
    const text = await cli(['status', PIPELINE]);
    expect(text.stdout.split('\n').find((l) => l.startsWith('│ dr '))).toMatch(/^│ dr +│ none in the last 2d 1h +│/);
  });

  test('a stage added before others (qa, before prod): one page, since executions ran prod without it, whatever their status', async () => {
    cp.on(GetPipelineStateCommand).resolves(state(['Source', 'qa', 'prod'], 'qa'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    pages(history(['Source', 'prod'], { stage: 'qa', before: 'prod' }));
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'qa').deployed).toBeUndefined();
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
  });

  test('a stage that every execution ran and none deployed: 10 pages in all, each from where the last ended, none twice', async () => {
    cp.on(GetPipelineStateCommand).resolves(state(['Source', 'prod', 'dr'], 'dr'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: summaries(100).map((e) => ({ ...e, status: 'Failed' as const })) });
    pages(history(['Source', 'prod'], { stage: 'dr' }, true));
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'dr').deployed).toBeUndefined();
    expect(cp.commandCalls(ListActionExecutionsCommand).map((c) => c.args[0].input.nextToken))
      .toEqual([undefined, '100', '200', '300', '400', '500', '600', '700', '800', '900']);
    expect(cp.calls()).toHaveLength(12);
  });

  test('a rollback execution (no Source action) that ran only a later stage does not end the search', async () => {
    const items = history(['Source', 'qa', 'prod'], { stage: 'x' }).filter((a) => a.stageName !== 'x');
    // qa failed in e0; its last deployment is e3's, on the fourth page; a rollback of prod ran since, without qa
    const failed = items.map((a) => (a.pipelineExecutionId === 'e0' && a.stageName === 'qa' ? { ...a, status: 'Failed' as const }
      : ['e1', 'e2'].includes(a.pipelineExecutionId) && a.stageName === 'qa' ? { ...a, status: 'Failed' as const } : a));
    const rollback = { ...action('rb', 'prod', 'Succeeded', 1), actionExecutionId: 'rb-prod' };
    // rb, e0-e2, 300 actions of other executions (pushing e3 to the fourth page), then e3 and older
    const withQaLate = [rollback, ...failed.filter((a) => ['e0', 'e1', 'e2'].includes(a.pipelineExecutionId)),
      ...Array.from({ length: 300 }, (_, i) => action(`f${i}`, 'Build', 'Succeeded', 200 + i)),
      ...failed.filter((a) => !['e0', 'e1', 'e2'].includes(a.pipelineExecutionId)).map((a) => ({ ...a, startTime: new Date(a.startTime.getTime() - 400 * 60_000) }))];
    cp.on(GetPipelineStateCommand).resolves(state(['Source', 'Build', 'qa', 'prod'], 'qa'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [{ pipelineExecutionId: 'rb', status: 'Succeeded', executionType: 'ROLLBACK' }] });
    pages(withQaLate);
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'qa').deployed).toMatchObject({ executionId: 'e3' });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 4);
  });
});

describe('status of a pipeline in PARALLEL execution mode (GetPipelineState holds no approval token)', () => {
  const approvalOf = (exec: string, minutes: number) => waitingApproval(exec, 'prod', minutes);
  const summaryOf = (exec: string, commit: string, message: string, mode: 'PARALLEL' | 'QUEUED' = 'PARALLEL') => ({
    pipelineExecutionId: exec,
    status: 'InProgress' as const,
    startTime: minutesAgo(60),
    executionMode: mode,
    sourceRevisions: [{ actionName: 'Source', revisionId: commit, revisionSummary: JSON.stringify({ CommitMessage: message }) }],
  });

  beforeEach(() => {
    const state = pipelineState();
    state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-5', status: 'InProgress' };
    state.stageStates![3].actionStates![0].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(5) };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [summaryOf('exec-5', COMMIT_3, 'Add gift cards'), summaryOf('exec-4', COMMIT_1, 'First release')],
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [approvalOf('exec-5', 5), approvalOf('exec-4', 20), ...actionExecutions] });
  });

  test('every execution waiting for the approval is listed, the newest first', async () => {
    const json = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.pendingApprovals).toEqual([
      { actionName: 'Approve', executionId: 'exec-5', revision: { id: COMMIT_3, message: 'Add gift cards' }, since: minutesAgo(5).toISOString() },
      { actionName: 'Approve', executionId: 'exec-4', revision: { id: COMMIT_1, message: 'First release' }, since: minutesAgo(20).toISOString() },
    ]);
    expect(prod.pendingApproval).toEqual(prod.pendingApprovals[0]);
    expect(prod.inProgress.actions).toEqual([]);
    const text = await cli(['status', PIPELINE]);
    expect(text.stdout).toContain('Approve 3f2a9c1');
    expect(text.stdout).toContain('+1 more waiting');
  });

  test('in the other modes an approval without a token is not taken for a waiting one', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [summaryOf('exec-5', COMMIT_3, 'Add gift cards', 'QUEUED'), summaryOf('exec-4', COMMIT_1, 'First release', 'QUEUED')],
    });
    const json = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.pendingApprovals).toEqual([]);
    expect(prod.pendingApproval).toBeUndefined();
  });
});

describe('status of a pipeline in PARALLEL execution mode: every execution in progress in each stage', () => {
  const summaryOf = (exec: string, commit: string, message: string, mode: 'PARALLEL' | 'QUEUED' = 'PARALLEL', status = 'InProgress') => ({
    pipelineExecutionId: exec,
    status: status as 'InProgress',
    startTime: minutesAgo(90),
    executionMode: mode,
    sourceRevisions: [{ actionName: 'Source', revisionId: commit, revisionSummary: JSON.stringify({ CommitMessage: message }) }],
  });
  const COMMIT_6 = '6666666aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const COMMIT_8 = '8888888bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  const COMMIT_9 = '9999999ccccccccccccccccccccccccccccccccc';
  const act = (exec: string, stage: string, name: string, category: string, status: string, start: number, end: number) => ({
    ...actionExecutions.find((a) => a.stageName === stage && a.actionName === name)!,
    pipelineExecutionId: exec,
    actionExecutionId: `${exec}-${stage}-${name}`,
    status: status as 'InProgress',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
    input: { actionTypeId: { category: category as 'Deploy', owner: 'AWS' as const, provider: category === 'Approval' ? 'Manual' : 'CodeDeploy', version: '1' } },
  });
  // staging: exec-7 deploys (the stage's latest), exec-8 ended its actions there (its bake, or on its way to prod);
  // prod: exec-5 waits for its approval (the stage's latest), exec-6 deploys, exec-4 waits for its approval,
  // exec-9 has waited for its approval for three days: its actions are older than the page read
  const page = [
    act('exec-7', 'staging', 'Deploy', 'Deploy', 'InProgress', 3, 3),
    waitingApproval('exec-5', 'prod', 5),
    act('exec-6', 'prod', 'Deploy', 'Deploy', 'InProgress', 8, 8),
    act('exec-6', 'prod', 'Approve', 'Approval', 'Succeeded', 12, 8),
    act('exec-8', 'staging', 'Deploy', 'Deploy', 'Succeeded', 15, 9),
    waitingApproval('exec-4', 'prod', 20),
    ...actionExecutions,
  ];
  const exec9 = [waitingApproval('exec-9', 'prod', 3 * 24 * 60), act('exec-9', 'staging', 'Deploy', 'Deploy', 'Succeeded', 3 * 24 * 60 + 20, 3 * 24 * 60 + 10)];

  beforeEach(() => {
    const state = pipelineState();
    state.stageStates![2].latestExecution = { pipelineExecutionId: 'exec-7', status: 'InProgress' };
    state.stageStates![2].actionStates![0].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(3) };
    state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-5', status: 'InProgress' };
    state.stageStates![3].actionStates![0].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(5) };
    state.stageStates![3].actionStates![1].latestExecution = { status: 'Succeeded', lastStatusChange: minutesAgo(200) };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        summaryOf('exec-9', COMMIT_9, 'Old hotfix'), summaryOf('exec-8', COMMIT_8, 'Baking'), summaryOf('exec-7', COMMIT_2, 'Fix checkout'),
        summaryOf('exec-6', COMMIT_6, 'New search'), summaryOf('exec-5', COMMIT_3, 'Add gift cards'), summaryOf('exec-4', COMMIT_1, 'First release'),
      ],
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: page });
    cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-9' } }).resolves({ actionExecutionDetails: exec9, nextToken: 'older' });
  });

  test('--json lists every execution in progress in each stage, the newest first, with its revision, start and what it does '
    + '(regression: only the stage\'s latest)', async () => {
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    const { environments, executionsNotLocated } = JSON.parse(r.stdout);
    const env = (name: string) => environments.find((e: { name: string }) => e.name === name);
    expect(env('prod').inProgressExecutions).toEqual([
      { executionId: 'exec-5', revision: { id: COMMIT_3, message: 'Add gift cards' }, actions: [], since: minutesAgo(5).toISOString(), awaitingApproval: true },
      { executionId: 'exec-6', revision: { id: COMMIT_6, message: 'New search' }, actions: ['Deploy'], since: minutesAgo(12).toISOString() },
      { executionId: 'exec-4', revision: { id: COMMIT_1, message: 'First release' }, actions: [], since: minutesAgo(20).toISOString(), awaitingApproval: true },
      { executionId: 'exec-9', revision: { id: COMMIT_9, message: 'Old hotfix' }, actions: [], since: minutesAgo(3 * 24 * 60).toISOString(), awaitingApproval: true },
    ]);
    // the stage's latest stays inProgress, as GetPipelineState shows it
    expect(env('prod').inProgress).toMatchObject({ executionId: 'exec-5' });
    expect(env('prod').pendingApprovals.map((p: { executionId: string }) => p.executionId)).toEqual(['exec-5', 'exec-4', 'exec-9']);
    expect(env('staging').inProgressExecutions).toEqual([
      { executionId: 'exec-7', revision: { id: COMMIT_2, message: 'Fix checkout' }, actions: ['Deploy'], since: minutesAgo(3).toISOString() },
      { executionId: 'exec-8', revision: { id: COMMIT_8, message: 'Baking' }, actions: [], since: minutesAgo(15).toISOString(), actionsDone: true },
    ]);
    // exec-9 left staging for prod: listed once, where it is
    expect(environments.flatMap((e: { inProgressExecutions: { executionId: string }[] }) => e.inProgressExecutions.map((x) => x.executionId))
      .filter((id: string) => id === 'exec-9')).toHaveLength(1);
    expect(executionsNotLocated).toBeUndefined();
  });

  test('calls: the three of every status, and one page of ListActionExecutions filtered on each execution in progress that the page read does not list', async () => {
    expect((await cli(['status', PIPELINE, '--json'])).code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, maxResults: 100, filter: { pipelineExecutionId: 'exec-9' } });
    expect(cp.calls()).toHaveLength(4);
  });

  test('the table shows the other executions under the stage\'s latest: revision, what each does, when its run started', async () => {
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n');
    const cell = (stage: string) => {
      const start = rows.findIndex((l) => l.startsWith(`│ ${stage} `));
      const end = rows.findIndex((l, i) => i > start && l.startsWith('├') || l.startsWith('└'));
      return rows.slice(start, end).map((l) => l.split('│')[3].trim()).filter((x) => x).join('\n');
    };
    // prod's latest first (as GetPipelineState shows it), then the others, newest first
    expect(cell('prod').split('\n')).toEqual([
      '3f2a9c1 "Add gift cards"', 'awaiting approval',
      '6666666 "New search"', 'Deploy, started 12m 00s ago',
      '0badc0d "First release"', 'awaiting approval, started', '20m 00s ago',
      '9999999 "Old hotfix"', 'awaiting approval, started', '3d 0h ago',
    ]);
    expect(cell('staging').split('\n')).toEqual(['a1b2c3d "Fix checkout"', 'Deploy', '8888888 "Baking"', 'actions done, started 15m', '00s ago']);
  });

  test('the stage\'s latest with no action run yet (its entry conditions checked) comes first, as the newest', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: page.filter((a) => a.pipelineExecutionId !== 'exec-5') });
    cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-9' } }).resolves({ actionExecutionDetails: exec9 });
    const r = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.inProgressExecutions.map((e: { executionId: string }) => e.executionId)).toEqual(['exec-5', 'exec-6', 'exec-4', 'exec-9']);
    expect(prod.inProgressExecutions[0].since).toBeUndefined();
  });

  test('more executions unlisted than it reads one by one: 10 read, the others named as not located', async () => {
    const many = Array.from({ length: 12 }, (_, i) => summaryOf(`exec-x${i}`, COMMIT_9, `change ${i}`));
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [...many, ...['exec-8', 'exec-7', 'exec-5'].map((id) => summaryOf(id, COMMIT_3, id))],
    });
    cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-x0' } }).resolves({ actionExecutionDetails: [waitingApproval('exec-x0', 'prod', 60)] });
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 11);
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').inProgressExecutions.map((e: { executionId: string }) => e.executionId))
      .toEqual(['exec-5', 'exec-x0']);
    // read but empty (exec-x1..x9), or not read (exec-x10, exec-x11)
    expect(json.executionsNotLocated).toEqual(Array.from({ length: 11 }, (_, i) => `exec-x${i + 1}`));
    const text = await cli(['status', PIPELINE]);
    expect(text.stdout).toContain('11 more executions in progress not located: exec-x1, exec-x2');
  });

  test('in the other modes, only the stage\'s latest is in progress, with no extra call', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: ['exec-9', 'exec-8', 'exec-7', 'exec-6', 'exec-5', 'exec-4'].map((id) => summaryOf(id, COMMIT_1, id, 'QUEUED')),
    });
    const r = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.inProgressExecutions.map((e: { executionId: string }) => e.executionId)).toEqual(['exec-5']);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
  });
});

describe('status: how far back the last failure is known', () => {
  test('with history left unread, a stage without a failure shows "none in the last <duration>", and --json says since when', async () => {
    // beforeEach: the first page of action executions ends with a nextToken; its oldest starts 600 minutes ago
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
    const staging = r.stdout.split('\n').find((l) => l.includes('staging'));
    expect(staging).toBe('│ staging    │ 3f2a9c1 "Add gift cards"                 │ —                            │ —                          │ none in the last 10h 00m         │');
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.historyReadSince).toBe(minutesAgo(600).toISOString());
    expect(json.environments.find((e: { name: string }) => e.name === 'staging').lastFailure).toBeUndefined();
  });

  test('with the whole history read, a stage without a failure shows "—" and --json has no historyReadSince', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions });
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').find((l) => l.includes('staging')))
      .toBe('│ staging    │ 3f2a9c1 "Add gift cards"                 │ —                            │ —                          │ —                                │');
    expect(JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout).historyReadSince).toBeUndefined();
  });
});

describe('status of a stage rolled back (RollbackStage, or the automatic rollback of a failed stage)', () => {
  // rb-1 rolls prod back to exec-1: a rollback execution runs no source action, and its summary may list no revision
  const rollbackSummary = (status: 'InProgress' | 'Succeeded', target = 'exec-1') => ({
    pipelineExecutionId: 'rb-1',
    status,
    startTime: minutesAgo(10),
    trigger: { triggerType: 'ManualRollback' as const, triggerDetail: 'arn:aws:sts::111111111111:assumed-role/Release/alice' },
    executionType: 'ROLLBACK' as const,
    rollbackMetadata: { rollbackTargetPipelineExecutionId: target },
  });
  const rollbackDeploy = (status: 'InProgress' | 'Succeeded') => ({
    pipelineExecutionId: 'rb-1',
    stageName: 'prod',
    actionName: 'Deploy',
    status,
    startTime: minutesAgo(10),
    lastUpdateTime: minutesAgo(status === 'InProgress' ? 10 : 5),
    input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } },
  });
  const stateWithProd = (status: 'InProgress' | 'Succeeded') => {
    const state = pipelineState({ approval: false });
    state.stageStates![3] = {
      stageName: 'prod',
      latestExecution: { pipelineExecutionId: 'rb-1', status, type: 'ROLLBACK' },
      actionStates: [
        { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(270) } },
        { actionName: 'Deploy', latestExecution: { status, lastStatusChange: minutesAgo(status === 'InProgress' ? 10 : 5) } },
      ],
    };
    return state;
  };

  test('a rollback in progress is labelled, with the revision it restores and the execution it rolls back to', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd('InProgress'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackSummary('InProgress'), ...executions] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [rollbackDeploy('InProgress'), ...actionExecutions] });
    const json = await cli(['status', PIPELINE, '--json']);
    expect(json.code).toBe(0);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.inProgress).toEqual({
      executionId: 'rb-1',
      revision: { id: COMMIT_1, message: 'First release', time: minutesAgo(660).toISOString() },
      actions: ['Deploy'],
      since: minutesAgo(10).toISOString(),
      rollback: { targetExecutionId: 'exec-1', trigger: 'ManualRollback' },
    });
    const text = await cli(['status', PIPELINE]);
    const rows = text.stdout.split('\n');
    const at = rows.findIndex((l) => l.startsWith('│ prod'));
    expect(rows.slice(at, at + 3)).toEqual([
      '│ prod       │ 0badc0d "First release"                  │ rolling back to 0badc0d      │ —                          │ 4h 00m ago                       │',
      '│            │ 8h 20m ago                               │ "First release" (execution   │                            │ Deploy: health check failed      │',
      '│            │                                          │ exec-1)                      │                            │                                  │',
    ]);
    expect(rows[at + 3]).toBe('│            │                                          │ Deploy                       │                            │                                  │');
    expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
  });

  test('after a rollback, deployed is the revision it restored, not "—" (regression: the rollback has no source action)', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd('Succeeded'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackSummary('Succeeded'), ...executions] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [rollbackDeploy('Succeeded'), ...actionExecutions] });
    const json = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.deployed).toEqual({
      executionId: 'rb-1',
      revision: { id: COMMIT_1, message: 'First release', time: minutesAgo(660).toISOString() },
      at: minutesAgo(5).toISOString(),
      rollback: { targetExecutionId: 'exec-1', trigger: 'ManualRollback' },
    });
    expect(prod.inProgress).toBeUndefined();
    const rows = (await cli(['status', PIPELINE])).stdout.split('\n');
    const at = rows.findIndex((l) => l.startsWith('│ prod'));
    expect(rows.slice(at, at + 3).map((l) => l.split('│')[2].trimEnd())).toEqual([
      ' 0badc0d "First release"', ' 5m 00s ago', ' rolled back to it (execution exec-1)',
    ]);
    expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
    // no stage shows a failed condition: no ListRuleExecutions
    expect(cp).not.toHaveReceivedCommand(ListRuleExecutionsCommand);
  });

  test('after an alarm watched for the bake time rolled prod back, its last failure is that alarm, in the execution it failed (one ListRuleExecutions)', async () => {
    const state = stateWithProd('Succeeded');
    state.stageStates![3].onSuccessConditionState = {
      latestExecution: { status: 'Failed', summary: 'A rule failed' },
      conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Failed', summary: 'shop-prod-errors is in ALARM' } }] }],
    };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackSummary('Succeeded'), ...executions] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [rollbackDeploy('Succeeded'), ...actionExecutions] });
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [
        { stageName: 'staging', ruleName: 'staging.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-2', lastUpdateTime: minutesAgo(3) },
        { stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(12) },
        { stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-1', lastUpdateTime: minutesAgo(900) },
      ],
    });
    const json = await cli(['status', PIPELINE, '--json']);
    expect(json.code).toBe(0);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.lastFailure).toEqual({
      executionId: 'exec-3', at: minutesAgo(12).toISOString(), message: 'success conditions failed: BakeAlarm (shop-prod-errors is in ALARM)',
    });
    expect(prod.deployed).toMatchObject({ executionId: 'rb-1', rollback: { targetExecutionId: 'exec-1' } });
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE });
  });

  /** prod rolled back (rb-1 succeeded) after its bake alarm failed; the rule run GetPipelineState shows is `rule-7`. */
  const rolledBackByAlarm = () => {
    const state = stateWithProd('Succeeded');
    state.stageStates![3].onSuccessConditionState = {
      latestExecution: { status: 'Failed', summary: 'A rule failed' },
      conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { ruleExecutionId: 'rule-7', status: 'Failed', summary: 'shop-prod-errors is in ALARM' } }] }],
    };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackSummary('Succeeded'), ...executions] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [rollbackDeploy('Succeeded'), ...actionExecutions] });
  };
  const prodOf = (stdout: string) => JSON.parse(stdout).environments.find((e: { name: string }) => e.name === 'prod');
  const bakeAlarmFailure = { executionId: 'exec-3', at: minutesAgo(12).toISOString(), message: 'success conditions failed: BakeAlarm (shop-prod-errors is in ALARM)' };

  test('the execution an alarm failed is the one of the rule run GetPipelineState shows (by id), not the first failed run listed (the order is not documented)', async () => {
    rolledBackByAlarm();
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [
        // listed first: an older run of the same rule, and a newer failed run of another condition's rule
        { ruleExecutionId: 'rule-2', stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-1', lastUpdateTime: minutesAgo(900) },
        { ruleExecutionId: 'rule-9', stageName: 'prod', ruleName: 'prod.EntryAlarm', status: 'Failed', pipelineExecutionId: 'exec-4', lastUpdateTime: minutesAgo(1) },
        { ruleExecutionId: 'rule-7', stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(12) },
      ],
    });
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(prodOf(r.stdout).lastFailure).toEqual(bakeAlarmFailure);
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
  });

  test('the failed rule run not on the first page of ListRuleExecutions: the next pages are read, up to 3, then no more', async () => {
    rolledBackByAlarm();
    const other = (i: number) => ({ ruleExecutionId: `other-${i}`, stageName: 'staging', ruleName: 'staging.BakeAlarm', status: 'Succeeded' as const, pipelineExecutionId: `exec-${i}` });
    cp.on(ListRuleExecutionsCommand)
      .resolvesOnce({ ruleExecutionDetails: [other(1)], nextToken: 'p2' })
      .resolvesOnce({
        ruleExecutionDetails: [{ ruleExecutionId: 'rule-7', stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(12) }],
        nextToken: 'p3',
      });
    const r = await cli(['status', PIPELINE, '--json']);
    expect(prodOf(r.stdout).lastFailure).toEqual(bakeAlarmFailure);
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 2);
    expect(cp.commandCalls(ListRuleExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: PIPELINE, maxResults: 100 }, { pipelineName: PIPELINE, maxResults: 100, nextToken: 'p2' },
    ]);

    cp.on(ListRuleExecutionsCommand)
      .resolvesOnce({ ruleExecutionDetails: [other(2)], nextToken: 'q2' })
      .resolvesOnce({ ruleExecutionDetails: [other(3)], nextToken: 'q3' })
      .resolvesOnce({ ruleExecutionDetails: [other(4)], nextToken: 'q4' });
    cp.resetHistory();
    const past = await cli(['status', PIPELINE, '--json']);
    expect(past.code).toBe(0);
    // not found in 3 pages: the last failure is the action history's
    expect(prodOf(past.stdout).lastFailure).toMatchObject({ executionId: 'exec-2', message: 'Deploy: health check failed' });
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 3);
  });

  test('--watch reads the execution a failed rule run failed once, not at every refresh', async () => {
    rolledBackByAlarm();
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [{ ruleExecutionId: 'rule-7', stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(12) }],
    });
    const r = await cli(['status', PIPELINE, '--watch', '5', '--json'], {}, { maxRefreshes: 3 });
    expect(r.code).toBe(0);
    const refreshes = r.stdout.trim().split('\n').map(prodOf);
    expect(refreshes).toHaveLength(3);
    for (const prod of refreshes) expect(prod.lastFailure).toEqual(bakeAlarmFailure);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 3);
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
  });

  test('ListRuleExecutions denied (a grant of an earlier version): status still shows, with one warning, the last failure of the action history', async () => {
    rolledBackByAlarm();
    cp.on(ListRuleExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform codepipeline:ListRuleExecutions'));
    const r = await cli(['status', PIPELINE, '--watch', '5', '--json'], {}, { maxRefreshes: 2 });
    expect(r.code).toBe(0);
    for (const prod of r.stdout.trim().split('\n').map(prodOf)) {
      expect(prod.lastFailure).toMatchObject({ executionId: 'exec-2', message: 'Deploy: health check failed' });
    }
    expect(r.stderr).toBe("cdk-delivery: warning: access denied: ListRuleExecutions needs the IAM permission codepipeline:ListRuleExecutions (pipeline 'shop-pipeline'); "
      + 'the last failure of prod is the one in the action history, not the failed condition that rolled it back (grantRead, grantOperate and grantApprove '
      + "of this version of cdk-delivery-pipeline include that permission: deploy the pipeline's stack again)\n");
    // asked once: the second refresh does not ask again
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
  });

  test('a failed condition its latest execution failed needs no ListRuleExecutions (three calls)', async () => {
    const state = stateWithProd('Succeeded');
    state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-3', status: 'Failed' };
    state.stageStates![3].onSuccessConditionState = {
      latestExecution: { status: 'Failed' },
      conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { ruleExecutionId: 'rule-7', status: 'Failed', summary: 'shop-prod-errors is in ALARM' } }] }],
    };
    cp.on(GetPipelineStateCommand).resolves(state);
    const r = await cli(['status', PIPELINE, '--json']);
    expect(prodOf(r.stdout).lastFailure).toMatchObject({ executionId: 'exec-3', message: 'success conditions failed: BakeAlarm (shop-prod-errors is in ALARM)' });
    expect(cp).not.toHaveReceivedCommand(ListRuleExecutionsCommand);
    expect(cp.calls()).toHaveLength(3);
  });

  test('a rollback to an execution older than the lists read: one GetPipelineExecution of the target gives the revision', async () => {
    cp.on(GetPipelineStateCommand).resolves(stateWithProd('Succeeded'));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackSummary('Succeeded', 'exec-0'), ...executions] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [rollbackDeploy('Succeeded'), ...actionExecutions] });
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: { pipelineExecutionId: 'exec-0', artifactRevisions: [{ revisionId: COMMIT_2, revisionSummary: 'Older release' }] },
    });
    const json = await cli(['status', PIPELINE, '--json']);
    expect(json.code).toBe(0);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.deployed).toMatchObject({ executionId: 'rb-1', revision: { id: COMMIT_2, message: 'Older release' }, rollback: { targetExecutionId: 'exec-0' } });
    expect(cp).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 1);
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-0' });
  });
});

describe('status when an execution shown is no longer in CodePipeline\'s history', () => {
  test('the stage shows without its revision, and the others as usual (regression: exit 3 and no table)', async () => {
    const state = pipelineState({ approval: false });
    state.stageStates![3] = { ...state.stageStates![3], latestExecution: { pipelineExecutionId: 'exec-0', status: 'Succeeded' } };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions.filter((a) => a.stageName !== 'prod') });
    cp.on(GetPipelineExecutionCommand).rejects(awsError('PipelineExecutionNotFoundException', 'Pipeline execution with id exec-0 does not exist'));
    const json = await cli(['status', PIPELINE, '--json']);
    expect(json.code).toBe(0);
    const environments = JSON.parse(json.stdout).environments;
    expect(environments.find((e: { name: string }) => e.name === 'prod').deployed).toMatchObject({ executionId: 'exec-0', revision: {} });
    expect(environments.find((e: { name: string }) => e.name === 'staging').deployed.revision.id).toBeDefined();
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-0' });
  });

  test('any other error of that lookup still ends the command (access denied: exit 4)', async () => {
    const state = pipelineState({ approval: false });
    state.stageStates![3] = { ...state.stageStates![3], latestExecution: { pipelineExecutionId: 'exec-0', status: 'Succeeded' } };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions.filter((a) => a.stageName !== 'prod') });
    cp.on(GetPipelineExecutionCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: codepipeline:GetPipelineExecution'));
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(4);
  });
});

describe('status: what counts as deployed', () => {
  test('a run stopped after its approval (stop and wait: the deployment never started) is not deployed', async () => {
    const state = pipelineState({ approval: false });
    state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-3', status: 'Stopped' };
    state.stageStates![3].actionStates![0].latestExecution = { status: 'Succeeded', lastStatusChange: minutesAgo(20) };
    cp.on(GetPipelineStateCommand).resolves(state);
    const stopped = { ...actionExecutions[0], status: 'Succeeded' as const, lastUpdateTime: minutesAgo(20) };
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [stopped, ...actionExecutions.slice(1)] });
    const json = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.deployed).toMatchObject({ executionId: 'exec-1', revision: { id: COMMIT_1 } });
    expect(prod.latestExecution).toEqual({ executionId: 'exec-3', status: 'Stopped' });
  });

  // exec-3 reached prod and was stopped with "stop and wait" (StopPipelineExecution, abandon false)
  const stoppedSummaries = [{ ...executions[0], status: 'Stopped' as const, stopTrigger: { reason: 'bad release 42' } }, ...executions.slice(1)];
  const prodAction = (name: string, status: string, start: number, end: number, type: { category: string; provider: string },
    configuration?: Record<string, string>) => ({
    pipelineExecutionId: 'exec-3',
    actionExecutionId: `exec-3-prod-${name}`,
    stageName: 'prod',
    actionName: name,
    status: status as 'Succeeded',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
    input: { actionTypeId: { category: type.category as 'Deploy', owner: 'AWS' as const, provider: type.provider, version: '1' }, configuration },
  });
  const MANUAL = { category: 'Approval', provider: 'Manual' };
  const CFN = { category: 'Deploy', provider: 'CloudFormation' };
  const CODEBUILD = { category: 'Build', provider: 'CodeBuild' };
  const prodColumn = (stdout: string) => {
    const rows = stdout.split('\n');
    const at = rows.findIndex((l) => l.startsWith('│ prod'));
    return rows.slice(at, rows.length - 2).map((l) => l.split('│')[2]?.trim()).filter((cell) => cell);
  };

  test('a run stopped while its deployment ran, which then finished (stop and wait), is deployed, marked "stopped after deploying" '
    + '(regression: the previous release was shown)', async () => {
    const state = pipelineState({ approval: false, prodStatus: 'Stopped' });
    state.stageStates![3].actionStates![1].latestExecution = { status: 'Succeeded', lastStatusChange: minutesAgo(20) };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: stoppedSummaries });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        prodAction('Deploy', 'Succeeded', 25, 20, { category: 'Deploy', provider: 'CodeDeploy' }),
        { ...actionExecutions[0], status: 'Succeeded' as const, lastUpdateTime: minutesAgo(26) },
        ...actionExecutions.slice(1),
      ],
    });
    const json = await cli(['status', PIPELINE, '--json']);
    expect(json.code).toBe(0);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.deployed).toEqual({
      executionId: 'exec-3',
      revision: { id: COMMIT_3, message: 'Add gift cards', time: minutesAgo(70).toISOString() },
      at: minutesAgo(20).toISOString(),
      stoppedAfterDeploying: true,
    });
    expect(prod.stopped).toMatchObject({ executionId: 'exec-3', status: 'Stopped', reason: 'bad release 42' });
    const text = await cli(['status', PIPELINE]);
    expect(prodColumn(text.stdout)).toEqual(['3f2a9c1 "Add gift cards"', '20m 00s ago', 'stopped after deploying (bad release 42)']);
  });

  describe('a stage of several actions (Approve, api.Prepare, api.Deploy, then the verification Smoke)', () => {
    const state = (status: 'Stopped' | 'Failed' = 'Stopped', latest = 'exec-3') => {
      const s = pipelineState({ approval: false });
      s.stageStates![3] = {
        stageName: 'prod',
        latestExecution: { pipelineExecutionId: latest, status },
        actionStates: ['Approve', 'api.Prepare', 'api.Deploy', 'Smoke'].map((actionName) => ({
          actionName, latestExecution: { status: 'Succeeded' as const, lastStatusChange: minutesAgo(20) },
        })),
      };
      return s;
    };
    const approved = prodAction('Approve', 'Succeeded', 30, 28, MANUAL);
    const prepared = prodAction('api.Prepare', 'Succeeded', 28, 26, CFN, { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'api' });
    const deployed = (status = 'Succeeded') => prodAction('api.Deploy', status, 26, 20, CFN, { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'api' });
    const smoke = (status: string) => prodAction('Smoke', status, 20, 18, CODEBUILD);
    const read = async (actions: ActionExecutionDetail[], summaries = stoppedSummaries) => {
      cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: summaries });
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [...actions, ...actionExecutions.slice(1)] });
      const json = await cli(['status', PIPELINE, '--json']);
      expect(json.code).toBe(0);
      return JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    };

    test('stopped after api.Deploy, before the verification: deployed, marked, with what did not run', async () => {
      cp.on(GetPipelineStateCommand).resolves(state());
      const prod = await read([deployed(), prepared, approved]);
      expect(prod.deployed).toMatchObject({ executionId: 'exec-3', revision: { id: COMMIT_3 }, stoppedAfterDeploying: true, notRun: ['Smoke'] });
      expect(prodColumn((await cli(['status', PIPELINE])).stdout))
        .toEqual(['3f2a9c1 "Add gift cards"', '20m 00s ago', 'stopped after deploying (bad release 42)', 'not run: Smoke']);
    });

    test('stopped with --abandon while the verification (a CodeBuild action) ran: the deployment succeeded, so it is deployed', async () => {
      cp.on(GetPipelineStateCommand).resolves(state());
      const prod = await read([smoke('Abandoned'), deployed(), prepared, approved]);
      expect(prod.deployed).toMatchObject({ executionId: 'exec-3', stoppedAfterDeploying: true, notRun: ['Smoke'] });
    });

    test('stopped after api.Prepare (a change set, no deployment), or with api.Deploy abandoned: the previous release stays deployed', async () => {
      cp.on(GetPipelineStateCommand).resolves(state());
      expect((await read([prepared, approved])).deployed).toEqual(expect.objectContaining({ executionId: 'exec-1', revision: expect.objectContaining({ id: COMMIT_1 }) }));
      expect((await read([prepared, approved])).deployed.stoppedAfterDeploying).toBeUndefined();
      expect((await read([deployed('Abandoned'), prepared, approved])).deployed.executionId).toBe('exec-1');
    });

    describe('with a deploy script that runs before the deployments (runBeforeDeployments: its action sets CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS)', () => {
      const marker = { ProjectName: 'Check', EnvironmentVariables: '[{"name":"CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS","type":"PLAINTEXT","value":"true"}]' };
      const check = (status = 'Succeeded', configuration: Record<string, string> = marker) => prodAction('Check', status, 29, 28.5, CODEBUILD, configuration);
      const withCheck = (status: 'Stopped' | 'Failed' = 'Stopped') => {
        const s = state(status);
        s.stageStates![3] = { ...s.stageStates![3], actionStates: [{ actionName: 'Check' }, ...s.stageStates![3].actionStates!] };
        return s;
      };

      test('stopped after the script (and api.Prepare): nothing deployed, the previous release stays deployed (a script alone would count)', async () => {
        cp.on(GetPipelineStateCommand).resolves(withCheck());
        expect((await read([check(), approved])).deployed.executionId).toBe('exec-1');
        expect((await read([prepared, check(), approved])).deployed.executionId).toBe('exec-1');
        // the same script without the variable is a deploy script of an environment deployed by scripts alone: that deploys
        expect((await read([check('Succeeded', { ProjectName: 'Check' }), approved])).deployed).toMatchObject({ executionId: 'exec-3', stoppedAfterDeploying: true });
      });

      test('failed in api.Prepare after the script succeeded: not "failed after deploying", the release before it runs', async () => {
        cp.on(GetPipelineStateCommand).resolves(withCheck('Failed'));
        const failedPrepare = prodAction('api.Prepare', 'Failed', 28, 26, CFN, { ActionMode: 'CHANGE_SET_REPLACE', StackName: 'api' });
        const prod = await read([failedPrepare, check(), approved], [{ ...executions[0], status: 'Failed' as const }, ...executions.slice(1)]);
        expect(prod.deployed.executionId).toBe('exec-1');
        expect(prod.deployed.failedAfterDeploying).toBeUndefined();
        expect(prod.lastFailure).toMatchObject({ executionId: 'exec-3' });
      });

      test('the script failed: a failed run that deployed nothing', async () => {
        cp.on(GetPipelineStateCommand).resolves(withCheck('Failed'));
        const prod = await read([check('Failed'), approved], [{ ...executions[0], status: 'Failed' as const }, ...executions.slice(1)]);
        expect(prod.deployed.executionId).toBe('exec-1');
        expect(prod.deployed.failedAfterDeploying).toBeUndefined();
        expect(prod.lastFailure).toMatchObject({ executionId: 'exec-3' });
      });
    });

    test('once a newer execution failed in the stage, the stopped one that deployed is still what runs, still marked', async () => {
      cp.on(GetPipelineStateCommand).resolves(state('Failed', 'exec-4'));
      const failed = { ...prodAction('api.Deploy', 'Failed', 10, 5, CFN), pipelineExecutionId: 'exec-4', actionExecutionId: 'exec-4-prod-api.Deploy' };
      const newer = { ...executions[0], pipelineExecutionId: 'exec-4', status: 'Failed' as const, startTime: minutesAgo(15) };
      const prod = await read([failed, deployed(), prepared, approved], [newer, ...stoppedSummaries]);
      expect(prod.deployed).toMatchObject({ executionId: 'exec-3', stoppedAfterDeploying: true, notRun: ['Smoke'] });
      expect(prod.lastFailure).toMatchObject({ executionId: 'exec-4' });
    });

    describe('failed after its deployment succeeded: the stacks run that release', () => {
      const failedSummaries = [{ ...executions[0], status: 'Failed' as const }, ...executions.slice(1)];
      const failedState = (smokeStatus: string, conditions: Partial<StageState> = {}) => {
        const s = state('Failed');
        s.stageStates![3] = {
          ...s.stageStates![3],
          actionStates: s.stageStates![3].actionStates!.map((a) => (a.actionName === 'Smoke'
            ? { actionName: 'Smoke', latestExecution: { status: smokeStatus as 'Failed', lastStatusChange: minutesAgo(18), errorDetails: smokeStatus === 'Failed' ? { code: 'JobFailed', message: 'smoke test failed' } : undefined } }
            : a)),
          ...conditions,
        };
        return s;
      };

      test('by its verification (Smoke): deployed, marked "failed after deploying", at the end of api.Deploy (regression: the release before it, '
        + 'while prod runs this one)', async () => {
        cp.on(GetPipelineStateCommand).resolves(failedState('Failed'));
        const prod = await read([smoke('Failed'), deployed(), prepared, approved], failedSummaries);
        expect(prod.deployed).toMatchObject({ executionId: 'exec-3', revision: { id: COMMIT_3 }, at: minutesAgo(20).toISOString(), failedAfterDeploying: true });
        expect(prod.lastFailure).toMatchObject({ executionId: 'exec-3', message: 'Smoke: smoke test failed' });
        expect(prodColumn((await cli(['status', PIPELINE])).stdout)).toEqual(['3f2a9c1 "Add gift cards"', '20m 00s ago', 'failed after deploying']);
      });

      test('by the alarms watched after the deployments (success conditions that fail the stage): deployed, marked', async () => {
        cp.on(GetPipelineStateCommand).resolves(failedState('Succeeded', {
          onSuccessConditionState: {
            latestExecution: { status: 'Failed', summary: 'alarm in ALARM' },
            conditionStates: [{
              latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(10) },
              ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Failed', summary: 'shop-prod-errors is in ALARM', lastStatusChange: minutesAgo(10) } }],
            }],
          },
        }));
        const prod = await read([smoke('Succeeded'), deployed(), prepared, approved], failedSummaries);
        expect(prod.deployed).toMatchObject({ executionId: 'exec-3', failedAfterDeploying: true });
        expect(prod.lastFailure).toMatchObject({ executionId: 'exec-3', message: 'success conditions failed: BakeAlarm (shop-prod-errors is in ALARM)' });
      });

      test('in its deployment (api.Deploy failed: CloudFormation rolled the stack back): the release before it, unmarked', async () => {
        cp.on(GetPipelineStateCommand).resolves(failedState('Succeeded'));
        const prod = await read([deployed('Failed'), prepared, approved], failedSummaries);
        expect(prod.deployed.executionId).toBe('exec-1');
        expect(prod.deployed.failedAfterDeploying).toBeUndefined();
      });
    });

    test('an execution stopped in a later stage ran this one in full: deployed, not marked', async () => {
      cp.on(GetPipelineStateCommand).resolves(state('Failed', 'exec-4'));
      const failed = { ...prodAction('api.Deploy', 'Failed', 10, 5, CFN), pipelineExecutionId: 'exec-4', actionExecutionId: 'exec-4-prod-api.Deploy' };
      const newer = { ...executions[0], pipelineExecutionId: 'exec-4', status: 'Failed' as const, startTime: minutesAgo(15) };
      const prod = await read([failed, smoke('Succeeded'), deployed(), prepared, approved], [newer, ...stoppedSummaries]);
      expect(prod.deployed.executionId).toBe('exec-3');
      expect(prod.deployed.stoppedAfterDeploying).toBeUndefined();
      expect(prod.deployed.notRun).toBeUndefined();
    });
  });

  test('a failed deployment that succeeded when retried is deployed, and stays the last failure', async () => {
    const state = pipelineState();
    state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-3', status: 'InProgress' };
    cp.on(GetPipelineStateCommand).resolves(state);
    const retried = { ...actionExecutions[4], status: 'Succeeded' as const, startTime: minutesAgo(235), lastUpdateTime: minutesAgo(230), output: {} };
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [...actionExecutions.slice(0, 4), retried, ...actionExecutions.slice(4)] });
    const json = await cli(['status', PIPELINE, '--json']);
    const prod = JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.deployed).toMatchObject({ executionId: 'exec-2', revision: { id: COMMIT_2 }, at: minutesAgo(230).toISOString() });
    expect(prod.lastFailure).toEqual({ executionId: 'exec-2', at: minutesAgo(240).toISOString(), message: 'Deploy: health check failed' });
  });
});

describe('status of a pipeline with additional sources', () => {
  // the build also reads acme/shop-config (action and artifact 'Config', namespace SourceVariables_Config);
  // CodePipeline lists its revision first, the pipeline's own source ('Source') second
  const CONFIG_COMMIT = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
  const withConfig = executions.map((e) => ({
    ...e,
    sourceRevisions: [{ actionName: 'Config', revisionId: CONFIG_COMMIT, revisionSummary: JSON.stringify({ CommitMessage: 'Tune limits' }) }, ...e.sourceRevisions!],
  }));
  const configActions = actionExecutions.flatMap((a) => (a.stageName === 'Source'
    ? [{
      ...a,
      actionName: 'Config',
      actionExecutionId: `${a.pipelineExecutionId}-Source-Config`,
      input: { ...a.input, namespace: 'SourceVariables_Config' },
      output: { outputVariables: { CommitId: CONFIG_COMMIT, CommitMessage: 'Tune limits', AuthorDate: minutesAgo(5000).toISOString() } },
    }, { ...a, input: { ...a.input, namespace: 'SourceVariables' } }]
    : [a]));

  test('shows the revision of the pipeline\'s source, not the additional source listed before it', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: withConfig, nextToken: 'more' });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: configActions, nextToken: 'more' });
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    const prod = status.environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.deployed.revision).toMatchObject({ id: COMMIT_1, message: 'First release' });
    expect(prod.pendingApproval.revision).toMatchObject({ id: COMMIT_3, message: 'Add gift cards' });
    expect(r.stdout).not.toContain(CONFIG_COMMIT);
    const text = await cli(['status', PIPELINE]);
    expect(text.stdout).toContain('3f2a9c1 "Add gift cards"');
    expect(text.stdout).not.toContain('Tune limits');
  });

  test('an execution read on its own (GetPipelineExecution) takes the artifact Source, listed second', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        pipelineExecutionId: 'exec-1',
        artifactRevisions: [
          { name: 'Config', revisionId: CONFIG_COMMIT, revisionSummary: JSON.stringify({ CommitMessage: 'Tune limits' }) },
          { name: 'Source', revisionId: COMMIT_1, revisionSummary: JSON.stringify({ CommitMessage: 'First release' }) },
        ],
      },
    });
    const r = await cli(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    const prod = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    expect(prod.pendingApproval.revision).toMatchObject({ id: COMMIT_1, message: 'First release' });
  });
});

describe('the revision of an execution', () => {
  test('is the one named Source, else the first', () => {
    const config = { actionName: 'Config', name: 'Config', revisionId: 'c' };
    const source = { actionName: 'Source', name: 'Source', revisionId: 's' };
    expect(revisionOfSummary({ sourceRevisions: [config, source] }).id).toBe('s');
    expect(revisionOfExecution({ artifactRevisions: [config, source] }).id).toBe('s');
    // a pipeline whose source has another name: the first revision, as before
    expect(revisionOfSummary({ sourceRevisions: [{ actionName: 'GitHub', revisionId: 'g' }, config] }).id).toBe('g');
    expect(revisionOfExecution({ artifactRevisions: [{ name: 'App', revisionId: 'a' }] }).id).toBe('a');
    expect(revisionOfExecution({ artifactRevisions: [] })).toEqual({});
  });
});

describe('status of a stage running many actions at once', () => {
  test('the table names three and counts the rest; --json lists them all (regression: wrapping 50 names took over a minute per refresh)', async () => {
    const state = pipelineState({ approval: false });
    const names = Array.from({ length: 50 }, (_, i) => `Deploy-${i}`);
    state.stageStates![3] = {
      stageName: 'prod',
      latestExecution: { pipelineExecutionId: 'exec-3', status: 'InProgress' },
      actionStates: names.map((actionName) => ({ actionName, latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(1) } })),
    };
    cp.on(GetPipelineStateCommand).resolves(state);
    const text = await cli(['status', PIPELINE]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Deploy-0, Deploy-1, Deploy-2');
    expect(text.stdout).toMatch(/\+47\s*(│\s*)*more/);
    const json = await cli(['status', PIPELINE, '--json']);
    expect(JSON.parse(json.stdout).environments.find((e: { name: string }) => e.name === 'prod').inProgress.actions).toHaveLength(50);
  });
});

describe('status of the stage conditions (deployment window, entry alarms, alarms watched after the deployments)', () => {
  /** The text of one column of a stage's row, its wrapped lines joined with spaces. */
  const cell = (stdout: string, stage: string, column: number): string => {
    const rows = stdout.split('\n');
    const at = rows.findIndex((l) => l.startsWith(`│ ${stage} `));
    const end = rows.findIndex((l, i) => i > at && !l.startsWith('│'));
    return rows.slice(at, end).map((l) => l.split('│')[column].trim()).filter((t) => t).join(' ');
  };
  /** prod's stage state: exec-3 in it with `status`, its actions not started (or `actions`), and these conditions. */
  const prodState = (status: string, conditions: Partial<StageState>, actions?: StageState['actionStates']): GetPipelineStateOutput =>
    prodStageState(status, conditions, actions ?? [{ actionName: 'Approve' }, { actionName: 'Deploy' }]);
  const exec3NotInProd = actionExecutions.filter((a) => !(a.pipelineExecutionId === 'exec-3' && a.stageName === 'prod'));

  test('a change waiting for the deployment window shows the entry rule it waits for, and for how long (regression: "waiting")', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('InProgress', {
      beforeEntryConditionState: {
        latestExecution: { status: 'InProgress' },
        conditionStates: [{
          latestExecution: { status: 'InProgress' },
          ruleStates: [
            { ruleName: 'prod.DeploymentWindow', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(20) } },
            { ruleName: 'prod.EntryAlarm', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(20) } },
          ],
        }],
      },
    }));
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: exec3NotInProd });
    const r = await cli(['status', PIPELINE]);
    expect(r.code).toBe(0);
    expect(cell(r.stdout, 'prod', 3)).toBe('3f2a9c1 "Add gift cards" checking entry conditions: DeploymentWindow for 20m 00s');
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').conditions).toEqual({
      beforeEntry: {
        status: 'InProgress',
        rules: [
          { name: 'prod.DeploymentWindow', status: 'InProgress', since: minutesAgo(20).toISOString() },
          { name: 'prod.EntryAlarm', status: 'Succeeded', since: minutesAgo(20).toISOString() },
        ],
      },
    });
    expect(json.environments.find((e: { name: string }) => e.name === 'staging').conditions).toBeUndefined();
  });

  test('alarms watched for the bake time after the deployments show as checked, with the summary CodePipeline gives', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('InProgress', {
      onSuccessConditionState: {
        latestExecution: { status: 'InProgress' },
        conditionStates: [{
          ruleStates: [
            { ruleName: 'prod.BakeAlarm', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(12) } },
            { ruleName: 'prod.BakeAlarm2', latestExecution: { status: 'InProgress', summary: 'waiting 30 min', lastStatusChange: minutesAgo(11) } },
          ],
        }],
      },
    }, [
      { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(25) } },
      { actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(12) } },
    ]));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 3)).toBe('3f2a9c1 "Add gift cards" checking success conditions: BakeAlarm, BakeAlarm2 (waiting 30 min) for 12m 00s');
  });

  test('a stage failed by a condition, no action failed, names the rules and their summary as its last failure (regression: blank)', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', {
      onSuccessConditionState: {
        latestExecution: { status: 'Failed', summary: 'Condition failed' },
        conditionStates: [{
          ruleStates: [
            { ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(5) } },
            { ruleName: 'prod.BakeAlarm2', latestExecution: { status: 'Failed', summary: 'shop-prod-errors is in ALARM', lastStatusChange: minutesAgo(4) } },
          ],
        }],
      },
    }, [
      { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(25) } },
      { actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(12) } },
    ]));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 5)).toBe('4m 00s ago success conditions failed: BakeAlarm2 (shop-prod-errors is in ALARM)');
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').lastFailure).toEqual({
      executionId: 'exec-3', at: minutesAgo(4).toISOString(), message: 'success conditions failed: BakeAlarm2 (shop-prod-errors is in ALARM)',
    });
  });

  test('an entry alarm in ALARM that failed the stage is its last failure; a failed action still comes first', async () => {
    const entryFailed: Partial<StageState> = {
      beforeEntryConditionState: {
        latestExecution: { status: 'Failed' },
        conditionStates: [{ ruleStates: [{ ruleName: 'prod.EntryAlarm', latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(3) } }] }],
      },
    };
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', entryFailed));
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: exec3NotInProd });
    expect(cell((await cli(['status', PIPELINE])).stdout, 'prod', 5)).toBe('3m 00s ago entry conditions failed: EntryAlarm');
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', entryFailed, [
      { actionName: 'Deploy', latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(2), errorDetails: { message: 'stack rollback' } } },
    ]));
    expect(cell((await cli(['status', PIPELINE])).stdout, 'prod', 5)).toBe('2m 00s ago Deploy: stack rollback');
  });

  test('a deployed change whose condition was overridden (OverrideStageCondition) says so under what the stage runs', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('Succeeded', {
      beforeEntryConditionState: {
        latestExecution: { status: 'Overridden' },
        conditionStates: [{ ruleStates: [{ ruleName: 'prod.DeploymentWindow', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(20) } }] }],
      },
    }, [
      { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(15) } },
      { actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(10) } },
    ]));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 2)).toBe('3f2a9c1 "Add gift cards" 10m 00s ago entry conditions overridden');
    expect(cell(r.stdout, 'prod', 3)).toBe('—');
  });

  test('a stage retried automatically after a failure (FailurePolicy.RETRY) says so while it runs; --json gives the attempts', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('InProgress', {
      retryStageMetadata: { autoStageRetryAttempt: 1, latestRetryTrigger: 'AutomatedStageRetry' },
    }, [{ actionName: 'Approve', latestExecution: { status: 'Succeeded' } }, { actionName: 'Deploy', latestExecution: { status: 'InProgress' } }]));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 3)).toBe('3f2a9c1 "Add gift cards" Deploy retried automatically');
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').retries).toEqual({ automatic: 1, latestTrigger: 'AutomatedStageRetry' });
  });
});

describe('status of a stage failed by its conditions, in detail', () => {
  const cell = (stdout: string, stage: string, column: number): string => {
    const rows = stdout.split('\n');
    const at = rows.findIndex((l) => l.startsWith(`│ ${stage} `));
    const end = rows.findIndex((l, i) => i > at && !l.startsWith('│'));
    return rows.slice(at, end).map((l) => l.split('│')[column].trim()).filter((t) => t).join(' ');
  };
  const prodState = (status: string, conditions: Partial<StageState>): GetPipelineStateOutput => prodStageState(status, conditions);
  const exec3NotInProd = actionExecutions.filter((a) => !(a.pipelineExecutionId === 'exec-3' && a.stageName === 'prod'));
  beforeEach(() => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: exec3NotInProd });
  });

  test('an entry rule that could not run (Errored) is named with its error, the rules that passed are not (regression: "failed: EntryAlarm", no error)', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', {
      beforeEntryConditionState: {
        latestExecution: { status: 'Errored' },
        conditionStates: [{
          ruleStates: [
            { ruleName: 'prod.DeploymentWindow', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(9) } },
            {
              ruleName: 'prod.EntryAlarm',
              latestExecution: {
                status: 'Failed',
                lastStatusChange: minutesAgo(8),
                errorDetails: { code: 'PermissionError', message: 'not authorized to perform cloudwatch:DescribeAlarms' },
              },
            },
          ],
        }],
      },
    }));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 5)).toBe('8m 00s ago entry conditions errored: EntryAlarm (not authorized to perform cloudwatch:DescribeAlarms)');
    const json = JSON.parse((await cli(['status', PIPELINE, '--json'])).stdout);
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').conditions.beforeEntry.rules[1]).toEqual({
      name: 'prod.EntryAlarm', status: 'Failed', error: 'not authorized to perform cloudwatch:DescribeAlarms', since: minutesAgo(8).toISOString(),
    });
  });

  test('a condition failed without a rule saying so gives its summary, not the rules that passed (regression: every rule named as failed)', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', {
      onSuccessConditionState: {
        latestExecution: { status: 'Failed', summary: 'The condition timed out' },
        conditionStates: [{
          latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(6) },
          ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(30) } }],
        }],
      },
    }));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 5)).toBe('6m 00s ago success conditions failed: The condition timed out');
  });

  test('a condition shown in progress while the stage\'s latest execution no longer runs is an earlier run\'s: not shown as checked '
    + '(regression: "checking entry conditions" under a failed stage)', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', {
      beforeEntryConditionState: {
        latestExecution: { status: 'InProgress' },
        conditionStates: [{ ruleStates: [{ ruleName: 'prod.DeploymentWindow', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(20) } }] }],
      },
      actionStates: [{ actionName: 'Deploy', latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(2), errorDetails: { message: 'stack rollback' } } }],
    }));
    const r = await cli(['status', PIPELINE]);
    expect(cell(r.stdout, 'prod', 3)).toBe('—');
    expect(cell(r.stdout, 'prod', 5)).toBe('2m 00s ago Deploy: stack rollback');
  });

  test('rules without a lastStatusChange: when the condition failed, and since when it is checked, come from the condition (regression: "—")', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodState('Failed', {
      onSuccessConditionState: {
        latestExecution: { status: 'Failed' },
        conditionStates: [{
          latestExecution: { status: 'Failed', lastStatusChange: minutesAgo(7) },
          ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Failed', summary: 'shop-prod-errors is in ALARM' } }],
        }],
      },
    }));
    const failed = await cli(['status', PIPELINE]);
    expect(cell(failed.stdout, 'prod', 5)).toBe('7m 00s ago success conditions failed: BakeAlarm (shop-prod-errors is in ALARM)');
    cp.on(GetPipelineStateCommand).resolves(prodState('InProgress', {
      beforeEntryConditionState: {
        latestExecution: { status: 'InProgress' },
        conditionStates: [{
          latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(9) },
          ruleStates: [{ ruleName: 'prod.DeploymentWindow', latestExecution: { status: 'InProgress' } }],
        }],
      },
    }));
    const checking = await cli(['status', PIPELINE]);
    expect(cell(checking.stdout, 'prod', 3)).toBe('3f2a9c1 "Add gift cards" checking entry conditions: DeploymentWindow for 9m 00s');
  });
});
