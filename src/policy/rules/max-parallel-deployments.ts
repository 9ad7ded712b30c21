import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** No environment deploys more than a number of targets in parallel. */
export class MaxParallelDeploymentsRule implements IPolicyRule {
  public readonly ruleId: string;

  constructor(private readonly max: number) {
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
      throw new Error(`PolicyRule.maxParallelDeployments: max must be a whole number of 1 or more, got ${JSON.stringify(max)}. Pass the most targets one environment may deploy at once, for example 5.`);
    }
    this.ruleId = `max-parallel-deployments:${max}`;
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    return pipeline.environments
      .filter(e => e.deployments.length > this.max)
      .map(e => ({
        environment: e.name,
        message: `deploys ${e.deployments.length} targets in parallel, more than ${this.max}; split them over several environments`,
      }));
  }
}
