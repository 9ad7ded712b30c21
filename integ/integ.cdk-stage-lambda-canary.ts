/// A CDK stage (data + API with a Lambda canary) deployed to two accounts with the CDK bootstrap
/// roles, assets published once (examples/cdk-stage). cdk-nag must stay clean on every stack.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ordersCdkApp } from '../examples/cdk-stage/pipeline-stack';

const app = new App();
const stack = ordersCdkApp(app, stage => Aspects.of(stage).add(new AwsSolutionsChecks()));
Aspects.of(stack).add(new AwsSolutionsChecks());
new IntegTest(app, 'CdkStageLambdaCanary', { testCases: [stack] });
