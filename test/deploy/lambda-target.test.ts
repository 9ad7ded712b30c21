import { Aws, CfnParameter, Duration, Fn, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentArtifact, DeploymentTarget, LambdaTrafficShift, PipelineSource, ReleaseMode, Verification } from '../../src';
import { PLAN_METADATA_TYPE, PlanDocument } from '../../src/model/plan-document';
import { action, CONNECTION_ARN, errorOf, flat, newApp, newStack, nagFindingsAfterSynth, pipelineIn } from '../util';

const F = "'PipelineStack/Shop': environments[0] ('prod').deployments[0]";

/** A function of the pipeline's stack with an alias on its current version. */
function ownAlias(stack: Stack, aliasProps: Partial<lambda.AliasProps> = {}): { fn: lambda.Function; alias: lambda.Alias } {
  const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = 1') });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion, ...aliasProps });
  return { fn, alias };
}

/** An alias imported by its function's ARN. */
function importedAlias(scope: Stack, account = '111111111111', region = 'eu-west-1', name = 'shop-api', id = 'Live'): lambda.IAlias {
  const version = lambda.Version.fromVersionArn(scope, `${id}Version`, `arn:aws:lambda:${region}:${account}:function:${name}:7`);
  return lambda.Alias.fromAliasAttributes(scope, id, { aliasName: 'live', aliasVersion: version });
}

function deploy(stack: Stack, target: DeploymentTarget, extra: object = {}) {
  return pipelineIn(stack, { environments: [{ name: 'prod', deployments: [target], ...extra }] });
}

