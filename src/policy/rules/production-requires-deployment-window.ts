import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every production environment has a deployment window. */
export class ProductionRequiresDeploymentWindowRule implements IPolicyRule {
  public readonly ruleId = 'production-requires-deployment-window';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    return pipeline.environments
      .filter(e => e.production && !e.gates.some(g => g.kind === 'deployment-window'))
      .map(e => ({
        environment: e.name,
        message: "production can be entered at any time; add deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', '<time zone>')",
      }));
  }
}
