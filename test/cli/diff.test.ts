import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { cli } from './helpers';
import { ShopCdkPipelinesStack } from '../../examples/migration/before-cdk-pipelines';
import {
  Approval, DeliveryPipelineProps, DeploymentTarget, DeploymentWindow, EnvironmentOptions, PipelineEvent, QualityCheck, ReleaseMode, Verification,
} from '../../src';
import { loadPlans } from '../../src/cli/commands/plan';
import { diffPlans, PlanChange, RISK_RULES } from '../../src/cli/plan-diff';
import { PlanDocument } from '../../src/model/plan-document';
import { pipelineIn } from '../util';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** What differs between the apps synthesized below. */
interface Shape {
  readonly mode?: ReleaseMode;
  /** prod's manual approval (default: configured). */
  readonly approval?: boolean;
  /** prod's alarms bake time, minutes (default 30). */
  readonly bake?: number;
  /** An environment `qa` between staging and prod. */
  readonly qa?: boolean;
  /** A second pipeline, Pipeline/Billing. */
  readonly billing?: boolean;
  /** The construct id of the pipeline shop-delivery (default `Shop`). */
  readonly shopId?: string;
  /** The construct id of the pipeline stack (default `Pipeline`; its stack name stays `Pipeline`). */
  readonly stackId?: string;
  /** The pipeline stack's name (default `Pipeline`; null: none given, the construct id). */
  readonly stackName?: string | null;
  /** Its pipeline name (default `shop-delivery`; null: generated). */
  readonly shopName?: string | null;
  /** Its pipeline name from the CfnParameter of this id instead (a token, set at deploy time). */
  readonly shopNameParameter?: string;
  /** The construct id and pipeline name of the second pipeline (default `Billing`, generated). */
  readonly billingId?: string;
  readonly billingName?: string;
  /** prod's Verification.alarms, instead of the one of `bake`: the alarms (errors, throttles) and bake time of each. */
  readonly bakeGates?: ReadonlyArray<{ readonly alarms: ReadonlyArray<'errors' | 'throttles'>; readonly bake: number }>;
}

