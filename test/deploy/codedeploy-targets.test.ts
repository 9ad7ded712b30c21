import { CfnResource, Duration, Environment, Fn, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Approval, DeploymentArtifact, DeploymentTarget, PipelineSource, ReleaseMode, Verification } from '../../src';
import { describeDeploymentConfig } from '../../src/deploy/codedeploy-targets';
import { action, actionsOf, CONNECTION_ARN, errorOf, flat, gitHub, newApp, newStack, pipelineIn } from '../util';

function importedEcsGroup(stack: any, region = 'eu-west-1') {
  return codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, `Bg${region}`, {
    application: codedeploy.EcsApplication.fromEcsApplicationArn(stack, `App${region}`, `arn:aws:codedeploy:${region}:111111111111:application:shop`),
    deploymentGroupName: 'shop-bg',
    deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  });
}

/** An ECS blue/green group of the app, named 'checkout-bg'. */
function blueGreenGroup(stack: Stack, deploymentApprovalWaitTime?: Duration): codedeploy.EcsDeploymentGroup {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx'), portMappings: [{ containerPort: 80 }] });
  const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
  const listener = lb.addListener('Http', { port: 80 });
  const [blue, green] = ['Blue', 'Green'].map(id => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80, targetType: elbv2.TargetType.IP }));
  listener.addTargetGroups('Default', { targetGroups: [blue] });
  return new codedeploy.EcsDeploymentGroup(stack, 'BlueGreen', {
    service,
    deploymentGroupName: 'checkout-bg',
    application: new codedeploy.EcsApplication(stack, 'App', { applicationName: 'checkout' }),
    blueGreenDeploymentConfig: { blueTargetGroup: blue, greenTargetGroup: green, listener, deploymentApprovalWaitTime },
  });
}

