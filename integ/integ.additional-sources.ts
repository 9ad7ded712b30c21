/// Additional sources: a GitHub configuration repository that starts nothing (triggersPipeline:
/// false), a second CodeCommit source of the pipeline's own repository on another branch, and an S3
/// archive, each a source action the build takes as an extra input, linked at its directory before
/// the install commands. cdk-nag must stay clean.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BuildStep, DeliveryPipeline, PipelineSource } from '../src';

const app = new App();
const stack = new Stack(app, 'AdditionalSourcesPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const connectionArn = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f';
const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop');
const drop = new s3.Bucket(stack, 'Drop', {
  versioned: true,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  encryption: s3.BucketEncryption.S3_MANAGED,
  serverAccessLogsPrefix: 'access-logs/',
});
new DeliveryPipeline(stack, 'Shop', {
  source: PipelineSource.codeCommit({ repository }),
  additionalSources: [
    { name: 'Config', source: PipelineSource.gitHub({ repository: 'acme/shop-config', connectionArn }), directory: 'config', triggersPipeline: false },
    { name: 'Fixtures', source: PipelineSource.codeCommit({ repository, branch: 'fixtures' }), directory: 'test/fixtures' },
    { name: 'Assets', source: PipelineSource.s3({ bucket: drop, key: 'assets.zip' }), directory: 'vendor/assets' },
  ],
  buildStep: BuildStep.commands({ install: ['npm ci'], commands: ['npm run build -- --config config/prod.json', 'npm test'] }),
});
Aspects.of(stack).add(new AwsSolutionsChecks());
new IntegTest(app, 'AdditionalSources', { testCases: [stack] });