describe('DeploymentTarget.lambdaFunction', () => {
  test('renders CodePipeline\'s Lambda deploy action on the build output, all at once by default', () => {
    const stack = newStack();
    deploy(stack, DeploymentTarget.lambdaFunction(importedAlias(stack)));
    const a = action(stack, 'prod', 'shop-api');
    expect(a.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'Lambda', Version: '1' });
    expect(a.Configuration).toEqual({ FunctionName: 'shop-api', FunctionAlias: 'live', DeployStrategy: 'AllAtOnce' });
    expect(a.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    expect(a.RunOrder).toBe(1);
    expect(a.Region).toBeUndefined();
  });

  test.each([
    [LambdaTrafficShift.canary(10, Duration.minutes(5)), 'Canary10Percent5Minutes'],
    [LambdaTrafficShift.canary(25, Duration.minutes(1)), 'Canary25Percent1Minute'],
    [LambdaTrafficShift.linear(10, Duration.minutes(1)), 'Linear10PercentEvery1Minute'],
    [LambdaTrafficShift.linear(20, Duration.minutes(3)), 'Linear20PercentEvery3Minutes'],
    [LambdaTrafficShift.canary(10, Duration.hours(48)), 'Canary10Percent2880Minutes'],
  ])('the traffic shift is the action\'s DeployStrategy (%#)', (trafficShift, strategy) => {
    const stack = newStack();
    deploy(stack, DeploymentTarget.lambdaFunction(importedAlias(stack), { trafficShift }));
    expect(action(stack, 'prod', 'shop-api').Configuration.DeployStrategy).toBe(strategy);
  });

  test('a function of the app is named by reference, the action named by its construct id, and the source can be the code', () => {
    const stack = newStack();
    const { alias } = ownAlias(stack);
    deploy(stack, DeploymentTarget.lambdaFunction(alias, { input: DeploymentArtifact.SOURCE }));
    const a = flat(action(stack, 'prod', 'Api'));
    expect(a.Configuration.FunctionName).toBe('<ApiF70053CD>');
    expect(a.InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('an alias of the app warns that its stack\'s updates can point it back to the template\'s code; an imported one does not', () => {
    const stack = newStack();
    const { alias } = ownAlias(stack);
    deploy(stack, DeploymentTarget.lambdaFunction(alias));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('lambdaAliasInTemplate'));
    expect(warnings.map(w => w.entry.data)).toEqual([
      "The alias 'live' (PipelineStack/Live) is defined in stack 'PipelineStack': an update of that stack that gives the alias another version "
      + "(a change of the function's code or configuration makes a new currentVersion) points it back to the code in the template, undoing what this "
      + "pipeline deployed. Create the alias outside the stack's updates and import it (lambda.Alias.fromAliasAttributes), or acknowledge this warning "
      + "when that stack only changes with the pipeline's code. [ack: delivery-pipeline:lambdaAliasInTemplate]",
    ]);
    const other = newStack();
    deploy(other, DeploymentTarget.lambdaFunction(importedAlias(other)));
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('lambdaAliasInTemplate'))).toEqual([]);
  });

  test('alarms are passed by name and the role may read exactly them', () => {
    const stack = newStack();
    const { fn, alias } = ownAlias(stack);
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    const latency = cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-latency');
    const trafficShift = LambdaTrafficShift.linear(10, Duration.minutes(1));
    deploy(stack, DeploymentTarget.lambdaFunction(alias, { trafficShift, alarms: [errors, latency] }));
    expect(flat(action(stack, 'prod', 'Api')).Configuration.Alarms).toBe('<ErrorsFA5270DE>,shop-latency');
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values<any>(policies).flatMap(p => flat(p.Properties.PolicyDocument.Statement));
    expect(statements.filter((s: any) => s.Action === 'cloudwatch:DescribeAlarms')).toEqual([{
      Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-latency', '<ErrorsFA5270DE.Arn>'],
    }]);
  });

  test('with a composite alarm the role may describe every alarm, as CloudWatch requires; cdk-nag finds nothing (regression: its ARN only)', () => {
    const stack = newStack();
    const { fn, alias } = ownAlias(stack);
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    const throttles = new cloudwatch.Alarm(stack, 'Throttles', { metric: fn.metricThrottles(), threshold: 1, evaluationPeriods: 1 });
    const health = new cloudwatch.CompositeAlarm(stack, 'Health', { compositeAlarmName: 'shop-health', alarmRule: cloudwatch.AlarmRule.anyOf(errors, throttles) });
    deploy(stack, DeploymentTarget.lambdaFunction(alias, { trafficShift: LambdaTrafficShift.canary(10, Duration.minutes(5)), alarms: [health] }));
    expect(flat(action(stack, 'prod', 'Api')).Configuration.Alarms).toBe('<Health02A586CD>');
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(p => flat(p.Properties.PolicyDocument.Statement));
    expect(statements.filter((s: any) => s.Action === 'cloudwatch:DescribeAlarms')).toEqual([{ Sid: 'DescribeCompositeAlarms', Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' }]);
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.startsWith('PipelineStack/Shop/'))).toEqual([]);
  });

  test('with a composite alarm of another account, the role aws-cdk-lib creates there may describe every alarm; cdk-nag finds nothing', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const monitoring = new Stack(app, 'Monitoring', { env: { account: '222222222222', region: 'eu-west-1' } });
    const metric = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors' });
    const errors = new cloudwatch.Alarm(monitoring, 'Errors', { metric, threshold: 1, evaluationPeriods: 1 });
    const health = new cloudwatch.CompositeAlarm(monitoring, 'Health', { compositeAlarmName: 'shop-health', alarmRule: cloudwatch.AlarmRule.anyOf(errors) });
    pipelineIn(stack, {
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'), { alarms: [health] })] }],
    });
    expect(action(stack, 'prod', 'shop-api').Configuration.Alarms).toBe('shop-health');
    const findings = nagFindingsAfterSynth(app);
    const support = app.node.findAll().find(c => c instanceof Stack && c.node.id === 'cross-account-support-stack-222222222222') as Stack;
    const statements = Object.values<any>(Template.fromStack(support).findResources('AWS::IAM::Policy')).flatMap(p => flat(p.Properties.PolicyDocument.Statement));
    expect(statements.filter((s: any) => s.Action === 'cloudwatch:DescribeAlarms')).toEqual([{ Sid: 'DescribeCompositeAlarms', Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' }]);
    // not merged with aws-cdk-lib's key grant on "*", which stays narrowed to the pipeline account's keys
    expect(statements).toContainEqual({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*' });
    expect(findings.filter(f => f.path.startsWith('cross-account-support-stack-222222222222/'))).toEqual([]);
  });

  test('the action\'s role may deploy this one function, write the pipeline\'s logs and read the artifacts: nothing else', () => {
    const stack = newStack();
    const { alias } = ownAlias(stack);
    deploy(stack, DeploymentTarget.lambdaFunction(alias));
    const a = flat(action(stack, 'prod', 'Api'));
    const roleId = a.RoleArn.replace(/^<|\.Arn>$/g, '');
    const policies = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter(p => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    expect(policies).toHaveLength(1);
    const logGroups = ['/aws/codepipeline/<ShopPipelineA6CBAD3A>', '/eu-west-1/codepipeline/<ShopPipelineA6CBAD3A>']
      .map(g => `arn:aws:logs:eu-west-1:111111111111:log-group:${g}`);
    expect(flat(policies[0].Properties.PolicyDocument.Statement)).toEqual([
      {
        Action: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:PublishVersion',
          'lambda:UpdateAlias', 'lambda:UpdateFunctionCode'],
        Effect: 'Allow',
        Resource: ['<ApiF70053CD.Arn>', '<ApiF70053CD.Arn>:*'],
      },
      {
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: expect.arrayContaining(logGroups.flatMap(g => [g, `${g}:*`])),
      },
      { Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], Effect: 'Allow', Resource: ['<ShopPipelineArtifactsBucket58010C1C.Arn>', '<ShopPipelineArtifactsBucket58010C1C.Arn>/*'] },
    ]);
    expect(flat(policies[0].Properties.PolicyDocument.Statement)[1].Resource).toHaveLength(4);
  });

  test.each([
    ['the name the library gave it (pipelineName)', { pipelineName: 'shop' }, undefined, 'shop'],
    ['a Name override of the pipeline resource', { pipelineName: 'shop' }, 'shop-release', 'shop-release'],
    ['a Name override of a pipeline without pipelineName', {}, 'shop-release', 'shop-release'],
  ])('the role aws-cdk-lib creates in another account may write the logs of the pipeline under %s; cdk-nag finds nothing there', (_name, props, override, expected) => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = pipelineIn(stack, {
      ...props,
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'))] }],
    });
    pipeline.buildPipeline();
    if (override) (pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Name', override);
    const findings = nagFindingsAfterSynth(app);
    const support = app.node.findAll().find(c => c instanceof Stack && c.node.id === 'cross-account-support-stack-222222222222') as Stack;
    const statements = Object.values<any>(Template.fromStack(support).findResources('AWS::IAM::Policy'))
      .flatMap(p => flat(p.Properties.PolicyDocument.Statement)).filter((st: any) => JSON.stringify(st.Action).includes('logs:'));
    const groups = [`/aws/codepipeline/${expected}`, `/eu-west-1/codepipeline/${expected}`].map(g => `arn:aws:logs:eu-west-1:222222222222:log-group:${g}`);
    expect(statements).toEqual([{
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: groups.flatMap(g => [g, `${g}:*`]),
    }]);
    expect(Object.values<any>(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline')).map(p => p.Properties.Name)).toEqual([expected]);
    expect(findings.filter(f => f.path.startsWith('cross-account-support-stack-222222222222/'))).toEqual([]);
  });

  test.each([
    ['Fn.join with the stack\'s Region', () => Fn.join('-', ['shop', Aws.REGION]), 'shop-eu-west-1'],
    ['Fn.sub with the stack name and account', () => Fn.sub('${AWS::StackName}-${AWS::AccountId}'), 'PipelineStack-111111111111'],
    ['a parameter (known only at deploy: the name the library gave)', (stack: Stack) => new CfnParameter(stack, 'Name').valueAsString, 'shop'],
  ])('a Name override built from %s: the role in another account is granted the log groups of the name it makes, and the plan names it '
    + '(regression: the library\'s name, silently)', (_name, override, expected) => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = pipelineIn(stack, {
      pipelineName: 'shop',
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'))] }],
    });
    pipeline.buildPipeline();
    (pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Name', override(stack));
    const assembly = app.synth();
    const support = app.node.findAll().find(c => c instanceof Stack && c.node.id === 'cross-account-support-stack-222222222222') as Stack;
    const statements = Object.values<any>(Template.fromStack(support).findResources('AWS::IAM::Policy'))
      .flatMap(p => flat(p.Properties.PolicyDocument.Statement)).filter((st: any) => JSON.stringify(st.Action).includes('logs:'));
    const groups = [`/aws/codepipeline/${expected}`, `/eu-west-1/codepipeline/${expected}`].map(g => `arn:aws:logs:eu-west-1:222222222222:log-group:${g}`);
    expect(statements.map((st: any) => st.Resource)).toEqual([groups.flatMap(g => [g, `${g}:*`])]);
    const plan = assembly.getStackByName('PipelineStack').findMetadataByType(PLAN_METADATA_TYPE)[0].data as unknown as PlanDocument;
    expect(plan.pipelineName).toBe(expected === 'shop' ? undefined : expected);
  });

  test('cdk-nag AwsSolutions finds nothing on the pipeline (the wildcards carry their reasons)', () => {
    const stack = newStack();
    const { fn, alias } = ownAlias(stack);
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    deploy(stack, DeploymentTarget.lambdaFunction(alias, { trafficShift: LambdaTrafficShift.canary(10, Duration.minutes(5)), alarms: [errors] }));
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.startsWith('PipelineStack/Shop/'))).toEqual([]);
  });

  test('cdk-nag still reports the same wildcards in a policy of the user\'s (regression: the Lambda suppression hid them)', () => {
    const stack = newStack();
    const statement = new iam.PolicyStatement({ actions: ['lambda:UpdateFunctionCode'], resources: ['arn:aws:lambda:eu-west-1:111111111111:function:anything:*'] });
    deploy(stack, DeploymentTarget.commands('Hotfix', ['./hotfix.sh'], { rolePolicyStatements: [statement] }));
    const findings = nagFindingsAfterSynth(stack).filter(f => f.path.startsWith('PipelineStack/Shop/'));
    expect(findings.map(f => f.data.slice(0, f.data.indexOf(']') + 1))).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:lambda:eu-west-1:111111111111:function:anything:*]',
    ]);
  });

  test('the plan says what is deployed, how the traffic moves and which alarms stop it', () => {
    const stack = newStack();
    const latency = cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-latency');
    const pipeline = deploy(stack, DeploymentTarget.lambdaFunction(importedAlias(stack), {
      trafficShift: LambdaTrafficShift.linear(30, Duration.minutes(2)), alarms: [latency],
    }));
    const d = pipeline.describe().environments[0].deployments[0];
    expect(d.kind).toBe('lambda');
    expect(d.gradual).toBe(true);
    expect(d.summary).toBe('Lambda shop-api:live · linear: 30% more of the traffic every 2 min (6 min in all) · fails on alarms: shop-latency');
    expect(d.details).toEqual(['code: the build output, published as a new version', 'strategy: Linear30PercentEvery2Minutes']);
  });

  test('a function of another account runs with a role aws-cdk-lib creates there, and the plan says so', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'))] }] });
    const a = action(stack, 'prod', 'shop-api');
    expect(JSON.stringify(a.RoleArn)).toContain('222222222222');
    expect(pipeline.describe().environments[0].deployments[0].details).toContain('role: created by aws-cdk-lib in account 222222222222');
    const support = app.node.findAll().find(c => c instanceof Stack && c !== stack) as Stack;
    const statements = Object.values<any>(Template.fromStack(support).findResources('AWS::IAM::Policy')).flatMap(p => flat(p.Properties.PolicyDocument.Statement));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['lambda:UpdateFunctionCode']),
      Resource: ['arn:aws:lambda:eu-west-1:222222222222:function:shop-api', 'arn:aws:lambda:eu-west-1:222222222222:function:shop-api:*'],
    }));
  });

  test('cdk-nag finds nothing on the role aws-cdk-lib creates in another account', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'))] }] });
    const findings = nagFindingsAfterSynth(app);
    const policy = 'cross-account-support-stack-222222222222/PipelineStackShopPipelineACC8CC45-prod-shop-api-ActionRole/DefaultPolicy/Resource';
    expect(app.node.findAll().some(c => c.node.path === policy)).toBe(true);
    expect(findings.filter(f => f.path.startsWith('cross-account-support-stack-222222222222/'))).toEqual([]);
  });

  test('a role given runs the action; a role of another account than the function\'s is refused', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::222222222222:role/shop-deploy', { mutable: false });
    const pipeline = pipelineIn(stack, {
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'), { role })] }],
    });
    expect(action(stack, 'prod', 'shop-api').RoleArn).toBe('arn:aws:iam::222222222222:role/shop-deploy');
    expect(pipeline.describe().environments[0].deployments[0].details).toContain('role: given');
    expect(errorOf(() => {
      const other = newStack();
      const wrong = iam.Role.fromRoleArn(other, 'Deployer', 'arn:aws:iam::333333333333:role/shop-deploy');
      deploy(other, DeploymentTarget.lambdaFunction(importedAlias(other, '222222222222'), { role: wrong }), { account: '222222222222' });
    })).toBe(`${F}.role is in account 333333333333, but the function is in account 222222222222 (CodePipeline deploys in the account of the role it assumes), `
      + "got '333333333333'. Pass a role of account 222222222222 that trusts the pipeline account.");
  });

  test('a function of another region: the action runs in its region', () => {
    const stack = newStack();
    deploy(stack, DeploymentTarget.lambdaFunction(importedAlias(stack, '111111111111', 'us-east-1')), { region: 'us-east-1' });
    expect(action(stack, 'prod', 'shop-api').Region).toBe('us-east-1');
  });

  test('a function imported by an alias ARN: the role acts on the function itself (regression: it named the alias only)', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:shop-api:live');
    const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: lambda.Version.fromVersionAttributes(stack, 'V', { lambda: fn, version: '7' }) });
    deploy(stack, DeploymentTarget.lambdaFunction(alias));
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(p => flat(p.Properties.PolicyDocument.Statement));
    expect(statements.find((st: any) => [].concat(st.Action).includes('lambda:UpdateFunctionCode' as never)).Resource).toEqual([
      'arn:aws:lambda:eu-west-1:111111111111:function:shop-api', 'arn:aws:lambda:eu-west-1:111111111111:function:shop-api:*',
    ]);
    expect(action(stack, 'prod', 'shop-api').Configuration.FunctionName).toBe('shop-api');
  });

  test('cdk-nag finds nothing in a pipeline stack without an explicit environment (regression: the function wildcard was reported)', () => {
    const stack = new Stack(newApp(), 'PipelineStack');
    const fn = lambda.Function.fromFunctionName(stack, 'Fn', 'shop-api');
    const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: lambda.Version.fromVersionAttributes(stack, 'V', { lambda: fn, version: '7' }) });
    deploy(stack, DeploymentTarget.lambdaFunction(alias));
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.startsWith('PipelineStack/Shop/'))).toEqual([]);
  });

  test('a release in continuous deployment with a canary and alarms synthesizes', () => {
    const stack = newStack();
    const latency = cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-latency');
    pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [{
        name: 'prod',
        production: true,
        deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack), {
          trafficShift: LambdaTrafficShift.canary(10, Duration.minutes(10)), alarms: [latency],
        })],
        verification: [Verification.alarms([latency], { bakeTime: Duration.minutes(15) })],
      }],
    });
    expect(action(stack, 'prod', 'shop-api').Configuration.DeployStrategy).toBe('Canary10Percent10Minutes');
  });
});