describe('DeploymentTarget.codeDeployServer', () => {
  test('deploys the build output with the group; the plan shows the rollout', () => {
    const stack = newStack();
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet', deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group)] }] });
    // named after the group's name (regression: its construct id, while the plan said "deployment group: (token)")
    const a = action(stack, 'staging', 'shop-fleet');
    expect(a.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'CodeDeploy', Version: '1' });
    expect(a.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    expect(flat(a.Configuration)).toEqual({ ApplicationName: expect.stringMatching(/^<FleetApplication/), DeploymentGroupName: expect.stringMatching(/^<Fleet/) });
    const plan = pipeline.describe().environments[0].deployments[0];
    // aws-cdk-lib rolls a group of the app back on a failed deployment unless told otherwise
    expect(plan.summary).toBe('CodeDeploy EC2/on-premises · rolling, half of the instances at a time · auto-rollback on failure');
    expect(plan.details).toContain('deployment group: shop-fleet');
  });

  test('the plan says whether the rollout is gradual: rolling and canaries are, all at once is not, an unknown config does not say', () => {
    const stack = newStack();
    const app = codedeploy.ServerApplication.fromServerApplicationName(stack, 'App', 'shop');
    const server = (name: string, deploymentConfig?: codedeploy.IServerDeploymentConfig) =>
      DeploymentTarget.codeDeployServer(codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, name, {
        application: app, deploymentGroupName: name, deploymentConfig,
      }));
    const pipeline = pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [
          server('half', codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME),
          server('all', codedeploy.ServerDeploymentConfig.ALL_AT_ONCE),
          server('unknown'),
          DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' }),
        ],
      }],
    });
    expect(pipeline.describe().environments[0].deployments.map(d => `${d.name}: ${d.gradual}`)).toEqual([
      'half: true', 'all: false', 'unknown: undefined', 'shop-bg: true',
    ]);
  });

  test('the action role may act on the application, the group and the config only', () => {
    const stack = newStack();
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet' });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group, { input: DeploymentArtifact.SOURCE, name: 'Fleet' })] }] });
    expect(action(stack, 'staging', 'Fleet').InputArtifacts).toEqual([{ Name: 'Source' }]);
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /stagingFleetCodePipelineActionRoleDefaultPolicy/.test(id))![1] as any;
    const statements = flat(policy.Properties.PolicyDocument.Statement);
    const codedeployResources = statements.filter((s: any) => [].concat(s.Action).some((x: string) => x.startsWith('codedeploy:'))).flatMap((s: any) => [].concat(s.Resource));
    expect(codedeployResources.length).toBeGreaterThan(0);
    for (const r of codedeployResources) expect(r).toMatch(/^arn:aws:codedeploy:eu-west-1:111111111111:(application:|deploymentgroup:|deploymentconfig:)/);
  });

  test('the revision from the source artifact is refused with a fullClone source (a clone reference) and with an ECR source (only imageDetail.json)', () => {
    const attempt = (source: (stack: Stack) => PipelineSource, input: DeploymentArtifact) => {
      const stack = newStack();
      const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet' });
      pipelineIn(stack, { source: source(stack), environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group, { input })] }] });
      return action(stack, 'staging', 'shop-fleet').InputArtifacts;
    };
    const fullClone = () => PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, fullClone: true });
    const field = "'PipelineStack/Shop': environments[0] ('staging').deployments[0].input";
    expect(errorOf(() => attempt(fullClone, DeploymentArtifact.SOURCE))).toBe(`${field} takes the revision CodeDeploy deploys from the source artifact, but `
      + 'source.fullClone makes that artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, so every deployment would fail, '
      + 'got DeploymentArtifact.SOURCE. Use DeploymentArtifact.BUILD_OUTPUT (the build can put the files in its output), or leave fullClone out.');
    const ecrSource = (stack: Stack) => PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(stack, 'Images', 'shop') });
    expect(errorOf(() => attempt(ecrSource, DeploymentArtifact.SOURCE))).toBe(`${field} takes the CodeDeploy revision (an appspec.yml at its root) from the `
      + "source artifact, but the pipeline's source is an ECR source, whose artifact holds only imageDetail.json, got DeploymentArtifact.SOURCE. "
      + 'Use DeploymentArtifact.BUILD_OUTPUT with a build that writes the revision (appspec.yml and the files it names), or a source that holds the revision.');
    // the build output with either source; the source artifact of a source that is not a clone
    expect(attempt(fullClone, DeploymentArtifact.BUILD_OUTPUT)).toEqual([{ Name: 'BuildOutput' }]);
    expect(attempt(ecrSource, DeploymentArtifact.BUILD_OUTPUT)).toEqual([{ Name: 'BuildOutput' }]);
    expect(attempt(() => gitHub(), DeploymentArtifact.SOURCE)).toEqual([{ Name: 'Source' }]);
  });

  test('the environment\'s alarms are added to an owned group, which then rolls back on alarm', () => {
    const stack = newStack();
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet' });
    const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const pipeline = pipelineIn(stack, {
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms([alarm], { bakeTime: Duration.minutes(15) })] }],
    });
    const group0 = Object.values(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any;
    expect(flat(group0.Properties.AlarmConfiguration)).toEqual({ Enabled: true, Alarms: [{ Name: expect.stringMatching(/^<Errors/) }] });
    expect(group0.Properties.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] });
    expect(pipeline.describe().environments[0].deployments[0].details).toContain(
      "the environment's 1 alarm added to the deployment group: CodeDeploy stops and rolls back when one fires");
  });

  test('an environment alarm the group already watches is not added twice; the plan says so (regression: listed twice in AlarmConfiguration)', () => {
    const stack = newStack();
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const latency = cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-latency');
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet', alarms: [errors, latency] });
    const pipeline = pipelineIn(stack, {
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms([errors, latency])] }],
    });
    const group0 = Object.values(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any;
    expect(flat(group0.Properties.AlarmConfiguration.Alarms)).toEqual([{ Name: expect.stringMatching(/^<Errors/) }, { Name: 'shop-latency' }]);
    const plan = pipeline.describe().environments[0].deployments[0];
    expect(plan.summary).toBe('CodeDeploy EC2/on-premises · rolling, one instance at a time · auto-rollback on 2 alarms');
    expect(plan.details.filter(d => d.includes('alarm'))).toEqual(["2 of the environment's alarms already on the deployment group (its own alarms)"]);
  });

  describe('the environment\'s alarms and the group\'s own: CodeDeploy\'s limit of 10 alarms per group', () => {
    const alarmsOf = (stack: Stack, prefix: string, n: number) => Array.from({ length: n }, (_, i) =>
      cloudwatch.Alarm.fromAlarmArn(stack, `${prefix}${i}`, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${prefix}-${i}`));
    const fleet = (stack: Stack, alarms: cloudwatch.IAlarm[]) => new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet', alarms });
    const prod = (group: codedeploy.IServerDeploymentGroup, alarms: cloudwatch.IAlarm[]) =>
      ({ environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms(alarms)] }] });
    const groupAlarms = (stack: Stack) => (Object.values(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any)
      .Properties.AlarmConfiguration.Alarms.map((a: any) => a.Name);

    test('more than 10 together is refused, naming the counts (regression: 13 alarms on the group, whose stack failed to deploy)', () => {
      const stack = newStack();
      expect(errorOf(() => pipelineIn(stack, prod(fleet(stack, alarmsOf(stack, 'own', 8)), alarmsOf(stack, 'env', 5))))).toBe(
        "'PipelineStack/Shop': environments[0] ('prod').verification adds 5 alarms to deployment group 'shop-fleet' (deployments[0]), which has 8 of its own: "
        + '13 alarms, more than the 10 CodeDeploy allows on a deployment group (its stack would fail to deploy), got 8 + 5 alarms. '
        + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm), or give the group at most 5 alarms of its own.');
    });

    test('an alarm the group already has counts once', () => {
      const stack = newStack();
      const env = alarmsOf(stack, 'env', 5);
      // 8 of its own, 2 of them the environment's: 3 more would make 11
      expect(errorOf(() => pipelineIn(stack, prod(fleet(stack, [...alarmsOf(stack, 'own', 6), env[0], env[1]]), env)))).toBe(
        "'PipelineStack/Shop': environments[0] ('prod').verification adds 3 alarms to deployment group 'shop-fleet' (deployments[0]), which has 8 of its own: "
        + '11 alarms, more than the 10 CodeDeploy allows on a deployment group (its stack would fail to deploy), got 8 + 3 alarms. '
        + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm), or give the group at most 7 alarms of its own.');
      // 7 of its own, 2 of them the environment's: 10 in all
      const other = newStack();
      const otherEnv = alarmsOf(other, 'env', 5);
      const pipeline = pipelineIn(other, prod(fleet(other, [...alarmsOf(other, 'own', 5), otherEnv[0], otherEnv[1]]), otherEnv));
      expect(groupAlarms(other)).toEqual([0, 1, 2, 3, 4].map(i => `own-${i}`).concat([0, 1, 2, 3, 4].map(i => `env-${i}`)));
      expect(pipeline.describe().environments[0].deployments[0].details.filter(d => d.includes('alarm'))).toEqual([
        "the environment's 3 of 5 alarms added to the deployment group: CodeDeploy stops and rolls back when one fires",
        "2 of the environment's alarms already on the deployment group (its own alarms)",
      ]);
    });

    test('an ECS blue/green group of the app is held to the same limit', () => {
      const stack = newStack();
      const group = blueGreenGroup(stack);
      alarmsOf(stack, 'own', 6).forEach(a => group.addAlarm(a));
      expect(errorOf(() => pipelineIn(stack, {
        environments: [{
          name: 'prod',
          deployments: [DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })],
          verification: [Verification.alarms(alarmsOf(stack, 'env', 5))],
        }],
      }))).toBe("'PipelineStack/Shop': environments[0] ('prod').verification adds 5 alarms to deployment group 'checkout-bg' (deployments[0]), which has 6 of "
        + 'its own: 11 alarms, more than the 10 CodeDeploy allows on a deployment group (its stack would fail to deploy), got 6 + 5 alarms. '
        + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm), or give the group at most 5 alarms of its own.');
    });

    test('alarms added to the group after the pipeline count too: refused at synth (regression: 12 alarms synthesized)', () => {
      const stack = newStack();
      const group = fleet(stack, alarmsOf(stack, 'own', 4));
      pipelineIn(stack, prod(group, alarmsOf(stack, 'env', 5)));
      alarmsOf(stack, 'late', 3).forEach(a => group.addAlarm(a));
      expect(errorOf(() => Template.fromStack(stack))).toContain(
        "'PipelineStack/Shop': environments[0] ('prod').verification adds 5 alarms to deployment group 'shop-fleet' (deployments[0]), which has 7 of its own: "
        + '12 alarms, more than the 10 CodeDeploy allows on a deployment group (its stack would fail to deploy), got 7 + 5 alarms. '
        + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm), or give the group at most 5 alarms of its own.');
    });

    test('alarms added to the group after the pipeline within the limit: the plan counts them among the group\'s own (regression: "on 4 alarms")', () => {
      const stack = newStack();
      const group = fleet(stack, alarmsOf(stack, 'own', 4));
      const pipeline = pipelineIn(stack, prod(group, alarmsOf(stack, 'env', 3)));
      alarmsOf(stack, 'late', 3).forEach(a => group.addAlarm(a));
      expect(groupAlarms(stack)).toHaveLength(10);
      const plan = pipeline.describe().environments[0].deployments[0];
      expect(plan.summary).toBe('CodeDeploy EC2/on-premises · rolling, one instance at a time · auto-rollback on 7 alarms');
      expect(plan.details).toContain("the environment's 3 alarms added to the deployment group: CodeDeploy stops and rolls back when one fires");
    });
  });

  describe('the environment\'s alarms and a group that does not act on them', () => {
    const errors = (stack: Stack) => cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors');
    const setup = (groupProps: Partial<codedeploy.ServerDeploymentGroupProps>) => {
      const stack = newStack();
      const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet', ...groupProps });
      const pipeline = pipelineIn(stack, {
        environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms([errors(stack)])] }],
      });
      const cfn = (Object.values(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any).Properties;
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('groupIgnoresAlarms')).map(w => String(w.entry.data));
      return { deployment: pipeline.describe().environments[0].deployments[0], cfn, warnings };
    };

    test('a group that ignores its alarms: the plan says CodeDeploy does not stop, and the synth warns (regression: "stops and rolls back")', () => {
      const { deployment, cfn, warnings } = setup({ ignoreAlarmConfiguration: true });
      expect(cfn.AlarmConfiguration).toEqual({ Enabled: false, Alarms: [{ Name: 'shop-errors' }] });
      expect(deployment.details).toContain("the environment's 1 alarm added to the deployment group, which ignores its alarms (ignoreAlarmConfiguration): "
        + 'CodeDeploy neither stops nor rolls back when one fires');
      expect(warnings).toEqual(["environments[0] ('prod').deployments[0].deploymentGroup 'shop-fleet' ignores its alarms (ignoreAlarmConfiguration: true): "
        + "CodeDeploy neither stops nor rolls back its deployments when one of the environment's alarms the pipeline adds to it fires. Verification.alarms "
        + 'still checks them after the deployments (in ALARM the stage fails or rolls back). Set ignoreAlarmConfiguration to false when the alarms should '
        + 'stop a deployment again. [ack: delivery-pipeline:groupIgnoresAlarms]']);
    });

    test('a group that does not roll back on alarm: the plan says CodeDeploy stops, without a rollback (regression: "stops and rolls back")', () => {
      const { deployment, cfn, warnings } = setup({ autoRollback: { deploymentInAlarm: false } });
      expect(cfn.AlarmConfiguration).toEqual({ Enabled: true, Alarms: [{ Name: 'shop-errors' }] });
      expect(cfn.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE'] });
      expect(deployment.details).toContain("the environment's 1 alarm added to the deployment group: CodeDeploy stops (no automatic rollback) when one fires");
      expect(warnings).toEqual([]);
    });

    test('the summary says what the group does with alarms of its own', () => {
      const own = (stack: Stack) => [cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-latency')];
      const summaryOf = (groupProps: Partial<codedeploy.ServerDeploymentGroupProps>) => {
        const stack = newStack();
        const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet', alarms: own(stack), ...groupProps });
        return pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)] }] }).describe()
          .environments[0].deployments[0].summary;
      };
      expect(summaryOf({})).toBe('CodeDeploy EC2/on-premises · rolling, one instance at a time · auto-rollback on 1 alarm');
      expect(summaryOf({ autoRollback: { deploymentInAlarm: false } }))
        .toBe('CodeDeploy EC2/on-premises · rolling, one instance at a time · stops on 1 alarm without rolling back · auto-rollback on failure');
      expect(summaryOf({ ignoreAlarmConfiguration: true }))
        .toBe('CodeDeploy EC2/on-premises · rolling, one instance at a time · 1 alarm ignored (ignoreAlarmConfiguration) · auto-rollback on failure');
    });
  });

  describe('the environment\'s alarms and a group of another stack', () => {
    const ENV = { account: '111111111111', region: 'eu-west-1' };
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' });
    const setup = () => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: ENV });
      const group = new codedeploy.ServerDeploymentGroup(new Stack(app, 'Svc', { env: ENV }), 'Fleet', { deploymentGroupName: 'shop-fleet' });
      return { app, stack, group };
    };
    const groupOf = (app: any) => Object.values(Template.fromStack(app.node.findChild('Svc')).findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any;

    test('an alarm of the pipeline\'s stack with a literal name is added by that name (regression: a cycle between the two stacks)', () => {
      const { app, stack, group } = setup();
      const alarm = new cloudwatch.Alarm(stack, 'Errors', { alarmName: 'shop-errors', metric, threshold: 1, evaluationPeriods: 1 });
      pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms([alarm])] }] });
      app.synth();
      expect(groupOf(app).Properties.AlarmConfiguration).toEqual({ Enabled: true, Alarms: [{ Name: 'shop-errors' }] });
    });

    test('an alarm of the pipeline\'s stack with a generated name is left out, and the plan says why (regression: a cycle)', () => {
      const { app, stack, group } = setup();
      const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric, threshold: 1, evaluationPeriods: 1 });
      const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms([alarm])] }] });
      app.synth();
      expect(groupOf(app).Properties.AlarmConfiguration).toEqual({ Enabled: false });
      expect(pipeline.describe().environments[0].deployments[0].details).toContain('1 alarm of another stack with a generated name not added to the deployment group '
        + "(the group's stack would refer to it and the pipeline's stack to the group: give the alarm an alarmName, or define it in the group's stack)");
    });

    test('an alarm of the group\'s own stack is referred to directly', () => {
      const { app, stack, group } = setup();
      const alarm = new cloudwatch.Alarm(Stack.of(group), 'Errors', { metric, threshold: 1, evaluationPeriods: 1 });
      pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)], verification: [Verification.alarms([alarm])] }] });
      app.synth();
      expect(groupOf(app).Properties.AlarmConfiguration).toEqual({ Enabled: true, Alarms: [{ Name: { Ref: expect.stringMatching(/^Errors/) } }] });
    });
  });

  test('fails when the group belongs to a CDK stage (the pipeline\'s stack cannot refer to it; regression: aws-cdk-lib\'s cross-stage error)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const svc = new Stack(new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Svc');
    const group = new codedeploy.ServerDeploymentGroup(svc, 'Fleet', {
      application: new codedeploy.ServerApplication(svc, 'App', { applicationName: 'shop' }), deploymentGroupName: 'shop-fleet',
    });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is a deployment group of stack 'Prod/Svc', in CDK stage 'Prod', not the pipeline's, "
      + "which the pipeline's stack cannot refer to, got 'Prod/Svc/Fleet'. Import it by name in the pipeline's stack: "
      + "codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(pipelineStack, 'Group', { application: codedeploy.ServerApplication.fromServerApplicationName("
      + "pipelineStack, 'App', 'shop'), deploymentGroupName: 'shop-fleet', deploymentConfig }), with the names the stage gives them.");
  });

  test('fails when the group is in another region than the environment', () => {
    const stack = newStack();
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'G', {
      application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'A', 'arn:aws:codedeploy:us-east-1:111111111111:application:shop'),
      deploymentGroupName: 'shop-fleet',
    });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is in region us-east-1, but environment 'prod' deploys to eu-west-1, got 'us-east-1'. Import the deployment group from eu-west-1 (fromServerDeploymentGroupAttributes with that application), or set the environment's region to us-east-1.");
  });

  test('one group deployed by two targets of one environment is refused (regression: CodeDeploy refused the second, parallel deployment)', () => {
    const stack = newStack();
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'G', {
      application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'A', 'arn:aws:codedeploy:eu-west-1:111111111111:application:shop'),
      deploymentGroupName: 'shop-fleet',
    });
    const message = "'PipelineStack/Shop': environments[0] ('prod').deployments[1].deploymentGroup deploys to deployment group 'shop-fleet' of application 'shop', "
      + "which deployments[0] ('shop-fleet') of the same environment deploys to too (the two actions run in parallel, and CodeDeploy refuses a deployment to a group "
      + "while another one is in progress), got 'shop-fleet'. Deploy each deployment group with one target: remove one of the two.";
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group), DeploymentTarget.codeDeployServer(group, { name: 'again' })] }],
    }))).toBe(message);
    // the same group imported twice is the same group
    const other = newStack();
    const twice = ['G1', 'G2'].map(id => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(other, id, {
      application: codedeploy.ServerApplication.fromServerApplicationName(other, `${id}App`, 'shop'),
      deploymentGroupName: 'shop-fleet',
    }));
    expect(errorOf(() => pipelineIn(other, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(twice[0]), DeploymentTarget.codeDeployServer(twice[1], { name: 'again' })] }],
    }))).toBe(message);
  });

  test('a group of the app without a literal name is recognised as the same object', () => {
    const stack = newStack();
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group), DeploymentTarget.codeDeployServer(group, { name: 'again' })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[1].deploymentGroup deploys to the deployment group, which deployments[0] ('Fleet') "
      + 'of the same environment deploys to too (the two actions run in parallel, and CodeDeploy refuses a deployment to a group while another one is in progress), '
      + 'got a deployment group whose name is a token. Deploy each deployment group with one target: remove one of the two.');
  });

  test('one group deployed from two environments is refused (regression: staging deployed the production fleet before the approval)', () => {
    // a group of the app whose name is a token: the same object
    const stack = newStack();
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group)] },
        { name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(group)] },
      ],
    }))).toBe("'PipelineStack/Shop': environments[1] ('prod').deployments[0].deploymentGroup deploys to the deployment group (111111111111/eu-west-1), "
      + "which environments[0] ('staging') deploys to too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') "
      + '(its approval, its entry conditions, the checks in between) are passed, got a deployment group whose name is a token. '
      + 'Give each environment a deployment group of its own, or deploy this one from one environment only.');
    // one group imported twice, by name, is the same group; in any two environments
    const other = newStack();
    const imported = (id: string) => DeploymentTarget.codeDeployServer(
      codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(other, id, {
        application: codedeploy.ServerApplication.fromServerApplicationName(other, `${id}App`, 'shop'),
        deploymentGroupName: 'shop-fleet',
        deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
      }));
    expect(errorOf(() => pipelineIn(other, {
      environments: [
        { name: 'dev', deployments: [imported('G1')] },
        { name: 'qa', deployments: [DeploymentTarget.commands('x', ['x'])] },
        { name: 'staging', deployments: [imported('G2')] },
      ],
    }))).toBe("'PipelineStack/Shop': environments[2] ('staging').deployments[0].deploymentGroup deploys to deployment group 'shop-fleet' of application 'shop' "
      + "(111111111111/eu-west-1), which environments[0] ('dev') deploys to too: each change would reach it in environments[0] ('dev'), before the gates of "
      + "environments[2] ('staging') (its approval, its entry conditions, the checks in between) are passed, got 'shop-fleet'. "
      + 'Give each environment a deployment group of its own, or deploy this one from one environment only.');
  });

  test('a group per environment is taken, also with the same group name in another account or region', () => {
    const stack = newStack();
    const group = (id: string, name: string, account = '111111111111') => DeploymentTarget.codeDeployServer(
      codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, id, {
        application: codedeploy.ServerApplication.fromServerApplicationArn(stack, `${id}App`, `arn:aws:codedeploy:eu-west-1:${account}:application:shop`),
        deploymentGroupName: name,
        deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
      }));
    pipelineIn(stack, {
      environments: [
        { name: 'staging', deployments: [group('Staging', 'shop-fleet-staging')] },
        { name: 'prod', production: true, deployments: [group('Prod', 'shop-fleet-prod')] },
        { name: 'prod-b', account: '222222222222', production: true, deployments: [group('ProdB', 'shop-fleet-prod', '222222222222')] },
      ],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['Approve@1', 'shop-fleet-prod@2']);
    expect(actionsOf(stack, 'prod-b')).toEqual(['Approve@1', 'shop-fleet-prod@2']);
  });

  describe('a group in a stack that names no account or region, deployed from a pipeline stack that does', () => {
    const fix = "Give that stack env: { account: '111111111111', region: 'eu-west-1' }, or import the deployment group with "
      + 'ServerDeploymentGroup.fromServerDeploymentGroupAttributes(...) in a stack that names its account and region.';
    const here: Environment = { account: '111111111111', region: 'eu-west-1' };
    const attempt = (serviceEnv: Environment | undefined, pipelineEnv: Environment | undefined) => {
      const app = newApp();
      const group = new codedeploy.ServerDeploymentGroup(new Stack(app, 'Service', { env: serviceEnv }), 'Fleet');
      const stack = new Stack(app, 'PipelineStack', { env: pipelineEnv });
      pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)] }] });
      return Template.fromStack(stack);
    };

    test('fails naming the stack and the env to give it (regression: aws-cdk-lib\'s "The \'account\' property must be a concrete value")', () => {
      expect(errorOf(() => attempt(undefined, here))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is in a stack that names no account or region, "
        + "so the pipeline (account 111111111111, eu-west-1) cannot tell whether deploying to it crosses accounts or regions, got stack 'Service'. " + fix);
    });

    test('fails for a stack that names its account but no region (regression: a resolution error about a cross-environment resource)', () => {
      expect(errorOf(() => attempt({ account: '111111111111' }, here))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is in a stack that names no region, "
        + "so the pipeline (account 111111111111, eu-west-1) cannot tell whether deploying to it crosses regions, got stack 'Service'. " + fix);
    });

    test('works when neither stack names an environment, or both do', () => {
      for (const t of [attempt(undefined, undefined), attempt(here, here)]) {
        const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
        expect(pipeline.Properties.Stages.find((st: any) => st.Name === 'prod').Actions[0].ActionTypeId.Provider).toBe('CodeDeploy');
      }
    });
  });
});

describe('DeploymentTarget.codeDeployEcs', () => {

  test('the action role\'s iam:PassRole on "*" (aws-cdk-lib\'s grant) is suppressed for cdk-nag with a reason that says which roles it can pass', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })] }] });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p: any) => /prodshopbgCodePipelineActionRole/.test(JSON.stringify(p.Properties.Roles))) as any[];
    expect(flat(policy.Properties.PolicyDocument.Statement)).toContainEqual({
      Action: 'iam:PassRole', Effect: 'Allow', Resource: '*', Condition: { StringEqualsIfExists: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } },
    });
    const reasons = policy.Metadata.cdk_nag.rules_to_suppress.filter((r: any) => r.applies_to?.includes('Resource::*')).map((r: any) => r.reason);
    expect(reasons).toEqual([expect.stringContaining("aws-cdk-lib's iam:PassRole for CodeDeploy ECS blue/green, limited by iam:PassedToService to "
      + 'ecs-tasks.amazonaws.com: the action may pass any role of the account that trusts ecs-tasks.amazonaws.com')]);
    expect(reasons[0]).not.toContain('task roles named in the task definition template');
  });
  test('blue/green with the templates from the build output and the image from the (ECR) source; canary in the plan', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(stack, 'Images', 'shop') }),
      environments: [{
        name: 'prod',
        production: true,
        approval: Approval.manual(),
        deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage: DeploymentArtifact.SOURCE })],
      }],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['Approve@1', 'shop-bg@2']);
    const a = action(stack, 'prod', 'shop-bg');
    expect(a.ActionTypeId.Provider).toBe('CodeDeployToECS');
    expect(a.Configuration).toMatchObject({
      ApplicationName: 'shop',
      DeploymentGroupName: 'shop-bg',
      TaskDefinitionTemplateArtifact: 'BuildOutput',
      TaskDefinitionTemplatePath: 'taskdef.json',
      AppSpecTemplateArtifact: 'BuildOutput',
      AppSpecTemplatePath: 'appspec.yaml',
      Image1ArtifactName: 'Source',
      Image1ContainerName: 'IMAGE1_NAME',
    });
    expect(pipeline.describe().environments[0].deployments[0].summary).toBe('ECS blue/green · canary 10% then all after 5 min');
  });

  test('the image from the source needs an ECR source: no other source has an imageDetail.json (regression: the action failed at run time)', () => {
    const attempt = (source: (stack: Stack) => PipelineSource, containerImage: DeploymentArtifact) => {
      const stack = newStack();
      pipelineIn(stack, {
        source: source(stack),
        environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage })] }],
      });
      return action(stack, 'prod', 'shop-bg').Configuration.Image1ArtifactName;
    };
    const refused = (kind: string) => "'PipelineStack/Shop': environments[0] ('prod').deployments[0].containerImage takes the image from an imageDetail.json in the source "
      + `artifact, which only an ECR source writes, but the pipeline's source is a ${kind} source, got DeploymentArtifact.SOURCE. `
      + "Use PipelineSource.ecr({ repository }) as the pipeline's source, or DeploymentArtifact.BUILD_OUTPUT with the build writing imageDetail.json "
      + '({"ImageURI": "<the image URI>"}) at the root of its output.';
    expect(errorOf(() => attempt(() => gitHub(), DeploymentArtifact.SOURCE))).toBe(refused('GitHub'));
    expect(errorOf(() => attempt(s => PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(s, 'Repo', 'shop') }), DeploymentArtifact.SOURCE)))
      .toBe(refused('CodeCommit'));
    expect(errorOf(() => attempt(s => PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(s, 'Drop', 'shop-drop'), key: 'shop.zip' }), DeploymentArtifact.SOURCE)))
      .toBe(refused('S3'));
    // the image from the build output, with any source
    expect(attempt(() => gitHub(), DeploymentArtifact.BUILD_OUTPUT)).toBe('BuildOutput');
  });

  test('imagePlaceholder is the text inside the angle brackets (regression: \'<IMAGE1_NAME>\' rendered, CodePipeline looked for <<IMAGE1_NAME>>)', () => {
    const attempt = (imagePlaceholder: string) => {
      const stack = newStack();
      pipelineIn(stack, {
        source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(stack, 'Images', 'shop') }),
        environments: [{
          name: 'prod',
          deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), {
            taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage: DeploymentArtifact.SOURCE, imagePlaceholder,
          })],
        }],
      });
      return action(stack, 'prod', 'shop-bg').Configuration.Image1ContainerName;
    };
    const refused = (given: string, inside: string) => "'PipelineStack/Shop': environments[0] ('prod').deployments[0].imagePlaceholder must be the text inside "
      + 'the angle brackets, without them or whitespace (the task definition template writes the placeholder as <IMAGE1_NAME>, and CodePipeline replaces '
      + `'<' + imagePlaceholder + '>' with the image URI, so this one would never match), got '${given}'. Write the text inside the angle brackets: '${inside}'.`;
    expect(errorOf(() => attempt('<IMAGE1_NAME>'))).toBe(refused('<IMAGE1_NAME>', 'IMAGE1_NAME'));
    expect(errorOf(() => attempt('WEB_IMAGE>'))).toBe(refused('WEB_IMAGE>', 'WEB_IMAGE'));
    expect(errorOf(() => attempt('IMAGE 1'))).toBe(refused('IMAGE 1', 'IMAGE1'));
    expect(errorOf(() => attempt(' IMAGE1_NAME'))).toBe(refused(' IMAGE1_NAME', 'IMAGE1_NAME'));
    expect(errorOf(() => attempt('<>'))).toBe(refused('<>', 'IMAGE1_NAME'));
    expect(errorOf(() => attempt('X'.repeat(1001)))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].imagePlaceholder must be at most "
      + "1000 characters (CodePipeline's limit for an action configuration value), got 1001 characters. Use a short placeholder, for example 'IMAGE1_NAME'.");
    expect(attempt('WEB_IMAGE')).toBe('WEB_IMAGE');
    expect(attempt('X'.repeat(1000))).toBe('X'.repeat(1000));
  });

  test('one ECS group deployed from two environments is refused (regression: staging shifted the production traffic before the approval)', () => {
    const stack = newStack();
    const group = importedEcsGroup(stack);
    const target = () => DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'staging', deployments: [target()] }, { name: 'prod', production: true, deployments: [target()] }] })))
      .toBe("'PipelineStack/Shop': environments[1] ('prod').deployments[0].deploymentGroup deploys to deployment group 'shop-bg' of application 'shop' "
        + "(111111111111/eu-west-1), which environments[0] ('staging') deploys to too: each change would reach it in environments[0] ('staging'), before the gates of "
        + "environments[1] ('prod') (its approval, its entry conditions, the checks in between) are passed, got 'shop-bg'. "
        + 'Give each environment a deployment group of its own, or deploy this one from one environment only.');
  });

  test('one ECS group deployed by two targets of one environment is refused', () => {
    const stack = newStack();
    const group = importedEcsGroup(stack);
    const target = (name: string) => DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', name });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [target('blue'), target('green')] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[1].deploymentGroup deploys to deployment group 'shop-bg' of application 'shop', "
      + "which deployments[0] ('blue') of the same environment deploys to too (the two actions run in parallel, and CodeDeploy refuses a deployment to a group "
      + "while another one is in progress), got 'shop-bg'. Deploy each deployment group with one target: remove one of the two.");
  });

  test('the template paths are relative paths inside the build output, written with \'/\' (regression: \'../taskdef.json\' was accepted)', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), { taskDefinitionTemplate: './deploy/taskdef.json', appSpecTemplate: 'deploy/appspec.yaml' })] }],
    });
    expect(action(stack, 'prod', 'shop-bg').Configuration).toMatchObject({ TaskDefinitionTemplatePath: 'deploy/taskdef.json', AppSpecTemplatePath: 'deploy/appspec.yaml' });
    const attempt = (paths: { taskDefinitionTemplate: string; appSpecTemplate: string }) => errorOf(() => {
      const s = newStack();
      pipelineIn(s, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(s), paths)] }] });
    });
    const f = "'PipelineStack/Shop': environments[0] ('prod').deployments[0].";
    expect(attempt({ taskDefinitionTemplate: '../taskdef.json', appSpecTemplate: 'appspec.yaml' })).toBe(`${f}taskDefinitionTemplate must be a relative path inside the build output, `
      + "got '../taskdef.json'. Pass a path such as 'taskdef.json'; the library prefixes the build artifact itself.");
    // regression: the error said that no glob of the build's outputs matched '/taskdef.json'
    expect(attempt({ taskDefinitionTemplate: '/taskdef.json', appSpecTemplate: 'appspec.yaml' })).toBe(`${f}taskDefinitionTemplate must be a relative path inside the build output, `
      + "got '/taskdef.json'. Pass a path such as 'taskdef.json'; the library prefixes the build artifact itself.");
    expect(attempt({ taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'deploy/../../appspec.yaml' })).toBe(`${f}appSpecTemplate must be a relative path inside the build output, `
      + "got 'deploy/../../appspec.yaml'. Pass a path such as 'appspec.yaml'; the library prefixes the build artifact itself.");
    expect(attempt({ taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'deploy\\appspec.yaml' })).toBe(`${f}appSpecTemplate separates directories with '\\', `
      + "but CodePipeline reads paths inside the build artifact with '/' only, got 'deploy\\appspec.yaml'. Pass 'deploy/appspec.yaml'.");
  });

  test('fails when a template is missing', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(importedEcsGroup(stack), { taskDefinitionTemplate: 'taskdef.json' } as any)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].appSpecTemplate must be a string, got undefined. Pass the path of the AppSpec template inside the build output, for example 'appspec.yaml'.");
  });
});

