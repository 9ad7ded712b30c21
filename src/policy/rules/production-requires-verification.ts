import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every production environment has automated verification (tests or alarms). */
export class ProductionRequiresVerificationRule implements IPolicyRule {
  public readonly ruleId = 'production-requires-verification';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    return pipeline.environments
      .filter(e => e.production && e.verification.length === 0 && !e.gates.some(g => g.kind === 'bake-alarms'))
      .map(e => ({
        environment: e.name,
        message: 'production has no automated verification; add Verification.commands(...) or Verification.alarms(...)',
      }));
  }
}
