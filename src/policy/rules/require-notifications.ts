import { PlanDocument } from '../../model/plan-document';
import { PipelineEvent } from '../../pipeline/notifications';
import { factoryArgumentError, showJson } from '../../private/validation';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every pipeline tells someone about these events. */
export class RequireNotificationsRule implements IPolicyRule {
  public readonly ruleId: string;
  private readonly events: string[];

  constructor(events: PipelineEvent[] | undefined) {
    const given = events ?? [PipelineEvent.FAILED];
    const known = Object.values(PipelineEvent) as string[];
    if (!Array.isArray(given) || given.length === 0 || given.some(e => !known.includes(e))) {
      throw factoryArgumentError('PolicyRule.requireNotifications', 'events', `events must be one or more PipelineEvent values, got ${showJson(given)}. `
        + 'Use, for example, [PipelineEvent.FAILED, PipelineEvent.APPROVAL_NEEDED], or leave it out for FAILED.');
    }
    this.events = [...new Set(given as string[])];
    this.ruleId = `require-notifications:${this.events.join(',')}`;
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const told = pipeline.notifications?.events ?? [];
    const missing = this.events.filter(e => !told.includes(e));
    if (missing.length === 0) return [];
    const wanted = this.events.map(e => `PipelineEvent.${e}`).join(', ');
    return [{
      message: pipeline.notifications
        ? `tells nobody about ${missing.join(', ')} (its notifications: ${told.join(', ')}); add them to notifications.events: [${wanted}]`
        : `tells nobody about ${missing.join(', ')}; add notifications: { topic, events: [${wanted}] }`,
    }];
  }
}
