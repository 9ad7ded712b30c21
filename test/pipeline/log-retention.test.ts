import * as path from 'path';
import { App, Aspects, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  DeliveryDefaults, DeliveryPipeline, DeliveryPipelineProps, DeliveryPolicy, DeploymentTarget, PlanDocument, PolicyRule, QualityCheck, Verification,
} from '../../src';
import { env, errorOf, nagFindingsAfterSynth, newApp, props } from '../util';

const E = { account: '111111111111', region: 'eu-west-1' };

/** A pipeline with every kind of CodeBuild project: build, check, deploy script, test, asset publishing. */
function everyProject(app: App, extra: Partial<DeliveryPipelineProps> = {}): Stack {
  const stack = new Stack(app, 'PipelineStack', { env: E });
  const stage = new Stage(app, 'Staging', { env: E });
  const api = new Stack(stage, 'Api');
  new s3assets.Asset(api, 'Code', { path: path.join(__dirname, '..', 'deploy', 'docker-asset') });
  new ssm.StringParameter(api, 'Setting', { stringValue: 'x' }); // newer aws-cdk-lib refuses an empty stack
  new DeliveryPipeline(stack, 'Shop', props({
    checks: [QualityCheck.commands('Lint', ['npm run lint'])],
    environments: [env('staging', {
      deployments: [DeploymentTarget.cdkStage(stage), DeploymentTarget.commands('Migrate', ['./migrate.sh'])],
      verification: [Verification.commands('Smoke', ['./smoke.sh'])],
    })],
    ...extra,
  }));
  return stack;
}

function plan(stack: Stack): PlanDocument {
  Template.fromStack(stack); // synthesizes: the plan is written when the pipeline is built
  const entry = stack.node.findAll().flatMap(c => c.node.metadata).find(m => m.type === 'cdk-delivery-pipeline:plan');
  return entry!.data as PlanDocument;
}

