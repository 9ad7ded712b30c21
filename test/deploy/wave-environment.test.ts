import { Aspects, CfnOutput, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { OrdersServiceStage } from '../../examples/cdk-stage/service-stage';
import { DeliveryPipeline, DeliveryPolicy, DeploymentTarget, PolicyRule, ReleaseMode, Verification } from '../../src';
import { errorOf, flat, newApp, props } from '../util';

/**
 * A CDK Pipelines wave across accounts and regions, as one environment: an environment that names
 * no account or region deploys each CDK stage where its stacks say, all in parallel, after its one
 * approval.
 */
function wave(reportPolicyViolations = false) {
  const app = newApp();
  // read the policy's error annotations instead of failing the synth on them
  if (reportPolicyViolations) app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
  const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const staging = new OrdersServiceStage(app, 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } });
  const prodEu = new OrdersServiceStage(app, 'ProdEu', { env: { account: '222222222222', region: 'eu-west-1' } });
  const prodUs = new OrdersServiceStage(app, 'ProdUs', { env: { account: '333333333333', region: 'us-east-1' } });
  return { app, stack, staging, prodEu, prodUs };
}

function pipelineOf(stack: Stack): any {
  return Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
}

/** A stage with one stack, named `stackName` when given. */
function smallStage(app: Stage, id: string, where: { account: string; region: string }, stackName?: string): Stage {
  const stage = new Stage(app, id, { env: where });
  new ssm.StringParameter(new Stack(stage, 'Api', { stackName }), 'Setting', { stringValue: 'x' });
  return stage;
}

