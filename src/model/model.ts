import type { Stage } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ProjectNetwork } from '../private/codebuild';
import type { SelfUpdateDeployment } from '../private/pipeline-synthesizer';
import type { OutputVariables } from '../private/stack-outputs';
import type { Validator } from '../private/validation';
import type { RefFilter } from '../sources/trigger-overlap';

/*
 * The engine-free blueprint of a delivery pipeline: plain data, validated before anything is
 * rendered. Each part keeps a reference to the object the user configured so the renderer can ask it
 * to produce its actions (the integration seam), but the model holds no constructs.
 */

/** What every part receives when it turns itself into model data. */
export interface ModelContext {
  readonly validator: Validator;
  /** Field path of the part in the props, e.g. `environments[1].deployments[0]`. */
  readonly field: string;
  /** The pipeline's account (may be a token), for parts that check where their resources live. */
  readonly pipelineAccount?: string;
  /** The pipeline's region (may be a token). */
  readonly pipelineRegion?: string;
  /** The pipeline construct, for parts that check whether their resources can be referred to from its stack. */
  readonly pipelineScope?: Construct;
  /** The account and region the environment deploys to, when it names them. */
  readonly environmentAccount?: string;
  readonly environmentRegion?: string;
  /** The environment's name, for parts that name its actions' variables. */
  readonly environmentName?: string;
  /** The environment's deployments (modelled before its verification), for tests that read their stacks' outputs. */
  readonly environmentDeployments?: DeploymentModel[];
  /** The kind of the pipeline's source (`GitHub`, `CodeCommit`, `S3`, `ECR`), for checks that default to its revision. */
  readonly sourceKind?: string;
  /** The pipeline's release mode, for targets that produce actions the library cannot see before rendering. */
  readonly releaseMode?: string;
  /** The kind of each additional source, by its variables namespace (`SourceVariables_<name>`). */
  readonly additionalSourceKinds?: Record<string, string>;
  /** The build's `outputDirectory`, for targets that read the cloud assembly from the build output. */
  readonly buildOutputDirectory?: string;
}

/** Runtime values an action may show a person (the revision being promoted). */
export interface SourceRevision {
  /** Human text naming the revision, with CodePipeline variables resolved at run time. */
  readonly description: string;
  /**
   * The description in parts, `before + variable + names + after`: texts that must fit a length
   * (an approval's) measure it with `renderedVariable`, and cut `names` first.
   */
  readonly parts: SourceRevisionParts;
}

/** A source revision's description in parts (see SourceRevision). */
export interface SourceRevisionParts {
  readonly before: string;
  /** The CodePipeline variable as the description holds it (the action's namespace is a token until the action is bound). */
  readonly variable: string;
  /** The variable as the pipeline renders it, e.g. `#{SourceVariables.CommitId}`. */
  readonly renderedVariable: string;
  /** The names of the source (repository and branch, bucket and key, image repository and tag). */
  readonly names: string;
  readonly after: string;
}

/** Everything the renderer supplies when a part produces its actions. */
export interface RenderContext {
  /** The construct under which the part creates its resources (CodeBuild projects, roles...). */
  readonly scope: Construct;
  readonly actionName: string;
  readonly runOrder: number;
  readonly sourceArtifact: codepipeline.Artifact;
  readonly buildArtifact: codepipeline.Artifact;
  readonly sourceRevision: SourceRevision;
  /** Key for CodeBuild projects: the artifact bucket's key, or the AWS managed `aws/s3` key. */
  readonly encryptionKey: kms.IKey;
  /** True when the artifact bucket has a customer managed key (other accounts can then read the artifacts). */
  readonly customerManagedKey?: boolean;
  /** Retention of the CodeBuild projects' logs in days; undefined: CodeBuild's own log groups. */
  readonly logRetention?: number;
  /** The environment the action belongs to, if any. */
  readonly environment?: EnvironmentModel;
  readonly pipelineAccount: string;
  readonly pipelineRegion: string;
  /** The pipeline's role, which assumes the action roles. */
  readonly pipelineRole: iam.IRole;
  /**
   * The one role every manual approval of the pipeline runs as (created on first use): an approval
   * needs no permissions beyond publishing its notification, so one role serves them all.
   */
  readonly approvalRole: () => iam.IRole;
  /**
   * The one role every CodeBuild action of the pipeline runs as (created on first use), trusted by
   * the pipeline's role only: it may start and watch exactly the pipeline's CodeBuild projects.
   */
  readonly codeBuildActionRole: () => iam.IRole;
  /** The connection that CodeBuild projects taking the source clone the repository with, if any. */
  readonly fullCloneConnectionArn?: string;
  /** The Docker logins of the projects that run Docker (privileged), if any. */
  readonly dockerLogins?: DockerLoginModel[];
  /** For the build step: the additional sources, each placed at its directory before the install commands. */
  readonly additionalInputs?: AdditionalInput[];
  /** For the build step: the asset publishing it runs after its commands (`publishAssetsInBuild`). */
  readonly buildPublishesAssets?: AssetPublishing;
}

