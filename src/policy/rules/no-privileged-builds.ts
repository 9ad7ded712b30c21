import { PlanDocument, PlanAction } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** No CodeBuild project runs privileged. */
export class NoPrivilegedBuildsRule implements IPolicyRule {
  public readonly ruleId = 'no-privileged-builds';

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const found: Array<{ where: string; environment?: string; action: PlanAction }> = [];
    if (pipeline.buildStep.privileged) found.push({ where: 'the build', action: pipeline.buildStep });
    for (const c of pipeline.checks) if (c.privileged) found.push({ where: `check '${c.name}'`, action: c });
    for (const e of pipeline.environments) {
      for (const a of [...e.deployments, ...e.verification]) {
        if (a.privileged) found.push({ where: `'${a.name}'`, environment: e.name, action: a });
      }
    }
    return found.map(f => ({
      environment: f.environment,
      message: `${f.where} runs a privileged (Docker) CodeBuild environment; remove privileged: true or build images outside this pipeline`,
    }));
  }
}
