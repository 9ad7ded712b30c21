/**
 * End to end: the CLI runs as a child process (transpiled once, see transpiled-cli.ts) against the
 * loopback AWS endpoint, with fake credentials and AWS_ENDPOINT_URL.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { actionExecutions, COMMIT_1, COMMIT_3, executionOf, executions, PIPELINE, pipelineState, TOKEN } from './fixtures/pipeline';
import { NOW } from './helpers';
import { AwsError, LoopbackAws, paginate } from './loopback-server';
import { transpileCli } from './transpiled-cli';

const ROOT = path.resolve(__dirname, '..', '..');
let cli: { readonly dir: string; readonly main: string };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let server: LoopbackAws;
let home: string;

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
    AWS_MAX_ATTEMPTS: '4',
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DELIVERY_POLL_INTERVAL_MS: '20',
    NO_COLOR: '1',
    ...env,
  };
  const childEnv = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.main, ...args], { cwd: ROOT, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A copy of `value` whose dates are moved from the unit tests' NOW to the real clock (the child process uses it). */
function current<T>(value: T): T {
  const shift = Date.now() - NOW.getTime();
  const move = (v: unknown): unknown => {
    if (v instanceof Date) return new Date(v.getTime() + shift);
    if (Array.isArray(v)) return v.map(move);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, move(x)]));
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v)) return new Date(Date.parse(v) + shift).toISOString();
    return v;
  };
  return move(value) as T;
}

/** Runs the CLI and closes its stdout after the first bytes, like `| head -c 20`. */
function runClosingStdout(args: string[]): Promise<Run & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.main, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.once('data', (d: Buffer) => {
      stdout = d.toString().slice(0, 20);
      child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function known(name: string) {
  if (name !== PIPELINE) throw new AwsError('PipelineNotFoundException', `Account does not have a pipeline with name '${name}'`);
}

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-e2e-'));
  cli = transpileCli();
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  if (cli) fs.rmSync(cli.dir, { recursive: true, force: true });
});

beforeEach(async () => {
  server = new LoopbackAws({ maxRequests: 500 });
  let approved = false;
  let polls = 0;
  server
    .on('GetPipelineState', (input) => {
      known(input.name);
      if (!approved) return pipelineState();
      polls++;
      const s = pipelineState({ approval: false, prodStatus: polls >= 2 ? 'Succeeded' : 'InProgress' });
      s.stageStates![3].actionStates![1].latestExecution = { status: polls >= 2 ? 'Succeeded' : 'InProgress', percentComplete: polls >= 2 ? undefined : 50 };
      return s;
    })
    .on('GetPipelineExecution', (input) => {
      known(input.pipelineName);
      const execution = executionOf(input.pipelineExecutionId);
      if (!execution) throw new AwsError('PipelineExecutionNotFoundException', `Pipeline execution ${input.pipelineExecutionId} not found`);
      return { pipelineExecution: current(execution) };
    })
    .on('PutApprovalResult', (input) => {
      known(input.pipelineName);
      if (input.token !== TOKEN) throw new AwsError('InvalidApprovalTokenException', 'The token is not valid');
      if (approved) throw new AwsError('ApprovalAlreadyCompletedException', 'Already answered');
      approved = true;
      return { approvedAt: new Date() };
    })
    .on('ListPipelineExecutions', (input) => {
      known(input.pipelineName);
      const { page, nextToken } = paginate(current(executions), input, 1);
      return { pipelineExecutionSummaries: page, nextToken };
    })
    .on('ListActionExecutions', (input) => {
      known(input.pipelineName);
      const { page, nextToken } = paginate(current(actionExecutions), input, 4);
      return { actionExecutionDetails: page, nextToken };
    })
    .on('BatchGetDeployments', (input) => ({
      deploymentsInfo: input.deploymentIds.map((id: string) => (id === 'd-2'
        ? { deploymentId: id, status: 'Stopped', errorInformation: { code: 'ALARM_ACTIVE', message: 'alarm' } }
        : { deploymentId: id, status: 'Succeeded' })),
    }));
  await server.start();
});

afterEach(async () => {
  await server.stop();
});

