import { Stack, StackProps } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, QualityCheck, Verification } from '../../src';

/**
 * A classic EC2 fleet behind CodeDeploy: the build produces a revision (appspec.yml + scripts);
 * staging rolls it out all at once, production half of the instances at a time after one approval.
 * The deployment groups belong to the infrastructure team's stacks and are imported here.
 */
export class InventoryPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const application = codedeploy.ServerApplication.fromServerApplicationName(this, 'App', 'inventory');
    const staging = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(this, 'StagingFleet', {
      application, deploymentGroupName: 'inventory-staging', deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
    });
    const prod = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(this, 'ProdFleet', {
      application, deploymentGroupName: 'inventory-prod', deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
    });

    this.delivery = new DeliveryPipeline(this, 'Inventory', {
      source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(this, 'Repo', 'inventory'), branch: 'main' }),
      buildStep: BuildStep.commands({
        install: ['pip install -r requirements.txt'],
        commands: ['pytest', 'python -m build'],
        outputs: ['appspec.yml', 'scripts/**/*', 'dist/**/*'],
      }),
      checks: [QualityCheck.dependencyAudit({ command: 'pip-audit -r requirements.txt', install: ['pip install pip-audit'] })],
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.codeDeployServer(staging)], verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh staging'])] },
        { name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(prod)] },
      ],
    });
  }
}
