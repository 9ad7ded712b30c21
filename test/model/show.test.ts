import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Approval, LambdaTrafficShift, PipelineSource } from '../../src';
import { article, jsiiClassName, show } from '../../src/private/validation';
import { CONNECTION_ARN, pipelineIn } from '../util';

describe('show names a received object by its class as users write it', () => {
  const stack = new Stack(new App(), 'S');

  test.each([
    ['an Alarm (aws-cdk-lib bundles it as Alarm2)', () => new cloudwatch.Alarm(stack, 'A', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    }), 'a cloudwatch.Alarm'],
    ['a Role', () => new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }), 'an iam.Role'],
    ['a Bucket', () => new s3.Bucket(stack, 'B'), 'an s3.Bucket'],
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

  // aws-cdk-lib's classes of imported resources are not public (ImportedRole, Import): regression, 'a Resource', 'an s3.BucketBase'
  describe('an imported resource, by the public class it imports and its ARN, name or id when literal', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'eu-west-1' };
    const s = new Stack(app, 'Imports', { env });
    const agnostic = new Stack(app, 'Agnostic');
    const parameter = new CfnParameter(s, 'RoleArn');
    test.each([
      ['Role.fromRoleArn', () => iam.Role.fromRoleArn(s, 'R1', 'arn:aws:iam::111111111111:role/deployer'),
        "an imported iam.Role ('arn:aws:iam::111111111111:role/deployer')"],
      ['Role.fromRoleName (its ARN holds the partition token: its name)', () => iam.Role.fromRoleName(s, 'R2', 'deployer'), "an imported iam.Role ('deployer')"],
      ['Role.fromRoleArn, immutable', () => iam.Role.fromRoleArn(s, 'R3', 'arn:aws:iam::222222222222:role/deployer', { mutable: false }),
        "an imported iam.Role ('arn:aws:iam::222222222222:role/deployer')"],
      ['Role.fromRoleArn of a token: no ARN shown', () => iam.Role.fromRoleArn(s, 'R4', parameter.valueAsString), 'an imported iam.Role'],
      ['Bucket.fromBucketName', () => s3.Bucket.fromBucketName(s, 'B1', 'shop-releases'), "an imported s3.Bucket ('shop-releases')"],
      ['Bucket.fromBucketArn', () => s3.Bucket.fromBucketArn(s, 'B2', 'arn:aws:s3:::shop-releases'), "an imported s3.Bucket ('arn:aws:s3:::shop-releases')"],
      ['Key.fromKeyArn', () => kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd'),
        "an imported kms.Key ('arn:aws:kms:eu-west-1:111111111111:key/1234abcd')"],
      ['Alias.fromAliasName (its class is a key too: regression, "an imported kms.Key")', () => kms.Alias.fromAliasName(s, 'KA1', 'alias/shop'),
        "an imported kms.Alias ('alias/shop')"],
      ['Alias.fromAliasAttributes (a class of its own, no ARN to name its module: regression, "a Resource")', () => kms.Alias.fromAliasAttributes(s, 'KA2', {
        aliasName: 'alias/releases', aliasTargetKey: kms.Key.fromKeyArn(s, 'KA2Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd'),
      }), "an imported Alias ('alias/releases')"],
      ['Topic.fromTopicArn', () => sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:eu-west-1:111111111111:releases'),
        "an imported sns.Topic ('arn:aws:sns:eu-west-1:111111111111:releases')"],
      ['Alarm.fromAlarmArn', () => cloudwatch.Alarm.fromAlarmArn(s, 'A1', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors'),
        "an imported cloudwatch.Alarm ('arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors')"],
      ['Alarm.fromAlarmName', () => cloudwatch.Alarm.fromAlarmName(s, 'A2', 'shop-errors'), "an imported cloudwatch.Alarm ('shop-errors')"],
      ['ecr.Repository.fromRepositoryName', () => ecr.Repository.fromRepositoryName(s, 'E', 'shop'), "an imported ecr.Repository ('shop')"],
      ['codecommit.Repository.fromRepositoryName', () => codecommit.Repository.fromRepositoryName(s, 'C1', 'shop'), "an imported codecommit.Repository ('shop')"],
      ['codecommit.Repository.fromRepositoryName in a stack without account and region (its module read from the ARN\'s service)',
        () => codecommit.Repository.fromRepositoryName(agnostic, 'C2', 'shop'), "an imported codecommit.Repository ('shop')"],
      ['Project.fromProjectName', () => codebuild.Project.fromProjectName(s, 'P', 'shop-build'), "an imported codebuild.Project ('shop-build')"],
      ['ServerDeploymentGroup.fromServerDeploymentGroupAttributes', () => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(s, 'G', {
        application: codedeploy.ServerApplication.fromServerApplicationName(s, 'App', 'shop'), deploymentGroupName: 'shop-prod',
      }), "an imported codedeploy.ServerDeploymentGroup ('shop-prod')"],
      ['Function.fromFunctionArn', () => lambda.Function.fromFunctionArn(s, 'F', 'arn:aws:lambda:eu-west-1:111111111111:function:shop'),
        "an imported lambda.Function ('arn:aws:lambda:eu-west-1:111111111111:function:shop')"],
      ['StateMachine.fromStateMachineArn (service states, module stepfunctions)',
        () => sfn.StateMachine.fromStateMachineArn(s, 'M', 'arn:aws:states:eu-west-1:111111111111:stateMachine:shop'),
        "an imported stepfunctions.StateMachine ('arn:aws:states:eu-west-1:111111111111:stateMachine:shop')"],
      ['Vpc.fromVpcAttributes (by its id)', () => ec2.Vpc.fromVpcAttributes(s, 'V', { vpcId: 'vpc-0123', availabilityZones: ['eu-west-1a'] }),
        "an imported ec2.Vpc ('vpc-0123')"],
    ])('%s', (_what, make, expected) => {
      expect(show(make())).toBe(expected);
    });

    test('a resource of the app stays its class', () => {
      expect(show(new s3.Bucket(s, 'Own'))).toBe('an s3.Bucket');
    });

    test('an error names the imported resource received (regression: "got a Resource")', () => {
      const role = iam.Role.fromRoleName(s, 'Deployer', 'deployer');
      expect(() => pipelineIn(new Stack(new App(), 'Pipeline', { env }), {
        environments: [{ name: 'prod', deployments: [role as any] }],
      })).toThrow("'Pipeline/Shop': environments[0] ('prod').deployments[0] must be a DeploymentTarget, got an imported iam.Role ('deployer'). "
        + 'Use DeploymentTarget.cloudFormation(), .commands() or .fromActionFactory().');
    });
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
