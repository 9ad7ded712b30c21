import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/**
 * Every production environment rolls back when it fails (its `onFailure` is ROLLBACK). A pipeline in
 * PARALLEL execution mode, where CodePipeline does not roll stages back, cannot meet it.
 */
export class ProductionRequiresRollbackRule implements IPolicyRule {
  public readonly ruleId = 'production-requires-rollback';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    return pipeline.environments
      // a plan written before onFailure was recorded: production rolled back by default then too
      .filter(e => e.production && e.onFailure !== undefined && !e.onFailure.startsWith('ROLLBACK'))
      .map(e => ({
        environment: e.name,
        message: pipeline.executionMode === 'PARALLEL'
          // CodePipeline has no stage rollback in PARALLEL mode: onFailure defaults to FAIL there, and ROLLBACK is refused
          ? `production does not roll back when it fails (onFailure ${e.onFailure}), and cannot in PARALLEL execution mode, where CodePipeline `
            + 'does not roll stages back; set executionMode to ExecutionMode.QUEUED or SUPERSEDED (production then rolls back by default), '
            + 'or leave this rule out for this pipeline'
          : `production does not roll back when it fails (onFailure ${e.onFailure}); leave onFailure out or set it to FailurePolicy.ROLLBACK`,
      }));
  }
}