describe('logRetention', () => {
  test('by default the projects log to CodeBuild\'s own log groups: no log group, no logs configuration', () => {
    const t = Template.fromStack(everyProject(newApp()));
    expect(Object.keys(t.findResources('AWS::CodeBuild::Project')).length).toBe(5);
    t.resourceCountIs('AWS::Logs::LogGroup', 0);
    for (const project of Object.values(t.findResources('AWS::CodeBuild::Project'))) {
      expect(project.Properties.LogsConfig).toBeUndefined();
    }
  });

  test('gives every project (build, check, deploy script, test, asset publishing) a log group of its own with the retention, kept on delete', () => {
    const t = Template.fromStack(everyProject(newApp(), { logRetention: logs.RetentionDays.ONE_YEAR }));
    const projects = t.findResources('AWS::CodeBuild::Project');
    const groups = t.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(projects).length).toBe(5);
    expect(Object.keys(groups).length).toBe(5);
    for (const group of Object.values(groups)) {
      expect(group).toMatchObject({ Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(group.Properties.LogGroupName).toBeUndefined();
    }
    // each project writes to the group beside it ('<part>/Logs' next to '<part>/Project')
    const used = Object.entries(projects).map(([id, project]) => {
      expect(project.Properties.LogsConfig).toEqual({ CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: expect.any(String) } } });
      const group = project.Properties.LogsConfig.CloudWatchLogs.GroupName.Ref as string;
      expect(group.replace(/Logs[0-9A-F]{8}$/, '')).toBe(id.replace(/Project[0-9A-F]{8}$/, ''));
      return group;
    });
    expect(new Set(used).size).toBe(5);
  });

  test('each project\'s role may write to its own log group', () => {
    const t = Template.fromStack(everyProject(newApp(), { logRetention: logs.RetentionDays.ONE_MONTH }));
    const build = Object.entries(t.findResources('AWS::CodeBuild::Project')).find(([id]) => id.startsWith('ShopBuildProject'))!;
    const role = build[1].Properties.ServiceRole['Fn::GetAtt'][0] as string;
    const group = build[1].Properties.LogsConfig.CloudWatchLogs.GroupName.Ref as string;
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [group, 'Arn'] },
        })]),
      },
    });
  });

  test('DeliveryDefaults set it for every pipeline below; a pipeline\'s own wins', () => {
    const app = newApp();
    DeliveryDefaults.applyTo(app, { logRetention: logs.RetentionDays.SIX_MONTHS });
    const inherited = Template.fromStack(everyProject(app));
    expect(Object.values(inherited.findResources('AWS::Logs::LogGroup')).map(g => g.Properties.RetentionInDays)).toEqual([180, 180, 180, 180, 180]);

    const app2 = newApp();
    DeliveryDefaults.applyTo(app2, { logRetention: logs.RetentionDays.SIX_MONTHS });
    const own = Template.fromStack(everyProject(app2, { logRetention: logs.RetentionDays.TWO_WEEKS }));
    expect(Object.values(own.findResources('AWS::Logs::LogGroup')).map(g => g.Properties.RetentionInDays)).toEqual([14, 14, 14, 14, 14]);
  });

  test('cdk-nag AwsSolutions finds nothing in the pipeline stack with log groups of its own', () => {
    const stack = everyProject(newApp(), { logRetention: logs.RetentionDays.ONE_YEAR });
    expect(nagFindingsAfterSynth(stack)).toEqual([]);
  });

  test('RetentionDays.INFINITE: log groups of their own that never expire', () => {
    const t = Template.fromStack(everyProject(newApp(), { logRetention: logs.RetentionDays.INFINITE }));
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBe(5);
    for (const g of groups) expect(g.Properties?.RetentionInDays).toBeUndefined();
  });

  test('the plan document carries the days the logs are kept, and nothing when they never expire', () => {
    expect(plan(everyProject(newApp(), { logRetention: logs.RetentionDays.THREE_MONTHS })).logRetentionDays).toBe(90);
    expect(plan(everyProject(newApp(), { logRetention: logs.RetentionDays.INFINITE }))).not.toHaveProperty('logRetentionDays');
    expect(plan(everyProject(newApp()))).not.toHaveProperty('logRetentionDays');
  });

  test('fails when the retention is not a RetentionDays value', () => {
    const days = '1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653';
    expect(errorOf(() => everyProject(newApp(), { logRetention: 45 as logs.RetentionDays }))).toBe(
      `'PipelineStack/Shop': logRetention must be a logs.RetentionDays, got 45. Use, for example, logs.RetentionDays.ONE_YEAR (CloudWatch Logs keeps logs ${days} days, `
      + 'or forever with RetentionDays.INFINITE).');
    expect(errorOf(() => DeliveryDefaults.applyTo(newApp(), { logRetention: '365' as any }))).toBe(
      `'(app)': DeliveryDefaults.logRetention must be a logs.RetentionDays, got '365'. Use, for example, logs.RetentionDays.ONE_YEAR (CloudWatch Logs keeps logs ${days} days, `
      + 'or forever with RetentionDays.INFINITE).');
  });

  test('fails when the field is misspelt', () => {
    expect(errorOf(() => everyProject(newApp(), { logRetension: logs.RetentionDays.ONE_YEAR } as any))).toBe(
      "'PipelineStack/Shop': logRetension is not a field of DeliveryPipelineProps, got 365. Did you mean 'logRetention'? A misspelt field would be ignored.");
  });
});