/** What a CodeBuild project needs to publish the CDK stages' assets. */
export interface AssetPublishing {
  readonly install: string[];
  /** Asset manifests, relative to the build output, each with the stack templates it leaves out. */
  readonly manifests: AssetManifestModel[];
  /** Publishing roles to assume (literal ARNs). */
  readonly roles: string[];
  readonly privileged: boolean;
}

/** The build environment of the action that publishes the assets (see DeliveryDefaults). */
export interface PublisherEnvironment {
  readonly buildImage: codebuild.IBuildImage;
  readonly computeType: codebuild.ComputeType;
  /** DeliveryDefaults' VPC, when set. */
  readonly network?: ProjectNetwork;
  /** Said at synth when the image may not suit the assets (an ARM image and Docker images without a platform). */
  readonly warning?: string;
}

/** One action (or a fixed group of actions) of the pipeline, described for plan and render. */
export interface ActionModel {
  readonly name: string;
  readonly kind: string;
  readonly summary: string;
  readonly details: string[];
  /** Runs a privileged (Docker) CodeBuild environment. */
  readonly privileged: boolean;
  /** The build only: the files its output keeps, for the check of what the deployments read. */
  readonly buildOutputs?: BuildOutputsModel;
  /** The build only: its image (defaults applied) and the field that chose it, for `publishAssetsInBuild`. */
  readonly buildImage?: { readonly image: codebuild.IBuildImage; readonly field: string };
  /** The build only: the bucket of its S3 cache (`BuildCache.s3`), which its project reads and writes, and the field that names it. */
  readonly cacheBucket?: { readonly bucket: s3.IBucket; readonly field: string };
  produce(ctx: RenderContext): codepipeline.IAction[];
}

/** The build's output globs (relative to its output directory, if any). */
export interface BuildOutputsModel {
  /** Field of the globs in the props, for messages. */
  readonly field: string;
  readonly globs: string[];
  readonly directory?: string;
}

/** A file a deployment reads from the build output. */
export interface BuildOutputRead {
  /** Field that names the file, for messages, e.g. `environments[0].deployments[1].templatePath`. */
  readonly field: string;
  /** What the file is, for messages, e.g. `the template of stack 'Shop-Prod'`. */
  readonly what: string;
  /** Path inside the build output. */
  readonly path: string;
  /** The field's value when it is not the path itself (a directory the path is in). */
  readonly value?: string;
  /**
   * How the reader follows the file to a directory of the build output: by naming that directory in
   * its field (the default), or by the build's `outputDirectory` (the self-update, whose path no
   * field names: it is the cloud assembly directory of the CDK stages, else the default one).
   */
  readonly movedBy?: 'field' | 'outputDirectory';
  /**
   * True when naming the directory in the field moves the self-update's template too (a CDK
   * stage's cloudAssemblyDirectory, which the self-update follows).
   */
  readonly movesSelfUpdate?: boolean;
}

