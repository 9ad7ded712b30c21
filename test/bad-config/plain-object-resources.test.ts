import {
  Approval, BuildCache, BuildStep, DeliveryDefaults, DeliveryPipeline, DeliveryPipelineProps, DockerCredential, PipelineEvent, PipelineSource,
  QualityCheck,
} from '../../src';
import { DeliveryPipelineValidationError } from '../../src/private/validation';
import { env, newApp, newStack, props } from '../util';

const ARN = 'arn:aws:sns:eu-west-1:111111111111:releases';
const REPO_ARN = 'arn:aws:ecr:eu-west-1:111111111111:repository/shop';

function errorOf(fn: () => unknown): DeliveryPipelineValidationError {
  try {
    fn();
  } catch (e) {
    return e as DeliveryPipelineValidationError;
  }
  throw new Error('expected an error, but none was thrown');
}

const pipeline = (extra: Partial<DeliveryPipelineProps>) => () => new DeliveryPipeline(newStack(), 'Shop', props(extra));

describe('a plain object shaped like a resource is the library\'s error (regression: it passed the check of one property, then a TypeError)', () => {
  const cases: [string, () => unknown, string][] = [
    ['Approval.manual({ notify })', pipeline({ environments: [env('prod', { approval: Approval.manual({ notify: { topicArn: ARN } as any }) })] }),
      "'PipelineStack/Shop': environments[0] ('prod').approval.notify must be an sns.ITopic, got an object. Pass an sns.Topic or sns.Topic.fromTopicArn(...)."],
    ['notifications.topic', pipeline({ notifications: { topic: { topicArn: ARN } as any, events: [PipelineEvent.FAILED] } }),
      "'PipelineStack/Shop': notifications.topic must be an sns.ITopic, got an object. Pass an sns.Topic or sns.Topic.fromTopicArn(...)."],
    ['notifications.slackChannel', pipeline({
      notifications: { slackChannel: { slackChannelConfigurationArn: 'arn:aws:chatbot::111111111111:chat-configuration/slack-channel/releases' } as any },
    }), "'PipelineStack/Shop': notifications.slackChannel must be a chatbot.ISlackChannelConfiguration, got an object. Pass a chatbot.SlackChannelConfiguration."],
    ['DeliveryDefaults notifications.topic', () => DeliveryDefaults.applyTo(newApp(), { notifications: { topic: { topicArn: ARN } as any, events: [PipelineEvent.FAILED] } }),
      "'(app)': DeliveryDefaults.notifications.topic must be an sns.ITopic, got an object. Pass an sns.Topic or sns.Topic.fromTopicArn(...)."],
    ['DeliveryDefaults approvalNotify', () => DeliveryDefaults.applyTo(newApp(), { approvalNotify: { topicArn: ARN } as any }),
      "'(app)': DeliveryDefaults.approvalNotify must be an sns.ITopic, got an object. Pass an sns.Topic or sns.Topic.fromTopicArn(...)."],
    ['BuildCache.s3', pipeline({ buildStep: BuildStep.commands({ commands: ['npm test'], cache: BuildCache.s3({ bucketName: 'cache' } as any) }) }),
      "'PipelineStack/Shop': buildStep.cache.bucket must be an s3.IBucket, got an object. Pass an s3.Bucket to BuildCache.s3()."],
    ['PipelineSource.codeCommit', pipeline({ source: PipelineSource.codeCommit({ repository: { repositoryName: 'shop' } as any }) }),
      "'PipelineStack/Shop': source.repository must be a codecommit.IRepository, got an object. Pass codecommit.Repository.fromRepositoryName(this, 'Repo', 'shop') or a new Repository."],
    ['PipelineSource.s3', pipeline({ source: PipelineSource.s3({ bucket: { bucketName: 'src' } as any, key: 'src.zip' }) }),
      "'PipelineStack/Shop': source.bucket must be an s3.IBucket, got an object. Pass a versioned s3.Bucket or s3.Bucket.fromBucketName(...)."],
    ['PipelineSource.ecr', pipeline({ source: PipelineSource.ecr({ repository: { repositoryName: 'shop' } as any }) }),
      "'PipelineStack/Shop': source.repository must be an ecr.IRepository, got an object. Pass an ecr.Repository or ecr.Repository.fromRepositoryName(...)."],
    ['DockerCredential.ecr', pipeline({
      buildStep: BuildStep.commands({ commands: ['docker build .'], privileged: true }),
      dockerCredentials: [DockerCredential.ecr([{ repositoryUri: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop', repositoryArn: REPO_ARN, repositoryName: 'shop' } as any])],
    }), "'PipelineStack/Shop': dockerCredentials[0].repositories[0] must be an ecr.IRepository, got an object. Pass the repositories to pull from, "
      + "for example [ecr.Repository.fromRepositoryArn(this, 'Base', 'arn:aws:ecr:eu-west-1:111111111111:repository/base')]."],
    ['QualityCheck.imageScan', pipeline({
      checks: [QualityCheck.imageScan({ repositoryName: 'shop', repositoryArn: REPO_ARN, env: { account: '111111111111', region: 'eu-west-1' } } as any)],
    }), "'PipelineStack/Shop': checks[0].repository must be an ecr.IRepository, got an object. "
      + "Pass the ECR repository the build pushes the image to, for example ecr.Repository.fromRepositoryName(this, 'Images', 'shop')."],
  ];
  test.each(cases)('%s', (_title, fn, message) => {
    const error = errorOf(fn);
    expect(error).toBeInstanceOf(DeliveryPipelineValidationError);
    expect(error.message).toBe(message);
  });
});