describe('DeploymentTarget.ecs', () => {
  test('rolling update from imagedefinitions.json in the build output', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop');
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceName: 'shop-web' });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service)] }] });
    const a = action(stack, 'staging', 'shop-web');
    expect(a.ActionTypeId.Provider).toBe('ECS');
    expect(a.Configuration).toMatchObject({ ClusterName: 'shop', ServiceName: 'shop-web', FileName: 'imagedefinitions.json' });
  });

  test('services of the app are named after their serviceName, else their construct id (regression: both named \'Ecs\', refused as a clash)', () => {
    const stack = newStack();
    const cluster = new ecs.Cluster(stack, 'Cluster');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const web = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, serviceName: 'web' });
    const worker = new ecs.FargateService(stack, 'Worker', { cluster, taskDefinition });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(web), DeploymentTarget.ecs(worker)] }] });
    expect(actionsOf(stack, 'staging')).toEqual(['web@1', 'Worker@1']);
  });

  test('one service updated from two environments is refused (regression: staging updated the production service before the approval)', () => {
    // a service of the app, its name a token: the same object
    const stack = newStack();
    const cluster = new ecs.Cluster(stack, 'Cluster');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const web = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition });
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(web)] }, { name: 'prod', production: true, deployments: [DeploymentTarget.ecs(web)] }],
    }))).toBe("'PipelineStack/Shop': environments[1] ('prod').deployments[0].service updates the ECS service (111111111111/eu-west-1), which environments[0] ('staging') "
      + "updates too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') (its approval, its entry conditions, "
      + 'the checks in between) are passed, got a service whose name is a token. Give each environment an ECS service of its own, or deploy this one from one environment only.');
    // one service imported twice by its ARN; a service of the same name in another cluster is another service
    const other = newStack();
    const imported = (id: string, clusterName: string) => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(other, id, {
      serviceArn: `arn:aws:ecs:eu-west-1:111111111111:service/${clusterName}/shop-web`,
      cluster: ecs.Cluster.fromClusterArn(other, `${id}Cluster`, `arn:aws:ecs:eu-west-1:111111111111:cluster/${clusterName}`),
    }));
    pipelineIn(other, { environments: [{ name: 'staging', deployments: [imported('A', 'staging')] }, { name: 'prod', deployments: [imported('B', 'prod')] }] });
    expect(errorOf(() => pipelineIn(other, {
      environments: [{ name: 'staging', deployments: [imported('C', 'prod')] }, { name: 'prod', deployments: [imported('D', 'prod')] }],
    }, 'Again'))).toBe("'PipelineStack/Again': environments[1] ('prod').deployments[0].service updates ECS service 'shop-web' of cluster 'prod' (111111111111/eu-west-1), "
      + "which environments[0] ('staging') updates too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') "
      + "(its approval, its entry conditions, the checks in between) are passed, got 'shop-web'. Give each environment an ECS service of its own, "
      + 'or deploy this one from one environment only.');
  });

  test('imageDefinitionsFile is a relative path inside the build output, written with \'/\'', () => {
    const attempt = (imageDefinitionsFile: string) => {
      const stack = newStack();
      const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop');
      const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceName: 'shop-web' });
      pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service, { imageDefinitionsFile })] }] });
      return action(stack, 'staging', 'shop-web').Configuration.FileName;
    };
    expect(attempt('./out/imagedefinitions.json')).toBe('out/imagedefinitions.json');
    const f = "'PipelineStack/Shop': environments[0] ('staging').deployments[0].imageDefinitionsFile";
    // regression: the error said that no glob of the build's outputs matched '/imagedefinitions.json'
    expect(errorOf(() => attempt('/imagedefinitions.json'))).toBe(`${f} must be a relative path inside the build output, got '/imagedefinitions.json'. `
      + "Pass a path such as 'imagedefinitions.json'; the library prefixes the build artifact itself.");
    expect(errorOf(() => attempt('../imagedefinitions.json'))).toBe(`${f} must be a relative path inside the build output, got '../imagedefinitions.json'. `
      + "Pass a path such as 'imagedefinitions.json'; the library prefixes the build artifact itself.");
    // regression: accepted, and the action looked for a file of that name in the artifact's root
    expect(errorOf(() => attempt('out\\imagedefinitions.json'))).toBe(`${f} separates directories with '\\', but CodePipeline reads paths inside the build artifact `
      + "with '/' only, got 'out\\imagedefinitions.json'. Pass 'out/imagedefinitions.json'.");
  });

  test('the plan shows how a service of the app rolls; an imported one keeps its own settings', () => {
    const stack = newStack();
    const cluster = new ecs.Cluster(stack, 'Cluster');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const web = new ecs.FargateService(stack, 'Web', {
      cluster, taskDefinition, minHealthyPercent: 50, maxHealthyPercent: 150, circuitBreaker: { rollback: true },
    });
    const imported = ecs.FargateService.fromFargateServiceAttributes(stack, 'Api', {
      cluster: ecs.Cluster.fromClusterArn(stack, 'ShopCluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop'), serviceName: 'shop-api',
    });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(web, { name: 'Web' }), DeploymentTarget.ecs(imported)] }] });
    expect(pipeline.describe().environments[0].deployments.map(d => d.summary)).toEqual([
      'ECS rolling update · at least 50% of the tasks healthy, up to 150% · circuit breaker rolls back a failed deployment',
      "ECS rolling update · the service's own minimum healthy and maximum percent",
    ]);
  });

  test('deploymentTimeout sets how long CodePipeline waits for a steady state', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop');
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceName: 'shop-web' });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service, { deploymentTimeout: Duration.minutes(15) })] }] });
    expect(action(stack, 'staging', 'shop-web').Configuration.DeploymentTimeout).toBe(15);
    expect(pipeline.describe().environments[0].deployments[0].details).toContain('deployment timeout: 15 min');
  });

  test.each([
    [Duration.seconds(30), '0.5 minutes'],
    [Duration.minutes(90), '90 minutes'],
  ])('deploymentTimeout outside 1 to 60 whole minutes is refused (%#)', (deploymentTimeout, got) => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop');
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceName: 'shop-web' });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service, { deploymentTimeout })] }] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentTimeout must be whole minutes from 1 to 60 (CodePipeline's limits for an ECS deployment), got ${got}. `
      + 'Pass a Duration such as Duration.minutes(15).');
  });

  test('a service that CodeDeploy owns (CODE_DEPLOY controller) is refused: a rolling update cannot deploy it', () => {
    const stack = newStack();
    const cluster = new ecs.Cluster(stack, 'Cluster');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].service uses the CODE_DEPLOY deployment controller, which an ECS rolling update cannot deploy, "
      + "got 'PipelineStack/Web'. Deploy it with DeploymentTarget.codeDeployEcs(deploymentGroup, { taskDefinitionTemplate, appSpecTemplate }), "
      + 'or give the service deploymentController: { type: ecs.DeploymentControllerType.ECS }.');
  });
  test('a service in a stack that names no account, deployed from a pipeline stack that does, is refused', () => {
    const app = newApp();
    const web = new Stack(app, 'Web');
    const cluster = ecs.Cluster.fromClusterArn(web, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop');
    const service = ecs.FargateService.fromFargateServiceAttributes(web, 'Service', { cluster, serviceName: 'shop-web' });
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is in a stack that names no account or region, "
      + "so the pipeline (account 111111111111, eu-west-1) cannot tell whether deploying to it crosses accounts or regions, got stack 'Web'. "
      + "Give that stack env: { account: '111111111111', region: 'eu-west-1' }, or import the service with its ARN "
      + "(FargateService.fromFargateServiceAttributes(this, 'Service', { serviceArn, cluster })) in a stack that names its account and region.");
  });
});

