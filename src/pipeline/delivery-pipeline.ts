import { Annotations, Aspects, BootstraplessSynthesizer, IAspect, IResource, Resource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { EnvironmentOptions } from './environment';
import { PipelineNotifications } from './notifications';
import { checkAppStackTemplates } from './render/app-stack-templates';
import { builtProperties, changesAny, differencesFromPlan, executionModeOf, layoutOf, nameInStack, PipelineAsRendered, pipelineAsRendered } from './render/pipeline-overrides';
import { needsCrossAccountKeys, renderPipeline } from './render/render-pipeline';
import { checkRenderedQuotas, checkRenderedStageQuotas, renderedTemplate } from './render/rendered-quotas';
import { selfUpdateAssetsProblem } from './render/self-update-assets';
import { selfUpdateConfigurationPath, stackTags } from './render/self-update-stack-settings';
import { checkVariableReferences } from './render/variable-references';
import { BuildStep } from '../build/build-step';
import { DockerCredential } from '../build/docker-credential';
import { QualityCheck } from '../build/quality-check';
import { buildGraph, PipelineGraph } from '../graph/pipeline-graph';
import { writePlan } from '../graph/plan-writer';
import { buildModel } from '../model/build-model';
import { checkBuildOutputReads } from '../model/build-outputs';
import { PipelineModel } from '../model/model';
import { PLAN_METADATA_TYPE, PlanDocument } from '../model/plan-document';
import { ReleaseMode } from '../model/release-mode';
import { DeliveryDefaults } from '../policy/delivery-defaults';
import { approverOfAnotherAccount, describeGrantee } from '../private/action-grants';
import { claimInApp, DELIVERY_PIPELINE_MARK, isMarkedPipeline, policiesAboveStage, registeredPipelines, registerPipeline } from '../private/app-registry';
import { stackTemplatePath } from '../private/artifact-paths';
import { joinedText } from '../private/intrinsics';
import { addCrossAccountActionRoleSuppressions, addFleetInstanceRoleSuppressions, addNagSuppressions } from '../private/nag';
import { notificationsModel, NotificationsModel, planNotifications, renderNotifications } from '../private/notifications';
import { selfUpdateDeployment } from '../private/pipeline-synthesizer';
import { hasCrossRegionReferences, hasDeployTimeName, refuseOwnedOfOtherApp, refuseOwnedUnreferable } from '../private/referable';
import { grantableInPipelineStack, otherStageProblem, suggestedRoleArn, unusableOtherStagePrincipal } from '../private/stage-principals';
import { described, DeliveryPipelineValidationError, isResource, literal, show, Validator } from '../private/validation';
import type { AdditionalSource } from '../sources/additional-source';
import { PipelineSource, SOURCE_VARIABLES_NAMESPACE } from '../sources/pipeline-source';
import { ownGroupAlarmCount } from '../verification/verification';

/** Properties of a DeliveryPipeline. */
export interface DeliveryPipelineProps {
  /** Where changes come from; every change to it starts a pipeline execution. */
  readonly source: PipelineSource;
  /**
   * More sources the build reads beside `source`, at most 4: shared configuration, deployment
   * scripts, a library checked out next to the application. Each is a source action of the
   * `Source` stage, and the build gets its files at its `directory`; by default a change to it
   * starts the pipeline too (`triggersPipeline`). Checks, deploy scripts and tests do not get them.
   *
   * @default - none: the build reads `source` only
   */
  readonly additionalSources?: AdditionalSource[];
  /**
   * The continuous integration step that turns a change into a versioned artifact.
   *
   * (Named `buildStep`, not `build`: jsii reserves `build` for the builders of Java structs.)
   */
  readonly buildStep: BuildStep;
  /**
   * Quality checks run in parallel after the build; each blocks the pipeline on failure.
   *
   * @default - none
   */
  readonly checks?: QualityCheck[];
  /**
   * Who decides that a change reaches production.
   *
   * @default ReleaseMode.CONTINUOUS_DELIVERY when environments are given (here or with
   * addEnvironment), ReleaseMode.CONTINUOUS_INTEGRATION otherwise
   */
  readonly releaseMode?: ReleaseMode;
  /**
   * The environments a change moves through, in order.
   *
   * A continuous delivery or continuous deployment pipeline with none (and none added) builds every
   * change and deploys it nowhere: the synth warns (`delivery-pipeline:noEnvironments`).
   *
   * @default - none (add them with addEnvironment)
   */
  readonly environments?: EnvironmentOptions[];
  /**
   * How concurrent executions behave.
   *
   * `PARALLEL` executions run independently, so two changes can deploy to one environment at once
   * and an older one can finish last and stay deployed: it suits a pipeline that deploys nothing
   * (pull requests), and the synth warns when the pipeline has environments
   * (`delivery-pipeline:parallelDeployments`).
   *
   * @default codepipeline.ExecutionMode.QUEUED
   */
  readonly executionMode?: codepipeline.ExecutionMode;
  /**
   * Name of the CodePipeline pipeline. A token (a parameter's value) only when no CodeDeploy, ECS
   * or Lambda target deploys to another account: the resources made there for the pipeline name it,
   * and need the name at synth.
   *
   * @default - a name CloudFormation generates
   */
  readonly pipelineName?: string;
  /**
   * Artifact bucket of the pipeline.
   *
   * @default - a new bucket with public access blocked and an SSL-only policy, encrypted with the
   * AWS managed `aws/s3` key (rotated yearly by AWS); when an environment names another account, a
   * customer managed KMS key with yearly rotation that those accounts may use
   */
  readonly artifactBucket?: s3.IBucket;
  /**
   * Let the pipeline update itself: a stage right after the build deploys the pipeline's own stack
   * from the build's cloud assembly (`cdk.out/<stack>.template.json`, or the `cloudAssemblyDirectory`
   * of the `DeploymentTarget.cdkStage` targets) and restarts the execution
   * with the new pipeline. The CDK stages' assets are published after it (`PublishAssets`: in that
   * stage after the update when there are no checks, else beside the checks). Off by default: deploy the pipeline with `cdk deploy` and let it deliver
   * the application (see the README for the trade-off).
   *
   * @default false
   */
  readonly selfUpdate?: boolean;
  /**
   * Publish the file and Docker image assets of `DeploymentTarget.cdkStage` stages in the build
   * action itself, after the build commands, instead of in a separate `PublishAssets` action. Saves
   * one CodeBuild provisioning (30 to 90 seconds) before the first deployment on every execution;
   * in exchange the build's role may assume the CDK bootstrap publishing roles (write to the
   * bootstrap asset bucket and repository of the target accounts) and the build runs privileged
   * when a stage has Docker image assets.
   *
   * @default false
   */
  readonly publishAssetsInBuild?: boolean;
  /**
   * The version of `@aws-cdk/cdk-assets-lib` (npm), the CDK CLI's asset publishing library, that
   * publishes the CDK stages' assets: an exact version (`1.5.0`), a major (`1`) or a dist-tag. It is
   * installed fresh on every run with the newest `@aws-cdk/cloud-assembly-schema`, so it reads the
   * asset manifests of every aws-cdk-lib, including ones newer than the newest `cdk-assets` command.
   *
   * @default '1'
   */
  readonly cdkAssetsLibVersion?: string;
  /**
   * How long the logs of the pipeline's CodeBuild projects are kept: the build, the checks, deploy
   * scripts, tests and the asset publishing. Each project then writes to a log group of its own
   * (`<project>/Logs`, one more resource per project) with this retention, which stays when the
   * pipeline is deleted.
   *
   * @default - DeliveryDefaults' logRetention, else CodeBuild's log groups
   * (`/aws/codebuild/<project>`), whose logs never expire
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Who is told about approvals waiting, failures and successes (a CodeStar notification rule).
   *
   * @default - DeliveryDefaults' notifications, else no notification rule (approval topics on
   * `Approval.manual` still apply)
   */
  readonly notifications?: PipelineNotifications;
  /**
   * Docker registries to log in to before Docker runs: in the build and the checks, deploy scripts
   * and tests that are `privileged`, and in the action that publishes the CDK stages' Docker image
   * assets. A login to Docker Hub lifts its anonymous pull rate limit, which builds on CodeBuild's
   * shared addresses reach ("toomanyrequests").
   *
   * @default - DeliveryDefaults' dockerCredentials, else no login
   */
  readonly dockerCredentials?: DockerCredential[];
}

/**
 * A CodePipeline V2 pipeline that practices continuous integration, continuous delivery or
 * continuous deployment, as its release mode says: source → build → checks → environments, each
 * environment [approval] → deployments → verification.
 *
 * The pipeline is built just before synthesis (or when `buildPipeline()` is called); the whole
 * configuration is validated first, so every mistake is one clear error at synth time.
 *
 * @example
 * new DeliveryPipeline(this, 'Shop', {
 *   source: PipelineSource.gitHub({ repository: 'acme/shop', branch: 'main', connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc' }),
 *   buildStep: BuildStep.commands({ install: ['npm ci'], commands: ['npm test'] }),
 *   environments: [
 *     { name: 'staging', deployments: [staging] },
 *     { name: 'prod', production: true, deployments: [prod] },
 *   ],
 * });
 */
export class DeliveryPipeline extends Construct {
  /** True if `x` is a DeliveryPipeline. */
  public static isDeliveryPipeline(x: any): x is DeliveryPipeline {
    return isMarkedPipeline(x);
  }

  private readonly props: DeliveryPipelineProps;
  private readonly validator: Validator;
  private readonly environmentOptions: EnvironmentOptions[] = [];
  private model: PipelineModel;
  private readonly notifications?: NotificationsModel;
  private built?: { pipeline: codepipeline.Pipeline; graph: PipelineGraph; approvalActionArns: string[]; plan: PlanDocument };
  /** True once the synthesis of the pipeline's stage (or app) reached it: its template is then written. */
  private synthesized = false;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    Object.defineProperty(this, DELIVERY_PIPELINE_MARK, { value: true });
    this.validator = new Validator(this.node.path, DeliveryDefaults.of(scope), this.node.root, this);
    if (props === null || typeof props !== 'object') {
      this.validator.fail('props', 'must be an object', props, 'Pass { source, buildStep, environments? }.');
    }
    this.validator.noMisspeltFields('', props, 'DeliveryPipelineProps');
    this.props = props;
    if (!scope.node.scopes.some(c => Stack.isStack(c))) {
      this.validator.failPlain('scope', 'is not inside a Stack. Create the DeliveryPipeline in a Stack: new DeliveryPipeline(stack, \'Pipeline\', {...}).');
    }
    const bucket = props.artifactBucket as unknown;
    if (bucket !== undefined && (!isResource(bucket, 'bucketArn') || typeof (bucket as s3.IBucket).grantReadWrite !== 'function')) {
      this.validator.fail('artifactBucket', 'must be an s3.IBucket', bucket,
        "Pass an s3.Bucket or s3.Bucket.fromBucketName(this, 'Artifacts', 'my-bucket'), or leave it out for an encrypted bucket of the pipeline's own.");
    }
    if (bucket !== undefined) {
      refuseOwnedUnreferable(this.validator, 'artifactBucket', bucket as s3.IBucket, 'an S3 bucket',
        "Use a bucket of a stack of the pipeline's account and Region (CodePipeline keeps its artifacts in its own Region), or import it there with "
        + "s3.Bucket.fromBucketAttributes(this, 'Artifacts', { bucketName, encryptionKey }).");
    }
    if (bucket !== undefined) refuseOwnedOfOtherApp(this.validator, 'artifactBucket.encryptionKey', (bucket as s3.IBucket).encryptionKey, 'a KMS key');
    if (bucket !== undefined) refuseArtifactStoreOfOtherRegion(this.validator, bucket as s3.IBucket, Stack.of(this).region);
    if (props.environments !== undefined) {
      if (!Array.isArray(props.environments)) {
        this.validator.fail('environments', 'must be an array', props.environments, "Pass [{ name: 'staging', deployments: [...] }].");
      }
      this.environmentOptions.push(...props.environments);
    }
    this.model = this.validate();
    // the pipeline's own notifications, else the defaults' (validated where they were set)
    this.notifications = props.notifications !== undefined
      ? notificationsModel(this.validator, props.notifications)
      : notificationsModel(this.validator, this.validator.defaults.notifications, 'DeliveryDefaults.notifications');
    claimPipelineName(this, this.model.pipelineName, this.validator);
    registerPipeline({
      pipeline: this,
      deployedStages: () => this.model.environments.flatMap(e => e.deployments.map(d => d.cdkStage)).filter((st): st is Stage => st !== undefined),
      pullRequests: this.model.source.pullRequests === true,
      writtenBuckets: () => {
        const artifacts = this.props.artifactBucket ?? this.built?.pipeline.artifactBucket;
        const cache = this.model.build.cacheBucket;
        return [
          ...(artifacts ? [{ bucket: artifacts, field: 'artifactBucket', holds: 'artifacts' }] : []),
          ...(cache ? [{ bucket: cache.bucket, field: cache.field, holds: 'build cache' }] : []),
        ];
      },
    });
    refuseBucketsSharedWithPullRequests(this, this.validator);
    const self = this;
    // the app's (or an outer stage's) DeliveryPolicy aspects stop at a nested Stage: apply them here
    const aspect: IAspect = {
      visit: (node: IConstruct) => {
        if (node !== self) return;
        self.synthesized = true;
        self.buildPipeline();
        for (const policy of policiesAboveStage(self)) policy.visit(self);
      },
    };
    Aspects.of(this).add(aspect);
  }

  /** The release mode in force (the configured one, or the default). */
  public get releaseMode(): ReleaseMode {
    return this.model.releaseMode as ReleaseMode;
  }

  /**
   * The underlying CodePipeline pipeline (escape hatch). Available once the pipeline is built: it
   * is built just before synthesis, or call `buildPipeline()` first.
   */
  public get pipeline(): codepipeline.Pipeline {
    if (!this.built) {
      throw new DeliveryPipelineValidationError(this.node.path, 'pipeline',
        `'${this.node.path}': pipeline is not built yet; call buildPipeline() before reading 'pipeline' (it is otherwise built just before synthesis).`);
    }
    return this.built.pipeline;
  }

  /**
   * Adds an environment after the ones already configured. Validated at once.
   */
  public addEnvironment(environment: EnvironmentOptions): void {
    // a stage deployed by another pipeline (DeploymentTarget.cdkStage) is synthesized when that pipeline is configured
    const deployer = this.built && this.synthesized ? deployerOfStage(this) : undefined;
    if (deployer) {
      throw new DeliveryPipelineValidationError(this.node.path, 'addEnvironment',
        `'${this.node.path}': addEnvironment: cannot add environments after the pipeline was built: its stage '${deployer.stage.node.path}' was synthesized `
        + `when '${deployer.pipeline.node.path}', which deploys it (DeploymentTarget.cdkStage), was configured, and that pipeline deploys the stage's `
        + `templates of that moment. Add every environment of this pipeline before '${deployer.pipeline.node.path}' deploys its stage `
        + '(in new DeliveryPipeline(...), or the addEnvironment that deploys the stage).');
    }
    if (this.built) {
      throw new DeliveryPipelineValidationError(this.node.path, 'addEnvironment',
        `'${this.node.path}': addEnvironment: cannot add environments after the pipeline was built (by buildPipeline(), grantApprove(), grantOperate(), grantRead() or grantArtifactsRead(), by a DeliveryPolicy that checked it, or just before synthesis, when every pipeline is built); add every environment first.`);
    }
    this.environmentOptions.push(environment);
    try {
      this.model = this.validate();
    } catch (e) {
      this.environmentOptions.pop();
      throw e;
    }
  }

  /**
   * Builds the CodePipeline pipeline now. Called automatically before synthesis; call it yourself
   * to use `pipeline` in your code. Later `addEnvironment` calls fail.
   */
  public buildPipeline(): void {
    if (this.built) return;
    const graph = buildGraph(this.model);
    const rendered = renderPipeline(this, this.model, graph, { artifactBucket: this.props.artifactBucket });
    refuseUnreadableReplicationBuckets(this.validator, this.model, rendered.pipeline);
    if (this.notifications) renderNotifications(rendered.pipeline, this.notifications);
    const supports = Object.values(rendered.pipeline.crossRegionSupport);
    const replicationBuckets = supports
      .map(support => Stack.of(this).resolve(support.replicationBucket.bucketName))
      .filter((name): name is string => typeof name === 'string');
    addNagSuppressions(this, rendered.pipeline.artifactBucket, this.props.artifactBucket === undefined, replicationBuckets,
      supports.map(support => support.replicationBucket), rendered.pipeline);
    addCrossAccountActionRoleSuppressions(rendered.pipeline);
    addFleetInstanceRoleSuppressions(this.model.environments.flatMap(e => e.deployments.map(d => d.codeDeployGroup)));
    warnImportedArtifactStoreRoles(this, rendered.pipeline);
    const stack = Stack.of(this);
    const plan = writePlan(this.model, graph, stack, planNotifications(this.notifications));
    this.node.addMetadata(PLAN_METADATA_TYPE, plan);
    const pipeline = rendered.pipeline;
    const selfUpdate = this.model.selfUpdate !== undefined;
    if (selfUpdate) {
      warnSelfUpdateSupportStacks(this, stack);
    }
    // continuous delivery or deployment without an environment builds every change and delivers it nowhere
    if (this.model.releaseMode !== ReleaseMode.CONTINUOUS_INTEGRATION && this.model.environments.length === 0) {
      const mode = this.model.releaseMode === ReleaseMode.CONTINUOUS_DELIVERY ? 'continuous delivery' : 'continuous deployment';
      Annotations.of(this).addWarningV2('delivery-pipeline:noEnvironments',
        `No environments are configured, so this ${mode} pipeline (releaseMode ReleaseMode.${this.model.releaseMode}) builds and checks every change `
        + "but deploys it nowhere. Add the environments it delivers to (environments: [{ name: 'staging', deployments: [...] }], or addEnvironment()), "
        + 'choose ReleaseMode.CONTINUOUS_INTEGRATION for a pipeline that only builds, or acknowledge this warning when it is meant to deploy nothing yet.');
    }
    // continuous delivery gates production with an approval: without a production environment, none is added,
    // and unless the user configured one somewhere, nothing waits for a person
    const environments = this.model.environments;
    if (this.model.releaseMode === ReleaseMode.CONTINUOUS_DELIVERY && environments.length > 0
      && !environments.some(e => e.production || e.approval !== undefined)) {
      Annotations.of(this).addWarningV2('delivery-pipeline:noProductionEnvironment',
        `No environment is marked production (${environments.map(e => `'${e.name}'`).join(', ')}), so continuous delivery adds no approval `
        + 'and every change moves through all of them automatically. Mark the environment that serves your users with production: true, '
        + 'or acknowledge this warning when none of them does.');
    }
    // continuous deployment requires automated verification of production environments only
    if (this.model.releaseMode === ReleaseMode.CONTINUOUS_DEPLOYMENT && environments.length > 0 && !environments.some(e => e.production)) {
      Annotations.of(this).addWarningV2('delivery-pipeline:noProductionEnvironment',
        `No environment is marked production (${environments.map(e => `'${e.name}'`).join(', ')}), so continuous deployment requires none of them `
        + 'to have automated verification, and every change moves through all of them with nobody deciding, verified or not. '
        + 'Mark the environment that serves your users with production: true (it then needs verification, or acknowledgeUnverifiedProduction: true), '
        + 'or acknowledge this warning when none of them does.');
    }
    // parallel executions do not wait for each other, in any stage
    if (this.model.executionMode === codepipeline.ExecutionMode.PARALLEL) warnParallelDeployments(this, this.model);
    const sourceKinds = Object.fromEntries([
      [SOURCE_VARIABLES_NAMESPACE, this.model.source.kind],
      ...this.model.additionalSources.map(a => [a.variablesNamespace, a.source.kind]),
    ]);
    const built = builtProperties(pipeline);
    this.node.addValidation({
      validate: () => {
        // every stack of the app exists now
        checkAppStackTemplates(this.validator, this.node.root, this.model, stack.account, stack.region);
        // every tag is applied now: the pipeline stack's template configuration, when it has tags, is read from the build output too
        if (this.model.selfUpdate && Object.keys(stackTags(stack)).length > 0) {
          checkBuildOutputReads(this.validator, this.model.build, [{
            field: 'selfUpdate',
            what: "the pipeline stack's template configuration (its tags)",
            path: selfUpdateConfigurationPath(this.model.selfUpdate.templatePath),
            movedBy: 'outputDirectory',
          }]);
        }
        // what the escape hatch changed since (cheap to tell; rendered only when something was)
        const asRendered = pipelineAsRendered(pipeline, built);
        warnOutsidePlan(this, pipeline, plan, asRendered);
        // after every grant (grantArtifactsRead included)
        warnArtifactStoreOfAnotherAccount(this, pipeline);
        describeGroupAlarmsNow(this.model, plan);
        if (changesAny(asRendered, 'Name')) renamePlan(plan, asRendered, stack);
        else if (this.model.pipelineName === undefined) warnGeneratedName(this, pipeline);
        const template = renderedTemplate(stack);
        // the pipeline's stages, resolved once: the variable references and the template's size bound read them
        const cfnPipeline = pipeline.node.defaultChild as codepipeline.CfnPipeline;
        const stages = stack.resolve(cfnPipeline.stages);
        const errors = [
          // every alarm of the deployment groups is added now
          ...this.model.environments.flatMap(e => e.deployments.map(d => d.groupAlarmsLimitError?.())).filter((m): m is string => m !== undefined),
          ...checkRenderedStageQuotas(this.validator, pipeline, plan),
          ...checkRenderedQuotas(this, pipeline, template, { selfUpdate, resolved: new Map([[cfnPipeline, { stages }]]) }),
          ...checkVariableReferences(this, pipeline, sourceKinds, asRendered, stages),
        ];
        const assets = selfUpdate ? selfUpdateAssetsProblem(this, stack, template) : undefined;
        return assets ? [...errors, assets] : errors;
      },
    });
    this.built = { pipeline: rendered.pipeline, graph, approvalActionArns: rendered.approvalActionArns, plan };
  }

  /**
   * Lets `grantee` answer this pipeline's approvals (`codepipeline:PutApprovalResult` on exactly
   * its approval actions) and read the pipeline's state and history.
   *
   * It also lets `grantee` override the stage conditions of the environments that have a
   * `deploymentWindow`, `blockWhileAlarming` or `Verification.alarms`
   * (`codepipeline:OverrideStageCondition`, what `cdk-delivery override` calls, on those
   * environments' stages and on the pipeline): letting a release in outside its window or while an
   * entry alarm is in ALARM, or on before its bake time is over, is a release decision, as an
   * approval is. `grantOperate` does not grant it.
   *
   * Builds the pipeline. Throws when the pipeline has no approval actions (continuous deployment
   * has none): nobody is then granted overrides either. The grantee must be of the pipeline's
   * account (CodePipeline has no resource-based policies); one of another account is refused.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    this.requireGrantable('grantApprove', grantee, "Pass the release managers' role, for example iam.Role.fromRoleArn(this, 'ReleaseManagers', 'arn:aws:iam::111111111111:role/release-managers').");
    this.requirePipelineAccount('grantApprove', grantee, 'answer an approval of', 'approvers');
    grantee = this.granteeInPipelineStack('grantApprove', grantee);
    this.buildPipeline();
    const built = this.built!;
    if (built.approvalActionArns.length === 0) {
      throw new DeliveryPipelineValidationError(this.node.path, 'grantApprove',
        `'${this.node.path}': grantApprove: the pipeline has no approval actions (release mode ${this.model.releaseMode}). `
        + (this.model.releaseMode === ReleaseMode.CONTINUOUS_DEPLOYMENT
          ? 'Continuous deployment has no approvals by design: grant read access only (grantRead), or use ReleaseMode.CONTINUOUS_DELIVERY for a person to decide.'
          : 'Add Approval.manual() to an environment, or grant read access only (grantRead).'));
    }
    const approve = iam.Grant.addToPrincipal({
      grantee,
      actions: ['codepipeline:PutApprovalResult'],
      resourceArns: built.approvalActionArns,
    });
    const read = iam.Grant.addToPrincipal({
      grantee,
      actions: [...PIPELINE_READ_ACTIONS],
      resourceArns: [built.pipeline.pipelineArn],
    });
    let grant = approve.combine(read);
    // Letting a release through a deployment window or a bake time (`cdk-delivery override`) decides
    // when it reaches the environment, as an approval does: the approvers' duty, on exactly the
    // stages that have such conditions. AWS's references do not say whether OverrideStageCondition
    // is checked on the stage or on the pipeline: both are granted, as for RetryStageExecution.
    const conditioned = this.model.environments.filter(e => e.window || e.blockWhileAlarming || e.alarmGates.length > 0);
    if (conditioned.length > 0) {
      const pipelineArn = built.pipeline.pipelineArn;
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        // (ListRuleExecutions, which `override` reads first, is among the reads above)
        actions: ['codepipeline:OverrideStageCondition'],
        resourceArns: [pipelineArn, ...conditioned.map(e => `${pipelineArn}/${e.name}`)],
      }));
    }
    return this.requireGranted('grantApprove', grantee, grant);
  }

  /**
   * Lets `grantee` operate the pipeline's releases with `cdk-delivery`, without answering its
   * approvals: start and stop executions (`codepipeline:StartPipelineExecution`,
   * `StopPipelineExecution`, on the pipeline), freeze and unfreeze, retry and roll back its
   * environments (`DisableStageTransition`, `EnableStageTransition`, `RetryStageExecution`,
   * `RollbackStage`, on exactly the environments' stages), and read the pipeline's structure, state
   * and history (`GetPipeline`, `GetPipelineState`, `GetPipelineExecution`, `ListPipelineExecutions`,
   * `ListActionExecutions`, `ListRuleExecutions`). `RetryStageExecution` and `RollbackStage` are also granted on the
   * pipeline itself, because AWS's IAM references disagree on which resource they are checked on.
   *
   * It never grants `codepipeline:PutApprovalResult`: approving a release is a separate duty
   * (`grantApprove`). Builds the pipeline. The grantee must be of the pipeline's account
   * (CodePipeline has no resource-based policies); one of another account is refused.
   *
   * @param grantee the role, user or group of the people who operate releases (release managers, on-call)
   * @returns the grant (one statement on the pipeline, one on its environments' stages when it has environments)
   */
  public grantOperate(grantee: iam.IGrantable): iam.Grant {
    this.requireGrantable('grantOperate', grantee, "Pass the on-call role, for example iam.Role.fromRoleArn(this, 'OnCall', 'arn:aws:iam::111111111111:role/on-call').");
    this.requirePipelineAccount('grantOperate', grantee, 'operate', 'operators');
    grantee = this.granteeInPipelineStack('grantOperate', grantee);
    this.buildPipeline();
    const pipelineArn = this.built!.pipeline.pipelineArn;
    let grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'codepipeline:StartPipelineExecution',
        'codepipeline:StopPipelineExecution',
        ...PIPELINE_READ_ACTIONS,
        // AWS's references disagree on whether retry and rollback are authorized on the pipeline or
        // on the stage; granting both keeps them working, on this pipeline only
        'codepipeline:RetryStageExecution',
        'codepipeline:RollbackStage',
      ],
      resourceArns: [pipelineArn],
    });
    // freeze, unfreeze, retry and rollback act on a stage: the IAM resource is the stage (`<pipeline ARN>/<stage>`)
    const stageArns = this.model.environments.map(e => `${pipelineArn}/${e.name}`);
    if (stageArns.length > 0) {
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: [
          'codepipeline:DisableStageTransition',
          'codepipeline:EnableStageTransition',
          'codepipeline:RetryStageExecution',
          'codepipeline:RollbackStage',
        ],
        resourceArns: stageArns,
      }));
    }
    return this.requireGranted('grantOperate', grantee, grant);
  }

  /**
   * Lets `grantee` follow the pipeline's releases without changing anything: what
   * `cdk-delivery status`, `history` and `metrics` read. That is the pipeline's structure, state and
   * history (`GetPipeline`, `GetPipelineState`, `GetPipelineExecution`, `ListPipelineExecutions`,
   * `ListActionExecutions`, `ListRuleExecutions`) and, for the DORA metrics of CodeDeploy deployments,
   * `codedeploy:BatchGetDeployments` on exactly the deployment groups the pipeline deploys through
   * in its own account. For product owners, auditors and dashboards.
   *
   * Builds the pipeline. The grantee must be of the pipeline's account (CodePipeline has no
   * resource-based policies); one of another account is refused.
   *
   * @param grantee the role, user or group that follows the releases
   * @returns the grant (one statement on the pipeline, one on its deployment groups when it has some)
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    this.requireGrantable('grantRead', grantee, "Pass the readers' role, for example iam.Role.fromRoleArn(this, 'Dashboards', 'arn:aws:iam::111111111111:role/dashboards').");
    this.requirePipelineAccount('grantRead', grantee, 'read', 'readers');
    grantee = this.granteeInPipelineStack('grantRead', grantee);
    const account = Stack.of(this).account;
    this.buildPipeline();
    let grant = iam.Grant.addToPrincipal({ grantee, actions: [...PIPELINE_READ_ACTIONS], resourceArns: [this.built!.pipeline.pipelineArn] });
    // deployments of another account's groups are not readable from this one: the CLI skips them
    const groups = this.model.environments.flatMap(e => e.deployments)
      .map(d => d.codeDeployGroup as codedeploy.IServerDeploymentGroup | codedeploy.IEcsDeploymentGroup | undefined)
      .filter((g): g is codedeploy.IServerDeploymentGroup | codedeploy.IEcsDeploymentGroup => g !== undefined)
      .filter(g => Token.isUnresolved(g.env.account) || Token.isUnresolved(account) || g.env.account === account);
    const arns = [...new Set(groups.map(g => g.deploymentGroupArn))];
    if (arns.length > 0) {
      grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['codedeploy:BatchGetDeployments'], resourceArns: arns }));
    }
    return this.requireGranted('grantRead', grantee, grant);
  }

  /**
   * Lets `grantee` read the pipeline's artifacts: the artifact bucket, its key, and the replication
   * buckets of other regions. CodeDeploy EC2/on-premises instances download the revision from
   * there: grant their instance role (in another account: a role of that account, imported with
   * `iam.Role.fromRoleArn`; the grant then goes into the bucket and key policies). Builds the
   * pipeline.
   *
   * A grantee of another account needs artifacts encrypted with a customer managed key: the
   * pipeline's own bucket has one when an environment names another account, your `artifactBucket`
   * when it has an `encryptionKey`. Otherwise the artifacts are encrypted with the AWS managed
   * `aws/s3` key, which no other account may use, and such a grantee is refused.
   */
  public grantArtifactsRead(grantee: iam.IGrantable): iam.Grant {
    const fix = "Pass the instances' role, for example iam.Role.fromRoleArn(this, 'FleetRole', 'arn:aws:iam::222222222222:role/fleet').";
    this.requireGrantable('grantArtifactsRead', grantee, fix);
    // a principal that holds no IAM policy (AnyPrincipal, ServicePrincipal, AccountPrincipal,
    // ArnPrincipal) would be written into the bucket and key policies, for whoever it names
    const principal = grantee.grantPrincipal as unknown as Record<string, unknown>;
    if (!['roleArn', 'userArn', 'groupArn'].some(k => typeof principal[k] === 'string')) {
      throw new DeliveryPipelineValidationError(this.node.path, 'grantArtifactsRead',
        `'${this.node.path}': grantArtifactsRead: grantee must be a role, user or group, got ${describeGrantee(grantee)}, which would be written into the `
        + `artifact bucket's and key's policies for whoever it names. ${fix}`);
    }
    grantee = this.granteeInPipelineStack('grantArtifactsRead', grantee);
    // a role of the app in another account or region is named in the key policy: its name must be known at synth
    const owned = grantee.grantPrincipal as unknown as IConstruct;
    if (hasDeployTimeName(owned) && Stack.of(owned).environment !== Stack.of(this).environment) {
      throw new DeliveryPipelineValidationError(this.node.path, 'grantArtifactsRead',
        `'${this.node.path}': grantArtifactsRead: grantee '${owned.node.path}' is of a stack of another account or region than the pipeline's, and its name is `
        + "generated when it deploys, so the artifact key's policy cannot name it. Give it a name (roleName, userName; or PhysicalName.GENERATE_IF_NEEDED), "
        + "or import it by ARN in the pipeline's stack: iam.Role.fromRoleArn(this, 'FleetRole', 'arn:aws:iam::111111111111:role/fleet').");
    }
    this.buildPipeline();
    const pipeline = this.built!.pipeline;
    this.requireArtifactKeyFor(grantee, pipeline.artifactBucket);
    this.warnImportedArtifactStore(grantee, pipeline.artifactBucket);
    let grant = pipeline.artifactBucket.grantRead(grantee);
    for (const support of Object.values(pipeline.crossRegionSupport)) {
      grant = grant.combine(support.replicationBucket.grantRead(grantee));
    }
    return grant;
  }

  /**
   * Refuses a grantee of another CDK stage that a grant cannot reach: a principal defined there, or
   * imported there by anything but a plain role ARN (its policy is in that stage's stack, which cannot
   * refer to the pipeline's). Returns the grantee as the pipeline's stack grants it: a role imported by
   * a plain ARN into another stage's stack is imported again next to the pipeline when that is where
   * the grant can go (roleInPipelineStack).
   */
  private granteeInPipelineStack(method: string, grantee: iam.IGrantable): iam.IGrantable {
    const other = unusableOtherStagePrincipal(this, grantee.grantPrincipal);
    if (other) {
      throw new DeliveryPipelineValidationError(this.node.path, method,
        `'${this.node.path}': ${method}: grantee ${otherStageProblem(other, 'a principal', 'grant')}, got ${other.construct.node.path}. `
        + `Grant the role imported by its ARN, in any stack: iam.Role.fromRoleArn(this, 'Grantee', '${suggestedRoleArn(other)}'); the pipeline then grants it `
        + "in its own stack (the role must exist when the pipeline's stack is deployed).");
    }
    return grantableInPipelineStack(this, grantee);
  }

  /**
   * Refuses a grantee of another account: CodePipeline has no resource-based policies, so the grant
   * would allow nothing. `verb` says what the grantee would do ("operate"), `who` names its people.
   */
  private requirePipelineAccount(method: string, grantee: iam.IGrantable, verb: string, who: string): void {
    const account = Stack.of(this).account;
    const other = approverOfAnotherAccount(grantee, account);
    if (other !== undefined) {
      throw new DeliveryPipelineValidationError(this.node.path, method,
        `'${this.node.path}': ${method}: grantee is a principal of account ${other}, which cannot ${verb} a pipeline in account ${account} `
        + `(CodePipeline has no resource-based policies, so the grant would allow nothing), got ${describeGrantee(grantee)}. `
        + `Grant a role of account ${account} that the ${who} of account ${other} may assume.`);
    }
  }

  /**
   * Refuses a grantee of another account when the artifacts are encrypted with the AWS managed
   * `aws/s3` key (the artifact bucket has no customer managed key: CodePipeline then encrypts the
   * artifacts with `aws/s3`), which no other account may use: the bucket policy would let the
   * grantee fetch objects it cannot decrypt. The replication buckets of other regions have a
   * customer managed key whenever the artifact bucket has one (see renderPipeline).
   */
  private requireArtifactKeyFor(grantee: iam.IGrantable, bucket: s3.IBucket): void {
    const account = Stack.of(this).account;
    const other = approverOfAnotherAccount(grantee, account);
    if (other === undefined || bucket.encryptionKey !== undefined) return;
    const fix = this.props.artifactBucket
      ? 'Give the artifactBucket a customer managed KMS key whose key policy you manage (new s3.Bucket(this, \'Artifacts\', { encryptionKey: key }); '
        + 'for an imported bucket, s3.Bucket.fromBucketAttributes(this, \'Artifacts\', { bucketName, encryptionKey: key })).'
      : `Add an environment in account ${other} (the pipeline then encrypts its artifacts with a customer managed key whose policy grants the grantee), `
        + 'or pass an artifactBucket encrypted with a customer managed KMS key (encryptionKey) whose key policy you manage.';
    throw new DeliveryPipelineValidationError(this.node.path, 'grantArtifactsRead',
      `'${this.node.path}': grantArtifactsRead: grantee is a principal of account ${other}, which cannot read the pipeline's artifacts: they are `
      + `encrypted with the AWS managed key aws/s3, which only account ${account} may use (${this.props.artifactBucket ? 'the artifactBucket has no encryptionKey'
        : 'no environment is in another account'}), got ${describeGrantee(grantee)}. ${fix}`);
  }

  /**
   * A grantee of another account reads the artifacts through the bucket policy and the key policy.
   * aws-cdk-lib cannot change the policies of an imported bucket or key, and drops those grants
   * silently: say which statements their owner must add.
   */
  private warnImportedArtifactStore(grantee: iam.IGrantable, bucket: s3.IBucket): void {
    const other = approverOfAnotherAccount(grantee, Stack.of(this).account);
    const who = describeGrantee(grantee);
    const parts = importedArtifactStoreStatements(bucket, [who.startsWith('arn:') ? who : '<grantee ARN>'], false);
    if (other === undefined || parts.length === 0) return;
    Annotations.of(this).addWarningV2('delivery-pipeline:importedArtifactStoreGrant',
      `grantArtifactsRead: ${who} of account ${other} reads the artifacts through policies this app cannot change (${importedWhat(bucket)}), `
      + `so this grant gives it nothing there. Add to ${parts.join('; and to ')}.`);
  }

  /**
   * Refuses a grantee that holds no IAM policy (a service principal, AnyPrincipal...): the grant
   * added nothing, and aws-cdk-lib says so only in `grant.success`.
   */
  private requireGranted(method: string, grantee: iam.IGrantable, grant: iam.Grant): iam.Grant {
    if (!grant.success) {
      throw new DeliveryPipelineValidationError(this.node.path, method,
        `'${this.node.path}': ${method}: grantee holds no IAM policy the grant could go into, got ${describeGrantee(grantee)}. `
        + 'Grant a role, user or group, for example iam.Role.fromRoleArn(this, \'Operators\', \'arn:aws:iam::111111111111:role/operators\').');
    }
    return grant;
  }

  private requireGrantable(method: string, grantee: unknown, fix: string): void {
    const principal = (grantee as iam.IGrantable | undefined)?.grantPrincipal;
    if (!grantee || typeof grantee !== 'object' || !principal || typeof principal.addToPrincipalPolicy !== 'function') {
      throw new DeliveryPipelineValidationError(this.node.path, method,
        `'${this.node.path}': ${method}: grantee must be an iam.IGrantable (a role, user or group), got ${show(grantee)}. ${fix}`);
    }
  }

  /**
   * The pipeline as the plan document describes it (release mode, source, build, checks,
   * environments with gates, targets and verification): what DeliveryPolicy rules evaluate and
   * what `cdk-delivery plan` shows.
   */
  public describe(): PlanDocument {
    // a copy: a caller (a policy rule) that changes it must not change the plan in the cloud assembly
    if (this.built) return JSON.parse(JSON.stringify(this.built.plan));
    const stack = Stack.of(this);
    return writePlan(this.model, buildGraph(this.model), stack, planNotifications(this.notifications));
  }

  /**
   * The validated model (for tests).
   *
   * @internal
   */
  public get _model(): PipelineModel {
    return this.model;
  }

  /**
   * The plan document written into the cloud assembly, once built.
   *
   * @internal
   */
  public get _plan(): PlanDocument | undefined {
    return this.built?.plan;
  }

  private validate(): PipelineModel {
    const stack = Stack.of(this);
    const built = buildModel(this.validator, {
      stackAccount: stack.account,
      stackRegion: stack.region,
      pipelineScope: this,
      source: this.props.source,
      additionalSources: this.props.additionalSources,
      build: this.props.buildStep,
      checks: this.props.checks,
      releaseMode: this.props.releaseMode,
      executionMode: this.props.executionMode,
      pipelineName: this.props.pipelineName,
      environments: this.environmentOptions,
      selfUpdate: this.props.selfUpdate,
      publishAssetsInBuild: this.props.publishAssetsInBuild,
      cdkAssetsLibVersion: this.props.cdkAssetsLibVersion,
      logRetention: this.props.logRetention,
      dockerCredentials: this.props.dockerCredentials,
      pipelineStackName: stack.stackName,
      pipelineTemplatePath: stackTemplatePath(stack),
    });
    // UpdatePipeline deploys the pipeline's stack as cdk deploy would, with what its synthesizer names
    const model: PipelineModel = built.selfUpdate
      ? { ...built, selfUpdate: { ...built.selfUpdate, deployment: selfUpdateDeployment(this.validator, stack) } }
      : built;
    // aws-cdk-lib would stop with an error about a crossAccountKeys option this construct does not have
    const bucket = this.props.artifactBucket;
    if (bucket !== undefined && bucket.encryptionKey === undefined && needsCrossAccountKeys(model, stack.account)) {
      const other = model.environments.find(e => needsCrossAccountKeys({ ...model, environments: [e] }, stack.account))!;
      this.validator.fail('artifactBucket', `has no KMS key (encryptionKey), but environment '${other.name}' deploys to another account than the pipeline's, `
        + 'whose roles can read the artifacts only through a customer managed key the pipeline shares with them (the aws/s3 key cannot be shared)',
      described(`bucket ${literal(bucket.bucketName) ?? bucket.node.path} without encryptionKey`),
      "Pass a bucket encrypted with a customer managed key, new s3.Bucket(this, 'Artifacts', { encryptionKey: new kms.Key(this, 'ArtifactsKey', "
        + "{ enableKeyRotation: true }) }), or import yours with s3.Bucket.fromBucketAttributes(this, 'Artifacts', { bucketName, encryptionKey }); "
        + 'or leave artifactBucket out for one the pipeline creates.');
    }
    return model;
  }
}