describe('cdk-delivery as a process', () => {
  test('plan works offline', async () => {
    const r = await run(['plan', path.join(__dirname, 'fixtures', 'assembly')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pipeline shop-pipeline (ShopPipeline/Shop)');
    expect(r.stderr).toBe('');
    expect(server.count()).toBe(0);
  });

  test('plan into a pipe closed by its reader (| head -c 20) exits 0 without a stack trace', async () => {
    // 2,000 pipelines: megabytes of text, far more than a pipe buffer
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'assembly', 'manifest.json'), 'utf8'));
    const plan = Object.values(manifest.artifacts as Record<string, { metadata?: Record<string, { type: string; data: unknown }[]> }>)
      .flatMap((a) => Object.values(a.metadata ?? {}).flat())
      .find((e) => e.type === 'cdk-delivery-pipeline:plan')!;
    const dir = fs.mkdtempSync(path.join(home, 'big-'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '48.0.0',
      artifacts: { S: { type: 'aws:cloudformation:stack', metadata: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`/S/P${i}`, [plan]])) } },
    }));
    const r = await runClosingStdout(['plan', dir]);
    expect(r.stdout).toBe('Pipeline shop-pipeli');
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  test('diff works offline: an assembly against the plan file of another, a risk fails the run with --fail-on-risk', async () => {
    const assembly = path.join(__dirname, 'fixtures', 'assembly');
    const planned = await run(['plan', assembly, '--json']);
    expect(planned.code).toBe(0);
    const docs = JSON.parse(planned.stdout);
    // the same pipelines, without the checks of the first
    const file = path.join(fs.mkdtempSync(path.join(home, 'diff-')), 'plan.json');
    fs.writeFileSync(file, JSON.stringify([{ ...docs[0], checks: [] }, docs[1]]));
    const same = await run(['diff', assembly, assembly, '--fail-on-risk']);
    expect(same).toEqual({ code: 0, stdout: 'No change to the delivery process (2 pipelines compared).\n', stderr: '' });
    const r = await run(['diff', assembly, file, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`cdk-delivery: ${docs[0].checks.length} risky change${docs[0].checks.length === 1 ? '' : 's'} to the delivery process (--fail-on-risk)\n`);
    expect(r.stdout).toContain(`  ! check removed: ${docs[0].checks[0].name}: ${docs[0].checks[0].summary} — risk: a quality check is removed\n`);
    expect(r.stdout).toContain('Pipeline Prod/Billing/Pipeline: no change\n');
    expect(server.count()).toBe(0);
  });

  test('plan --out into a directory that does not exist: a one-line usage error (regression: "unexpected error: ENOENT", exit 1)', async () => {
    const out = path.join(os.tmpdir(), 'cdk-delivery-no-such-dir', 'plan.html');
    const r = await run(['plan', path.join(__dirname, 'fixtures', 'assembly'), '--format', 'html', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: --out: cannot write '${out}': its directory does not exist\n`);
    expect(r.stdout).toBe('');
  });

  test('status through AWS_ENDPOINT_URL: reads on while prod\'s deployed run is beyond the first page, then that execution\'s revision', async () => {
    const r = await run(['status', PIPELINE, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const prod = JSON.parse(r.stdout).environments.find((e: { name: string }) => e.name === 'prod');
    // exec-1 deployed prod; exec-2 failed there; exec-3 waits for its approval
    expect(prod.deployed).toMatchObject({ executionId: 'exec-1', revision: { id: COMMIT_1, message: 'First release' } });
    expect(prod.lastFailure).toMatchObject({ executionId: 'exec-2', message: 'Deploy: health check failed' });
    // the server pages action executions by 4 (the token, not the page's length, says more follow)
    // and pipeline executions by 1, so exec-1's revision comes from GetPipelineExecution
    // (the first three run in parallel, in any order)
    const operations = server.requests.map((q) => q.operation);
    expect(operations.slice(0, 3).sort()).toEqual(['GetPipelineState', 'ListActionExecutions', 'ListPipelineExecutions']);
    expect(operations.slice(3)).toEqual(['ListActionExecutions', 'ListActionExecutions', 'GetPipelineExecution']);
    // each page from where the previous one ended: none read twice
    expect(server.inputs('ListActionExecutions').map((i: { nextToken?: string }) => i.nextToken)).toEqual([undefined, '4', '8']);
    expect(server.inputs('GetPipelineExecution')).toEqual([{ pipelineName: PIPELINE, pipelineExecutionId: 'exec-1' }]);
  });

  test('approve --revision --wait answers with the token and follows the stage to success', async () => {
    const r = await run(['approve', PIPELINE, '--env', 'prod', '--revision', '3f2a', '--comment', 'ship it', '--wait']);
    expect(r.code).toBe(0);
    expect(server.inputs('PutApprovalResult')).toEqual([{
      pipelineName: PIPELINE, stageName: 'prod', actionName: 'Approve', token: TOKEN, result: { status: 'Approved', summary: 'ship it' },
    }]);
    expect(r.stdout).toContain('approved 3f2a9c1 "Add gift cards" (execution exec-3)');
    expect(r.stderr).toContain('prod: InProgress — Approve Succeeded, Deploy InProgress 50%');
    expect(r.stderr).toContain('prod succeeded');
  });

  test('approve refuses another revision and a non-interactive run without --yes', async () => {
    const wrong = await run(['approve', PIPELINE, '--env', 'prod', '--revision', 'beef00', '--yes']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain(`is for revision ${COMMIT_3} (execution exec-3), not beef00`);
    const unconfirmed = await run(['approve', PIPELINE, '--env', 'prod']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('stdin is not a terminal');
    expect(server.count('PutApprovalResult')).toBe(0);
  });

  test('an approval answered twice exits 7', async () => {
    expect((await run(['approve', PIPELINE, '--env', 'prod', '--yes'])).code).toBe(0);
    server.on('GetPipelineState', () => pipelineState());
    const again = await run(['reject', PIPELINE, '--env', 'prod', '--yes']);
    expect(again.code).toBe(7);
    expect(again.stderr.trim()).toBe(`cdk-delivery: the approval was already answered (pipeline '${PIPELINE}', environment 'prod'); run 'cdk-delivery status' to see the current state`);
  });

  test('freeze, status and unfreeze: the transition\'s state read back through the wire', async () => {
    let transition: { enabled: boolean; disabledReason?: string; lastChangedBy?: string; lastChangedAt?: Date } = { enabled: true };
    server
      .on('GetPipelineState', (input) => {
        known(input.name);
        const s = pipelineState();
        s.stageStates![3].inboundTransitionState = transition;
        return s;
      })
      .on('DisableStageTransition', (input) => {
        known(input.pipelineName);
        transition = { enabled: false, disabledReason: input.reason, lastChangedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice', lastChangedAt: new Date() };
        return {};
      })
      .on('EnableStageTransition', (input) => {
        known(input.pipelineName);
        transition = { enabled: true, lastChangedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice', lastChangedAt: new Date() };
        return {};
      });
    const freeze = await run(['freeze', PIPELINE, '--env', 'prod', '--reason', 'Change freeze (CAB-1234)']);
    expect(freeze.code).toBe(0);
    expect(server.inputs('DisableStageTransition')).toEqual([{ pipelineName: PIPELINE, stageName: 'prod', transitionType: 'Inbound', reason: 'Change freeze (CAB-1234)' }]);
    const again = await run(['freeze', PIPELINE, '--env', 'prod', '--reason', 'Change freeze (CAB-1234)']);
    expect(again.stdout).toContain('is already frozen: "Change freeze (CAB-1234)" by alice');
    expect(server.count('DisableStageTransition')).toBe(1);
    const status = await run(['status', PIPELINE, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).environments[3].inboundTransition).toMatchObject({ enabled: false, disabledReason: 'Change freeze (CAB-1234)' });
    const unfreeze = await run(['unfreeze', PIPELINE, '--env', 'prod']);
    expect(unfreeze.code).toBe(0);
    expect(server.inputs('EnableStageTransition')).toEqual([{ pipelineName: PIPELINE, stageName: 'prod', transitionType: 'Inbound' }]);
  });

  test('start --revision --wait: GetPipeline gives the source kind, the execution is followed to its end', async () => {
    const started = '5e1f0c2a-7b3d-4e8f-9a6b-0c1d2e3f4a5b';
    let polls = 0;
    server
      .on('GetPipeline', (input) => {
        known(input.name);
        return {
          pipeline: {
            name: PIPELINE,
            roleArn: 'arn:aws:iam::111111111111:role/p',
            pipelineType: 'V2',
            stages: [{ name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' } }] }],
          },
        };
      })
      .on('StartPipelineExecution', (input) => {
        known(input.name);
        return { pipelineExecutionId: started };
      })
      .on('GetPipelineExecution', (input) => {
        known(input.pipelineName);
        polls++;
        return { pipelineExecution: { pipelineExecutionId: input.pipelineExecutionId, status: polls >= 2 ? 'Succeeded' : 'InProgress' } };
      });
    // a 5xx answer is retried with the same idempotency token (the SDK fills clientRequestToken), so it starts one execution
    server.failNext('StartPipelineExecution', { status: 500 });
    const r = await run(['start', PIPELINE, '--revision', COMMIT_1, '--wait']);
    expect(r.code).toBe(0);
    const inputs = server.inputs('StartPipelineExecution');
    expect(inputs).toEqual([1, 2].map(() => ({
      name: PIPELINE,
      clientRequestToken: inputs[0].clientRequestToken,
      sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: COMMIT_1 }],
    })));
    expect(inputs[0].clientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.stdout).toBe(`started execution ${started} of '${PIPELINE}' at ${COMMIT_1} (COMMIT_ID)\n`);
    expect(r.stderr).toBe(`execution ${started}: InProgress\nexecution ${started} succeeded\n`);
  });

  test('stop: the execution in progress is stopped; a second stop is exit 7', async () => {
    let stopping = false;
    server.on('StopPipelineExecution', (input) => {
      known(input.pipelineName);
      if (stopping) throw new AwsError('DuplicatedStopRequestException', 'The pipeline execution is already in a Stopping state');
      stopping = true;
      return { pipelineExecutionId: input.pipelineExecutionId };
    });
    const r = await run(['stop', PIPELINE, '--yes', '--reason', 'bad release']);
    expect(r.code).toBe(0);
    expect(server.inputs('StopPipelineExecution')).toEqual([{ pipelineName: PIPELINE, pipelineExecutionId: 'exec-3', abandon: false, reason: 'bad release' }]);
    const again = await run(['stop', PIPELINE, '--yes', '--execution', 'exec-3']);
    expect(again.code).toBe(7);
    expect(again.stderr).toMatch(/^cdk-delivery: execution exec-3 of 'shop-pipeline' is already being stopped/);
  });

  test('history follows every nextToken and survives a 500 and a throttle', async () => {
    server.failNext('ListPipelineExecutions', { status: 500 }, { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' });
    const r = await run(['history', PIPELINE, '--since', '7d', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { executionId: string }) => e.executionId)).toEqual(['exec-3', 'exec-2', 'exec-1']);
    // 3 pages + 2 retried failures; 14 action executions in pages of 4
    expect(server.count('ListPipelineExecutions')).toBe(5);
    expect(server.inputs('ListPipelineExecutions').map((i) => i.nextToken)).toEqual([undefined, undefined, undefined, '1', '2']);
    expect(server.inputs('ListActionExecutions').map((i) => i.nextToken)).toEqual([undefined, '4', '8', '12']);
  });

  test('still throttled after AWS_MAX_ATTEMPTS exits 5 with one line', async () => {
    server.failAlways('GetPipelineState', { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' });
    const r = await run(['approve', PIPELINE, '--env', 'prod', '--yes'], { AWS_MAX_ATTEMPTS: '2' });
    expect(r.code).toBe(5);
    expect(server.count('GetPipelineState')).toBe(2);
    expect(r.stderr.trim()).toBe('cdk-delivery: throttled: codepipeline:GetPipelineState was still throttled after 2 attempts; try again later or raise AWS_MAX_ATTEMPTS');
  });

  test('a persistent 5xx exits 5', async () => {
    server.failAlways('ListPipelineExecutions', { status: 503, type: 'ServiceUnavailableException' });
    const r = await run(['history', PIPELINE], { AWS_MAX_ATTEMPTS: '2' });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('failed with HTTP 503 after 2 attempts');
  });

  test('access denied exits 4 naming the IAM permission', async () => {
    server.failAlways('GetPipelineState', { status: 400, type: 'AccessDeniedException', message: 'User: arn:aws:iam::1:user/u is not authorized' });
    const r = await run(['retry', PIPELINE, '--env', 'staging', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe(`cdk-delivery: access denied: GetPipelineState needs the IAM permission codepipeline:GetPipelineState (pipeline '${PIPELINE}')`);
  });

  test('an unknown pipeline exits 3', async () => {
    const r = await run(['history', 'no-such-pipeline']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cdk-delivery: pipeline 'no-such-pipeline' not found/);
  });

  test('metrics writes a self-contained HTML report', async () => {
    const out = path.join(home, 'dora.html');
    const r = await run(['metrics', PIPELINE, '--since', '7d', '--format', 'html', '--out', out]);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(server.count('BatchGetDeployments')).toBeGreaterThanOrEqual(1);
  });

  test('no credentials exits 6', async () => {
    const r = await run(['status', PIPELINE], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(r.code).toBe(6);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no AWS credentials');
    expect(server.count()).toBe(0);
  });

  describe('profiles', () => {
    let aws: string;
    beforeAll(() => {
      aws = fs.mkdtempSync(path.join(home, 'aws-'));
      fs.writeFileSync(path.join(aws, 'config'), '[default]\nregion = eu-west-1\n\n[profile ops]\nregion = eu-west-1\n');
      fs.writeFileSync(path.join(aws, 'credentials'), '[ops]\naws_access_key_id = ops-key\naws_secret_access_key = ops-secret\n');
    });
    const files = () => ({ AWS_CONFIG_FILE: path.join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(aws, 'credentials') });
    const notFound = (via: string) => `cdk-delivery: AWS profile 'nope' (${via}) not found in ${path.join(aws, 'config')} or ${path.join(aws, 'credentials')}; `
      + 'profiles there: default, ops; check --profile and AWS_PROFILE\n';

    test('--profile naming a profile that does not exist exits 6 saying so (regression: "no AWS credentials")', async () => {
      const r = await run(['--profile', 'nope', 'status', PIPELINE], { ...files(), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
      expect(r.code).toBe(6);
      expect(r.stderr).toBe(notFound('--profile'));
      expect(server.count()).toBe(0);
    });

    test('AWS_PROFILE naming a profile that does not exist exits 6 saying so, even without a region', async () => {
      const r = await run(['status', PIPELINE], { ...files(), AWS_PROFILE: 'nope', AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
      expect(r.code).toBe(6);
      expect(r.stderr).toBe(notFound('AWS_PROFILE'));
      expect(server.count()).toBe(0);
    });

    test('a role profile whose AssumeRole STS refuses exits 6 saying the credentials could not be obtained, with STS\'s message naming the role '
      + '(regression: "access denied: ListPipelineExecutions needs the IAM permission", exit 4)', async () => {
      const denied = 'User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: '
        + 'arn:aws:iam::111111111111:role/ReleaseManager';
      server.failAlways('AssumeRole', { status: 403, type: 'AccessDenied', message: denied });
      const roles = fs.mkdtempSync(path.join(home, 'aws-'));
      fs.writeFileSync(path.join(roles, 'config'), '[profile ops]\nregion = eu-west-1\n\n'
        + '[profile release]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/ReleaseManager\nsource_profile = ops\n');
      fs.copyFileSync(path.join(aws, 'credentials'), path.join(roles, 'credentials'));
      const r = await run(['--profile', 'release', 'status', PIPELINE], {
        AWS_CONFIG_FILE: path.join(roles, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(roles, 'credentials'), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined,
      });
      expect(r.stderr).toBe('cdk-delivery: could not obtain AWS credentials for profile \'release\': the credential provider\'s request was refused '
        + `(AccessDenied): ${denied}; check the role the profile assumes (role_arn) and its trust policy, and the source credentials `
        + '(source_profile, web identity token, SSO session); renew them if they expired (for SSO: aws sso login)\n');
      expect(r.code).toBe(6);
      // STS was asked, with the source profile's keys; CodePipeline never was
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.every((q) => q.service === 'sts' && q.operation === 'AssumeRole')).toBe(true);
      expect(server.inputs('AssumeRole')[0]).toMatchObject({ RoleArn: 'arn:aws:iam::111111111111:role/ReleaseManager' });
    });

    test('AWS_PROFILE and access keys both set: one warning line instead of the SDK\'s multi-line warning; the profile is used', async () => {
      const r = await run(['status', PIPELINE], { ...files(), AWS_PROFILE: 'ops' });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('cdk-delivery: warning: both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set; '
        + 'the profile is used (set only one of them)\n');
      expect(r.stdout).toContain('3f2a9c1 "Add gift cards"');
      expect(new Set(server.requests.map((q) => q.operation))).toEqual(new Set(['GetPipelineState', 'ListActionExecutions', 'ListPipelineExecutions', 'GetPipelineExecution']));
      expect(new Set(server.requests.map((q) => q.accessKeyId))).toEqual(new Set(['ops-key']));
    });
  });

  test('no region exits 6', async () => {
    const r = await run(['status', PIPELINE], { AWS_REGION: undefined });
    expect(r.code).toBe(6);
    expect(r.stderr.trim()).toBe('cdk-delivery: no AWS region: pass --region, set AWS_REGION, or set a region in your profile');
  });

  describe('empty AWS settings (AWS_REGION= in CI, when the variable it copies is unset)', () => {
    let aws: string;
    beforeAll(() => {
      aws = fs.mkdtempSync(path.join(home, 'aws-'));
      fs.writeFileSync(path.join(aws, 'config'), '[profile ops]\nregion = ap-south-1\n');
      fs.writeFileSync(path.join(aws, 'credentials'), '[ops]\naws_access_key_id = ops-key\naws_secret_access_key = ops-secret\n');
    });
    const files = () => ({ AWS_CONFIG_FILE: path.join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(aws, 'credentials') });

    test('an empty AWS_REGION, AWS_DEFAULT_REGION and empty access keys are unset: --profile\'s region and keys are used '
      + '(regression: exit 1, "Region not accepted: region=\\"\\"")', async () => {
      const r = await run(['--profile', 'ops', 'status', PIPELINE, '--json'], {
        ...files(), AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: ' ',
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).pipeline).toBe(PIPELINE);
      expect(server.requests.length).toBeGreaterThan(0);
      expect(new Set(server.requests.map((q) => `${q.accessKeyId} ${q.region}`))).toEqual(new Set(['ops-key ap-south-1']));
    });

    test('an empty AWS_REGION and no other region: exit 6, no AWS region, no call', async () => {
      const r = await run(['status', PIPELINE], { AWS_REGION: '', AWS_DEFAULT_REGION: '' });
      expect(r.stderr).toBe('cdk-delivery: no AWS region: pass --region, set AWS_REGION, or set a region in your profile\n');
      expect(r.code).toBe(6);
      expect(server.count()).toBe(0);
    });

    test('a region that is no region name (--region "eu west 1"): exit 6 naming it (regression: exit 1 with the SDK\'s words)', async () => {
      const r = await run(['--region', 'eu west 1', 'status', PIPELINE]);
      expect(r.stderr).toBe("cdk-delivery: AWS region not accepted: 'eu west 1' is not a region name (such as eu-west-1); "
        + 'check --region, AWS_REGION and the region of your profile\n');
      expect(r.code).toBe(6);
      expect(server.count()).toBe(0);
    });
  });

  test('--version prints the version of the package and exits 0 (regression: unknown option, exit 2)', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
      expect(r.stderr).toBe('');
    }
    expect(server.count()).toBe(0);
  });

  test('unknown flags exit 2 with the cdk-delivery: prefix of every other error (regression: commander\'s "error: ")', async () => {
    const r = await run(['status', PIPELINE, '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: unknown option '--colour'\n");
    expect(r.stdout).toBe('');
  });

});
