import { App, CfnParameter, CfnResource, Fn, PhysicalName, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BuildStep, DeploymentTarget, EnvironmentOptions } from '../../src';
import { action, cfnTarget, errorOf, flat, nagFindingsAfterSynth, newApp, pipelineIn, pipelineProps } from '../util';

/*
 * Environments in another account or region, as aws-cdk-lib renders them: action roles in the
 * target account, artifact grants, replication buckets in the support stacks of the assembly.
 * The role of CloudFormation actions is not asserted here (see deployment-target.test.ts).
 */

const A = '111111111111';
const B = '222222222222';
const DEPLOY_ROLE_B = `arn:aws:iam::${B}:role/shop-deploy`;

/** The statements of a policy that grant KMS actions. */
function kmsStatements(statements: any[]): any[] {
  return statements.filter(st => list(st.Action).some((x: string) => x.startsWith('kms:')));
}

/** An action role's grant to decrypt with the us-east-1 replication key, by its alias only. */
function aliasScopedDecrypt(aliasName: string): object {
  return {
    Action: ['kms:Decrypt', 'kms:DescribeKey'],
    Effect: 'Allow',
    Resource: `arn:aws:kms:us-east-1:${A}:key/*`,
    Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliasName } },
  };
}

function pipelineStack(app: App): Stack {
  return new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' } });
}

function importedServerGroup(scope: Stack, account: string, region = 'eu-west-1'): codedeploy.IServerDeploymentGroup {
  return codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(scope, `Fleet${account}${region}`, {
    application: codedeploy.ServerApplication.fromServerApplicationArn(scope, `App${account}${region}`, `arn:aws:codedeploy:${region}:${account}:application:shop`),
    deploymentGroupName: 'shop-fleet',
  });
}

function roleB(scope: Stack): iam.IRole {
  return iam.Role.fromRoleArn(scope, 'DeployRoleB', DEPLOY_ROLE_B, { mutable: false });
}

/** The stacks of the app's assembly: `id account/region`, and whom the pipeline stack waits for. */
function assembly(app: App) {
  const asm = app.synth();
  const stacks = asm.stacks.map(s => `${s.id} ${s.environment.account}/${s.environment.region}`).sort();
  const pipelineDeps = asm.getStackArtifact('PipelineStack').dependencies.map(d => d.id).filter(id => !id.endsWith('.assets')).sort();
  return { asm, stacks, pipelineDeps };
}

/** A policy field that may be one value or a list, as a list. */
function list(value: any): string[] {
  return value === undefined ? [] : ([] as string[]).concat(value);
}

/** Every AWS principal that a policy document allows, flattened. */
function allowedPrincipals(doc: any): string[] {
  return flat(doc.Statement)
    .filter((s: any) => s.Effect === 'Allow')
    .flatMap((s: any) => list(s.Principal?.AWS));
}

function artifactBucketPolicy(stack: Stack): any {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy')) as any[];
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument;
}

function artifactKeyPolicy(stack: Stack): any {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')) as any[];
  expect(keys).toHaveLength(1);
  expect(keys[0].Properties.EnableKeyRotation).toBe(true);
  return keys[0].Properties.KeyPolicy;
}

/** The statements of the pipeline role's policy (the role CodePipeline itself runs as). */
function pipelineRoleStatements(stack: Stack): any[] {
  const [, policy] = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /^ShopPipelineRoleDefaultPolicy/.test(id))! as [string, any];
  return flat(policy.Properties.PolicyDocument.Statement);
}

function assumable(stack: Stack): string[] {
  return pipelineRoleStatements(stack).filter(s => s.Action === 'sts:AssumeRole').flatMap(s => list(s.Resource));
}

function prodDeployment(pipeline: { describe(): any }) {
  return pipeline.describe().environments[0].deployments[0];
}

describe('CodeDeploy group defined in a stack of account B', () => {
  function setup() {
    const app = newApp();
    const stack = pipelineStack(app);
    const appB = new Stack(app, 'ShopB', { env: { account: B, region: 'eu-west-1' } });
    // aws-cdk-lib references the application and group from account A by their physical names
    const application = new codedeploy.ServerApplication(appB, 'App', { applicationName: 'shop' });
    const group = new codedeploy.ServerDeploymentGroup(appB, 'Fleet', { application, deploymentGroupName: 'shop-fleet' });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(group)] }] });
    return { app, stack, appB, pipeline };
  }

  test('the action runs as a role aws-cdk-lib creates in that stack, trusted by the pipeline role only', () => {
    const { app, stack, appB, pipeline } = setup();
    const { stacks, pipelineDeps } = assembly(app);
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`, `ShopB ${B}/eu-west-1`]); // no support stack
    expect(pipelineDeps).toEqual(['ShopB']);

    const a = action(stack, 'prod', 'shop-fleet'); // the group's physical name names the action
    expect(a.Configuration).toEqual({ ApplicationName: 'shop', DeploymentGroupName: 'shop-fleet' });
    expect(a.Region).toBeUndefined();
    const roleArn: string = flat(a.RoleArn);
    expect(roleArn).toMatch(new RegExp(`^arn:aws:iam::${B}:role/`));

    const roles = Object.values(Template.fromStack(appB).findResources('AWS::IAM::Role')) as any[];
    const actionRole = roles.find(r => roleArn.endsWith(`:role/${r.Properties.RoleName}`));
    expect(actionRole).toBeDefined();
    const trust = flat(actionRole.Properties.AssumeRolePolicyDocument.Statement);
    expect(trust).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:root` },
      Condition: { ArnEquals: { 'aws:PrincipalArn': expect.stringMatching(new RegExp(`^arn:aws:iam::${A}:role/`)) } },
    }]);
    expect(assumable(stack)).toContain(roleArn);
    expect(prodDeployment(pipeline).details).toContain(`role: created by aws-cdk-lib in account ${B}`);
  });

  test('the artifact bucket and key policies grant account B\'s action role and nobody else outside the pipeline account', () => {
    const { app, stack } = setup();
    app.synth();
    const roleArn: string = flat(action(stack, 'prod', 'shop-fleet').RoleArn);

    const bucket = artifactBucketPolicy(stack);
    expect(allowedPrincipals(bucket)).toEqual([roleArn]);
    const bucketGrant = flat(bucket.Statement).find((s: any) => s.Effect === 'Allow');
    expect(list(bucketGrant.Action).every((x: string) => /^s3:(Get|List)/.test(x))).toBe(true); // read only

    const key = artifactKeyPolicy(stack);
    expect(new Set(allowedPrincipals(key))).toEqual(new Set([`arn:aws:iam::${A}:root`, roleArn]));
    const keyGrant = flat(key.Statement).find((s: any) => list(s.Principal.AWS).includes(roleArn));
    expect(list(keyGrant.Action).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });
});

describe('CodeDeploy group imported from account B', () => {
  test('with role: the action runs as that role, which the pipeline role may assume and the artifacts grant', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const pipeline = pipelineIn(stack, {
      environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(stack, B), { role: roleB(stack) })] }],
    });
    const { stacks } = assembly(app);
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`]); // no support stack in account B

    const a = action(stack, 'prod', 'shop-fleet');
    expect(a.RoleArn).toBe(DEPLOY_ROLE_B);
    expect(a.Configuration).toEqual({ ApplicationName: 'shop', DeploymentGroupName: 'shop-fleet' });
    expect(assumable(stack)).toContain(DEPLOY_ROLE_B);
    expect(allowedPrincipals(artifactBucketPolicy(stack))).toEqual([DEPLOY_ROLE_B]);
    expect(new Set(allowedPrincipals(artifactKeyPolicy(stack)))).toEqual(new Set([`arn:aws:iam::${A}:root`, DEPLOY_ROLE_B]));
    expect(prodDeployment(pipeline).details).toContain('role: given');
  });

  test('without role: aws-cdk-lib adds a support stack in account B that holds the action role', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(stack, B))] }] });
    const { asm, stacks, pipelineDeps } = assembly(app);
    const supportId = `cross-account-support-stack-${B}`;
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`, `${supportId} ${B}/eu-west-1`]);
    expect(pipelineDeps).toEqual([supportId]);
    const support = asm.getStackArtifact(supportId);
    expect(support.stackName).toBe(`PipelineStack-support-${B}`);

    const roleArn: string = flat(action(stack, 'prod', 'shop-fleet').RoleArn);
    expect(roleArn).toMatch(new RegExp(`^arn:aws:iam::${B}:role/`));
    const template = Template.fromJSON(support.template);
    const [role] = Object.values(template.findResources('AWS::IAM::Role')) as any[];
    expect(roleArn).toBe(`arn:aws:iam::${B}:role/${role.Properties.RoleName}`);
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const codedeployResources = flat(policy.Properties.PolicyDocument.Statement)
      .filter((s: any) => list(s.Action).some((x: string) => x.startsWith('codedeploy:')))
      .flatMap((s: any) => list(s.Resource));
    expect(codedeployResources.sort()).toEqual([
      `arn:aws:codedeploy:eu-west-1:${B}:application:shop`,
      `arn:aws:codedeploy:eu-west-1:${B}:deploymentconfig:CodeDeployDefault.OneAtATime`,
      `arn:aws:codedeploy:eu-west-1:${B}:deploymentgroup:shop/shop-fleet`,
    ]);
    expect(allowedPrincipals(artifactBucketPolicy(stack))).toEqual([roleArn]);
  });

  test('a role of another account than the group\'s is refused', () => {
    const stack = pipelineStack(newApp());
    const roleA = iam.Role.fromRoleArn(stack, 'RoleA', `arn:aws:iam::${A}:role/shop-deploy`);
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(stack, B), { role: roleA })] }],
    }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deployments[0].role is in account ${A}, but the deployment group is in account ${B} `
      + `(CodePipeline deploys in the account of the role it assumes), got '${A}'. Pass a role of account ${B} that trusts the pipeline account.`);
  });

  test('a group of another account than the environment\'s is refused', () => {
    const stack = pipelineStack(newApp());
    const byName = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'ByName', {
      application: codedeploy.ServerApplication.fromServerApplicationName(stack, 'App', 'shop'), // the importing stack's account
      deploymentGroupName: 'shop-fleet',
    });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.codeDeployServer(byName)] }] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentGroup is in account ${A}, but environment 'prod' deploys to account ${B}, `
      + `got '${A}'. Import the deployment group from account ${B} (fromServerDeploymentGroupAttributes with an application ARN of that account), `
      + `or set the environment's account to ${A}.`);
  });
});

