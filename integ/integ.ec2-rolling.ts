/// CodeDeploy EC2/on-premises rolling deployments: staging all at once, production half of the
/// instances at a time behind the default approval (examples/ec2-rolling). cdk-nag must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InventoryPipelineStack } from '../examples/ec2-rolling/pipeline-stack';

const app = new App();
const stack = new InventoryPipelineStack(app, 'Ec2RollingPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
Aspects.of(stack).add(new AwsSolutionsChecks());
new IntegTest(app, 'Ec2Rolling', { testCases: [stack] });