describe('an environment that deploys stages of several accounts and regions (a wave)', () => {
  test('deploys each stage where its stacks are, in parallel, after the environment\'s one approval, and verifies once all deployed', () => {
    const { stack, staging, prodEu, prodUs } = wave();
    new DeliveryPipeline(stack, 'Orders', props({
      releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] },
        {
          name: 'prod',
          production: true,
          deployments: [DeploymentTarget.cdkStage(prodEu), DeploymentTarget.cdkStage(prodUs)],
          verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'])],
        },
      ],
    }));
    const prod = pipelineOf(stack).Properties.Stages.find((s: any) => s.Name === 'prod');
    expect(prod.Actions.map((a: any) => `${a.Name}@${a.RunOrder} ${a.Region ?? '-'} ${flat(a.RoleArn)}`)).toEqual([
      'Approve@1 - <OrdersApprovalRole603AEE15.Arn>',
      'orders-data-prodeu.Prepare@2 eu-west-1 arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1',
      'orders-data-prodeu.Deploy@3 eu-west-1 arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1',
      'orders-api-prodeu.Prepare@4 eu-west-1 arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1',
      'orders-api-prodeu.Deploy@5 eu-west-1 arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1',
      'orders-data-produs.Prepare@2 us-east-1 arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1',
      'orders-data-produs.Deploy@3 us-east-1 arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1',
      'orders-api-produs.Prepare@4 us-east-1 arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1',
      'orders-api-produs.Deploy@5 us-east-1 arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1',
      'Smoke@6 - <OrdersCodeBuildActionRole7F62DEBE.Arn>',
    ]);
    // CloudFormation runs each change set as the execution role of the stack's own account and region
    expect(flat(prod.Actions[5].Configuration.RoleArn)).toBe('arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-us-east-1');
    // the us-east-1 actions read the artifacts from aws-cdk-lib's replication bucket there
    expect(pipelineOf(stack).Properties.ArtifactStores.map((s: any) => s.Region).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  test('the artifacts are encrypted with a key the stages\' accounts may use, and the assets published to each account and region', () => {
    const { app, stack, prodEu, prodUs } = wave();
    new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.cdkStage(prodEu), DeploymentTarget.cdkStage(prodUs)] }],
    }));
    const template = Template.fromStack(stack);
    const keyPolicy = flat((Object.values(template.findResources('AWS::KMS::Key'))[0] as any).Properties.KeyPolicy.Statement);
    const keyPrincipals = keyPolicy.flatMap((s: any) => [s.Principal?.AWS].flat()).filter((p: unknown) => typeof p === 'string' && /deploy-role/.test(p as string));
    expect(keyPrincipals).toEqual(expect.arrayContaining(['arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1']));
    const support = app.synth().getStackByName('PipelineStack-support-us-east-1').template;
    expect(JSON.stringify(support)).toContain(':iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1');
    const assume = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => /^OrdersAssetsProjectRole/.test(id))
      .flatMap(([, p]) => flat((p as any).Properties.PolicyDocument.Statement)).find((s: any) => s.Action === 'sts:AssumeRole');
    expect(assume.Resource).toEqual([
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1',
      'arn:aws:iam::333333333333:role/cdk-hnb659fds-file-publishing-role-333333333333-us-east-1',
    ]);
  });

  test('the plan names each stage\'s account and region, and the policy rules check them', () => {
    const { app, stack, prodEu, prodUs } = wave(true);
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.cdkStage(prodEu), DeploymentTarget.cdkStage(prodUs)] }],
    }));
    const prod = pipeline.describe().environments[0];
    expect(prod.gates.map(g => g.kind)).toEqual(['manual-approval']);
    expect(prod.deployments.map(d => [d.name, d.account, d.region])).toEqual([['ProdEu', '222222222222', undefined], ['ProdUs', '333333333333', 'us-east-1']]);
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.allowedRegions(['eu-west-1']), PolicyRule.allowedAccounts(['111111111111', '222222222222'])] }));
    app.synth();
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data)).toEqual([
      "[policy allowed-regions] pipeline 'PipelineStack/Orders': environment 'prod' 'ProdUs' deploys to region us-east-1, which is not one of eu-west-1; deploy to one of them",
      "[policy allowed-accounts] pipeline 'PipelineStack/Orders': environment 'prod' 'ProdUs' deploys to account 333333333333, which is not one of 111111111111, 222222222222; deploy to one of them",
    ]);
  });

  test('an environment that names its account deploys stages of several regions of that account', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const eu = smallStage(app, 'ProdEu', { account: '222222222222', region: 'eu-west-1' });
    const us = smallStage(app, 'ProdUs', { account: '222222222222', region: 'us-east-1' });
    new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', production: true, account: '222222222222', deployments: [DeploymentTarget.cdkStage(eu), DeploymentTarget.cdkStage(us)] }],
    }));
    const prod = pipelineOf(stack).Properties.Stages.find((s: any) => s.Name === 'prod');
    expect(prod.Actions.map((a: any) => `${a.Name}@${a.RunOrder} ${a.Region}`)).toEqual([
      'Approve@1 undefined', 'ProdEu-Api.Prepare@2 eu-west-1', 'ProdEu-Api.Deploy@3 eu-west-1', 'ProdUs-Api.Prepare@2 us-east-1', 'ProdUs-Api.Deploy@3 us-east-1',
    ]);
  });

  test('a stage of another account or region than the environment names is refused, naming both ways out', () => {
    const { stack, prodUs } = wave();
    const F = "'PipelineStack/Orders': environments[0] ('prod').deployments[0].stage";
    const WAVE = 'An environment that names no account (region) deploys each stage to the account (region) its stacks name, so stages of several accounts '
      + 'or regions (a wave across them) deploy in parallel in one environment, after its one approval.';
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', account: '333333333333', region: 'eu-west-1', deployments: [DeploymentTarget.cdkStage(prodUs)] }],
    })))).toBe(`${F} holds stack 'orders-data-produs' for region us-east-1, but environment 'prod' deploys to region eu-west-1, got 'us-east-1'. `
      + `Give the stage env: { region: 'eu-west-1' }, or leave the environment's region out. ${WAVE}`);
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders2', props({
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cdkStage(prodUs)] }],
    })))).toBe(`${F.replace('Orders', 'Orders2')} holds stack 'orders-data-produs' for account 333333333333, but environment 'prod' deploys to account 222222222222, `
      + `got '333333333333'. Give the stage env: { account: '222222222222' }, or leave the environment's account out. ${WAVE}`);
  });

  test('one stage with stacks of two accounts is refused: a CDK stage target deploys to one account and one region', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Prod', { env: { region: 'eu-west-1' } });
    new ssm.StringParameter(new Stack(stage, 'Data', { env: { account: '222222222222', region: 'eu-west-1' } }), 'Setting', { stringValue: 'x' });
    new ssm.StringParameter(new Stack(stage, 'Api', { env: { account: '333333333333', region: 'eu-west-1' } }), 'Setting', { stringValue: 'x' });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] })))).toBe(
      "'PipelineStack/Orders': environments[0] ('prod').deployments[0].stage holds stacks for 2 accounts (333333333333, 222222222222), but a CDK stage target "
      + "deploys to one account, got 'Prod'. Split the stage into one stage per account, and deploy them from one environment that names no account "
      + '(its targets deploy in parallel, each where its stacks say) or from one environment each.');
  });

  test('two stages whose stacks share a name in two regions: the actions are named after stage and stack, and tests read each stack\'s outputs', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const eu = smallStage(app, 'ProdEu', { account: '222222222222', region: 'eu-west-1' }, 'shop-api');
    const us = smallStage(app, 'ProdUs', { account: '222222222222', region: 'us-east-1' }, 'shop-api');
    const urlOf = (stage: Stage) => new CfnOutput(stage.node.findChild('Api'), 'Url', { value: 'https://example.com' });
    const euUrl = urlOf(eu);
    const usUrl = urlOf(us);
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({
      environments: [{
        name: 'prod',
        production: true,
        deployments: [DeploymentTarget.cdkStage(eu), DeploymentTarget.cdkStage(us)],
        verification: [
          Verification.commands('Smoke', ['bash scripts/smoke.sh'], { envFromCfnOutputs: { EU_URL: euUrl, US_URL: usUrl } }),
          Verification.commands('Probe', ['bash scripts/probe.sh'], { envFromStackOutputs: { URL: 'ProdUs.shop-api.Url' } }),
        ],
      }],
    }));
    const prod = pipelineOf(stack).Properties.Stages.find((s: any) => s.Name === 'prod');
    expect(prod.Actions.map((a: any) => `${a.Name}@${a.RunOrder} ${a.Region ?? '-'} ${a.Namespace ?? '-'} ${a.Configuration.StackName ?? ''}`.trim())).toEqual([
      'Approve@1 - -',
      'ProdEu.shop-api.Prepare@2 eu-west-1 - shop-api',
      'ProdEu.shop-api.Deploy@3 eu-west-1 prod@ProdEu_shop-api-ecf3ffbc shop-api',
      'ProdUs.shop-api.Prepare@2 us-east-1 - shop-api',
      'ProdUs.shop-api.Deploy@3 us-east-1 prod@ProdUs_shop-api-517dcec4 shop-api',
      'Smoke@4 - -',
      'Probe@4 - -',
    ]);
    const variables = (name: string) => JSON.parse(prod.Actions.find((a: any) => a.Name === name).Configuration.EnvironmentVariables);
    expect(variables('Smoke')).toEqual([
      { name: 'EU_URL', type: 'PLAINTEXT', value: '#{prod@ProdEu_shop-api-ecf3ffbc.Url}' },
      { name: 'US_URL', type: 'PLAINTEXT', value: '#{prod@ProdUs_shop-api-517dcec4.Url}' },
    ]);
    expect(variables('Probe')).toEqual([{ name: 'URL', type: 'PLAINTEXT', value: '#{prod@ProdUs_shop-api-517dcec4.Url}' }]);
    expect(pipeline.describe().environments[0].deployments.map(d => d.name)).toEqual(['ProdEu', 'ProdUs']);
    // the stack's name alone names neither
    const other = newApp();
    const otherStack = new Stack(other, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const [eu2, us2] = [smallStage(other, 'ProdEu', { account: '222222222222', region: 'eu-west-1' }, 'shop-api'), smallStage(other, 'ProdUs', { account: '222222222222', region: 'us-east-1' }, 'shop-api')];
    urlOf(eu2);
    urlOf(us2);
    expect(errorOf(() => new DeliveryPipeline(otherStack, 'Orders', props({
      environments: [{
        name: 'prod',
        production: true,
        deployments: [DeploymentTarget.cdkStage(eu2), DeploymentTarget.cdkStage(us2)],
        verification: [Verification.commands('Probe', ['bash scripts/probe.sh'], { envFromStackOutputs: { URL: 'shop-api.Url' } })],
      }],
    })))).toBe("'PipelineStack/Orders': environments[0] ('prod').verification[0].envFromStackOutputs.URL names stack 'shop-api', which 2 targets of environment 'prod' "
      + "deploy ('ProdEu.shop-api', 'ProdUs.shop-api'), got 'shop-api.Url'. Name the target whose output it is: 'ProdEu.shop-api.Url' or 'ProdUs.shop-api.Url'.");
  });

  test('a stack name too long for its action names with the stage name before it is refused, naming the room left', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const name = 'a'.repeat(88);
    const eu = smallStage(app, 'ProdEu', { account: '222222222222', region: 'eu-west-1' }, name);
    const us = smallStage(app, 'ProdUs', { account: '222222222222', region: 'us-east-1' }, name);
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.cdkStage(eu), DeploymentTarget.cdkStage(us)] }],
    })))).toBe('\'PipelineStack/Orders\': environments[0] (\'prod\').deployments[0].stage must be at most 100 characters (CodePipeline\'s limit for an action name), '
      + `got 'ProdEu.${name}.Prepare'. The actions are named after the stack '${name}' (the stage name, "ProdEu", stack name and '.Prepare'): give that stack a `
      + "stackName of at most 85 characters from A-Z, a-z, 0-9 and '-' (new Stack(stage, id, { stackName }), or a shorter stage or stack id).");
  });

  test('continuous deployment across regions: the alarms of every region bake the release, each read in its region, and a failure rolls back the whole wave', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const regional = (id: string, region: string) => {
      const stage = new Stage(app, id, { env: { account: '333333333333', region } });
      const api = new Stack(stage, 'Api');
      const queue = new sqs.Queue(api, 'Orders', { enforceSSL: true });
      const alarm = new cloudwatch.Alarm(api, 'Backlog', {
        metric: queue.metricApproximateNumberOfMessagesVisible(), threshold: 100, evaluationPeriods: 1, alarmName: `orders-backlog-${region}`,
      });
      return { stage, alarm };
    };
    const eu = regional('ProdEu', 'eu-west-1');
    const us = regional('ProdUs', 'us-east-1');
    new DeliveryPipeline(stack, 'Orders', props({
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [{
        name: 'prod',
        production: true,
        deployments: [DeploymentTarget.cdkStage(eu.stage), DeploymentTarget.cdkStage(us.stage)],
        verification: [Verification.alarms([eu.alarm, us.alarm], {
          bakeTime: Duration.minutes(30), role: iam.Role.fromRoleArn(stack, 'AlarmReader', 'arn:aws:iam::333333333333:role/alarm-reader'),
        })],
      }],
    }));
    const prod = pipelineOf(stack).Properties.Stages.find((s: any) => s.Name === 'prod');
    expect(prod.Actions.map((a: any) => a.Name)).not.toContain('Approve');
    expect(prod.OnSuccess.Conditions).toEqual([{
      Result: 'ROLLBACK',
      Rules: ['eu-west-1', 'us-east-1'].map((region, i) => ({
        Name: `prod.BakeAlarm${i === 0 ? '' : 2}`,
        ...(region === 'us-east-1' ? { Region: 'us-east-1' } : {}),
        RoleArn: 'arn:aws:iam::333333333333:role/alarm-reader',
        RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
        Configuration: { AlarmName: `orders-backlog-${region}`, AlarmStates: 'ALARM', WaitTime: '30' },
      })),
    }]);
    expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });
});