describe('ECS in account B', () => {
  test('rolling update with a role in account B', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', `arn:aws:ecs:eu-west-1:${B}:cluster/shop`);
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', { cluster, serviceArn: `arn:aws:ecs:eu-west-1:${B}:service/shop/shop-web` });
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service, { role: roleB(stack) })] }] });
    expect(assembly(app).stacks).toEqual([`PipelineStack ${A}/eu-west-1`]);
    const a = action(stack, 'prod', 'shop-web');
    expect(a.ActionTypeId.Provider).toBe('ECS');
    expect(a.RoleArn).toBe(DEPLOY_ROLE_B);
    expect(a.Configuration).toEqual({ ClusterName: 'shop', ServiceName: 'shop-web', FileName: 'imagedefinitions.json' });
    expect(assumable(stack)).toContain(DEPLOY_ROLE_B);
    expect(new Set(allowedPrincipals(artifactKeyPolicy(stack)))).toEqual(new Set([`arn:aws:iam::${A}:root`, DEPLOY_ROLE_B]));
    expect(prodDeployment(pipeline).details).toEqual(['image definitions: imagedefinitions.json', 'role: given']);
  });

  test('blue/green with a role in account B', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const group = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Bg', {
      application: codedeploy.EcsApplication.fromEcsApplicationArn(stack, 'BgApp', `arn:aws:codedeploy:eu-west-1:${B}:application:shop`),
      deploymentGroupName: 'shop-bg',
    });
    pipelineIn(stack, {
      environments: [{
        name: 'prod',
        account: B,
        deployments: [DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', role: roleB(stack) })],
      }],
    });
    expect(assembly(app).stacks).toEqual([`PipelineStack ${A}/eu-west-1`]);
    const a = action(stack, 'prod', 'shop-bg');
    expect(a.ActionTypeId.Provider).toBe('CodeDeployToECS');
    expect(a.RoleArn).toBe(DEPLOY_ROLE_B);
    expect(a.Configuration).toMatchObject({ ApplicationName: 'shop', DeploymentGroupName: 'shop-bg' });
    expect(allowedPrincipals(artifactBucketPolicy(stack))).toEqual([DEPLOY_ROLE_B]);
  });

  test('a service imported by name into the pipeline stack, with its cluster in account B, is refused', () => {
    const stack = pipelineStack(newApp());
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', `arn:aws:ecs:eu-west-1:${B}:cluster/shop`);
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', { cluster, serviceName: 'shop-web' });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service, { role: roleB(stack) })] }] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is in account ${A} (the account of the stack that imports it), `
      + `but its cluster is in account ${B}, got '${A}'. Import the service with its ARN, for example FargateService.fromFargateServiceAttributes(this, 'Service', `
      + `{ serviceArn: 'arn:aws:ecs:eu-west-1:${B}:service/shop/shop-web', cluster }).`);
  });
});