/** Which part of the artifact store is imported, for a warning: "the artifactBucket and its key are imported". */
function importedWhat(bucket: s3.IBucket): string {
  const key = bucket.encryptionKey;
  const keyImported = key !== undefined && !Resource.isOwnedResource(key);
  if (!Resource.isOwnedResource(bucket)) return `the artifactBucket ${keyImported ? 'and its key are' : 'is'} imported`;
  return 'the artifactBucket\'s key is imported';
}

/** The read actions aws-cdk-lib's bucket.grantRead gives, and what grantReadWrite adds. */
const ARTIFACT_READ = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const ARTIFACT_WRITE = ['s3:DeleteObject*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging',
  's3:PutObjectVersionTagging', 's3:Abort*'];

/**
 * The statements the owner of an imported artifact bucket (key) must add to its policy for
 * `principals` of other accounts, as aws-cdk-lib's grantRead (grantReadWrite, with `write`) would
 * have added them: one text per policy this app cannot change (`of`: by default, the imported
 * ones), none when both are the app's.
 */
function importedArtifactStoreStatements(
  bucket: s3.IBucket, principals: string[], write: boolean,
  of: { bucket: boolean; key: boolean } = { bucket: !Resource.isOwnedResource(bucket), key: isImported(bucket.encryptionKey) },
): string[] {
  const key = bucket.encryptionKey;
  const principal = `"Principal": { "AWS": ${principals.length === 1 ? `"${principals[0]}"` : `[${principals.map(p => `"${p}"`).join(', ')}]`} }`;
  const list = (actions: string[]) => `[${actions.map(a => `"${a}"`).join(', ')}]`;
  const bucketStatements = [
    `{ "Effect": "Allow", ${principal}, "Action": ${list(ARTIFACT_READ)}, "Resource": ["<bucket ARN>", "<bucket ARN>/*"] }`,
    ...(write ? [`{ "Effect": "Allow", ${principal}, "Action": ${list(ARTIFACT_WRITE)}, "Resource": "<bucket ARN>/*" }`] : []),
  ];
  const keyActions = ['kms:Decrypt', 'kms:DescribeKey', ...(write ? ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] : [])];
  return [
    ...(of.bucket ? [`the bucket policy of ${literal(bucket.bucketName) ?? 'the imported artifact bucket'}: ${bucketStatements.join(', ')}`] : []),
    ...(of.key && key !== undefined ? [`the key policy of ${literal(key.keyArn) ?? 'the imported artifact key'}: `
      + `{ "Effect": "Allow", ${principal}, "Action": ${list(keyActions)}, "Resource": "*" }`] : []),
  ];
}

