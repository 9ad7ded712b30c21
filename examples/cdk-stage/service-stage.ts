import * as path from 'path';
import { CfnOutput, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/**
 * The orders service as a CDK Stage: a data stack, and an API stack whose Lambda function rolls out
 * as a CodeDeploy canary (10% for 5 minutes) that rolls back by itself when its alarm fires.
 */
export class OrdersServiceStage extends Stage {
  /** The ARN of the function's live alias, which the pipeline's smoke test invokes. */
  public readonly liveAliasArn: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);

    const data = new Stack(this, 'Data', { stackName: `orders-data-${id.toLowerCase()}` });
    const table = new dynamodb.Table(data, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });

    const api = new Stack(this, 'Api', { stackName: `orders-api-${id.toLowerCase()}` });
    api.addDependency(data);
    const fn = new lambda.Function(api, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'lambda')),
      environment: { TABLE: table.tableName },
    });
    const alias = new lambda.Alias(api, 'Live', { aliasName: 'live', version: fn.currentVersion });
    this.liveAliasArn = new CfnOutput(api, 'LiveAliasArn', { value: alias.functionArn });
    const errors = new cloudwatch.Alarm(api, 'Errors', {
      metric: alias.metricErrors({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    new codedeploy.LambdaDeploymentGroup(api, 'Canary', {
      alias,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      alarms: [errors],
    });

    NagSuppressions.addStackSuppressions(api, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AWSLambdaBasicExecutionRole (write own logs) and AWSCodeDeployRoleForLambdaLimited (shift the alias) are the minimal AWS managed policies for these service roles.',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited',
        ],
      },
    ]);
  }
}
