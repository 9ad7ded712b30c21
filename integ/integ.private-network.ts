/// Builds and tests in a private network: the build runs Docker in a VPC, logged in to Docker Hub
/// and a shared account's ECR; a deploy script runs after the stacks with the CDN stack's output;
/// the integration tests run in the VPC with the API stack's output (examples/private-network).
/// cdk-nag AwsSolutions must stay clean on the pipeline stack.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { storefrontApp } from '../examples/private-network/pipeline-stack';

const app = new App();
const { pipeline } = storefrontApp(app);
Aspects.of(pipeline).add(new AwsSolutionsChecks());
new IntegTest(app, 'PrivateNetwork', { testCases: [pipeline] });
