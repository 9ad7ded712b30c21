import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BuildStep, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget, QualityCheck, QualityCheckCommandsOptions, Verification,
} from '../../src';
import { errorOf, gitHub, nagFindingsAfterSynth, newApp, props } from '../util';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** A pipeline stack with a VPC of public, private (with a NAT gateway) and isolated subnets in two AZs. */
function network(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(newApp(), 'PipelineStack', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  return { stack, vpc };
}

/** The VpcConfig of the project whose description starts with `name`. */
function vpcConfigOf(stack: Stack, name: string): any {
  const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[];
  const project = projects.find(p => String(p.Properties.Description).startsWith(`${name} of `));
  if (!project) throw new Error(`no project ${name}`);
  return project.Properties.VpcConfig;
}

const ids = (stack: Stack, subnets: ec2.ISubnet[]) => subnets.map(s => stack.resolve(s.subnetId));

/** A pipeline with one part of each kind, the given options on the one named by `part`. */
function pipelineWith(stack: Stack, part: 'build' | 'check' | 'deploy' | 'verification', options: QualityCheckCommandsOptions, extra: Partial<DeliveryPipelineProps> = {}) {
  const on = (p: string) => (p === part ? options : {});
  return new DeliveryPipeline(stack, 'Shop', props({
    buildStep: BuildStep.commands({ commands: ['npm test'], ...on('build') }),
    checks: [QualityCheck.commands('Lint', ['npm run lint'], on('check'))],
    environments: [{
      name: 'staging',
      deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], on('deploy'))],
      verification: [Verification.commands('Smoke', ['curl -fsS $URL/health'], on('verification'))],
    }],
    ...extra,
  }));
}