describe('PolicyRule.logRetention', () => {
  function violations(rule: ReturnType<typeof PolicyRule.logRetention>, extra: Partial<DeliveryPipelineProps>): string[] {
    const app = newApp();
    app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
    const stack = new Stack(app, 'Apps', { env: E });
    new DeliveryPipeline(stack, 'Shop', props({ environments: [env('staging')], ...extra }));
    Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
    return Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data as string);
  }

  test('maximum: logs that never expire (the default) and longer retentions violate it; shorter ones comply', () => {
    const rule = PolicyRule.logRetention({ maximum: logs.RetentionDays.ONE_YEAR });
    expect(rule.ruleId).toBe('log-retention:max=365d');
    expect(violations(rule, {})).toEqual([
      "[policy log-retention:max=365d] pipeline 'Apps/Shop': keeps its CodeBuild logs forever, longer than the 365 days allowed; "
      + 'set logRetention: logs.RetentionDays.ONE_YEAR on the pipeline, or in DeliveryDefaults when the pipeline sets none (its own value comes first)',
    ]);
    expect(violations(rule, { logRetention: logs.RetentionDays.TWO_YEARS })).toEqual([
      "[policy log-retention:max=365d] pipeline 'Apps/Shop': keeps its CodeBuild logs 731 days, longer than the 365 days allowed; "
      + 'set logRetention: logs.RetentionDays.ONE_YEAR on the pipeline, or in DeliveryDefaults when the pipeline sets none (its own value comes first)',
    ]);
    expect(violations(rule, { logRetention: logs.RetentionDays.ONE_YEAR })).toEqual([]);
    expect(violations(rule, { logRetention: logs.RetentionDays.ONE_WEEK })).toEqual([]);
  });

  test('minimum: shorter retentions violate it; longer ones and logs that never expire comply', () => {
    const rule = PolicyRule.logRetention({ minimum: logs.RetentionDays.THIRTEEN_MONTHS });
    expect(violations(rule, { logRetention: logs.RetentionDays.ONE_YEAR })).toEqual([
      "[policy log-retention:min=400d] pipeline 'Apps/Shop': keeps its CodeBuild logs 365 days, less than the 400 days required; "
      + 'set logRetention: logs.RetentionDays.THIRTEEN_MONTHS on the pipeline, or in DeliveryDefaults when the pipeline sets none (its own value comes first)',
    ]);
    expect(violations(rule, {})).toEqual([]);
    expect(violations(rule, { logRetention: logs.RetentionDays.INFINITE })).toEqual([]);
    expect(violations(rule, { logRetention: logs.RetentionDays.TWO_YEARS })).toEqual([]);
  });

  test('minimum INFINITE: only logs that never expire comply', () => {
    const rule = PolicyRule.logRetention({ minimum: logs.RetentionDays.INFINITE });
    expect(rule.ruleId).toBe('log-retention:min=forever');
    expect(violations(rule, { logRetention: logs.RetentionDays.TEN_YEARS })).toEqual([
      "[policy log-retention:min=forever] pipeline 'Apps/Shop': keeps its CodeBuild logs 3653 days, but they must never expire; "
      + 'set logRetention: logs.RetentionDays.INFINITE on the pipeline, or in DeliveryDefaults when the pipeline sets none (its own value comes first)',
    ]);
    expect(violations(rule, {})).toEqual([]);
  });

  test('both bounds', () => {
    const rule = PolicyRule.logRetention({ minimum: logs.RetentionDays.ONE_MONTH, maximum: logs.RetentionDays.ONE_YEAR });
    expect(rule.ruleId).toBe('log-retention:min=30d:max=365d');
    expect(violations(rule, { logRetention: logs.RetentionDays.ONE_WEEK })).toHaveLength(1);
    expect(violations(rule, { logRetention: logs.RetentionDays.SIX_MONTHS })).toEqual([]);
  });

  test('fails when the bounds are missing, not RetentionDays, contradictory or misspelt', () => {
    const fix = 'Pass { minimum?, maximum? } as logs.RetentionDays, for example { maximum: logs.RetentionDays.ONE_YEAR }.';
    expect(errorOf(() => PolicyRule.logRetention({}))).toBe(`PolicyRule.logRetention: give minimum, maximum or both, got neither. ${fix}`);
    expect(errorOf(() => PolicyRule.logRetention(undefined as any))).toBe(`PolicyRule.logRetention: options must be an object, got undefined. ${fix}`);
    expect(errorOf(() => PolicyRule.logRetention({ maximum: 100 as logs.RetentionDays }))).toBe(
      `PolicyRule.logRetention: maximum must be a logs.RetentionDays, got 100. ${fix}`);
    expect(errorOf(() => PolicyRule.logRetention({ minimum: logs.RetentionDays.ONE_YEAR, maximum: logs.RetentionDays.ONE_MONTH }))).toBe(
      `PolicyRule.logRetention: minimum (365 days) is longer than maximum (30 days), which no pipeline can meet. ${fix}`);
    expect(errorOf(() => PolicyRule.logRetention({ maximun: logs.RetentionDays.ONE_YEAR } as any))).toBe(
      "'PolicyRule.logRetention': options.maximun is not a field of LogRetentionRuleOptions, got 365. Did you mean 'maximum'? A misspelt field would be ignored.");
  });
});