/** Synthesizes a real app with the DeliveryPipeline Pipeline/Shop (shop-delivery) into a temp dir. */
function synth(shape: Shape = {}): string {
  const outdir = tempDir('diff-');
  const app = new App({ outdir });
  const stack = new Stack(app, shape.stackId ?? 'Pipeline', {
    ...(shape.stackName === null ? {} : { stackName: shape.stackName ?? 'Pipeline' }), env: { account: '111111111111', region: 'eu-west-1' },
  });
  const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors', period: Duration.minutes(1) });
  const alarm = new cloudwatch.Alarm(stack, 'Errors', { alarmName: 'shop-prod-errors', metric, threshold: 1, evaluationPeriods: 1 });
  const throttles = cloudwatch.Alarm.fromAlarmArn(stack, 'Throttles', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-throttles');
  const alarms = { errors: alarm, throttles };
  const bakeGates = shape.bakeGates?.map((g) => Verification.alarms(g.alarms.map((n) => alarms[n]), { bakeTime: Duration.minutes(g.bake) }))
    ?? [Verification.alarms([alarm], { bakeTime: Duration.minutes(shape.bake ?? 30) })];
  const topic = new sns.Topic(stack, 'Events', { enforceSSL: true });
  const deploy = (name: string) => DeploymentTarget.commands(`Deploy-${name}`, [`./deploy.sh ${name}`]);
  const environments: EnvironmentOptions[] = [
    { name: 'staging', deployments: [deploy('staging')], verification: [Verification.commands('Smoke', ['./smoke.sh'])] },
    ...(shape.qa ? [{ name: 'qa', deployments: [deploy('qa')] }] : []),
    {
      name: 'prod',
      production: true,
      deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * MON-THU', 'Europe/Paris'),
      ...(shape.approval === false ? {} : { approval: Approval.manual() }),
      deployments: [deploy('prod')],
      verification: [Verification.commands('Smoke', ['./smoke.sh']), ...bakeGates],
    },
  ];
  const props: Partial<DeliveryPipelineProps> = {
    ...(shape.shopNameParameter ? { pipelineName: new CfnParameter(stack, shape.shopNameParameter).valueAsString }
      : shape.shopName === null ? {} : { pipelineName: shape.shopName ?? 'shop-delivery' }),
    releaseMode: shape.mode ?? ReleaseMode.CONTINUOUS_DELIVERY,
    checks: [QualityCheck.dependencyAudit()],
    notifications: { topic, events: [PipelineEvent.FAILED] },
    environments,
  };
  pipelineIn(stack, props, shape.shopId);
  if (shape.billing) {
    pipelineIn(stack, {
      ...(shape.billingName ? { pipelineName: shape.billingName } : {}),
      environments: [{ name: 'staging', deployments: [deploy('billing')] }],
    }, shape.billingId ?? 'Billing');
  }
  app.synth();
  return outdir;
}

/** Synthesizes an app with a stack and no DeliveryPipeline (the main branch before the pipeline is added). */
function synthWithoutPipeline(): string {
  const outdir = tempDir('diff-nopipeline-');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
  new sns.Topic(stack, 'Events', { enforceSSL: true });
  app.synth();
  return outdir;
}

/** A JSON copy of a plan document, to change. */
function copy(plan: PlanDocument): any {
  return JSON.parse(JSON.stringify(plan));
}

/** Only what a reader needs of each change: path, kind, risk rule. */
function brief(changes: PlanChange[]): string[] {
  return changes.map((c) => `${c.kind} ${c.path}${c.risk ? ` [${c.riskRule}]` : ''}`);
}

let base: string;
let same: string;
/** Continuous deployment: no approval, a 5-minute bake time, an environment qa before prod. */
let deployment: string;
let plan: PlanDocument;

beforeAll(() => {
  base = synth();
  same = synth();
  deployment = synth({ mode: ReleaseMode.CONTINUOUS_DEPLOYMENT, approval: false, bake: 5, qa: true });
  [plan] = loadPlans(base);
});

const RELEASE_MODE_RISK = `risk: ${RISK_RULES['release-mode-less-human-control']}`;
const APPROVAL_RISK = `risk: ${RISK_RULES['production-approval-removed']}`;
const BAKE_RISK = `risk: ${RISK_RULES['production-bake-time-shortened']}`;
const REPLACED_RISK = `risk: ${RISK_RULES['pipeline-replaced']}`;
/** What a new construct id with the same pipeline name does. */
const NAME_TAKEN = '; its construct id changes, and with it its logical id: CloudFormation would create a new pipeline named shop-delivery while the old '
  + 'one still holds that name, and the deployment fails. Keep the construct id (or the logical id, with overrideLogicalId)';
/** What a new construct id with a generated pipeline name does. */
const REPLACED = '; its construct id changes, and with it its logical id: CloudFormation creates a new pipeline and deletes the old one. '
  + 'Keep the construct id (or the logical id, with overrideLogicalId) to keep the pipeline';

describe('diff of two synthesized assemblies', () => {
  test('nothing changed: one line, exit 0 (with --fail-on-risk too)', async () => {
    const r = await cli(['diff', base, same, '--fail-on-risk']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No change to the delivery process (1 pipeline compared).\n');
    expect(r.stderr).toBe('');
    const json = await cli(['diff', base, same, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({
      pipelines: [{ constructPath: 'Pipeline/Shop', pipelineName: 'shop-delivery', status: 'unchanged', changes: [] }],
      changes: 0,
      risky: 0,
    });
  });

  test('approval removed, release mode to continuous deployment, bake time shortened, environment added: the lines, grouped, risks marked', async () => {
    const r = await cli(['diff', base, deployment]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 4 changes, 3 risky',
      `  ! release mode: continuous delivery → continuous deployment — ${RELEASE_MODE_RISK}`,
      '  environment qa:',
      '      environment added (before prod): deploys Deploy-qa; gates: none; verification: none',
      '  environment prod:',
      `    ! gate removed: manual approval before deploying to prod — ${APPROVAL_RISK}`,
      `    ! bake time of the alarms watched after deploying: 30 min → 5 min — ${BAKE_RISK}`,
      '',
      '4 changes; 3 risky (marked !).',
      '',
    ]);
  });

  test('--fail-on-risk: the same output, one line on stderr, exit 1', async () => {
    const r = await cli(['diff', base, deployment, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cdk-delivery: 3 risky changes to the delivery process (--fail-on-risk)\n');
    expect(r.stdout).toBe((await cli(['diff', base, deployment])).stdout);
  });

  test('the other way round: an approval and a longer bake time are added, not risks; removing qa, before prod, is one', async () => {
    const r = await cli(['diff', deployment, base, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cdk-delivery: 1 risky change to the delivery process (--fail-on-risk)\n');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 4 changes, 1 risky',
      '    release mode: continuous deployment → continuous delivery',
      '  environment qa:',
      `    ! environment removed: deploys Deploy-qa; gates: none; verification: none — risk: ${RISK_RULES['fewer-environments-before-production']}`,
      '  environment prod:',
      '      gate added: manual approval before deploying to prod',
      '      bake time of the alarms watched after deploying: 5 min → 30 min',
      '',
      '4 changes; 1 risky (marked !).',
      '',
    ]);
  });

  test('json: one entry per change with path, kind, before, after, description and risk', async () => {
    const r = await cli(['diff', base, deployment, '--json', '--fail-on-risk']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ changes: 4, risky: 3 });
    expect(json.pipelines).toHaveLength(1);
    expect(json.pipelines[0]).toMatchObject({ constructPath: 'Pipeline/Shop', pipelineName: 'shop-delivery', status: 'changed' });
    const [mode, qa, approval, bake] = json.pipelines[0].changes;
    expect(mode).toEqual({
      path: 'releaseMode',
      kind: 'changed',
      before: 'CONTINUOUS_DELIVERY',
      after: 'CONTINUOUS_DEPLOYMENT',
      description: 'release mode: continuous delivery → continuous deployment',
      risk: true,
      riskRule: 'release-mode-less-human-control',
    });
    expect(qa).toMatchObject({ path: 'environments.qa', kind: 'added', environment: 'qa', risk: false, after: { name: 'qa', production: false } });
    expect(qa.before).toBeUndefined();
    expect(approval).toEqual({
      path: 'environments.prod.gates.manual-approval',
      kind: 'removed',
      environment: 'prod',
      before: { kind: 'manual-approval', summary: 'manual approval before deploying to prod', addedByDefault: false },
      description: 'gate removed: manual approval before deploying to prod',
      risk: true,
      riskRule: 'production-approval-removed',
    });
    expect(bake).toEqual({
      path: 'environments.prod.gates.bake-alarms.bakeMinutes',
      kind: 'changed',
      environment: 'prod',
      before: 30,
      after: 5,
      description: 'bake time of the alarms watched after deploying: 30 min → 5 min',
      risk: true,
      riskRule: 'production-bake-time-shortened',
    });
  });

  test('a file written by plan --format json on either side reads like the assembly it came from', async () => {
    const planned = await cli(['plan', base, '--format', 'json']);
    expect(planned.code).toBe(0);
    const file = path.join(tempDir('diff-file-'), 'plan-main.json');
    fs.writeFileSync(file, planned.stdout);
    const unchanged = await cli(['diff', file, same]);
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toBe('No change to the delivery process (1 pipeline compared).\n');
    expect((await cli(['diff', file, deployment])).stdout).toBe((await cli(['diff', base, deployment])).stdout);
    expect((await cli(['diff', deployment, file, '--json'])).stdout).toBe((await cli(['diff', deployment, base, '--json'])).stdout);
  });

  test('pipelines are matched by construct path: one only in after is added, one only in before removed', async () => {
    const two = synth({ billing: true });
    const added = await cli(['diff', base, two, '--fail-on-risk']);
    expect(added.code).toBe(0);
    expect(added.stderr).toBe('');
    expect(added.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): no change',
      'Pipeline Pipeline/Billing: added',
      '',
      '0 changes, 1 pipeline added; none risky.',
      '',
    ]);
    const removed = await cli(['diff', two, base, '--json']);
    expect(JSON.parse(removed.stdout).pipelines).toEqual([
      { constructPath: 'Pipeline/Shop', pipelineName: 'shop-delivery', status: 'unchanged', changes: [] },
      { constructPath: 'Pipeline/Billing', status: 'removed', changes: [] },
    ]);
    expect((await cli(['diff', two, base])).stdout).toContain('Pipeline Pipeline/Billing: removed\n\n0 changes, 1 pipeline removed; none risky.\n');
  });

  test('an alarm moved to a gate of its own with a shorter bake time is a shorter bake time (regression: only paired gates were compared)', async () => {
    const together = synth({ bakeGates: [{ alarms: ['errors', 'throttles'], bake: 30 }] });
    const split = synth({ bakeGates: [{ alarms: ['errors'], bake: 30 }, { alarms: ['throttles'], bake: 5 }] });
    const r = await cli(['diff', together, split, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cdk-delivery: 1 risky change to the delivery process (--fail-on-risk)\n');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 4 changes, 1 risky',
      '  environment prod:',
      '      alarms watched after deploying: after deploying, alarms watched for 30 min: shop-prod-errors, shop-prod-throttles; in ALARM → roll back'
        + ' → after deploying, alarms watched for 30 min: shop-prod-errors; in ALARM → roll back',
      '      alarms watched after deploying: alarms shop-prod-errors, shop-prod-throttles → shop-prod-errors',
      '      gate added: after deploying, alarms watched for 5 min: shop-prod-throttles; in ALARM → roll back',
      `    ! bake time of alarm shop-prod-throttles, watched after deploying: 30 min → 5 min — ${BAKE_RISK}`,
      '',
      '4 changes; 1 risky (marked !).',
      '',
    ]);
    const json = JSON.parse((await cli(['diff', together, split, '--json'])).stdout);
    expect(json.pipelines[0].changes[3]).toEqual({
      path: 'environments.prod.gates.bake-alarms#2.alarms.shop-prod-throttles',
      kind: 'changed',
      environment: 'prod',
      before: 30,
      after: 5,
      description: 'bake time of alarm shop-prod-throttles, watched after deploying: 30 min → 5 min',
      risk: true,
      riskRule: 'production-bake-time-shortened',
    });
    // the same bake time in both gates, or the way back, shortens nothing
    const sameBake = synth({ bakeGates: [{ alarms: ['errors'], bake: 30 }, { alarms: ['throttles'], bake: 30 }] });
    expect(JSON.parse((await cli(['diff', together, sameBake, '--json'])).stdout)).toMatchObject({ changes: 3, risky: 0 });
    // the way back lengthens it; the gate removed loses no alarm: the other gate watches it
    const back = await cli(['diff', split, together, '--fail-on-risk']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('      gate removed: after deploying, alarms watched for 5 min: shop-prod-throttles; in ALARM → roll back\n');
    expect(back.stdout).toContain('\n3 changes; none risky.\n');
  });

  test('a production approval swapped for a change-set review, or back, is no risk: a person still decides (regression: production-approval-removed)', async () => {
    /** Continuous delivery, prod deploying a CDK stage: approved by a manual approval, or by a change-set review. */
    const cdkApp = (changeSetReview: boolean) => {
      const outdir = tempDir('diff-review-');
      const app = new App({ outdir });
      const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
      const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
      new ssm.StringParameter(new Stack(prod, 'Api', { stackName: 'shop-api-prod' }), 'Setting', { stringValue: 'x' });
      pipelineIn(stack, {
        pipelineName: 'shop-delivery',
        releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
        environments: [{
          name: 'prod',
          production: true,
          deployments: [DeploymentTarget.cdkStage(prod, changeSetReview ? { changeSetReview: true } : {})],
          verification: [Verification.commands('Smoke', ['./smoke.sh'])],
        }],
      });
      app.synth();
      return outdir;
    };
    const approved = cdkApp(false);
    const reviewed = cdkApp(true);
    const r = await cli(['diff', approved, reviewed, '--fail-on-risk']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 2 changes',
      '  environment prod:',
      '      gate removed: manual approval before deploying to prod — added by default (continuous delivery)',
      '      gate added: manual review of the CloudFormation change sets before they execute',
      '',
      '2 changes; none risky.',
      '',
    ]);
    const back = await cli(['diff', reviewed, approved, '--fail-on-risk']);
    expect(back.code).toBe(0);
    expect(back.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 2 changes',
      '  environment prod:',
      '      gate removed: manual review of the CloudFormation change sets before they execute',
      '      gate added: manual approval before deploying to prod — added by default (continuous delivery)',
      '',
      '2 changes; none risky.',
      '',
    ]);
  });

  test('colours only on a terminal without NO_COLOR: risks in red', async () => {
    const tty = await cli(['diff', base, deployment], { stdoutIsTTY: true });
    expect(tty.stdout).toContain(`\x1b[31m  ! release mode: continuous delivery → continuous deployment — ${RELEASE_MODE_RISK}\x1b[39m`);
    const noColor = await cli(['diff', base, deployment], { stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\x1b[');
    expect(noColor.stdout).toBe((await cli(['diff', base, deployment])).stdout);
  });
});

describe('diff: a pipeline renamed or moved (a new construct path) is compared with the one it replaces', () => {
  test('paired by pipeline name: the same risks as in place, the rename said, --fail-on-risk exits 1', async () => {
    // the pipeline moves into a construct of its own, keeps its name, loses prod's approval
    const moved = synth({ shopId: 'Delivery', mode: ReleaseMode.CONTINUOUS_DEPLOYMENT, approval: false, bake: 5, qa: true, billing: true });
    const before = synth({ billing: true });
    const r = await cli(['diff', before, moved, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cdk-delivery: 4 risky changes to the delivery process (--fail-on-risk)\n');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Delivery): 5 changes, 4 risky',
      `  ! treated as a rename: Pipeline/Shop → Pipeline/Delivery (same pipeline name shop-delivery)${NAME_TAKEN} — ${REPLACED_RISK}`,
      `  ! release mode: continuous delivery → continuous deployment — ${RELEASE_MODE_RISK}`,
      '  environment qa:',
      '      environment added (before prod): deploys Deploy-qa; gates: none; verification: none',
      '  environment prod:',
      `    ! gate removed: manual approval before deploying to prod — ${APPROVAL_RISK}`,
      `    ! bake time of the alarms watched after deploying: 30 min → 5 min — ${BAKE_RISK}`,
      'Pipeline Pipeline/Billing: no change',
      '',
      '5 changes, 1 pipeline renamed; 4 risky (marked !).',
      '',
    ]);
    const json = JSON.parse((await cli(['diff', before, moved, '--json'])).stdout);
    expect(json).toMatchObject({ changes: 5, risky: 4 });
    expect(json.pipelines.map((p: any) => `${p.constructPath} ${p.status}`)).toEqual(['Pipeline/Delivery changed', 'Pipeline/Billing unchanged']);
    expect(json.pipelines[0].renamedFrom).toEqual({ constructPath: 'Pipeline/Shop', pairedBy: 'pipelineName' });
    expect(json.pipelines[0].changes[0]).toEqual({
      path: 'constructPath',
      kind: 'changed',
      before: 'Pipeline/Shop',
      after: 'Pipeline/Delivery',
      description: `treated as a rename: Pipeline/Shop → Pipeline/Delivery (same pipeline name shop-delivery)${NAME_TAKEN}`,
      risk: true,
      riskRule: 'pipeline-replaced',
    });
    expect(brief(json.pipelines[0].changes).slice(1)).toEqual([
      'changed releaseMode [release-mode-less-human-control]',
      'added environments.qa',
      'removed environments.prod.gates.manual-approval [production-approval-removed]',
      'changed environments.prod.gates.bake-alarms.bakeMinutes [production-bake-time-shortened]',
    ]);
    expect(json.pipelines[1].renamedFrom).toBeUndefined();
    // a file written by plan --format json pairs by name too
    const file = path.join(tempDir('diff-file-'), 'plan-main.json');
    fs.writeFileSync(file, (await cli(['plan', before, '--format', 'json'])).stdout);
    expect((await cli(['diff', file, moved])).stdout).toBe(r.stdout);
  });

  test('a rename that keeps the logical id (the stack\'s construct id alone, same stack name): one change, no risk, exit 0', async () => {
    const r = await cli(['diff', base, synth({ stackId: 'Infra' }), '--fail-on-risk']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Infra/Shop): 1 change',
      '    treated as a rename: Pipeline/Shop → Infra/Shop (same pipeline name shop-delivery)',
      '',
      '1 change, 1 pipeline renamed; none risky.',
      '',
    ]);
  });

  test('a new stack name (the stack\'s construct id renamed, no stackName given) is a risk: a new stack, whose pipeline cannot take the name '
    + 'the old stack\'s still holds (regression: "no risk")', async () => {
    const before = synth({ stackName: null });
    const r = await cli(['diff', before, synth({ stackId: 'Infra', stackName: null }), '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Infra/Shop): 2 changes, 1 risky',
      '    treated as a rename: Pipeline/Shop → Infra/Shop (same pipeline name shop-delivery)',
      '  ! pipeline stack: Pipeline → Infra; CloudFormation creates a new stack, and the old one stays, its pipeline releasing as before, until you '
        + 'delete it; the new pipeline cannot be created while the old one holds the name shop-delivery, and the deployment fails. Give the stack '
        + `its old name (stackName: 'Pipeline') to keep the pipeline — ${REPLACED_RISK}`,
      '',
      '2 changes, 1 pipeline renamed; 1 risky (marked !).',
      '',
    ]);
  });

  test('a stack name changed in place, the pipeline\'s name generated: the new stack\'s pipeline is a new one, the old one keeps releasing', async () => {
    const r = await cli(['diff', synth({ shopName: null }), synth({ shopName: null, stackName: 'shop-pipeline' }), '--json']);
    expect(JSON.parse(r.stdout).pipelines[0].changes).toEqual([{
      path: 'stackName',
      kind: 'changed',
      before: 'Pipeline',
      after: 'shop-pipeline',
      description: 'pipeline stack: Pipeline → shop-pipeline; CloudFormation creates a new stack, and the old one stays, its pipeline releasing as '
        + "before, until you delete it; the new stack's pipeline starts without the old one's history. Give the stack its old name "
        + "(stackName: 'Pipeline') to keep the pipeline",
      risk: true,
      riskRule: 'pipeline-replaced',
    }]);
  });

  test('a stack name changed between two plan files is compared too: the plan records it (regression: only between cloud assemblies)', async () => {
    const file = async (dir: string, name: string) => {
      const out = path.join(tempDir('diff-file-'), name);
      fs.writeFileSync(out, (await cli(['plan', dir, '--format', 'json'])).stdout);
      return out;
    };
    const before = await file(synth({ shopName: null }), 'plan-main.json');
    const after = await file(synth({ shopName: null, stackName: 'shop-pipeline' }), 'plan-branch.json');
    expect(JSON.parse(fs.readFileSync(before, 'utf8'))[0].stackName).toBe('Pipeline');
    const r = await cli(['diff', before, after, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline Pipeline/Shop: 1 change, 1 risky',
      '  ! pipeline stack: Pipeline → shop-pipeline; CloudFormation creates a new stack, and the old one stays, its pipeline releasing as before, until you '
        + "delete it; the new stack's pipeline starts without the old one's history. Give the stack its old name (stackName: 'Pipeline') to keep the pipeline — "
        + REPLACED_RISK,
      '',
      '1 change; 1 risky (marked !).',
      '',
    ]);
    // a plan file and a cloud assembly: the same change
    expect(JSON.parse((await cli(['diff', before, synth({ shopName: null, stackName: 'shop-pipeline' }), '--json'])).stdout).changes).toBe(1);
  });

  test('a plan file written before plans recorded the stack name is read, and its stack name not compared', async () => {
    const [older] = loadPlans(synth({ shopName: null }));
    delete (older as any).stackName;
    const file = path.join(tempDir('diff-file-'), 'plan-old.json');
    fs.writeFileSync(file, JSON.stringify([older]));
    const r = await cli(['diff', file, synth({ shopName: null, stackName: 'shop-pipeline' })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No change to the delivery process (1 pipeline compared).\n');
    // in a cloud assembly, its stack artifact says what the plan does not
    const assembly = synth({ shopName: null });
    const [inAssembly] = loadPlans(assembly);
    const [other] = loadPlans(synth({ shopName: null, stackName: 'shop-pipeline' }));
    delete (inAssembly as any).stackName;
    delete (other as any).stackName;
    const stacks = new Map([[inAssembly, { key: 'Pipeline', name: 'Pipeline', stackName: 'Pipeline' }], [other, { key: 'Pipeline', name: 'Pipeline', stackName: 'shop-pipeline' }]]);
    expect(brief(diffPlans([inAssembly], [other], (p) => stacks.get(p)).pipelines[0].changes)).toEqual(['changed stackName [pipeline-replaced]']);
  });

  test('a new construct id with the same pipeline name is a risk: the deployment would fail while the old pipeline holds the name '
    + '(regression: "no risk")', async () => {
    const r = await cli(['diff', base, synth({ shopId: 'Delivery' }), '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Delivery): 1 change, 1 risky',
      `  ! treated as a rename: Pipeline/Shop → Pipeline/Delivery (same pipeline name shop-delivery)${NAME_TAKEN} — ${REPLACED_RISK}`,
      '',
      '1 change, 1 pipeline renamed; 1 risky (marked !).',
      '',
    ]);
  });

  test('a new pipeline name is a risk: CloudFormation replaces the pipeline', async () => {
    const r = await cli(['diff', base, synth({ shopName: 'shop-release' }), '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.pipelines[0].changes).toEqual([{
      path: 'pipelineName',
      kind: 'changed',
      before: 'shop-delivery',
      after: 'shop-release',
      description: 'pipeline name: shop-delivery → shop-release',
      risk: true,
      riskRule: 'pipeline-replaced',
    }]);
  });

  test('paired as the only pipeline removed from and added to its stack, whatever its name (generated, or changed)', async () => {
    const before = synth({ shopName: null });
    const after = synth({ shopId: 'Delivery', shopName: null, bake: 5 });
    const r = await cli(['diff', before, after, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cdk-delivery: 2 risky changes to the delivery process (--fail-on-risk)\n');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline Pipeline/Delivery: 2 changes, 2 risky',
      `  ! treated as a rename: Pipeline/Shop → Pipeline/Delivery (the only pipeline removed from and added to stack Pipeline)${REPLACED} — ${REPLACED_RISK}`,
      '  environment prod:',
      `    ! bake time of the alarms watched after deploying: 30 min → 5 min — ${BAKE_RISK}`,
      '',
      '2 changes, 1 pipeline renamed; 2 risky (marked !).',
      '',
    ]);
    const json = JSON.parse((await cli(['diff', before, after, '--json'])).stdout);
    expect(json.pipelines).toHaveLength(1);
    expect(json.pipelines[0]).toMatchObject({
      constructPath: 'Pipeline/Delivery', status: 'changed', renamedFrom: { constructPath: 'Pipeline/Shop', pairedBy: 'stack', stack: 'Pipeline' },
    });
    expect(brief(json.pipelines[0].changes)).toEqual([
      'changed constructPath [pipeline-replaced]', 'changed environments.prod.gates.bake-alarms.bakeMinutes [production-bake-time-shortened]',
    ]);
    // a new pipeline name too: still the only one of the stack
    const renamed = await cli(['diff', base, synth({ shopId: 'Delivery', shopName: 'shop-release', bake: 5 }), '--json']);
    const [p] = JSON.parse(renamed.stdout).pipelines;
    expect(p.renamedFrom).toEqual({ constructPath: 'Pipeline/Shop', pairedBy: 'stack', stack: 'Pipeline' });
    expect(brief(p.changes)).toEqual([
      'changed constructPath [pipeline-replaced]', 'changed pipelineName [pipeline-replaced]',
      'changed environments.prod.gates.bake-alarms.bakeMinutes [production-bake-time-shortened]',
    ]);
    // a file written by plan --format json does not say which stack a pipeline is in: not paired
    const file = path.join(tempDir('diff-file-'), 'plan-main.json');
    fs.writeFileSync(file, (await cli(['plan', before, '--format', 'json'])).stdout);
    const fromFile = await cli(['diff', file, after, '--fail-on-risk']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe('Pipeline Pipeline/Delivery: added\nPipeline Pipeline/Shop: removed\n\n0 changes, 1 pipeline added, 1 pipeline removed; none risky.\n');
  });

  test('two removed and two added in one stack under other names: not paired, removed and added as before, no risk', async () => {
    const before = synth({ billing: true });
    const after = synth({ shopId: 'Store', shopName: 'store-delivery', bake: 5, billing: true, billingId: 'Invoices', billingName: 'invoices' });
    const r = await cli(['diff', before, after, '--fail-on-risk']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline store-delivery (Pipeline/Store): added',
      'Pipeline invoices (Pipeline/Invoices): added',
      'Pipeline shop-delivery (Pipeline/Shop): removed',
      'Pipeline Pipeline/Billing: removed',
      '',
      '0 changes, 2 pipelines added, 2 pipelines removed; none risky.',
      '',
    ]);
    const json = JSON.parse((await cli(['diff', before, after, '--json'])).stdout);
    expect(json).toEqual({
      pipelines: [
        { constructPath: 'Pipeline/Store', pipelineName: 'store-delivery', status: 'added', changes: [] },
        { constructPath: 'Pipeline/Invoices', pipelineName: 'invoices', status: 'added', changes: [] },
        { constructPath: 'Pipeline/Shop', pipelineName: 'shop-delivery', status: 'removed', changes: [] },
        { constructPath: 'Pipeline/Billing', status: 'removed', changes: [] },
      ],
      changes: 0,
      risky: 0,
    });
  });

  test('one of two pairs by name, the other then by stack, the only ones left there', async () => {
    const before = synth({ billing: true });
    const after = synth({ shopId: 'Delivery', billing: true, billingId: 'Invoices', billingName: 'invoices' });
    const json = JSON.parse((await cli(['diff', before, after, '--json'])).stdout);
    expect(json.pipelines.map((p: any) => [p.constructPath, p.status, p.renamedFrom])).toEqual([
      ['Pipeline/Delivery', 'changed', { constructPath: 'Pipeline/Shop', pairedBy: 'pipelineName' }],
      ['Pipeline/Invoices', 'changed', { constructPath: 'Pipeline/Billing', pairedBy: 'stack', stack: 'Pipeline' }],
    ]);
  });
});

describe('diff: errors as plan reports them, naming the side', () => {
  test('a directory without manifest: exit 3', async () => {
    const nowhere = path.join(tempDir('diff-none-'), 'cdk.out');
    const r = await cli(['diff', nowhere, base]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: before: no cloud assembly in '${nowhere}': ${path.join(nowhere, 'manifest.json')} not found; `
      + "run 'cdk synth' first or pass the cdk.out directory\n");
    expect(r.stdout).toBe('');
    // the same words as plan's, after the side
    expect(r.stderr.replace('before: ', '')).toBe((await cli(['plan', nowhere])).stderr);
  });

  test('a malformed manifest after: exit 2', async () => {
    const dir = tempDir('diff-bad-');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ not json');
    const r = await cli(['diff', base, dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^cdk-delivery: after: cannot read ${path.join(dir, 'manifest.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*\n$`));
    expect(r.stdout).toBe('');
  });

  test('a plan file written by a newer cdk-delivery-pipeline: exit 2, upgrade the CLI', async () => {
    const file = path.join(tempDir('diff-newer-'), 'plan.json');
    fs.writeFileSync(file, JSON.stringify([{ ...copy(plan), formatVersion: '2' }]));
    const r = await cli(['diff', base, file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: after: the plan of 'Pipeline/Shop' in ${file} was written by a newer cdk-delivery-pipeline `
      + '(plan format 2; this CLI reads format 1): upgrade the CLI\n');
  });

  test('a plan file (.json) that does not exist, on either side: exit 3, naming the path and what to pass (regression: "no cloud assembly in" it)', async () => {
    const file = path.join(tempDir('diff-nofile-'), 'plan-main.json');
    const before = await cli(['diff', file, base]);
    expect(before.code).toBe(3);
    expect(before.stderr).toBe(`cdk-delivery: before: plan file '${file}' not found: pass a cloud assembly directory (such as cdk.out), `
      + "or a file that 'cdk-delivery plan --format json --out <file>' wrote\n");
    expect(before.stdout).toBe('');
    const after = await cli(['diff', base, file.replace(/json$/, 'JSON')]);
    expect(after.code).toBe(3);
    expect(after.stderr).toBe(`cdk-delivery: after: plan file '${file.replace(/json$/, 'JSON')}' not found: pass a cloud assembly directory (such as cdk.out), `
      + "or a file that 'cdk-delivery plan --format json --out <file>' wrote\n");
  });

  test('a cloud assembly without a pipeline is a side with none: the first change that adds one lists it as added, exit 0 with --fail-on-risk (regression: exit 3)', async () => {
    const none = synthWithoutPipeline();
    const added = await cli(['diff', none, base, '--fail-on-risk']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): added',
      '',
      '0 changes, 1 pipeline added; none risky.',
      '',
    ]);
    const removed = await cli(['diff', base, none, '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({
      pipelines: [{ constructPath: 'Pipeline/Shop', pipelineName: 'shop-delivery', status: 'removed', changes: [] }], changes: 0, risky: 0,
    });
    // plan still wants one: it has nothing to show
    const planned = await cli(['plan', none]);
    expect(planned.code).toBe(3);
    expect(planned.stderr).toBe(`cdk-delivery: no delivery pipeline in '${none}': no 'cdk-delivery-pipeline:plan' metadata in its stacks\n`);
  });

  test('neither side with a pipeline: exit 3, naming both (a wrong directory, most likely)', async () => {
    const none = synthWithoutPipeline();
    const empty = path.join(tempDir('diff-empty-'), 'plan.json');
    fs.writeFileSync(empty, '[]');
    const r = await cli(['diff', none, empty]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cdk-delivery: no delivery pipeline in '${none}' (before) nor in '${empty}' (after): `
      + 'pass the cloud assemblies (or plan files) of apps with a DeliveryPipeline\n');
  });

  test('a side whose app holds a CDK Pipelines pipeline has none, and a note says why: the pull request that moves it to DeliveryPipeline', async () => {
    const cdkPipelines = tempDir('diff-cdkpipelines-');
    const app = new App({ outdir: cdkPipelines });
    new ShopCdkPipelinesStack(app, 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    app.synth();
    const held = "stack 'ShopPipeline' holds a CDK Pipelines pipeline (pipelines.CodePipeline at ShopPipeline/Pipeline), "
      + 'which writes no plan for cdk-delivery to read; docs/migrating-from-cdk-pipelines.md shows how to move it to DeliveryPipeline';
    const moved = await cli(['diff', cdkPipelines, base, '--fail-on-risk']);
    expect(moved.code).toBe(0);
    expect(moved.stdout.split('\n')).toEqual(['Pipeline shop-delivery (Pipeline/Shop): added', '', '0 changes, 1 pipeline added; none risky.', '']);
    expect(moved.stderr).toBe(`note: before ('${cdkPipelines}') has no delivery pipeline to compare: ${held}; every pipeline of after is shown as added\n`);
    const back = await cli(['diff', base, cdkPipelines, '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout).pipelines.map((p: any) => p.status)).toEqual(['removed']);
    expect(back.stderr).toBe(`note: after ('${cdkPipelines}') has no delivery pipeline to compare: ${held}; every pipeline of before is shown as removed\n`);
    // neither side with a DeliveryPipeline: exit 3, saying what the side holds
    const none = synthWithoutPipeline();
    const neither = await cli(['diff', none, cdkPipelines]);
    expect(neither.code).toBe(3);
    expect(neither.stdout).toBe('');
    expect(neither.stderr).toBe(`cdk-delivery: no delivery pipeline in '${none}' (before) nor in '${cdkPipelines}' (after): `
      + `pass the cloud assemblies (or plan files) of apps with a DeliveryPipeline; after: ${held}\n`);
  });

  test('a JSON file that is not a plan: exit 2; an empty array: a side with no pipeline', async () => {
    const dir = tempDir('diff-notplan-');
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ name: 'x' }));
    fs.writeFileSync(path.join(dir, 'empty.json'), '[]');
    const other = await cli(['diff', path.join(dir, 'other.json'), base]);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(`cdk-delivery: before: cannot read ${path.join(dir, 'other.json')}: not a plan `
      + "(expected the JSON array that 'cdk-delivery plan --format json' writes, or a cloud assembly directory)\n");
    const empty = await cli(['diff', base, path.join(dir, 'empty.json')]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('Pipeline shop-delivery (Pipeline/Shop): removed\n\n0 changes, 1 pipeline removed; none risky.\n');
  });

  test('usage errors: exit 2', async () => {
    const format = await cli(['diff', base, same, '--format', 'mermaid']);
    expect(format.code).toBe(2);
    expect(format.stderr).toBe("cdk-delivery: --format: unknown format 'mermaid'; use one of text, json\n");
    const missing = await cli(['diff', base]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("cdk-delivery: missing required argument 'after'\n");
  });

  test('--help shows the arguments, examples and exit codes', async () => {
    const r = await cli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: cdk-delivery diff [options] <before> <after>');
    expect(r.stdout).toContain('$ cdk-delivery diff cdk.out.main cdk.out --fail-on-risk');
    expect(r.stdout).toContain('\nExit codes:\n  0  success\n');
    expect(r.stdout).toContain('diff --fail-on-risk: a change weakens the release\'s safety\n');
    // the rules, from the one list the diff uses
    for (const rule of Object.values(RISK_RULES)) expect(r.stdout).toContain(`\n  - ${rule}\n`);
    expect(r.stdout).toContain('\nPipelines are matched by construct path; one renamed or moved is paired with the one it replaces by\n'
      + 'its pipeline name, or as the only one removed from and added to its stack. A side without a pipeline\n'
      + "(main before the first one) has none: the other side's are listed as added or removed.\n");
    expect((await cli(['--help'])).stdout).toContain('\n  diff [options] <before> <after>');
  });
});

describe('diff: the risk rules', () => {
  const env = (p: any, name: string) => p.environments.find((e: any) => e.name === name);
  const risky = (changes: PlanChange[]) => changes.filter((c) => c.risk).map((c) => c.riskRule);
  const diffOf = (change: (p: any) => void, from: (p: any) => void = () => undefined) => {
    const before = copy(plan);
    from(before);
    const after = copy(before);
    change(after);
    const diff = diffPlans([before], [after]);
    return diff.pipelines[0].changes;
  };

  test.each<[string, (p: any) => void, ((p: any) => void) | undefined, string[]]>([
    ['continuous delivery → continuous deployment', (p) => { p.releaseMode = 'CONTINUOUS_DEPLOYMENT'; }, undefined,
      ['changed releaseMode [release-mode-less-human-control]']],
    ['continuous integration → continuous delivery is not a risk', (p) => { p.releaseMode = 'CONTINUOUS_DELIVERY'; },
      (p) => { p.releaseMode = 'CONTINUOUS_INTEGRATION'; }, ['changed releaseMode']],
    ['continuous integration → continuous deployment', (p) => { p.releaseMode = 'CONTINUOUS_DEPLOYMENT'; },
      (p) => { p.releaseMode = 'CONTINUOUS_INTEGRATION'; }, ['changed releaseMode [release-mode-less-human-control]']],
    ['change-set review removed from production, which had no manual approval',
      (p) => { env(p, 'prod').gates = env(p, 'prod').gates.filter((g: any) => g.kind !== 'change-set-review'); },
      (p) => { env(p, 'prod').gates.splice(1, 1, { kind: 'change-set-review', summary: 'change sets reviewed', addedByDefault: false }); },
      ['removed environments.prod.gates.change-set-review [production-approval-removed]']],
    ['change-set review removed from production, which keeps its manual approval, is not a risk',
      (p) => { env(p, 'prod').gates = env(p, 'prod').gates.filter((g: any) => g.kind !== 'change-set-review'); },
      (p) => { env(p, 'prod').gates.push({ kind: 'change-set-review', summary: 'change sets reviewed', addedByDefault: false }); },
      ['removed environments.prod.gates.change-set-review']],
    ['both removed from production: each is a risk',
      (p) => { env(p, 'prod').gates = env(p, 'prod').gates.filter((g: any) => !['change-set-review', 'manual-approval'].includes(g.kind)); },
      (p) => { env(p, 'prod').gates.push({ kind: 'change-set-review', summary: 'change sets reviewed', addedByDefault: false }); },
      ['removed environments.prod.gates.manual-approval [production-approval-removed]', 'removed environments.prod.gates.change-set-review [production-approval-removed]']],
    ['an approval removed outside production is not a risk', (p) => { env(p, 'staging').gates = []; },
      (p) => { env(p, 'staging').gates = [{ kind: 'manual-approval', summary: 'approval', addedByDefault: false }]; },
      ['removed environments.staging.gates.manual-approval']],
    ['deployment window removed from production', (p) => { env(p, 'prod').gates.shift(); }, undefined,
      ['removed environments.prod.gates.deployment-window [production-window-removed]']],
    ['alarms removed from production', (p) => { env(p, 'prod').gates.pop(); }, undefined,
      ['removed environments.prod.gates.bake-alarms [production-alarms-removed]']],
    ['a longer bake time is not a risk', (p) => { env(p, 'prod').gates[2].bakeMinutes = 60; }, undefined,
      ['changed environments.prod.gates.bake-alarms.bakeMinutes']],
    ['verification removed from production', (p) => { env(p, 'prod').verification = []; }, undefined,
      ['removed environments.prod.verification.Smoke [production-verification-removed]']],
    ['verification removed outside production is not a risk', (p) => { env(p, 'staging').verification = []; }, undefined,
      ['removed environments.staging.verification.Smoke']],
    ['unverifiedAcknowledged turning true', (p) => { env(p, 'staging').unverifiedAcknowledged = true; }, undefined,
      ['changed environments.staging.unverifiedAcknowledged [unverified-acknowledged]']],
    ['production onFailure ROLLBACK → RETRY', (p) => { env(p, 'prod').onFailure = 'RETRY (FAILED_ACTIONS)'; }, undefined,
      ['changed environments.prod.onFailure [production-rollback-removed]']],
    ['production onFailure FAIL → RETRY is not a risk', (p) => { env(p, 'prod').onFailure = 'RETRY (FAILED_ACTIONS)'; },
      (p) => { env(p, 'prod').onFailure = 'FAIL'; }, ['changed environments.prod.onFailure']],
    ['losing production: true', (p) => { env(p, 'prod').production = false; }, undefined,
      ['changed environments.prod.production [production-flag-removed]']],
    ['a check removed', (p) => { p.checks = []; }, undefined, ['removed checks.DependencyAudit [check-removed]']],
    ['a check renamed, nothing else changed: a rename, no risk (regression: check-removed)', (p) => { p.checks[0].name = 'Audit'; }, undefined,
      ['changed checks.Audit.name']],
    ['a check renamed and changed: removed, a risk, and added', (p) => { Object.assign(p.checks[0], { name: 'Audit', summary: 'npm audit' }); }, undefined,
      ['removed checks.DependencyAudit [check-removed]', 'added checks.Audit']],
    ['a production verification renamed, nothing else changed: a rename, no risk (regression: production-verification-removed)',
      (p) => { env(p, 'prod').verification[0].name = 'SmokeTests'; }, undefined, ['changed environments.prod.verification.SmokeTests.name']],
    ['a production verification renamed and changed: removed, a risk, and added',
      (p) => { Object.assign(env(p, 'prod').verification[0], { name: 'SmokeTests', summary: 'tests: ./smoke.sh --quick' }); }, undefined,
      ['removed environments.prod.verification.Smoke [production-verification-removed]', 'added environments.prod.verification.SmokeTests']],
    ['an environment before production removed', (p) => { p.environments.shift(); }, undefined,
      ['removed environments.staging [fewer-environments-before-production]']],
    ['an environment before production renamed in its place: a rename, no risk (regression: fewer-environments-before-production)',
      (p) => { Object.assign(env(p, 'staging'), { name: 'preprod', stageName: 'preprod' }); }, undefined,
      ['changed environments.preprod.name', 'changed environments.preprod.stageName']],
    ['an environment before production renamed and another removed: nothing says which one is renamed, both removed, a risk',
      (p) => { p.environments.splice(0, 2, { ...env(p, 'staging'), name: 'preprod', stageName: 'preprod' }); },
      (p) => { p.environments.splice(1, 0, { ...env(p, 'staging'), name: 'qa', stageName: 'qa' }); },
      ['removed environments.staging [fewer-environments-before-production]', 'removed environments.qa [fewer-environments-before-production]',
        'added environments.preprod']],
    ['an environment before production replaced by one elsewhere: removed, a risk, and added',
      (p) => { p.environments.shift(); p.environments.push({ ...env(p, 'prod'), name: 'canary', stageName: 'canary', production: false }); }, undefined,
      ['removed environments.staging [fewer-environments-before-production]', 'added environments.canary']],
    ['production moved before an environment', (p) => { p.environments.reverse(); }, undefined,
      ['changed environments [fewer-environments-before-production]']],
    ['failure notifications removed', (p) => { delete p.notifications; }, undefined, ['removed notifications [failure-notifications-removed]']],
    ['a production environment removed (regression: not a risk)', (p) => { p.environments.pop(); }, undefined,
      ['removed environments.prod [production-environment-removed]']],
    ['a production environment renamed: removed, and another added', (p) => { env(p, 'prod').name = 'production'; env(p, 'production').stageName = 'production'; }, undefined,
      ['removed environments.prod [production-environment-removed]', 'added environments.production']],
    ['one of the alarms of a production gate removed (regression: only a whole gate was a risk)',
      (p) => { Object.assign(env(p, 'prod').gates[2], { summary: 'after deploying, alarms watched for 30 min: Errors', alarms: ['Errors'] }); },
      (p) => { Object.assign(env(p, 'prod').gates[2], { summary: 'after deploying, alarms watched for 30 min: Errors, Latency', alarms: ['Errors', 'Latency'] }); },
      ['changed environments.prod.gates.bake-alarms.summary', 'changed environments.prod.gates.bake-alarms.alarms [production-alarms-removed]']],
    ['one of two production bake gates removed: that one is reported (regression: the other was reported changed)',
      (p) => { env(p, 'prod').gates.splice(2, 1); },
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { alarms: ['Errors'] });
        env(p, 'prod').gates.push({ kind: 'bake-alarms', summary: 'after deploying, alarms watched for 60 min: Canary', addedByDefault: false, bakeMinutes: 60, alarms: ['Canary'] });
      },
      ['removed environments.prod.gates.bake-alarms [production-alarms-removed]']],
    ['an alarm moved to another gate of its kind is not lost',
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors'] });
        Object.assign(env(p, 'prod').gates[3], { summary: 'B', alarms: ['Canary', 'Latency'] });
      },
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors', 'Latency'] });
        env(p, 'prod').gates.push({ kind: 'bake-alarms', summary: 'B', addedByDefault: false, bakeMinutes: 60, alarms: ['Canary'] });
      },
      ['changed environments.prod.gates.bake-alarms.alarms', 'changed environments.prod.gates.bake-alarms#2.alarms']],
    ['an alarm moved from a gate to another that watches for a shorter time: reported on the gate it moved to',
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors'] });
        Object.assign(env(p, 'prod').gates[3], { summary: 'B', alarms: ['Canary', 'Latency'] });
      },
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors', 'Latency'] });
        env(p, 'prod').gates.push({ kind: 'bake-alarms', summary: 'B', addedByDefault: false, bakeMinutes: 5, alarms: ['Canary'] });
      },
      ['changed environments.prod.gates.bake-alarms.alarms', 'changed environments.prod.gates.bake-alarms#2.alarms',
        'changed environments.prod.gates.bake-alarms#2.alarms.Latency [production-bake-time-shortened]']],
    ['an alarm in two gates (a plan written before that was refused) that the longer one stops watching',
      (p) => { Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Canary'] }); },
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors', 'Canary'] });
        env(p, 'prod').gates.push({ kind: 'bake-alarms', summary: 'B', addedByDefault: false, bakeMinutes: 5, alarms: ['Errors'] });
      },
      ['changed environments.prod.gates.bake-alarms.alarms', 'changed environments.prod.gates.bake-alarms#2.alarms.Errors [production-bake-time-shortened]']],
    ['two bake gates merged into the shorter one: the gate removed loses no alarm, the alarm it watched longer is watched shorter',
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors', 'Canary'] });
        env(p, 'prod').gates.pop();
      },
      (p) => {
        Object.assign(env(p, 'prod').gates[2], { summary: 'A', alarms: ['Errors'] });
        env(p, 'prod').gates.push({ kind: 'bake-alarms', summary: 'B', addedByDefault: false, bakeMinutes: 60, alarms: ['Canary'] });
      },
      ['changed environments.prod.gates.bake-alarms.alarms', 'changed environments.prod.gates.bake-alarms.alarms.Canary [production-bake-time-shortened]',
        'removed environments.prod.gates.bake-alarms#2']],
    ['a gate\'s own shorter bake time is reported once, on the gate',
      (p) => { Object.assign(env(p, 'prod').gates[2], { bakeMinutes: 5, summary: 'after deploying, alarms watched for 5 min: Errors' }); },
      (p) => { Object.assign(env(p, 'prod').gates[2], { bakeMinutes: 30, summary: 'after deploying, alarms watched for 30 min: Errors', alarms: ['Errors'] }); },
      ['changed environments.prod.gates.bake-alarms.bakeMinutes [production-bake-time-shortened]']],
    ['another notified event is not a risk', (p) => { p.notifications.events.push('SUCCEEDED'); }, undefined, ['changed notifications.events']],
    ['a production canary that now deploys all at once', (p) => { env(p, 'prod').deployments[0].gradual = false; },
      (p) => { env(p, 'prod').deployments[0].gradual = true; },
      ['changed environments.prod.deployments.Deploy-prod.gradual [production-rollout-all-at-once]']],
    ['all at once outside production, or from a plan without the field, is not a risk', (p) => {
      env(p, 'staging').deployments[0].gradual = false;
      env(p, 'prod').deployments[0].gradual = false;
    }, (p) => { env(p, 'staging').deployments[0].gradual = true; },
    ['changed environments.staging.deployments.Deploy-staging.gradual']],
    ['the pipeline moved to another account: a new pipeline there, the old one left running', (p) => { p.account = '222222222222'; }, undefined,
      ['changed account [pipeline-replaced]']],
    ['the pipeline moved to another region', (p) => { p.region = 'us-east-1'; }, undefined, ['changed region [pipeline-replaced]']],
    ['an account now named, or no longer (an environment-agnostic stack), is not a risk: it may be the same one', (p) => { p.account = '111111111111'; },
      (p) => { delete p.account; }, ['added account']],
  ])('%s', (_name, change, from, expected) => {
    expect(brief(diffOf(change, from))).toEqual(expected);
  });

  test('the pipeline moved to another account or region: the line says what becomes of both pipelines', () => {
    const [account] = diffOf((p) => { p.account = '222222222222'; });
    expect(account.description).toBe('pipeline account: 111111111111 → 222222222222; CloudFormation creates a new pipeline there, '
      + "without the old one's history, and the old pipeline stays in 111111111111, releasing as before, until you delete its stack");
    const [region] = diffOf((p) => { p.region = 'us-east-1'; });
    expect(region.description).toBe('pipeline region: eu-west-1 → us-east-1; CloudFormation creates a new pipeline there, '
      + "without the old one's history, and the old pipeline stays in eu-west-1, releasing as before, until you delete its stack");
  });

  test('every rule is used by a test above and documented in docs/cli.md, word for word', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8').replace(/\s+/g, ' ');
    for (const [id, text] of Object.entries(RISK_RULES)) {
      expect(doc).toContain(`\`${id}\`: ${text}`);
    }
    expect(risky(diffOf((p) => { p.releaseMode = 'CONTINUOUS_DEPLOYMENT'; }))).toEqual(['release-mode-less-human-control']);
    expect(risky(diffOf((p) => { env(p, 'prod').deployments[0].gradual = false; }, (p) => { env(p, 'prod').deployments[0].gradual = true; })))
      .toEqual(['production-rollout-all-at-once']);
  });
});