export interface SourceModel {
  readonly kind: string;
  readonly summary: string;
  /** The repository, when it is literal: GitHub `owner/name`, a CodeCommit or ECR repository name. */
  readonly repository?: string;
  readonly branch?: string;
  readonly triggers: string[];
  /** The branches (glob patterns), tags, object key or image tag whose changes start executions (PlanSource.startsOn). */
  readonly startsOn: string[];
  /**
   * What a change of the source is (kind, repository or bucket, branch, key or tag; tokens of one
   * resource compare equal): two sources with the same key that both start the pipeline would
   * start it twice for each change.
   */
  readonly changeKey: string;
  /**
   * The pushes that start the pipeline, for a Git source whose `triggers` may filter them (GitHub):
   * its repository (as `changeKey` names it), whether triggers filter them, and the filters (one
   * per trigger, else the source's branch). When either of two sources of one repository has
   * triggers, they are compared ref by ref instead of by `changeKey`.
   */
  readonly pushes?: { readonly repository: string; readonly filtered: boolean; readonly filters: RefFilter[] };
  /** True when pull requests start the pipeline (`pullRequestTriggers`): it may release nothing. */
  readonly pullRequests?: boolean;
  /**
   * The connection CodeBuild projects taking the source use to clone the repository (`fullClone`),
   * if any.
   */
  readonly fullCloneConnectionArn?: string;
  /** Produces the source action and the runtime revision description. */
  produce(scope: Construct, output: codepipeline.Artifact): SourceProduced;
}

/**
 * How a source is rendered: as the pipeline's source, or as one of its `additionalSources`, with
 * the action name, variables namespace and trigger that come with it.
 */
export interface SourceRole {
  /** The source action's name (and its output artifact's). */
  readonly actionName: string;
  readonly variablesNamespace: string;
  /** False: a change to the source does not start the pipeline. */
  readonly triggersPipeline: boolean;
  /** An additional source: its field in the props, e.g. `additionalSources[0] ('Config')`. */
  readonly additionalField?: string;
}

/** One of the pipeline's `additionalSources`, validated. */
export interface AdditionalSourceModel {
  /** The source action's name, its output artifact's and the suffix of its variables namespace. */
  readonly name: string;
  /** Where the build finds it, relative to the primary source's directory. */
  readonly directory: string;
  readonly triggersPipeline: boolean;
  readonly variablesNamespace: string;
  readonly source: SourceModel;
  /** Its field in the props, e.g. `additionalSources[0] ('Config')`. */
  readonly field: string;
}

/** An additional source as the build receives it: a secondary input artifact placed at a directory. */
export interface AdditionalInput {
  readonly artifact: codepipeline.Artifact;
  readonly name: string;
  readonly directory: string;
}

export interface SourceProduced {
  readonly action: codepipeline.IAction;
  readonly revision: SourceRevision;
  /** V2 triggers for the pipeline (git push filters), if any. */
  readonly triggers?: codepipeline.TriggerProps[];
}

/** Where a deployment's actions sit in the stage. */
export interface DeploymentRenderContext extends RenderContext {
  /** Run order of the phase that prepares (e.g. creates a change set). */
  readonly prepareRunOrder: number;
  /** Run order of the phase that changes the environment. */
  readonly deployRunOrder: number;
  /** Run order of a phase at a dependency level (level 0 gives prepareRunOrder / deployRunOrder). */
  readonly runOrderAt: (phase: 'prepare' | 'deploy', level: number) => number;
  /** Run order of the deploy scripts that run after the other deployments (`runAfterDeployments`). */
  readonly afterRunOrder: number;
  /**
   * Run order of the deploy scripts that run before the other deployments (`runBeforeDeployments`):
   * after the manual approval, before any change set is created.
   */
  readonly beforeRunOrder: number;
}

