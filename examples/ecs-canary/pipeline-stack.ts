import { Annotations, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  Approval, BuildStep, DeliveryPipeline, DeploymentArtifact, DeploymentTarget, PipelineSource, QualityCheck, ReleaseMode,
} from '../../src';

/**
 * A container service delivered from its ECR image: a push of the `release` tag starts the
 * pipeline; Amazon Inspector scans the image (no critical or high finding tolerated); staging and
 * production are ECS blue/green deployments through CodeDeploy, production as a canary (10% of the
 * traffic for 5 minutes, then all) behind one approval. The ECR source's artifact holds only
 * `imageDetail.json`, so the task definition and AppSpec templates come from the service's
 * repository, an additional source the build renders them from.
 */
export class CheckoutPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const repository = ecr.Repository.fromRepositoryName(this, 'Images', 'checkout');
    const application = codedeploy.EcsApplication.fromEcsApplicationName(this, 'App', 'checkout');
    const group = (name: string, config: codedeploy.IEcsDeploymentConfig) =>
      codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(this, name, {
        application, deploymentGroupName: `checkout-${name.toLowerCase()}`, deploymentConfig: config,
      });
    const approvals = new sns.Topic(this, 'Approvals', { enforceSSL: true });
    // EcsDeploymentConfig.ALL_AT_ONCE is also what an import without deploymentConfig assumes, so the
    // pipeline cannot tell it from a config left out and warns: staging's group does deploy all at once
    Annotations.of(this).acknowledgeWarning('delivery-pipeline:importedGroupConfig', "checkout-staging's deployment config is CodeDeployDefault.ECSAllAtOnce");

    this.delivery = new DeliveryPipeline(this, 'Checkout', {
      source: PipelineSource.ecr({ repository, tag: 'release' }),
      // the service's repository, linked at checkout/ in the build: its deploy/ directory holds the
      // templates; its pushes start nothing (its own build pushes the image, which starts the pipeline)
      additionalSources: [{
        name: 'Service',
        source: PipelineSource.gitHub({
          repository: 'acme/checkout',
          connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
        }),
        directory: 'checkout',
        triggersPipeline: false,
      }],
      buildStep: BuildStep.commands({
        // render the task definition and AppSpec templates for this release into the build's root
        commands: ['bash checkout/deploy/render-templates.sh'],
        outputs: ['taskdef.json', 'appspec.yaml'],
        timeout: Duration.minutes(15),
      }),
      // the released image, before any environment runs it
      checks: [QualityCheck.imageScan(repository, { highThreshold: 0 })],
      releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
      environments: [
        {
          name: 'staging',
          deployments: [DeploymentTarget.codeDeployEcs(group('Staging', codedeploy.EcsDeploymentConfig.ALL_AT_ONCE), {
            taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage: DeploymentArtifact.SOURCE,
          })],
        },
        {
          name: 'prod',
          production: true,
          approval: Approval.manual({ notify: approvals, comment: 'Canary: 10% of the traffic for 5 minutes, then all.' }),
          deployments: [DeploymentTarget.codeDeployEcs(group('Prod', codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES), {
            taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage: DeploymentArtifact.SOURCE,
          })],
        },
      ],
    });
  }
}
