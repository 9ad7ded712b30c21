import { BatchGetDeploymentsCommand, CodeDeployClient } from '@aws-sdk/client-codedeploy';
import {
  ActionExecutionDetail, CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand, GetPipelineStateCommand, ListActionExecutionsCommand,
  ListPipelineExecutionsCommand, ListRuleExecutionsCommand, PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  action, actionExecutions, COMMIT_1, COMMIT_2, executions, PIPELINE, pipelineState, prodStageState, selfUpdatingActionExecutions,
  selfUpdatingPipelineState,
} from './fixtures/pipeline';
import { actionExecution, awsError, cli, minutesAgo, testClients, testIo } from './helpers';
import { DeliveryApi } from '../../src/cli/aws';
import { collectRecords } from '../../src/cli/commands/metrics';

const cp = mockClient(CodePipelineClient);
const cd = mockClient(CodeDeployClient);

beforeEach(() => {
  cp.reset();
  // CodePipeline answers an empty list for an execution no rule ran for
  cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
  cd.reset();
  cp.on(GetPipelineStateCommand).resolves(pipelineState());
  cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions });
  cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: actionExecutions.slice(0, 7), nextToken: 'a2' });
  cp.on(ListActionExecutionsCommand, { nextToken: 'a2' }).resolves({ actionExecutionDetails: actionExecutions.slice(7) });
  cd.on(BatchGetDeploymentsCommand).resolves({
    deploymentsInfo: [
      { deploymentId: 'd-2', status: 'Failed', rollbackInfo: { rollbackDeploymentId: 'd-2-rb' } },
      { deploymentId: 'd-1', status: 'Succeeded' },
    ],
  });
});

describe('metrics', () => {
  test('computes the four keys per environment from executions, action executions and CodeDeploy', async () => {
    const r = await cli(['metrics', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, nextToken: 'a2' });
    expect(cd).toHaveReceivedCommandTimes(BatchGetDeploymentsCommand, 2);
    expect(cd).toHaveReceivedCommandWith(BatchGetDeploymentsCommand, { deploymentIds: ['d-2'] });
    expect(cd).toHaveReceivedCommandWith(BatchGetDeploymentsCommand, { deploymentIds: ['d-1'] });
    const { environments } = JSON.parse(r.stdout);
    const prod = environments.find((m: { environment: string }) => m.environment === 'prod');
    const staging = environments.find((m: { environment: string }) => m.environment === 'staging');
    // prod: exec-1 deployed (commit 660 min ago, deployed 500 min ago), exec-2 failed, exec-3 only waits for approval
    expect(prod).toMatchObject({
      deployments: 1, changes: 2, failedChanges: 1, changeFailureRate: 0.5, leadTimeMedianMs: 160 * 60_000, restores: 0, openFailures: 1,
    });
    // staging: three deployments, lead times 100, 45 and 30 minutes
    expect(staging).toMatchObject({
      deployments: 3, changes: 3, failedChanges: 0, changeFailureRate: 0, leadTimeMedianMs: 45 * 60_000, leadTimeP90Ms: 100 * 60_000,
    });
    expect(staging.deploymentsPerDay).toBeCloseTo(3 / 30, 6);
  });

  test('text output is a table with the four keys', async () => {
    const r = await cli(['metrics', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('change failure rate');
    expect(r.stdout).toContain('50.0% (1/2)');
    expect(r.stdout).toContain('2h 40m');
    expect(r.stdout).toContain('not restored yet');
    expect(r.stdout).not.toContain('staging');
  });

  test('--format html --out writes one self-contained page with SVG charts', async () => {
    const r = await cli(['metrics', PIPELINE, '--format', 'html', '--out', 'dora.html']);
    expect(r.code).toBe(0);
    const html = r.io.files.get('dora.html')!;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).toContain('id="deployments-0"');
    const chart = (id: string) => html.slice(html.indexOf(`<svg id="${id}"`), html.indexOf('</svg>', html.indexOf(`<svg id="${id}"`)));
    const yTicks = (id: string) => [...chart(id).matchAll(/<text x="32" [^>]*>([^<]*)</g)].map((m) => m[1]);
    // lead times on a duration axis labelled exactly, each point's tooltip to the minute; counts on whole numbers
    expect(yTicks('leadtime-1')).toEqual(['0', '2h', '4h']);
    expect([...chart('leadtime-1').matchAll(/<title>([^<]*)</g)].map((m) => m[1])).toEqual(['2026-11-20 03:40 UTC: 2h 40m']);
    expect(yTicks('deployments-1')).toEqual(['0', '1', '2']);
    expect(html).toContain('<h3>Lead time trend</h3>');
    // the days of the daily counts are UTC days, and the charts say so (regression: no time zone anywhere in the charts)
    expect(html).toContain('<h3>Deployments per day (UTC)</h3>');
    expect(html).toContain('<h3>Failures per day (UTC)</h3>');
    // prod's failure (exec-2) is still open: not "n/a", which reads as nothing to restore (the text table says "not restored yet" too)
    const cards = (env: string) => html.slice(html.indexOf(`data-environment="${env}"`)).split('</section>')[0];
    expect(cards('prod')).toContain('<h3>Time to restore</h3><div class="kpi">not restored yet</div><div class="sub">1 failure still open</div>');
    expect(cards('staging')).toContain('<h3>Time to restore</h3><div class="kpi">n/a</div><div class="sub">no failure in this period</div>');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(r.stderr).toContain('wrote dora.html');
  });

  test('an execution of type ROLLBACK without trigger or rollback metadata is a rollback, not a deployment', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => (e.pipelineExecutionId === 'exec-3'
        ? { ...e, status: 'Succeeded' as const, executionType: 'ROLLBACK' as const, trigger: undefined } : e)),
    });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-3' && a.stageName === 'prod'
        ? { ...a, actionName: 'Deploy', status: 'Succeeded' as const, input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } } }
        : a)),
    });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    // exec-1 deployed, exec-2 failed, exec-3 rolled back: it restores exec-1, the last good change, and undoes nothing that
    // succeeded (regression: exec-1 was counted as a failed change too)
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 1, changes: 2, failedChanges: 1 });
  });

  test('a deployment that failed and succeeded when retried is a failed change, a deployment and a restore (regression: 0 deployments, never restored)', async () => {
    const retried = {
      pipelineExecutionId: 'exec-2',
      actionExecutionId: 'exec-2-prod-Deploy-retry',
      stageName: 'prod',
      actionName: 'Deploy',
      status: 'Succeeded' as const,
      startTime: minutesAgo(200),
      lastUpdateTime: minutesAgo(190),
      input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } },
      output: { executionResult: { externalExecutionId: 'd-2b' } },
    };
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [retried, ...actionExecutions] });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    // exec-1 deployed; exec-2 failed 240 minutes ago (CodeDeploy rolled that attempt back) and its retry deployed 190 minutes ago
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({
      deployments: 2, changes: 2, failedChanges: 1, restores: 1, openFailures: 0, timeToRestoreMedianMs: 50 * 60_000,
    });
  });

  test('a rollback listed in the window costs no ListActionExecutions of its own (it runs no Source action)', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => (e.pipelineExecutionId === 'exec-3'
        ? { ...e, status: 'Succeeded' as const, executionType: 'ROLLBACK' as const, rollbackMetadata: { rollbackTargetPipelineExecutionId: 'exec-1' } } : e)),
    });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: actionExecutions.filter((a) => a.pipelineExecutionId !== 'exec-3' || a.stageName === 'prod')
        .map((a) => (a.pipelineExecutionId === 'exec-3'
          ? { ...a, actionName: 'Deploy', status: 'Succeeded' as const, input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } } }
          : a)),
    });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(cp).not.toHaveReceivedCommandWith(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-3' } });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
  });

  test('--env naming one of the pipeline\'s own stages is refused, listing the environments (regression: measured as an environment)', async () => {
    const r = await cli(['metrics', PIPELINE, '--env', 'Build']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: 'Build' in pipeline '${PIPELINE}' is the pipeline's own Build stage, not an environment; environments: staging, prod\n`);
    expect(cp).not.toHaveReceivedCommand(ListPipelineExecutionsCommand);
  });

  test('an action status the CLI does not know is no success (regression: the run counted as a deployment, its failure dropped)', async () => {
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-2' && a.stageName === 'prod' && a.actionName === 'Deploy'
        ? { ...a, status: 'Stopped' as any, output: undefined } : a)),
    });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
  });

  test('a pipeline named twice is read and counted once', async () => {
    const once = await cli(['metrics', PIPELINE, '--json']);
    cp.resetHistory();
    const twice = await cli(['metrics', PIPELINE, PIPELINE, '--json']);
    expect(twice.code).toBe(0);
    expect(JSON.parse(twice.stdout).environments).toEqual(JSON.parse(once.stdout).environments);
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
  });

  test('--env with an unknown environment exits 3 listing the valid ones, after one GetPipelineState call per pipeline', async () => {
    const r = await cli(['metrics', PIPELINE, '--env', 'prdo']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: unknown environment 'prdo' in pipeline 'shop-pipeline'; environments: staging, prod\n");
    expect(r.stdout).toBe('');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
    expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
    expect(cd).not.toHaveReceivedCommand(BatchGetDeploymentsCommand);
  });

  test('does not call CodeDeploy when the pipeline has no CodeDeploy action', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions.filter((a) => a.stageName !== 'prod') });
    const r = await cli(['metrics', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(cd).not.toHaveReceivedCommand(BatchGetDeploymentsCommand);
  });

  test('exit 2 on an unknown format or a bad duration', async () => {
    expect((await cli(['metrics', PIPELINE, '--format', 'pdf'])).stderr).toContain("unknown format 'pdf'");
    expect((await cli(['metrics', PIPELINE, '--format', 'pdf'])).code).toBe(2);
    expect((await cli(['metrics', PIPELINE, '--since', '3x'])).code).toBe(2);
    expect(cp.calls()).toHaveLength(0);
  });

  test('exit 2 when --since reaches back more than 400 days, before any call', async () => {
    const r = await cli(['metrics', PIPELINE, '--since', '99999d', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: --since: '99999d' is too far back; at most 400d (CodePipeline keeps about 12 months of execution history)\n");
    expect(r.stdout).toBe('');
    expect(cp.calls()).toHaveLength(0);
    const max = await cli(['metrics', PIPELINE, '--since', '400d', '--json']);
    expect(max.code).toBe(0);
    expect(JSON.parse(max.stdout).environments[0].daily).toHaveLength(401);
  });

  test('exit 4 naming codedeploy:BatchGetDeployments when CodeDeploy access is denied', async () => {
    cd.on(BatchGetDeploymentsCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const r = await cli(['metrics', PIPELINE]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('codedeploy:BatchGetDeployments');
  });
});

describe('metrics of executions that started before --since', () => {
  const DAY = 1440;
  // e9: commit 10 days old, source 10 days ago, prod approved and deployed 2 days ago
  const act = (stage: string, name: string, category: string, start: number, end: number, extra: Partial<ActionExecutionDetail> = {}) =>
    actionExecution('e9', stage, name, category, start, end, extra);
  const e9Actions = [
    act('prod', 'Deploy', 'Deploy', 2 * DAY, 2 * DAY - 30),
    act('prod', 'Approve', 'Approval', 10 * DAY - 60, 2 * DAY),
    act('Source', 'Source', 'Source', 10 * DAY, 10 * DAY - 1, { output: { outputVariables: { CommitId: 'abcdef1', AuthorDate: minutesAgo(10 * DAY + 5).toISOString() } } }),
  ];
  const e9Summary = { pipelineExecutionId: 'e9', status: 'Succeeded' as const, startTime: minutesAgo(10 * DAY), lastUpdateTime: minutesAgo(2 * DAY - 30) };

  beforeEach(() => {
    cp.reset();
    // CodePipeline answers an empty list for an execution no rule ran for
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
    cp.on(GetPipelineStateCommand).resolves(pipelineState());
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [e9Summary] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: e9Actions });
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { pipelineExecutionId: 'e9', status: 'Succeeded', trigger: { triggerType: 'WebhookV2' } } });
  });

  const prodMetrics = async (since: string) => {
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--since', since, '--json']);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).environments[0];
  };

  test('lead time counts from the commit even when the execution and its Source action are older than --since', async () => {
    const wide = await prodMetrics('30d');
    expect(wide.leadTimeMedianMs).toBe((8 * DAY + 35) * 60_000);
    expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
    cp.resetHistory();
    const narrow = await prodMetrics('7d');
    expect(narrow).toMatchObject({ deployments: 1, changes: 1, leadTimeMedianMs: (8 * DAY + 35) * 60_000 });
    // one look-up of the execution, and of its actions only
    expect(cp).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 1);
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'e9' });
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 2);
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'e9' } });
    expect(cp).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 1);
  });

  test('a rollback execution that started before --since is a rollback, not a deployment', async () => {
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: { pipelineExecutionId: 'e9', status: 'Succeeded', trigger: { triggerType: 'ManualRollback' }, rollbackMetadata: { rollbackTargetPipelineExecutionId: 'e1' } },
    });
    expect(await prodMetrics('7d')).toMatchObject({ deployments: 0, changes: 0 });
  });
});

