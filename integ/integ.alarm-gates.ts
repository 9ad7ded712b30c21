/// Continuous deployment with deployment safety: a deployment window and an alarm on entry to
/// production, alarms watched for a bake time after each environment, rollback on failure
/// (the examples/continuous-deployment app). cdk-nag AwsSolutions must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersPipelineStack } from '../examples/continuous-deployment/pipeline-stack';

const app = new App();
const stack = new OrdersPipelineStack(app, 'AlarmGatesPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
Aspects.of(stack).add(new AwsSolutionsChecks());
new IntegTest(app, 'AlarmGates', { testCases: [stack] });
