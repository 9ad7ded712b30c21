import { Annotations, CfnResource, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { uniqueName } from './physical-names';
import { defaultResourceFix, refuseOwnedOfOtherApp, refuseOwnedUnreferable } from './referable';
import { isResource, Validator } from './validation';
import type { PlanNotifications } from '../model/plan-document';
import { PipelineEvent, PipelineNotifications } from '../pipeline/notifications';

const EVENTS: Record<string, codepipeline.PipelineNotificationEvents> = {
  APPROVAL_NEEDED: codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
  FAILED: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
  SUCCEEDED: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
  SUPERSEDED: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUPERSEDED,
};

/** The validated notification settings. */
export interface NotificationsModel {
  readonly topic?: sns.ITopic;
  readonly slackChannel?: chatbot.ISlackChannelConfiguration;
  readonly events: PipelineEvent[];
}

/**
 * Validates `notifications` (or, with `field`, DeliveryDefaults' `DeliveryDefaults.notifications`).
 */
export function notificationsModel(v: Validator, raw: unknown, field: string = 'notifications'): NotificationsModel | undefined {
  if (raw === undefined) return undefined;
  v.requireObject(field, raw, 'Pass { topic?, slackChannel?, events? }.');
  v.noMisspeltFields(field, raw, 'PipelineNotifications');
  const n = raw as PipelineNotifications;
  if (n.topic === undefined && n.slackChannel === undefined) {
    v.fail(field, 'names no one to tell (neither topic nor slackChannel)', n, 'Pass an SNS topic, an AWS Chatbot Slack channel, or both.');
  }
  v.optionalTopic(`${field}.topic`, n.topic);
  if (n.slackChannel !== undefined && !isResource(n.slackChannel, 'slackChannelConfigurationArn')) {
    v.fail(`${field}.slackChannel`, 'must be a chatbot.ISlackChannelConfiguration', n.slackChannel, 'Pass a chatbot.SlackChannelConfiguration.');
  }
  // the defaults' resources serve many pipelines: the way out is an import by ARN where they are set
  const isDefault = field.startsWith('DeliveryDefaults');
  if (n.topic !== undefined) {
    const publish = 'its topic policy must then allow codestar-notifications.amazonaws.com to sns:Publish';
    refuseOwnedUnreferable(v, `${field}.topic`, n.topic, 'an SNS topic', isDefault
      ? defaultResourceFix('topic', "sns.Topic.fromTopicArn(platformStack, 'Topic', 'arn:aws:sns:<pipeline Region>:...')", 'notifications', `; ${publish}`)
      : "Create the topic in the pipeline's stack (or another stack of its account and Region), "
        + `or import it there by ARN with sns.Topic.fromTopicArn(pipelineStack, 'Topic', 'arn:aws:sns:...') (${publish}).`);
  }
  if (n.topic !== undefined) refuseOwnedOfOtherApp(v, `${field}.topic.masterKey`, n.topic.masterKey, 'a KMS key');
  if (n.slackChannel !== undefined) {
    refuseOwnedUnreferable(v, `${field}.slackChannel`, n.slackChannel, 'a Slack channel configuration', isDefault
      ? defaultResourceFix('configuration', "chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(platformStack, 'Slack', 'arn:aws:chatbot::...')", 'notifications')
      : "Create the configuration in a stack of the pipeline's account and Region, "
        + "or import it there with chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(pipelineStack, 'Slack', 'arn:aws:chatbot::...').");
  }
  const events = n.events ?? [PipelineEvent.APPROVAL_NEEDED, PipelineEvent.FAILED];
  if (!Array.isArray(events) || events.length === 0) {
    v.fail(`${field}.events`, 'must be a non-empty array of PipelineEvent', events, 'Leave it out for approval-needed and failed, or pass [PipelineEvent.FAILED, ...].');
  }
  for (const e of events) {
    // own keys only: 'toString' or 'constructor' are in every object
    if (typeof e !== 'string' || !Object.prototype.hasOwnProperty.call(EVENTS, e)) v.fail(`${field}.events`, 'holds a value that is not a PipelineEvent', e, 'Use PipelineEvent.APPROVAL_NEEDED, FAILED, SUCCEEDED or SUPERSEDED.');
  }
  return { topic: n.topic, slackChannel: n.slackChannel, events: [...new Set(events)] };
}

/** The notifications as the plan document describes them. */
export function planNotifications(model: NotificationsModel | undefined): PlanNotifications | undefined {
  if (!model) return undefined;
  return { events: [...model.events], targets: [...(model.topic ? ['sns'] : []), ...(model.slackChannel ? ['slack'] : [])] };
}

/** Adds the CodeStar notification rule to the pipeline. */
export function renderNotifications(pipeline: codepipeline.Pipeline, model: NotificationsModel): void {
  const targets = [model.topic, model.slackChannel].filter(t => t !== undefined) as Array<sns.ITopic | chatbot.ISlackChannelConfiguration>;
  // aws-cdk-lib's name depends on the construct path only: two stacks (or Regions) of one account with
  // the same path would ask for the same name, which CodeStar Notifications refuses
  const rule = pipeline.notifyOn('Notifications', targets[0], {
    events: model.events.map(e => EVENTS[e]),
    notificationRuleName: uniqueName(pipeline.node.scope ?? pipeline),
  });
  for (const target of targets.slice(1)) rule.addTarget(target);
  if (model.topic && !definedInApp(model.topic)) {
    const arn = Token.isUnresolved(model.topic.topicArn) ? 'an imported topic' : model.topic.topicArn;
    Annotations.of(pipeline.node.scope ?? pipeline).addWarningV2('delivery-pipeline:importedNotificationTopic',
      `notifications.topic is ${arn}, imported: its policies cannot be changed here. CodeStar Notifications delivers only if the topic policy `
      + 'allows codestar-notifications.amazonaws.com to sns:Publish and, for an encrypted topic, the key policy allows it kms:GenerateDataKey* and kms:Decrypt. '
      + 'Add them where the topic is defined, or pass a topic defined in this app (the pipeline then adds them).');
  } else if (model.topic?.masterKey && !keyDefinedInApp(model.topic.masterKey)) {
    // aws-cdk-lib grants the notification service on the topic's key through the key policy, which
    // it cannot change for a key of another app (or an AWS managed key): it drops that grant silently
    Annotations.of(pipeline.node.scope ?? pipeline).addWarningV2('delivery-pipeline:importedTopicKey',
      `notifications.topic is encrypted with ${describeKey(model.topic.masterKey)}, which is not defined in this app: its key policy cannot be changed here, `
      + 'and CodeStar Notifications delivers to an encrypted topic only if the key policy allows it. Add this statement to the key policy: '
      + '{ "Effect": "Allow", "Principal": { "Service": "codestar-notifications.amazonaws.com" }, "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*" }, '
      + 'or encrypt the topic with a key defined in this app (the pipeline then adds it). An AWS managed key (alias/aws/sns) cannot allow it: use a customer managed key.');
  }
}

/** True for a KMS key (or an alias of one) defined in this app, whose key policy aws-cdk-lib can add to. */
function keyDefinedInApp(key: kms.IKey): boolean {
  const resource = key.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) return false;
  if (resource.cfnResourceType === 'AWS::KMS::Alias') return keyDefinedInApp((key as kms.IAlias).aliasTargetKey);
  return resource.cfnResourceType === 'AWS::KMS::Key';
}

/** How a warning names a key: its literal ARN, else its alias, else its construct path. */
function describeKey(key: kms.IKey): string {
  if (!Token.isUnresolved(key.keyArn)) return `key ${key.keyArn}`;
  const alias = (key as Partial<kms.IAlias>).aliasName;
  return alias && !Token.isUnresolved(alias) ? `key ${alias}` : `key ${key.node.path}`;
}

/** True for a topic defined in this app (aws-cdk-lib adds the notification service to its policy). */
function definedInApp(topic: sns.ITopic): boolean {
  const resource = topic.node.defaultChild;
  return CfnResource.isCfnResource(resource) && resource.cfnResourceType === 'AWS::SNS::Topic';
}
