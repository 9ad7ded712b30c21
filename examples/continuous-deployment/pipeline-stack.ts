import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  BuildStep, DeliveryPipeline, DeploymentTarget, DeploymentWindow, FailurePolicy, PipelineEvent, PipelineSource,
  QualityCheck, ReleaseMode, Verification,
} from '../../src';

/**
 * Continuous deployment of an orders API: nobody approves. Every change that passes the build,
 * the checks, staging's integration tests and staging's alarms goes to production inside the
 * deployment window; production is watched by alarms for 30 minutes and rolls back by itself.
 */
export class OrdersPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    const alarm = (name: string, stage: string, metricName: string, threshold: number) => new cloudwatch.Alarm(this, name, {
      alarmName: `orders-${stage}-${metricName.toLowerCase()}`,
      metric: new cloudwatch.Metric({
        namespace: 'Orders',
        metricName,
        dimensionsMap: { Stage: stage },
        period: Duration.minutes(1),
        statistic: 'Sum',
      }),
      threshold,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const stagingErrors = alarm('StagingErrors', 'staging', 'Errors5xx', 5);
    const prodErrors = alarm('ProdErrors', 'prod', 'Errors5xx', 10);
    const prodLatency = alarm('ProdLatency', 'prod', 'SlowRequests', 50);

    const failures = new sns.Topic(this, 'DeliveryEvents', { displayName: 'Orders delivery events', enforceSSL: true });

    this.delivery = new DeliveryPipeline(this, 'Orders', {
      pipelineName: 'orders-delivery',
      source: PipelineSource.gitHub({
        repository: 'acme/orders',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
      }),
      buildStep: BuildStep.commands({
        install: ['npm ci'],
        commands: ['npm run build', 'npm test', 'npm run package'],
        outputs: ['template.yaml', 'dist/**/*', 'scripts/**/*'],
      }),
      checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan({ highThreshold: 0 })],
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      executionMode: codepipeline.ExecutionMode.QUEUED,
      notifications: { topic: failures, events: [PipelineEvent.FAILED, PipelineEvent.SUCCEEDED] },
      environments: [
        {
          name: 'staging',
          deployments: [DeploymentTarget.cloudFormation({ stackName: 'orders-staging', templatePath: 'template.yaml', parameterOverrides: { Stage: 'staging' } })],
          verification: [
            Verification.commands('Integration', ['bash scripts/integration-tests.sh'], { env: { STAGE: 'staging' } }),
            Verification.alarms([stagingErrors], { bakeTime: Duration.minutes(10) }),
          ],
          onFailure: FailurePolicy.RETRY,
        },
        {
          name: 'prod',
          production: true,
          deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * MON-THU', 'Europe/Paris'),
          blockWhileAlarming: [prodErrors],
          deployments: [DeploymentTarget.cloudFormation({ stackName: 'orders-prod', templatePath: 'template.yaml', parameterOverrides: { Stage: 'prod' } })],
          verification: [
            Verification.commands('Smoke', ['bash scripts/smoke.sh'], { env: { STAGE: 'prod' } }),
            Verification.alarms([prodErrors, prodLatency], { bakeTime: Duration.minutes(30) }),
          ],
          // onFailure defaults to FailurePolicy.ROLLBACK in production
        },
      ],
    });
  }
}
