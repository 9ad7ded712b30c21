/// Continuous deployment: nobody decides. CodeCommit → build → checks → staging → prod, each
/// verified by tests; no manual approval anywhere. cdk-nag AwsSolutions must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BuildCache, BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, QualityCheck, ReleaseMode, Verification,
} from '../src';

const app = new App();
const stack = new Stack(app, 'ContinuousDeploymentPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'orders');

new DeliveryPipeline(stack, 'Orders', {
  source: PipelineSource.codeCommit({ repository, branch: 'main' }),
  buildStep: BuildStep.commands({
    install: ['npm ci'],
    commands: ['npm run build', 'npm test'],
    outputs: ['dist/**/*', 'template.yaml', 'scripts/**/*'],
    cache: BuildCache.local({ paths: ['node_modules/**/*'] }),
  }),
  checks: [QualityCheck.commands('Lint', ['npm run lint']), QualityCheck.dependencyAudit()],
  releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
  executionMode: codepipeline.ExecutionMode.SUPERSEDED,
  environments: [
    {
      name: 'staging',
      deployments: [DeploymentTarget.cloudFormation({ stackName: 'orders-staging', templatePath: 'template.yaml', parameterOverrides: { Stage: 'staging' } })],
      verification: [Verification.commands('Integration', ['npm run test:integration'], { env: { STAGE: 'staging' } })],
    },
    {
      name: 'prod',
      production: true,
      deployments: [DeploymentTarget.cloudFormation({ stackName: 'orders-prod', templatePath: 'template.yaml', parameterOverrides: { Stage: 'prod' } })],
      verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'], { env: { STAGE: 'prod' } })],
    },
  ],
});

Aspects.of(app).add(new AwsSolutionsChecks());
new IntegTest(app, 'ContinuousDeployment', { testCases: [stack] });
