import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PipelineSource } from '../../src';
import { action, CONNECTION_ARN, newStack, pipelineIn, pipelineProps } from '../util';

describe('PipelineSource.gitHub', () => {
  test('renders a CodeConnections source action with owner, repo, branch and a variables namespace', () => {
    const stack = newStack();
    pipelineIn(stack);
    const a = action(stack, 'Source', 'Source');
    expect(a.ActionTypeId).toEqual({ Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' });
    expect(a.Configuration).toMatchObject({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'acme/shop', BranchName: 'main' });
    expect(a.Namespace).toBe('SourceVariables');
  });

  test('branch defaults to main', () => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN }) });
    expect(action(stack, 'Source', 'Source').Configuration.BranchName).toBe('main');
  });

  test('push triggers become V2 git push filters', () => {
    const stack = newStack();
    pipelineIn(stack, {
      source: PipelineSource.gitHub({
        repository: 'acme/shop',
        connectionArn: CONNECTION_ARN,
        triggers: [
          { branchesIncludes: ['main', 'release/*'], filePathsIncludes: ['src/**'], filePathsExcludes: ['docs/**'] },
          { tagsIncludes: ['v*'] },
        ],
      }),
    });
    expect(pipelineProps(stack).Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: {
        SourceActionName: 'Source',
        Push: [
          { Branches: { Includes: ['main', 'release/*'] }, FilePaths: { Includes: ['src/**'], Excludes: ['docs/**'] } },
          { Tags: { Includes: ['v*'] } },
        ],
      },
    }]);
  });

  test('a file-path-only trigger filters the source branch', () => {
    const stack = newStack();
    pipelineIn(stack, {
      source: PipelineSource.gitHub({ repository: 'acme/shop', branch: 'trunk', connectionArn: CONNECTION_ARN, triggers: [{ filePathsExcludes: ['docs/**'] }] }),
    });
    expect(pipelineProps(stack).Triggers[0].GitConfiguration.Push).toEqual([
      { Branches: { Includes: ['trunk'] }, FilePaths: { Excludes: ['docs/**'] } },
    ]);
  });

  test('without triggers the pipeline declares none', () => {
    const stack = newStack();
    pipelineIn(stack);
    expect(pipelineProps(stack).Triggers).toBeUndefined();
  });

  test('fullClone passes a git clone to the build', () => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, fullClone: true }) });
    expect(action(stack, 'Source', 'Source').Configuration.OutputArtifactFormat).toBe('CODEBUILD_CLONE_REF');
  });
});

describe('PipelineSource.codeCommit / s3 / ecr', () => {
  test('CodeCommit renders repository and branch', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop');
    pipelineIn(stack, { source: PipelineSource.codeCommit({ repository, branch: 'trunk' }) });
    const a = action(stack, 'Source', 'Source');
    expect(a.ActionTypeId.Provider).toBe('CodeCommit');
    expect(a.Configuration).toMatchObject({ RepositoryName: 'shop', BranchName: 'trunk', PollForSourceChanges: false });
  });

  test('S3 renders bucket and key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Drop', { versioned: true });
    pipelineIn(stack, { source: PipelineSource.s3({ bucket, key: 'source/shop.zip' }) });
    const a = action(stack, 'Source', 'Source');
    expect(a.ActionTypeId.Provider).toBe('S3');
    expect(a.Configuration.S3ObjectKey).toBe('source/shop.zip');
  });

  test('ECR renders repository and tag (default latest)', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'shop');
    pipelineIn(stack, { source: PipelineSource.ecr({ repository }) });
    const a = action(stack, 'Source', 'Source');
    expect(a.ActionTypeId.Provider).toBe('ECR');
    expect(a.Configuration).toMatchObject({ RepositoryName: 'shop', ImageTag: 'latest' });
  });
});