describe('metrics of a self-updating pipeline (selfUpdate: true)', () => {
  test('no row for its UpdatePipeline stage: it is not an environment (regression: a row with 3 "deployments")', async () => {
    cp.on(GetPipelineStateCommand).resolves(selfUpdatingPipelineState());
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: selfUpdatingActionExecutions });
    const text = await cli(['metrics', PIPELINE]);
    expect(text.code).toBe(0);
    const rows = text.stdout.split('\n').filter((l) => l.startsWith(`│ ${PIPELINE} `)).map((l) => l.split('│').map((c) => c.trim()).slice(1, 4));
    expect(rows).toEqual([[PIPELINE, 'staging', '3'], [PIPELINE, 'prod', '1']]);
    const json = await cli(['metrics', PIPELINE, '--json']);
    expect(JSON.parse(json.stdout).environments.map((m: { environment: string }) => m.environment)).toEqual(['staging', 'prod']);
  });
});

describe('metrics of environments without deployments', () => {
  test('every environment of every pipeline is reported in pipeline order, with zeros when nothing was deployed', async () => {
    cp.on(GetPipelineStateCommand, { name: 'billing' }).resolves({
      pipelineName: 'billing',
      stageStates: ['Source', 'Build', 'beta', 'prod'].map((stageName) => ({ stageName })),
    });
    cp.on(ListPipelineExecutionsCommand, { pipelineName: 'billing' }).resolves({ pipelineExecutionSummaries: [] });
    cp.on(ListActionExecutionsCommand, { pipelineName: 'billing' }).resolves({ actionExecutionDetails: [] });
    const r = await cli(['metrics', PIPELINE, 'billing', '--since', '2h', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).environments.map((m: { pipeline: string; environment: string; deployments: number; changes: number }) =>
      [`${m.pipeline}/${m.environment}`, m.deployments, m.changes]);
    // in the last 2 hours shop-pipeline deployed staging only; prod and billing deployed nothing
    expect(rows).toEqual([['shop-pipeline/staging', 1, 1], ['shop-pipeline/prod', 0, 0], ['billing/beta', 0, 0], ['billing/prod', 0, 0]]);
    const text = await cli(['metrics', PIPELINE, 'billing', '--since', '2h']);
    expect(text.stdout).toMatch(/│ billing +│ prod +│ 0 +│ 0\.00\/day +│ n\/a +│ n\/a \(0\/0\) +│ n\/a +│/);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: 'billing' });
  });
});

describe('metrics of a pipeline with additional sources', () => {
  test('lead time counts from the commit of the pipeline\'s source, not of the additional source read after it', async () => {
    // a shared configuration repository ('Config', namespace SourceVariables_Config) whose last commit is 5 days old
    // (listed after the pipeline's source action: read last, it must not replace its commit time)
    const config = (a: ActionExecutionDetail): ActionExecutionDetail[] => (a.stageName === 'Source'
      ? [{ ...a, input: { ...a.input, namespace: 'SourceVariables' } }, {
        ...a,
        actionName: 'Config',
        actionExecutionId: `${a.pipelineExecutionId}-Source-Config`,
        input: { ...a.input, namespace: 'SourceVariables_Config' },
        output: { outputVariables: { CommitId: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00', AuthorDate: minutesAgo(5 * 24 * 60).toISOString() } },
      }]
      : [a]);
    const all = actionExecutions.flatMap(config);
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => ({ ...e, sourceRevisions: [{ actionName: 'Config', revisionId: 'c0ffee00' }, ...e.sourceRevisions!] })),
    });
    cp.on(ListActionExecutionsCommand, { nextToken: undefined }).resolves({ actionExecutionDetails: all.slice(0, 8), nextToken: 'a2' });
    cp.on(ListActionExecutionsCommand, { nextToken: 'a2' }).resolves({ actionExecutionDetails: all.slice(8) });
    const r = await cli(['metrics', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    const { environments } = JSON.parse(r.stdout);
    // the same keys as with the pipeline's source alone (first test of this file)
    expect(environments.find((m: { environment: string }) => m.environment === 'prod')).toMatchObject({ deployments: 1, leadTimeMedianMs: 160 * 60_000 });
    expect(environments.find((m: { environment: string }) => m.environment === 'staging')).toMatchObject({
      deployments: 3, leadTimeMedianMs: 45 * 60_000, leadTimeP90Ms: 100 * 60_000,
    });
  });

  test('each deployment record names the revision of the pipeline\'s source (Source listed second)', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => ({ ...e, sourceRevisions: [{ actionName: 'Config', revisionId: 'c0ffee00' }, ...e.sourceRevisions!] })),
    });
    const ctx = { api: new DeliveryApi(testClients()), io: testIo(), pollIntervalMs: 1 };
    const records = await collectRecords(ctx, PIPELINE, minutesAgo(30 * 24 * 60), 'prod');
    expect(records.map((rec) => `${rec.executionId} ${rec.revision}`).sort()).toEqual([`exec-1 ${COMMIT_1}`, `exec-2 ${COMMIT_2}`]);
    // an execution read with GetPipelineExecution: its artifact Source, listed second
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    cp.on(GetPipelineExecutionCommand).callsFake((input: { pipelineExecutionId: string }) => ({
      pipelineExecution: {
        pipelineExecutionId: input.pipelineExecutionId,
        status: 'Succeeded',
        artifactRevisions: [{ name: 'Config', revisionId: 'c0ffee00' }, { name: 'Source', revisionId: `source-of-${input.pipelineExecutionId}` }],
      },
    }));
    const looked = await collectRecords(ctx, PIPELINE, minutesAgo(30 * 24 * 60), 'prod');
    expect(looked.map((rec) => `${rec.executionId} ${rec.revision}`).sort()).toEqual(['exec-1 source-of-exec-1', 'exec-2 source-of-exec-2']);
  });
});