describe('environment in another region', () => {
  function crossRegion(environment: (stack: Stack) => EnvironmentOptions) {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, { environments: [environment(stack)] });
    return { app, stack, ...assembly(app) };
  }

  /** aws-cdk-lib's support stack for us-east-1 (one per pipeline account and region). */
  const SUPPORT = `cross-region-stack-${A}_us-east-1`;

  test('CloudFormation target: the actions run in us-east-1 with a replication bucket from the support stack', () => {
    const { stack, asm, stacks, pipelineDeps } = crossRegion(() => ({ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }));
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`, `${SUPPORT} ${A}/us-east-1`]);
    expect(pipelineDeps).toEqual([SUPPORT]);
    expect(action(stack, 'us', 'shop-us.Prepare').Region).toBe('us-east-1');
    expect(action(stack, 'us', 'shop-us.Deploy').Region).toBe('us-east-1');

    const support = Template.fromJSON(asm.getStackArtifact(SUPPORT).template);
    const buckets = Object.values(support.findResources('AWS::S3::Bucket')) as any[];
    expect(buckets).toHaveLength(1);
    const replication = buckets[0].Properties;
    // one account: SSE-KMS with the AWS managed aws/s3 key of us-east-1
    expect(replication.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }]);
    expect(replication.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    support.resourceCountIs('AWS::KMS::Key', 0);

    const stores = flat(pipelineProps(stack).ArtifactStores);
    expect(stores.map((s: any) => s.Region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    const usStore = stores.find((s: any) => s.Region === 'us-east-1').ArtifactStore;
    expect(usStore).toEqual({ Type: 'S3', Location: replication.BucketName });

    // the pipeline role may read and write the replication bucket (and its own), nothing else in S3
    const s3Resources = pipelineRoleStatements(stack).filter(s => list(s.Action).includes('s3:PutObject')).flatMap(s => list(s.Resource));
    expect(s3Resources.sort()).toEqual([
      '<ShopPipelineArtifactsBucket58010C1C.Arn>', '<ShopPipelineArtifactsBucket58010C1C.Arn>/*',
      `arn:aws:s3:::${replication.BucketName}`, `arn:aws:s3:::${replication.BucketName}/*`,
    ].sort());
  });

  test('CodeDeploy group in us-east-1: the action runs there', () => {
    const { stack, stacks } = crossRegion(s => ({ name: 'us', region: 'us-east-1', deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(s, A, 'us-east-1'))] }));
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`, `${SUPPORT} ${A}/us-east-1`]);
    const a = action(stack, 'us', 'shop-fleet');
    expect(a.Region).toBe('us-east-1');
    expect(a.Configuration).toEqual({ ApplicationName: 'shop', DeploymentGroupName: 'shop-fleet' });
    // the action role (pipeline account) may act on the group in us-east-1 only
    const [, policy] = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /usshopfleetCodePipelineActionRoleDefaultPolicy/.test(id))! as [string, any];
    const codedeployResources = flat(policy.Properties.PolicyDocument.Statement)
      .filter((s: any) => list(s.Action).some((x: string) => x.startsWith('codedeploy:')))
      .flatMap((s: any) => list(s.Resource));
    expect(codedeployResources.length).toBeGreaterThan(0);
    for (const r of codedeployResources) expect(r).toMatch(new RegExp(`^arn:aws:codedeploy:us-east-1:${A}:`));
  });

  test('CodeDeploy ECS blue/green group in us-east-1 of the pipeline\'s account: the action runs there with a role of the pipeline\'s stack (regression: aws-cdk-lib\'s dependency cycle)', () => {
    const { stack, asm, stacks, pipelineDeps } = crossRegion(s => ({
      name: 'us',
      region: 'us-east-1',
      deployments: [DeploymentTarget.codeDeployEcs(codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(s, 'Bg', {
        application: codedeploy.EcsApplication.fromEcsApplicationArn(s, 'BgApp', `arn:aws:codedeploy:us-east-1:${A}:application:checkout`),
        deploymentGroupName: 'checkout-bg',
        deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      }), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })],
    }));
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`, `${SUPPORT} ${A}/us-east-1`]);
    expect(pipelineDeps).toEqual([SUPPORT]);
    const a = action(stack, 'us', 'checkout-bg');
    expect(a.Region).toBe('us-east-1');
    expect(a.ActionTypeId.Provider).toBe('CodeDeployToECS');
    const template = Template.fromStack(stack);
    const [[roleId, role]] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => /EnvironmentsuscheckoutbgActionRole/.test(id)) as [string, any][];
    // named with the pipeline's account literally, so aws-cdk-lib grants it in its own policy only
    expect(flat(a.RoleArn)).toBe(`arn:aws:iam::${A}:role/<${roleId}>`);
    // trusted by the pipeline's role only, as aws-cdk-lib's own action roles are (regression: the whole account)
    expect(flat(role.Properties.AssumeRolePolicyDocument.Statement)).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: expect.stringMatching(/^<ShopPipelineRole[A-Z0-9]+\.Arn>$/) } },
    ]);
    expect(assumable(stack)).toContain(`arn:aws:iam::${A}:role/<${roleId}>`);
    // its policy: the group in us-east-1 and the replication bucket it reads the templates from
    const [, policy] = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /EnvironmentsuscheckoutbgActionRoleRef/.test(id))! as [string, any];
    const statements = flat(policy.Properties.PolicyDocument.Statement) as any[];
    const codedeployResources = statements.filter(st => list(st.Action).some((x: string) => x.startsWith('codedeploy:'))).flatMap(st => list(st.Resource));
    expect(codedeployResources.length).toBe(3);
    for (const r of codedeployResources) expect(r).toMatch(new RegExp(`^arn:aws:codedeploy:us-east-1:${A}:`));
    const s3Resources = statements.filter(st => list(st.Action).includes('s3:GetObject*')).flatMap(st => list(st.Resource));
    expect(s3Resources).toEqual([expect.stringMatching(/^arn:aws:s3:::pipelinestack-support-us-eplicationbucket[0-9a-f]+$/),
      expect.stringMatching(/^arn:aws:s3:::pipelinestack-support-us-eplicationbucket[0-9a-f]+\/\*$/)]);
    // and only there: the support stack, deployed before the role exists, names no principal (S3 refuses a policy naming a role yet to be created)
    const [bucketPolicy] = Object.values(Template.fromJSON(asm.getStackArtifact(SUPPORT).template).findResources('AWS::S3::BucketPolicy')) as any[];
    expect(allowedPrincipals(bucketPolicy.Properties.PolicyDocument)).toEqual([]);
    // cdk-nag: nothing left unexplained
    const checks = new AwsSolutionsChecks();
    for (const c of stack.node.findAll()) checks.visit(c);
    const findings = stack.node.findAll().flatMap(c => c.node.metadata
      .filter(m => m.type === 'aws:cdk:error' && String(m.data).startsWith('AwsSolutions-'))
      .map(m => `${c.node.path} ${String(m.data).slice(0, 200)}`));
    expect(findings).toEqual([]);
  });

  /** A stack of us-east-1 of the pipeline's account, where the DR group's deployment config is imported. */
  function drConfigs(s: Stack): Stack {
    const app = s.node.scope as App;
    const existing = app.node.tryFindChild('DrConfigs') as Stack | undefined;
    if (existing) return existing;
    const stack = new Stack(app, 'DrConfigs', { env: { account: A, region: 'us-east-1' } });
    // a resource, as newer aws-cdk-lib versions refuse an empty stack
    new CfnResource(stack, 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    return stack;
  }

  /** An ECS blue/green group of us-east-1 of the pipeline's account, imported into the pipeline's stack with its deployment configuration. */
  function drEnvironment(s: Stack): EnvironmentOptions {
    const application = codedeploy.EcsApplication.fromEcsApplicationArn(s, 'DrApp', `arn:aws:codedeploy:us-east-1:${A}:application:checkout`);
    const group = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(s, 'DrGroup', {
      application,
      deploymentGroupName: 'checkout-dr',
      // imported in a stack of the group's account and region: the action's role may read the config there (its ARN names us-east-1)
      deploymentConfig: codedeploy.EcsDeploymentConfig.fromEcsDeploymentConfigName(drConfigs(s), 'DrConfig', 'CodeDeployDefault.ECSAllAtOnce'),
    });
    return { name: 'dr', region: 'us-east-1', deployments: [DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })] };
  }

  test.each([
    ['an environment of account B', (s: Stack) => ({ environments: [{ name: 'staging', account: B, deployments: [cfnTarget('shop-staging')] }, drEnvironment(s)] })],
    ['an artifactBucket with a customer managed key', (s: Stack) => ({
      artifactBucket: new s3.Bucket(s, 'Artifacts', { encryptionKey: new Key(s, 'ArtifactsKey', { enableKeyRotation: true }) }),
      environments: [drEnvironment(s)],
    })],
  ])('ECS blue/green in us-east-1 of the pipeline\'s account with %s (customer managed replication key): synthesizes, and its role may decrypt '
    + 'with the replication key by its alias only (regression: "Cannot add assets to a Stack that uses the BootstraplessSynthesizer")', (_name, extra) => {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, extra(stack));
    const { asm, stacks, pipelineDeps } = assembly(app);
    // DrConfigs: the stack of the group's environment its deployment config is imported in (it holds a marker only; the pipeline does not wait for it)
    expect(stacks).toEqual([`DrConfigs ${A}/us-east-1`, `PipelineStack ${A}/eu-west-1`, `${SUPPORT} ${A}/us-east-1`]);
    expect(pipelineDeps).toEqual([SUPPORT]);
    const support = Template.fromJSON(asm.getStackArtifact(SUPPORT).template);
    // no reference across the regions: the support stack holds the replication bucket, its key and alias only
    expect(Object.values(support.toJSON().Resources).map((r: any) => r.Type).sort())
      .toEqual(['AWS::KMS::Alias', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('Fn::ImportValue');
    const [alias] = Object.values(support.findResources('AWS::KMS::Alias')) as any[];
    const [key] = Object.values(support.findResources('AWS::KMS::Key')) as any[];
    expect(new Set(allowedPrincipals(key.Properties.KeyPolicy))).toEqual(new Set([`arn:aws:iam::${A}:root`]));
    const [bucketPolicy] = Object.values(support.findResources('AWS::S3::BucketPolicy')) as any[];
    expect(allowedPrincipals(bucketPolicy.Properties.PolicyDocument)).toEqual([]);

    const [, policy] = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /EnvironmentsdrcheckoutdrActionRoleRef/.test(id))! as [string, any];
    const statements = flat(policy.Properties.PolicyDocument.Statement) as any[];
    expect(kmsStatements(statements)).toEqual([aliasScopedDecrypt(alias.Properties.AliasName)]);
    expect(statements.filter(st => list(st.Action).includes('s3:GetObject*')).flatMap(st => list(st.Resource))).toEqual([
      expect.stringMatching(/^arn:aws:s3:::pipelinestack-support-us-eplicationbucket[0-9a-f]+$/),
      expect.stringMatching(/^arn:aws:s3:::pipelinestack-support-us-eplicationbucket[0-9a-f]+\/\*$/),
    ]);
  });

  test('ECS blue/green in us-east-1 with a customer managed replication key: cdk-nag reports nothing on its role', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, { environments: [{ name: 'staging', account: B, deployments: [cfnTarget('shop-staging')] }, drEnvironment(stack)] });
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.includes('/dr/checkout-dr'))).toEqual([]);
  });

  test.each([
    ['CodeDeploy server group', 'shop-fleet', (s: Stack) => DeploymentTarget.codeDeployServer(importedServerGroup(s, A, 'us-east-1'))],
    ['Lambda alias', 'webhook', (s: Stack) => DeploymentTarget.lambdaFunction(lambda.Alias.fromAliasAttributes(s, 'Live', {
      aliasName: 'live', aliasVersion: lambda.Version.fromVersionArn(s, 'V1', `arn:aws:lambda:us-east-1:${A}:function:webhook:1`),
    }))],
    ['ECS service (rolling update)', 'web-dr', (s: Stack) => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(s, 'Web', {
      serviceArn: `arn:aws:ecs:us-east-1:${A}:service/web/web-dr`, cluster: ecs.Cluster.fromClusterArn(s, 'Cluster', `arn:aws:ecs:us-east-1:${A}:cluster/web`),
    }), { imageDefinitionsFile: 'imagedefinitions.json' })],
  ])('%s in us-east-1 of the pipeline\'s account with a customer managed replication key: the action role may decrypt with that key by its alias, '
    + 'not every key (aws-cdk-lib grants "*"); cdk-nag reports nothing on it', (_kind, actionName, target) => {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, { environments: [{ name: 'staging', account: B, deployments: [cfnTarget('shop-staging')] }, { name: 'dr', region: 'us-east-1', deployments: [target(stack)] }] });
    expect(action(stack, 'dr', actionName).Region).toBe('us-east-1');
    const support = Template.fromJSON(app.synth().getStackArtifact(SUPPORT).template);
    const [alias] = Object.values(support.findResources('AWS::KMS::Alias')) as any[];
    const policyId = new RegExp(`^ShopPipelinedr${actionName.replace(/-/g, '')}CodePipelineActionRoleDefaultPolicy`);
    const [, policy] = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => policyId.test(id))! as [string, any];
    const statements = flat(policy.Properties.PolicyDocument.Statement) as any[];
    expect(kmsStatements(statements)).toEqual([aliasScopedDecrypt(alias.Properties.AliasName)]);
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.startsWith(`PipelineStack/Shop/Pipeline/dr/${actionName}/`))).toEqual([]);
  });

  test('account B and us-east-1 at once: the action runs there as the given role; the replication key is customer managed and grants that role', () => {
    const { stack, asm, stacks } = crossRegion(s => ({
      name: 'us',
      account: B,
      region: 'us-east-1',
      deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(s, B, 'us-east-1'), { role: roleB(s) })],
    }));
    expect(stacks).toEqual([`PipelineStack ${A}/eu-west-1`, `${SUPPORT} ${A}/us-east-1`]);
    const a = action(stack, 'us', 'shop-fleet');
    expect(a.Region).toBe('us-east-1');
    expect(a.RoleArn).toBe(DEPLOY_ROLE_B);

    const support = Template.fromJSON(asm.getStackArtifact(SUPPORT).template);
    const [bucket] = Object.values(support.findResources('AWS::S3::Bucket')) as any[];
    const sse = flat(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault);
    expect(sse.SSEAlgorithm).toBe('aws:kms');
    // the support stack's key, by its alias
    expect(sse.KMSMasterKeyID).toMatch(/^arn:aws:kms:us-east-1:111111111111:(alias\/|<CrossRegionCodePipelineReplicationBucketEncryptionAlias)/);
    const keys = Object.values(support.findResources('AWS::KMS::Key')) as any[];
    expect(keys).toHaveLength(1);
    expect(keys[0].Properties.EnableKeyRotation).toBe(true);
    expect(new Set(allowedPrincipals(keys[0].Properties.KeyPolicy))).toEqual(new Set([`arn:aws:iam::${A}:root`, DEPLOY_ROLE_B]));
    const [bucketPolicy] = Object.values(support.findResources('AWS::S3::BucketPolicy')) as any[];
    expect(allowedPrincipals(bucketPolicy.Properties.PolicyDocument)).toEqual([DEPLOY_ROLE_B]);

    const usStore = flat(pipelineProps(stack).ArtifactStores).find((s: any) => s.Region === 'us-east-1').ArtifactStore;
    expect(usStore).toEqual({ Type: 'S3', Location: bucket.Properties.BucketName, EncryptionKey: { Type: 'KMS', Id: expect.stringMatching(/^arn:aws:kms:us-east-1:111111111111:alias\//) } });
    expect(assumable(stack)).toContain(DEPLOY_ROLE_B);
  });

  test('account B and us-east-1: the pipeline role may use the replication key by its alias, not every key (aws-cdk-lib grants "*")', () => {
    const { stack, asm } = crossRegion(s => ({
      name: 'us',
      account: B,
      region: 'us-east-1',
      deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(s, B, 'us-east-1'), { role: roleB(s) })],
    }));
    const support = Template.fromJSON(asm.getStackArtifact(SUPPORT).template);
    const [alias] = Object.values(support.findResources('AWS::KMS::Alias')) as any[];
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const pipelineRolePolicy = Object.entries(policies).find(([id]) => id.startsWith('ShopPipelineRoleDefaultPolicy'))![1] as any;
    const statements = flat(pipelineRolePolicy.Properties.PolicyDocument.Statement) as any[];
    expect(statements.filter(st => [].concat(st.Resource).includes('*' as never))).toEqual([]);
    const kms = statements.filter(st => [].concat(st.Action).some((a: string) => a.startsWith('kms:')));
    expect(kms).toEqual([
      expect.objectContaining({ Resource: expect.stringMatching(/^<ShopPipelineArtifactsBucketEncryptionKey[A-Z0-9]*\.Arn>$/) }),
      {
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Effect: 'Allow',
        Resource: `arn:aws:kms:us-east-1:${A}:key/*`,
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias.Properties.AliasName } },
      },
    ]);
    // the alias is the one the replication bucket is encrypted with
    expect(alias.Properties.AliasName).toMatch(/^alias\//);
  });

  test('an artifactBucket with a customer managed key and account B in us-east-1: the replication bucket gets a customer managed key for account B '
    + '(regression: aws-cdk-lib stopped with "Create Pipeline with \'crossAccountKeys: true\'")', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const artifactBucket = new s3.Bucket(stack, 'Artifacts', { encryptionKey: new Key(stack, 'ArtifactsKey', { enableKeyRotation: true }) });
    pipelineIn(stack, { artifactBucket, environments: [{ name: 'us', account: B, region: 'us-east-1', deployments: [cfnTarget('shop-us')] }] });
    const { asm } = assembly(app);
    const support = Template.fromJSON(asm.getStackArtifact(SUPPORT).template);
    const [bucket] = Object.values(support.findResources('AWS::S3::Bucket')) as any[];
    const sse = flat(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault);
    expect(sse.KMSMasterKeyID).toMatch(/^arn:aws:kms:us-east-1:111111111111:/);
    const keys = Object.values(support.findResources('AWS::KMS::Key')) as any[];
    expect(keys).toHaveLength(1);
    expect(keys[0].Properties.EnableKeyRotation).toBe(true);
    // account B's CDK bootstrap deploy role of us-east-1 runs the actions and may decrypt the artifacts there
    const deployRoleB = `:iam::${B}:role/cdk-hnb659fds-deploy-role-${B}-us-east-1`;
    const grants = flat(keys[0].Properties.KeyPolicy.Statement).filter((st: any) => JSON.stringify(st.Principal).includes(deployRoleB));
    expect(grants.map((st: any) => list(st.Action).sort())).toEqual([['kms:Decrypt', 'kms:DescribeKey']]);
  });

  test('one account and us-east-1: nothing to narrow (the replication bucket uses the AWS managed key)', () => {
    const { stack } = crossRegion(() => ({ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }));
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const pipelineRolePolicy = Object.entries(policies).find(([id]) => id.startsWith('ShopPipelineRoleDefaultPolicy'))![1] as any;
    expect(JSON.stringify(pipelineRolePolicy.Properties.PolicyDocument)).not.toContain('kms:');
    expect(JSON.stringify(policies)).not.toContain('"Resource":"*"');
  });

  test.each([
    ['account B and us-east-1', (s: Stack): EnvironmentOptions => ({
      name: 'us',
      account: B,
      region: 'us-east-1',
      deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(s, B, 'us-east-1'), { role: roleB(s) })],
    })],
    ['one account and us-east-1', (): EnvironmentOptions => ({ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] })],
  ])('cdk-nag, %s: the narrowed key grant and the replication bucket\'s objects are covered by the library\'s entry; no finding is left', (_name, environment) => {
    const { stack } = crossRegion(environment);
    const checks = new AwsSolutionsChecks();
    for (const c of stack.node.findAll()) checks.visit(c);
    const findings = stack.node.findAll().flatMap(c => c.node.metadata
      .filter(m => m.type === 'aws:cdk:error' && String(m.data).startsWith('AwsSolutions-'))
      .map(m => `${c.node.path} ${String(m.data).slice(0, 200)}`));
    expect(findings).toEqual([]);
  });
});

