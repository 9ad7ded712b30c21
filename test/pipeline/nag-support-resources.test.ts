import { App, CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { BuildStep, DeploymentTarget, QualityCheck, TestReport, Verification } from '../../src';
import { onlyEcsDeployActionStars } from '../../src/private/nag';
import { cfnTarget, flat, nagFindingsAfterSynth, newApp, pipelineIn } from '../util';

/*
 * cdk-nag AwsSolutions over the whole app, support stacks included: the resources the pipeline
 * causes outside its own stack carry the library's suppressions too.
 */

/** Every unsuppressed AwsSolutions finding of the app, as `path finding`. */
function findings(app: App): string[] {
  return nagFindingsAfterSynth(app).map(f => `/${f.path} ${f.data.split(': The ')[0]}`);
}

/** The statements of the IAM policies of a stack (under a path), resolved from the construct tree. */
function policyStatements(stack: Stack, under = ''): any[] {
  return stack.node.findAll()
    .filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy && `/${c.node.path}`.startsWith(under))
    .flatMap(c => flat(stack.resolve(c.policyDocument).Statement));
}

function replicationBucket(app: App): CfnResource {
  return app.node.findAll().find(c => c.node.path.endsWith('CrossRegionCodePipelineReplicationBucket/Resource')) as CfnResource;
}

describe('cdk-nag over the cross-region support stack', () => {
  test('the replication bucket of another region carries the access-log suppression, with a reason', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }] });
    expect(findings(app)).toEqual([]);
    const bucket = replicationBucket(app);
    expect(bucket.node.path).toBe('cross-region-stack-111111111111:us-east-1/Default/CrossRegionCodePipelineReplicationBucket/Resource');
    const suppressions = bucket.getMetadata('cdk_nag')?.rules_to_suppress;
    expect(suppressions).toEqual([{
      id: 'AwsSolutions-S1',
      reason: 'The cross-region replication bucket (aws-cdk-lib\'s support stack) holds copies of the pipeline\'s transient artifacts, '
        + 'written only by the pipeline\'s roles. Its object-level requests are recorded only if a CloudTrail trail logs S3 data events in its Region '
        + '(not logged by default).',
    }]);
  });

  test.each([
    ['an app without the flag', {}],
    ['an app that turns the flag off', { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, [cxapi.CODEPIPELINE_CROSS_ACCOUNT_KEYS_DEFAULT_VALUE_TO_FALSE]: false }],
  ])('your own artifactBucket without a key, with another region, in %s: the replication key aws-cdk-lib creates rotates '
    + '(regression: no EnableKeyRotation, cdk-nag AwsSolutions-KMS5)', (_name, context) => {
    const app = new App({ context });
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'acme-artifacts-eu-west-1'),
      environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }],
    });
    expect(findings(app)).toEqual([]);
    const keys = app.node.findAll().filter((c): c is kms.CfnKey => c instanceof kms.CfnKey);
    expect(keys.map(k => [k.node.path, k.enableKeyRotation])).toEqual([
      ['cross-region-stack-111111111111:us-east-1/Default/CrossRegionCodePipelineReplicationBucketEncryptionKey/Resource', true],
    ]);
  });

  test('your own artifactBucket without a key, with another region, in a new app (the flag on): no replication key, as before', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'acme-artifacts-eu-west-1'),
      environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }],
    });
    expect(findings(app)).toEqual([]);
    expect(app.node.findAll().filter(c => c instanceof kms.CfnKey)).toEqual([]);
  });

  test('the pipeline\'s own artifact bucket carries the access-log suppression, with a reason that says what records its requests '
    + '(regression: claimed CloudTrail records them, which it does only for a trail that logs S3 data events)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }] });
    expect(findings(app)).toEqual([]);
    const bucket = app.node.findAll().find(c => c.node.path === 'PipelineStack/Shop/Pipeline/ArtifactsBucket/Resource') as CfnResource;
    expect(bucket.getMetadata('cdk_nag')?.rules_to_suppress).toEqual([{
      id: 'AwsSolutions-S1',
      reason: 'The artifact bucket holds transient pipeline artifacts written only by the pipeline\'s roles. Its object-level requests are recorded only if '
        + 'a CloudTrail trail logs S3 data events (not logged by default). Pass artifactBucket to use a bucket with server access logs.',
    }]);
  });

  test('two pipelines sharing the support stack of a region add the suppression once', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }] }, 'Shop');
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('blog-us')] }] }, 'Blog');
    expect(findings(app)).toEqual([]);
    expect(replicationBucket(app).getMetadata('cdk_nag')?.rules_to_suppress).toHaveLength(1);
  });
});

