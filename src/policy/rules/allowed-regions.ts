import { PlanDocument } from '../../model/plan-document';
import { factoryArgumentError, REGION_CODE, showJson } from '../../private/validation';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/**
 * Pipelines, environments and deployment targets are only in the listed regions (data residency).
 * The environments' regions are literals (a token region is refused when the pipeline is
 * configured), so only the pipeline's own stack can leave its region unknown.
 */
export class AllowedRegionsRule implements IPolicyRule {
  public readonly ruleId = 'allowed-regions';

  constructor(private readonly regions: string[]) {
    if (!Array.isArray(regions) || regions.length === 0 || regions.some(r => typeof r !== 'string' || !REGION_CODE.test(r))) {
      throw factoryArgumentError('PolicyRule.allowedRegions', 'regions',
        `regions must be one or more region codes, got ${showJson(regions)}. Pass ['eu-west-1', 'eu-central-1', ...].`);
    }
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    const allowed = this.regions.join(', ');
    if (pipeline.region === undefined) {
      violations.push({ message: `the pipeline's stack has no explicit region, so its region cannot be checked against ${allowed}; give the stack env: { region }` });
    } else if (!this.regions.includes(pipeline.region)) {
      violations.push({ message: `the pipeline is in region ${pipeline.region}, which is not one of ${allowed}; create the pipeline's stack in one of them` });
    }
    for (const e of pipeline.environments) {
      const region = e.region ?? pipeline.region;
      if (region !== undefined && !this.regions.includes(region)) {
        violations.push({ environment: e.name, message: `deploys to region ${region}, which is not one of ${allowed}; deploy to one of them` });
      }
      for (const d of e.deployments) {
        if (d.region !== undefined && !this.regions.includes(d.region)) {
          violations.push({ environment: e.name, message: `'${d.name}' deploys to region ${d.region}, which is not one of ${allowed}; deploy to one of them` });
        }
      }
    }
    return violations;
  }
}