function isImported(resource: IResource | undefined): boolean {
  return resource !== undefined && !Resource.isOwnedResource(resource);
}

/** The stack's partition as a literal, for ARNs to paste into a policy (a plain App renders it as a reference). */
function literalPartition(stack: Stack): string {
  return !Token.isUnresolved(stack.partition) ? stack.partition
    : (!Token.isUnresolved(stack.region) && RegionInfo.get(stack.region).partition) || '<partition>';
}

/**
 * The actions of the pipeline's Region whose role has a literal ARN (the CDK bootstrap deploy
 * roles, imported roles), with the role's account and whether the action writes artifacts.
 */
function literalActionRoles(pipeline: codepipeline.Pipeline): Array<{ arn: string; account: string; stage: string; writes: boolean }> {
  const stack = Stack.of(pipeline);
  const partition = literalPartition(stack);
  // the L1 property, resolved: its fields as aws-cdk-lib names them (name, actions, roleArn...)
  const stages = stack.resolve((pipeline.node.defaultChild as codepipeline.CfnPipeline).stages) as Array<{
    name: string; actions?: Array<{ roleArn?: unknown; region?: string; outputArtifacts?: unknown[] }>;
  }> | undefined;
  const roles = [];
  for (const stage of stages ?? []) {
    for (const action of stage.actions ?? []) {
      if (action.region !== undefined && !Token.isUnresolved(stack.region) && action.region !== stack.region) continue;
      const arn = roleArnText(action.roleArn, partition);
      const account = arn === undefined ? undefined : /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
      if (arn === undefined || account === undefined) continue;
      roles.push({ arn, account, stage: stage.name, writes: (action.outputArtifacts ?? []).length > 0 });
    }
  }
  return roles;
}

