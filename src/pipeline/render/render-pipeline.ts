import { Annotations, CfnCapabilities, FeatureFlags, Names, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { scopeCrossAccountActionRoleKeyGrants, scopeEcsDeployGrants, scopeOtherRegionActionRoleKeyGrants, scopeReplicationKeyGrants } from './replication-keys';
import { selfUpdateConfigurationPath, selfUpdateTemplateConfiguration, withTemplateConfiguration } from './self-update-stack-settings';
import { PipelineGraph } from '../../graph/pipeline-graph';
import {
  AlarmGateModel, AssetPublishing, EnvironmentModel, GroupAlarmModel, PipelineModel, PublisherEnvironment, RenderContext, SourceRevision,
} from '../../model/model';
import { readBootstrapVersionParameter, withActionRolePolicy } from '../../private/action-grants';
import { publishCommands, publisherInstallCommands } from '../../private/asset-publisher';
import { allowAssetPublishing, createProject, inlineBuildSpecLength, MAX_INLINE_BUILDSPEC } from '../../private/codebuild';
import { APPROVAL_ROLE_ID, uniqueName } from '../../private/physical-names';
import { grantableInPipelineStack } from '../../private/stage-principals';
import { DeliveryPipelineValidationError } from '../../private/validation';
import { alarmLabel, describeAlarmsStatement, sameAlarm } from '../../verification/verification';

/** Options the construct passes to the renderer. */
export interface RenderOptions {
  readonly artifactBucket?: s3.IBucket;
}

/** The rendered pipeline with what later steps need. */
export interface RenderedPipeline {
  readonly pipeline: codepipeline.Pipeline;
  /** ARNs of the approval actions, for grantApprove. */
  readonly approvalActionArns: string[];
}

/** True when some environment, target or CDK stage stack deploys to an account other than the pipeline's. */
export function needsCrossAccountKeys(model: PipelineModel, pipelineAccount: string): boolean {
  const accounts = model.environments.flatMap(e => [
    e.account,
    ...e.deployments.flatMap(d => [d.account, ...(d.stageStacks ?? []).map(s => s.account)]),
  ]);
  return accounts.some(a => a !== undefined && (Token.isUnresolved(a) || Token.isUnresolved(pipelineAccount) || a !== pipelineAccount));
}

/**
 * Renders the graph into a CodePipeline V2 pipeline. Never validates: the model was validated
 * before. Resources of each stage live under `<pipeline>/<Build|Checks|Environments/<env>>`.
 */
export function renderPipeline(scope: Construct, model: PipelineModel, graph: PipelineGraph, options: RenderOptions): RenderedPipeline {
  const stack = Stack.of(scope);
  // Your own bucket with a customer managed key: the replication buckets of other regions get one
  // too (aws-cdk-lib's crossAccountKeys), so a role of another account can decrypt the artifacts
  // there as in the pipeline's region; a bucket without a key keeps aws-cdk-lib's default (no other
  // account may read it: validate() refuses an environment of another account). That default
  // depends on a feature flag: without @aws-cdk/aws-codepipeline:crossAccountKeysDefaultValueToFalse
  // the replication buckets get customer managed keys too, which must rotate like every key the
  // pipeline creates, so the value aws-cdk-lib will use is worked out here.
  const crossAccountKeys = options.artifactBucket
    ? (options.artifactBucket.encryptionKey !== undefined ? true : undefined)
    : needsCrossAccountKeys(model, stack.account);
  const effectiveCrossAccountKeys = crossAccountKeys
    ?? !FeatureFlags.of(scope).isEnabled(cxapi.CODEPIPELINE_CROSS_ACCOUNT_KEYS_DEFAULT_VALUE_TO_FALSE);
  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: model.executionMode as codepipeline.ExecutionMode,
    // a name generated only when a resource of another region or account refers to the pipeline
    // (a grant to a role of a stack elsewhere): aws-cdk-lib refuses such a reference to an unnamed resource
    pipelineName: model.pipelineName ?? PhysicalName.GENERATE_IF_NEEDED,
    artifactBucket: options.artifactBucket,
    crossAccountKeys,
    enableKeyRotation: effectiveCrossAccountKeys ? true : undefined,
    restartExecutionOnUpdate: model.selfUpdate !== undefined,
  });

  const encryptionKey: kms.IKey = pipeline.artifactBucket.encryptionKey
    ?? kms.Alias.fromAliasName(scope, 'AwsManagedS3Key', 'alias/aws/s3');
  const sourceArtifact = new codepipeline.Artifact('Source');
  const buildArtifact = new codepipeline.Artifact('BuildOutput');
  // each additional source's artifact is named like its action; the build takes them as extra inputs
  const additionalInputs = model.additionalSources.map(a => ({ artifact: new codepipeline.Artifact(a.name), name: a.name, directory: a.directory }));

  const approvalActionArns: string[] = [];
  let revision: SourceRevision = {
    description: 'the source revision',
    parts: { before: 'the source revision', variable: '', renderedVariable: '', names: '', after: '' },
  };
  // One role for all manual approvals and one for all CodeBuild actions, trusted by the pipeline's
  // role only (aws-codepipeline would create a role and policy per action).
  const sharedRole = (id: string, what: string, roleName?: string): () => iam.IRole => {
    let role: iam.IRole | undefined;
    return () => role ??= new iam.Role(scope, id, {
      assumedBy: new iam.ArnPrincipal(pipeline.role.roleArn),
      description: `Runs the ${what} of ${scope.node.path}`,
      roleName,
    });
  };
  // a topic or key of another account names the approvals' role in its policy: its name must be known
  const namedApprovalRole = model.environments.some(e => e.approval?.namedRole);
  const base = {
    sourceArtifact,
    buildArtifact,
    encryptionKey,
    customerManagedKey: pipeline.artifactBucket.encryptionKey !== undefined,
    logRetention: model.logRetention,
    pipelineAccount: stack.account,
    pipelineRegion: stack.region,
    pipelineRole: pipeline.role,
    buildPublishesAssets: model.assets?.inBuild ? assetPublishing(scope, model.assets) : undefined,
    approvalRole: sharedRole(APPROVAL_ROLE_ID, 'manual approvals', namedApprovalRole ? uniqueName(scope, APPROVAL_ROLE_ID) : undefined),
    codeBuildActionRole: sharedRole('CodeBuildActionRole', 'CodeBuild actions'),
    fullCloneConnectionArn: model.source.fullCloneConnectionArn,
    dockerLogins: model.dockerLogins,
    ...(additionalInputs.length > 0 ? { additionalInputs } : {}),
  };
  for (const w of model.possibleDoubleStarts ?? []) Annotations.of(scope).addWarningV2('delivery-pipeline:possibleDoubleStart', w);
  if (model.dockerLoginsUnused) {
    Annotations.of(scope).addWarningV2('delivery-pipeline:unusedDockerCredentials',
      `dockerCredentials log in to ${model.dockerLogins!.map(l => l.label).join(', ')}, but no CodeBuild project of the pipeline runs Docker: logins happen only in privileged `
      + 'projects (a privileged build, check, deploy script or test) and in the action that publishes Docker image assets. Set privileged: true where Docker runs, or remove dockerCredentials.');
  }

  for (const stage of graph.stages) {
    const env = stage.environment;
    const stageScope = env ? new Construct(envContainer(scope), env.name) : scope;
    const checksScope = stage.nodes.some(n => n.node.type === 'check') ? new Construct(scope, 'Checks') : undefined;
    const stageActions: codepipeline.IAction[] = [];
    for (const { node, actions: graphActions } of stage.nodes) {
      const first = graphActions[0];
      const ctx: RenderContext = {
        ...base,
        scope: stageScope,
        actionName: first.name,
        runOrder: first.runOrder,
        sourceRevision: revision,
        environment: env,
      };
      switch (node.type) {
        case 'source': {
          const produced = model.source.produce(scope, sourceArtifact);
          revision = produced.revision;
          stageActions.push(produced.action);
          for (const trigger of produced.triggers ?? []) pipeline.addTrigger(trigger);
          break;
        }
        case 'additional-source': {
          const produced = model.additionalSources[node.index].source.produce(scope, additionalInputs[node.index].artifact);
          stageActions.push(produced.action);
          for (const trigger of produced.triggers ?? []) pipeline.addTrigger(trigger);
          break;
        }
        case 'build':
          stageActions.push(...model.build.produce(ctx));
          break;
        case 'check':
          stageActions.push(...model.checks[node.index].produce({ ...ctx, scope: checksScope! }));
          break;
        case 'approval': {
          stageActions.push(env!.approval!.produce(ctx));
          const arn = `${pipeline.pipelineArn}/${stage.name}/${first.name}`;
          approvalActionArns.push(arn);
          for (const given of env!.approval!.approvers) {
            // a role imported into another CDK stage's stack is granted in the pipeline's stack
            const approver = grantableInPipelineStack(scope, given);
            iam.Grant.addToPrincipal({ grantee: approver, actions: ['codepipeline:PutApprovalResult'], resourceArns: [arn] });
            // what `cdk-delivery approve` reads to find the approval: the state, the execution, in
            // PARALLEL mode (no token in the state) the action executions, and with --wait the
            // stage's run orders (GetPipeline) and the rule runs of an execution that failed after
            // the stage's actions succeeded (ListRuleExecutions, which `override` reads too: a
            // list, checked on the pipeline)
            iam.Grant.addToPrincipal({
              grantee: approver,
              actions: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineState', 'codepipeline:GetPipelineExecution',
                'codepipeline:ListActionExecutions', 'codepipeline:ListRuleExecutions'],
              resourceArns: [pipeline.pipelineArn],
            });
            // letting a release through this environment's window or bake time (`cdk-delivery
            // override`) is a decision of its approvers, as with grantApprove
            if (env!.window || env!.blockWhileAlarming || env!.alarmGates.length > 0) {
              iam.Grant.addToPrincipal({
                grantee: approver,
                actions: ['codepipeline:OverrideStageCondition'],
                resourceArns: [pipeline.pipelineArn, `${pipeline.pipelineArn}/${stage.name}`],
              });
            }
          }
          break;
        }
        case 'deployment': {
          const deployment = env!.deployments[node.index];
          stageActions.push(...deployment.produce({
            ...ctx,
            prepareRunOrder: node.prepareRunOrder,
            deployRunOrder: node.deployRunOrder,
            runOrderAt: node.runOrderAt,
            afterRunOrder: node.afterRunOrder,
            beforeRunOrder: node.beforeRunOrder,
          }));
          addAlarmsToOwnedGroup(deployment.codeDeployGroup, deployment.groupAlarms ?? []);
          if (deployment.groupAlarmsWarning) Annotations.of(scope).addWarningV2('delivery-pipeline:groupIgnoresAlarms', deployment.groupAlarmsWarning);
          break;
        }
        case 'self-update': {
          const self = model.selfUpdate!;
          // the execution role and version parameter the pipeline stack's synthesizer names, as cdk deploy uses them
          const deployment = self.deployment!;
          const execRole = iam.Role.fromRoleArn(scope, 'SelfUpdateExecutionRole', deployment.executionRoleArn, { mutable: false });
          // The pipeline stack's template has the bootstrap version parameter, which CloudFormation
          // reads with the action's role.
          const parameter = deployment.bootstrapVersionParameter;
          // the stack's tags, as cdk deploy passes them, in a template configuration file beside the template
          const configuration = selfUpdateTemplateConfiguration(scope, stack, buildArtifact, selfUpdateConfigurationPath(self.templatePath));
          stageActions.push(withActionRolePolicy(withTemplateConfiguration(new actions.CloudFormationCreateUpdateStackAction({
            actionName: first.name,
            runOrder: first.runOrder,
            stackName: self.stackName,
            templatePath: buildArtifact.atPath(self.templatePath),
            adminPermissions: false,
            deploymentRole: execRole,
            cfnCapabilities: [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
          }), configuration), parameter === undefined ? [] : [readBootstrapVersionParameter(stack.account, stack.region, parameter)]));
          break;
        }
        case 'assets':
          stageActions.push(publishAssets(scope, assetPublishing(scope, model.assets!), model.assets!.publisher!, ctx));
          break;
        case 'verification':
          stageActions.push(...env!.verification[node.index].produce(ctx));
          break;
      }
    }
    // an approval a target's or test's factory makes is answered like the library's (grantApprove)
    for (const a of stageActions) {
      const arn = `${pipeline.pipelineArn}/${stage.name}/${a.actionProperties.actionName}`;
      if (a.actionProperties.category === codepipeline.ActionCategory.APPROVAL && !approvalActionArns.includes(arn)) approvalActionArns.push(arn);
    }
    pipeline.addStage({ stageName: stage.name, actions: stageActions, ...(env ? stageConditions(pipeline, env) : {}) });
  }
  scopeReplicationKeyGrants(pipeline);
  scopeOtherRegionActionRoleKeyGrants(pipeline);
  scopeCrossAccountActionRoleKeyGrants(pipeline);
  scopeEcsDeployGrants(pipeline);
  return { pipeline, approvalActionArns };
}

