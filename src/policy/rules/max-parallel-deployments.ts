import { PlanDocument } from '../../model/plan-document';
import { factoryArgumentError, showJson } from '../../private/validation';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Actions of an environment's stage that do not change it: approvals, change-set creation, tests. */
const NOT_DEPLOYING = new Set(['manual-approval', 'change-set-review', 'cloudformation-change-set', 'verification-commands']);

/**
 * No environment changes more than a number of things at once: deploy actions that share a run
 * order of the environment's stage (the targets, and the independent stacks of a CDK stage). A
 * pipeline in PARALLEL execution mode, whose executions deploy to one environment at once, cannot
 * meet it.
 */
export class MaxParallelDeploymentsRule implements IPolicyRule {
  public readonly ruleId: string;

  constructor(private readonly max: number) {
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
      throw factoryArgumentError('PolicyRule.maxParallelDeployments', 'max', `max must be a whole number of 1 or more, got ${showJson(max)}. Pass the most targets one environment may deploy at once, for example 5.`);
    }
    this.ruleId = `max-parallel-deployments:${max}`;
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    // in PARALLEL mode executions do not wait for each other in any stage: every environment can
    // take any number of changes at once, whatever its stage's run orders
    const deploying = pipeline.environments.filter(e => e.deployments.length > 0).map(e => `'${e.name}'`);
    if (pipeline.executionMode === 'PARALLEL' && deploying.length > 0) {
      out.push({
        message: `runs in PARALLEL execution mode, where executions do not wait for each other: any number of changes can deploy to ${deploying.join(', ')} `
          + `at once, more than ${this.max}; set executionMode to ExecutionMode.QUEUED or SUPERSEDED (one execution at a time in each environment)`,
      });
    }
    for (const e of pipeline.environments) {
      const stage = pipeline.stages.find(s => s.name === e.stageName);
      const byRunOrder = new Map<number, string[]>();
      for (const a of stage?.actions ?? []) {
        if (NOT_DEPLOYING.has(a.kind)) continue;
        byRunOrder.set(a.runOrder, [...(byRunOrder.get(a.runOrder) ?? []), a.name]);
      }
      // a plan without rendered stages: every target deploys at once
      const widest = stage ? [...byRunOrder.values()].reduce<string[]>((w, names) => (names.length > w.length ? names : w), [])
        : e.deployments.map(d => d.name);
      if (widest.length > this.max) {
        out.push({
          environment: e.name,
          message: `deploys ${widest.length} at once (${widest.join(', ')}), more than ${this.max}; split the targets over several environments, `
            + 'or make the stacks of a CDK stage depend on each other (addDependency) so they deploy in turn',
        });
      }
    }
    return out;
  }
}