export interface DeploymentModel {
  readonly name: string;
  readonly kind: string;
  readonly summary: string;
  readonly details: string[];
  readonly privileged: boolean;
  /** True when the target has a prepare phase a change-set review can sit after. */
  readonly hasPreparePhase: boolean;
  readonly account?: string;
  readonly region?: string;
  /** The CloudFormation stack the target deploys, when it deploys one. */
  readonly stackName?: string;
  /** The stacks of a CDK stage target, each with its account and region when the stage names them. */
  readonly stageStacks?: StageStackModel[];
  /** A CDK stage target: the stage it deploys. */
  readonly cdkStage?: Stage;
  /** A CDK stage target: the stages nested in it, whose stacks it does not deploy (targets of their own must). */
  readonly nestedStages?: Stage[];
  /** The CodeDeploy deployment group the target deploys through, when it uses one. */
  readonly codeDeployGroup?: unknown;
  /** The ECS service a rolling update (`DeploymentTarget.ecs`) deploys. */
  readonly ecsService?: unknown;
  /** True when the target rolls out gradually (canary, linear, rolling), false when all at once; undefined when not known. */
  readonly gradual?: boolean;
  /** The Lambda function a Lambda deployment (`DeploymentTarget.lambdaFunction`) updates. */
  readonly lambdaFunction?: unknown;
  /** The alias a Lambda deployment moves. */
  readonly lambdaAlias?: unknown;
  /**
   * A custom action (`DeploymentTarget.fromActionFactory`): what its produced action shows of where it
   * runs and how, filled in when the pipeline is rendered (the plan is written after that).
   */
  readonly produced?: ProducedActionFacts;
  /** The environment's alarms added to the (owned) deployment group: those of its account and region. */
  readonly groupAlarms?: GroupAlarmModel[];
  /** The synth warning for an owned group that ignores its alarms, given the environment's alarms. */
  readonly groupAlarmsWarning?: string;
  /**
   * The error when the owned group holds more alarms than CodeDeploy allows, counted when called: at
   * validation, once the app has added every alarm (`addAlarm` after the pipeline included).
   */
  readonly groupAlarmsLimitError?: () => string | undefined;
  /** A CodeDeploy group's summary with the number of alarms the group has of its own (besides the environment's), when it names them. */
  readonly summaryWithOwnAlarms?: (ownAlarms: number) => string;
  /** The target asks for a change-set review (added to the environment when it has no approval). */
  readonly wantsChangeSetReview?: boolean;
  /** Assets the target needs published before it deploys. */
  readonly assets?: AssetsModel;
  /** A CDK stage target: the cloud assembly directory inside the build output, and its field. */
  readonly cloudAssembly?: { readonly directory: string; readonly field: string };
  /**
   * A CloudFormation target: the template it deploys from the build output (its normalised path and
   * field), and the account and region it deploys to as the target or its environment names them,
   * for the check against the stacks of the pipeline's own app.
   */
  readonly buildTemplate?: BuildTemplateModel;
  /** Files the target reads from the build output (checked against the build's output globs). */
  readonly buildOutputReads?: BuildOutputRead[];
  /**
   * The target hands the source artifact to a service other than CodeBuild (CodeDeploy, Lambda):
   * the field that chooses it and what the artifact is there, for the check of `fullClone`, whose
   * artifact only CodeBuild can read.
   */
  readonly sourceArtifactInput?: { readonly field: string; readonly what: string };
  /** The rendered action names with their phase, for the graph and plan. */
  readonly actionNames: DeploymentActionName[];
  /**
   * A CDK stage target: the same target with its actions named `<stage>.<stack>.Prepare` instead of
   * `<stack>.Prepare`, for an environment where a stack of another stage has one of its stacks' names
   * (in another account or region).
   */
  readonly qualifyActionNames?: () => DeploymentModel;
  /**
   * A deploy script that reads stack outputs: resolves them once all the environment's deployments
   * are modelled (`ctx.environmentDeployments`), before it is produced.
   */
  readonly resolveOutputs?: (ctx: ModelContext) => OutputVariables | undefined;
  produce(ctx: DeploymentRenderContext): codepipeline.IAction[];
}

/** The template a CloudFormation target deploys from the build output. */
export interface BuildTemplateModel {
  readonly field: string;
  readonly templatePath: string;
  /** The account it deploys to, and which field names it ('account' or the environment's); undefined: the pipeline's. */
  readonly account?: string;
  readonly accountFrom?: 'target' | 'environment';
  /** The region it deploys to, and which field names it; undefined: the pipeline's. */
  readonly region?: string;
  readonly regionFrom?: 'target' | 'environment';
}

/** What a produced custom action shows at render time (mutable: filled in when it is produced). */
export interface ProducedActionFacts {
  account?: string;
  region?: string;
  privileged?: boolean;
}

/**
 * One asset manifest to publish: its path in the build output, and the templates of the stacks the
 * pipeline deploys that it names as file assets. CodePipeline's CloudFormation actions read those
 * from the build output, so they are left out of publishing (and their publishing role is not
 * needed); nested stack templates and every other asset are published.
 */