/** A role ARN of a rendered action as text, with `partition` for the partition's reference; undefined for any other reference. */
function roleArnText(arn: unknown, partition: string): string | undefined {
  return joinedText(arn, name => (name === 'AWS::Partition' ? partition : undefined));
}

/**
 * The actions of another account in the pipeline's Region read (or write) the artifacts in the
 * pipeline's artifact bucket with its key, through the bucket and key policies. aws-cdk-lib cannot
 * change the policies of an imported bucket or key and drops those grants silently, so the first
 * deployment would fail with AccessDenied: name the roles and the statements the owner must add.
 * (Actions in another Region use the replication bucket there, which aws-cdk-lib creates.)
 */
function warnImportedArtifactStoreRoles(scope: Construct, pipeline: codepipeline.Pipeline): void {
  const bucket = pipeline.artifactBucket;
  const key = bucket.encryptionKey;
  if (Resource.isOwnedResource(bucket) && (key === undefined || Resource.isOwnedResource(key))) return;
  const stack = Stack.of(pipeline);
  if (Token.isUnresolved(stack.account)) return;
  const roles = new Map<string, string[]>();
  let write = false;
  for (const action of literalActionRoles(pipeline)) {
    if (action.account === stack.account) continue;
    roles.set(action.arn, [...new Set([...(roles.get(action.arn) ?? []), action.stage])]);
    write ||= action.writes;
  }
  if (roles.size === 0) return;
  const parts = importedArtifactStoreStatements(bucket, [...roles.keys()], write);
  Annotations.of(scope).addWarningV2('delivery-pipeline:importedArtifactStoreRoles',
    `artifactBucket: actions of other accounts read the artifacts through policies this app cannot change (${importedWhat(bucket)}), and aws-cdk-lib `
    + `leaves out their grants without an error: ${[...roles].map(([arn, envs]) => `${arn} (${envs.length === 1 ? 'environment' : 'environments'} ${envs.map(e => `'${e}'`).join(', ')})`).join(', ')}. `
    + `Their first run fails with AccessDenied until the owner of the bucket and key adds to ${parts.join('; and to ')}.`);
}