describe('DeploymentTarget.ecs: a pipeline stack without an explicit account', () => {
  test('a service imported by the ARN of an account is refused without a role (regression: aws-cdk-lib\'s "must have an explicitly set account")', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { region: 'eu-west-1' } });
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:222222222222:cluster/shop');
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceArn: 'arn:aws:ecs:eu-west-1:222222222222:service/shop/web' });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is in account 222222222222, but the pipeline's stack names no account, so aws-cdk-lib "
      + "cannot tell whether deploying to it crosses accounts, got account 222222222222. Give the pipeline's stack env: { account: '111111111111', region: 'eu-west-1' } "
      + '(the account and region the pipeline runs in), or pass role: a role of that account.');
  });
});

describe('DeploymentTarget.ecs: a service of a CDK stage', () => {
  test('is refused, saying how to import it (regression: aws-cdk-lib\'s cross-stage error)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const svc = new Stack(new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Svc');
    const vpc = new ec2.Vpc(svc, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
    const taskDefinition = new ecs.FargateTaskDefinition(svc, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const service = new ecs.FargateService(svc, 'Web', { cluster: new ecs.Cluster(svc, 'Cluster', { vpc }), taskDefinition });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is an ECS service of stack 'Prod/Svc', in CDK stage 'Prod', not the pipeline's, "
      + "which the pipeline's stack cannot refer to, got 'Prod/Svc/Web'. Import it by ARN in the pipeline's stack: ecs.FargateService.fromFargateServiceAttributes("
      + "pipelineStack, 'Service', { serviceArn: 'arn:aws:ecs:<region>:<account>:service/<cluster>/<service>', cluster: ecs.Cluster.fromClusterArn(pipelineStack, "
      + "'Cluster', '<cluster ARN>') }), with the names the stage gives them.");
  });
});