describe('diff: a pipeline name set at deploy time (a token)', () => {
  test('two names set at deploy time are not a rename of the pipeline, even from other parameters (regression: no change was reported only by '
    + 'chance, both read as "not set (generated)")', async () => {
    const r = await cli(['diff', synth({ shopNameParameter: 'PipelineName' }), synth({ shopNameParameter: 'ReleaseName' }), '--fail-on-risk']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No change to the delivery process (1 pipeline compared).\n');
  });

  test('a generated name that becomes one set at deploy time is a new name: a risk, said as such (regression: "not set (generated)" on both sides, '
    + 'no change)', async () => {
    const r = await cli(['diff', synth({ shopName: null }), synth({ shopNameParameter: 'PipelineName' }), '--json']);
    expect(JSON.parse(r.stdout).pipelines[0].changes).toEqual([{
      path: 'pipelineName',
      kind: 'added',
      description: 'pipeline name: not set (generated) → set at deploy time',
      risk: true,
      riskRule: 'pipeline-replaced',
    }]);
  });

  test('a literal name that becomes one set at deploy time: a risk, unless the deployed name is the same, which the line says', async () => {
    const r = await cli(['diff', base, synth({ shopNameParameter: 'PipelineName' })]);
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline Pipeline/Shop: 1 change, 1 risky',
      '  ! pipeline name: shop-delivery → set at deploy time; CloudFormation replaces the pipeline unless the name set at deploy time is shop-delivery'
        + ` — ${REPLACED_RISK}`,
      '',
      '1 change; 1 risky (marked !).',
      '',
    ]);
  });

  test('a plan written before plans told a token name from a generated one (no stackName) is compared with a literal name only', () => {
    const [tokenNamed] = loadPlans(synth({ shopNameParameter: 'PipelineName' }));
    const [generated] = loadPlans(synth({ shopName: null }));
    const older = copy(generated);
    delete older.stackName;
    expect(diffPlans([older], [tokenNamed]).changes).toBe(0);
    expect(diffPlans([tokenNamed], [older]).changes).toBe(0);
    expect(diffPlans([older], [generated]).changes).toBe(0);
    expect(diffPlans([older], [plan]).pipelines[0].changes.map((c) => c.description))
      .toEqual(['pipeline name: not set (generated, or set at deploy time) → shop-delivery']);
  });
});