// an app with the flags of `cdk init` names the partition literally (arn:aws:...), a plain App as a reference (arn:<AWS::Partition>:...)
describe.each([
  ['the recommended feature flags', newApp],
  ['a plain App (no feature flags)', () => new App()],
])('cdk-nag over CodeDeploy and ECS targets in another account, %s', (_flags, makeApp) => {
  const B = '222222222222';
  const READ_REASON = 'CodePipeline\'s action role in the target account reads the artifacts of this pipeline: '
      + 'aws-cdk-lib\'s read grant (GetObject*, GetBucket*, List*) on the pipeline\'s artifact bucket (or its replication bucket in the action\'s region) and its objects only '
      + '(artifact objects have generated keys). '
      + 'See the cdk-delivery-pipeline README, Security.';
  const KEY_REASON = 'CodePipeline\'s action role in the target account decrypts the artifacts of this pipeline: '
      + 'kms:Decrypt and kms:DescribeKey on the keys of the pipeline\'s account in the action\'s region (the artifact key\'s generated id cannot be referenced '
      + 'from a stack of another account); only the artifact key\'s (replication key\'s) policy grants this role. '
      + 'See the cdk-delivery-pipeline README, Security.';

  function crossAccount(target: (stack: Stack, stackB: Stack) => DeploymentTarget) {
    const app = makeApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stackB = new Stack(app, 'ShopB', { env: { account: B, region: 'eu-west-1' } });
    // a stack of account B that may hold imports only: newer aws-cdk-lib refuses a template without resources
    new CfnResource(stackB, 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [target(stack, stackB)] }] });
    return { app, stack, stackB };
  }

  const serverGroupInB = (_stack: Stack, stackB: Stack) => DeploymentTarget.codeDeployServer(new codedeploy.ServerDeploymentGroup(stackB, 'Fleet', {
    application: new codedeploy.ServerApplication(stackB, 'App', { applicationName: 'shop' }),
    deploymentGroupName: 'shop-fleet',
  }));
  const serviceInB = (_stack: Stack, stackB: Stack) => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(stackB, 'Web', {
    cluster: ecs.Cluster.fromClusterArn(stackB, 'Cluster', `arn:aws:ecs:eu-west-1:${B}:cluster/shop`),
    serviceArn: `arn:aws:ecs:eu-west-1:${B}:service/shop/shop-web`,
  }));
  const importedServerGroup = (stack: Stack) => DeploymentTarget.codeDeployServer(codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
    application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', `arn:aws:codedeploy:eu-west-1:${B}:application:shop`),
    deploymentGroupName: 'shop-fleet',
  }));
  const importedService = (stack: Stack) => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', {
    cluster: ecs.Cluster.fromClusterArn(stack, 'Cluster', `arn:aws:ecs:eu-west-1:${B}:cluster/shop`),
    serviceArn: `arn:aws:ecs:eu-west-1:${B}:service/shop/shop-web`,
  }));

  // the IAM4 finding of the group's own service role (AWSCodeDeployRole) is the app's, not the pipeline's
  const appsOwn = (f: string) => f.startsWith('/ShopB/Fleet/Role/');

  test.each([
    ['a CodeDeploy group defined in a stack of that account', serverGroupInB, '/ShopB/PipelineStackShopPipelineACC8CC45-prod-shop-fleet-ActionRole', false],
    ['an ECS service of a stack of that account', serviceInB, '/ShopB/PipelineStackShopPipelineACC8CC45-prod-shop-web-ActionRole', true],
    ['a CodeDeploy group imported from that account (support stack)', importedServerGroup,
      `/cross-account-support-stack-${B}/PipelineStackShopPipelineACC8CC45-prod-shop-fleet-ActionRole`, false],
    ['an ECS service imported from that account (support stack)', importedService,
      `/cross-account-support-stack-${B}/PipelineStackShopPipelineACC8CC45-prod-shop-web-ActionRole`, true],
  ])('%s: the action role\'s artifact reads and its narrowed key grant are covered, with reasons', (_name, target, role, rollingUpdate) => {
    const { app } = crossAccount(target);
    expect(findings(app).filter(f => !appsOwn(f))).toEqual([]);
    const policy = app.node.findAll().find(c => `/${c.node.path}` === `${role}/DefaultPolicy/Resource`) as CfnResource;
    expect(policy.getMetadata('cdk_nag').rules_to_suppress).toEqual([{
      id: 'AwsSolutions-IAM5',
      reason: READ_REASON,
      applies_to: [
        'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*',
        expect.stringMatching(/^Resource::arn:(aws|<AWS::Partition>):s3:::pipelinestack[a-z0-9]*artifactsbucket[a-z0-9]+\/\*$/),
      ],
    }, {
      id: 'AwsSolutions-IAM5',
      reason: KEY_REASON,
      applies_to: [expect.stringMatching(/^Resource::arn:(aws|<AWS::Partition>):kms:eu-west-1:111111111111:key\/\*$/)],
    },
    // an ECS rolling update: aws-cdk-lib's ECS grants on "*", suppressed as for the role in the pipeline's account
    ...(rollingUpdate ? [{ id: 'AwsSolutions-IAM5', reason: expect.stringMatching(/^Resource "\*" as aws-cdk-lib's ECS deploy action grants it/), applies_to: ['Resource::*'] }] : [])]);
  });

  test('the kms grant aws-cdk-lib writes on Resource "*" is narrowed to the keys of the pipeline\'s account and region; the artifact key\'s policy names the role (regression: "*")', () => {
    const { app, stack, stackB } = crossAccount(serverGroupInB);
    const asm = app.synth();
    const docs = Object.values(asm.getStackByName(stackB.stackName).template.Resources as Record<string, any>)
      .filter(r => r.Type === 'AWS::IAM::Policy').map(r => flat(r.Properties.PolicyDocument.Statement));
    expect(docs).toHaveLength(1);
    expect(docs[0].filter((st: any) => [].concat(st.Resource).includes('*' as never))).toEqual([]);
    expect(docs[0].filter((st: any) => [].concat(st.Action).some((a: string) => a.startsWith('kms:')))).toEqual([{
      Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
    }]);
    const key = Object.values(asm.getStackByName(stack.stackName).template.Resources as Record<string, any>).find(r => r.Type === 'AWS::KMS::Key');
    // the role's ARN, with the partition as a literal or (plain App) as a reference
    const partition = (x: any): string => (typeof x === 'string' ? x : x['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'aws')).join(''));
    expect(flat(key.Properties.KeyPolicy.Statement).filter((st: any) => partition(st.Principal.AWS).startsWith(`arn:aws:iam::${B}:role/`))
      .map((st: any) => st.Action)).toEqual([['kms:Decrypt', 'kms:DescribeKey']]);
  });

  test('an imported group of an account whose stack of the app already holds an action role: its role lands in that stack, narrowed and covered too '
      + '(regression: "*" and unsuppressed findings there)', () => {
    const app = makeApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stackB = new Stack(app, 'ShopB', { env: { account: B, region: 'eu-west-1' } });
    const owned = serverGroupInB(stack, stackB);
    const imported = DeploymentTarget.codeDeployServer(codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Blog', {
      application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'BlogApp', `arn:aws:codedeploy:eu-west-1:${B}:application:blog`),
      deploymentGroupName: 'blog-fleet',
    }));
    pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [owned, imported] }] });
    expect(findings(app).filter(f => !appsOwn(f))).toEqual([]);
    // aws-cdk-lib keeps one stack per account for a pipeline's roles: the first action's resource stack, ShopB
    const role = 'ShopB/PipelineStackShopPipelineACC8CC45-prod-blog-fleet-ActionRole';
    expect(app.node.findAll().some(c => c.node.path === role)).toBe(true);
    const policy = app.node.findAll().find(c => c.node.path === `${role}/DefaultPolicy/Resource`) as CfnResource;
    expect(policy.getMetadata('cdk_nag').rules_to_suppress.map((r: any) => r.reason)).toEqual([READ_REASON, KEY_REASON]);
    // read from the construct tree: a second synth fails on newer aws-cdk-lib, for the app's own findings
    const statements = policyStatements(stackB);
    expect(statements.filter((st: any) => [].concat(st.Resource).includes('*' as never))).toEqual([]);
    expect(statements.filter((st: any) => [].concat(st.Action).some((a: string) => a.startsWith('kms:')))).toEqual([
      { Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*' },
      { Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*' },
    ]);
  });

  test('with a role of that account given, no action role is created and nothing is reported', () => {
    const { app } = crossAccount(stack => DeploymentTarget.codeDeployServer(codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
      application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', `arn:aws:codedeploy:eu-west-1:${B}:application:shop`),
      deploymentGroupName: 'shop-fleet',
    }), { role: iam.Role.fromRoleArn(stack, 'DeployRoleB', `arn:aws:iam::${B}:role/shop-deploy`, { mutable: false }) }));
    expect(findings(app).filter(f => !appsOwn(f))).toEqual([]);
  });

  test('other policies in that account\'s stack are not covered', () => {
    const { app, stackB } = crossAccount(serverGroupInB);
    const own = new iam.Role(stackB, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    own.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::shop-b/*'] }));
    expect(findings(app).filter(f => f.startsWith('/ShopB/Reader/'))).toEqual([
      '/ShopB/Reader/DefaultPolicy/Resource AwsSolutions-IAM5[Action::s3:GetObject*]',
      '/ShopB/Reader/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::arn:aws:s3:::shop-b/*]',
    ]);
    expect(app.node.findAll().find(c => c.node.path === 'ShopB/Reader/DefaultPolicy/Resource')?.node.metadata.filter(m => m.type === 'cdk_nag')).toEqual([]);
  });
});

// aws-cdk-lib's ECS grants on "*" and its key grant on "*" are one statement once @aws-cdk/aws-iam:minimizePolicies merges them
describe.each([
  ['the feature flags of `cdk init` (minimizePolicies)', () => new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } })],
  ['those flags without minimizePolicies', () => new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, [cxapi.IAM_MINIMIZE_POLICIES]: false } })],
  ['a plain App (no feature flags)', () => new App()],
])('ECS targets in another account, %s', (_flags, makeApp) => {
  const A = '111111111111';
  const B = '222222222222';
  const PREFIX = 'PipelineStackShopPipelineACC8CC45-prod';
  // ecs:DescribeServices and ecs:UpdateService are on the service's ARNs
  const ROLLING = ['ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'ecs:TagResource', 'iam:PassRole'];
  const BLUE_GREEN = ['ecs:RegisterTaskDefinition', 'iam:PassRole'];
  const KEY_REASON = 'CodePipeline\'s action role in the target account decrypts the artifacts of this pipeline: '
    + 'kms:Decrypt and kms:DescribeKey on the keys of the pipeline\'s account in the action\'s region (the artifact key\'s generated id cannot be referenced '
    + 'from a stack of another account); only the artifact key\'s (replication key\'s) policy grants this role. '
    + 'See the cdk-delivery-pipeline README, Security.';

  const service = (scope: Stack, region: string) => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(scope, 'Web', {
    serviceArn: `arn:aws:ecs:${region}:${B}:service/shop/web`,
    cluster: ecs.Cluster.fromClusterArn(scope, 'Cluster', `arn:aws:ecs:${region}:${B}:cluster/shop`),
  }));
  const importedService = (region: string) => (stack: Stack) => service(stack, region);
  const serviceOfStackB = (_stack: Stack, stackB: Stack) => service(stackB, 'eu-west-1');
  const blueGreen = (scope: Stack, application: codedeploy.IEcsApplication) => DeploymentTarget.codeDeployEcs(
    codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(scope, 'Bg', {
      application, deploymentGroupName: 'web', deploymentConfig: codedeploy.EcsDeploymentConfig.ALL_AT_ONCE,
    }), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' });
  const importedGroup = (region: string) => (stack: Stack) => blueGreen(stack,
    codedeploy.EcsApplication.fromEcsApplicationArn(stack, 'App', `arn:aws:codedeploy:${region}:${B}:application:shop`));
  const groupOfStackB = (_stack: Stack, stackB: Stack) => blueGreen(stackB, new codedeploy.EcsApplication(stackB, 'App', { applicationName: 'shop' }));

  test.each([
    ['an ECS service imported by ARN (rolling update)', 'eu-west-1', importedService('eu-west-1'), `cross-account-support-stack-${B}`, ROLLING],
    ['an ECS service of a stack of that account (rolling update)', 'eu-west-1', serviceOfStackB, 'ShopB', ROLLING],
    ['an ECS service imported by ARN in another region (rolling update)', 'us-west-2', importedService('us-west-2'), `cross-account-support-stack-${B}`, ROLLING],
    ['a CodeDeploy ECS group imported by ARN (blue/green)', 'eu-west-1', importedGroup('eu-west-1'), `cross-account-support-stack-${B}`, BLUE_GREEN],
    ['a CodeDeploy ECS group of a stack of that account (blue/green)', 'eu-west-1', groupOfStackB, 'ShopB', BLUE_GREEN],
    ['a CodeDeploy ECS group imported by ARN in another region (blue/green)', 'us-west-2', importedGroup('us-west-2'), `cross-account-support-stack-${B}`, BLUE_GREEN],
  ])('%s: the key grant is narrowed to the keys of the pipeline\'s account, "*" keeps the ECS grants only, and each suppression\'s reason names what it covers '
    + '(regression: kms:Decrypt and kms:DescribeKey stayed on "*" in the statement minimizePolicies merges, covered by the rolling update\'s reason)', (_name, region, target, roleStack, starActions) => {
    const app = makeApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' } });
    const stackB = new Stack(app, 'ShopB', { env: { account: B, region: 'eu-west-1' } });
    new CfnResource(stackB, 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    pipelineIn(stack, { environments: [{ name: 'prod', account: B, region, deployments: [target(stack, stackB)] }] });
    const policyPath = `${roleStack}/${PREFIX}-web-ActionRole/DefaultPolicy/Resource`;
    expect(findings(app).filter(f => f.startsWith(`/${roleStack}/${PREFIX}`))).toEqual([]);

    const policy = app.node.findAll().find(c => c.node.path === policyPath) as CfnResource;
    const statements = flat(Stack.of(policy).resolve((policy as iam.CfnPolicy).policyDocument).Statement);
    const list = (x: unknown) => ([] as string[]).concat(x as string[]);
    expect(statements.filter((st: any) => list(st.Action).some(a => a.startsWith('kms:')))).toEqual([
      { Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: `arn:aws:kms:${region}:${A}:key/*` },
    ]);
    const onStar = statements.filter((st: any) => list(st.Resource).includes('*'));
    expect([...new Set(onStar.flatMap((st: any) => list(st.Action)))].sort()).toEqual(starActions);
    expect(statements.filter((st: any) => list(st.Action).some(a => a === 'ecs:UpdateService' || a === 'ecs:DescribeServices'))).toEqual(starActions === ROLLING
      ? [{
        Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
        Effect: 'Allow',
        Resource: [`arn:aws:ecs:${region}:${B}:service/shop/web`, `arn:aws:ecs:${region}:${B}:service/web`],
      }]
      : []);

    const entries = policy.getMetadata('cdk_nag').rules_to_suppress as Array<{ id: string; reason: string; applies_to: string[] }>;
    expect(entries.filter(e => e.reason === KEY_REASON).map(e => e.applies_to))
      .toEqual([[expect.stringMatching(new RegExp(`^Resource::arn:(aws|<AWS::Partition>):kms:${region}:${A}:key/\\*$`))]]);
    expect(entries.filter(e => e.applies_to.includes('Resource::*'))).toEqual([{
      id: 'AwsSolutions-IAM5',
      reason: starActions === ROLLING
        ? expect.stringMatching(/^Resource "\*" as aws-cdk-lib's ECS deploy action grants it for an ECS rolling update, for the ECS actions .* that cannot name the service: /)
        : expect.stringMatching(/^Resource "\*" where the AWS API has no resource-level permissions: .*ecs:RegisterTaskDefinition \(CodeDeploy ECS blue\/green\)/),
      applies_to: ['Resource::*'],
    }]);
    // no reason of a "*" entry speaks of a key: kms is not on "*"
    expect(entries.filter(e => e.applies_to.includes('Resource::*')).map(e => e.reason).join(' ')).not.toMatch(/kms:/);
  });
});

describe.each([
  ['the feature flags of `cdk init`', () => new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } }), 'aws'],
  ['a plain App (no feature flags)', () => new App(), '<AWS::Partition>'],
])('cdk-nag with an artifactBucket of the user\'s, %s', (_flags, makeApp, partition) => {
  const IAM5_REASON = 'Wildcards from aws-cdk-lib\'s grants, each limited to this pipeline\'s own resources: its artifact bucket, '
    + 'key and objects, its CodeBuild log and report groups, the named stack of a change set, keys by alias (kms:ResourceAliases). '
    + 'See the cdk-delivery-pipeline README, Security.';
  const logicalId = (stack: Stack, bucket: s3.IBucket) => stack.getLogicalId(bucket.node.defaultChild as CfnElement);

  /** A pipeline whose every kind of library role (pipeline, source action, build, check, deploy script, test) uses the bucket. */
  function withBucket(bucket: (stack: Stack) => s3.IBucket) {
    const app = makeApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const artifactBucket = bucket(stack);
    pipelineIn(stack, {
      artifactBucket,
      checks: [QualityCheck.commands('Lint', ['npm run lint'])],
      environments: [{
        name: 'staging',
        deployments: [cfnTarget('shop-staging'), DeploymentTarget.commands('Cdn', ['./invalidate.sh'])],
        verification: [Verification.commands('Smoke', ['./smoke.sh'])],
      }],
    });
    return { app, stack, artifactBucket };
  }

  test.each([
    ['a bucket of the app with a customer managed key', (stack: Stack) => new s3.Bucket(stack, 'Art', {
      encryptionKey: new kms.Key(stack, 'ArtKey', { enableKeyRotation: true }), enforceSSL: true, serverAccessLogsPrefix: 'logs/', versioned: true,
    }), (stack: Stack, bucket: s3.IBucket) => `Resource::<${logicalId(stack, bucket)}.Arn>/*`],
    ['a bucket of the app with S3 managed encryption', (stack: Stack) => new s3.Bucket(stack, 'Art', {
      encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, serverAccessLogsPrefix: 'logs/',
    }), (stack: Stack, bucket: s3.IBucket) => `Resource::<${logicalId(stack, bucket)}.Arn>/*`],
    ['a bucket imported by name', (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Art', 'shop-artifacts'),
      () => `Resource::arn:${partition}:s3:::shop-artifacts/*`],
  ])('%s: the findings of aws-cdk-lib\'s grants on its objects are covered on every library policy, by that bucket\'s exact id '
    + '(regression: only a bucket whose logical id holds ArtifactsBucket was covered)', (_name, bucket, objectsFinding) => {
    const { app, stack, artifactBucket } = withBucket(bucket);
    expect(findings(app)).toEqual([]);
    const expected = objectsFinding(stack, artifactBucket);
    const policies = stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'AWS::IAM::Policy'
      && JSON.stringify(flat(stack.resolve((c as iam.CfnPolicy).policyDocument))).includes(expected.replace(/^Resource::/, '').replace('<AWS::Partition>', 'aws')));
    // the pipeline role, the source action's, the build's, the check's, the deploy script's, the test's
    expect(policies.map(p => p.node.path).sort()).toEqual([
      'PipelineStack/Shop/Build/Project/Role/DefaultPolicy/Resource',
      'PipelineStack/Shop/Checks/Lint/Project/Role/DefaultPolicy/Resource',
      'PipelineStack/Shop/Environments/staging/Cdn/Project/Role/DefaultPolicy/Resource',
      'PipelineStack/Shop/Environments/staging/Smoke/Project/Role/DefaultPolicy/Resource',
      'PipelineStack/Shop/Pipeline/Role/DefaultPolicy/Resource',
      'PipelineStack/Shop/Pipeline/Source/Source/CodePipelineActionRole/DefaultPolicy/Resource',
    ]);
    for (const policy of policies) {
      const entries = policy.getMetadata('cdk_nag').rules_to_suppress as Array<{ reason: string; applies_to: unknown[] }>;
      const own = entries.filter(e => e.reason === IAM5_REASON);
      expect(own).toHaveLength(1);
      expect(own[0].applies_to).toContain(expected);
      expect(JSON.stringify(own[0].applies_to)).not.toContain('ArtifactsBucket');
    }
  });

  test('the S1 suppression stays off a bucket of the user\'s (it is theirs to log)', () => {
    const { app, artifactBucket } = withBucket(stack => new s3.Bucket(stack, 'Art', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true }));
    expect(findings(app)).toEqual([`/${artifactBucket.node.path}/Resource AwsSolutions-S1`]);
    expect((artifactBucket.node.defaultChild as CfnResource).getMetadata('cdk_nag')).toBeUndefined();
  });
});

describe('cdk-nag keeps reporting a wildcard on a bucket of the user\'s in a library policy', () => {
  const scriptPolicy = (pipeline: string) => `/PipelineStack/${pipeline}/Environments/staging/Script/Project/Role/DefaultPolicy/Resource`;
  const writeTo = (bucket: s3.IBucket) => DeploymentTarget.commands('Script', ['./publish.sh'], {
    rolePolicyStatements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] })],
  });

  test('a bucket whose construct id ends in ArtifactsBucket (regression: hidden by a pattern on the logical id)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const customerData = new s3.Bucket(stack, 'CustomerDataArtifactsBucket', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [writeTo(customerData)] }] });
    expect(findings(app)).toEqual([
      `${scriptPolicy('Shop')} AwsSolutions-IAM5[Resource::<${stack.getLogicalId(customerData.node.defaultChild as CfnElement)}.Arn>/*]`,
    ]);
  });

  test('the artifact bucket of another pipeline (regression: hidden as if it were this pipeline\'s)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const shop = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }] }, 'Shop');
    shop.buildPipeline();
    const shopArtifacts = shop.pipeline.artifactBucket;
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [writeTo(shopArtifacts)] }] }, 'Blog');
    expect(findings(app)).toEqual([
      `${scriptPolicy('Blog')} AwsSolutions-IAM5[Resource::<${stack.getLogicalId(shopArtifacts.node.defaultChild as CfnElement)}.Arn>/*]`,
    ]);
  });
});