/**
 * An imported artifact bucket or key of another account than the pipeline's: the roles of the
 * pipeline's account that read and write the artifacts (the pipeline's role, its actions' and
 * CodeBuild projects' roles, the CDK bootstrap deploy role, grantees of grantArtifactsRead) need its
 * bucket (key) policy to allow them too, and aws-cdk-lib gives them only the IAM side, without an
 * error: every execution would fail with AccessDenied. Name it, the roles, and the statements its
 * owner must add, for the pipeline's account, whose IAM policies then decide: KMS and S3 refuse a
 * policy that names a role that does not exist yet, and these roles are created with the pipeline's
 * stack. Two accounts compared for any other pipeline; the roles are looked for only then.
 */
function warnArtifactStoreOfAnotherAccount(scope: Construct, pipeline: codepipeline.Pipeline): void {
  const stack = Stack.of(pipeline);
  const account = stack.account;
  if (Token.isUnresolved(account)) return;
  const bucket = pipeline.artifactBucket;
  const key = bucket.encryptionKey;
  const otherAccount = (resource: IResource | undefined) => (resource !== undefined && isImported(resource)
    && !Token.isUnresolved(resource.env.account) && resource.env.account !== account ? resource.env.account : undefined);
  const bucketAccount = otherAccount(bucket);
  const keyAccount = otherAccount(key);
  if (bucketAccount === undefined && keyAccount === undefined) return;

  // the roles whose policies in the pipeline's stack aws-cdk-lib gave the bucket or key, and the
  // roles of the pipeline's account that the actions name by ARN (their policies are elsewhere)
  const bucketName = literal(bucket.bucketName);
  const keyArn = key === undefined ? undefined : literal(key.keyArn);
  const needles = [
    ...(bucketAccount !== undefined && bucketName !== undefined ? [`:s3:::${bucketName}`] : []),
    ...(keyAccount !== undefined && keyArn !== undefined ? [keyArn] : []),
  ];
  const roles = new Set<string>();
  for (const policy of stack.node.findAll()) {
    if (!(policy instanceof iam.Policy || policy instanceof iam.ManagedPolicy) || Stack.of(policy) !== stack) continue;
    const role = [...policy.node.scopes].reverse().find((c): c is IConstruct & iam.IRole => isRole(c));
    if (role === undefined || needles.length === 0) continue;
    const text = JSON.stringify(stack.resolve(policy.document));
    if (needles.some(n => text.includes(n))) roles.add(Resource.isOwnedResource(role) ? role.node.path : literal(role.roleArn) ?? role.node.path);
  }
  for (const action of literalActionRoles(pipeline)) {
    if (action.account === account) roles.add(action.arn);
  }

  const subjects = [
    ...(bucketAccount !== undefined ? [`the bucket ${bucketName ?? bucket.node.path} is of account ${bucketAccount}`] : []),
    ...(keyAccount !== undefined ? [`its key ${keyArn ?? key!.node.path} is of account ${keyAccount}`] : []),
  ];
  const owners = [...new Set([bucketAccount, keyAccount].filter((a): a is string => a !== undefined))];
  const policies = bucketAccount !== undefined && keyAccount !== undefined ? 'their policies' : bucketAccount !== undefined ? 'its bucket policy' : 'its key policy';
  const parts = importedArtifactStoreStatements(bucket, [`arn:${literalPartition(stack)}:iam::${account}:root`], true,
    { bucket: bucketAccount !== undefined, key: keyAccount !== undefined });
  Annotations.of(scope).addWarningV2('delivery-pipeline:importedArtifactStoreOfAnotherAccount',
    `artifactBucket: ${subjects.join(' and ')}, not the pipeline's account ${account}, and this app cannot change ${policies}: aws-cdk-lib gives the roles `
    + "of the pipeline's account that read and write the artifacts only the IAM side of their grants, without an error"
    + `${roles.size > 0 ? ` (${[...roles].join(', ')})` : ''}. Every execution fails with AccessDenied until the owner (account${owners.length === 1 ? '' : 's'} `
    + `${owners.join(' and ')}) adds to ${parts.join('; and to ')}. The principal is the pipeline's account, whose IAM policies then decide which of its `
    + "roles may: KMS and S3 refuse a policy that names a role before it exists, and these roles are created with the pipeline's stack.");
}

