import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecr from 'aws-cdk-lib/aws-ecr';
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

  test('an ECR repository of another account passes with a warning on forwarding its events, and the rule accepts that account only', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryArn(stack, 'Repo', 'arn:aws:ecr:eu-west-1:222222222222:repository/checkout');
    pipelineIn(stack, { source: PipelineSource.ecr({ repository, tag: 'release' }) });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as any[];
    expect(rules.map(r => r.Properties.EventPattern)).toEqual([{
      'account': ['222222222222'],
      'detail-type': ['ECR Image Action'],
      'source': ['aws.ecr'],
      'detail': { 'result': ['SUCCESS'], 'repository-name': ['checkout'], 'image-tag': ['release'], 'action-type': ['PUSH'] },
    }]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map(w => w.entry.data)).toEqual([
      "source.repository 'checkout' is in account 222222222222, the pipeline in account 111111111111: ECR sends its push events to the default event bus "
      + 'of account 222222222222 only, so a push starts the pipeline only when that account forwards them (an EventBridge rule there whose target is the '
      + 'default event bus of account 111111111111, whose resource policy allows account 222222222222 to put events). The repository\'s policy must also '
      + 'allow account 111111111111 ecr:DescribeImages (and pulling, for the deployments). The pipeline\'s rule accepts events of account 222222222222 only. '
      + '[ack: delivery-pipeline:otherAccountEcrSource]',
    ]);
  });

  test('an ECR repository of the pipeline\'s account gets no warning and aws-cdk-lib\'s rule unchanged', () => {
    const stack = newStack();
    pipelineIn(stack, { source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'checkout') }) });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as any[];
    expect(rules.map(r => Object.keys(r.Properties.EventPattern).sort())).toEqual([['detail', 'detail-type', 'source']]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('a source in another region than the pipeline', () => {
  test.each([
    ['a CodeCommit repository', 'repository', (s: Stack) => PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryArn(s, 'Repo', 'arn:aws:codecommit:us-east-1:111111111111:shop') }),
      'arn:aws:codecommit:us-east-1:111111111111:shop', 'mirror the repository into eu-west-1 and pass that one.'],
    ['an S3 bucket', 'bucket', (s: Stack) => PipelineSource.s3({ bucket: s3.Bucket.fromBucketAttributes(s, 'Src', { bucketName: 'acme-sources', region: 'us-east-1' }), key: 'shop.zip' }),
      'acme-sources', 'have the archive copied (S3 replication) to a versioned bucket in eu-west-1 and pass that one.'],
    ['an ECR repository', 'repository', (s: Stack) => PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryArn(s, 'Repo', 'arn:aws:ecr:us-east-1:111111111111:repository/shop') }),
      'arn:aws:ecr:us-east-1:111111111111:repository/shop', 'replicate the repository into eu-west-1 (ECR replication) and pass the replica.'],
  ])('%s in another region is refused with what to do (regression: aws-cdk-lib\'s error, or for ECR a source action reading a repository of that name in the pipeline\'s region)',
    (what, field, source, value, fix) => {
      const stack = newStack();
      expect(errorOf(() => pipelineIn(stack, { source: source(stack) }))).toBe(
        `'PipelineStack/Shop': source.${field} is ${what} in region us-east-1, but the pipeline's stack is in region eu-west-1, `
        + `and CodePipeline runs source actions in the pipeline's region only, got '${value}'. Deploy the pipeline's stack in us-east-1, or ${fix}`);
    });

  test('an additional source in another region is refused too, naming its field', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Src', { bucketName: 'acme-config', region: 'us-east-1' });
    expect(errorOf(() => pipelineIn(stack, { additionalSources: [{ name: 'Config', source: PipelineSource.s3({ bucket, key: 'config.zip' }) }] }))).toMatch(
      /^'PipelineStack\/Shop': additionalSources\[0\] \('Config'\)\.source\.bucket is an S3 bucket in region us-east-1, but the pipeline's stack is in region eu-west-1/);
  });
});
