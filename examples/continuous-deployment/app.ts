import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersPipelineStack } from './pipeline-stack';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
new OrdersPipelineStack(app, 'OrdersPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
