import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Approval, PipelineSource, QualityCheck, ReleaseMode } from '../../src';
import { action, CONNECTION_ARN, env, newStack, pipelineIn, pipelineProps } from '../util';

describe('PipelineSource.gitHub', () => {
  test('renders a CodeConnections source action with owner, repo, branch and a variables namespace', () => {
    const stack = newStack();
    pipelineIn(stack);
    const a = action(stack, 'Source', 'Source');
    expect(a.ActionTypeId).toEqual({ Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' });
    expect(a.Configuration).toMatchObject({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'acme/shop', BranchName: 'main' });
    expect(a.Namespace).toBe('SourceVariables');
  });

  test('a GitLab project in a subgroup keeps its full path (regression: refused as not owner/repo)', () => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: 'acme/platform/shop', connectionArn: CONNECTION_ARN }) });
    expect(action(stack, 'Source', 'Source').Configuration.FullRepositoryId).toBe('acme/platform/shop');
  });

  test('a repository given as a token is split when CloudFormation resolves it (regression: rendered as <token>/undefined)', () => {
    const stack = newStack();
    const repository = new CfnParameter(stack, 'Repository', { default: 'acme/shop' });
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: repository.valueAsString, connectionArn: CONNECTION_ARN }) });
    const split = { 'Fn::Split': ['/', { Ref: 'Repository' }] };
    expect(action(stack, 'Source', 'Source').Configuration.FullRepositoryId).toEqual(
      { 'Fn::Join': ['', [{ 'Fn::Select': [0, split] }, '/', { 'Fn::Select': [1, split] }]] });
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

  test('with triggers on other branches or tags, approvals and the plan do not claim the source branch (regression: "of acme/shop@main")', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      source: PipelineSource.gitHub({
        repository: 'acme/shop', connectionArn: CONNECTION_ARN, triggers: [{ branchesIncludes: ['release/*'] }, { tagsIncludes: ['v*'] }],
      }),
      environments: [env('prod', { production: true, approval: Approval.manual() })],
    });
    expect(action(stack, 'prod', 'Approve').Configuration.CustomData).toBe('Approve to promote commit #{SourceVariables.CommitId} of acme/shop to prod.');
    expect(pipeline.describe().source).toEqual({
      kind: 'GitHub',
      summary: 'acme/shop (CodeConnections, triggers: release/*, tags v*)',
      repository: 'acme/shop',
      branch: 'main',
      triggers: ['push to release/*', 'push of tags v*'],
      startsOn: ['release/*', 'tags v*'],
    });
  });

  test('triggers that start only on the source branch keep naming it', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      source: PipelineSource.gitHub({
        repository: 'acme/shop',
        branch: 'trunk',
        connectionArn: CONNECTION_ARN,
        triggers: [{ filePathsExcludes: ['docs/**'] }, { branchesIncludes: ['trunk'], branchesExcludes: ['wip/*'] }],
      }),
      environments: [env('prod', { production: true, approval: Approval.manual() })],
    });
    expect(action(stack, 'prod', 'Approve').Configuration.CustomData).toBe('Approve to promote commit #{SourceVariables.CommitId} of acme/shop@trunk to prod.');
    expect(pipeline.describe().source.summary).toBe('acme/shop@trunk (CodeConnections)');
  });

  test('pull request triggers are named in the summary', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_INTEGRATION,
      source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, pullRequestTriggers: [{ branchesIncludes: ['main', 'release/*'] }] }),
    });
    expect(pipeline.describe().source.summary).toBe('acme/shop (CodeConnections, triggers: main, pull requests into main, release/*)');
  });

  test.each(['release/1.2', 'users/jane.doe/fix-42', 'feature_x', 'v1@2'])('the branch name %s is accepted as written', branch => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: 'acme/shop', branch, connectionArn: CONNECTION_ARN }) });
    expect(action(stack, 'Source', 'Source').Configuration.BranchName).toBe(branch);
  });

  test('a trigger pattern of 255 characters, the longest CodePipeline takes, is accepted', () => {
    const stack = newStack();
    const pattern = `services/${'a'.repeat(243)}/**`;
    expect(pattern).toHaveLength(255);
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, triggers: [{ filePathsIncludes: [pattern] }] }) });
    expect(pipelineProps(stack).Triggers[0].GitConfiguration.Push[0].FilePaths).toEqual({ Includes: [pattern] });
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