describe('resources of the app in another account or region whose names are generated', () => {
  test('a CodeDeploy group (or its application) with a generated name is refused naming the field to set (regression: aws-cdk-lib\'s cross-environment error)', () => {
    const attempt = (groupName?: string, application?: (s: Stack) => codedeploy.IServerApplication) => {
      const app = newApp();
      const stack = pipelineStack(app);
      const svc = new Stack(app, 'Svc', { env: { account: A, region: 'us-east-1' } });
      const group = new codedeploy.ServerDeploymentGroup(svc, 'Fleet', { deploymentGroupName: groupName, application: application?.(svc) });
      return () => {
        pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [DeploymentTarget.codeDeployServer(group)] }] });
        app.synth();
      };
    };
    const f = "'PipelineStack/Shop': environments[0] ('us').deployments[0].deploymentGroup is a deployment group of stack 'Svc', of another account or region "
      + "than the pipeline's stack, and the";
    expect(errorOf(attempt('fleet'))).toBe(`${f} applicationName of 'Svc/Fleet/Application' is generated when it deploys, so the pipeline's stack cannot name it in its `
      + "action and policies, got 'Svc/Fleet/Application'. Give the group an application with a name: new codedeploy.ServerDeploymentGroup(this, 'Group', "
      + "{ application: new codedeploy.ServerApplication(this, 'App', { applicationName: 'shop' }), ... }) (or PhysicalName.GENERATE_IF_NEEDED).");
    expect(errorOf(attempt(undefined, s => new codedeploy.ServerApplication(s, 'App', { applicationName: 'shop' })))).toBe(`${f} deploymentGroupName of 'Svc/Fleet' is `
      + "generated when it deploys, so the pipeline's stack cannot name it in its action and policies, got 'Svc/Fleet'. Give the group a name: "
      + "new codedeploy.ServerDeploymentGroup(this, 'Group', { deploymentGroupName: 'shop-fleet', ... }) (or PhysicalName.GENERATE_IF_NEEDED).");
    // literal names, or names generated at synth, are fine
    expect(attempt('fleet', s => new codedeploy.ServerApplication(s, 'App', { applicationName: 'shop' }))).not.toThrow();
    expect(attempt(PhysicalName.GENERATE_IF_NEEDED)).not.toThrow();
    // a pipeline stack with crossRegionReferences reads the generated names of its account's other regions (aws-cdk-lib's SSM exports)
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' }, crossRegionReferences: true });
    const svc = new Stack(app, 'Svc', { env: { account: A, region: 'us-east-1' }, crossRegionReferences: true });
    const group = new codedeploy.ServerDeploymentGroup(svc, 'Fleet');
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [DeploymentTarget.codeDeployServer(group)] }] });
    expect(() => app.synth()).not.toThrow();
  });

  test('an ECS service of another account with a generated cluster name is refused the same way', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const svc = new Stack(app, 'Svc', { env: { account: B, region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(svc, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
    const taskDefinition = new ecs.FargateTaskDefinition(svc, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const service = new ecs.FargateService(svc, 'Web', { cluster: new ecs.Cluster(svc, 'Cluster', { vpc }), taskDefinition, serviceName: 'shop-web' });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [DeploymentTarget.ecs(service)] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments[0].service is an ECS service of stack 'Svc', of another account or region than the pipeline's "
      + "stack, and the clusterName of 'Svc/Cluster' is generated when it deploys, so the pipeline's stack cannot name it in its action and policies, got "
      + "'Svc/Cluster'. Give the cluster a name: new ecs.Cluster(this, 'Cluster', { clusterName: 'shop', ... }) (or PhysicalName.GENERATE_IF_NEEDED).");
  });
});

describe('crossRegionReferences on the pipeline\'s stack', () => {
  const where = (field: string) => `'PipelineStack/Shop': ${field} deploys in Region us-east-1, whose replication bucket of the pipeline's artifacts is in stack `
    + `'PipelineStack-support-us-east-1' (cross-region-stack-${A}:us-east-1), synthesized without assets (BootstraplessSynthesizer), while the pipeline's stack `
    + '\'PipelineStack\' has crossRegionReferences: true';
  const fix = ', got \'us-east-1\'. Leave crossRegionReferences out of the pipeline\'s stack \'PipelineStack\', and name the CodeDeploy '
    + 'applications and groups, ECS clusters and services and Lambda functions of other Regions (literal names or PhysicalName.GENERATE_IF_NEEDED), '
    + 'which the pipeline\'s stack reads without it.';
  const assetCause = ': a custom resource whose Lambda code is an asset of the bucket\'s stack, which it cannot hold (the synth would fail with '
    + '"Cannot add assets to a Stack that uses the BootstraplessSynthesizer")';
  const refused = (field: string) => where(field) + ', with which aws-cdk-lib reads that bucket\'s name through a cross-region export '
    + '(@aws-cdk/core:defaultCrossStackReferences not set, which means "strong")' + assetCause + fix;

  /**
   * An app of the test flags with @aws-cdk/core:defaultCrossStackReferences as given, else unset
   * (newer aws-cdk-lib versions recommend "weak": the tests run on them too).
   */
  const appWith = (strength?: string) => {
    const app = new App({ context: { ...newApp().node.getAllContext(), [cxapi.DEFAULT_CROSS_STACK_REFERENCES]: undefined } });
    if (strength !== undefined) app.node.setContext(cxapi.DEFAULT_CROSS_STACK_REFERENCES, strength);
    return app;
  };

  function pipelineWith(environments: (app: App, stack: Stack) => EnvironmentOptions[], crossRegionReferences = true, strength?: string) {
    const app = appWith(strength);
    const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' }, crossRegionReferences });
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npx cdk synth'], outputs: ['cdk.out/**/*', 'appspec.yml'] }), environments: environments(app, stack) });
    return app;
  }
  const importedGroup = (stack: Stack) => DeploymentTarget.codeDeployServer(codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
    application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', `arn:aws:codedeploy:us-east-1:${A}:application:shop`),
    deploymentGroupName: 'shop-fleet',
  }));
  const appStage = (app: App) => {
    const stage = new Stage(app, 'Us', { env: { account: A, region: 'us-east-1' } });
    new CfnResource(new Stack(stage, 'Api'), 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    return DeploymentTarget.cdkStage(stage);
  };

  test.each([
    ['a CloudFormation target of an environment in another Region', () => [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }],
      "environments[0] ('us').deployments[0]"],
    ['a CloudFormation target with a region of its own', () => [{
      name: 'staging',
      deployments: [cfnTarget('shop-staging'),
        DeploymentTarget.cloudFormation({ stackName: 'shop-us', templatePath: 'cdk.out/shop-us.template.json', region: 'us-east-1' })],
    }],
    "environments[0] ('staging').deployments[1]"],
    ['a CDK stage of another Region', (app: App) => [{ name: 'us', region: 'us-east-1', deployments: [appStage(app)] }], "environments[0] ('us').deployments[0]"],
    ['an imported CodeDeploy group of another Region', (_app: App, stack: Stack) => [{ name: 'us', region: 'us-east-1', deployments: [importedGroup(stack)] }],
      "environments[0] ('us').deployments[0]"],
  ])('%s, whose replication bucket is in aws-cdk-lib\'s support stack, is refused naming the target and the fix '
    + '(regression: aws-cdk-lib\'s "Cannot add assets to a Stack that uses the BootstraplessSynthesizer")', (_name, environments, field) => {
    expect(errorOf(() => pipelineWith(environments).synth())).toBe(refused(field));
    // without the flag, the same pipeline synthesizes
    expect(() => pipelineWith(environments, false).synth()).not.toThrow();
  });

  const cfnUs = () => [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }];

  test('the apps above leave @aws-cdk/core:defaultCrossStackReferences unset, so their refusal is the one of the flag absent', () => {
    expect(appWith().node.tryGetContext(cxapi.DEFAULT_CROSS_STACK_REFERENCES)).toBeUndefined();
  });

  test.each([
    ['strong', 'reads that bucket\'s name through a cross-region export (@aws-cdk/core:defaultCrossStackReferences "strong")'],
    ['both', 'writes that bucket\'s name to a cross-region export (besides reading it through Fn::GetStackOutput) '
      + '(@aws-cdk/core:defaultCrossStackReferences "both")'],
  ])('@aws-cdk/core:defaultCrossStackReferences "%s": refused for the export writer\'s asset, which the support stack cannot hold', (strength, how) => {
    expect(errorOf(() => pipelineWith(cfnUs, true, strength).synth())).toBe(where("environments[0] ('us').deployments[0]") + `, with which aws-cdk-lib ${how}`
      + assetCause + fix);
  });

  test('@aws-cdk/core:defaultCrossStackReferences "weak": refused as a read the library does not support, not for an asset', () => {
    expect(errorOf(() => pipelineWith(cfnUs, true, 'weak').synth())).toBe(where("environments[0] ('us').deployments[0]")
      + ' and @aws-cdk/core:defaultCrossStackReferences "weak", with which aws-cdk-lib reads that bucket\'s name and ARN from an output of the bucket\'s '
      + 'stack through Fn::GetStackOutput: a cross-region read the library does not support (its cdk-nag suppression of the pipeline\'s role\'s grant on the '
      + 'bucket\'s objects names the bucket by its physical name and would not match the reference, and the read is not verified at deploy time)' + fix);
    // without crossRegionReferences the flag changes nothing: the bucket is named by its physical name
    expect(() => pipelineWith(cfnUs, false, 'weak').synth()).not.toThrow();
  });

  test('a Region whose first target is a group of a stack of the app there keeps its replication bucket in that stack, and synthesizes with the flag', () => {
    const app = pipelineWith(a => {
      const svc = new Stack(a, 'Svc', { env: { account: A, region: 'us-east-1' } });
      // a generated group name, which the pipeline's stack reads through the flag's export
      const group = new codedeploy.ServerDeploymentGroup(svc, 'Fleet', { application: new codedeploy.ServerApplication(svc, 'App', { applicationName: 'shop' }) });
      return [{ name: 'us', region: 'us-east-1', deployments: [DeploymentTarget.codeDeployServer(group), cfnTarget('shop-us')] }];
    });
    const cloudAssembly = app.synth();
    expect(app.node.tryFindChild(`cross-region-stack-${A}:us-east-1`)).toBeUndefined();
    expect(Object.keys(cloudAssembly.getStackByName('Svc').template.Resources).filter(id => id.startsWith('CrossRegionReplicationSupport'))).not.toEqual([]);
  });
});