describe('cdk-nag over the instance role of a CodeDeploy EC2 fleet in another account', () => {
  const B = '222222222222';
  function fleet(extra?: (role: iam.IRole) => void) {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stackB = new Stack(app, 'ShopB', { env: { account: B, region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stackB, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
    const asg = new autoscaling.AutoScalingGroup(stackB, 'Asg', {
      vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-12345678' }),
    });
    extra?.(asg.role);
    const group = new codedeploy.ServerDeploymentGroup(stackB, 'Fleet', {
      application: new codedeploy.ServerApplication(stackB, 'App', { applicationName: 'shop' }), deploymentGroupName: 'shop-fleet', autoScalingGroups: [asg],
    });
    pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(group)] }] });
    return app;
  }
  const POLICY = '/ShopB/Asg/InstanceRole/DefaultPolicy/Resource';

  test('aws-cdk-lib\'s kms:Decrypt and kms:DescribeKey on Resource "*" for the artifact key is covered, with a reason; the policy is not rewritten', () => {
    const app = fleet();
    // the artifact reads (and the CodeDeploy agent's bucket) on the app's role stay the app's to suppress, as in the pipeline's account
    expect(findings(app).filter(f => f.startsWith(POLICY) && !/IAM5\[(Action::s3:|Resource::arn:(aws|<AWS::Partition>):s3:::)/.test(f))).toEqual([]);
    const policy = app.node.findAll().find(c => `/${c.node.path}` === POLICY) as CfnResource;
    expect(policy.getMetadata('cdk_nag').rules_to_suppress).toEqual([{
      id: 'AwsSolutions-IAM5',
      reason: expect.stringMatching(/^aws-cdk-lib grants the instances of a CodeDeploy EC2 fleet of this app the pipeline's artifacts in another account or Region: /),
      applies_to: ['Resource::*'],
    }]);
    const stackB = app.node.findChild('ShopB') as Stack;
    expect(policyStatements(stackB, '/ShopB/Asg/InstanceRole/').filter((st: any) => st.Resource === '*'))
      .toEqual([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: '*' }]);
  });

  test('a statement of the app\'s on Resource "*" in the same policy keeps the finding reported', () => {
    const app = fleet(role => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeTags'], resources: ['*'] })));
    expect(findings(app).filter(f => f.startsWith(POLICY) && f.includes('[Resource::*]'))).toEqual([`${POLICY} AwsSolutions-IAM5[Resource::*]`]);
  });
});

