import { PlanDocument } from '../../model/plan-document';
import { factoryArgumentError, showJson } from '../../private/validation';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** The most environments that can come before one production environment: 50 stages less Source, Build and production. */
export const MAX_PRE_PRODUCTION = 47;

/**
 * Every production environment comes after at least `minimum` environments that are not
 * production, so that every release is deployed, and verified, somewhere else first.
 */
export class ProductionRequiresPreProductionRule implements IPolicyRule {
  public readonly ruleId: string;

  constructor(private readonly minimum: number) {
    if (typeof minimum !== 'number' || !Number.isInteger(minimum) || minimum < 1 || minimum > MAX_PRE_PRODUCTION) {
      throw factoryArgumentError('PolicyRule.productionRequiresPreProduction', 'minimum',
        `minimum must be a whole number from 1 to ${MAX_PRE_PRODUCTION} (CodePipeline's 50 stages, less Source, Build and production), `
        + `got ${showJson(minimum)}. Pass how many environments must come before production, for example 1 (staging).`);
    }
    this.ruleId = minimum === 1 ? 'production-requires-pre-production' : `production-requires-pre-production:${minimum}`;
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    const before: string[] = [];
    for (const e of pipeline.environments) {
      if (!e.production) {
        before.push(e.name);
        continue;
      }
      if (before.length >= this.minimum) continue;
      const wanted = this.minimum === 1 ? 'a pre-production environment' : `${this.minimum} pre-production environments`;
      const names = before.map(n => `'${n}'`).join(', ');
      const found = before.length === 0 ? 'no environment that is not production comes before it'
        : before.length === 1 ? `only 1 environment that is not production comes before it (${names})`
          : `only ${before.length} environments that are not production come before it (${names})`;
      const missing = this.minimum - before.length;
      violations.push({
        environment: e.name,
        message: `production is deployed without ${wanted} first: ${found}; add ${missing === 1 ? 'one' : missing} before it `
          + "(for example { name: 'staging', deployments: [...] }), so that every release is deployed and verified there first",
      });
    }
    return violations;
  }
}
