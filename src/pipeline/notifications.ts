import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as sns from 'aws-cdk-lib/aws-sns';

/** Pipeline events people are told about. */
export enum PipelineEvent {
  /** A manual approval is waiting. */
  APPROVAL_NEEDED = 'APPROVAL_NEEDED',
  /** An execution failed. */
  FAILED = 'FAILED',
  /** An execution succeeded (the change reached the last environment). */
  SUCCEEDED = 'SUCCEEDED',
  /** A newer execution superseded this one (SUPERSEDED execution mode). */
  SUPERSEDED = 'SUPERSEDED',
}

/** Who is told, and about what. */
export interface PipelineNotifications {
  /**
   * SNS topic told about the events.
   *
   * @default - none
   */
  readonly topic?: sns.ITopic;
  /**
   * Slack channel (AWS Chatbot) told about the events.
   *
   * @default - none
   */
  readonly slackChannel?: chatbot.ISlackChannelConfiguration;
  /**
   * The events.
   *
   * @default [PipelineEvent.APPROVAL_NEEDED, PipelineEvent.FAILED]
   */
  readonly events?: PipelineEvent[];
}