/**
 * One CodeBuild action publishes the file and Docker image assets of every stage, once per
 * execution, assuming the CDK bootstrap publishing roles of the target accounts.
 */
function publishAssets(scope: Construct, publishing: AssetPublishing, environment: PublisherEnvironment, rc: RenderContext): codepipeline.IAction {
  const assetsScope = new Construct(scope, 'Assets');
  if (environment.warning) Annotations.of(scope).addWarningV2('delivery-pipeline:assetPublishingArchitecture', environment.warning);
  const project = createProject(assetsScope, {
    description: `Asset publishing of ${scope.node.path}`,
    install: publishing.install,
    commands: publishCommands(publishing.manifests),
    privileged: publishing.privileged,
    buildImage: environment.buildImage,
    computeType: environment.computeType,
    network: environment.network,
    dockerLogins: rc.dockerLogins,
  }, rc);
  allowAssetPublishing(project, publishing.roles);
  const length = inlineBuildSpecLength(project);
  if (length !== undefined && length.known > MAX_INLINE_BUILDSPEC) {
    const path = scope.node.path;
    throw new DeliveryPipelineValidationError(path, 'environments',
      `'${path}': environments deploy CDK stages whose assets the PublishAssets action publishes with one command per asset manifest `
      + `(${publishing.manifests.length} manifests): an inline buildspec of ${length.exact ? '' : 'at least '}${length.known.toLocaleString('en-US')} characters, `
      + `more than the ${MAX_INLINE_BUILDSPEC.toLocaleString('en-US')} CodeBuild takes inline (the project would fail to deploy). `
      + 'Split the environments over two pipelines, or put the assets in fewer stacks.');
  }
  return new actions.CodeBuildAction({
    actionName: rc.actionName, runOrder: rc.runOrder, project, input: rc.buildArtifact, role: rc.codeBuildActionRole(),
  });
}