export interface AssetManifestModel {
  readonly path: string;
  /** File names of the stack templates (relative to the manifest's directory) not to publish. */
  readonly deployedTemplates: string[];
}

/** Assets to publish: cdk-assets manifests in the build output, the roles that publish them. */
export interface AssetsModel {
  readonly manifests: AssetManifestModel[];
  readonly publishingRoles: string[];
  readonly dockerImages: boolean;
  /** Docker image assets whose manifest names no platform: Docker builds them for the publisher's architecture. */
  readonly imagesWithoutPlatform: number;
  /**
   * What the publishing action reads from the build output: the manifests and (a sample of) the
   * asset files they name. Not read from the artifact when the build publishes them itself.
   */
  readonly buildOutputReads: BuildOutputRead[];
}

export interface DeploymentActionName {
  readonly name: string;
  /**
   * 'after': a deploy script that runs once the environment's other deployments succeeded;
   * 'before': one that runs before them (after the manual approval, before any change set).
   */
  readonly phase: 'before' | 'prepare' | 'deploy' | 'after';
  readonly kind: string;
  /** Dependency level (stacks of a CDK stage deploy level by level); default 0. */
  readonly level?: number;
  /** The stack a CDK stage's action deploys (its name is `[<stage>.]<stack>.Prepare` / `.Deploy`). */
  readonly stackName?: string;
}

export interface ApprovalModel {
  /** 'manual-approval' | 'change-set-review' */
  readonly kind: string;
  readonly actionName: string;
  readonly summary: string;
  readonly addedByDefault: boolean;
  /** Principals granted PutApprovalResult on exactly this approval. */
  readonly approvers: iam.IGrantable[];
  /**
   * True when its topic or the topic's key is of another account: the policy there names the
   * approvals' role by its ARN, so the role gets a physical name.
   */
  readonly namedRole?: boolean;
  produce(ctx: RenderContext): codepipeline.IAction;
}

/** A deployment window (stage entry condition). */
export interface WindowModel {
  readonly expression: string;
  readonly timeZone: string;
  readonly summary: string;
}

/** CloudWatch alarms checked by a stage condition. */
/**
 * An alarm as a CloudWatchAlarm rule of the pipeline names it. An alarm the pipeline's stack cannot
 * refer to (in another CDK stage, account or region) is named by literals.
 */
/** An environment alarm added to an owned CodeDeploy deployment group. */
export interface GroupAlarmModel {
  readonly alarm: cloudwatch.IAlarm;
  /** The alarm's literal name, by which the group's stack refers to an alarm of another stack. */
  readonly byName?: string;
}

export interface AlarmRefModel {
  readonly alarm: cloudwatch.IAlarm;
  /** The rule's AlarmName. */
  readonly name: string;
  /** The ARN the pipeline's role may DescribeAlarms on. */
  readonly arn: string;
  /** The alarm's account and region, when known at synth. */
  readonly account?: string;
  readonly region?: string;
  /** The pipeline's stack can refer to the alarm construct (its name and ARN as tokens). */
  readonly referable: boolean;
  /**
   * A composite alarm of the app: CloudWatch describes it only to a `cloudwatch:DescribeAlarms`
   * permission on `*`, not on its ARN.
   */
  readonly composite: boolean;
}

export interface AlarmGateModel {
  readonly alarms: cloudwatch.IAlarm[];
  /** The alarms as the rules name them, in the same order. */
  readonly refs: AlarmRefModel[];
  /** Minutes CodePipeline waits for the alarms to change state before it checks them (WaitTime). */
  readonly waitMinutes?: number;
  /** Role the rules assume to read the alarms (alarms in another account). */
  readonly role?: iam.IRole;
  readonly summary: string;
  /** The alarms as the plan shows them: names, or construct paths for generated names. */
  readonly names: string[];
}

/** What a Verification becomes: an action, or an alarm gate checked when the stage succeeds. */
export interface VerificationModel {
  readonly action?: ActionModel;
  readonly alarmGate?: AlarmGateModel;
  /** The variable namespaces the test reads stack outputs from: deploy action name -> its namespace. */
  readonly outputNamespaces?: Record<string, string>;
}

