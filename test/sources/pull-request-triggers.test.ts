import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuildCache, BuildStep, DeliveryPipeline, PipelineSource, ReleaseMode } from '../../src';
import { CONNECTION_ARN, env, errorOf, newStack, pipelineIn, pipelineProps, props } from '../util';

/*
 * Pull request triggers: continuous integration for pull requests. A pull request is not merged,
 * so a pipeline that releases anything refuses them.
 */

const gitHub = (extra: object = {}) => PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, ...extra });

describe('pullRequestTriggers', () => {
  test('pull requests into the source branch, opened or updated, start the pipeline; pushes to the branch still do', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      source: gitHub({ pullRequestTriggers: [{ filePathsExcludes: ['docs/**'] }] }),
      executionMode: codepipeline.ExecutionMode.PARALLEL,
    });
    expect(pipelineProps(stack).Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: {
        SourceActionName: 'Source',
        Push: [{ Branches: { Includes: ['main'] } }],
        PullRequest: [{ Branches: { Includes: ['main'] }, FilePaths: { Excludes: ['docs/**'] }, Events: ['OPEN', 'UPDATED'] }],
      },
    }]);
    expect(pipeline.describe().releaseMode).toBe(ReleaseMode.CONTINUOUS_INTEGRATION);
    expect(pipeline.describe().source.triggers).toEqual(['every push to main', 'pull request into main opened or updated, ignoring docs/**']);
  });

  test('target branches, events and push triggers are rendered as given', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      source: gitHub({
        triggers: [{ tagsIncludes: ['v*'] }],
        pullRequestTriggers: [
          { branchesIncludes: ['main', 'release/*'], branchesExcludes: ['release/old'], events: [codepipeline.GitPullRequestEvent.OPEN] },
          { branchesIncludes: ['develop'], filePathsIncludes: ['src/**'], events: [codepipeline.GitPullRequestEvent.CLOSED] },
        ],
      }),
    });
    expect(pipelineProps(stack).Triggers[0].GitConfiguration).toEqual({
      SourceActionName: 'Source',
      Push: [{ Tags: { Includes: ['v*'] } }],
      PullRequest: [
        { Branches: { Includes: ['main', 'release/*'], Excludes: ['release/old'] }, Events: ['OPEN'] },
        { Branches: { Includes: ['develop'] }, FilePaths: { Includes: ['src/**'] }, Events: ['CLOSED'] },
      ],
    });
    expect(pipeline.describe().source.triggers).toEqual([
      'push of tags v*', 'pull request into main, release/* opened, except into release/old', 'pull request into develop closed, changing src/**',
    ]);
  });

  test('a pipeline with environments refuses them: a pull request would move through the environments unmerged', () => {
    expect(errorOf(() => pipelineIn(newStack(), { source: gitHub({ pullRequestTriggers: [{}] }), environments: [env('staging'), env('prod', { production: true })] })))
      .toBe("'PipelineStack/Shop': source.pullRequestTriggers start the pipeline for pull requests, whose changes are not merged yet; "
        + 'under ReleaseMode.CONTINUOUS_DELIVERY they would move through the environments (staging, prod), got 2 environments. '
        + 'Build pull requests in a pipeline of their own with ReleaseMode.CONTINUOUS_INTEGRATION (no environments, no selfUpdate), and deliver from the branch in this one.');
  });

  test('an environment added later is refused the same way', () => {
    const pipeline = new DeliveryPipeline(newStack(), 'Shop', props({ source: gitHub({ pullRequestTriggers: [{}] }) }));
    expect(errorOf(() => pipeline.addEnvironment(env('staging'))))
      .toContain('source.pullRequestTriggers start the pipeline for pull requests, whose changes are not merged yet; under ReleaseMode.CONTINUOUS_DELIVERY');
  });

  test('selfUpdate is refused: a pull request would update the pipeline itself', () => {
    expect(errorOf(() => pipelineIn(newStack(), { source: gitHub({ pullRequestTriggers: [{}] }), selfUpdate: true })))
      .toBe("'PipelineStack/Shop': source.pullRequestTriggers start the pipeline for pull requests, whose changes are not merged yet; "
        + 'with selfUpdate a pull request would update the pipeline itself, got selfUpdate: true. '
        + 'Build pull requests in a pipeline of their own with ReleaseMode.CONTINUOUS_INTEGRATION (no environments, no selfUpdate), and deliver from the branch in this one.');
  });

  test('only the pipeline\'s own source takes them', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      additionalSources: [{ name: 'Config', source: gitHub({ repository: 'acme/config', pullRequestTriggers: [{}] }) }],
    }))).toBe("'PipelineStack/Shop': additionalSources[0] ('Config').source.pullRequestTriggers start the pipeline for pull requests, "
      + "which only the pipeline's own source can do, got 1 pull request trigger. Remove them, or give the pipeline's source the pull request triggers.");
  });

  describe('a bucket shared with another pipeline is refused: the pull request\'s unreviewed build may write every object of it', () => {
    test('the release pipeline\'s artifactBucket, passed to the pull-request pipeline created after it', () => {
      const stack = newStack();
      const artifacts = new s3.Bucket(stack, 'Artifacts', { bucketName: 'shop-artifacts' });
      new DeliveryPipeline(stack, 'Shop', props({ artifactBucket: artifacts, environments: [env('staging')] }));
      expect(errorOf(() => new DeliveryPipeline(stack, 'ShopPullRequests', props({ source: gitHub({ pullRequestTriggers: [{}] }), artifactBucket: artifacts }))))
        .toBe("'PipelineStack/ShopPullRequests': artifactBucket is the bucket pipeline 'PipelineStack/Shop' keeps its artifacts in (its artifactBucket), "
          + 'and this pipeline builds pull requests (source.pullRequestTriggers): their unreviewed code runs in CodeBuild projects whose role may write every '
          + "object of that bucket, so it could replace what 'PipelineStack/Shop' builds and deploys, got bucket shop-artifacts. "
          + 'Give the pull-request pipeline a bucket no other pipeline uses: leave its artifactBucket out (it then gets a bucket of its own).');
    });

    test('the pull-request pipeline created first; a bucket imported twice by name; an S3 build cache', () => {
      const stack = newStack();
      new DeliveryPipeline(stack, 'ShopPullRequests', props({
        source: gitHub({ pullRequestTriggers: [{}] }),
        buildStep: BuildStep.commands({ commands: ['npm test'], cache: BuildCache.s3(s3.Bucket.fromBucketName(stack, 'PrCache', 'shop-cache'), { paths: ['node_modules/**/*'] }) }),
      }));
      expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({
        buildStep: BuildStep.commands({ commands: ['npm test'], cache: BuildCache.s3(s3.Bucket.fromBucketName(stack, 'Cache', 'shop-cache'), { paths: ['node_modules/**/*'] }) }),
        environments: [env('staging')],
      })))).toBe("'PipelineStack/Shop': buildStep.cache is the bucket pipeline 'PipelineStack/ShopPullRequests' keeps its build cache in (its buildStep.cache), "
        + 'which builds pull requests (source.pullRequestTriggers): their unreviewed code runs in CodeBuild projects whose role may write every object of that bucket, '
        + 'so it could replace what this pipeline builds and deploys, got bucket shop-cache. '
        + 'Give the pull-request pipeline a bucket no other pipeline uses: an S3 cache bucket of its own, or BuildCache.local().');
    });

    test('buckets of their own, and two pipelines without pull requests sharing one, are accepted', () => {
      const stack = newStack();
      const artifacts = new s3.Bucket(stack, 'Artifacts');
      new DeliveryPipeline(stack, 'Shop', props({ artifactBucket: artifacts, environments: [env('staging')] }));
      new DeliveryPipeline(stack, 'ShopDr', props({ artifactBucket: artifacts, pipelineName: 'shop-dr', environments: [env('dr')] }));
      new DeliveryPipeline(stack, 'ShopPullRequests', props({ source: gitHub({ pullRequestTriggers: [{}] }) }));
      expect(stack.node.findAll().filter(c => DeliveryPipeline.isDeliveryPipeline(c))).toHaveLength(3);
    });
  });

  test.each([
    [{ pullRequestTriggers: [] }, 'source.pullRequestTriggers must not be empty, got an array of 0. Leave pullRequestTriggers out when pull requests should not start the pipeline.'],
    [{ pullRequestTriggers: {} }, "source.pullRequestTriggers must be an array of pull request triggers, got an object. Pass [{ branchesIncludes: ['main'] }] or leave it out."],
    [{ pullRequestTriggers: [{}, {}, {}, {}] }, 'source.pullRequestTriggers may hold at most 3 pull request filters (CodePipeline quota)'],
    [{ pullRequestTriggers: [{ branchesIncludes: [] }] }, 'source.pullRequestTriggers[0].branchesIncludes must not be empty, got an array of 0. Leave it out instead.'],
    [{ pullRequestTriggers: [{ events: [] }] }, 'source.pullRequestTriggers[0].events must be a non-empty array of pull request events, got an array of 0.'],
    [{ pullRequestTriggers: [{ events: ['MERGED'] }] }, "source.pullRequestTriggers[0].events[0] must be a GitPullRequestEvent, got 'MERGED'. "
      + 'Pass some of GitPullRequestEvent.OPEN, UPDATED and CLOSED (from aws-cdk-lib/aws-codepipeline), or leave events out for OPEN and UPDATED.'],
    [{ pullRequestTriggers: [{ events: ['OPEN', 'OPEN'] }] }, "source.pullRequestTriggers[0].events[1] repeats an event, got 'OPEN'. Name each event once."],
    [{ pullRequestTriggers: [{ branchIncludes: ['main'] }] }, 'source.pullRequestTriggers[0].branchIncludes'],
  ])('refuses %j', (extra, message) => {
    expect(errorOf(() => pipelineIn(newStack(), { source: gitHub(extra) }))).toContain(message);
  });
});
