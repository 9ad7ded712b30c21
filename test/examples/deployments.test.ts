import { Aspects, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ordersCdkApp } from '../../examples/cdk-stage/pipeline-stack';
import { InventoryPipelineStack } from '../../examples/ec2-rolling/pipeline-stack';
import { CheckoutPipelineStack } from '../../examples/ecs-canary/pipeline-stack';
import { WebhooksPipelineStack } from '../../examples/lambda-canary/pipeline-stack';
import { storefrontApp } from '../../examples/private-network/pipeline-stack';
import { buildSpecOf, newApp } from '../util';

const env = { account: '111111111111', region: 'eu-west-1' };

function nagFindings(stacks: Stack[]): string[] {
  return stacks.flatMap(s => [
    ...Annotations.fromStack(s).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map(m => `${m.id}: ${String(m.entry.data).slice(0, 120)}`));
}

function stagesOf(stack: Stack): string[] {
  const p = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
  return p.Properties.Stages.map((s: any) => `${s.Name}: ${s.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`).join(' ')}`);
}

describe('examples/ec2-rolling', () => {
  test('cdk-nag clean; staging all at once, prod half at a time behind the default approval', () => {
    const app = newApp();
    const stack = new InventoryPipelineStack(app, 'InventoryPipeline', { env });
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(nagFindings([stack])).toEqual([]);
    expect(stagesOf(stack)).toEqual(['Source: Source@1', 'Build: Build@1', 'Checks: DependencyAudit@1', 'staging: inventory-staging@1 Smoke@2', 'prod: Approve@1 inventory-prod@2']);
    const plan = stack.delivery.describe();
    expect(plan.environments.map(e => e.deployments[0].summary)).toEqual([
      'CodeDeploy EC2/on-premises · all instances at once', 'CodeDeploy EC2/on-premises · rolling, half of the instances at a time',
    ]);
  });
});

describe('examples/ecs-canary', () => {
  test('cdk-nag clean; the released image scanned, blue/green in staging, canary in production behind an approval', () => {
    const app = newApp();
    const stack = new CheckoutPipelineStack(app, 'CheckoutPipeline', { env });
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(nagFindings([stack])).toEqual([]);
    expect(stagesOf(stack)).toEqual([
      'Source: Source@1 Service@1', 'Build: Build@1', 'Checks: ImageScan@1', 'staging: checkout-staging@1', 'prod: Approve@1 checkout-prod@2',
    ]);
    expect(stack.delivery.describe().checks[0].summary).toBe('Amazon Inspector image scan of checkout:#{SourceVariables.ImageTag}, fails on critical > 0 or high > 0');
    // staging's ALL_AT_ONCE cannot be told from the config an import assumes: the plan says so, and the example acknowledges the warning
    expect(stack.delivery.describe().environments[0].deployments[0].summary).toBe('ECS blue/green · deployment configuration of the imported group (not known at synth)');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedGroupConfig'))).toEqual([]);
    expect(stack.delivery.describe().environments[1].deployments[0].summary).toBe('ECS blue/green · canary 10% then all after 5 min');
  });

  test('the build renders the templates from the service\'s repository, not from the ECR source (regression: deploy/ was read from imageDetail.json\'s artifact)', () => {
    const stack = new CheckoutPipelineStack(newApp(), 'CheckoutPipeline', { env });
    const stages = (Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any).Properties.Stages;
    const byName = (stage: string, name: string) => stages.find((s: any) => s.Name === stage).Actions.find((a: any) => a.Name === name);
    // the ECR image starts the pipeline; the repository is read at each execution
    expect(byName('Source', 'Source').ActionTypeId.Provider).toBe('ECR');
    expect(byName('Source', 'Service').Configuration).toMatchObject({ FullRepositoryId: 'acme/checkout', BranchName: 'main', DetectChanges: false });
    expect(byName('Build', 'Build').InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'Service' }]);
    const spec = buildSpecOf(stack, 'CheckoutBuildProject');
    expect(spec.phases.install.commands).toContain('ln -s "$CODEBUILD_SRC_DIR_Service" \'checkout\'');
    expect(spec.phases.build.commands).toEqual(['bash checkout/deploy/render-templates.sh']);
    expect(spec.artifacts.files).toEqual(['taskdef.json', 'appspec.yaml']);
    // the templates from the build output, the image from the ECR source's imageDetail.json
    expect(byName('prod', 'checkout-prod').Configuration).toMatchObject({
      TaskDefinitionTemplateArtifact: 'BuildOutput', AppSpecTemplateArtifact: 'BuildOutput', Image1ArtifactName: 'Source', Image1ContainerName: 'IMAGE1_NAME',
    });
  });
});

describe('examples/lambda-canary', () => {
  test('cdk-nag clean; code deployed all at once to staging, as a canary watched by alarms to production, nobody approving', () => {
    const app = newApp();
    const stack = new WebhooksPipelineStack(app, 'WebhooksPipeline', { env });
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(nagFindings([stack])).toEqual([]);
    expect(stagesOf(stack)).toEqual(['Source: Source@1', 'Build: Build@1', 'Checks: DependencyAudit@1', 'staging: webhooks-staging@1 Smoke@2', 'prod: webhooks-prod@1']);
    const prod = (Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any).Properties.Stages[4];
    expect(prod.Actions[0].Configuration).toEqual({
      FunctionName: 'webhooks-prod', FunctionAlias: 'live', DeployStrategy: 'Canary10Percent5Minutes', Alarms: 'webhooks-prod-errors,webhooks-prod-throttles',
    });
    expect(stack.delivery.describe().environments.map(e => e.deployments[0].summary)).toEqual([
      'Lambda webhooks-staging:live · all the traffic at once',
      'Lambda webhooks-prod:live · canary: 10% of the traffic, the rest after 5 min · fails on alarms: webhooks-prod-errors, webhooks-prod-throttles',
    ]);
  });
});

describe('examples/cdk-stage', () => {
  test('cdk-nag clean (pipeline and service stacks); two accounts, dependency order, one asset action, the Lambda canary in the plan', () => {
    const app = newApp();
    const stack = ordersCdkApp(app, stage => Aspects.of(stage).add(new AwsSolutionsChecks()));
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const serviceStacks = app.node.children.filter(Stage.isStage).flatMap(s => s.node.children.filter(Stack.isStack));
    expect(nagFindings([stack, ...serviceStacks])).toEqual([]);
    expect(stagesOf(stack)).toEqual([
      'Source: Source@1',
      'Build: Build@1 PublishAssets@2',
      'staging: orders-data-staging.Prepare@1 orders-data-staging.Deploy@2 orders-api-staging.Prepare@3 orders-api-staging.Deploy@4 Smoke@5',
      'prod: Approve@1 orders-data-prod.Prepare@2 orders-data-prod.Deploy@3 orders-api-prod.Prepare@4 orders-api-prod.Deploy@5',
    ]);
    const prod = stack.delivery.describe().environments[1];
    expect(prod.deployments[0].details).toContainEqual(expect.stringMatching(/canary 10% then all after 5 min · auto-rollback on 1 alarm/));
  });

  test('the staging smoke test reads the live alias ARN its deployment just produced', () => {
    const stack = ordersCdkApp(newApp());
    const staging = (Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any).Properties.Stages[2];
    const byName = (n: string) => staging.Actions.find((a: any) => a.Name === n);
    expect(byName('orders-api-staging.Deploy').Namespace).toBe('staging@orders-api-staging');
    expect(JSON.parse(byName('Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'ORDERS_FUNCTION', type: 'PLAINTEXT', value: '#{staging@orders-api-staging.LiveAliasArn}' },
    ]);
  });
});

describe('examples/private-network', () => {
  test('cdk-nag clean; the build in the VPC logs in to Docker Hub and ECR; the CDN script runs after the stacks with their output', () => {
    const app = newApp();
    const { network, pipeline } = storefrontApp(app);
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(nagFindings([network, pipeline])).toEqual([]);
    expect(stagesOf(pipeline)).toEqual([
      'Source: Source@1',
      'Build: Build@1',
      'staging: storefront-staging.Prepare@1 storefront-staging.Deploy@2 storefront-cdn-staging.Prepare@1 storefront-cdn-staging.Deploy@2 InvalidateCdn@3 Integration@4',
    ]);
    const plan = pipeline.delivery.describe();
    expect(plan.buildStep.details).toEqual(expect.arrayContaining([
      expect.stringMatching(/^in VPC StorefrontNetwork\/Vpc, subnets private with egress, 1 new security group$/),
      'docker login: Docker Hub, Amazon ECR (account 999999999999, eu-west-1)',
    ]));
    expect(plan.environments[0].deployments[2].details).toContain('env DISTRIBUTION: output DistributionId of stack storefront-cdn-staging');
  });
});