describe('metrics of stopped, retried and half-run stage runs', () => {
  const H = 60;
  const DAY = 24 * H;
  const act = (exec: string, stage: string, name: string, category: string, status: string, start: number, end: number,
    extra: Partial<ActionExecutionDetail> = {}): ActionExecutionDetail => ({
    pipelineExecutionId: exec,
    actionExecutionId: `${exec}-${stage}-${name}-${start}`,
    stageName: stage,
    actionName: name,
    status: status as 'Succeeded',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
    input: { actionTypeId: { category: category as 'Deploy', owner: 'AWS', provider: category === 'Source' ? 'CodeStarSourceConnection' : 'CloudFormation', version: '1' } },
    ...extra,
  });
  const source = (exec: string, start: number, commitAgo: number) => act(exec, 'Source', 'Source', 'Source', 'Succeeded', start, start - 1, {
    output: { outputVariables: { CommitId: COMMIT_1, AuthorDate: minutesAgo(commitAgo).toISOString() } },
  });
  const summary = (id: string, status: string, start: number, end: number) => ({
    pipelineExecutionId: id, status: status as 'Succeeded', startTime: minutesAgo(start), lastUpdateTime: minutesAgo(end), trigger: { triggerType: 'WebhookV2' as const },
  });
  type Latest = { pipelineExecutionId: string; status: string };
  // prod deploys one stack in two run orders: App.Prepare (change set), then App.Deploy
  const state = (prodLatest?: Latest) => ({
    pipelineName: PIPELINE,
    stageStates: [
      { stageName: 'Source', actionStates: [{ actionName: 'Source' }] },
      { stageName: 'Build', actionStates: [{ actionName: 'Build' }] },
      { stageName: 'prod', latestExecution: prodLatest as never, actionStates: [{ actionName: 'App.Prepare' }, { actionName: 'App.Deploy' }] },
    ],
  });
  const e1 = [
    source('e1', 30 * H, 31 * H),
    act('e1', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 29.8 * H, 29.5 * H),
    act('e1', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 29.5 * H, 29 * H),
  ];
  const setup = (summaries: ReturnType<typeof summary>[], actions: ActionExecutionDetail[], prodLatest?: Latest) => {
    cp.reset();
    // CodePipeline answers an empty list for an execution no rule ran for
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
    cd.reset();
    cp.on(GetPipelineStateCommand).resolves(state(prodLatest));
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: summaries });
    const newestFirst = [...actions].sort((a, b) => b.startTime!.getTime() - a.startTime!.getTime());
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: newestFirst });
  };
  const prod = async (...args: string[]) => {
    const r = await cli(['metrics', PIPELINE, '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).environments.find((m: { environment: string }) => m.environment === 'prod');
  };

  test('an execution stopped between run orders (App.Prepare done, App.Deploy never ran) is no deployment and no change, as status shows it '
    + '(regression: a deployment with a lead time)', async () => {
    setup([summary('e2', 'Stopped', 10 * H, 9 * H), summary('e1', 'Succeeded', 30 * H, 29 * H)], [
      source('e2', 10 * H, 11 * H),
      act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 9.5 * H, 9 * H),
      ...e1,
    ], { pipelineExecutionId: 'e2', status: 'Stopped' });
    const m = await prod();
    expect(m).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0, leadTimeMedianMs: 2 * H * 60_000 });
    expect(m.leadTimes.map((l: { executionId: string }) => l.executionId)).toEqual(['e1']);
    // status agrees: what prod runs is e1's release
    const s = await cli(['status', PIPELINE, '--json']);
    expect(JSON.parse(s.stdout).environments.find((e: { name: string }) => e.name === 'prod').deployed.executionId).toBe('e1');
  });

  test('a script that runs before the deployments (runBeforeDeployments) failed: a failed change that deployed nothing, no deployment', async () => {
    const check = act('e2', 'prod', 'Check', 'Build', 'Failed', 9.5 * H, 9 * H, {
      input: {
        actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
        configuration: { ProjectName: 'Check', EnvironmentVariables: '[{"name":"CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS","type":"PLAINTEXT","value":"true"}]' },
      },
    });
    setup([summary('e2', 'Failed', 10 * H, 9 * H), summary('e1', 'Succeeded', 30 * H, 29 * H)], [source('e2', 10 * H, 11 * H), check, ...e1],
      { pipelineExecutionId: 'e2', status: 'Failed' });
    const m = await prod();
    expect(m).toMatchObject({ deployments: 1, changes: 2, failedChanges: 1 });
    expect(m.leadTimes.map((l: { executionId: string }) => l.executionId)).toEqual(['e1']);
    const s = await cli(['status', PIPELINE, '--json']);
    const deployed = JSON.parse(s.stdout).environments.find((e: { name: string }) => e.name === 'prod').deployed;
    expect(deployed.executionId).toBe('e1');
    expect(deployed.failedAfterDeploying).toBeUndefined();
  });

  test('an execution between run orders (App.Prepare done, App.Deploy not started yet) is no deployment yet', async () => {
    setup([summary('e2', 'InProgress', 10 * H, 9 * H), summary('e1', 'Succeeded', 30 * H, 29 * H)], [
      source('e2', 10 * H, 11 * H),
      act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 9.5 * H, 9 * H),
      ...e1,
    ], { pipelineExecutionId: 'e2', status: 'InProgress' });
    expect(await prod()).toMatchObject({ deployments: 1, changes: 1 });
  });

  test('a superseded or failed execution that ran the stage in full counts, although the stage has gained actions since (regression: no deployment)', async () => {
    for (const status of ['Superseded', 'Failed']) {
      setup([summary('e1', status, 30 * H, 29 * H)], e1);
      // prod gained a target after e1 ran
      cp.on(GetPipelineStateCommand).resolves({
        ...state(),
        stageStates: [...state().stageStates.slice(0, 2), {
          stageName: 'prod', actionStates: [{ actionName: 'App.Prepare' }, { actionName: 'App.Deploy' }, { actionName: 'Worker.Prepare' }, { actionName: 'Worker.Deploy' }],
        }],
      });
      expect(await prod()).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
    }
  });

  test('a stopped execution still counts the stages it ran in full', async () => {
    setup([summary('e2', 'Stopped', 10 * H, 9 * H)], [
      source('e2', 10 * H, 11 * H),
      act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 9.5 * H, 9.2 * H),
      act('e2', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 9.2 * H, 9 * H),
    ], { pipelineExecutionId: 'e2', status: 'Succeeded' });
    expect(await prod()).toMatchObject({ deployments: 1, changes: 1, leadTimeMedianMs: 2 * H * 60_000 });
  });

  test('a stage retried that failed again fails at its first attempt: time to restore and the daily failure count from then '
    + '(regression: from the last attempt)', async () => {
    // e1 failed 19 h ago (19 Nov, 17:00 UTC), its retry failed again 12 h ago (20 Nov, 00:00 UTC); e2 restored prod 4 h ago
    setup([summary('e2', 'Succeeded', 5 * H, 4 * H), summary('e1', 'Failed', 20 * H, 12 * H)], [
      source('e2', 5 * H, 6 * H),
      act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 4.8 * H, 4.5 * H),
      act('e2', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 4.5 * H, 4 * H),
      source('e1', 20 * H, 21 * H),
      act('e1', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 19.8 * H, 19.5 * H),
      act('e1', 'prod', 'App.Deploy', 'Deploy', 'Failed', 19.5 * H, 19 * H),
      act('e1', 'prod', 'App.Deploy', 'Deploy', 'Failed', 12.5 * H, 12 * H),
    ]);
    const m = await prod();
    expect(m).toMatchObject({ deployments: 1, changes: 2, failedChanges: 1, restores: 1, openFailures: 0, timeToRestoreMedianMs: 15 * H * 60_000 });
    expect(m.daily.filter((d: { failures: number }) => d.failures > 0)).toEqual([{ day: '2026-11-19', deployments: 0, failures: 1 }]);
  });

  test('a run whose first attempt failed before --since and whose retry succeeded inside it started before the window: not counted '
    + '(regression: a clean deployment)', async () => {
    setup([summary('e2', 'Succeeded', 5 * H, 4 * H)], [
      source('e2', 5 * H, 6 * H),
      act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 4.8 * H, 4.5 * H),
      act('e2', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 4.5 * H, 4 * H),
      // e1 started 9 days ago; prod failed 8 days ago and was retried 2 days ago, inside --since 7d
      source('e1', 9 * DAY, 9 * DAY + 60),
      act('e1', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 8 * DAY + 60, 8 * DAY + 30),
      act('e1', 'prod', 'App.Deploy', 'Deploy', 'Failed', 8 * DAY + 30, 8 * DAY),
      act('e1', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 2 * DAY, 2 * DAY - 30),
    ]);
    cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'e1' } }).resolves({
      actionExecutionDetails: [
        act('e1', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 2 * DAY, 2 * DAY - 30),
        act('e1', 'prod', 'App.Deploy', 'Deploy', 'Failed', 8 * DAY + 30, 8 * DAY),
        act('e1', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 8 * DAY + 60, 8 * DAY + 30),
        source('e1', 9 * DAY, 9 * DAY + 60),
      ],
    });
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { pipelineExecutionId: 'e1', status: 'Succeeded', trigger: { triggerType: 'WebhookV2' } } });
    const m = await prod('--since', '7d');
    expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'e1' } });
    expect(m).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
    expect(m.leadTimes.map((l: { executionId: string }) => l.executionId)).toEqual(['e2']);
    // with the whole run in the window, it is a failed change, and a deployment that restored prod
    expect(await prod('--since', '10d')).toMatchObject({ deployments: 2, changes: 2, failedChanges: 1, restores: 1 });
  });

  describe('a run judged against the stage of the pipeline version it ran, not today\'s', () => {
    // version 1: prod is App.Prepare, App.Deploy; version 2 (current) adds the verification Smoke.
    // e1 ran version 1 and was stopped (stop and wait) while App.Deploy ran: App.Deploy finished, prod ran in full.
    const v = (version: number, actions: ActionExecutionDetail[]) => actions.map((a) => ({ ...a, pipelineVersion: version }));
    const versioned = () => {
      setup([summary('e2', 'Succeeded', 10 * H, 9 * H), summary('e1', 'Stopped', 30 * H, 29 * H)], [
        ...v(2, [
          source('e2', 10 * H, 11 * H),
          act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 9.8 * H, 9.6 * H),
          act('e2', 'prod', 'App.Deploy', 'Deploy', 'Succeeded', 9.6 * H, 9.2 * H),
          act('e2', 'prod', 'Smoke', 'Test', 'Succeeded', 9.2 * H, 9 * H),
        ]),
        ...v(1, e1),
      ]);
      const current = state({ pipelineExecutionId: 'e2', status: 'Succeeded' });
      cp.on(GetPipelineStateCommand).resolves({
        ...current,
        pipelineVersion: 2,
        stageStates: [...current.stageStates.slice(0, 2), { ...current.stageStates[2], actionStates: [...current.stageStates[2].actionStates, { actionName: 'Smoke' }] }],
      });
      cp.on(GetPipelineCommand, { name: PIPELINE, version: 1 }).resolves({
        pipeline: {
          name: PIPELINE,
          roleArn: 'arn:aws:iam::111111111111:role/p',
          version: 1,
          stages: [
            { name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' } }] },
            { name: 'prod', actions: ['App.Prepare', 'App.Deploy'].map((name) => ({ name, actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' } })) },
          ],
        },
      } as never);
    };

    test('a stopped execution that ran the stage in full before the stage gained an action is a deployment, read with one GetPipeline of its version '
      + '(regression: Abandoned, as Smoke did not run)', async () => {
      versioned();
      const m = await prod();
      expect(m).toMatchObject({ deployments: 2, changes: 2, failedChanges: 0 });
      expect(m.leadTimes.map((l: { executionId: string }) => l.executionId)).toEqual(['e1', 'e2']);
      // only the stopped execution's version is read; e2 ran the current one and succeeded
      expect(cp).toHaveReceivedCommandTimes(GetPipelineCommand, 1);
      expect(cp).toHaveReceivedCommandWith(GetPipelineCommand, { name: PIPELINE, version: 1 });
    });

    test('history --env reads it the same way', async () => {
      versioned();
      const h = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
      expect(h.code).toBe(0);
      expect(h.stderr).toBe('');
      expect(JSON.parse(h.stdout).map((e: { executionId: string; environmentResult: string }) => [e.executionId, e.environmentResult]))
        .toEqual([['e2', 'Succeeded'], ['e1', 'Succeeded']]);
      expect(cp).toHaveReceivedCommandWith(GetPipelineCommand, { name: PIPELINE, version: 1 });
    });

    test('status reads it the same way: once a newer execution failed in the stage, the stopped one is deployed, not marked as cut short '
      + '(regression: "stopped after deploying", "not run: Smoke")', async () => {
      versioned();
      const current = state({ pipelineExecutionId: 'e2', status: 'Failed' });
      cp.on(GetPipelineStateCommand).resolves({
        ...current,
        pipelineVersion: 2,
        stageStates: [...current.stageStates.slice(0, 2), { ...current.stageStates[2], actionStates: [...current.stageStates[2].actionStates, { actionName: 'Smoke' }] }],
      });
      cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [summary('e2', 'Failed', 10 * H, 9 * H), summary('e1', 'Stopped', 30 * H, 29 * H)] });
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [
          // e2's deployment failed (CloudFormation rolled the stack back): prod still runs e1
          ...v(2, [
            act('e2', 'prod', 'App.Deploy', 'Deploy', 'Failed', 9.6 * H, 9.2 * H),
            act('e2', 'prod', 'App.Prepare', 'Deploy', 'Succeeded', 9.8 * H, 9.6 * H),
            source('e2', 10 * H, 11 * H),
          ]),
          ...v(1, [...e1].reverse()),
        ],
      });
      const r = await cli(['status', PIPELINE, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const deployed = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'prod').deployed;
      expect(deployed.executionId).toBe('e1');
      expect(deployed.stoppedAfterDeploying).toBeUndefined();
      expect(deployed.notRun).toBeUndefined();
      expect(cp).toHaveReceivedCommandTimes(GetPipelineCommand, 1);
      expect(cp).toHaveReceivedCommandWith(GetPipelineCommand, { name: PIPELINE, version: 1 });
      expect((await cli(['status', PIPELINE])).stdout).not.toContain('stopped after deploying');
    });

    test('status --watch reads an earlier version once for all its refreshes', async () => {
      versioned();
      const current = state({ pipelineExecutionId: 'e1', status: 'Stopped' });
      cp.on(GetPipelineStateCommand).resolves({
        ...current,
        pipelineVersion: 2,
        stageStates: [...current.stageStates.slice(0, 2), { ...current.stageStates[2], actionStates: [...current.stageStates[2].actionStates, { actionName: 'Smoke' }] }],
      });
      cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [summary('e1', 'Stopped', 30 * H, 29 * H)] });
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: v(1, [...e1].reverse()) });
      const r = await cli(['status', PIPELINE, '--json', '--watch', '5'], {}, { maxRefreshes: 3 });
      expect(r.code).toBe(0);
      const refreshes = r.stdout.trim().split('\n').map((line) => JSON.parse(line).environments.find((e: { name: string }) => e.name === 'prod').deployed);
      // the stop came once prod had run in full (version 1 had no Smoke): deployed, marked stopped, nothing left out
      expect(refreshes).toEqual([1, 2, 3].map(() => expect.objectContaining({ executionId: 'e1', stoppedAfterDeploying: true })));
      expect(refreshes[0].notRun).toBeUndefined();
      expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 3);
      expect(cp).toHaveReceivedCommandTimes(GetPipelineCommand, 1);
    });

    test('when that version cannot be read (access denied), the run is judged against today\'s stage, with a warning', async () => {
      versioned();
      cp.on(GetPipelineCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: codepipeline:GetPipeline'));
      const r = await cli(['metrics', PIPELINE, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("cdk-delivery: warning: could not read version 1 of pipeline 'shop-pipeline' (access denied: GetPipeline needs the IAM "
        + "permission codepipeline:GetPipeline (pipeline 'shop-pipeline')); its runs "
        + 'are judged against the current stages, which may have gained or lost actions since\n');
      expect(JSON.parse(r.stdout).environments.find((m: { environment: string }) => m.environment === 'prod')).toMatchObject({ deployments: 1, changes: 1 });
    });

    test('at most 5 earlier versions are read, the newest first; runs of older ones are judged against today\'s stage, with a warning', async () => {
      versioned();
      // six stopped executions, each of its own earlier version, that ran prod in full
      const runs = [3, 4, 5, 6, 7, 8].map((n) => v(n + 10, [
        source(`s${n}`, n * H, n * H + 60),
        act(`s${n}`, 'prod', 'App.Prepare', 'Deploy', 'Succeeded', n * H - 10, n * H - 20),
        act(`s${n}`, 'prod', 'App.Deploy', 'Deploy', 'Succeeded', n * H - 20, n * H - 30),
      ])).flat();
      cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [3, 4, 5, 6, 7, 8].map((n) => summary(`s${n}`, 'Stopped', n * H, n * H - 30)) });
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: runs.sort((a, b) => b.startTime!.getTime() - a.startTime!.getTime()) });
      cp.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'r', stages: [{ name: 'prod', actions: [{ name: 'App.Prepare' }, { name: 'App.Deploy' }] }] } } as never);
      const r = await cli(['metrics', PIPELINE, '--json', '--env', 'prod']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandTimes(GetPipelineCommand, 5);
      expect(cp.commandCalls(GetPipelineCommand).map((c) => c.args[0].input.version).sort()).toEqual([14, 15, 16, 17, 18]);
      expect(r.stderr).toBe("cdk-delivery: warning: read 5 earlier versions of pipeline 'shop-pipeline' already; runs of version 13 are judged against its current stages\n");
      // s3 (version 13) did not run Smoke, which prod has today
      expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 5, changes: 5 });
    });
  });
});

