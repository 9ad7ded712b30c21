/// Continuous deployment of a Lambda function's code with CodePipeline's Lambda deploy action: all at
/// once in staging, a canary watched by alarms in production (examples/lambda-canary). cdk-nag must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WebhooksPipelineStack } from '../examples/lambda-canary/pipeline-stack';

const app = new App();
const stack = new WebhooksPipelineStack(app, 'LambdaCanaryPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
Aspects.of(stack).add(new AwsSolutionsChecks());
new IntegTest(app, 'LambdaCanary', { testCases: [stack] });
