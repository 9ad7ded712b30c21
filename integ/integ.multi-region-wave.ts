/// A production release across two regions as one environment (a CDK Pipelines wave): staging in
/// one account, then the orders service stage in two regions of the production account, deployed in
/// parallel after one approval, each region smoke-tested through its stack's output. cdk-nag must
/// stay clean on every stack, the us-east-1 replication support stack included.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersServiceStage } from '../examples/cdk-stage/service-stage';
import { BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, Verification } from '../src';

const app = new App();
const staging = new OrdersServiceStage(app, 'Staging', { env: { account: '222222222222', region: 'eu-west-1' } });
const prodEu = new OrdersServiceStage(app, 'ProdEu', { env: { account: '333333333333', region: 'eu-west-1' } });
const prodUs = new OrdersServiceStage(app, 'ProdUs', { env: { account: '333333333333', region: 'us-east-1' } });
for (const stage of [staging, prodEu, prodUs]) Aspects.of(stage).add(new AwsSolutionsChecks());

const stack = new Stack(app, 'OrdersWavePipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const smoke = (name: string, stage: OrdersServiceStage, label: string) =>
  Verification.commands(name, [`bash scripts/smoke.sh ${label} "$ORDERS_FUNCTION"`], { envFromCfnOutputs: { ORDERS_FUNCTION: stage.liveAliasArn } });
new DeliveryPipeline(stack, 'Orders', {
  source: PipelineSource.gitHub({
    repository: 'acme/orders-cdk',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
  }),
  buildStep: BuildStep.commands({ install: ['npm ci'], commands: ['npm test', 'npx cdk synth -q'], outputs: ['cdk.out/**/*', 'scripts/**/*'] }),
  environments: [
    { name: 'staging', account: '222222222222', deployments: [DeploymentTarget.cdkStage(staging)], verification: [smoke('Smoke', staging, 'staging')] },
    {
      // no account or region: each stage deploys where its stacks are
      name: 'prod',
      production: true,
      deployments: [DeploymentTarget.cdkStage(prodEu), DeploymentTarget.cdkStage(prodUs)],
      verification: [smoke('SmokeEu', prodEu, 'prod-eu'), smoke('SmokeUs', prodUs, 'prod-us')],
    },
  ],
});
Aspects.of(app).add(new AwsSolutionsChecks());
new IntegTest(app, 'MultiRegionWave', { testCases: [stack] });
