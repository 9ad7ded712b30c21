/// Continuous delivery: GitHub → build → checks → staging (automatic, smoke-tested) → prod behind
/// one manual approval with a change-set review. cdk-nag AwsSolutions must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  Approval, BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, QualityCheck, ReleaseMode, TestReport, Verification,
} from '../src';

const app = new App();
const stack = new Stack(app, 'ContinuousDeliveryPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const topic = new sns.Topic(stack, 'Approvals', { enforceSSL: true });

const pipeline = new DeliveryPipeline(stack, 'Shop', {
  source: PipelineSource.gitHub({
    repository: 'acme/shop',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
  }),
  buildStep: BuildStep.commands({
    install: ['npm ci'],
    commands: ['npm test', 'npx cdk synth -q'],
    testReports: [TestReport.junit('test-reports/*.xml')],
  }),
  checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan({ highThreshold: 0 })],
  releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
  environments: [
    {
      name: 'staging',
      deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out/ShopStaging.template.json' })],
      verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'], { env: { URL: 'https://staging.example.com' } })],
    },
    {
      name: 'prod',
      production: true,
      approval: Approval.changeSetReview({ notify: topic, timeout: Duration.days(2) }),
      deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'cdk.out/ShopProd.template.json' })],
    },
  ],
});
pipeline.addEnvironment({
  name: 'dr',
  production: true,
  region: 'eu-west-1',
  deployments: [DeploymentTarget.commands('FailoverCheck', ['bash scripts/dr-check.sh'])],
});

Aspects.of(app).add(new AwsSolutionsChecks());
new IntegTest(app, 'ContinuousDelivery', { testCases: [stack] });
