import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Approval, BuildCache, BuildStep, DeliveryDefaults, DeliveryPipelineProps } from '../../src';
import { env, errorOf, newApp, pipelineIn } from '../util';

const E = { account: '111111111111', region: 'eu-west-1' };
const FIX = "Import it into the pipeline's app by ARN (sns.Topic.fromTopicArn, kms.Key.fromKeyArn, s3.Bucket.fromBucketArn, ...), or create it in this app.";

/** The error of a pipeline whose props `make` builds from a stack of its app and one of another app. */
function errorWith(make: (own: Stack, other: Stack, app: App) => Partial<DeliveryPipelineProps>): string {
  const app = newApp();
  const own = new Stack(app, 'PipelineStack', { env: E });
  const other = new Stack(newApp(), 'Other', { env: E });
  return errorOf(() => pipelineIn(own, make(own, other, app)));
}

/** The message for `field`, `what` of stack 'Other' at `path`. */
const refused = (field: string, what: string, path: string) =>
  `'PipelineStack/Shop': ${field} is ${what} of stack 'Other' of another CDK app than the pipeline's, which the pipeline's stack cannot refer to, got '${path}'. ${FIX}`;

describe('a resource of another CDK app is refused naming the field (regression: aws-cdk-lib\'s "Cannot reference across apps", naming neither)', () => {
  test('notifications.topic', () => {
    expect(errorWith((_own, other) => ({ notifications: { topic: new sns.Topic(other, 'Topic') } })))
      .toBe(refused('notifications.topic', 'an SNS topic', 'Other/Topic'));
  });

  test('notifications.slackChannel', () => {
    expect(errorWith((_own, other) => ({
      notifications: { slackChannel: new chatbot.SlackChannelConfiguration(other, 'Slack', { slackChannelConfigurationName: 'releases', slackWorkspaceId: 'T0', slackChannelId: 'C0' }) },
    }))).toBe(refused('notifications.slackChannel', 'a Slack channel configuration', 'Other/Slack'));
  });

  test('the key of a notification topic of the app, and of an approval topic (or an alias of such a key)', () => {
    expect(errorWith((own, other) => ({ notifications: { topic: new sns.Topic(own, 'Topic', { masterKey: new kms.Key(other, 'Key') }) } })))
      .toBe(refused('notifications.topic.masterKey', 'a KMS key', 'Other/Key'));
    expect(errorWith((own, other) => ({
      environments: [env('prod', { approval: Approval.manual({ notify: new sns.Topic(own, 'Topic', { masterKey: new kms.Key(other, 'Key').addAlias('alias/approvals') }) }) })],
    }))).toBe(refused("environments[0] ('prod').approval.notify.masterKey", 'a KMS key', 'Other/Key'));
  });

  test('an approval\'s notify, its default from DeliveryDefaults, and an approver', () => {
    expect(errorWith((_own, other) => ({ environments: [env('prod', { approval: Approval.manual({ notify: new sns.Topic(other, 'Topic') }) })] })))
      .toBe(refused("environments[0] ('prod').approval.notify", 'an SNS topic', 'Other/Topic'));
    expect(errorWith((_own, other, app) => {
      DeliveryDefaults.applyTo(app, { approvalNotify: new sns.Topic(other, 'Topic') });
      return { environments: [env('prod', { approval: Approval.manual() })] };
    })).toBe(refused('DeliveryDefaults.approvalNotify', 'an SNS topic', 'Other/Topic'));
    expect(errorWith((_own, other) => ({
      environments: [env('prod', { approval: Approval.manual({ approvers: [new iam.Role(other, 'Approvers', { assumedBy: new iam.AccountRootPrincipal() })] }) })],
    }))).toBe(refused("environments[0] ('prod').approval.approvers[0]", 'a principal', 'Other/Approvers'));
  });

  test('the artifact bucket, its key, and a build cache bucket', () => {
    expect(errorWith((_own, other) => ({ artifactBucket: new s3.Bucket(other, 'Artifacts') })))
      .toBe(refused('artifactBucket', 'an S3 bucket', 'Other/Artifacts'));
    expect(errorWith((own, other) => ({ artifactBucket: new s3.Bucket(own, 'Artifacts', { encryptionKey: new kms.Key(other, 'Key') }) })))
      .toBe(refused('artifactBucket.encryptionKey', 'a KMS key', 'Other/Key'));
    expect(errorWith((_own, other) => ({ buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.s3(new s3.Bucket(other, 'Cache')) }) })))
      .toBe(refused('buildStep.cache.bucket', 'an S3 bucket', 'Other/Cache'));
  });

  test('a VPC of a build', () => {
    expect(errorWith((_own, other) => ({ buildStep: BuildStep.commands({ commands: ['npm ci'], vpc: new ec2.Vpc(other, 'Vpc') }) })))
      .toBe(refused('buildStep.vpc', 'a VPC', 'Other/Vpc'));
  });

  test('an environment\'s alarm and the role that reads it', () => {
    const alarm = (scope: Construct) => new cloudwatch.Alarm(scope, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    expect(errorWith((_own, other) => ({ environments: [env('prod', { blockWhileAlarming: [alarm(other)] })] })))
      .toBe(refused("environments[0] ('prod').blockWhileAlarming[0]", 'a CloudWatch alarm', 'Other/Errors'));
    expect(errorWith((own, other) => ({
      environments: [env('prod', { blockWhileAlarming: [alarm(own)], blockWhileAlarmingRole: new iam.Role(other, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }) })],
    }))).toBe(refused("environments[0] ('prod').blockWhileAlarmingRole", 'an IAM role', 'Other/Reader'));
  });

  test('a resource imported by ARN into another app is referred to by that ARN, and taken', () => {
    const app = newApp();
    const own = new Stack(app, 'PipelineStack', { env: E });
    const other = new Stack(newApp(), 'Other', { env: E });
    pipelineIn(own, { notifications: { topic: sns.Topic.fromTopicArn(other, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:releases') } });
    expect(() => app.synth()).not.toThrow();
  });

  test('a VPC and a security group imported by id into a stack of another app are taken (regression: refused as resources of another app)', () => {
    const app = newApp();
    const own = new Stack(app, 'PipelineStack', { env: E });
    const other = new Stack(newApp(), 'Shared', { env: E });
    const vpc = ec2.Vpc.fromVpcAttributes(other, 'Vpc', { vpcId: 'vpc-0abc1234', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0aaa1111'] });
    const group = ec2.SecurityGroup.fromSecurityGroupId(other, 'Builds', 'sg-0fedcba9876543210');
    pipelineIn(own, { buildStep: BuildStep.commands({ commands: ['make'], vpc, securityGroups: [group] }) });
    const project = Object.values(Template.fromStack(own).findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(project.Properties.VpcConfig).toEqual({ VpcId: 'vpc-0abc1234', Subnets: ['subnet-0aaa1111'], SecurityGroupIds: ['sg-0fedcba9876543210'] });
  });

  test('a VPC imported by id into an environment-agnostic stack, of another app or of this one, is taken (regression: refused as of another environment)', () => {
    for (const sameApp of [false, true]) {
      const app = newApp();
      const own = new Stack(app, 'PipelineStack', { env: E });
      const shared = new Stack(sameApp ? app : newApp(), 'Shared');
      // aws-cdk-lib 2.27x refuses an empty stack of the app
      new CfnResource(shared, 'Topic', { type: 'AWS::SNS::Topic' });
      const vpc = ec2.Vpc.fromVpcAttributes(shared, 'Vpc', { vpcId: 'vpc-0abc1234', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0aaa1111'] });
      pipelineIn(own, { buildStep: BuildStep.commands({ commands: ['make'], vpc }) });
      const project = Object.values(Template.fromStack(own).findResources('AWS::CodeBuild::Project'))[0] as any;
      expect(project.Properties.VpcConfig.VpcId).toBe('vpc-0abc1234');
    }
  });
});
