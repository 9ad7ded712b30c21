/**
 * The plan document: the JSON description of one DeliveryPipeline that the construct writes into
 * the cloud assembly and that `cdk-delivery plan` reads. Plain data only; no construct imports.
 *
 * Where to find it: in every stack artifact of `cdk.out/manifest.json` (and of nested assemblies,
 * `cdk.out/assembly-*`), `artifacts[<stack>].metadata[<construct path>]` holds entries
 * `{ "type": "cdk-delivery-pipeline:plan", "data": <PlanDocument> }`.
 *
 * Versioning: `formatVersion` is "1". Fields may be added in a minor release; a field is removed or
 * changes meaning only with a new format version. Readers ignore fields they do not know.
 *
 * Not part of the jsii API (see docs/plan-format.md).
 */

/** The metadata entry type under which the plan is stored. */
export const PLAN_METADATA_TYPE = 'cdk-delivery-pipeline:plan';

/** The current format version. */
export const PLAN_FORMAT_VERSION = '1';

/** The detail line of a build step that also publishes the CDK stages' assets (`publishAssetsInBuild`). */
export const PUBLISHES_IN_BUILD = 'then publishes the CDK stages\' assets (publishAssetsInBuild)';

export interface PlanDocument {
  readonly formatVersion: string;
  /** Construct path of the DeliveryPipeline, e.g. "ShopPipeline/Shop". */
  readonly constructPath: string;
  /** The CodePipeline pipeline name when it is known at synth time (a literal), else undefined. */
  readonly pipelineName?: string;
  /**
   * True when the pipeline is given a name that is not known at synth time (a token: a
   * CfnParameter, another resource's attribute): CloudFormation sets it at deploy time (format 1,
   * added).
   *
   * @default - the name is a literal (`pipelineName`), or CloudFormation generates one; a plan
   * without `stackName` predates the field and cannot tell a generated name from a token
   */
  readonly pipelineNameUnresolved?: boolean;
  /** 'CONTINUOUS_INTEGRATION' | 'CONTINUOUS_DELIVERY' | 'CONTINUOUS_DEPLOYMENT' */
  readonly releaseMode: string;
  /** True when the mode was not configured and was chosen by default. */
  readonly releaseModeDefaulted: boolean;
  /** The mode in plain words: who decides that a change reaches production. */
  readonly releaseModeDescription: string;
  /** 'QUEUED' | 'SUPERSEDED' | 'PARALLEL' */
  readonly executionMode: string;
  /** Pipeline account/region when literal. */
  readonly account?: string;
  readonly region?: string;
  /**
   * The name of the CloudFormation stack that holds the pipeline (format 1, added).
   *
   * @default - not recorded (a plan written before it was added)
   */
  readonly stackName?: string;
  readonly source: PlanSource;
  /**
   * The additional sources the build reads beside `source`, in order (format 1, added).
   *
   * @default - none
   */
  readonly additionalSources?: PlanAdditionalSource[];
  /** The build step (named `buildStep` like the DeliveryPipeline prop: jsii reserves `build`). */
  readonly buildStep: PlanAction;
  /** Quality checks, run in parallel after the build; each blocks the pipeline on failure. */
  readonly checks: PlanAction[];
  readonly environments: PlanEnvironment[];
  /** Every CodePipeline stage in order, with its actions and run orders (the rendered shape). */
  readonly stages: PlanStage[];
  /**
   * Who is told about what (`notifications`).
   *
   * @default - nobody is notified
   */
  readonly notifications?: PlanNotifications;
  /**
   * How many days the CodeBuild projects' logs are kept (`logRetention`, else DeliveryDefaults')
   * (format 1, added).
   *
   * @default - the logs never expire (no retention, or `logs.RetentionDays.INFINITE`)
   */
  readonly logRetentionDays?: number;
}

/** The pipeline's notifications. */
export interface PlanNotifications {
  /** The events people are told about: `APPROVAL_NEEDED`, `FAILED`, `SUCCEEDED`, `SUPERSEDED`. */
  readonly events: string[];
  /** Where they are told: `sns` (a topic), `slack` (an AWS Chatbot channel). */
  readonly targets: string[];
}

export interface PlanSource {
  /** 'GitHub' (CodeStar/CodeConnections) | 'CodeCommit' | 'S3' | 'ECR' | ... */
  readonly kind: string;
  /** e.g. "acme/shop@main" */
  readonly summary: string;
  /**
   * The repository, when it is literal: GitHub `owner/name`, a CodeCommit or ECR repository name
   * (absent for S3 sources and repositories given as tokens).
   */
  readonly repository?: string;
  /** Branch (or tag / key) that starts executions. */
  readonly branch?: string;
  /** Human descriptions of the V2 triggers / filters, e.g. "push to main, paths src/**". */
  readonly triggers: string[];
  /**
   * What starts executions, for rules such as "releases from main only": the branches whose pushes
   * do (`main`, or the patterns of V2 triggers, `release/*`), `tags <patterns>` for tag triggers and
   * `pull requests into <branches>` for pull request triggers; an S3 source's object key, an ECR
   * source's image tag. Empty for an additional source that does not start the pipeline. Unlike
   * `branch`, which a GitHub source with V2 triggers only reads on a manual start (format 1, added).
   *
   * @default - not recorded (a plan written before it was added)
   */
  readonly startsOn?: string[];
}

