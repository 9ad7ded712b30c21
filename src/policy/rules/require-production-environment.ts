import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every pipeline that deploys has a production environment, so that the production rules apply to it. */
export class RequireProductionEnvironmentRule implements IPolicyRule {
  public readonly ruleId = 'require-production-environment';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const environments = pipeline.environments;
    if (environments.length === 0 || environments.some(e => e.production)) return [];
    const names = environments.map(e => `'${e.name}'`).join(', ');
    return [{
      message: `deploys to ${names} but ${environments.length === 1 ? 'does not mark it' : 'marks none of them'} production, so no production rule `
        + 'applies to it; mark the environment that serves users production: true',
    }];
  }
}
