import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONNECTION_ARN, ShopStage } from './shop-stage';
import { Approval, BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, ReleaseMode, Verification } from '../../src';

/** After: the same pipeline with cdk-delivery-pipeline (docs/migrating-from-cdk-pipelines.md quotes this class). */
export class ShopDeliveryPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    // the same stages, with the same ids in the same scope: the same stack names
    const staging = new ShopStage(this, 'Staging', { env: { account: '222222222222', region: 'eu-west-1' } });
    const prod = new ShopStage(this, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });

    // the same construct id: the same logical ids for the CodePipeline pipeline, its role, bucket and key
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      source: PipelineSource.gitHub({ repository: 'acme/shop', branch: 'main', connectionArn: CONNECTION_ARN }),
      buildStep: BuildStep.commands({
        install: ['npm ci'],
        commands: ['npm test', 'npx cdk synth'],
        outputs: ['cdk.out/**/*', 'scripts/**/*'], // tests run on the build output: keep the scripts
      }),
      releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
      environments: [
        {
          name: 'Staging',
          account: '222222222222', // must be the stage's account
          deployments: [DeploymentTarget.cdkStage(staging)],
          verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'], {
            envFromCfnOutputs: { QUEUE_URL: staging.queueUrl },
          })],
        },
        {
          name: 'Prod',
          production: true,
          account: '333333333333',
          approval: Approval.manual({ comment: 'Check the staging smoke test first.' }),
          deployments: [DeploymentTarget.cdkStage(prod)],
        },
      ],
    });
  }
}
