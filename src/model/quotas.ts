import { DeploymentModel, EnvironmentModel, PipelineModel } from './model';
import { described, Validator } from '../private/validation';

/*
 * AWS quotas, checked before they are crossed. Model quotas (stages, actions) are checked with the
 * rest of the configuration; the ones that need rendered resources (policy sizes, resource count)
 * are checked when the app is validated, still at synth time.
 */

/** CodePipeline: stages per pipeline. */
export const MAX_STAGES = 50;
/** CodePipeline: actions per stage. */
export const MAX_ACTIONS_PER_STAGE = 50;
/** CodePipeline: actions per pipeline. */
export const MAX_ACTIONS_PER_PIPELINE = 500;
/** IAM: characters of all inline policies of one role. */
export const MAX_ROLE_INLINE_POLICY_CHARS = 10_240;
/** IAM: characters of one managed policy (aws-cdk-lib's overflow policies are managed policies). */
export const MAX_MANAGED_POLICY_CHARS = 6_144;
/** S3: bucket policy size. */
export const MAX_BUCKET_POLICY_BYTES = 20_480;
/** KMS: key policy size. */
export const MAX_KEY_POLICY_BYTES = 32_768;
/** CloudFormation: resources per stack, and the level above which the library warns. */
export const MAX_STACK_RESOURCES = 500;
export const WARN_STACK_RESOURCES = 450;
/** CloudFormation: template body size, as aws-cdk-lib counts it (the file written to cdk.out). */
export const MAX_TEMPLATE_BYTES = 1_000_000;
/**
 * CodePipeline's CloudFormation action: the template size above which it has been reported to refuse
 * a template (aws-cloudformation/cloudformation-coverage-roadmap#1023), under CloudFormation's own limit.
 */
export const ACTION_TEMPLATE_WARN_BYTES = 512_000;

/**
 * The dependency levels of an environment's change sets (the stacks of a CDK stage deploy level by
 * level; every other target is level 0): a change-set review is one approval action per level.
 */
export function changeSetLevels(deployments: readonly Pick<DeploymentModel, 'actionNames'>[]): number {
  return 1 + Math.max(0, ...deployments.flatMap(d => d.actionNames.filter(a => a.phase === 'prepare').map(a => a.level ?? 0)));
}

/** The approval actions of an environment's stage: one manual approval, or a change-set review per level. */
export function approvalActionCount(env: Pick<EnvironmentModel, 'approval' | 'deployments'>): number {
  if (!env.approval) return 0;
  return env.approval.kind === 'change-set-review' ? changeSetLevels(env.deployments) : 1;
}

/** Checks the quotas the model alone decides. */
export function checkModelQuotas(
  v: Validator, model: Pick<PipelineModel, 'additionalSources' | 'checks' | 'environments' | 'assets' | 'selfUpdate'>,
): void {
  // the sources and the build, the asset-publishing action (unless the build publishes), the self-update action
  let actions = 2 + model.additionalSources.length + model.checks.length
    + (model.assets && !model.assets.inBuild ? 1 : 0) + (model.selfUpdate ? 1 : 0);
  for (const env of model.environments) {
    actions += approvalActionCount(env) + env.verification.length + env.deployments.reduce((n, d) => n + d.actionNames.length, 0);
  }
  if (actions > MAX_ACTIONS_PER_PIPELINE) {
    v.fail('environments', `must fit CodePipeline's quota of ${MAX_ACTIONS_PER_PIPELINE} actions per pipeline`, described(`${actions} actions`),
      'Split the environments over two pipelines, or deploy fewer targets per environment.');
  }
}