describe('a run whose change-set review was rejected, expired or cut short by a cancellation delivered nothing: metrics, history and status agree', () => {
  // prod: Approve, shop.Prepare (change set), ReviewChangeSet, then shop.Deploy; e1 released in full, e2 never reached shop.Deploy
  const act = (exec: string, name: string, category: string, status: string, start: number, end: number,
    extra: Partial<ActionExecutionDetail> = {}): ActionExecutionDetail => ({
    pipelineExecutionId: exec,
    actionExecutionId: `${exec}-${name}-${start}`,
    stageName: name === 'Source' ? 'Source' : 'prod',
    actionName: name,
    status: status as 'Succeeded',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
    input: {
      actionTypeId: {
        category: category as 'Deploy',
        owner: 'AWS',
        version: '1',
        provider: category === 'Approval' ? 'Manual' : category === 'Source' ? 'CodeStarSourceConnection' : 'CloudFormation',
      },
      configuration: name.endsWith('.Prepare') ? { ActionMode: 'CHANGE_SET_REPLACE' } : name.endsWith('.Deploy') ? { ActionMode: 'CHANGE_SET_EXECUTE' } : undefined,
    },
    ...extra,
  });
  const source = (exec: string, commit: string, start: number) => act(exec, 'Source', 'Source', 'Succeeded', start, start - 1, {
    output: { outputVariables: { CommitId: commit, CommitterDate: minutesAgo(start + 60).toISOString() } },
  });
  const e1 = [
    act('e1', 'shop.Deploy', 'Deploy', 'Succeeded', 560, 540),
    act('e1', 'ReviewChangeSet', 'Approval', 'Succeeded', 575, 560, { updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice' }),
    act('e1', 'shop.Prepare', 'Deploy', 'Succeeded', 580, 575),
    act('e1', 'Approve', 'Approval', 'Succeeded', 590, 580, { updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice' }),
    source('e1', COMMIT_1, 600),
  ];
  const rejected: Partial<ActionExecutionDetail> = {
    updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/carol',
    output: { executionResult: { externalExecutionSummary: 'drops the orders table' } },
  };
  const timedOut: Partial<ActionExecutionDetail> = { output: { executionResult: { errorDetails: { code: 'JobFailed', message: 'Approval timed out' } } } };
  /** e2 ran Approve and shop.Prepare; its ReviewChangeSet ended `review` (with `extra`) and the execution `status`. */
  const setup = (status: string, review: string, extra: Partial<ActionExecutionDetail> = {}, e2: ActionExecutionDetail[] = [],
    stageActions = ['Approve', 'shop.Prepare', 'ReviewChangeSet', 'shop.Deploy']) => {
    cp.reset();
    // CodePipeline answers an empty list for an execution no rule ran for
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [] });
    cd.reset();
    cp.on(GetPipelineStateCommand).resolves({
      pipelineName: PIPELINE,
      stageStates: [
        { stageName: 'Source', actionStates: [{ actionName: 'Source' }] },
        {
          stageName: 'prod',
          latestExecution: { pipelineExecutionId: 'e2', status: status as 'Failed' },
          actionStates: stageActions.map((actionName) => ({ actionName })),
        },
      ],
    });
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'e2', status: status as 'Failed', startTime: minutesAgo(300), lastUpdateTime: minutesAgo(100), sourceRevisions: [{ actionName: 'Source', revisionId: COMMIT_2 }] },
        { pipelineExecutionId: 'e1', status: 'Succeeded', startTime: minutesAgo(600), lastUpdateTime: minutesAgo(540), sourceRevisions: [{ actionName: 'Source', revisionId: COMMIT_1 }] },
      ],
    });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        act('e2', 'ReviewChangeSet', 'Approval', review, 275, 100, extra),
        ...e2,
        act('e2', 'shop.Prepare', 'Deploy', 'Succeeded', 280, 275),
        act('e2', 'Approve', 'Approval', 'Succeeded', 290, 280, { updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice' }),
        source('e2', COMMIT_2, 300),
        ...e1,
      ].sort((a, b) => b.startTime!.getTime() - a.startTime!.getTime()),
    });
  };
  /** What each command says of prod: metrics (JSON and the text row), history --env (JSON and the table cell), status --json. */
  const readAll = async () => {
    const metrics = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    const text = await cli(['metrics', PIPELINE, '--env', 'prod']);
    const history = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
    const table = await cli(['history', PIPELINE, '--env', 'prod']);
    const status = await cli(['status', PIPELINE, '--json']);
    for (const r of [metrics, text, history, table, status]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    type Entry = { executionId: string; status: string; environmentResult: string };
    return {
      metrics: JSON.parse(metrics.stdout).environments[0],
      row: text.stdout.split('\n').find((l) => l.includes('│ prod ')),
      history: JSON.parse(history.stdout).map((e: Entry) => [e.executionId, e.status, e.environmentResult]),
      cell: table.stdout.split('\n').find((l) => l.includes('│ e2 '))?.split('│')[6].trim(),
      deployed: JSON.parse(status.stdout).environments.find((e: { name: string }) => e.name === 'prod').deployed?.executionId,
    };
  };

  test('a change-set review rejected after shop.Prepare: Rejected, no deployment and no change (regression: a deployment, and history "Succeeded")', async () => {
    setup('Failed', 'Failed', rejected);
    const all = await readAll();
    expect(all.metrics).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0, changeFailureRate: 0 });
    expect(all.metrics.leadTimes.map((l: { executionId: string }) => l.executionId)).toEqual(['e1']);
    expect(all.row).toContain('│ 1           │');
    expect(all.row).toContain('│ 0.0% (0/1)          │');
    expect(all.history).toEqual([['e2', 'Failed', 'Rejected'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(all.cell).toBe('Rejected');
    expect(all.deployed).toBe('e1');
    const approvals = JSON.parse((await cli(['history', PIPELINE, '--env', 'prod', '--json'])).stdout)[0].approvals;
    expect(approvals.map((a: { action: string; decision: string; comment?: string }) => [a.action, a.decision, a.comment]))
      .toEqual([['ReviewChangeSet', 'rejected', 'drops the orders table'], ['Approve', 'approved', undefined]]);
  });

  test('a change-set review rejected after a script that runs before the deployments (runBeforeDeployments) and shop.Prepare: Rejected, '
    + 'no deployment: the script deployed nothing', async () => {
    const check = act('e2', 'Check', 'Build', 'Succeeded', 285, 281, {
      input: {
        actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
        configuration: { ProjectName: 'Check', EnvironmentVariables: '[{"name":"CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS","type":"PLAINTEXT","value":"true"}]' },
      },
    });
    setup('Failed', 'Failed', rejected, [check], ['Approve', 'Check', 'shop.Prepare', 'ReviewChangeSet', 'shop.Deploy']);
    const all = await readAll();
    expect(all.metrics).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
    expect(all.history).toEqual([['e2', 'Failed', 'Rejected'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(all.cell).toBe('Rejected');
    expect(all.deployed).toBe('e1');
  });

  test('a change-set review that nobody answered before its timeout: Expired, no deployment and no change (regression: a deployment)', async () => {
    setup('Failed', 'Failed', timedOut);
    const all = await readAll();
    expect(all.metrics).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
    expect(all.history).toEqual([['e2', 'Failed', 'Expired'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(all.cell).toBe('Expired');
    expect(all.deployed).toBe('e1');
  });

  test.each(['Cancelled', 'Stopped'])('an execution %s while the review waited (shop.Prepare done, shop.Deploy never ran): Abandoned, no deployment '
    + '(regression: Cancelled counted as a deployment)', async (status) => {
    setup(status, 'Abandoned');
    const all = await readAll();
    expect(all.metrics).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
    expect(all.history).toEqual([['e2', status, 'Abandoned'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(all.cell).toBe('Abandoned');
    expect(all.deployed).toBe('e1');
  });

  test('an execution cancelled after the stage ran in full keeps its deployment', async () => {
    setup('Cancelled', 'Succeeded', {}, [act('e2', 'shop.Deploy', 'Deploy', 'Succeeded', 100, 90)]);
    const all = await readAll();
    expect(all.metrics).toMatchObject({ deployments: 2, changes: 2, failedChanges: 0 });
    expect(all.history).toEqual([['e2', 'Cancelled', 'Succeeded'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(all.deployed).toBe('e2');
  });

  describe('a review of a later wave rejected (or expired) after the first wave deployed: partially deployed, read like a stop after deploying', () => {
    // wave 1 (shop) deployed; wave 2 (api) prepared its change set, and its review ended the stage before api.Deploy
    const waves = ['Approve', 'shop.Prepare', 'ReviewChangeSet', 'shop.Deploy', 'api.Prepare', 'ReviewChangeSet.Wave2', 'api.Deploy'];
    const wave1 = [act('e2', 'shop.Deploy', 'Deploy', 'Succeeded', 99, 98), act('e2', 'api.Prepare', 'Deploy', 'Succeeded', 98, 97)];
    const wave2Review = (status: string, extra: Partial<ActionExecutionDetail>) => act('e2', 'ReviewChangeSet.Wave2', 'Approval', status, 97, 95, extra);

    test.each([['rejected', rejected], ['expired', timedOut]] as const)('%s: the same metrics and history as a stop after deploying, and status shows '
      + 'the run deployed, marked (regression: Rejected, and status skipped it for the release before)', async (decision, extra) => {
      setup('Stopped', 'Succeeded', {}, [...wave1, wave2Review('Abandoned', {})], waves);
      const stopped = await readAll();
      setup('Failed', 'Succeeded', {}, [...wave1, wave2Review('Failed', extra)], waves);
      const ended = await readAll();
      // metrics: a run cut short is neither a change nor a failure, whether a stop or the review ended it
      expect(ended.metrics).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0, changeFailureRate: 0 });
      expect(ended.metrics).toEqual(stopped.metrics);
      expect(ended.history).toEqual([['e2', 'Failed', 'Abandoned'], ['e1', 'Succeeded', 'Succeeded']]);
      expect(ended.cell).toBe('Abandoned');
      expect(stopped.history).toEqual([['e2', 'Stopped', 'Abandoned'], ['e1', 'Succeeded', 'Succeeded']]);
      // status: the stage runs e2's revision (shop was updated), with what did not run
      const status = await cli(['status', PIPELINE, '--json']);
      expect(JSON.parse(status.stdout).environments.find((e: { name: string }) => e.name === 'prod').deployed).toMatchObject({
        executionId: 'e2', approvalAfterDeploying: { action: 'ReviewChangeSet.Wave2', decision }, notRun: ['api.Deploy'],
      });
      const table = await cli(['status', PIPELINE]);
      expect(table.code).toBe(0);
      // the deployed cell wraps: 'ReviewChangeSet.Wave2 rejected after' / 'deploying'
      expect(table.stdout).toMatch(new RegExp(`│ ReviewChangeSet\\.Wave2 ${decision} after +│.*\\n.*│ deploying +│`));
      expect(table.stdout).toContain('not run: api.Deploy');
    });
  });

  test('a review rejected after a deployment attempt of the run failed and was retried: the failure counts, the run is no deployment', async () => {
    setup('Failed', 'Failed', rejected, [act('e2', 'shop.Prepare', 'Deploy', 'Failed', 285, 284)]);
    const all = await readAll();
    expect(all.metrics).toMatchObject({ deployments: 1, changes: 2, failedChanges: 1, openFailures: 1 });
    expect(all.history).toEqual([['e2', 'Failed', 'Rejected'], ['e1', 'Succeeded', 'Succeeded']]);
    expect(all.deployed).toBe('e1');
  });
});

describe('metrics after two rollbacks in a row (A, B, C deployed; rolled back to B, then to A)', () => {
  const COMMIT_A = 'aaaaaaa1aaaaaaa1aaaaaaa1aaaaaaa1aaaaaaa1';
  const COMMIT_B = 'bbbbbbb2bbbbbbb2bbbbbbb2bbbbbbb2bbbbbbb2';
  const COMMIT_C = 'ccccccc3ccccccc3ccccccc3ccccccc3ccccccc3';
  const source = (commit: string): PipelineExecutionSummary['sourceRevisions'] =>
    [{ actionName: 'Source', revisionId: commit, revisionSummary: '{"ProviderType":"GitHub","CommitMessage":"release"}' }];
  /** A release through Source, Build, staging and prod, from `start` minutes ago, 40 minutes long. */
  const release = (id: string, commit: string, start: number) => ({
    summary: {
      pipelineExecutionId: id,
      status: 'Succeeded' as const,
      executionType: 'STANDARD' as const,
      startTime: minutesAgo(start),
      lastUpdateTime: minutesAgo(start - 40),
      trigger: { triggerType: 'WebhookV2' as const },
      sourceRevisions: source(commit),
    },
    actions: [
      actionExecution(id, 'prod', 'Deploy', 'Deploy', start - 30, start - 40),
      actionExecution(id, 'staging', 'Deploy', 'Deploy', start - 20, start - 30),
      actionExecution(id, 'Build', 'Build', 'Build', start - 5, start - 20),
      actionExecution(id, 'Source', 'Source', 'Source', start, start - 5, {
        output: { outputVariables: { CommitId: commit, CommitterDate: minutesAgo(start + 60).toISOString() } },
      }),
    ],
  });
  /** A RollbackStage of prod from `start` minutes ago, 10 minutes long, restoring `target` (its revision `commit`). */
  const rollback = (id: string, commit: string, start: number, target: string | undefined) => ({
    summary: {
      pipelineExecutionId: id,
      status: 'Succeeded' as const,
      executionType: 'ROLLBACK' as const,
      startTime: minutesAgo(start),
      lastUpdateTime: minutesAgo(start - 10),
      trigger: { triggerType: 'ManualRollback' as const, triggerDetail: 'arn:aws:sts::111111111111:assumed-role/Release/alice' },
      sourceRevisions: source(commit),
      ...(target ? { rollbackMetadata: { rollbackTargetPipelineExecutionId: target } } : {}),
    },
    actions: [actionExecution(id, 'prod', 'Deploy', 'Deploy', start, start - 10)],
  });
  function history(withMetadata: boolean) {
    // newest first, as CodePipeline lists them
    const all = [
      rollback('r2', COMMIT_A, 300, withMetadata ? 'ea' : undefined), // back to A: undoes B, which r1 restored
      rollback('r1', COMMIT_B, 500, withMetadata ? 'eb' : undefined), // back to B: undoes C
      release('ec', COMMIT_C, 700),
      release('eb', COMMIT_B, 900),
      release('ea', COMMIT_A, 1100),
    ];
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: all.map((e) => e.summary) });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: all.flatMap((e) => e.actions) });
  }

  test.each([true, false])('the change the first rollback restored fails with the second; each rollback restores in its own 10 minutes (rollback metadata: %s)',
    async (withMetadata) => {
      history(withMetadata);
      const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--since', '2d', '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const [prod] = JSON.parse(r.stdout).environments;
      // C undone by r1 (failed at its start, 500 min ago), B by r2 (300 min ago): 2 of the 3 changes failed
      // (regression: only C, the latest change before a rollback, was counted)
      expect(prod).toMatchObject({
        environment: 'prod',
        deployments: 3,
        changes: 3,
        failedChanges: 2,
        restores: 2,
        openFailures: 0,
        timeToRestoreMedianMs: 10 * 60_000,
        timeToRestoreMaxMs: 10 * 60_000,
      });
      expect(prod.changeFailureRate).toBeCloseTo(2 / 3, 10);
      expect(prod.daily.reduce((n: number, d: { failures: number }) => n + d.failures, 0)).toBe(2);
      expect(cp).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
      const text = await cli(['metrics', PIPELINE, '--env', 'prod', '--since', '2d']);
      expect(text.stdout).toMatch(/│ shop-pipeline +│ prod +│ 3 +│ 1\.50\/day +│ 1h 40m \/ 1h 40m +│ 66\.7% \(2\/3\) +│ 10m 00s \(2 restored\) +│/);
    });

  test('staging, which no rollback touched, keeps its three good changes', async () => {
    history(true);
    const r = await cli(['metrics', PIPELINE, '--since', '2d', '--json']);
    const staging = JSON.parse(r.stdout).environments.find((m: { environment: string }) => m.environment === 'staging');
    expect(staging).toMatchObject({ deployments: 3, changes: 3, failedChanges: 0, restores: 0 });
  });
});

describe('metrics of a stage its alarms failed after its deployments succeeded (success conditions: Verification.alarms)', () => {
  // exec-2 deployed prod (its Deploy succeeded), then prod.BakeAlarm went into ALARM during the bake time and failed the stage:
  // the execution failed with every action succeeded
  const baked = actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-2' && a.stageName === 'prod' && a.actionName === 'Deploy'
    ? { ...a, status: 'Succeeded' as const, output: { executionResult: { externalExecutionId: 'd-2' } } } : a));
  const ruleRun = (exec: string, stage: string, rule: string, status: string, start: number, end: number) => ({
    pipelineExecutionId: exec,
    ruleExecutionId: `${exec}-${rule}`,
    stageName: stage,
    ruleName: rule,
    status: status as 'Failed',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
  });

  beforeEach(() => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: baked });
    cd.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [{ deploymentId: 'd-2', status: 'Succeeded' }, { deploymentId: 'd-1', status: 'Succeeded' }] });
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Failed', 240, 225), ruleRun('exec-2', 'prod', 'prod.DeploymentWindow', 'Succeeded', 272, 271)],
    });
  });

  test('is a failed change, not a deployment, failed when the alarm failed it; one ListRuleExecutions of that execution alone '
    + '(regression: counted as a successful deployment)', async () => {
    const r = await cli(['metrics', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const { environments } = JSON.parse(r.stdout);
    expect(environments.find((m: { environment: string }) => m.environment === 'prod')).toMatchObject({
      deployments: 1, changes: 2, failedChanges: 1, changeFailureRate: 0.5, restores: 0, openFailures: 1,
    });
    expect(environments.find((m: { environment: string }) => m.environment === 'staging')).toMatchObject({ deployments: 3, failedChanges: 0 });
    // only exec-2 failed without a failed action: exec-1 succeeded, exec-3 still runs
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } });
  });

  test('rolled back by the stage\'s failure policy: one failed change, no deployment, restored from the alarm to the rollback\'s end', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [{
        pipelineExecutionId: 'exec-4',
        status: 'Succeeded',
        executionType: 'ROLLBACK',
        trigger: { triggerType: 'AutomatedRollback' },
        rollbackMetadata: { rollbackTargetPipelineExecutionId: 'exec-1' },
        startTime: minutesAgo(222),
        lastUpdateTime: minutesAgo(200),
      }, ...executions],
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [action('exec-4', 'prod', 'Deploy', 'Deploy', 'Succeeded', 220, 200), ...baked] });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    // regression: exec-2 was a deployment too, failed only when the rollback started (restored in 20 minutes)
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({
      deployments: 1, changes: 2, failedChanges: 1, restores: 1, openFailures: 0, timeToRestoreMedianMs: 25 * 60_000,
    });
  });

  test('an entry condition of a later environment that failed the execution leaves the stage before it deployed', async () => {
    // exec-2 deployed staging, then prod's entry alarm kept it out of prod: no prod action ran
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: baked.filter((a) => a.pipelineExecutionId !== 'exec-2' || a.stageName !== 'prod') });
    cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [ruleRun('exec-2', 'prod', 'prod.EntryAlarm', 'Failed', 275, 274)] });
    const r = await cli(['metrics', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    const { environments } = JSON.parse(r.stdout);
    expect(environments.find((m: { environment: string }) => m.environment === 'staging')).toMatchObject({ deployments: 3, changes: 3, failedChanges: 0 });
    expect(environments.find((m: { environment: string }) => m.environment === 'prod')).toMatchObject({ deployments: 1, changes: 1, failedChanges: 0 });
  });

  test('ListRuleExecutions denied (a grant of an earlier version): one warning, and the stage counts by its actions', async () => {
    cp.on(ListRuleExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform codepipeline:ListRuleExecutions'));
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 2, changes: 2, failedChanges: 0 });
    expect(r.stderr.split('\n').filter((l) => l)).toEqual([expect.stringMatching(
      /^cdk-delivery: warning: access denied: .*codepipeline:ListRuleExecutions.*; cannot tell whether the alarms watched after the deployments failed execution exec-2: the stages it ran count by their actions \(grantRead, grantOperate and grantApprove .*\)$/)]);
  });

  test('history --env shows it Failed, as metrics counts it', async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { executionId: string; environmentResult: string }) => [e.executionId, e.environmentResult]))
      .toEqual([['exec-3', 'InProgress'], ['exec-2', 'Failed'], ['exec-1', 'Succeeded']]);
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
    // without --env no environment's result is shown: no call
    cp.resetHistory();
    expect((await cli(['history', PIPELINE, '--json'])).code).toBe(0);
    expect(cp).not.toHaveReceivedCommand(ListRuleExecutionsCommand);
  });
});