describe('connection permissions (IAM matches a connection under its own service prefix)', () => {
  const OLD_ARN = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f';
  /** The UseConnection actions granted on `arn`, by role logical id. */
  function useConnectionGrants(stack: Stack, arn: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const policy of Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[]) {
      const actions = (policy.Properties.PolicyDocument.Statement as any[])
        .filter(st => st.Resource === arn)
        .flatMap(st => [].concat(st.Action))
        .filter((a: string) => a.endsWith(':UseConnection'));
      if (actions.length > 0) out[policy.Properties.Roles[0].Ref] = actions.sort();
    }
    return out;
  }

  test('a codeconnections connection: the source action may use it under both prefixes', () => {
    const stack = newStack();
    pipelineIn(stack);
    const grants = useConnectionGrants(stack, CONNECTION_ARN);
    expect(Object.keys(grants)).toEqual([expect.stringMatching(/^ShopPipelineSourceCodePipelineActionRole/)]);
    expect(Object.values(grants)[0]).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
  });

  test('a codestar-connections connection keeps the one grant aws-cdk-lib writes', () => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: OLD_ARN }) });
    expect(Object.values(useConnectionGrants(stack, OLD_ARN))).toEqual([['codestar-connections:UseConnection']]);
  });

  test('with fullClone, every CodeBuild project that clones the source may use the connection too', () => {
    const stack = newStack();
    pipelineIn(stack, {
      source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, fullClone: true }),
      checks: [QualityCheck.commands('Lint', ['npm run lint'])],
      environments: [env('staging')],
    });
    const grants = useConnectionGrants(stack, CONNECTION_ARN);
    const roles = Object.keys(grants).map(id => id.replace(/[A-F0-9]{8}$/, '')).sort();
    expect(roles).toEqual(['ShopBuildProjectRole', 'ShopChecksLintProjectRole', 'ShopEnvironmentsstagingDeploystagingProjectRole', 'ShopPipelineSourceCodePipelineActionRole']);
    for (const actions of Object.values(grants)) expect(actions).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
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

  test('a repository of the app given a name is shown by that name (regression: "CodeCommit repository", and no name for PolicyRules)', () => {
    const stack = newStack();
    const repos = new Stack(stack.node.root as any, 'Repos', { env: { account: '111111111111', region: 'eu-west-1' } });
    const code = pipelineIn(stack, { source: PipelineSource.codeCommit({ repository: new codecommit.Repository(repos, 'Repo', { repositoryName: 'svc-a' }) }) }, 'Code');
    const images = pipelineIn(stack, { source: PipelineSource.ecr({ repository: new ecr.Repository(repos, 'Images', { repositoryName: 'svc-a-images' }) }) }, 'Images');
    expect(code.describe().source).toMatchObject({ summary: 'svc-a@main (CodeCommit)', repository: 'svc-a' });
    expect(images.describe().source).toMatchObject({ summary: 'svc-a-images:latest (ECR)', repository: 'svc-a-images' });
    // a generated name stays unknown
    const generated = pipelineIn(stack, { source: PipelineSource.ecr({ repository: new ecr.Repository(repos, 'Unnamed') }) }, 'Gen');
    expect(generated.describe().source).toMatchObject({ summary: 'ECR repository:latest (ECR)' });
    expect(generated.describe().source.repository).toBeUndefined();
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

  test('an S3 source\'s plan gives its key as branch, what starts executions (regression: no branch)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(stack, 'Drop', 'shop-drop'), key: 'source/shop.zip' }) });
    expect(pipeline.describe().source).toEqual({
      kind: 'S3', summary: 's3://shop-drop/source/shop.zip (S3)', branch: 'source/shop.zip', triggers: ['new version of source/shop.zip (polling)'], startsOn: ['source/shop.zip'],
    });
  });
});