/** An additional source: a source action of its own whose files the build finds at `directory`. */
export interface PlanAdditionalSource extends PlanSource {
  /** The source action's name (and its artifact's). */
  readonly name: string;
  /** Where the build finds the files, relative to the pipeline's source. */
  readonly directory: string;
  /** True when a change to it starts the pipeline. */
  readonly triggersPipeline: boolean;
}

export interface PlanAction {
  /** The CodePipeline action name (or the part's name). */
  readonly name: string;
  /** A stable kind id, e.g. 'codebuild', 'inspector-source-scan', 'cloudformation', 'commands', 'manual-approval'. */
  readonly kind: string;
  /** One line in plain words, e.g. "CloudFormation stack shop-staging from template.yaml". */
  readonly summary: string;
  /** Extra lines (commands, reports, strategy...). */
  readonly details: string[];
  /** True when the action runs a privileged (Docker) CodeBuild environment (format 1, added). */
  readonly privileged?: boolean;
  /**
   * Deployments only: the account the target deploys to when it is not its environment's (a
   * CloudFormation target's own `account`, a CodeDeploy deployment group or ECS service of another
   * account), when literal (format 1, added).
   */
  readonly account?: string;
  /** Deployments only: true when that other account is a token, unknown at synth (format 1, added). */
  readonly accountUnresolved?: boolean;
  /**
   * Deployments only: the region the target deploys to when it is not its environment's (a
   * CloudFormation target's own `region`, the stacks of a CDK stage in an environment that names
   * no region) (format 1, added).
   */
  readonly region?: string;
  /**
   * Deployments only: true when the target rolls out gradually (a canary or linear traffic shift, a
   * rolling deployment over the instances), false when it deploys all at once, absent when the
   * target does not say (CloudFormation, scripts, custom actions, an imported group's unknown
   * configuration) (format 1, added).
   */
  readonly gradual?: boolean;
  /**
   * Deployments only: true for a deploy script with `runBeforeDeployments`, which runs before the
   * environment's other deployments (after its manual approval, before any change set), absent for
   * the others (format 1, added).
   */
  readonly runsBeforeDeployments?: boolean;
  /**
   * Deployments only: true for a deploy script with `runAfterDeployments`, which runs once the
   * environment's other deployments succeeded, absent for the others (format 1, added).
   */
  readonly runsAfterDeployments?: boolean;
}

export interface PlanGate {
  /**
   * 'manual-approval' | 'change-set-review' (a person), 'deployment-window' | 'entry-alarms' (entry
   * conditions), 'bake-alarms' (checked after the deployments and tests: on-success condition).
   */
  readonly kind: string;
  /** One line in plain words. */
  readonly summary: string;
  /** True when the library added this gate by default (e.g. the production approval of continuous delivery). */
  readonly addedByDefault: boolean;
  /** 'bake-alarms' only: how many minutes the alarms are watched after the deployments (format 1, added). */
  readonly bakeMinutes?: number;
  /** 'entry-alarms' and 'bake-alarms': the alarms, by name (construct path when the name is generated) (format 1, added). */
  readonly alarms?: string[];
}

export interface PlanEnvironment {
  readonly name: string;
  /** The CodePipeline stage name of the environment. */
  readonly stageName: string;
  readonly production: boolean;
  readonly account?: string;
  readonly region?: string;
  /** True when the environment's account is a token, unknown at synth; `account` is then absent (format 1, added). */
  readonly accountUnresolved?: boolean;
  /** Gates a change passes before deployment (approvals, entry conditions). */
  readonly gates: PlanGate[];
  /** Deployment targets, deployed in parallel. */
  readonly deployments: PlanAction[];
  /** Run after the deployments succeed. */
  readonly verification: PlanAction[];
  /** Acknowledged absence of automated verification (continuous deployment). */
  readonly unverifiedAcknowledged: boolean;
  /**
   * What happens when the stage fails: `ROLLBACK`, `FAIL` or `RETRY`, followed by the retry mode
   * in parentheses for `RETRY` and by ` (default)` when the library chose it, for example
   * `RETRY (FAILED_ACTIONS)` or `ROLLBACK (default)` (format 1, added).
   */
  readonly onFailure?: string;
}

export interface PlanStage {
  readonly name: string;
  readonly actions: PlanStageAction[];
}

export interface PlanStageAction {
  readonly name: string;
  readonly runOrder: number;
  /** Same kind ids as PlanAction.kind, plus 'cloudformation-change-set' / 'cloudformation-execute'. */
  readonly kind: string;
}