describe('DeploymentTarget.ecs: the cluster\'s account', () => {
  const A = '111111111111';
  const B = '222222222222';

  function pipelineStack() {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'] });
    return { app, stack, vpc };
  }

  test('a service imported by its ARN, with a cluster from fromClusterAttributes({ clusterArn }), deploys in the account of its ARN', () => {
    const { app, stack, vpc } = pipelineStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'web', clusterArn: `arn:aws:ecs:eu-west-1:${B}:cluster/web`, vpc });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'S', { serviceArn: `arn:aws:ecs:eu-west-1:${B}:service/web/api`, cluster });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service)] }] });
    const a = action(stack, 'prod', 'api');
    expect(a.ActionTypeId.Provider).toBe('ECS');
    expect(a.Configuration).toEqual({ ClusterName: 'web', ServiceName: 'api', FileName: 'imagedefinitions.json' });
    // the action runs as a role aws-cdk-lib creates in account B, in the pipeline's region
    expect(flat(a.RoleArn)).toMatch(new RegExp(`^arn:aws:iam::${B}:role/`));
    expect(a.Region).toBeUndefined();
    expect(app.synth().stacks.map(st => `${st.id} ${st.environment.account}/${st.environment.region}`).sort())
      .toEqual([`PipelineStack ${A}/eu-west-1`, `cross-account-support-stack-${B} ${B}/eu-west-1`].sort());
    const deployment = pipeline.describe().environments[0].deployments[0];
    expect(deployment.details).toEqual(['image definitions: imagedefinitions.json', `role: created by aws-cdk-lib in account ${B}`]);
  });

  test('a service imported by its ARN, with a cluster from fromClusterAttributes without an ARN, deploys in the account of its ARN', () => {
    const { stack, vpc } = pipelineStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'web', vpc });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'S', { serviceArn: `arn:aws:ecs:eu-west-1:${B}:service/web/api`, cluster });
    pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service)] }] });
    const a = action(stack, 'prod', 'api');
    expect(a.Configuration).toEqual({ ClusterName: 'web', ServiceName: 'api', FileName: 'imagedefinitions.json' });
    expect(flat(a.RoleArn)).toMatch(new RegExp(`^arn:aws:iam::${B}:role/`));
  });

  test('a service imported by name, with a cluster from fromClusterAttributes({ clusterArn }) of another account, is refused', () => {
    const { stack, vpc } = pipelineStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'web', clusterArn: `arn:aws:ecs:eu-west-1:${B}:cluster/web`, vpc });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'S', { serviceName: 'api', cluster });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is in account ${A} (the account of the stack that imports it), `
      + `but its cluster is in account ${B}, got '${A}'. Import the service with its ARN, for example FargateService.fromFargateServiceAttributes(this, 'Service', `
      + `{ serviceArn: 'arn:aws:ecs:eu-west-1:${B}:service/web/api', cluster }).`);
  });

  test('a service imported by name, with a cluster of the app in a stack of another account, is refused', () => {
    const { app, stack } = pipelineStack();
    const clusterStack = new Stack(app, 'ClusterStack', { env: { account: B, region: 'eu-west-1' } });
    const cluster = new ecs.Cluster(clusterStack, 'Cluster', { clusterName: 'web' });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'S', { serviceName: 'api', cluster });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is in account ${A} (the account of the stack that imports it), `
      + `but its cluster is in account ${B}, got '${A}'. Import the service with its ARN, for example FargateService.fromFargateServiceAttributes(this, 'Service', `
      + `{ serviceArn: 'arn:aws:ecs:eu-west-1:${B}:service/<cluster>/api', cluster }).`);
  });
});

