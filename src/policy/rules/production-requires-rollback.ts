import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every production environment rolls back when it fails (its `onFailure` is ROLLBACK). */
export class ProductionRequiresRollbackRule implements IPolicyRule {
  public readonly ruleId = 'production-requires-rollback';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    return pipeline.environments
      // a plan written before onFailure was recorded: production rolled back by default then too
      .filter(e => e.production && e.onFailure !== undefined && !e.onFailure.startsWith('ROLLBACK'))
      .map(e => ({
        environment: e.name,
        message: `production does not roll back when it fails (onFailure ${e.onFailure}); leave onFailure out or set it to FailurePolicy.ROLLBACK`,
      }));
  }
}