describe('a region given as a token', () => {
  const tokenRegion = 'region must be a region known at synth (a cross-region action needs an artifact store in its region, which the pipeline creates '
    + "for the regions it knows at synth), got a token. Pass the region as a literal such as 'eu-west-1', or leave region out to deploy in the pipeline's region.";

  test('an environment\'s region imported from another stack is refused: no artifact store could be made for it', () => {
    const stack = pipelineStack(newApp());
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'x', region: Fn.importValue('R'), deployments: [cfnTarget()] }] })))
      .toBe(`'PipelineStack/Shop': environments[0] ('x').${tokenRegion}`);
  });

  test('a CloudFormation target\'s region given as a token is refused the same way', () => {
    const stack = pipelineStack(newApp());
    const region = new CfnParameter(stack, 'Region').valueAsString;
    const target = DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'cdk.out/shop.template.json', region });
    expect(errorOf(() => pipelineIn(stack, { environments: [{ name: 'x', deployments: [target] }] })))
      .toBe(`'PipelineStack/Shop': environments[0] ('x').deployments[0].${tokenRegion}`);
  });

  test('the pipeline stack\'s own region, a token in an environment-agnostic stack, is accepted: the actions run in the pipeline\'s region', () => {
    const stack = new Stack(newApp(), 'PipelineStack');
    pipelineIn(stack, { environments: [{ name: 'x', region: stack.region, deployments: [cfnTarget()] }] });
    expect(action(stack, 'x', 'shop-staging.Deploy').Region).toBeUndefined();
  });

  test('a target\'s region given in words is checked like an environment\'s', () => {
    const stack = pipelineStack(newApp());
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'x', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 't.json', region: 'eu-west' })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('x').deployments[0].region is not an AWS region name, got 'eu-west'. Pass a region such as 'eu-west-1'.");
  });

  test('a region of the AWS European Sovereign Cloud (four-letter prefix) is accepted and gets its replication bucket', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, { environments: [{ name: 'x', region: 'eusc-de-east-1', deployments: [cfnTarget()] }] });
    expect(action(stack, 'x', 'shop-staging.Deploy').Region).toBe('eusc-de-east-1');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('delivery-pipeline:unknownRegion'))).toEqual([]);
  });

  test('a region code aws-cdk-lib does not know (misspelt, or newer than it) is a warning naming the field, not an error', () => {
    const stack = pipelineStack(newApp());
    pipelineIn(stack, { environments: [{ name: 'x', region: 'eu-wset-1', deployments: [cfnTarget()] }] });
    expect(Annotations.fromStack(stack).findWarning('/PipelineStack/Shop', Match.stringLikeRegexp('unknownRegion')).map(w => w.entry.data)).toEqual([
      "'PipelineStack/Shop': environments[0] ('x').region 'eu-wset-1' is not a Region this aws-cdk-lib knows "
      + `(${RegionInfo.regions.length} Regions). Check its spelling: a misspelt Region fails only when the pipeline deploys, as its bootstrap roles `
      + 'and artifact bucket cannot be found. If it is a Region newer than your aws-cdk-lib, upgrade aws-cdk-lib or acknowledge this warning. '
      + '[ack: delivery-pipeline:unknownRegion]',
    ]);
  });
});

