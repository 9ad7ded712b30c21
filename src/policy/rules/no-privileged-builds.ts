import { PlanDocument, PlanAction } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** No CodeBuild project runs privileged, the one publishing a CDK stage's Docker image assets included. */
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
      // a CDK stage is not a CodeBuild project: its Docker image assets are what needs the privileged build
      message: f.action.kind === 'cdk-stage'
        ? `${f.where} has Docker image assets, which the pipeline publishes from a privileged (Docker) CodeBuild environment; `
          + 'build and push the images outside this pipeline (ecs.ContainerImage.fromEcrRepository) instead of Docker image assets'
        : `${f.where} runs a privileged (Docker) CodeBuild environment; remove privileged: true or build images outside this pipeline`,
    }));
  }
}
