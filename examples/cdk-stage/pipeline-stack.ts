import { App, Stack, StackProps, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { OrdersServiceStage } from './service-stage';
import { BuildCache, BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, Verification } from '../../src';

/**
 * A CDK app delivering itself: the build runs `cdk synth`; the orders service stage is deployed to
 * a staging account and a production account (CDK bootstrap roles, `cdk bootstrap --trust`), its
 * Lambda function rolling out as a CodeDeploy canary; assets are published once per execution.
 */
export class OrdersCdkPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps & { readonly staging: OrdersServiceStage; readonly prod: OrdersServiceStage }) {
    super(scope, id, props);
    this.delivery = new DeliveryPipeline(this, 'Orders', {
      source: PipelineSource.gitHub({
        repository: 'acme/orders-cdk',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
      }),
      buildStep: BuildStep.commands({
        install: ['npm ci'],
        commands: ['npm test', 'npx cdk synth -q'],
        outputs: ['cdk.out/**/*', 'scripts/**/*'],
        cache: BuildCache.local({ paths: ['node_modules/**/*'] }),
      }),
      environments: [
        {
          name: 'staging',
          account: '222222222222',
          deployments: [DeploymentTarget.cdkStage(props.staging)],
          // the smoke test invokes the alias just deployed: its ARN is an output of the stage's API stack
          verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh staging "$ORDERS_FUNCTION"'], {
            envFromCfnOutputs: { ORDERS_FUNCTION: props.staging.liveAliasArn },
          })],
        },
        { name: 'prod', production: true, account: '333333333333', deployments: [DeploymentTarget.cdkStage(props.prod)] },
      ],
    });
  }
}

/**
 * The app: two service stages, then the pipeline that delivers them. `checkStage` runs on each
 * stage before the pipeline synthesizes it (for example cdk-nag's AwsSolutionsChecks).
 */
export function ordersCdkApp(app: App, checkStage?: (stage: Stage) => void): OrdersCdkPipelineStack {
  const staging = new OrdersServiceStage(app, 'Staging', { env: { account: '222222222222', region: 'eu-west-1' } });
  const prod = new OrdersServiceStage(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
  checkStage?.(staging);
  checkStage?.(prod);
  return new OrdersCdkPipelineStack(app, 'OrdersCdkPipeline', { env: { account: '111111111111', region: 'eu-west-1' }, staging, prod });
}
