import { Stack, StackProps } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { CONNECTION_ARN, ShopStage } from './shop-stage';

/** Before: the shop's pipeline with CDK Pipelines (docs/migrating-from-cdk-pipelines.md quotes this class). */
export class ShopCdkPipelinesStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const source = pipelines.CodePipelineSource.connection('acme/shop', 'main', { connectionArn: CONNECTION_ARN });
    const pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      crossAccountKeys: true,
      synth: new pipelines.ShellStep('Synth', {
        input: source,
        installCommands: ['npm ci'],
        commands: ['npm test', 'npx cdk synth'],
      }),
    });

    const staging = new ShopStage(this, 'Staging', { env: { account: '222222222222', region: 'eu-west-1' } });
    pipeline.addStage(staging, {
      post: [new pipelines.ShellStep('Smoke', {
        input: source,
        envFromCfnOutputs: { QUEUE_URL: staging.queueUrl },
        commands: ['bash scripts/smoke.sh'],
      })],
    });

    const prod = new ShopStage(this, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
    pipeline.addStage(prod, {
      pre: [new pipelines.ManualApprovalStep('PromoteToProd', { comment: 'Check the staging smoke test first.' })],
    });
  }
}