const NAMED_SERVICE_REASON = 'Resource "*" as aws-cdk-lib\'s ECS deploy action grants it for an ECS rolling update, for the ECS actions CodePipeline\'s '
  + 'ECS deploy action documents that cannot name the service: DescribeTaskDefinition and RegisterTaskDefinition (no resource-level permissions), '
  + 'DescribeTasks, ListTasks and TagResource (the tasks and the task definition revision the action registers are named at deploy time); '
  + 'DescribeServices and UpdateService are granted on the service\'s ARN only; and iam:PassRole limited by iam:PassedToService to '
  + 'ecs-tasks.amazonaws.com and ec2.amazonaws.com. Pass role to DeploymentTarget.ecs to use a narrower role. See the cdk-delivery-pipeline README, Security.';
const UNNAMED_SERVICE_REASON = 'Resource "*" as aws-cdk-lib\'s ECS deploy action grants it for an ECS rolling update: the ECS actions CodePipeline\'s '
  + 'ECS deploy action documents (DescribeServices, DescribeTaskDefinition, DescribeTasks, ListTasks, RegisterTaskDefinition, TagResource, UpdateService): '
  + 'the service\'s ARN is not known in its long format (service/<cluster>/<service>) at synth, so DescribeServices and UpdateService stay on "*" too; '
  + 'and iam:PassRole limited by iam:PassedToService to ecs-tasks.amazonaws.com and ec2.amazonaws.com. Pass role to DeploymentTarget.ecs to use a narrower role. '
  + 'See the cdk-delivery-pipeline README, Security.';

