import { App } from 'aws-cdk-lib';
import { ShopDeliveryPipelineStack } from '../../examples/migration/after-delivery-pipeline';
import { ShopCdkPipelinesStack } from '../../examples/migration/before-cdk-pipelines';

/**
 * The apps whose CloudFormation templates `npx projen cfn-lint` (test/cfn-lint/run.ts) lints.
 *
 * - An integ app is read from its committed integ-runner snapshot, which `npx projen integ`
 *   verifies just before in CI: no synthesis. The examples an integ app imports count as covered.
 * - An example with an `app.ts` is that app, run in process with CDK_OUTDIR set.
 * - Another example is synthesized by a `synth` function here.
 *
 * run.ts refuses to start when an `integ/integ.*.ts` app has no entry or an `examples/` folder is
 * covered by none, so a new app cannot be left out by mistake.
 */
export type CfnLintApp =
  | { readonly name: string; readonly snapshot: string }
  | { readonly name: string; readonly appFile: string }
  | { readonly name: string; readonly examples: readonly string[]; readonly synth: (outdir: string) => void };

const env = { account: '111111111111', region: 'eu-west-1' };

export const CFN_LINT_APPS: readonly CfnLintApp[] = [
  ...[
    'additional-sources',
    'alarm-gates',
    'cdk-stage-lambda-canary',
    'continuous-delivery',
    'continuous-deployment',
    'ec2-rolling',
    'ecs-blue-green',
    'lambda-canary',
    'multi-region-wave',
    'private-network',
  ].map(name => ({ name: `integ/integ.${name}.ts`, snapshot: `integ/integ.${name}.ts.snapshot` })),
  { name: 'examples/shop/app.ts', appFile: 'examples/shop/app.ts' },
  { name: 'examples/continuous-deployment/app.ts', appFile: 'examples/continuous-deployment/app.ts' },
  {
    // the pair docs/migrating-from-cdk-pipelines.md quotes, with the stack id test/examples/migration.test.ts gives them
    name: 'examples/migration (before: CDK Pipelines)',
    examples: ['migration'],
    synth: outdir => {
      const app = new App({ outdir });
      new ShopCdkPipelinesStack(app, 'ShopPipeline', { env });
      app.synth();
    },
  },
  {
    name: 'examples/migration (after: DeliveryPipeline)',
    examples: ['migration'],
    synth: outdir => {
      const app = new App({ outdir });
      new ShopDeliveryPipelineStack(app, 'ShopPipeline', { env });
      app.synth();
    },
  },
];