/** An IAM role, of the app or imported. */
function isRole(x: IConstruct): boolean {
  const role = x as Partial<iam.IRole>;
  return typeof role.roleArn === 'string' && typeof role.roleName === 'string' && typeof role.addToPrincipalPolicy === 'function';
}

/**
 * UpdatePipeline deploys the pipeline's stack only. The support stacks aws-cdk-lib creates beside
 * it for environments of other regions (replication buckets) and accounts (action roles) are not
 * deployed by it: an environment of a new region or account added by a commit fails until they are.
 */
function warnSelfUpdateSupportStacks(scope: Construct, stack: Stack): void {
  const support = stack.dependencies.filter(s => /^cross-(region-stack|account-support-stack)-/.test(s.node.id)).map(s => s.stackName);
  if (support.length === 0) return;
  Annotations.of(scope).addWarningV2('delivery-pipeline:selfUpdateSupportStacks',
    `selfUpdate: UpdatePipeline deploys the pipeline's stack '${stack.stackName}' only, not the support stack${support.length === 1 ? '' : 's'} `
    + `aws-cdk-lib creates for environments of other regions and accounts (${support.join(', ')}), on which it depends. Deploy them with cdk deploy `
    + "(cdk deploy --all, or the pipeline's stack without --exclusively) before a commit adds an environment of a new region or account: "
    + 'until they exist, that environment fails.');
}

/** aws-cdk-lib's feature flag for the kind of cross-region references (`"strong"`, `"weak"` or `"both"`), read from the consumer stack. */
const CROSS_STACK_REFERENCES_FLAG = '@aws-cdk/core:defaultCrossStackReferences';