describe('DeploymentTarget.lambdaFunction: refused configurations', () => {
  const attempt = (make: (stack: Stack) => DeploymentTarget, extra: object = {}) => errorOf(() => {
    const stack = newStack();
    deploy(stack, make(stack), extra);
  });

  test.each([
    [() => LambdaTrafficShift.canary(0, Duration.minutes(5)), 'percent must be a whole percent from 1 to 99, got 0. Pass for example LambdaTrafficShift.canary(10, Duration.minutes(5)).'],
    [() => LambdaTrafficShift.linear(100, Duration.minutes(5)), 'percent must be a whole percent from 1 to 99, got 100. Pass for example LambdaTrafficShift.linear(10, Duration.minutes(5)).'],
    [() => LambdaTrafficShift.canary(12.5, Duration.minutes(5)), 'percent must be a whole percent from 1 to 99, got 12.5. Pass for example LambdaTrafficShift.canary(10, Duration.minutes(5)).'],
    [() => LambdaTrafficShift.canary(10, Duration.seconds(90)), "interval must be whole minutes from 1 to 2880 (2 days, CodePipeline's limit), got 1.5 minutes. Pass a Duration such as Duration.minutes(5)."],
    [() => LambdaTrafficShift.canary(10, Duration.days(3)), "interval must be whole minutes from 1 to 2880 (2 days, CodePipeline's limit), got 4320 minutes. Pass a Duration such as Duration.minutes(5)."],
  ])('a traffic shift out of range is refused (%#)', (shift, message) => {
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { trafficShift: shift() }))).toBe(`${F}.trafficShift.${message}`);
  });

  test('a linear shift that takes more than 2 days in all is refused', () => {
    const trafficShift = LambdaTrafficShift.linear(1, Duration.minutes(30));
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { trafficShift }))).toBe(
      `${F}.trafficShift shifts the traffic in 100 steps 30 minutes apart, 2970 minutes in all, more than CodePipeline's 2 days (2880 minutes), `
      + 'got LambdaTrafficShift.linear(1, Duration.minutes(30)). Shift a larger percent at each step, or shorten the interval.');
  });

  test('an alias on $LATEST cannot shift gradually; all at once is taken', () => {
    const latest = (stack: Stack) => {
      const { fn } = ownAlias(stack);
      return new lambda.Alias(stack, 'Latest', { aliasName: 'latest', version: fn.latestVersion });
    };
    const canary = LambdaTrafficShift.canary(10, Duration.minutes(5));
    expect(attempt(stack => DeploymentTarget.lambdaFunction(latest(stack), { trafficShift: canary }))).toBe(
      `${F}.alias points to $LATEST, from which Lambda cannot shift traffic gradually (Canary10Percent5Minutes), got 'PipelineStack/Latest'. `
      + 'Point the alias to a published version (version: fn.currentVersion), or use LambdaTrafficShift.allAtOnce().');
    const stack = newStack();
    deploy(stack, DeploymentTarget.lambdaFunction(latest(stack)));
    expect(action(stack, 'prod', 'Api').Configuration.DeployStrategy).toBe('AllAtOnce');
  });

  test('an imported alias on $LATEST cannot shift gradually either', () => {
    expect(attempt(stack => {
      const fn = lambda.Function.fromFunctionName(stack, 'Fn', 'shop-api');
      const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: fn.latestVersion });
      return DeploymentTarget.lambdaFunction(alias, { trafficShift: LambdaTrafficShift.linear(10, Duration.minutes(1)) });
    })).toBe(`${F}.alias points to $LATEST, from which Lambda cannot shift traffic gradually (Linear10PercentEvery1Minute), got 'PipelineStack/Live'. `
      + "Import the alias with the published version it points to (aliasVersion: lambda.Version.fromVersionArn(this, 'Version', "
      + "'arn:aws:lambda:<region>:<account>:function:<name>:<version>')), or use LambdaTrafficShift.allAtOnce().");
  });

  test('a token percent is refused as a token', () => {
    expect(attempt(stack => {
      const percent = new CfnParameter(stack, 'Percent', { type: 'Number' }).valueAsNumber;
      return DeploymentTarget.lambdaFunction(importedAlias(stack), { trafficShift: LambdaTrafficShift.canary(percent, Duration.minutes(5)) });
    })).toBe(`${F}.trafficShift.percent must be known at synth (CodePipeline takes the strategy as a name such as Canary10Percent5Minutes), got a token. `
      + 'Pass a literal number, for example LambdaTrafficShift.canary(10, Duration.minutes(5)).');
  });

  test('an ECR source as the function\'s code is refused: its artifact holds only imageDetail.json', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop') }),
      environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack), { input: DeploymentArtifact.SOURCE })] }],
    }))).toBe(`${F}.input takes the function's code from the source artifact, but the pipeline's source is an ECR source, whose artifact holds only imageDetail.json, `
      + 'got DeploymentArtifact.SOURCE. Use DeploymentArtifact.BUILD_OUTPUT with a build that writes the code package, or a source that holds the code.');
  });

  test('with a fullClone source, the function\'s code from the source artifact is refused (a clone reference); from the build output it is taken', () => {
    const deployWith = (input: DeploymentArtifact) => {
      const stack = newStack();
      pipelineIn(stack, {
        source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, fullClone: true }),
        environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack), { input })] }],
      });
      return action(stack, 'prod', 'shop-api').InputArtifacts;
    };
    expect(errorOf(() => deployWith(DeploymentArtifact.SOURCE))).toBe(`${F}.input takes the function's code from the source artifact, but source.fullClone makes that `
      + 'artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, so every deployment would fail, got DeploymentArtifact.SOURCE. '
      + 'Use DeploymentArtifact.BUILD_OUTPUT (the build can put the files in its output), or leave fullClone out.');
    expect(deployWith(DeploymentArtifact.BUILD_OUTPUT)).toEqual([{ Name: 'BuildOutput' }]);
  });

  test('alarm names longer than CodePipeline\'s 1000 characters in all are refused', () => {
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), {
      alarms: [...Array(10).keys()].map(i => cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${'x'.repeat(100)}-${i}`)),
    }))).toBe(`${F}.alarms have names that make an Alarms value of more than 1000 characters (CodePipeline's limit for an action configuration value), `
      + 'got 1029 characters. Pass fewer alarms, or combine them into a composite alarm (cloudwatch.CompositeAlarm) with a short name.');
  });

  test('an alarm of a CDK stage, or of another region with a generated name, gets the library\'s error (regression: aws-cdk-lib\'s)', () => {
    const alarmOf = (s: Stack) => new cloudwatch.Alarm(s, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const svc = new Stack(new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Svc');
    expect(errorOf(() => deploy(stack, DeploymentTarget.lambdaFunction(importedAlias(stack), { alarms: [alarmOf(svc)] })))).toBe(
      `${F}.alarms[0] is an alarm of stack 'Prod/Svc', in CDK stage 'Prod', not the pipeline's, which the pipeline's stack cannot refer to, and its name is generated, `
      + "got 'Prod/Svc/Errors'. Give the alarm an alarmName (new cloudwatch.Alarm(this, 'Errors', { alarmName: 'shop-prod-errors', ... })), or import it with "
      + "cloudwatch.Alarm.fromAlarmArn(this, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-errors').");
    const app2 = newApp();
    const stack2 = new Stack(app2, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const east = new Stack(app2, 'East', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(errorOf(() => deploy(stack2, DeploymentTarget.lambdaFunction(importedAlias(stack2, '111111111111', 'us-east-1'), { alarms: [alarmOf(east)] }),
      { region: 'us-east-1' }))).toBe(`${F}.alarms[0] is an alarm of stack 'East', in another account or region than the pipeline's, which the pipeline's stack cannot `
      + "refer to, and its name is generated, got 'East/Errors'. Give the alarm an alarmName (new cloudwatch.Alarm(this, 'Errors', { alarmName: 'shop-prod-errors', ... })), "
      + "or import it with cloudwatch.Alarm.fromAlarmArn(this, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-errors').");
  });

  test('a function of a literal account or region, deployed from a pipeline stack that names none, is refused (regression: aws-cdk-lib\'s error)', () => {
    const make = (env: object, role?: boolean) => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env });
      const given = role ? iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::222222222222:role/shop-deploy', { mutable: false }) : undefined;
      deploy(stack, DeploymentTarget.lambdaFunction(importedAlias(stack, '222222222222'), { role: given }));
      app.synth();
    };
    expect(errorOf(() => make({ region: 'eu-west-1' }))).toBe(`${F}.alias is in account 222222222222, but the pipeline's stack names no account, so aws-cdk-lib `
      + "cannot tell whether deploying to it crosses accounts, got account 222222222222. Give the pipeline's stack env: { account: '111111111111', region: 'eu-west-1' } "
      + '(the account and region the pipeline runs in), or pass role: a role of that account.');
    expect(errorOf(() => make({}))).toBe(`${F}.alias is in account 222222222222, eu-west-1, but the pipeline's stack names no account or region, so aws-cdk-lib `
      + "cannot tell whether deploying to it crosses accounts or regions, got account 222222222222, eu-west-1. Give the pipeline's stack env: "
      + "{ account: '111111111111', region: 'eu-west-1' } (the account and region the pipeline runs in).");
    // with a role of that account, aws-cdk-lib creates nothing there: taken
    make({ region: 'eu-west-1' }, true);
  });

  test('an alias that already splits its traffic is refused', () => {
    expect(attempt(stack => {
      const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      const v1 = new lambda.Version(stack, 'V1', { lambda: fn });
      const v2 = new lambda.Version(stack, 'V2', { lambda: fn, description: 'two' });
      return DeploymentTarget.lambdaFunction(new lambda.Alias(stack, 'Live', { aliasName: 'live', version: v2, additionalVersions: [{ version: v1, weight: 0.1 }] }));
    })).toBe(`${F}.alias already splits its traffic between two versions (additionalVersions), but CodePipeline needs one version behind the alias when it starts, `
      + "got 'PipelineStack/Live'. Remove additionalVersions from the alias: the deployment's traffic shift does the splitting.");
  });

  test('a container image function is refused', () => {
    expect(attempt(stack => {
      const fn = new lambda.DockerImageFunction(stack, 'Api', {
        code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop')),
      });
      return DeploymentTarget.lambdaFunction(new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion }));
    })).toBe(`${F}.alias is an alias of a container image function, but the Lambda deploy action uploads a .zip code package, got 'PipelineStack/Api'. `
      + 'Deploy image functions with a CDK stage (DeploymentTarget.cdkStage) or your own action (DeploymentTarget.fromActionFactory).');
  });

  test('more than 10 alarms, one alarm twice, an alarm of another region or with a comma in its name are refused', () => {
    const alarm = (stack: Stack, name: string, region = 'eu-west-1') =>
      cloudwatch.Alarm.fromAlarmArn(stack, name, `arn:aws:cloudwatch:${region}:111111111111:alarm:${name}`);
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { alarms: [...Array(11).keys()].map(i => alarm(stack, `a${i}`)) }))).toBe(
      `${F}.alarms may hold at most 10 alarms (CodePipeline's limit for a Lambda deployment), got 11 alarms. Combine the alarms into a composite alarm (cloudwatch.CompositeAlarm).`);
    expect(attempt(stack => {
      const a = alarm(stack, 'errors');
      return DeploymentTarget.lambdaFunction(importedAlias(stack), { alarms: [a, a] });
    })).toBe(`${F}.alarms[1] is the same alarm as alarms[0], got errors. Name each alarm once.`);
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { alarms: [alarm(stack, 'errors', 'us-east-1')] }))).toBe(
      `${F}.alarms[0] is an alarm of region us-east-1, but CodePipeline watches alarms of the function's account and region (111111111111, eu-west-1), `
      + "got 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:errors'. Pass alarms of the function's account and region.");
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { alarms: [alarm(stack, 'errors,latency')] }))).toBe(
      `${F}.alarms[0] has a comma in its name, but CodePipeline takes the alarm names as one comma-separated list, got 'errors,latency'. Rename the alarm without commas.`);
  });

  test('a function in another region or account than its environment is refused', () => {
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack, '111111111111', 'us-east-1')))).toBe(
      `${F}.alias is an alias of a function in region us-east-1, but environment 'prod' deploys to eu-west-1, got 'us-east-1'. `
      + "Import the function from eu-west-1, or set the environment's region to us-east-1.");
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack, '333333333333')), { account: '222222222222' })).toBe(
      `${F}.alias is in account 333333333333, but environment 'prod' deploys to account 222222222222, got '333333333333'. `
      + "Import the function from account 222222222222, or set the environment's account to 333333333333.");
  });

  test('a function of a CDK stage is refused, saying how to import it', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const svc = new Stack(new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Svc');
    const { alias } = ownAlias(svc);
    expect(errorOf(() => deploy(stack, DeploymentTarget.lambdaFunction(alias)))).toBe(
      `${F}.alias is a Lambda function of stack 'Prod/Svc', in CDK stage 'Prod', not the pipeline's, which the pipeline's stack cannot refer to, got 'Prod/Svc/Api'. `
      + "Import it in the pipeline's stack: lambda.Alias.fromAliasAttributes(pipelineStack, 'Live', { aliasName: 'live', aliasVersion: "
      + "lambda.Version.fromVersionArn(pipelineStack, 'Version', 'arn:aws:lambda:<region>:<account>:function:<name>:<version>') }), with the names the stage gives them.");
  });

  test('a function of another account with a generated name is refused; with a functionName it is taken', () => {
    const make = (functionName?: string) => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      const other = new Stack(app, 'Api', { env: { account: '222222222222', region: 'eu-west-1' } });
      const fn = new lambda.Function(other, 'Fn', { functionName, runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      const alias = new lambda.Alias(other, 'Live', { aliasName: 'live', version: fn.currentVersion });
      pipelineIn(stack, { environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(alias)] }] });
      return { app, stack };
    };
    expect(errorOf(() => make())).toBe(`${F}.alias is an alias of function 'Api/Fn' of another account or region than the pipeline's stack, and the function's name is generated `
      + "(the pipeline names the function in its action and its role's policy), got 'Api/Fn'. "
      + "Give the function a functionName (new lambda.Function(this, 'Api', { functionName: 'shop-api', ... })), or import the alias by its function's ARN.");
    const { app, stack } = make('shop-api');
    app.synth();
    expect(action(stack, 'prod', 'shop-api').Configuration.FunctionName).toBe('shop-api');
  });

  test('two deployments of one function in one environment are refused', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack)), DeploymentTarget.lambdaFunction(importedAlias(stack, '111111111111', 'eu-west-1', 'shop-api', 'Beta'), { name: 'Beta' })],
      }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[1].alias deploys Lambda function 'shop-api', which deployments[0] ('shop-api') of the same environment deploys too (the two deployments would run in parallel, "
      + "each publishing a version and moving the alias), got 'shop-api'. Deploy each function with one target: remove one of the two.");
  });

  test('one alias moved from two environments is refused (regression: staging moved the production alias before the approval); an alias per environment is taken', () => {
    const stack = newStack();
    const alias = importedAlias(stack);
    const again = importedAlias(stack, '111111111111', 'eu-west-1', 'shop-api', 'Again');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.lambdaFunction(alias)] },
        { name: 'prod', production: true, deployments: [DeploymentTarget.lambdaFunction(again)] },
      ],
    }))).toBe("'PipelineStack/Shop': environments[1] ('prod').deployments[0].alias moves alias 'live' of Lambda function 'shop-api' (111111111111/eu-west-1), "
      + "which environments[0] ('staging') moves too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') "
      + "(its approval, its entry conditions, the checks in between) are passed, got 'shop-api:live'. Give each environment a Lambda alias of its own, "
      + 'or deploy this one from one environment only.');
    // an alias of the app whose function's name is a token: the same object
    const own = newStack();
    const { alias: live } = ownAlias(own);
    expect(errorOf(() => pipelineIn(own, {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.lambdaFunction(live)] }, { name: 'prod', deployments: [DeploymentTarget.lambdaFunction(live)] }],
    }))).toBe("'PipelineStack/Shop': environments[1] ('prod').deployments[0].alias moves alias 'live' of the Lambda function (111111111111/eu-west-1), "
      + "which environments[0] ('staging') moves too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') "
      + '(its approval, its entry conditions, the checks in between) are passed, got an alias whose function or name is a token. '
      + 'Give each environment a Lambda alias of its own, or deploy this one from one environment only.');
    // another alias of the function in each environment: only the environment's own alias moves
    const perEnvironment = newStack();
    const staging = lambda.Alias.fromAliasAttributes(perEnvironment, 'Staging', {
      aliasName: 'staging', aliasVersion: lambda.Version.fromVersionArn(perEnvironment, 'V1', 'arn:aws:lambda:eu-west-1:111111111111:function:shop-api:7'),
    });
    pipelineIn(perEnvironment, {
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.lambdaFunction(staging)] },
        { name: 'prod', production: true, deployments: [DeploymentTarget.lambdaFunction(importedAlias(perEnvironment))] },
      ],
    });
    expect(action(perEnvironment, 'staging', 'shop-api').Configuration.FunctionAlias).toBe('staging');
    expect(action(perEnvironment, 'prod', 'shop-api').Configuration.FunctionAlias).toBe('live');
  });

  test('one alias moved by two pipelines of the app is refused, naming both; another alias of the function is taken', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack))] }] }, 'Shop');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(importedAlias(stack, '111111111111', 'eu-west-1', 'shop-api', 'Again'))] }],
    }, 'Second'))).toBe("'PipelineStack/Second': environments[0] ('prod').deployments[0].alias moves alias 'live' of Lambda function 'shop-api' (111111111111/eu-west-1), "
      + "which the pipeline 'PipelineStack/Shop' moves too: each pipeline would deploy its own changes to it, replacing the other's, without the other's approvals "
      + "and checks, got 'shop-api:live'. Deploy it from one pipeline only: remove it from one of the two, or give each pipeline a Lambda alias of its own.");
    const canary = lambda.Alias.fromAliasAttributes(stack, 'Canary', {
      aliasName: 'canary', aliasVersion: lambda.Version.fromVersionArn(stack, 'CanaryVersion', 'arn:aws:lambda:eu-west-1:111111111111:function:shop-api:7'),
    });
    expect(() => pipelineIn(stack, { environments: [{ name: 'canary', deployments: [DeploymentTarget.lambdaFunction(canary)] }] }, 'Canaries')).not.toThrow();
  });

  test('a misspelt option or a traffic shift of another kind is refused', () => {
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { trafficshift: LambdaTrafficShift.allAtOnce() } as any))).toBe(
      `${F}.trafficshift is not a field of LambdaDeployOptions, got a LambdaTrafficShift. Did you mean 'trafficShift'? A misspelt field would be ignored.`);
    expect(attempt(stack => DeploymentTarget.lambdaFunction(importedAlias(stack), { trafficShift: 'Canary10Percent5Minutes' as any }))).toBe(
      `${F}.trafficShift must be a LambdaTrafficShift, got 'Canary10Percent5Minutes'. `
      + 'Use LambdaTrafficShift.allAtOnce(), .canary(10, Duration.minutes(5)) or .linear(10, Duration.minutes(1)).');
  });

  test('something that is not an alias is refused', () => {
    expect(attempt(stack => DeploymentTarget.lambdaFunction(new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('x'),
    }) as any))).toMatch(new RegExp(`^${F.replace(/[()[\]]/g, '\\$&')}\\.alias must be a lambda\\.IAlias, got `));
  });
});
