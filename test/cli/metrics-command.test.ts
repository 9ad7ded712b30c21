import { BatchGetDeploymentsCommand, CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient, ListActionExecutionsCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { actionExecutions, executions, PIPELINE } from './fixtures/pipeline';
import { awsError, cli } from './helpers';

const cp = mockClient(CodePipelineClient);
const cd = mockClient(CodeDeployClient);

beforeEach(() => {
  cp.reset();
  cd.reset();
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
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(r.stderr).toContain('wrote dora.html');
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

  test('exit 4 naming codedeploy:BatchGetDeployments when CodeDeploy access is denied', async () => {
    cd.on(BatchGetDeploymentsCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const r = await cli(['metrics', PIPELINE]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('codedeploy:BatchGetDeployments');
  });
});