describe('metrics of a stage its alarms failed after its deployments, then retried (RetryStageExecution) until it succeeded', () => {
  // exec-2 deployed prod (240 minutes ago), prod.BakeAlarm went into ALARM during the bake time and failed the
  // stage 225 minutes ago; the stage was retried and exec-2 succeeded. exec-1 deployed prod normally before.
  const ruleRun = (exec: string, stage: string, rule: string, status: string, start: number, end: number) => ({
    pipelineExecutionId: exec,
    ruleExecutionId: `${exec}-${rule}-${start}`,
    stageName: stage,
    ruleName: rule,
    status: status as 'Failed',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
  });
  const firstAttempt = actionExecutions.map((a) => (a.pipelineExecutionId === 'exec-2' && a.stageName === 'prod' && a.actionName === 'Deploy'
    ? { ...a, status: 'Succeeded' as const, output: { executionResult: { externalExecutionId: 'd-2' } } } : a));
  // a retry of the whole stage (ALL_ACTIONS) runs the approval and the deployment again
  const secondAttempt = [
    action('exec-2', 'prod', 'Deploy', 'Deploy', 'Succeeded', 215, 205, { actionExecutionId: 'exec-2-prod-Deploy-2', output: { executionResult: { externalExecutionId: 'd-2b' } } }),
    action('exec-2', 'prod', 'Approve', 'Approval', 'Succeeded', 220, 215, { actionExecutionId: 'exec-2-prod-Approve-2' }),
  ];
  const succeeded = executions.map((e) => (e.pipelineExecutionId === 'exec-2' ? { ...e, status: 'Succeeded' as const, lastUpdateTime: minutesAgo(190) } : e));
  // an entry rule failed (the window was closed) and passed before the run started: no failure of the run
  const entry = [ruleRun('exec-2', 'prod', 'prod.DeploymentWindow', 'Failed', 285, 284), ruleRun('exec-2', 'prod', 'prod.DeploymentWindow', 'Succeeded', 272, 271)];

  beforeEach(() => {
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: succeeded });
    cd.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [{ deploymentId: 'd-2b', status: 'Succeeded' }, { deploymentId: 'd-2', status: 'Succeeded' }, { deploymentId: 'd-1', status: 'Succeeded' }],
    });
  });

  describe('retried with every action (an action run twice in the execution)', () => {
    beforeEach(() => {
      const retried = [...firstAttempt.slice(0, 4), ...secondAttempt, ...firstAttempt.slice(4)];
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: retried });
      cp.on(ListRuleExecutionsCommand).resolves({
        ruleExecutionDetails: [ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Succeeded', 205, 190), ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Failed', 240, 225), ...entry],
      });
    });

    test('is a failed change, failed when the alarm\'s rule failed and restored at the retry\'s success; one ListRuleExecutions of that execution alone '
      + '(regression: a successful deployment, no failure)', async () => {
      const r = await cli(['metrics', PIPELINE, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const { environments } = JSON.parse(r.stdout);
      // failed 225 minutes ago, the retry's bake passed 190 minutes ago
      expect(environments.find((m: { environment: string }) => m.environment === 'prod')).toMatchObject({
        deployments: 2,
        changes: 2,
        failedChanges: 1,
        changeFailureRate: 0.5,
        restores: 1,
        openFailures: 0,
        timeToRestoreMedianMs: 35 * 60_000,
        timeToRestoreMaxMs: 35 * 60_000,
      });
      expect(environments.find((m: { environment: string }) => m.environment === 'staging')).toMatchObject({ deployments: 3, failedChanges: 0 });
      expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
      expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } });
      const text = await cli(['metrics', PIPELINE, '--env', 'prod']);
      expect(text.stdout).toMatch(/│ shop-pipeline +│ prod +│ 2 +│ [^│]+│ [^│]+│ 50\.0% \(1\/2\) +│ 35m 00s \(1 restored\) +│/);
    });

    test('the rule runs say no success condition failed (the stage was stopped, then retried): a deployment, no failed change', async () => {
      cp.on(ListRuleExecutionsCommand).resolves({ ruleExecutionDetails: [ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Succeeded', 205, 190), ...entry] });
      const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
      expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 2, changes: 2, failedChanges: 0, restores: 0 });
      expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
    });

    test('retried, then failed again by the alarm: one failed change, failed at the first failure (regression: at the second)', async () => {
      cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions });
      cp.on(ListRuleExecutionsCommand).resolves({
        ruleExecutionDetails: [ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Failed', 205, 195), ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Failed', 240, 225), ...entry],
      });
      const ctx = { api: new DeliveryApi(testClients()), io: testIo(), pollIntervalMs: 1 };
      const records = await collectRecords(ctx, PIPELINE, minutesAgo(30 * 24 * 60), 'prod', pipelineState());
      expect(records.find((x) => x.executionId === 'exec-2')).toMatchObject({ status: 'Failed', failedAt: minutesAgo(225) });
      const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
      expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 1, changes: 2, failedChanges: 1, openFailures: 1 });
    });

    test('ListRuleExecutions denied (a grant of an earlier version): one warning, and the run counts by its actions, as before', async () => {
      cp.on(ListRuleExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform codepipeline:ListRuleExecutions'));
      const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 2, changes: 2, failedChanges: 0, restores: 0 });
      expect(r.stderr.split('\n').filter((l) => l)).toEqual([expect.stringMatching(
        /^cdk-delivery: warning: access denied: .*codepipeline:ListRuleExecutions.*; cannot tell whether the alarms watched after the deployments failed execution exec-2: the stages it ran count by their actions/)]);
      expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
    });

    test('history --env shows it Succeeded, retried, with when it failed (JSON) as metrics counts it', async () => {
      const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
      expect(r.code).toBe(0);
      const entries = JSON.parse(r.stdout);
      type Entry = { executionId: string; environmentResult: string; environmentFailedAt?: string };
      expect(entries.map((e: Entry) => [e.executionId, e.environmentResult, e.environmentFailedAt]))
        .toEqual([['exec-3', 'InProgress', undefined], ['exec-2', 'Succeeded', minutesAgo(225).toISOString()], ['exec-1', 'Succeeded', undefined]]);
      expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
      expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } });
      const rows = (await cli(['history', PIPELINE, '--env', 'prod'])).stdout.split('\n');
      expect(rows.find((l) => l.includes('exec-2'))).toMatch(/│ Succeeded\s+│/);
      expect(rows[rows.findIndex((l) => l.includes('exec-2')) + 1]).toMatch(/│ \(retried\)\s+│/);
      expect(rows.find((l) => l.includes('exec-1'))).not.toContain('retried');
    });
  });

  test('retried with its conditions alone (each action run once; GetPipelineState counts a manual retry of the stage\'s latest execution): '
    + 'a failed change, restored when the bake passed', async () => {
    const state = pipelineState();
    state.stageStates![3] = {
      ...state.stageStates![3],
      latestExecution: { pipelineExecutionId: 'exec-2', status: 'Succeeded' },
      retryStageMetadata: { manualStageRetryAttempt: 1, latestRetryTrigger: 'ManualStageRetry' },
    };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: firstAttempt.filter((a) => a.pipelineExecutionId !== 'exec-3' || a.stageName !== 'prod') });
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Succeeded', 215, 200), ruleRun('exec-2', 'prod', 'prod.BakeAlarm', 'Failed', 240, 225)],
    });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    // the actions ended 240 minutes ago; the failure 225 minutes ago, restored 200 minutes ago when the retried bake passed
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({
      deployments: 2, changes: 2, failedChanges: 1, restores: 1, openFailures: 0, timeToRestoreMedianMs: 25 * 60_000,
    });
    expect(cp).toHaveReceivedCommandTimes(ListRuleExecutionsCommand, 1);
    expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-2' } });
  });

  test('a normal success (each action run once, no retry counted): no ListRuleExecutions call, a deployment', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: firstAttempt });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 2, changes: 2, failedChanges: 0 });
    expect(cp).not.toHaveReceivedCommand(ListRuleExecutionsCommand);
    expect((await cli(['history', PIPELINE, '--env', 'prod', '--json'])).code).toBe(0);
    expect(cp).not.toHaveReceivedCommand(ListRuleExecutionsCommand);
  });

  test('a deployment that failed, then succeeded when retried: its failed action explains it, no ListRuleExecutions call', async () => {
    const retried = [...actionExecutions.slice(0, 4), secondAttempt[0], ...actionExecutions.slice(4)];
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: retried });
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 2, changes: 2, failedChanges: 1, restores: 1 });
    expect(cp).not.toHaveReceivedCommand(ListRuleExecutionsCommand);
  });
});