/**
 * Refuses a pipeline whose stack has `crossRegionReferences: true` when the replication bucket of
 * another Region is in a stack that cannot hold assets: aws-cdk-lib's support stack
 * `<pipeline stack>-support-<region>` (a BootstraplessSynthesizer), which it creates when the first
 * action of that Region deploys no resource of a stack of the app in that Region (a CloudFormation
 * or CDK stage target, an imported group, service or function). With the flag, the pipeline's stack
 * reads that bucket's name and ARN by reference, as `@aws-cdk/core:defaultCrossStackReferences` (read
 * from the pipeline's stack, the consumer) says:
 * - `"strong"` (the default when unset) and `"both"`: through aws-cdk-lib's cross-region export, a
 *   custom resource whose Lambda code is an asset of the bucket's stack, and the synth fails with
 *   aws-cdk-lib's "Cannot add assets to a Stack that uses the BootstraplessSynthesizer", naming
 *   neither the cause nor the fix;
 * - `"weak"`: from an output of the bucket's stack through `Fn::GetStackOutput`, which needs no asset
 *   and synthesizes, but is a read the library does not support: its cdk-nag suppression of the
 *   pipeline's role's grant on the bucket's objects names the bucket by its physical name and does
 *   not match the reference, and the read is not verified at deploy time.
 */
function refuseUnreadableReplicationBuckets(v: Validator, model: PipelineModel, pipeline: codepipeline.Pipeline): void {
  const stack = Stack.of(pipeline);
  if (!hasCrossRegionReferences(stack)) return;
  const strength: unknown = stack.node.tryGetContext(CROSS_STACK_REFERENCES_FLAG);
  for (const [region, support] of Object.entries(pipeline.crossRegionSupport)) {
    // a bucket of another account is named by its physical name, without a reference
    if (!(support.stack.synthesizer instanceof BootstraplessSynthesizer) || support.stack.account !== stack.account) continue;
    const field = firstDeploymentIn(model, region) ?? 'environments';
    const where = `deploys in Region ${region}, whose replication bucket of the pipeline's artifacts is in stack '${support.stack.stackName}' `
      + `(${support.stack.node.path}), synthesized without assets (BootstraplessSynthesizer), while the pipeline's stack '${stack.stackName}' has `
      + 'crossRegionReferences: true';
    const cause = strength === 'weak'
      ? ` and ${CROSS_STACK_REFERENCES_FLAG} "weak", with which aws-cdk-lib reads that bucket's name and ARN from an output of the bucket's stack `
        + 'through Fn::GetStackOutput: a cross-region read the library does not support (its cdk-nag suppression of the pipeline\'s role\'s grant on '
        + 'the bucket\'s objects names the bucket by its physical name and would not match the reference, and the read is not verified at deploy time)'
      : `, with which aws-cdk-lib ${strength === 'both' ? 'writes that bucket\'s name to a cross-region export (besides reading it through Fn::GetStackOutput)'
        : 'reads that bucket\'s name through a cross-region export'} (${CROSS_STACK_REFERENCES_FLAG} ${strength === undefined ? 'not set, which means "strong"' : JSON.stringify(strength)}): `
        + 'a custom resource whose Lambda code is an asset of the bucket\'s stack, which it cannot hold (the synth would fail with "Cannot add assets to a '
        + 'Stack that uses the BootstraplessSynthesizer")';
    v.fail(field, where + cause, region,
      `Leave crossRegionReferences out of the pipeline's stack '${stack.stackName}', and name the CodeDeploy applications and groups, ECS clusters `
      + 'and services and Lambda functions of other Regions (literal names or PhysicalName.GENERATE_IF_NEEDED), which the pipeline\'s stack '
      + 'reads without it.');
  }
}

/** The field of the first deployment (in pipeline order) that deploys in `region`. */
function firstDeploymentIn(model: PipelineModel, region: string): string | undefined {
  for (const env of model.environments) {
    const index = env.deployments.findIndex(d => (d.stageStacks?.map(s => s.region) ?? [d.produced?.region ?? d.region])
      .some(r => (r ?? d.region ?? env.region) === region));
    if (index >= 0) return `${env.field}.deployments[${index}]`;
  }
  return undefined;
}

/**
 * What `cdk-delivery status` and `history` read of a pipeline (every grant includes them);
 * ListRuleExecutions: which execution a failed or checked condition belongs to (status, override), and
 * which stage the alarms watched after its deployments failed (metrics, `history --env`).
 */
const PIPELINE_READ_ACTIONS = [
  'codepipeline:GetPipeline',
  'codepipeline:GetPipelineState',
  'codepipeline:GetPipelineExecution',
  'codepipeline:ListPipelineExecutions',
  'codepipeline:ListActionExecutions',
  'codepipeline:ListRuleExecutions',
] as const;

/**
 * Refuses a bucket that a pipeline building pull requests shares with another pipeline of the app,
 * whichever was created first: the pull request's unreviewed code runs in CodeBuild projects whose
 * role may write every object of the pipeline's artifact bucket and of the build's S3 cache bucket
 * (aws-cdk-lib grants them on `<bucket>/*`), so it could replace the artifacts another pipeline
 * deploys (while its approval waits, say), or the cache its builds restore.
 */
function refuseBucketsSharedWithPullRequests(self: DeliveryPipeline, v: Validator): void {
  const all = registeredPipelines(self);
  const mine = all.find(p => p.pipeline === self);
  if (!mine) return;
  for (const other of all) {
    if (other === mine || !(mine.pullRequests || other.pullRequests)) continue;
    for (const own of mine.writtenBuckets()) {
      const theirs = other.writtenBuckets().find(b => sameBucket(b.bucket, own.bucket));
      if (!theirs) continue;
      const otherPath = other.pipeline.node.path;
      const where = `is the bucket pipeline '${otherPath}' keeps its ${theirs.holds} in (its ${theirs.field})`;
      const why = 'their unreviewed code runs in CodeBuild projects whose role may write every object of that bucket, so it could replace what';
      const problem = mine.pullRequests
        ? `${where}, and this pipeline builds pull requests (source.pullRequestTriggers): ${why} '${otherPath}' builds and deploys`
        : `${where}, which builds pull requests (source.pullRequestTriggers): ${why} this pipeline builds and deploys`;
      const pullRequestField = mine.pullRequests ? own.field : theirs.field;
      v.fail(own.field, problem, described(describeBucket(own.bucket)), 'Give the pull-request pipeline a bucket no other pipeline uses: '
        + (pullRequestField === 'artifactBucket' ? 'leave its artifactBucket out (it then gets a bucket of its own).' : 'an S3 cache bucket of its own, or BuildCache.local().'));
    }
  }
}

/** A bucket's literal name: given to a bucket of the app, or imported by it; undefined when it is a token. */
function literalBucketName(bucket: IConstruct): string | undefined {
  const named = literal((bucket as s3.IBucket).bucketName);
  if (named !== undefined || !Resource.isOwnedResource(bucket)) return named;
  return literal((bucket as unknown as { physicalName?: string }).physicalName);
}

/** The same bucket: the same object, or the same literal name (a bucket imported twice). */
function sameBucket(a: IConstruct, b: IConstruct): boolean {
  const name = literalBucketName(a);
  return a === b || (name !== undefined && name === literalBucketName(b));
}

/** How an error names a bucket: by its literal name, else by its construct path. */
function describeBucket(bucket: IConstruct): string {
  const name = literalBucketName(bucket);
  return name !== undefined ? `bucket ${name}` : `bucket '${bucket.node.path}'`;
}

/** Two pipelines with the same literal name in one account and region would fail at deploy time. */
function claimPipelineName(pipeline: DeliveryPipeline, name: string | undefined, validator: Validator): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const stack = Stack.of(pipeline);
  const key = `${Token.isUnresolved(stack.account) ? '?' : stack.account}/${Token.isUnresolved(stack.region) ? '?' : stack.region}/${name}`;
  const other = claimInApp(pipeline, 'pipelineNames', key, pipeline.node.path);
  if (other !== undefined) {
    // stacks that name no account or region deploy where the credentials of `cdk deploy` point: the same place, as far as the app can tell
    const where = key.includes('?') ? 'whose stack names the same account and region, or none (both deploy where the credentials point)'
      : 'in the same account and region';
    validator.fail('pipelineName', `is already the name of the pipeline '${other}' ${where}`, name,
      'Give each pipeline its own pipelineName, or leave it out to let CloudFormation generate one.');
  }
}

/**
 * CodePipeline keeps a pipeline's artifacts in a bucket of the pipeline's Region, encrypted with a
 * key of that Region (the artifact store of another Region is for cross-region actions, which the
 * pipeline creates itself): a bucket or key imported from another Region would fail when the
 * pipeline is created or at the first execution. A key of another account can be used, once its key
 * policy lets the pipeline's account use it (see warnArtifactStoreOfAnotherAccount).
 */