describe.each([
  ['the feature flags of `cdk init` (minimizePolicies)', () => new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } })],
  ['those flags without minimizePolicies', () => new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, [cxapi.IAM_MINIMIZE_POLICIES]: false } })],
  ['a plain App (no feature flags)', () => new App()],
])('cdk-nag over an ECS rolling update, %s', (_flags, makeApp) => {
  const OTHERS_ON_STAR = ['ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'ecs:TagResource'];
  const PASS_ROLE = {
    Action: 'iam:PassRole',
    Effect: 'Allow',
    Resource: '*',
    Condition: { StringEqualsIfExists: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] } },
  };
  const cluster = (stack: Stack) => ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop');
  function ecsPipeline(service: (stack: Stack) => ecs.IBaseService) {
    const app = makeApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service(stack), { name: 'Web' })] }] });
    const f = findings(app);
    const policy = app.node.findAll().find(c => c.node.path === 'PipelineStack/Shop/Pipeline/staging/Web/CodePipelineActionRole/DefaultPolicy/Resource') as iam.CfnPolicy;
    const entries = policy.getMetadata('cdk_nag').rules_to_suppress as Array<{ id: string; reason: string; applies_to: unknown[] }>;
    const statements = flat(stack.resolve(policy.policyDocument).Statement)
      .filter((st: any) => ([] as string[]).concat(st.Action).some(a => a.startsWith('ecs:') || a === 'iam:PassRole'));
    return { findings: f, stars: entries.filter(e => e.applies_to?.includes('Resource::*')), statements: statements.map(resolvePartition) };
  }
  /** The ARNs as literals, whether aws-cdk-lib wrote the partition as a literal or as { Ref: AWS::Partition } (plain App). */
  function resolvePartition(st: any): any {
    const literal = (r: any) => (typeof r === 'string' ? r : r['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'aws')).join(''));
    return { ...st, Resource: Array.isArray(st.Resource) ? st.Resource.map(literal) : literal(st.Resource) };
  }

  test.each([
    ['imported by its ARN', (stack: Stack) => ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', {
      cluster: cluster(stack), serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/shop/shop-web',
    })],
    ['imported by its short ARN (old format)', (stack: Stack) => ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', {
      cluster: cluster(stack), serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/shop-web',
    })],
    // aws-cdk-lib builds the long ARN with @aws-cdk/aws-ecs:arnFormatIncludesClusterName, else the short one
    ['imported by name', (stack: Stack) => ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', { cluster: cluster(stack), serviceName: 'shop-web' })],
  ])('a service %s: DescribeServices and UpdateService are granted on its ARN in both formats, the other ECS actions keep "*" with a reason naming them', (_name, service) => {
    const { findings: f, stars, statements } = ecsPipeline(service);
    expect(f).toEqual([]);
    expect(statements).toEqual([
      { Action: OTHERS_ON_STAR, Effect: 'Allow', Resource: '*' },
      {
        Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
        Effect: 'Allow',
        Resource: ['arn:aws:ecs:eu-west-1:111111111111:service/shop/shop-web', 'arn:aws:ecs:eu-west-1:111111111111:service/shop-web'],
      },
      PASS_ROLE,
    ]);
    expect(stars).toEqual([{ id: 'AwsSolutions-IAM5', reason: NAMED_SERVICE_REASON, applies_to: ['Resource::*'] }]);
  });

  test('a service of the pipeline\'s stack: DescribeServices and UpdateService are granted on its ARN (the service\'s Ref)', () => {
    let logicalId = '';
    const { findings: f, stars, statements } = ecsPipeline(stack => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
      const svc = new ecs.FargateService(stack, 'Web', { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }), taskDefinition });
      logicalId = stack.getLogicalId(svc.node.defaultChild as CfnElement);
      return svc;
    });
    expect(f.filter(x => x.includes('CodePipelineActionRole'))).toEqual([]);
    expect(statements.filter((st: any) => st.Resource !== '*')).toEqual([
      { Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Effect: 'Allow', Resource: `<${logicalId}>` },
    ]);
    expect(stars).toEqual([{ id: 'AwsSolutions-IAM5', reason: NAMED_SERVICE_REASON, applies_to: ['Resource::*'] }]);
  });

  test('a service of another stack (its ARN an import, known only at deploy time) keeps aws-cdk-lib\'s grant on "*", with a reason saying so', () => {
    const { findings: f, stars, statements } = ecsPipeline(stack => {
      const other = new Stack(stack.node.scope as App, 'Services', { env: { account: stack.account, region: stack.region } });
      const vpc = new ec2.Vpc(other, 'Vpc', { maxAzs: 2, natGateways: 0 });
      const taskDefinition = new ecs.FargateTaskDefinition(other, 'Task');
      taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
      return new ecs.FargateService(other, 'Web', { cluster: new ecs.Cluster(other, 'Cluster', { vpc }), taskDefinition });
    });
    expect(f.filter(x => x.includes('CodePipelineActionRole'))).toEqual([]);
    expect(statements).toEqual([
      {
        Action: ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'ecs:TagResource', 'ecs:UpdateService'],
        Effect: 'Allow',
        Resource: '*',
      },
      PASS_ROLE,
    ]);
    expect(stars).toEqual([{ id: 'AwsSolutions-IAM5', reason: UNNAMED_SERVICE_REASON, applies_to: ['Resource::*'] }]);
  });

  test('a role given to the deployment is not changed', () => {
    const app = makeApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const role = new iam.Role(stack, 'DeployRole', { assumedBy: new iam.AccountRootPrincipal() });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', { cluster: cluster(stack), serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/shop/shop-web' });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service, { name: 'Web', role })] }] });
    app.synth();
    const document = stack.resolve((role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy).policyDocument);
    expect(flat(document.Statement).filter((st: any) => ([] as string[]).concat(st.Action).includes('ecs:UpdateService')))
      .toEqual([expect.objectContaining({ Resource: '*' })]);
  });
});

