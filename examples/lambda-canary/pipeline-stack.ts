import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  BuildStep, DeliveryPipeline, DeploymentTarget, LambdaTrafficShift, PipelineSource, QualityCheck, ReleaseMode, Verification,
} from '../../src';

/**
 * Continuous deployment of a webhook handler's code with CodePipeline's Lambda deploy action: the
 * functions and their `live` aliases belong to the platform stacks and are imported here; the
 * pipeline ships new code. Staging takes it all at once; production shifts 10% of the traffic, waits
 * 5 minutes and fails (the alias stays on the previous version) if the error alarm fires, then
 * watches the alarms for 15 minutes more and rolls the stage back if one does.
 */
export class WebhooksPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    const alias = (stage: string) => lambda.Alias.fromAliasAttributes(this, `${stage}Live`, {
      aliasName: 'live',
      aliasVersion: lambda.Version.fromVersionArn(this, `${stage}Version`, `arn:aws:lambda:eu-west-1:111111111111:function:webhooks-${stage}:1`),
    });
    const alarm = (stage: string, metric: string) => cloudwatch.Alarm.fromAlarmArn(this, `${stage}${metric}`,
      `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:webhooks-${stage}-${metric.toLowerCase()}`);
    const prodErrors = alarm('prod', 'Errors');
    const prodThrottles = alarm('prod', 'Throttles');

    this.delivery = new DeliveryPipeline(this, 'Webhooks', {
      source: PipelineSource.gitHub({
        repository: 'acme/webhooks',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
      }),
      // the build output is the function's code package: the handler and its dependencies at its root
      buildStep: BuildStep.commands({
        install: ['pip install -r requirements-dev.txt'],
        commands: ['pytest', 'pip install -r requirements.txt -t package', 'cp -r src/* package/'],
        outputDirectory: 'package',
        outputs: ['**/*'],
      }),
      checks: [QualityCheck.dependencyAudit({ command: 'pip-audit -r requirements.txt', install: ['pip install pip-audit'] })],
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [
        {
          name: 'staging',
          deployments: [DeploymentTarget.lambdaFunction(alias('staging'))],
          // the new version answers through the alias before production gets it
          verification: [Verification.commands('Smoke', [
            'aws lambda invoke --function-name webhooks-staging:live --cli-binary-format raw-in-base64-out --payload \'{"ping": true}\' out.json',
            'grep -q pong out.json',
          ], {
            rolePolicyStatements: [new iam.PolicyStatement({
              actions: ['lambda:InvokeFunction'],
              resources: ['arn:aws:lambda:eu-west-1:111111111111:function:webhooks-staging:live'],
            })],
          })],
        },
        {
          name: 'prod',
          production: true,
          deployments: [DeploymentTarget.lambdaFunction(alias('prod'), {
            trafficShift: LambdaTrafficShift.canary(10, Duration.minutes(5)),
            alarms: [prodErrors, prodThrottles],
          })],
          verification: [Verification.alarms([prodErrors, prodThrottles], { bakeTime: Duration.minutes(15) })],
        },
      ],
    });
  }
}
