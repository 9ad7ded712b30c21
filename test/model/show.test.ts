import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Approval, LambdaTrafficShift, PipelineSource } from '../../src';
import { article, jsiiClassName, show } from '../../src/private/validation';
import { CONNECTION_ARN } from '../util';

describe('show names a received object by its class as users write it', () => {
  const stack = new Stack(new App(), 'S');

  test.each([
    ['an Alarm (aws-cdk-lib bundles it as Alarm2)', () => new cloudwatch.Alarm(stack, 'A', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    }), 'a cloudwatch.Alarm'],
    ['a Role', () => new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }), 'an iam.Role'],
    ['a Bucket', () => new s3.Bucket(stack, 'B'), 'an s3.Bucket'],
    // aws-cdk-lib's class for an imported role is not public: the first one up the chain that is names it
    ['an imported Role: its first class with a public name', () => iam.Role.fromRoleArn(stack, 'I', 'arn:aws:iam::111111111111:role/deployer'), 'a Resource'],
    ['a class of the core module', () => Duration.minutes(5), 'a Duration'],
    ['a Stack', () => new Stack(new App(), 'Other'), 'a Stack'],
    ['a class of constructs', () => new Construct(stack, 'C'), 'a Construct'],
    ['a kind of the library, by its public base class', () => PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN }), 'a PipelineSource'],
    ['an Approval', () => Approval.manual(), 'an Approval'],
    ['a traffic shift (regression: its internal class, TrafficShift)', () => LambdaTrafficShift.allAtOnce(), 'a LambdaTrafficShift'],
    ['a class of the user\'s without type information', () => new (class Settings {})(), 'a Settings'],
    ['a plain object', () => ({ topicArn: 'arn' }), 'an object'],
  ])('%s', (_what, make, expected) => {
    expect(show(make())).toBe(expected);
  });

  test.each([
    ['aws-cdk-lib.aws_cloudwatch.Alarm', 'cloudwatch.Alarm'],
    ['aws-cdk-lib.aws_iam.Role', 'iam.Role'],
    ['aws-cdk-lib.pipelines.CodePipeline', 'pipelines.CodePipeline'],
    ['aws-cdk-lib.aws_ecs_patterns.ApplicationLoadBalancedFargateService', 'ecs_patterns.ApplicationLoadBalancedFargateService'],
    ['aws-cdk-lib.Duration', 'Duration'],
    ['constructs.Construct', 'Construct'],
  ])('the jsii name %s reads %s', (fqn, expected) => {
    expect(jsiiClassName(fqn)).toBe(expected);
  });

  test.each([
    ['Alarm', 'an'], ['Approval', 'an'], ['Role', 'a'], ['Duration', 'a'], ['UserPool', 'a'], ['Update', 'an'],
    ['iam.Role', 'an'], ['s3.Bucket', 'an'], ['sns.Topic', 'an'], ['sqs.Queue', 'an'], ['ssm.StringParameter', 'an'], ['kms.Key', 'a'],
    ['ec2.Vpc', 'an'], ['ecr.Repository', 'an'], ['events.Rule', 'an'], ['cloudwatch.Alarm', 'a'], ['lambda.Function', 'a'],
    ['route53.HostedZone', 'a'], ['rds.DatabaseInstance', 'an'], ['ses.EmailIdentity', 'an'],
  ])('%s takes "%s"', (name, expected) => {
    expect(article(name)).toBe(expected);
  });
});
