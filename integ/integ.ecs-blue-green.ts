/// ECS blue/green through CodeDeploy from an ECR source, the templates rendered from the service's
/// repository (an additional source): staging all at once, production as a canary behind an
/// approval (examples/ecs-canary). cdk-nag must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CheckoutPipelineStack } from '../examples/ecs-canary/pipeline-stack';

const app = new App();
const stack = new CheckoutPipelineStack(app, 'EcsBlueGreenPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
Aspects.of(stack).add(new AwsSolutionsChecks());
new IntegTest(app, 'EcsBlueGreen', { testCases: [stack] });
