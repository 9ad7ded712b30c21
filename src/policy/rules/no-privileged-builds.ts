import { PlanDocument, PlanAction, PUBLISHES_IN_BUILD } from '../../model/plan-document';
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
    // with publishAssetsInBuild, the build runs privileged because it publishes Docker image assets
    const buildPublishesImages = pipeline.buildStep.details.includes(PUBLISHES_IN_BUILD)
      && pipeline.environments.some(e => e.deployments.some(d => d.kind === 'cdk-stage' && d.privileged));
    return found.map(f => ({
      environment: f.environment,
      // a CDK stage is not a CodeBuild project: its Docker image assets are what needs the privileged build
      message: f.action.kind === 'cdk-stage'
        ? `${f.where} has Docker image assets, which the pipeline publishes from a privileged (Docker) CodeBuild environment; `
          + `build and push the images outside this pipeline (${FROM_ECR}) instead of Docker image assets`
        : f.action === pipeline.buildStep && buildPublishesImages
          ? "the build runs a privileged (Docker) CodeBuild environment to publish the CDK stages' Docker image assets (publishAssetsInBuild); "
            + `build and push the images outside this pipeline (${FROM_ECR}) instead of Docker image assets, and leave privileged: true off the build`
          : `${f.where} runs a privileged (Docker) CodeBuild environment; remove privileged: true or build images outside this pipeline`,
    }));
  }
}

const FROM_ECR = 'ecs.ContainerImage.fromEcrRepository';