/** A Docker registry login of the projects that run Docker (see DockerCredential). */
export interface DockerLoginModel {
  /** The registry host; undefined for Docker Hub. May be a token for ECR repositories of the app. */
  readonly registry?: string;
  /** The registry as the plan shows it. */
  readonly label: string;
  /** A login with a Secrets Manager secret, and its JSON fields. */
  readonly secret?: secretsmanager.ISecret;
  readonly usernameField?: string;
  readonly secretField?: string;
  /** An Amazon ECR login: the repositories to pull from, in one registry, and its region. */
  readonly repositories?: ecr.IRepository[];
  readonly ecrRegion?: string;
  /** The registry when known at synth (a literal host, 'Docker Hub', an ECR account/region), for the check of two logins to one registry. */
  readonly registryKey?: string;
}

/** A stack of a CDK stage target. */
export interface StageStackModel {
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  /** The stack's artifact id in the stage's cloud assembly. */
  readonly artifactId?: string;
  /** The outputs of its synthesized template: logical id -> whether the output has a Condition. */
  readonly outputs?: Record<string, boolean>;
}

export interface EnvironmentModel {
  readonly name: string;
  readonly production: boolean;
  readonly account?: string;
  readonly region?: string;
  readonly approval?: ApprovalModel;
  readonly deployments: DeploymentModel[];
  readonly verification: ActionModel[];
  readonly acknowledgeUnverifiedProduction: boolean;
  /** Alarm gates checked after the deployments and tests (stage on-success condition). */
  readonly alarmGates: AlarmGateModel[];
  /** Entry condition: a deployment window. */
  readonly window?: WindowModel;
  /** Entry condition: alarms that must not be in ALARM when a change arrives. */
  readonly blockWhileAlarming?: AlarmGateModel;
  /** ROLLBACK, FAIL or RETRY, and whether it was chosen by default. */
  readonly onFailure: { readonly result: string; readonly retryMode?: string; readonly defaulted: boolean };
  /**
   * Deploy actions whose stacks' outputs the environment's tests read: action name (`<stack>.Deploy`)
   * -> its variable namespace (an action emits its variables only with a namespace).
   */
  readonly outputNamespaces?: Record<string, string>;
  /** Index in the props, for messages. */
  readonly field: string;
}

export interface PipelineModel {
  /** Docker registry logins of the projects that run Docker (`dockerCredentials`, else DeliveryDefaults'). */
  readonly dockerLogins?: DockerLoginModel[];
  /** True when there are logins but no project runs Docker (a warning). */
  readonly dockerLoginsUnused?: boolean;
  /** Two sources of one repository that may both start the pipeline on a push, where that could not be decided at synth (warnings). */
  readonly possibleDoubleStarts?: string[];
  /** Retention of the CodeBuild projects' logs in days (`logRetention`, else DeliveryDefaults'); undefined: CodeBuild's log groups. */
  readonly logRetention?: number;
  /** The cloud assembly directory the build's `cdk synth` writes, inside the build output. */
  readonly cloudAssemblyDirectory?: string;
  /** The pipeline updates its own stack right after the build. */
  readonly selfUpdate?: {
    readonly stackName: string;
    readonly templatePath: string;
    /** The execution role and bootstrap version parameter of the pipeline stack's synthesizer (set by DeliveryPipeline; rendering needs it). */
    readonly deployment?: SelfUpdateDeployment;
  };
  /**
   * The assets of every CDK stage, published once per execution: by the build (`inBuild`) or by one action after it (and after the self-update),
   * with the npm version or tag of @aws-cdk/cdk-assets-lib that publishes them (`1` unless pinned).
   */
  readonly assets?: AssetsModel & {
    readonly inBuild: boolean;
    readonly cdkAssetsLibVersion: string;
    /** The publishing action's build environment; undefined when the build publishes (`inBuild`). */
    readonly publisher?: PublisherEnvironment;
  };
  readonly constructPath: string;
  readonly releaseMode: string;
  readonly releaseModeDefaulted: boolean;
  readonly executionMode: string;
  readonly pipelineName?: string;
  readonly source: SourceModel;
  /** The additional sources, in the order given (empty when there are none). */
  readonly additionalSources: AdditionalSourceModel[];
  readonly build: ActionModel;
  readonly checks: ActionModel[];
  readonly environments: EnvironmentModel[];
}