/** How the assets of every stage are published: cdk-assets, the manifests, the publishing roles. */
function assetPublishing(scope: Construct, assets: NonNullable<PipelineModel['assets']>): AssetPublishing {
  const stack = Stack.of(scope);
  return {
    install: publisherInstallCommands(assets.cdkAssetsLibVersion),
    manifests: assets.manifests,
    roles: assets.publishingRoles.map(r => r
      .replace(/\$\{AWS::Partition\}/g, stack.partition)
      .replace(/\$\{AWS::AccountId\}/g, stack.account)
      .replace(/\$\{AWS::Region\}/g, stack.region)),
    privileged: assets.dockerImages,
  };
}

/**
 * CodeDeploy stops a deployment whose alarms fire, and rolls it back unless the group says
 * otherwise. When the environment watches alarms and the deployment group belongs to this app, its
 * alarms are added to the group (an imported group cannot be changed; the plan says so).
 */
function addAlarmsToOwnedGroup(group: unknown, alarms: GroupAlarmModel[]): void {
  if (!group || typeof (group as any).addAlarm !== 'function') return;
  const scope = group as Construct;
  for (const { alarm, byName } of alarms) {
    // an alarm of another stack, by its literal name: no reference from the group's stack to it
    const id = byName === undefined ? undefined : `DeliveryAlarm${Names.uniqueId(alarm as unknown as Construct)}`;
    const named = id === undefined ? alarm : scope.node.tryFindChild(id) as cloudwatch.IAlarm ?? cloudwatch.Alarm.fromAlarmName(scope, id, byName!);
    (group as { addAlarm(a: unknown): void }).addAlarm(named);
  }
}