describe('grantArtifactsRead: the instances that download a CodeDeploy revision', () => {
  test('a fleet role of account B in us-east-1 may read the artifact bucket, the replication bucket and their keys (read only)', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const pipeline = pipelineIn(stack, {
      environments: [{
        name: 'us',
        account: B,
        region: 'us-east-1',
        deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(stack, B, 'us-east-1'), { role: roleB(stack) })],
      }],
    });
    const fleetRole = iam.Role.fromRoleArn(stack, 'FleetRole', `arn:aws:iam::${B}:role/shop-fleet`, { mutable: false });
    pipeline.grantArtifactsRead(fleetRole);
    const grantsOf = (doc: any) => flat(doc.Statement).filter((s: any) => list(s.Principal?.AWS).includes(`arn:aws:iam::${B}:role/shop-fleet`));

    const home = grantsOf(artifactBucketPolicy(stack));
    expect(home).toHaveLength(1);
    expect(list(home[0].Action).sort()).toEqual(['s3:GetBucket*', 's3:GetObject*', 's3:List*']);
    expect(list(grantsOf(artifactKeyPolicy(stack))[0].Action).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);

    const support = Template.fromJSON(app.synth().getStackArtifact(`cross-region-stack-${A}_us-east-1`).template);
    const [bucketPolicy] = Object.values(support.findResources('AWS::S3::BucketPolicy')) as any[];
    expect(list(grantsOf(bucketPolicy.Properties.PolicyDocument)[0].Action).sort()).toEqual(['s3:GetBucket*', 's3:GetObject*', 's3:List*']);
    const [key] = Object.values(support.findResources('AWS::KMS::Key')) as any[];
    expect(list(grantsOf(key.Properties.KeyPolicy)[0].Action).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  test('an imported artifact bucket and key: a warning names the statements their owner must add (regression: the grant was dropped silently)', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const key = Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    const pipeline = pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketAttributes(stack, 'Artifacts', { bucketName: 'acme-artifacts', encryptionKey: key }),
      environments: [{ name: 'prod', account: B, deployments: [cfnTarget('shop-prod')] }],
    });
    pipeline.grantArtifactsRead(iam.Role.fromRoleArn(stack, 'FleetRole', `arn:aws:iam::${B}:role/shop-fleet`, { mutable: false }));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStoreGrant')).map(w => w.entry.data);
    expect(warnings).toEqual([
      `grantArtifactsRead: arn:aws:iam::${B}:role/shop-fleet of account ${B} reads the artifacts through policies this app cannot change (the artifactBucket and its key are imported), `
      + `so this grant gives it nothing there. Add to the bucket policy of acme-artifacts: { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::${B}:role/shop-fleet" }, `
      + '"Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"], "Resource": ["<bucket ARN>", "<bucket ARN>/*"] }; and to the key policy of '
      + `arn:aws:kms:eu-west-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab: { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::${B}:role/shop-fleet" }, `
      + '"Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*" }. [ack: delivery-pipeline:importedArtifactStoreGrant]',
    ]);
  });

  test('an imported artifact bucket and key with environments of another account: a warning names the roles and the statements their owner must add '
    + '(regression: the first deployment failed with AccessDenied)', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const key = Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketAttributes(stack, 'Artifacts', { bucketName: 'acme-artifacts', encryptionKey: key }),
      environments: [
        { name: 'staging', deployments: [cfnTarget('shop-staging')] },
        { name: 'prod', account: B, deployments: [cfnTarget('shop-prod'), DeploymentTarget.codeDeployServer(importedServerGroup(stack, B), { role: roleB(stack) })] },
        // another region: the replication bucket there is aws-cdk-lib's, with its policies
        { name: 'us', account: B, region: 'us-east-1', deployments: [cfnTarget('shop-us')] },
      ],
    });
    app.synth();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStore')).map(w => w.entry.data);
    const deployRole = `arn:aws:iam::${B}:role/cdk-hnb659fds-deploy-role-${B}-eu-west-1`;
    const principal = `"Principal": { "AWS": ["${deployRole}", "${DEPLOY_ROLE_B}"] }`;
    expect(warnings).toEqual([
      'artifactBucket: actions of other accounts read the artifacts through policies this app cannot change (the artifactBucket and its key are imported), '
      + `and aws-cdk-lib leaves out their grants without an error: ${deployRole} (environment 'prod'), ${DEPLOY_ROLE_B} (environment 'prod'). `
      + 'Their first run fails with AccessDenied until the owner of the bucket and key adds to the bucket policy of acme-artifacts: '
      + `{ "Effect": "Allow", ${principal}, "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"], "Resource": ["<bucket ARN>", "<bucket ARN>/*"] }; `
      + `and to the key policy of arn:aws:kms:eu-west-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab: `
      + `{ "Effect": "Allow", ${principal}, "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*" }. [ack: delivery-pipeline:importedArtifactStoreRoles]`,
    ]);
  });

  test.each([
    ['the recommended feature flags', newApp],
    ['a plain App, whose ARNs name the partition by reference', () => new App()],
  ])('an imported artifact bucket with a key of the app, every environment in the pipeline\'s account: no warning (%s)', (_flags, makeApp) => {
    const app = makeApp();
    const stack = pipelineStack(app);
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Artifacts', { bucketName: 'acme-artifacts', encryptionKey: new Key(stack, 'Key') });
    pipelineIn(stack, { artifactBucket: bucket, environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }] });
    app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStore'))).toEqual([]);
  });

  test('an imported key of another account, every environment in the pipeline\'s account: a warning names the key, the pipeline\'s roles and the statement '
    + 'its owner must add for the pipeline\'s account (regression: no warning, every execution failed with AccessDenied)', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const keyArn = 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Artifacts', { bucketName: 'acme-artifacts', encryptionKey: Key.fromKeyArn(stack, 'Key', keyArn) });
    const pipeline = pipelineIn(stack, {
      artifactBucket: bucket,
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'])] },
        { name: 'prod', deployments: [cfnTarget('shop-prod')] },
      ],
    });
    // a fleet role of the pipeline's account reads the artifacts with the key too
    pipeline.grantArtifactsRead(new iam.Role(stack, 'Fleet', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
    app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStore')).map(w => w.entry.data)).toEqual([
      `artifactBucket: its key ${keyArn} is of account 999999999999, not the pipeline's account ${A}, and this app cannot change its key policy: `
      + "aws-cdk-lib gives the roles of the pipeline's account that read and write the artifacts only the IAM side of their grants, without an error "
      + '(PipelineStack/Shop/Pipeline/Role, PipelineStack/Shop/Pipeline/Source/Source/CodePipelineActionRole, PipelineStack/Shop/Build/Project/Role, '
      + 'PipelineStack/Shop/Environments/staging/Deploy/Project/Role, PipelineStack/Fleet, '
      + `arn:aws:iam::${A}:role/cdk-hnb659fds-deploy-role-${A}-eu-west-1). Every execution fails with AccessDenied until the owner (account 999999999999) `
      + `adds to the key policy of ${keyArn}: { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::${A}:root" }, `
      + '"Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"], "Resource": "*" }. '
      + "The principal is the pipeline's account, whose IAM policies then decide which of its roles may: KMS and S3 refuse a policy that names a role "
      + "before it exists, and these roles are created with the pipeline's stack. [ack: delivery-pipeline:importedArtifactStoreOfAnotherAccount]",
    ]);
  });

  test.each([
    ['the recommended feature flags', newApp],
    ['a plain App, whose ARNs name the partition by reference', () => new App()],
  ])('an imported bucket of another account with a key of the pipeline\'s account: the warning asks for its bucket policy, for the pipeline\'s account (%s)',
    (_flags, makeApp) => {
      const app = makeApp();
      const stack = pipelineStack(app);
      const bucket = s3.Bucket.fromBucketAttributes(stack, 'Artifacts', {
        bucketArn: 'arn:aws:s3:::acme-artifacts', account: '999999999999', encryptionKey: new Key(stack, 'Key'),
      });
      pipelineIn(stack, { artifactBucket: bucket, environments: [{ name: 'staging', deployments: [cfnTarget('shop-staging')] }] });
      app.synth();
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStore')).map(w => w.entry.data);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^artifactBucket: the bucket acme-artifacts is of account 999999999999, not the pipeline's account ${A}, `
        + 'and this app cannot change its bucket policy: .*\\(PipelineStack/Shop/Pipeline/Role, .*\\)\\. Every execution fails with AccessDenied until the owner '
        + '\\(account 999999999999\\) adds to the bucket policy of acme-artifacts: \\{ "Effect": "Allow", '
        + `"Principal": \\{ "AWS": "arn:aws:iam::${A}:root" \\}, "Action": \\["s3:GetObject\\*", "s3:GetBucket\\*", "s3:List\\*"\\], `
        + '"Resource": \\["<bucket ARN>", "<bucket ARN>/\\*"\\] \\}, \\{ "Effect": "Allow", .*"Action": \\["s3:DeleteObject\\*", "s3:PutObject", .*\\], '
        + '"Resource": "<bucket ARN>/\\*" \\}\\. The principal is the pipeline\'s account'))]);
      // the key is the app's: no statement for it
      expect(warnings[0]).not.toContain('key policy');
    });

  test.each([
    ['the recommended feature flags', newApp],
    ['a plain App, whose ARNs name the partition by reference', () => new App()],
  ])('an imported artifact bucket with a key of the app and an environment of another account: the warning asks for the bucket policy only (%s)', (_flags, makeApp) => {
    const app = makeApp();
    const stack = pipelineStack(app);
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Artifacts', { bucketName: 'acme-artifacts', encryptionKey: new Key(stack, 'Key') });
    pipelineIn(stack, { artifactBucket: bucket, environments: [{ name: 'prod', account: B, deployments: [cfnTarget('shop-prod')] }] });
    app.synth();
    const deployRole = `arn:aws:iam::${B}:role/cdk-hnb659fds-deploy-role-${B}-eu-west-1`;
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStore')).map(w => w.entry.data)).toEqual([
      'artifactBucket: actions of other accounts read the artifacts through policies this app cannot change (the artifactBucket is imported), '
      + `and aws-cdk-lib leaves out their grants without an error: ${deployRole} (environment 'prod'). `
      + 'Their first run fails with AccessDenied until the owner of the bucket and key adds to the bucket policy of acme-artifacts: '
      + `{ "Effect": "Allow", "Principal": { "AWS": "${deployRole}" }, "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"], `
      + '"Resource": ["<bucket ARN>", "<bucket ARN>/*"] }. [ack: delivery-pipeline:importedArtifactStoreRoles]',
    ]);
  });

  test('a role of the pipeline account gets an identity policy on the bucket; a non-grantee is refused', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const pipeline = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(stack, A))] }] });
    const role = new iam.Role(stack, 'Fleet', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    pipeline.grantArtifactsRead(role);
    const [, policy] = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /^FleetDefaultPolicy/.test(id))! as [string, any];
    const statements = flat(policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({ Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], Effect: 'Allow' })]);
    expect(list(statements[0].Resource)).toEqual(['<ShopPipelineArtifactsBucket58010C1C.Arn>', '<ShopPipelineArtifactsBucket58010C1C.Arn>/*']);
    expect(errorOf(() => pipeline.grantArtifactsRead('arn:aws:iam::111111111111:role/fleet' as any))).toBe(
      "'PipelineStack/Shop': grantArtifactsRead: grantee must be an iam.IGrantable (a role, user or group), got 'arn:aws:iam::111111111111:role/fleet'. "
      + "Pass the instances' role, for example iam.Role.fromRoleArn(this, 'FleetRole', 'arn:aws:iam::222222222222:role/fleet').");
  });

  test('a principal that holds no IAM policy is refused: it would be written into the bucket and key policies (regression: AnyPrincipal, a service)', () => {
    const stack = pipelineStack(newApp());
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [cfnTarget('shop')] }] });
    const principals: Array<[iam.IGrantable, string]> = [
      [new iam.AnyPrincipal(), 'AnyPrincipal'],
      [new iam.ServicePrincipal('codedeploy.amazonaws.com'), 'ServicePrincipal'],
      [new iam.AccountPrincipal('333333333333'), 'AccountPrincipal'],
    ];
    for (const [principal] of principals) {
      expect(errorOf(() => pipeline.grantArtifactsRead(principal))).toMatch(new RegExp("^'PipelineStack/Shop': grantArtifactsRead: grantee must be a role, user or group, "
        + ".*which would be written into the artifact bucket's and key's policies for whoever it names\\. Pass the instances' role"));
    }
    // a user or a group of the pipeline's account is a grantee like a role
    expect(() => pipeline.grantArtifactsRead(new iam.User(stack, 'Reader'))).not.toThrow();
    expect(() => pipeline.grantArtifactsRead(new iam.Group(stack, 'Readers'))).not.toThrow();
    // only the deploy role of account B may read, as before the attempts
    expect(allowedPrincipals(artifactBucketPolicy(stack))).toEqual([expect.stringMatching(/:iam::222222222222:role\/cdk-hnb659fds-deploy-role-222222222222-eu-west-1$/)]);
    expect(JSON.stringify(artifactBucketPolicy(stack))).not.toContain('codedeploy.amazonaws.com');
  });

  test('a role of the app in another region with a generated name is refused naming the fix (regression: aws-cdk-lib\'s cross-environment error)', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const pipeline = pipelineIn(stack, { environments: [{ name: 'prod', account: B, deployments: [cfnTarget('shop')] }] });
    const fleet = new Stack(app, 'Fleet', { env: { account: A, region: 'us-east-1' } });
    const generated = new iam.Role(fleet, 'Instances', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(errorOf(() => pipeline.grantArtifactsRead(generated))).toBe("'PipelineStack/Shop': grantArtifactsRead: grantee 'Fleet/Instances' is of a stack of "
      + "another account or region than the pipeline's, and its name is generated when it deploys, so the artifact key's policy cannot name it. Give it a "
      + "name (roleName, userName; or PhysicalName.GENERATE_IF_NEEDED), or import it by ARN in the pipeline's stack: iam.Role.fromRoleArn(this, 'FleetRole', "
      + "'arn:aws:iam::111111111111:role/fleet').");
    const named = new iam.Role(fleet, 'Named', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'shop-fleet' });
    expect(() => pipeline.grantArtifactsRead(named)).not.toThrow();
    // what counts is the grantee's principal, the role: a function with a generated name whose role has a name is fine,
    // and a named function whose role's name is generated is refused naming the role
    const code = lambda.Code.fromInline('exports.handler = async () => 1;');
    const withNamedRole = new lambda.Function(fleet, 'Unnamed', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code,
      role: new iam.Role(fleet, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'shop-fn' }),
    });
    expect(() => pipeline.grantArtifactsRead(withNamedRole)).not.toThrow();
    const withGeneratedRole = new lambda.Function(fleet, 'NamedFn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code, functionName: 'shop-fn' });
    expect(errorOf(() => pipeline.grantArtifactsRead(withGeneratedRole))).toContain("grantee 'Fleet/NamedFn/ServiceRole' is of a stack of another account");
    expect(() => app.synth()).not.toThrow();
  });

  test('a role of another account is refused when every environment is in the pipeline\'s account: the artifacts are encrypted with aws/s3', () => {
    const stack = pipelineStack(newApp());
    const pipeline = pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(importedServerGroup(stack, A))] }] });
    const fleetRole = iam.Role.fromRoleArn(stack, 'FleetRole', `arn:aws:iam::${B}:role/fleet`);
    expect(errorOf(() => pipeline.grantArtifactsRead(fleetRole))).toBe(
      `'PipelineStack/Shop': grantArtifactsRead: grantee is a principal of account ${B}, which cannot read the pipeline's artifacts: they are encrypted `
      + `with the AWS managed key aws/s3, which only account ${A} may use (no environment is in another account), got arn:aws:iam::${B}:role/fleet. `
      + `Add an environment in account ${B} (the pipeline then encrypts its artifacts with a customer managed key whose policy grants the grantee), `
      + 'or pass an artifactBucket encrypted with a customer managed KMS key (encryptionKey) whose key policy you manage.');
    expect(JSON.stringify(artifactBucketPolicy(stack))).not.toContain(B);
  });

  test('an artifactBucket with a customer managed key and an environment of the pipeline\'s account in us-east-1: a fleet role of account B '
    + 'may decrypt the replication bucket there too (regression: that bucket was encrypted with aws/s3)', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    const artifactBucket = new s3.Bucket(stack, 'Artifacts', { encryptionKey: new Key(stack, 'ArtifactsKey', { enableKeyRotation: true }) });
    const pipeline = pipelineIn(stack, { artifactBucket, environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }] });
    pipeline.grantArtifactsRead(iam.Role.fromRoleArn(stack, 'FleetRole', `arn:aws:iam::${B}:role/fleet`, { mutable: false }));
    const grantsOf = (doc: any) => flat(doc.Statement).filter((st: any) => list(st.Principal?.AWS).includes(`arn:aws:iam::${B}:role/fleet`));
    const support = Template.fromJSON(app.synth().getStackArtifact(`cross-region-stack-${A}_us-east-1`).template);
    const [bucket] = Object.values(support.findResources('AWS::S3::Bucket')) as any[];
    expect(flat(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).KMSMasterKeyID)
      .toMatch(/^arn:aws:kms:us-east-1:111111111111:/);
    const [key] = Object.values(support.findResources('AWS::KMS::Key')) as any[];
    expect(grantsOf(key.Properties.KeyPolicy).map((st: any) => list(st.Action).sort())).toEqual([['kms:Decrypt', 'kms:DescribeKey']]);
    const [bucketPolicy] = Object.values(support.findResources('AWS::S3::BucketPolicy')) as any[];
    expect(grantsOf(bucketPolicy.Properties.PolicyDocument).map((st: any) => list(st.Action).sort())).toEqual([['s3:GetBucket*', 's3:GetObject*', 's3:List*']]);
  });

  test('with an artifactBucket of the app: granted when it has a customer managed key, refused without one', () => {
    const stack = pipelineStack(newApp());
    const key = new Key(stack, 'ArtifactsKey');
    const withKey = pipelineIn(stack, { artifactBucket: new s3.Bucket(stack, 'KeyedBucket', { encryptionKey: key }) }, 'Keyed');
    withKey.grantArtifactsRead(iam.Role.fromRoleArn(stack, 'FleetRole', `arn:aws:iam::${B}:role/fleet`));
    const template = Template.fromStack(stack);
    const [keyResource] = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('ArtifactsKey'))!.slice(1) as any[];
    expect(JSON.stringify(flat(keyResource.Properties.KeyPolicy))).toContain(`arn:aws:iam::${B}:role/fleet`);

    const plain = pipelineIn(stack, { artifactBucket: new s3.Bucket(stack, 'PlainBucket', { encryption: s3.BucketEncryption.S3_MANAGED }) }, 'Plain');
    expect(errorOf(() => plain.grantArtifactsRead(iam.Role.fromRoleArn(stack, 'FleetRole2', `arn:aws:iam::${B}:role/fleet`)))).toBe(
      `'PipelineStack/Plain': grantArtifactsRead: grantee is a principal of account ${B}, which cannot read the pipeline's artifacts: they are encrypted `
      + `with the AWS managed key aws/s3, which only account ${A} may use (the artifactBucket has no encryptionKey), got arn:aws:iam::${B}:role/fleet. `
      + "Give the artifactBucket a customer managed KMS key whose key policy you manage (new s3.Bucket(this, 'Artifacts', { encryptionKey: key }); "
      + "for an imported bucket, s3.Bucket.fromBucketAttributes(this, 'Artifacts', { bucketName, encryptionKey: key })).");
  });
});

