import { Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PipelineSource } from '../../src';
import { cfnTarget, errorOf, newApp, newStack, pipelineIn } from '../util';

describe('a source in another account than the pipeline', () => {
  test('a CodeCommit repository of another account is refused with what to do (not aws-cdk-lib\'s crossAccountKeys error)', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryArn(stack, 'Repo', 'arn:aws:codecommit:eu-west-1:222222222222:shop');
    expect(errorOf(() => pipelineIn(stack, { source: PipelineSource.codeCommit({ repository }), environments: [{ name: 'staging', deployments: [cfnTarget()] }] }))).toBe(
      "'PipelineStack/Shop': source.repository is a CodeCommit repository of account 222222222222, but the pipeline's stack is in account 111111111111, "
      + 'and a source in another account is not supported (its push events reach only the event bus of that account, where no rule starts the pipeline), '
      + "got 'arn:aws:codecommit:eu-west-1:222222222222:shop'. Deploy the pipeline's stack in account 222222222222, or mirror the repository into account 111111111111.");
  });

  test('an S3 bucket of another account is refused with what to do', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Src', { bucketName: 'acme-sources', account: '222222222222' });
    expect(errorOf(() => pipelineIn(stack, { source: PipelineSource.s3({ bucket, key: 'shop.zip' }) }))).toBe(
      "'PipelineStack/Shop': source.bucket is an S3 bucket of account 222222222222, but the pipeline's stack is in account 111111111111, "
      + 'and a source in another account is not supported (the source action would run as a role of that account, which the pipeline does not set up), '
      + "got 'acme-sources'. Deploy the pipeline's stack in account 222222222222, or have the archive copied to a versioned bucket of account 111111111111.");
  });

  test('a repository or bucket of the pipeline\'s account, or of an env-agnostic stack, passes', () => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryArn(stack, 'Repo', 'arn:aws:codecommit:eu-west-1:111111111111:shop') }) }, 'A');
    pipelineIn(stack, { source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(stack, 'Src', 'acme-sources'), key: 'shop.zip' }) }, 'B');
    pipelineIn(stack, { source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(stack, 'Repo2', 'shop') }) }, 'C');
    const agnostic = new Stack(newApp(), 'Agnostic');
    pipelineIn(agnostic, { source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryArn(agnostic, 'Repo', 'arn:aws:codecommit:eu-west-1:222222222222:shop') }) });
  });
});