describe('metrics of a stage whose alarms are still watched after its deployments (its success conditions in progress)', () => {
  // exec-3 was approved and deployed prod 15 minutes ago; CodePipeline still watches prod.BakeAlarm: the stage runs on
  const baking = [
    action('exec-3', 'prod', 'Deploy', 'Deploy', 'Succeeded', 25, 15, { output: { executionResult: { externalExecutionId: 'd-3' } } }),
    action('exec-3', 'prod', 'Approve', 'Approval', 'Succeeded', 30, 25),
    ...actionExecutions.filter((a) => a.pipelineExecutionId !== 'exec-3' || a.stageName !== 'prod'),
  ];
  const checking = {
    onSuccessConditionState: {
      latestExecution: { status: 'InProgress' as const, summary: 'watching alarms' },
      conditionStates: [{
        latestExecution: { status: 'InProgress' as const, lastStatusChange: minutesAgo(15) },
        ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'InProgress' as const, lastStatusChange: minutesAgo(15) } }],
      }],
    },
  };

  beforeEach(() => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: baking });
    cp.on(GetPipelineStateCommand).resolves(prodStageState('InProgress', checking, [
      { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(25) } },
      { actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(15) } },
    ]));
    cd.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [{ deploymentId: 'd-3', status: 'Succeeded' }, { deploymentId: 'd-1', status: 'Succeeded' }] });
  });

  test('is no finished run yet: neither a deployment nor a change until the stage ends (regression: a successful deployment, '
    + 'whatever the alarms then said)', async () => {
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    // exec-1 deployed, exec-2 failed; exec-3 still in the stage
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 1, changes: 2, failedChanges: 1, openFailures: 1 });
    expect(JSON.parse(r.stdout).environments[0].leadTimes.map((l: { executionId: string }) => l.executionId)).toEqual(['exec-1']);
  });

  test('history --env shows it InProgress, as the stage is (regression: Succeeded)', async () => {
    const r = await cli(['history', PIPELINE, '--env', 'prod', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { executionId: string; environmentResult: string }) => [e.executionId, e.environmentResult]))
      .toEqual([['exec-3', 'InProgress'], ['exec-2', 'Failed'], ['exec-1', 'Succeeded']]);
  });

  test('once the stage succeeded, it is a deployment', async () => {
    cp.on(GetPipelineStateCommand).resolves(prodStageState('Succeeded', {}, [
      { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(25) } },
      { actionName: 'Deploy', latestExecution: { status: 'Succeeded', lastStatusChange: minutesAgo(15) } },
    ]));
    const r = await cli(['metrics', PIPELINE, '--env', 'prod', '--json']);
    expect(JSON.parse(r.stdout).environments[0]).toMatchObject({ deployments: 2, changes: 3, failedChanges: 1, restores: 1, openFailures: 0 });
  });
});