describe('diff: an environment, check or verification renamed', () => {
  const prod = (p: any) => p.environments.find((e: any) => e.name === 'prod');
  /** A file as `plan --format json` writes it, holding `plans`. */
  const planFile = (plans: PlanDocument[]) => {
    const file = path.join(tempDir('diff-renamed-'), 'plan.json');
    fs.writeFileSync(file, JSON.stringify(plans, null, 2));
    return file;
  };

  test('an environment before production renamed in its place: one line says so, its own changes follow, no risk, exit 0 with --fail-on-risk', async () => {
    const after = copy(plan);
    Object.assign(after.environments[0], { name: 'preprod', stageName: 'preprod' });
    const r = await cli(['diff', planFile([plan]), planFile([after]), '--fail-on-risk']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 2 changes',
      '  environment preprod:',
      '      environment renamed: staging → preprod (the only one removed and added before prod)',
      '      stage name: staging → preprod',
      '',
      '2 changes; none risky.',
      '',
    ]);
    expect(diffPlans([plan], [after]).pipelines[0].changes[0]).toEqual({
      path: 'environments.preprod.name',
      kind: 'changed',
      environment: 'preprod',
      before: 'staging',
      after: 'preprod',
      description: 'environment renamed: staging → preprod (the only one removed and added before prod)',
      risk: false,
    });
  });

  test('a check and a production verification renamed, nothing else changed: "renamed: old → new", no risk, exit 0 with --fail-on-risk', async () => {
    const after = copy(plan);
    after.checks[0].name = 'Audit';
    prod(after).verification[0].name = 'SmokeTests';
    const r = await cli(['diff', planFile([plan]), planFile([after]), '--fail-on-risk']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'Pipeline shop-delivery (Pipeline/Shop): 2 changes',
      '    check renamed: DependencyAudit → Audit',
      '  environment prod:',
      '      verification renamed: Smoke → SmokeTests',
      '',
      '2 changes; none risky.',
      '',
    ]);
    expect(diffPlans([plan], [after]).pipelines[0].changes).toEqual([
      { path: 'checks.Audit.name', kind: 'changed', before: 'DependencyAudit', after: 'Audit', description: 'check renamed: DependencyAudit → Audit', risk: false },
      {
        path: 'environments.prod.verification.SmokeTests.name',
        kind: 'changed',
        environment: 'prod',
        before: 'Smoke',
        after: 'SmokeTests',
        description: 'verification renamed: Smoke → SmokeTests',
        risk: false,
      },
    ]);
  });

  test('a check renamed while another is removed: the one with the same settings is renamed, the other removed (a risk)', () => {
    const before = copy(plan);
    before.checks.push({ name: 'Licenses', kind: 'codebuild', summary: 'license check: npx license-checker', details: [] });
    const after = copy(before);
    after.checks = [{ ...before.checks[0], name: 'Audit' }];
    expect(diffPlans([before], [after]).pipelines[0].changes.map((c) => [c.description, c.riskRule])).toEqual([
      ['check renamed: DependencyAudit → Audit', undefined],
      ['check removed: Licenses: license check: npx license-checker', 'check-removed'],
    ]);
  });
});