describe('ECS blue/green needs the CODE_DEPLOY controller', () => {
  test('a deployment group for a service with the ECS controller is refused at synth, before any pipeline exists (by aws-cdk-lib)', () => {
    // The group cannot be created, so the pipeline never sees it: the error comes from aws-cdk-lib's
    // EcsDeploymentGroup, at synth time. For an imported group the service is not knowable.
    const stack = newStack();
    const cluster = new ecs.Cluster(stack, 'Cluster');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition });
    expect(() => new codedeploy.EcsDeploymentGroup(stack, 'BlueGreen', {
      service,
      blueGreenDeploymentConfig: {} as any,
    })).toThrow(/CODE_DEPLOY deployment controller/);
  });
});

describe('an ECS blue/green group that waits for a person to reroute traffic (deploymentApprovalWaitTime)', () => {
  const target = (group: codedeploy.IEcsDeploymentGroup) =>
    DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' });
  const smoke = [Verification.commands('Smoke', ['bash smoke.sh'])];

  test('is refused under continuous deployment, where nobody decides (regression: accepted, while the plan said no gate waits for a person)', () => {
    const stack = newStack();
    const group = blueGreenGroup(stack, Duration.hours(8));
    expect(errorOf(() => pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [{ name: 'prod', production: true, deployments: [target(group)], verification: smoke }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup waits up to 8 h for a person to reroute traffic to the new tasks "
      + '(its blueGreenDeploymentConfig.deploymentApprovalWaitTime: CodeDeploy shifts no traffic until someone calls ContinueDeployment, and stops the deployment '
      + 'when nobody does), a manual approval ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides; automated checks do), '
      + "got 'checkout-bg'. Remove deploymentApprovalWaitTime from the group's blueGreenDeploymentConfig (CodeDeploy then reroutes traffic as soon as the new "
      + 'tasks are ready) and gate the environment with verification, or use ReleaseMode.CONTINUOUS_DELIVERY.');
  });

  test('under continuous delivery the plan shows the manual reroute; a group without the wait, and an imported group, show none', () => {
    const stack = newStack();
    const group = blueGreenGroup(stack, Duration.minutes(45));
    expect(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup', {
      Properties: { BlueGreenDeploymentConfiguration: { DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 45 } } },
    })).not.toEqual({});
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', production: true, deployments: [target(group)], verification: smoke }] });
    expect(pipeline.describe().environments[0].deployments[0].details).toEqual([
      'waits up to 45 min for a person to reroute traffic (ContinueDeployment); CodeDeploy stops the deployment when nobody does',
      'task definition: taskdef.json',
      'appspec: appspec.yaml',
    ]);
    const other = newStack();
    const continuous = pipelineIn(other, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [{ name: 'prod', production: true, deployments: [target(blueGreenGroup(other)), target(importedEcsGroup(other))], verification: smoke }],
    });
    expect(continuous.describe().environments[0].deployments.flatMap(d => d.details).filter(d => d.includes('reroute'))).toEqual([]);
  });
});

describe('a deployment group of the other kind (TypeScript\'s structural typing lets it through)', () => {
  test('an EC2/on-premises group given to codeDeployEcs, and an ECS group given to codeDeployServer, are refused naming the target to use', () => {
    const stack = newStack();
    const server = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet', deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME });
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(server as any, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is an EC2/on-premises deployment group (its deployment config is for "
      + 'the Server compute platform), but codeDeployEcs deploys ECS services, got shop-fleet. Use DeploymentTarget.codeDeployServer(group).');
    const other = newStack();
    const ecsGroup = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(other, 'Bg', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(other, 'App', 'checkout'),
      deploymentGroupName: 'checkout-bg',
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });
    expect(errorOf(() => pipelineIn(other, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(ecsGroup as any)] }] })))
      .toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is an ECS blue/green deployment group (its deployment config is for "
        + 'the ECS compute platform), but codeDeployServer deploys to EC2/on-premises instances, got checkout-bg. '
        + 'Use DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate, appSpecTemplate }).');
  });

  test('a custom config tells its platform too; a config imported by a name of its own is not judged', () => {
    const stack = newStack();
    const linear = new codedeploy.EcsDeploymentConfig(stack, 'Linear', {
      trafficRouting: new codedeploy.TimeBasedLinearTrafficRouting({ interval: Duration.minutes(1), percentage: 10 }),
    });
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Odd', {
      application: codedeploy.ServerApplication.fromServerApplicationName(stack, 'App', 'shop'),
      deploymentGroupName: 'odd',
      deploymentConfig: linear as any,
    });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)] }] })))
      .toMatch(/deploymentGroup is an ECS blue\/green deployment group \(its deployment config is for the ECS compute platform\)/);
    const named = newStack();
    const byName = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(named, 'ByName', {
      application: codedeploy.ServerApplication.fromServerApplicationName(named, 'App', 'shop'),
      deploymentGroupName: 'shop-canary',
      deploymentConfig: codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(named, 'Custom', 'shop-two-at-a-time'),
    });
    expect(() => pipelineIn(named, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(byName)] }] })).not.toThrow();
  });
});

