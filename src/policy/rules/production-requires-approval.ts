import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every production environment is entered through a person's approval. */
export class ProductionRequiresApprovalRule implements IPolicyRule {
  public readonly ruleId = 'production-requires-approval';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    return pipeline.environments
      .filter(e => e.production && !e.gates.some(g => g.kind === 'manual-approval' || g.kind === 'change-set-review'))
      .map(e => ({
        environment: e.name,
        message: `production is entered without a manual approval (release mode ${pipeline.releaseMode}); ${pipeline.releaseMode === 'CONTINUOUS_DEPLOYMENT'
          ? 'use ReleaseMode.CONTINUOUS_DELIVERY (continuous deployment allows no manual approval)'
          : 'add Approval.manual() to the environment'}`,
      }));
  }
}