/** A rule name unique in the pipeline (environment names are unique) within CodePipeline's 100 characters. */
function ruleName(env: EnvironmentModel, kind: string, index: number): string {
  const suffix = `.${kind}${index === 0 ? '' : index + 1}`;
  return `${env.name.slice(0, 100 - suffix.length)}${suffix}`;
}

function alarmRules(pipeline: codepipeline.Pipeline, env: EnvironmentModel, gate: AlarmGateModel, kind: string, start = 0): codepipeline.Rule[] {
  // The pipeline's role evaluates the rules: it may read exactly these alarms (every alarm when one
  // is a composite alarm, which CloudWatch describes only to a permission on "*"), or assume the
  // role given for alarms in another account.
  pipeline.role.addToPrincipalPolicy(gate.role
    ? new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [gate.role.roleArn] })
    : describeAlarmsStatement(gate.refs));
  const pipelineRegion = Stack.of(pipeline).region;
  return gate.refs.map((ref, i) => new codepipeline.Rule({
    name: ruleName(env, kind, start + i),
    provider: 'CloudWatchAlarm',
    version: '1',
    // aws-cdk-lib types the rule role as iam.Role; only its ARN is rendered, so any IRole works
    role: gate.role as iam.Role | undefined,
    // the alarm's region when it differs from the pipeline's (the rule then runs there)
    region: ref.region !== undefined && !Token.isUnresolved(pipelineRegion) && ref.region !== pipelineRegion ? ref.region : undefined,
    configuration: {
      AlarmName: ref.name,
      AlarmStates: 'ALARM',
      ...(gate.waitMinutes !== undefined ? { WaitTime: String(gate.waitMinutes) } : {}),
    },
  }));
}