describe('an imported group without its deployment config', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedGroupConfig')).map(w => String(w.entry.data));
  const fleet = (stack: Stack, deploymentConfig?: codedeploy.IServerDeploymentConfig) => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
    application: codedeploy.ServerApplication.fromServerApplicationName(stack, 'App', 'shop'), deploymentGroupName: 'shop-fleet', deploymentConfig,
  });

  test('EC2/on-premises: the plan says the config is the group\'s own, and the synth warns that the action may read only the assumed one', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleet(stack))] }] });
    const deployment = pipeline.describe().environments[0].deployments[0];
    expect(deployment.summary).toBe('CodeDeploy EC2/on-premises · deployment configuration of the imported group (not known at synth)');
    expect(deployment.details).toContain(
      "deployment config: CodeDeployDefault.OneAtATime assumed (aws-cdk-lib's default for an imported group); the action may read only that one");
    expect(warningsOf(stack)).toEqual([
      "environments[0] ('prod').deployments[0].deploymentGroup 'shop-fleet' is imported with aws-cdk-lib's default deployment configuration "
      + 'CodeDeployDefault.OneAtATime (what ServerDeploymentGroup.fromServerDeploymentGroupAttributes assumes without deploymentConfig), so the pipeline\'s '
      + 'action may read only that configuration (codedeploy:GetDeploymentConfig on its ARN) and fails with an access denied error when the group uses '
      + "another one. If the group's configuration is not CodeDeployDefault.OneAtATime, pass it as deploymentConfig to "
      + 'ServerDeploymentGroup.fromServerDeploymentGroupAttributes (for example codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME, or '
      + "ServerDeploymentConfig.fromServerDeploymentConfigName(this, 'Config', 'my-config') in a stack of the group's account and region). "
      + "If it is, pass it imported by name the same way ('CodeDeployDefault.OneAtATime'), or acknowledge this warning: ServerDeploymentConfig.ONE_AT_A_TIME "
      + 'is the object aws-cdk-lib assumes, so the two cannot be told apart. [ack: delivery-pipeline:importedGroupConfig]',
    ]);
    // what the action may read: the assumed config only
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /prodshopfleetCodePipelineActionRoleDefaultPolicy/.test(id))![1] as any;
    const read = flat(policy.Properties.PolicyDocument.Statement).find((x: any) => x.Action === 'codedeploy:GetDeploymentConfig');
    expect(read.Resource).toBe('arn:aws:codedeploy:eu-west-1:111111111111:deploymentconfig:CodeDeployDefault.OneAtATime');
  });

  test('ECS blue/green: the same, with aws-cdk-lib\'s ECS default', () => {
    const stack = newStack();
    const group = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Bg', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'App', 'checkout'), deploymentGroupName: 'checkout-prod',
    });
    const pipeline = pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })] }],
    });
    const deployment = pipeline.describe().environments[0].deployments[0];
    expect(deployment.summary).toBe('ECS blue/green · deployment configuration of the imported group (not known at synth)');
    expect(deployment.details[0]).toBe(
      "deployment config: CodeDeployDefault.ECSAllAtOnce assumed (aws-cdk-lib's default for an imported group); the action may read only that one");
    const warnings = warningsOf(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("'checkout-prod' is imported with aws-cdk-lib's default deployment configuration CodeDeployDefault.ECSAllAtOnce "
      + '(what EcsDeploymentGroup.fromEcsDeploymentGroupAttributes assumes without deploymentConfig)');
    expect(warnings[0]).toContain('(for example codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES, or '
      + "EcsDeploymentConfig.fromEcsDeploymentConfigName(this, 'Config', 'my-config') in a stack of the group's account and region). "
      + "If it is, pass it imported by name the same way ('CodeDeployDefault.ECSAllAtOnce'), or acknowledge this warning: EcsDeploymentConfig.ALL_AT_ONCE "
      + 'is the object aws-cdk-lib assumes');
  });

  test('another predefined config, a config imported by name, or a group of the app: the plan shows the rollout, no warning', () => {
    const stack = newStack();
    const half = fleet(stack, codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME);
    const byName = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'ByName', {
      application: codedeploy.ServerApplication.fromServerApplicationName(stack, 'ByNameApp', 'shop'),
      deploymentGroupName: 'shop-canary',
      deploymentConfig: codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(stack, 'OneAtATime', 'CodeDeployDefault.OneAtATime'),
    });
    const owned = new codedeploy.ServerDeploymentGroup(stack, 'Owned', { deploymentGroupName: 'shop-owned' });
    const pipeline = pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [half, byName, owned].map(g => DeploymentTarget.codeDeployServer(g)) }],
    });
    expect(pipeline.describe().environments[0].deployments.map(d => d.summary)).toEqual([
      'CodeDeploy EC2/on-premises · rolling, half of the instances at a time',
      'CodeDeploy EC2/on-premises · rolling, one instance at a time',
      'CodeDeploy EC2/on-premises · rolling, one instance at a time · auto-rollback on failure',
    ]);
    expect(warningsOf(stack)).toEqual([]);
  });
});

describe('custom deployment configs', () => {
  test.each([
    [codedeploy.MinimumHealthyHosts.count(2), 'rolling, at least 2 healthy instances'],
    [codedeploy.MinimumHealthyHosts.count(1), 'rolling, at least 1 healthy instance'],
    [codedeploy.MinimumHealthyHosts.percentage(75), 'rolling, at least 75% of the instances healthy'],
    // regression: "rolling, at least 0 healthy instances", counted as a gradual rollout
    [codedeploy.MinimumHealthyHosts.count(0), 'all instances at once'],
    [codedeploy.MinimumHealthyHosts.percentage(0), 'all instances at once'],
  ])('EC2/on-premises: minimum healthy hosts %#', (minimumHealthyHosts, text) => {
    const stack = newStack();
    const deploymentConfig = new codedeploy.ServerDeploymentConfig(stack, 'Config', { minimumHealthyHosts });
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentConfig });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group)] }] });
    const d = pipeline.describe().environments[0].deployments[0];
    expect(d.summary).toBe(`CodeDeploy EC2/on-premises · ${text} · auto-rollback on failure`);
    expect(d.gradual).toBe(!text.startsWith('all'));
  });

  test('ECS blue/green: a custom canary and a custom linear config', () => {
    const stack = newStack();
    const canary = new codedeploy.EcsDeploymentConfig(stack, 'Canary', {
      trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({ interval: Duration.minutes(15), percentage: 5 }),
    });
    const linear = new codedeploy.EcsDeploymentConfig(stack, 'Linear', {
      trafficRouting: new codedeploy.TimeBasedLinearTrafficRouting({ interval: Duration.minutes(2), percentage: 20 }),
    });
    const app = codedeploy.EcsApplication.fromEcsApplicationArn(stack, 'App', 'arn:aws:codedeploy:eu-west-1:111111111111:application:shop');
    const group = (name: string, deploymentConfig: codedeploy.IEcsDeploymentConfig) =>
      codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, name, { application: app, deploymentGroupName: name, deploymentConfig });
    const templates = { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' };
    const pipeline = pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.codeDeployEcs(group('web', canary), templates), DeploymentTarget.codeDeployEcs(group('api', linear), templates)],
      }],
    });
    expect(pipeline.describe().environments[0].deployments.map(d => d.summary)).toEqual([
      'ECS blue/green · canary 5% then all after 15 min',
      'ECS blue/green · linear 20% every 2 min',
    ]);
  });
});

describe('describeDeploymentConfig', () => {
  test.each([
    ['CodeDeployDefault.OneAtATime', 'rolling, one instance at a time'],
    ['CodeDeployDefault.AllAtOnce', 'all instances at once'],
    ['CodeDeployDefault.ECSLinear10PercentEvery1Minutes', 'linear 10% every 1 min'],
    ['CodeDeployDefault.LambdaLinear10PercentEvery1Minute', 'linear 10% every 1 min'],
    ['CodeDeployDefault.LambdaLinear10PercentEvery10Minutes', 'linear 10% every 10 min'],
    ['CodeDeployDefault.LambdaCanary10Percent15Minutes', 'canary 10% then all after 15 min'],
    ['CodeDeployDefault.ECSCanary10Percent5Minutes', 'canary 10% then all after 5 min'],
    ['my-config', 'deployment config my-config'],
  ])('%s', (name, text) => {
    expect(describeDeploymentConfig(name)).toBe(text);
  });
});

describe('a deployment config the app defines, in a stack of another account or region than the group\'s', () => {
  test.each([
    ['without a name (regression: aws-cdk-lib\'s CannotUseCrossEnvironment resolution error)', undefined],
    ['with a name (regression: the role was granted the config of the pipeline\'s account, which the group\'s account does not have)', 'shop-two'],
  ])('is refused at synth, %s', (_name, deploymentConfigName) => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const config = new codedeploy.ServerDeploymentConfig(stack, 'Cfg', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(1), deploymentConfigName });
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
      application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', 'arn:aws:codedeploy:eu-west-1:222222222222:application:shop'),
      deploymentGroupName: 'shop-fleet',
      deploymentConfig: config,
    });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.codeDeployServer(group)] }] })))
      .toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup has a deploymentConfig defined in stack PipelineStack "
        + '(account 111111111111, eu-west-1), but the group is in account 222222222222, eu-west-1: CodeDeploy reads a group\'s deployment configuration '
        + 'in the group\'s own account and region, so the deployment would use a config that does not exist there (or fail to synthesize, for a config '
        + 'without a name), got \'PipelineStack/Cfg\'. Define the config in a stack of the group\'s account and region '
        + "(env: { account: '222222222222', region: 'eu-west-1' }), or import it there by name with "
        + "codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(groupStack, 'Config', 'my-config').");
  });

  test('a config the app defines in the group\'s own stack passes, and the action may read it', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const groupStack = new Stack(app, 'FleetStack', { env: { account: '222222222222', region: 'eu-west-1' } });
    const config = new codedeploy.ServerDeploymentConfig(groupStack, 'Cfg', {
      minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(1), deploymentConfigName: 'shop-two',
    });
    const group = new codedeploy.ServerDeploymentGroup(groupStack, 'Fleet', {
      application: new codedeploy.ServerApplication(groupStack, 'App', { applicationName: 'shop' }), deploymentConfig: config, deploymentGroupName: 'shop-fleet',
    });
    pipelineIn(stack, { environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.codeDeployServer(group)] }] });
    const statements = Object.values<any>(Template.fromStack(groupStack).findResources('AWS::IAM::Policy'))
      .flatMap(p => flat(p.Properties.PolicyDocument.Statement)).filter((st: any) => JSON.stringify(st.Action).includes('GetDeploymentConfig'));
    // the role is in the group's stack (account 222222222222, eu-west-1): its own Region and account
    expect(statements.map((st: any) => st.Resource)).toEqual([
      expect.stringMatching(/^arn:aws:codedeploy:<AWS::Region>:<AWS::AccountId>:deploymentconfig:<Cfg[0-9A-F]{8}>$/),
    ]);
  });
});

