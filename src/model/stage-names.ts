/**
 * Names of the stages a DeliveryPipeline creates besides its environments (each environment is a
 * stage named like it). No imports: the `cdk-delivery` CLI reads these names without loading the
 * constructs.
 */
export const SOURCE_STAGE = 'Source';
/**
 * The pipeline's own source action, and its output artifact (the constructs' public
 * `SOURCE_ACTION_NAME`, a test keeps them equal): `cdk-delivery start --revision` overrides its
 * revision. Additional sources have names of their own, and their variables namespaces start
 * with `SourceVariables_`.
 */
export const SOURCE_ACTION = 'Source';
/** The build stage; its build action has the same name. */
export const BUILD_STAGE = 'Build';
export const CHECKS_STAGE = 'Checks';
/** With `selfUpdate: true`: the stage that updates the pipeline's own stack, after the build. */
export const SELF_UPDATE_STAGE = 'UpdatePipeline';

/** Every stage that is not an environment. */
export const PIPELINE_STAGES: readonly string[] = [SOURCE_STAGE, BUILD_STAGE, CHECKS_STAGE, SELF_UPDATE_STAGE];

/**
 * The name of the change-set review action at a dependency level of an environment (0 for the
 * first): one review per level, since a dependent stack's change set is created only once the
 * stacks it depends on are deployed.
 */
export function reviewActionName(base: string, level: number): string {
  return level === 0 ? base : `${base}.Wave${level + 1}`;
}

/**
 * The environment variable set on the action of a deploy script with `runBeforeDeployments`
 * (value `true`): CodePipeline tells a deploy script from a verification or a script that runs
 * before the deployments by nothing else, and the CLI must not take a run that ended after such a
 * script for one that deployed.
 */
export const BEFORE_DEPLOYMENTS_VARIABLE = 'CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS';

/** The first plan detail of a deploy script with `runBeforeDeployments`. */
export const BEFORE_DEPLOYMENTS_DETAIL = "before the environment's other deployments";