describe('diff: the fields, phrased or generic', () => {
  const diffOf = (change: (p: any) => void) => {
    const after = copy(plan);
    change(after);
    return diffPlans([plan], [after]).pipelines[0].changes.map((c) => c.description);
  };
  const prod = (p: any) => p.environments.find((e: any) => e.name === 'prod');

  test('a deployment that now deploys all at once, or rolls out gradually, says so', () => {
    const withGradual = copy(plan);
    prod(withGradual).deployments[0].gradual = true;
    const after = copy(withGradual);
    prod(after).deployments[0].gradual = false;
    expect(diffPlans([withGradual], [after]).pipelines[0].changes.map((c) => c.description)).toEqual(['deployment Deploy-prod: now deploys all at once']);
    expect(diffPlans([after], [withGradual]).pipelines[0].changes.map((c) => c.description)).toEqual(['deployment Deploy-prod: now rolls out gradually']);
    // a plan written before the field is not compared for it (regression: "now deploys all at once" after an upgrade)
    expect(diffPlans([plan], [after]).pipelines[0].changes).toEqual([]);
    expect(diffPlans([after], [plan]).pipelines[0].changes).toEqual([]);
  });

  test('a deploy script that now runs before the other deployments (runBeforeDeployments), or no longer does, says so', () => {
    expect(diffOf((p) => { prod(p).deployments[0].runsBeforeDeployments = true; }))
      .toEqual(["deployment Deploy-prod: now runs before the environment's other deployments"]);
    const before = copy(plan);
    prod(before).deployments[0].runsBeforeDeployments = true;
    expect(diffPlans([before], [plan]).pipelines[0].changes.map((c) => c.description))
      .toEqual(["deployment Deploy-prod: no longer runs before the environment's other deployments"]);
  });

  test('what starts the source\'s executions (startsOn) restates its branch and triggers: not a change of its own, nor after an upgrade that adds it', () => {
    const withStarts = copy(plan);
    withStarts.source.startsOn = ['main'];
    expect(diffPlans([plan], [withStarts]).pipelines[0].changes).toEqual([]);
    expect(diffOf((p) => {
      p.source.startsOn = ['main', 'release/*'];
      p.source.summary = 'acme/shop (CodeConnections, triggers: main, release/*)';
      p.source.triggers = ['push to main, release/*'];
    })).toEqual([
      'source: acme/shop@main (CodeConnections) → acme/shop (CodeConnections, triggers: main, release/*)',
      'source: triggers added "push to main, release/*"; removed "every push to main"',
    ]);
  });

  test('pipeline: name, execution mode, source, additional sources, build, self-update, notifications', () => {
    expect(diffOf((p) => {
      p.pipelineName = 'shop-release';
      p.executionMode = 'SUPERSEDED';
      p.source.branch = 'release';
      p.source.summary = 'acme/shop@release (CodeConnections)';
      p.source.triggers = ['every push to release'];
      p.additionalSources = [{ name: 'Config', kind: 'GitHub', summary: 'acme/config@main', triggers: [], directory: 'config', triggersPipeline: false }];
      p.buildStep.details = [...p.buildStep.details.filter((d: string) => d !== 'run: npm test'), 'run: npm run test:all'];
      p.stages.splice(2, 0, { name: 'UpdatePipeline', actions: [{ name: 'SelfMutate', runOrder: 1, kind: 'cloudformation-self-update' }] });
      p.notifications.targets = ['slack'];
    })).toEqual([
      'pipeline name: shop-delivery → shop-release',
      'execution mode: QUEUED → SUPERSEDED',
      'source: acme/shop@main (CodeConnections) → acme/shop@release (CodeConnections)',
      'source: branch main → release',
      'source: triggers added "every push to release"; removed "every push to main"',
      'additional source added: Config: GitHub acme/config@main',
      'build: details added "run: npm run test:all"; removed "run: npm test"',
      'the pipeline now updates itself (selfUpdate: stage UpdatePipeline after the build)',
      'notifications sent to: SNS topic → Slack channel',
    ]);
  });

  test('a PublishAssets action that moves to another stage (after the pipeline updates itself) says so', () => {
    const publishing = { name: 'PublishAssets', runOrder: 2, kind: 'asset-publishing' };
    const before = copy(plan);
    before.stages.splice(2, 0, { name: 'UpdatePipeline', actions: [{ name: 'SelfMutate', runOrder: 1, kind: 'cloudformation-self-update' }] });
    before.stages[1].actions.push(publishing);
    const after = copy(before);
    after.stages[1].actions.pop();
    after.stages[2].actions.push(publishing);
    expect(diffPlans([before], [after]).pipelines[0].changes.map((c) => c.description)).toEqual([
      'the PublishAssets action moves from stage Build to UpdatePipeline, after the pipeline updates itself',
    ]);
  });

  test('environment: account, gates, deployments by name (summary, details, account, privileged), verification, checks', () => {
    expect(diffOf((p) => {
      prod(p).account = '222222222222';
      prod(p).gates[1].summary = 'manual approval before deploying to prod (approvers notified)';
      const d = prod(p).deployments[0];
      d.summary = 'deploy script: ./deploy.sh prod --fast';
      d.details = ['run: ./deploy.sh prod --fast'];
      d.account = '333333333333';
      d.privileged = true;
      prod(p).deployments.push({ name: 'Deploy-cdn', kind: 'commands', summary: 'deploy script: ./cdn.sh', details: [] });
      prod(p).verification[0].summary = 'tests: ./smoke.sh --all';
      p.checks[0].summary = 'dependency audit: npm audit --audit-level=moderate';
    })).toEqual([
      'check DependencyAudit: dependency audit: npm audit --audit-level=high → dependency audit: npm audit --audit-level=moderate',
      'account: not set → 222222222222',
      'manual approval: manual approval before deploying to prod → manual approval before deploying to prod (approvers notified)',
      'deployment Deploy-prod: deploy script: ./deploy.sh prod → deploy script: ./deploy.sh prod --fast',
      'deployment Deploy-prod: details added "run: ./deploy.sh prod --fast"; removed "run: ./deploy.sh prod"',
      'deployment Deploy-prod: account not set → 333333333333',
      'deployment Deploy-prod: now runs a privileged (Docker) CodeBuild environment',
      'deployment added: Deploy-cdn: deploy script: ./cdn.sh',
      'verification Smoke: tests: ./smoke.sh → tests: ./smoke.sh --all',
    ]);
  });

  test('a field this CLI does not know (added in a later release) is reported as a value, on the pipeline, an environment, an action and a gate', () => {
    const changes = diffPlans([plan], [(() => {
      const p = copy(plan);
      p.costCenter = 'shop';
      prod(p).freezeCalendar = ['2026-12-24'];
      prod(p).deployments[0].timeoutMinutes = 30;
      prod(p).gates[0].timeZone = 'Europe/Paris';
      return p;
    })()]).pipelines[0].changes;
    expect(changes.map((c) => [c.path, c.kind, c.description, c.risk])).toEqual([
      ['costCenter', 'added', 'costCenter: not set → shop', false],
      ['environments.prod.gates.deployment-window.timeZone', 'added', 'deployment window: timeZone not set → Europe/Paris', false],
      ['environments.prod.deployments.Deploy-prod.timeoutMinutes', 'added', 'deployment Deploy-prod: timeoutMinutes not set → 30', false],
      ['environments.prod.freezeCalendar', 'added', 'freezeCalendar: not set → 2026-12-24', false],
    ]);
  });
});