/** Entry, success and failure conditions of an environment's stage. */
function stageConditions(pipeline: codepipeline.Pipeline, env: EnvironmentModel): Partial<codepipeline.StageOptions> {
  const entry: codepipeline.Rule[] = [];
  if (env.window) {
    entry.push(new codepipeline.Rule({
      name: ruleName(env, 'DeploymentWindow', 0),
      provider: 'DeploymentWindow',
      version: '1',
      configuration: { Cron: env.window.expression, TimeZone: env.window.timeZone },
    }));
  }
  if (env.blockWhileAlarming) entry.push(...alarmRules(pipeline, env, env.blockWhileAlarming, 'EntryAlarm'));
  // CodePipeline evaluates the rules of a condition independently: an alarm rule that passed while
  // the execution waited for the window is not checked again when the window opens. An alarm the
  // environment's Verification.alarms also watch still fails (or rolls back) the stage.
  const watched = env.alarmGates.flatMap(g => g.alarms);
  const unwatched = env.window && env.blockWhileAlarming ? env.blockWhileAlarming.alarms.filter(a => !watched.some(w => sameAlarm(a, w))) : [];
  if (unwatched.length > 0) {
    Annotations.of(pipeline.node.scope ?? pipeline).addWarningV2('delivery-pipeline:windowWithEntryAlarms',
      `${env.field}: deploymentWindow and blockWhileAlarming are rules of the same entry condition, and CodePipeline does not check the alarms again `
      + 'when the window opens: a change that waited for the window can enter the environment while an alarm is in ALARM. '
      + `Also watch ${unwatched.map(a => `'${alarmLabel(a)}'`).join(', ')} with Verification.alarms (checked after the deployments; in ALARM the stage fails or rolls back).`);
  }
  // Entry conditions are checked once, when the change enters the stage: an approval inside the
  // stage answered later lets the deployments run at once, whatever the window or the alarms say.
  if (entry.length > 0 && env.approval) {
    const gates = [env.window ? 'deploymentWindow' : undefined, env.blockWhileAlarming ? 'blockWhileAlarming' : undefined].filter(Boolean).join(' and ');
    const review = env.approval.kind !== 'manual-approval';
    const outside = [env.window ? 'outside the window' : undefined, env.blockWhileAlarming ? 'while an alarm is in ALARM' : undefined].filter(Boolean).join(' or ');
    Annotations.of(pipeline.node.scope ?? pipeline).addWarningV2('delivery-pipeline:approvalAfterEntryConditions',
      `${env.field}: ${gates} ${env.window && env.blockWhileAlarming ? 'are' : 'is'} checked when a change enters the stage, before its `
      + `${review ? 'change-set review' : 'approval'} ('${env.approval.actionName}'); CodePipeline does not check ${env.window && env.blockWhileAlarming ? 'them' : 'it'} again `
      + `when the ${review ? 'review' : 'approval'} is answered, so a change approved later deploys at once, even ${outside}. `
      + `Approve ${[env.window ? 'inside the window' : undefined, env.blockWhileAlarming ? 'only while the alarms are OK' : undefined].filter(Boolean).join(' and ')}`
      + `${env.blockWhileAlarming ? ', and watch the alarms with Verification.alarms (checked after the deployments; in ALARM the stage fails or rolls back)' : ''}.`);
  }
  const success: codepipeline.Rule[] = [];
  for (const gate of env.alarmGates) success.push(...alarmRules(pipeline, env, gate, 'BakeAlarm', success.length));
  const rollback = env.onFailure.result === 'ROLLBACK';
  return {
    beforeEntry: entry.length > 0 ? { conditions: [{ result: codepipeline.Result.FAIL, rules: entry }] } : undefined,
    onSuccess: success.length === 0 ? undefined : {
      conditions: [{ result: rollback ? codepipeline.Result.ROLLBACK : codepipeline.Result.FAIL, rules: success }],
    },
    onFailure: env.onFailure.result === 'FAIL' ? undefined : {
      result: rollback ? codepipeline.Result.ROLLBACK : codepipeline.Result.RETRY,
      retryMode: rollback ? undefined : (env.onFailure.retryMode as codepipeline.RetryMode | undefined),
    },
  };
}

function envContainer(scope: Construct): Construct {
  return (scope.node.tryFindChild('Environments') as Construct | undefined) ?? new Construct(scope, 'Environments');
}