describe('CodeBuild projects in a VPC', () => {
  test('the build runs in the private subnets with egress by default, with a security group aws-cdk-lib creates', () => {
    const { stack, vpc } = network();
    const pipeline = pipelineWith(stack, 'build', { vpc });
    const config = vpcConfigOf(stack, 'Build');
    expect(config.VpcId).toEqual(stack.resolve(vpc.vpcId));
    expect(config.Subnets).toEqual(ids(stack, vpc.privateSubnets));
    expect(config.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ShopBuildProjectSecurityGroup/), 'GroupId'] }]);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Automatic generated security group for CodeBuild PipelineStackShopBuildProject'),
      VpcId: stack.resolve(vpc.vpcId),
    });
    expect(pipeline.describe().buildStep.details).toContain('in VPC PipelineStack/Vpc, subnets private with egress, 1 new security group');
    // the other parts stay outside the VPC
    for (const other of ['Lint', 'Deploy', 'Smoke']) expect(vpcConfigOf(stack, other)).toBeUndefined();
  });

  test('a check runs in the subnets and security groups it selects, and no security group is created for it', () => {
    const { stack, vpc } = network();
    const db = new ec2.SecurityGroup(stack, 'DbClients', { vpc });
    const registry = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Registry', 'sg-0123456789abcdef0');
    const pipeline = pipelineWith(stack, 'check', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [db, registry] });
    expect(vpcConfigOf(stack, 'Lint')).toEqual({
      VpcId: stack.resolve(vpc.vpcId),
      Subnets: ids(stack, vpc.isolatedSubnets),
      SecurityGroupIds: [stack.resolve(db.securityGroupId), 'sg-0123456789abcdef0'],
    });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('CodeBuild') }, 0);
    expect(pipeline.describe().checks[0].details).toContain('in VPC PipelineStack/Vpc, subnets private isolated, 2 security groups');
  });

  test('a deploy script runs in an imported VPC, named by its id in the plan', () => {
    const { stack } = network();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0abc1234', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
    });
    const pipeline = pipelineWith(stack, 'deploy', { vpc });
    const config = vpcConfigOf(stack, 'Deploy');
    expect(config.VpcId).toBe('vpc-0abc1234');
    expect(config.Subnets).toEqual(['subnet-0aaa1111', 'subnet-0bbb2222']);
    expect(pipeline.describe().environments[0].deployments[0].details).toContain('in VPC vpc-0abc1234, subnets private with egress, 1 new security group');
  });

  test('a verification runs in the subnet group it names', () => {
    const { stack, vpc } = network();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Tests', 'sg-0fedcba9876543210');
    const pipeline = pipelineWith(stack, 'verification', { vpc, subnetSelection: { subnetGroupName: 'Data' }, securityGroups: [sg] });
    expect(vpcConfigOf(stack, 'Smoke')).toEqual({ VpcId: stack.resolve(vpc.vpcId), Subnets: ids(stack, vpc.isolatedSubnets), SecurityGroupIds: ['sg-0fedcba9876543210'] });
    expect(pipeline.describe().environments[0].verification[0].details).toContain("in VPC PipelineStack/Vpc, subnets of group 'Data', 1 security group");
  });

  test('subnets given one by one are the project\'s subnets, by id in the plan', () => {
    const { stack, vpc } = network();
    const subnet = ec2.Subnet.fromSubnetId(stack, 'One', 'subnet-01234567');
    const pipeline = pipelineWith(stack, 'build', { vpc, subnetSelection: { subnets: [subnet] } });
    expect(vpcConfigOf(stack, 'Build').Subnets).toEqual(['subnet-01234567']);
    expect(pipeline.describe().buildStep.details).toContain('in VPC PipelineStack/Vpc, subnets subnet-01234567, 1 new security group');
  });

  test('the project\'s role may create network interfaces only in the selected subnets, for CodeBuild', () => {
    const { stack, vpc } = network();
    pipelineWith(stack, 'check', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
    const eni = policies.flatMap(p => p.Properties.PolicyDocument.Statement).find((s: any) => s.Action === 'ec2:CreateNetworkInterfacePermission');
    expect(eni.Condition.StringEquals['ec2:AuthorizedService']).toBe('codebuild.amazonaws.com');
    expect(JSON.stringify(eni.Condition.StringEquals['ec2:Subnet'])).toContain(stack.resolve(vpc.isolatedSubnets[0].subnetId).Ref);
    expect(JSON.stringify(eni.Condition.StringEquals['ec2:Subnet'])).not.toContain(stack.resolve(vpc.privateSubnets[0].subnetId).Ref);
  });

  test('cdk-nag: the ec2 grants aws-cdk-lib adds are suppressed with reasons, and only they are', () => {
    const app = newApp();
    const networkStack = new Stack(app, 'Network', { env: ENV });
    const vpc = new ec2.Vpc(networkStack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    const options = { vpc };
    new DeliveryPipeline(stack, 'Shop', props({
      buildStep: BuildStep.commands({ commands: ['npm test'], ...options }),
      checks: [QualityCheck.commands('Lint', ['npm run lint'], options)],
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], {
          ...options,
          // a wildcard of the user's own stays reported
          rolePolicyStatements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })],
        })],
        verification: [Verification.commands('Smoke', ['curl -fsS $URL/health'], options)],
      }],
    }));
    const findings = nagFindingsAfterSynth(stack).map(f => `/${f.path}: ${f.data.replace(/\]: .*$/s, ']')}`);
    expect(findings).toEqual(['/PipelineStack/Shop/Environments/staging/Deploy/Project/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::*]']);
    // the suppressions name their findings and say why
    const vpcPolicy = stack.node.findAll().find(c => c.node.path === 'PipelineStack/Shop/Build/Project/PolicyDocument/Resource') as CfnResource;
    const rules = vpcPolicy.getMetadata('cdk_nag').rules_to_suppress;
    expect(rules).toContainEqual(expect.objectContaining({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'], reason: expect.stringMatching(/CodeBuild documents/) }));
  });
});

