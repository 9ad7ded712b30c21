import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopPipelineStack } from './pipeline-stack';

// Synthesizes the example into ./cdk.out with no AWS credentials: the account and region are
// explicit and nothing is looked up. `npm run demo` runs this, then `cdk-delivery plan cdk.out`.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
new ShopPipelineStack(app, 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