describe('cdk-nag over an ECS rolling update', () => {
  test('a statement of another kind on Resource "*" beside them is not covered', () => {
    const ecsStatements = [
      { Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Effect: 'Allow', Resource: '*' },
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: '*', Condition: { StringEqualsIfExists: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] } } },
    ];
    expect(onlyEcsDeployActionStars(ecsStatements)).toBe(true);
    expect(onlyEcsDeployActionStars([...ecsStatements, { Action: 's3:PutObject', Resource: '*' }])).toBe(false);
    expect(onlyEcsDeployActionStars([ecsStatements[0], { Action: 'iam:PassRole', Resource: '*' }])).toBe(false);
    expect(onlyEcsDeployActionStars([ecsStatements[0], { Action: 'iam:PassRole', Resource: '*', Condition: { StringEqualsIfExists: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }])).toBe(false);
    expect(onlyEcsDeployActionStars([{ Action: ['ecs:UpdateService', 'ecs:DeleteService'], Resource: '*' }])).toBe(false);
  });
});

describe('cdk-nag over a pipeline stack without an explicit account or region', () => {
  test.each([
    ['no env', undefined],
    ['a region only', { region: 'eu-west-1' }],
    ['an account only', { account: '111111111111' }],
  ])('with %s, the log groups, report groups and stacks named with <AWS::Region> and <AWS::AccountId> are covered', (_name, stackEnv) => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: stackEnv });
    pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm test'], testReports: [TestReport.junit('reports/*.xml')] }),
      checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan()],
      environments: [{
        name: 'staging',
        deployments: [cfnTarget('shop-staging'), DeploymentTarget.commands('Cdn', ['./invalidate.sh'])],
        verification: [Verification.commands('Smoke', ['./smoke.sh'])],
      }],
    });
    expect(findings(app)).toEqual([]);
  });

  test('with no env, a pipeline that deploys to another account is covered too', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack');
    pipelineIn(stack, {
      checks: [QualityCheck.sourceCodeScan()],
      environments: [
        { name: 'staging', deployments: [cfnTarget('shop-staging')], verification: [Verification.commands('Smoke', ['./smoke.sh'])] },
        { name: 'prod', production: true, account: '222222222222', deployments: [cfnTarget('shop-prod')] },
      ],
    });
    expect(findings(app)).toEqual([]);
  });
});

describe('cdk-nag keeps reporting an iam:PassRole on "*" that the condition does not limit to ECS tasks', () => {
  const scriptPolicy = '/PipelineStack/Shop/Environments/staging/Script/Project/Role/DefaultPolicy/Resource';
  const passRole = (conditions: Record<string, unknown>) => DeploymentTarget.commands('Script', ['./deploy.sh'], {
    rolePolicyStatements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'], conditions })],
  });

  test.each([
    ['StringNotEquals (every service but ECS tasks)', { StringNotEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } }],
    ['ECS tasks or another service', { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'] } }],
    ['StringNotLike (every service but ECS tasks)', { StringNotLike: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } }],
  ])('%s: reported (regression: covered by the reason "limited by iam:PassedToService to ecs-tasks.amazonaws.com")', (_name, conditions) => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [passRole(conditions)] }] });
    expect(findings(app)).toEqual([`${scriptPolicy} AwsSolutions-IAM5[Resource::*]`]);
  });

  test('limited to ECS tasks as aws-cdk-lib writes it (StringEqualsIfExists), or with StringEquals: covered', () => {
    for (const test of ['StringEqualsIfExists', 'StringEquals']) {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      pipelineIn(stack, { environments: [{ name: 'staging', deployments: [passRole({ [test]: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } })] }] });
      expect(findings(app)).toEqual([]);
    }
  });
});

describe('cdk-nag keeps reporting the EC2 network-interface actions on "*" in a statement of yours', () => {
  test('a project outside any VPC whose rolePolicyStatements allow ec2:DeleteNetworkInterface on "*" (regression: covered as aws-cdk-lib\'s VPC grant)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Script', ['./cleanup.sh'], {
          rolePolicyStatements: [new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'], resources: ['*'] })],
        })],
      }],
    });
    expect(findings(app)).toEqual(['/PipelineStack/Shop/Environments/staging/Script/Project/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]']);
  });

  test('the policy aws-cdk-lib attaches to a project in a VPC stays covered', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0abc1234', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0abc1234'] });
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm test'], vpc }) });
    expect(findings(app)).toEqual([]);
  });
});

describe('cdk-nag keeps reporting the ECS deploy actions on "*" in a statement of yours', () => {
  test('a deploy script whose rolePolicyStatements allow ecs:UpdateService on "*" (regression: covered as aws-cdk-lib\'s ECS deploy action\'s grant)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Script', ['./scale.sh'], {
          rolePolicyStatements: [new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: ['*'] })],
        })],
      }],
    });
    expect(findings(app)).toEqual(['/PipelineStack/Shop/Environments/staging/Script/Project/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]']);
  });
});

describe('cdk-nag over the Amazon Inspector image scan', () => {
  test('the scan action role\'s ecr:GetAuthorizationToken and inspector-scan:ScanSbom on "*" are covered, its ECR pull is on the one repository', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const images = new ecr.Repository(stack, 'Images', { repositoryName: 'shop', imageScanOnPush: true });
    pipelineIn(stack, { checks: [QualityCheck.imageScan(images, { highThreshold: 0 })] });
    expect(findings(app)).toEqual([]);
  });
});

describe('cdk-nag over the self-update', () => {
  test('the SelfMutate action role\'s cloudformation:DescribeStack* and GetTemplate* on the pipeline stack are covered', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] }),
      selfUpdate: true,
      environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }],
    });
    expect(findings(app)).toEqual([]);
    const policy = app.node.findAll().find(c => c.node.path === 'PipelineStack/Shop/Pipeline/UpdatePipeline/SelfMutate/CodePipelineActionRole/DefaultPolicy/Resource') as CfnResource;
    const covered = (policy.getMetadata('cdk_nag').rules_to_suppress as Array<{ applies_to?: Array<string | { regex: string }> }>)
      .flatMap(e => e.applies_to ?? []);
    expect(covered).toContainEqual({ regex: '/^Action::cloudformation:(DescribeStack|GetTemplate)\\*$/' });
  });

  test('in a pipeline stack without an explicit account or region too', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack');
    pipelineIn(stack, { selfUpdate: true, environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }] });
    expect(findings(app)).toEqual([]);
  });

  test('policies without those actions do not get the entry', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }] });
    app.synth();
    const entries = app.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'AWS::IAM::Policy')
      .flatMap(p => (p.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<{ applies_to?: unknown[] }>)
      .flatMap(e => e.applies_to ?? []);
    expect(entries.length).toBeGreaterThan(0);
    expect(JSON.stringify(entries)).not.toContain('cloudformation:(DescribeStack');
  });
});