describe('the kms grant of an action role aws-cdk-lib creates in account B', () => {
  const C = '333333333333';
  const KEY_C = `arn:aws:kms:eu-west-1:${C}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const flagSets: Array<[string, Record<string, unknown>]> = [
    ['with @aws-cdk/aws-iam:minimizePolicies', { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS }],
    ['without it', { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, [cxapi.IAM_MINIMIZE_POLICIES]: false }],
  ];
  const targets: Array<[string, (stack: Stack) => DeploymentTarget]> = [
    ['an ECS rolling update', stack => DeploymentTarget.ecs(ecs.FargateService.fromFargateServiceAttributes(stack, 'Web', {
      cluster: ecs.Cluster.fromClusterArn(stack, 'Cluster', `arn:aws:ecs:eu-west-1:${B}:cluster/shop`),
      serviceArn: `arn:aws:ecs:eu-west-1:${B}:service/shop/shop-web`,
    }))],
    ['a CodeDeploy ECS blue/green', stack => DeploymentTarget.codeDeployEcs(codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Bg', {
      application: codedeploy.EcsApplication.fromEcsApplicationArn(stack, 'BgApp', `arn:aws:codedeploy:eu-west-1:${B}:application:shop`),
      deploymentGroupName: 'shop-bg',
    }), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })],
  ];

  /** The statements of the action role's policy in account B's support stack, as synthesized. */
  function supportStatements(context: Record<string, unknown>, target: (stack: Stack) => DeploymentTarget,
    artifactBucket?: (stack: Stack) => s3.IBucket) {
    const app = new App({ context });
    const stack = pipelineStack(app);
    pipelineIn(stack, { artifactBucket: artifactBucket?.(stack), environments: [{ name: 'prod', account: B, deployments: [target(stack)] }] });
    const asm = app.synth();
    const policies = Object.values(asm.getStackByName(`PipelineStack-support-${B}`).template.Resources as Record<string, any>)
      .filter(r => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    return { app, statements: flat(policies[0].Properties.PolicyDocument.Statement) as any[] };
  }

  const importedStoreOfC = (stack: Stack) => s3.Bucket.fromBucketAttributes(stack, 'Artifacts', {
    bucketName: 'shared-artifacts', encryptionKey: Key.fromKeyArn(stack, 'ArtifactKey', KEY_C),
  });

  describe.each(flagSets)('%s', (_flags, context) => {
    test.each(targets)('%s: an imported artifact key of account C is granted by its ARN (regression: narrowed to the keys of the pipeline\'s account, '
      + 'which exclude it)', (_name, target) => {
      const { statements } = supportStatements(context, target, importedStoreOfC);
      expect(kmsStatements(statements)).toEqual([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: KEY_C }]);
      expect(statements.filter(st => list(st.Resource).includes('*')).flatMap(st => list(st.Action)).filter((a: string) => a.startsWith('kms:'))).toEqual([]);
    });

    test.each(targets)('%s: the library\'s artifact key stays narrowed to the keys of the pipeline\'s account and region', (_name, target) => {
      const { statements } = supportStatements(context, target);
      expect(kmsStatements(statements)).toEqual([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: `arn:aws:kms:eu-west-1:${A}:key/*` }]);
    });
  });

  test('cdk-nag: a grant on the imported key\'s ARN is no finding and carries no key/* suppression', () => {
    const app = newApp();
    const stack = pipelineStack(app);
    pipelineIn(stack, { artifactBucket: importedStoreOfC(stack), environments: [{ name: 'prod', account: B, deployments: [targets[0][1](stack)] }] });
    expect(nagFindingsAfterSynth(app).filter(f => f.path.startsWith(`cross-account-support-stack-${B}/`))).toEqual([]);
    const policy = app.node.findAll().find(c => c.node.path.endsWith('-ActionRole/DefaultPolicy/Resource')) as CfnResource;
    expect(JSON.stringify(policy.getMetadata('cdk_nag').rules_to_suppress)).not.toContain(':kms:');
  });
});