describe('CodeBuild projects in a VPC: errors', () => {
  const fixVpc = "Use a VPC of the pipeline's account and Region, imported in the pipeline's stack: ec2.Vpc.fromLookup(pipelineStack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' }).";

  test.each(['subnetSelection', 'securityGroups'] as const)('fails when %s is given without vpc', (field) => {
    const { stack, vpc } = network();
    const value = field === 'subnetSelection' ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : [new ec2.SecurityGroup(stack, 'Sg', { vpc })];
    expect(errorOf(() => pipelineWith(stack, 'check', { [field]: value }))).toBe(
      `'PipelineStack/Shop': checks[0].${field} is given without vpc (subnets and security groups belong to a VPC), got ${field === 'subnetSelection' ? 'an object' : 'an array of 1'}. `
      + `Pass vpc too, or leave ${field} out.`);
  });

  test('fails when vpc is not an ec2.IVpc (JavaScript caller)', () => {
    const { stack } = network();
    expect(errorOf(() => pipelineWith(stack, 'deploy', { vpc: 'vpc-0abc1234' as any }))).toBe(
      "'PipelineStack/Shop': environments[0] ('staging').deployments[0].vpc must be an ec2.IVpc, got 'vpc-0abc1234'. "
      + "Pass an ec2.Vpc, or import one with ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' }).");
  });

  test('fails when securityGroups holds something else than a security group, none, or more than CodeBuild allows', () => {
    const { stack, vpc } = network();
    const fix = "Pass [ec2.SecurityGroup.fromSecurityGroupId(this, 'Builds', 'sg-0123456789abcdef0')], or leave it out for one aws-cdk-lib creates.";
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, securityGroups: ['sg-0abc1234'] as any }))).toBe(
      `'PipelineStack/Shop': buildStep.securityGroups[0] must be an ec2.ISecurityGroup, got 'sg-0abc1234'. ${fix}`);
    const { stack: s2, vpc: v2 } = network();
    expect(errorOf(() => pipelineWith(s2, 'build', { vpc: v2, securityGroups: [] }))).toBe(
      "'PipelineStack/Shop': buildStep.securityGroups must hold at least one security group, got an array of 0. "
      + 'Leave it out for one security group aws-cdk-lib creates (all outbound traffic allowed).');
    const { stack: s3, vpc: v3 } = network();
    const six = [1, 2, 3, 4, 5, 6].map(i => ec2.SecurityGroup.fromSecurityGroupId(s3, `Sg${i}`, `sg-0${i}`));
    expect(errorOf(() => pipelineWith(s3, 'build', { vpc: v3, securityGroups: six }))).toBe(
      "'PipelineStack/Shop': buildStep.securityGroups may hold at most 5 security groups (CodeBuild's limit for a project), got 6 security groups. "
      + 'Combine their rules into fewer security groups.');
  });

  test('fails when a security group or a subnet of the app belongs to another VPC (regression: synthesized a VpcConfig CodeBuild refuses)', () => {
    const { stack, vpc } = network();
    const other = new ec2.Vpc(stack, 'Other', { maxAzs: 2, natGateways: 1 });
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc: other })] }))).toBe(
      "'PipelineStack/Shop': buildStep.securityGroups[0] is a security group of VPC PipelineStack/Other, not of the project's VPC PipelineStack/Vpc "
      + "(a CodeBuild project's subnets and security groups belong to its VPC), got 'PipelineStack/Sg'. "
      + "Pass security groups of VPC PipelineStack/Vpc, for example new ec2.SecurityGroup(this, 'Builds', { vpc }).");
    const { stack: s2, vpc: v2 } = network();
    const other2 = new ec2.Vpc(s2, 'Other', { maxAzs: 2, natGateways: 1 });
    expect(errorOf(() => pipelineWith(s2, 'check', { vpc: v2, subnetSelection: { subnets: other2.privateSubnets } }))).toBe(
      "'PipelineStack/Shop': checks[0].subnetSelection.subnets[0] is a subnet of VPC PipelineStack/Other, not of the project's VPC PipelineStack/Vpc "
      + "(a CodeBuild project's subnets and security groups belong to its VPC), got 'PipelineStack/Other/PrivateSubnet1'. "
      + 'Pass subnets of VPC PipelineStack/Vpc, for example { subnets: vpc.privateSubnets }, or select them by subnetType or subnetGroupName.');
  });

  test('fails when a security group of an imported VPC names another VPC id', () => {
    const { stack } = network();
    const imported = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-0aaa', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0aaa'] });
    const elsewhere = ec2.Vpc.fromVpcAttributes(stack, 'Elsewhere', { vpcId: 'vpc-0bbb', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0bbb'] });
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc: imported, securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc: elsewhere })] }))).toMatch(
      /^'PipelineStack\/Shop': buildStep\.securityGroups\[0\] is a security group of VPC vpc-0bbb, not of the project's VPC vpc-0aaa /);
  });

  test('a security group of the VPC, one of an imported VPC with the same id, and an imported security group (whose VPC is not known) are taken', () => {
    const { stack, vpc } = network();
    pipelineWith(stack, 'build', { vpc, securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc }), ec2.SecurityGroup.fromSecurityGroupId(stack, 'Shared', 'sg-0123456789abcdef0')] });
    expect(vpcConfigOf(stack, 'Build').SecurityGroupIds).toHaveLength(2);
    const { stack: s2 } = network();
    const imported2 = ec2.Vpc.fromVpcAttributes(s2, 'Imported', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
    const again2 = ec2.Vpc.fromVpcAttributes(s2, 'Again', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
    pipelineWith(s2, 'build', { vpc: imported2, securityGroups: [new ec2.SecurityGroup(s2, 'Sg', { vpc: again2 })] });
    expect(vpcConfigOf(s2, 'Build').VpcId).toBe('vpc-0123456789abcdef0');
  });

  test('fails when one security group is given twice', () => {
    const { stack, vpc } = network();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Shared', 'sg-0abc');
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, securityGroups: [sg, sg] }))).toBe(
      "'PipelineStack/Shop': buildStep.securityGroups[1] is the security group of buildStep.securityGroups[0] again, got 'sg-0abc'. Pass each security group once.");
  });

  test('fails when subnetSelection is not a selection, or its subnets are not subnets (JavaScript caller)', () => {
    const { stack, vpc } = network();
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, subnetSelection: 'private' as any }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection must be an ec2.SubnetSelection, got 'private'. Pass { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or leave it out.");
    const { stack: s2, vpc: v2 } = network();
    expect(errorOf(() => pipelineWith(s2, 'build', { vpc: v2, subnetSelection: { subnets: ['subnet-0abc1234'] as any } }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection.subnets[0] must be an ec2.ISubnet, got 'subnet-0abc1234'. "
      + "Pass [ec2.Subnet.fromSubnetId(this, 'Builds', 'subnet-0123456789abcdef0')], or select subnets by subnetType or subnetGroupName.");
  });

  test('fails when a Lambda build image would run in a VPC (CodeBuild\'s Lambda compute cannot; aws-cdk-lib does not check it)', () => {
    const { stack, vpc } = network();
    expect(errorOf(() => pipelineWith(stack, 'verification', { vpc, buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }))).toBe(
      "'PipelineStack/Shop': environments[0] ('staging').verification[0].vpc puts a project with the Lambda build image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20 "
      + "in VPC PipelineStack/Vpc, and CodeBuild's Lambda compute cannot run in a VPC, got vpc PipelineStack/Vpc, image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20. "
      + 'Use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0 for a project that must reach the VPC.');
  });

  test('fails when the VPC is in another account or Region than the pipeline\'s stack (CodeBuild uses VPCs of its own account and Region)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    const otherAccount = new ec2.Vpc(new Stack(app, 'Shared', { env: { account: '222222222222', region: 'eu-west-1' } }), 'Vpc');
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc: otherAccount }))).toBe(
      "'PipelineStack/Shop': buildStep.vpc is a VPC of account 222222222222, but the pipeline's CodeBuild projects are in its stack 'PipelineStack' (account 111111111111), "
      + `and CodeBuild runs in VPCs of its own account and Region only (shared VPCs are not supported), got 'Shared/Vpc'. ${fixVpc}`);
    const stack2 = new Stack(app, 'PipelineStack2', { env: ENV });
    const otherRegion = new ec2.Vpc(new Stack(app, 'Virginia', { env: { account: '111111111111', region: 'us-east-1' } }), 'Vpc');
    expect(errorOf(() => pipelineWith(stack2, 'check', { vpc: otherRegion }))).toBe(
      "'PipelineStack2/Shop': checks[0].vpc is a VPC of Region us-east-1, but the pipeline's CodeBuild projects are in its stack 'PipelineStack2' (Region eu-west-1), "
      + `and CodeBuild runs in VPCs of its own account and Region only, got 'Virginia/Vpc'. ${fixVpc}`);
  });

  test('fails when a security group is in another account than the pipeline\'s stack', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    const vpc = ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-0abc1234' });
    const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(other, 'Sg', 'sg-0abc1234');
    expect(errorOf(() => pipelineWith(stack, 'deploy', { vpc, securityGroups: [sg] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('staging').deployments[0].securityGroups[0] is a security group of account 222222222222, "
      + "but the pipeline's CodeBuild projects are in its stack 'PipelineStack' (account 111111111111), and CodeBuild runs in VPCs of its own account and Region only "
      + "(shared VPCs are not supported), got 'sg-0abc1234'. Use a security group of the pipeline's account and Region, imported in the pipeline's stack: "
      + "ec2.SecurityGroup.fromSecurityGroupId(pipelineStack, 'Builds', 'sg-0123456789abcdef0').");
  });

  test('fails when the VPC is in a CDK stage the pipeline deploys (its stack cannot refer to it; regression guard for aws-cdk-lib\'s cross-stage error)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    const stage = new Stage(app, 'Staging', { env: ENV });
    const vpc = new ec2.Vpc(new Stack(stage, 'Network'), 'Vpc');
    expect(errorOf(() => pipelineWith(stack, 'verification', { vpc }))).toBe(
      "'PipelineStack/Shop': environments[0] ('staging').verification[0].vpc is a VPC of stack 'Staging/Network', in CDK stage 'Staging', not the pipeline's, "
      + `which the pipeline's stack cannot refer to, got 'Staging/Network/Vpc'. ${fixVpc}`);
  });

  test('fails when the VPC is in a stack of another environment (an env-agnostic stack)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    const vpc = new ec2.Vpc(new Stack(app, 'Agnostic'), 'Vpc');
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc }))).toBe(
      "'PipelineStack/Shop': buildStep.vpc is a VPC of stack 'Agnostic' (aws://unknown-account/unknown-region), which the pipeline's stack "
      + '(aws://111111111111/eu-west-1) cannot refer to: aws-cdk-lib refers to resources of other stacks of the same environment only, '
      + `got 'Agnostic/Vpc'. ${fixVpc}`);
  });

  test('a VPC of another stack of the same stage and environment is referred to across stacks', () => {
    const app = newApp();
    const vpc = new ec2.Vpc(new Stack(app, 'Network', { env: ENV }), 'Vpc', { maxAzs: 2 });
    const stack = new Stack(app, 'PipelineStack', { env: ENV });
    pipelineWith(stack, 'build', { vpc });
    // aws-cdk-lib 2.27x refers to another stack's outputs with Fn::GetStackOutput
    expect([
      { 'Fn::ImportValue': expect.stringMatching(/^Network:ExportsOutputRefVpc/) },
      { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Network', OutputName: expect.stringMatching(/RefVpc/) }) },
    ]).toContainEqual(vpcConfigOf(stack, 'Build').VpcId);
  });

  test('fails when the selection picks public subnets (CodeBuild\'s network interfaces get no public IP address)', () => {
    const { stack, vpc } = network();
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PUBLIC } }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection selects public subnets of VPC PipelineStack/Vpc: CodeBuild gives its network interfaces no public IP address, "
      + 'so a build in a public subnet reaches nothing outside the VPC (not even its source), got { subnetType: ec2.SubnetType.PUBLIC }. '
      + 'Select private subnets ({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }), or isolated subnets with VPC endpoints for S3 and CloudWatch Logs (ec2.SubnetType.PRIVATE_ISOLATED).');
  });

  test('fails when the VPC has only public subnets (aws-cdk-lib\'s default selection would pick them)', () => {
    const stack = new Stack(newApp(), 'PipelineStack', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(errorOf(() => pipelineWith(stack, 'check', { vpc }))).toBe(
      "'PipelineStack/Shop': checks[0].subnetSelection selects public subnets of VPC PipelineStack/Vpc, which has no private subnets: "
      + 'CodeBuild gives its network interfaces no public IP address, so a build in a public subnet reaches nothing outside the VPC (not even its source), '
      + 'got the default selection (private subnets with egress, else isolated ones, else public ones, as aws-cdk-lib picks them). '
      + 'Add private subnets with a NAT gateway to the VPC and select them ({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }), '
      + 'or isolated subnets with VPC endpoints for S3 and CloudWatch Logs (ec2.SubnetType.PRIVATE_ISOLATED).');
  });

  test('fails when the VPC has no subnets of the selected type (regression: aws-cdk-lib lists deprecated type values)', () => {
    const stack = new Stack(newApp(), 'PipelineStack', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection selects ec2.SubnetType.PRIVATE_ISOLATED subnets, and VPC PipelineStack/Vpc has none "
      + '(it has private with egress (ec2.SubnetType.PRIVATE_WITH_EGRESS), public), got { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }. '
      + "Select subnets the VPC has, for example { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or { subnetGroupName: 'Builds' }.");
  });

  test('fails with aws-cdk-lib\'s words when the VPC has no subnet group of that name', () => {
    const { stack, vpc } = network();
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, subnetSelection: { subnetGroupName: 'Builds' } }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection selects no subnets of VPC PipelineStack/Vpc (aws-cdk-lib: There are no subnet groups with name 'Builds' in this VPC. "
      + "Available names: Public,Private,Data), got { subnetGroupName: 'Builds' }. "
      + "Select subnets the VPC has, for example { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or { subnetGroupName: 'Builds' }.");
  });

  test('fails when the selection\'s filters leave no subnet', () => {
    const { stack, vpc } = network();
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc, subnetSelection: { subnetFilters: [ec2.SubnetFilter.byIds(['subnet-none'])] } }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection selects no subnets of VPC PipelineStack/Vpc, got { subnetFilters: 1 filter }. "
      + 'Loosen the selection (subnetFilters, availabilityZones) so that it keeps at least one private subnet.');
  });

  test('fails when the selection picks more subnets than CodeBuild allows a project (16)', () => {
    const stack = new Stack(newApp(), 'PipelineStack', { env: ENV });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Big', {
      vpcId: 'vpc-0big', availabilityZones: ['eu-west-1a'], privateSubnetIds: Array.from({ length: 17 }, (_, i) => `subnet-${i}`),
    });
    expect(errorOf(() => pipelineWith(stack, 'build', { vpc }))).toBe(
      "'PipelineStack/Shop': buildStep.subnetSelection selects 17 subnets of VPC vpc-0big, more than CodeBuild's limit of 16 for a project, "
      + 'got the default selection (private subnets with egress, else isolated ones, else public ones, as aws-cdk-lib picks them). '
      + 'Add onePerAz: true to the selection, or select a subnet group.');
  });

  test('fails in the model, before anything is rendered (no project was created)', () => {
    const { stack, vpc } = network();
    errorOf(() => pipelineWith(stack, 'build', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PUBLIC } }));
    Template.fromStack(stack).resourceCountIs('AWS::CodeBuild::Project', 0);
  });
});

test('a pipeline without a VPC anywhere renders no VpcConfig and no security group (defaults unchanged)', () => {
  const stack = new Stack(newApp(), 'PipelineStack', { env: ENV });
  new DeliveryPipeline(stack, 'Shop', { source: gitHub(), buildStep: BuildStep.commands({ commands: ['make'] }) });
  Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', { VpcConfig: Match.absent() });
  Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroup', 0);
});