describe('a deployment config imported by name in a stack of another account or region than the group\'s', () => {
  const A = '111111111111';
  const B = '222222222222';
  /** A group of `account` and `region` imported by its application's ARN into the pipeline's stack, with a config imported by name in `configStack`. */
  function deployment(kind: 'Server' | 'Ecs', account: string, region: string, configStack?: (app: Stack) => Stack) {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' } });
    const scope = configStack?.(stack) ?? stack;
    const target = kind === 'Server'
      ? DeploymentTarget.codeDeployServer(codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
        application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', `arn:aws:codedeploy:${region}:${account}:application:shop`),
        deploymentGroupName: 'shop-fleet',
        deploymentConfig: codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(scope, 'Config', 'shop-two-at-a-time'),
      }))
      : DeploymentTarget.codeDeployEcs(codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Web', {
        application: codedeploy.EcsApplication.fromEcsApplicationArn(stack, 'App', `arn:aws:codedeploy:${region}:${account}:application:shop`),
        deploymentGroupName: 'shop-web',
        deploymentConfig: codedeploy.EcsDeploymentConfig.fromEcsDeploymentConfigName(scope, 'Config', 'shop-canary'),
      }), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' });
    return { app, stack, run: () => pipelineIn(stack, { environments: [{ name: 'prod', account, region, deployments: [target] }] }) };
  }

  test.each([
    ['Server', 'another account', B, 'eu-west-1', 'shop-two-at-a-time'],
    ['Server', 'another region', A, 'us-east-1', 'shop-two-at-a-time'],
    ['Ecs', 'another account and region', B, 'us-east-1', 'shop-canary'],
  ] as const)('%s, %s: refused at synth (the action\'s role could read only the config of the importing stack\'s account and region)', (kind, _where, account, region, name) => {
    expect(errorOf(deployment(kind, account, region).run)).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup has a deploymentConfig whose ARN names account 111111111111, eu-west-1, "
      + `but the group is in account ${account}, ${region}: a config imported by name (${kind}DeploymentConfig.from${kind}DeploymentConfigName) takes the account `
      + 'and region of the stack it is imported in, and aws-cdk-lib grants the action\'s role codedeploy:GetDeploymentConfig on that ARN only, so the deployment '
      + `would fail with an access denied error, got arn:aws:codedeploy:eu-west-1:111111111111:deploymentconfig:${name}. `
      + `Import the config in a stack of the group's account and region (env: { account: '${account}', region: '${region}' }): `
      + `codedeploy.${kind}DeploymentConfig.from${kind}DeploymentConfigName(groupStack, 'Config', '${name}'), or pass role: a role of account ${account} `
      + `that may call codedeploy:GetDeploymentConfig on arn:aws:codedeploy:${region}:${account}:deploymentconfig:${name}.`);
  });

  test('imported in a stack of the group\'s account and region: the role aws-cdk-lib creates there may read that config', () => {
    const { app, run } = deployment('Server', B, 'us-east-1', stack => {
      const shopB = new Stack(stack.node.scope as any, 'ShopB', { env: { account: B, region: 'us-east-1' } });
      new CfnResource(shopB, 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' }); // newer aws-cdk-lib versions refuse an empty stack
      return shopB;
    });
    run();
    const statements = app.synth().stacks.flatMap(s => Object.values<any>(s.template.Resources ?? {}))
      .filter(r => r.Type === 'AWS::IAM::Policy').flatMap(r => flat(r.Properties.PolicyDocument.Statement))
      .filter((st: any) => st.Action === 'codedeploy:GetDeploymentConfig');
    expect(statements).toEqual([
      { Action: 'codedeploy:GetDeploymentConfig', Effect: 'Allow', Resource: `arn:aws:codedeploy:us-east-1:${B}:deploymentconfig:shop-two-at-a-time` },
    ]);
  });

  test('a role given to the deployment is the user\'s to grant: not refused', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' } });
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
      application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', `arn:aws:codedeploy:eu-west-1:${B}:application:shop`),
      deploymentGroupName: 'shop-fleet',
      deploymentConfig: codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(stack, 'Config', 'shop-two-at-a-time'),
    });
    const role = iam.Role.fromRoleArn(stack, 'DeployRole', `arn:aws:iam::${B}:role/shop-deploy`, { mutable: false });
    expect(() => pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(group, { role })] }] })).not.toThrow();
  });
});

describe('one deployment group, ECS service or Lambda alias deployed by two pipelines of the app', () => {
  const fleet = (scope: Stack, id: string, account = '111111111111') => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(scope, id, {
    application: codedeploy.ServerApplication.fromServerApplicationArn(scope, `${id}App`, `arn:aws:codedeploy:eu-west-1:${account}:application:shop`),
    deploymentGroupName: 'shop-fleet',
    deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
  });

  test('one group object is refused in a second pipeline, naming both pipelines (regression: each pipeline undid the other\'s deployments)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const group = new codedeploy.ServerDeploymentGroup(stack, 'Fleet');
    pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(group)] }] }, 'Shop');
    const other = new Stack(app, 'Hotfixes', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => pipelineIn(other, { environments: [{ name: 'hotfix', deployments: [DeploymentTarget.codeDeployServer(group)] }] }, 'Hotfix')))
      .toBe("'Hotfixes/Hotfix': environments[0] ('hotfix').deployments[0].deploymentGroup deploys to the deployment group (111111111111/eu-west-1), "
        + "which the pipeline 'PipelineStack/Shop' deploys to too: each pipeline would deploy its own changes to it, replacing the other's, without the other's "
        + 'approvals and checks, got a deployment group whose name is a token. Deploy it from one pipeline only: remove it from one of the two, '
        + 'or give each pipeline a deployment group of its own.');
  });

  test('one group imported into each pipeline\'s stack is the same group by its literal names; another account\'s group of the same names is not', () => {
    const app = newApp();
    const first = new Stack(app, 'First', { env: { account: '111111111111', region: 'eu-west-1' } });
    // a pipeline in a CDK stage of the same app: the registry is the app's
    const second = new Stack(new Stage(app, 'Tools'), 'Second', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(first, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleet(first, 'Fleet'))] }] }, 'Shop');
    pipelineIn(second, { environments: [{ name: 'prod-b', account: '222222222222', deployments: [DeploymentTarget.codeDeployServer(fleet(second, 'FleetB', '222222222222'))] }] }, 'ShopB');
    expect(errorOf(() => pipelineIn(second, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleet(second, 'Fleet'))] }] }, 'Again')))
      .toBe("'Tools/Second/Again': environments[0] ('prod').deployments[0].deploymentGroup deploys to deployment group 'shop-fleet' of application 'shop' "
        + "(111111111111/eu-west-1), which the pipeline 'First/Shop' deploys to too: each pipeline would deploy its own changes to it, replacing the other's, "
        + "without the other's approvals and checks, got 'shop-fleet'. Deploy it from one pipeline only: remove it from one of the two, "
        + 'or give each pipeline a deployment group of its own.');
  });

  test('two imports whose names are tokens cannot be told apart at synth: not refused', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const byToken = (id: string) => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, id, {
      application: codedeploy.ServerApplication.fromServerApplicationName(stack, `${id}App`, 'shop'),
      deploymentGroupName: Fn.importValue('FleetName'),
      deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
    });
    pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(byToken('A'), { name: 'Fleet' })] }] }, 'Shop');
    expect(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(byToken('B'), { name: 'Fleet' })] }] }, 'Again'))
      .not.toThrow();
  });

  test('an ECS blue/green group and an ECS service (rolling) are refused the same way', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bg = importedEcsGroup(stack);
    const target = () => DeploymentTarget.codeDeployEcs(bg, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' });
    pipelineIn(stack, { environments: [{ name: 'prod', deployments: [target()] }] }, 'Shop');
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [target()] }] }, 'Again')))
      .toBe("'PipelineStack/Again': environments[0] ('prod').deployments[0].deploymentGroup deploys to deployment group 'shop-bg' of application 'shop' "
        + "(111111111111/eu-west-1), which the pipeline 'PipelineStack/Shop' deploys to too: each pipeline would deploy its own changes to it, replacing the other's, "
        + "without the other's approvals and checks, got 'shop-bg'. Deploy it from one pipeline only: remove it from one of the two, "
        + 'or give each pipeline a deployment group of its own.');
    const service = (id: string) => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(stack, id, {
      serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/shop/shop-web',
      cluster: ecs.Cluster.fromClusterArn(stack, `${id}Cluster`, 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop'),
    }));
    pipelineIn(stack, { environments: [{ name: 'prod', deployments: [service('Web')] }] }, 'WebPipeline');
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', deployments: [service('WebAgain')] }] }, 'WebPipelineAgain')))
      .toBe("'PipelineStack/WebPipelineAgain': environments[0] ('prod').deployments[0].service updates ECS service 'shop-web' of cluster 'shop' (111111111111/eu-west-1), "
        + "which the pipeline 'PipelineStack/WebPipeline' updates too: each pipeline would deploy its own changes to it, replacing the other's, without the other's "
        + "approvals and checks, got 'shop-web'. Deploy it from one pipeline only: remove it from one of the two, or give each pipeline an ECS service of its own.");
  });
});
