import { CfnOutput, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The application both pipelines deliver: one stack with a queue, whose URL the smoke test reads. */
export class ShopStage extends Stage {
  public readonly queueUrl: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const api = new Stack(this, 'Api');
    const orders = new sqs.Queue(api, 'Orders', { enforceSSL: true });
    this.queueUrl = new CfnOutput(api, 'QueueUrl', { value: orders.queueUrl });
  }
}

export const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f';