function refuseArtifactStoreOfOtherRegion(v: Validator, bucket: s3.IBucket, pipelineRegion: string): void {
  if (Token.isUnresolved(pipelineRegion)) return;
  const known = (region: string | undefined) => (region === undefined || Token.isUnresolved(region) || region === '' ? undefined : region);
  const bucketRegion = known(bucket.env?.region);
  const ownBucket = "or leave artifactBucket out for an encrypted bucket of the pipeline's own.";
  if (bucketRegion !== undefined && bucketRegion !== pipelineRegion) {
    v.fail('artifactBucket', `is a bucket in region ${bucketRegion}, but the pipeline is in region ${pipelineRegion}, and CodePipeline keeps its artifacts `
      + "in a bucket of the pipeline's region", literal(bucket.bucketName) ?? bucket.node.path,
    `Pass a bucket of ${pipelineRegion}, or deploy the pipeline's stack in ${bucketRegion}; ${ownBucket}`);
  }
  const key = bucket.encryptionKey;
  if (key === undefined) return;
  const arn = literal(key.keyArn);
  const keyRegion = known(arn?.startsWith('arn:') ? arn.split(':')[3] : undefined) ?? known(key.env?.region);
  if (keyRegion !== undefined && keyRegion !== pipelineRegion) {
    v.fail('artifactBucket.encryptionKey', `is a KMS key in region ${keyRegion}, but the pipeline is in region ${pipelineRegion}, and CodePipeline encrypts `
      + "its artifacts with a key of the pipeline's region (one of another account too, when its key policy lets the pipeline's account use it)", arn ?? key.node.path,
    `Import the bucket with a key of ${pipelineRegion} (a new key, or a replica of a multi-Region key), or deploy the pipeline's stack in ${keyRegion}; ${ownBucket}`);
  }
}

/**
 * Without `pipelineName`, aws-cdk-lib names the pipeline only while a resource of another account
 * or Region refers to it; CloudFormation replaces a renamed pipeline, and its history goes with it.
 */
function warnGeneratedName(scope: DeliveryPipeline, pipeline: codepipeline.Pipeline): void {
  const name = Stack.of(pipeline).resolve((pipeline.node.defaultChild as codepipeline.CfnPipeline).name);
  if (typeof name !== 'string') return;
  Annotations.of(scope).addWarningV2('delivery-pipeline:generatedPipelineName',
    `The pipeline has no pipelineName and a resource in another account or Region refers to it, so aws-cdk-lib names it '${name}'. `
    + 'It keeps that name only while such a resource exists: the change that adds the first one renames the pipeline, the change that removes '
    + 'the last one renames it again, and CloudFormation replaces a renamed pipeline, deleting the old one with its execution history '
    + `(cdk-delivery history and metrics start again). Set pipelineName: '${name}' to keep this name whatever the environments become `
    + '(a pipeline deployed before under a name CloudFormation chose is replaced once either way), or acknowledge this warning.');
}

/**
 * PARALLEL executions run independently: two changes can deploy to one environment at once, and an
 * older one that finishes last stays deployed.
 */
/**
 * The pipeline that deploys (DeploymentTarget.cdkStage) the stage holding `pipeline`, or a stage
 * around it, with that stage: such a stage was synthesized when that pipeline was configured.
 */
function deployerOfStage(pipeline: DeliveryPipeline): { pipeline: IConstruct; stage: Stage } | undefined {
  const scopes = new Set<IConstruct>(pipeline.node.scopes);
  for (const entry of registeredPipelines(pipeline)) {
    if (entry.pipeline === pipeline) continue;
    const stage = entry.deployedStages().find(st => scopes.has(st));
    if (stage) return { pipeline: entry.pipeline, stage };
  }
  return undefined;
}

function warnParallelDeployments(scope: DeliveryPipeline, model: PipelineModel): void {
  const environments = model.environments;
  if (environments.length === 0) return;
  const production = environments.filter(e => e.production).map(e => `'${e.name}'`);
  const names = environments.map(e => `'${e.name}'`).join(', ');
  Annotations.of(scope).addWarningV2('delivery-pipeline:parallelDeployments',
    `The pipeline runs in PARALLEL execution mode and deploys to environments (${names}): its executions run independently, so two changes `
    + 'can deploy to the same environment at once, and an older change that finishes last stays deployed. '
    + (production.length > 0
      ? `That includes production (${production.join(', ')}): an older change can replace a newer one in front of your users, and CodePipeline `
        + 'does not roll stages back in PARALLEL mode. Use codepipeline.ExecutionMode.QUEUED (the default) or SUPERSEDED for a pipeline that deploys.'
      : 'Use codepipeline.ExecutionMode.QUEUED (the default) or SUPERSEDED for a pipeline that deploys, or acknowledge this warning when these environments '
        + 'can take it.'));
}

/**
 * Stages and actions added to the rendered pipeline through the escape hatch (`pipeline.pipeline`),
 * and overrides of its stages or execution mode, are not in the plan that `cdk-delivery plan`,
 * `DeliveryPolicy` rules and the CLI read: say so, each apart. The L2 pipeline's stages, compared
 * with the plan, tell what was added through the pipeline property (`stagesOutsidePlan`); the
 * rendered resource, compared with those stages, tells what the overrides change
 * (`overriddenPipeline`), so an override never re-labels a stage added through the L2 pipeline.
 */
function warnOutsidePlan(scope: DeliveryPipeline, pipeline: codepipeline.Pipeline, plan: PlanDocument, rendered: PipelineAsRendered): void {
  if (changesAny(rendered, 'Stages', 'ExecutionMode')) {
    const properties = rendered.properties();
    // against the L2 pipeline's stages: what was added through it is reported below, as outside the plan
    const differences = properties === undefined ? [] : differencesFromPlan(properties, layoutOf(pipeline, plan.executionMode), rendered);
    if (differences.length > 0) {
      Annotations.of(scope).addWarningV2('delivery-pipeline:overriddenPipeline',
        'Overrides of the pipeline resource (addPropertyOverride or addOverride on the pipeline property\'s CfnPipeline, or its properties set directly) '
        + `make the rendered pipeline differ from its plan: it has ${differences.join('; ')}. The plan (cdk-delivery plan and diff) and DeliveryPolicy rules `
        + 'describe the pipeline before these overrides: the rules did not check what they change. Configure it through the library\'s props '
        + '(an environment, its approval, executionMode, DeploymentTarget.fromActionFactory()), or acknowledge this warning.');
    }
    // a pipeline that the overrides make PARALLEL is as exposed as one configured so
    if (properties !== undefined && plan.executionMode !== codepipeline.ExecutionMode.PARALLEL
      && executionModeOf(properties) === codepipeline.ExecutionMode.PARALLEL) {
      warnParallelDeployments(scope, scope._model);
    }
  }
  const planned = new Map(plan.stages.map(st => [st.name, new Set(st.actions.map(a => a.name))]));
  const outside: string[] = [];
  for (const stage of pipeline.stages) {
    const actions = planned.get(stage.stageName);
    if (actions === undefined) {
      outside.push(`stage '${stage.stageName}'`);
      continue;
    }
    for (const action of stage.actions) {
      if (!actions.has(action.actionProperties.actionName)) outside.push(`action '${action.actionProperties.actionName}' of stage '${stage.stageName}'`);
    }
  }
  if (outside.length === 0) return;
  Annotations.of(scope).addWarningV2('delivery-pipeline:stagesOutsidePlan',
    `The rendered pipeline has ${outside.join(', ')}, added through the pipeline property, which the plan does not show: `
    + "cdk-delivery plan and status do not show it, and DeliveryPolicy rules do not check it. Configure it through the library's props "
    + '(an environment, DeploymentTarget.fromActionFactory()), or acknowledge this warning.');
}

/**
 * The CodeDeploy groups' own alarms as the plan names them, counted again once every alarm is
 * added (`addAlarm` after the pipeline included), besides the environment's the pipeline added.
 */
function describeGroupAlarmsNow(model: PipelineModel, plan: PlanDocument): void {
  model.environments.forEach((env, ei) => env.deployments.forEach((d, di) => {
    const group = d.codeDeployGroup as IConstruct | undefined;
    const planned = plan.environments[ei]?.deployments[di] as { summary: string } | undefined;
    if (!d.summaryWithOwnAlarms || !group || typeof (group as any).addAlarm !== 'function' || !planned) return;
    planned.summary = d.summaryWithOwnAlarms(ownGroupAlarmCount(group, d.groupAlarms ?? []));
  }));
}

/**
 * An override of the pipeline's name (`Name`) renames the pipeline CodePipeline creates: the plan
 * takes that name, so that `cdk-delivery plan` and `diff` name the pipeline the CLI's other commands
 * must be given. A name built from the pseudo parameters the stack knows as literals (its Region,
 * account, stack name) is that literal; another name that is not a literal is set at deploy time, as
 * a token `pipelineName` is (`pipelineNameUnresolved`); an override that deletes the name leaves
 * CloudFormation to generate one.
 */
function renamePlan(plan: PlanDocument, rendered: PipelineAsRendered, stack: Stack): void {
  const properties = rendered.properties();
  if (properties === undefined) return;
  const name = nameInStack(properties.Name, stack);
  const writable = plan as { pipelineName?: string; pipelineNameUnresolved?: boolean };
  delete writable.pipelineName;
  delete writable.pipelineNameUnresolved;
  if (name !== undefined) writable.pipelineName = name;
  else if (properties.Name !== undefined && properties.Name !== null) writable.pipelineNameUnresolved = true;
}
