import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { checkBuildOutputReads } from './build-outputs';
import {
  ActionModel, AlarmGateModel, BuildOutputRead, ApprovalModel, AssetManifestModel, AssetsModel,
  DeploymentModel, EnvironmentModel, PipelineModel, SourceModel, WindowModel,
} from './model';
import { approvalActionCount, checkModelQuotas, MAX_ACTIONS_PER_STAGE, MAX_STAGES } from './quotas';
import { ReleaseMode } from './release-mode';
import { BUILD_STAGE, CHECKS_STAGE, PIPELINE_STAGES, reviewActionName, SELF_UPDATE_STAGE, SOURCE_STAGE } from './stage-names';
import { Approval, APPROVAL_ACTION_NAME, CHANGE_SET_REVIEW_ACTION_NAME } from '../approval/approval';
import { BuildStep } from '../build/build-step';
import { dockerLoginsModel } from '../build/docker-credential';
import { QualityCheck, reportArtifactName } from '../build/quality-check';
import { CHANGE_SET_NAME } from '../deploy/cloudformation-names';
import { groupAlarmHandling } from '../deploy/codedeploy-targets';
import { DeploymentTarget } from '../deploy/deployment-target';
import type { EnvironmentOptions } from '../pipeline/environment';
import { claimInApp } from '../private/app-registry';
import { defaultAssemblyDirectory } from '../private/artifact-paths';
import { publisherEnvironment, unfitPublisherImage } from '../private/asset-publisher';
import { checkLogRetention } from '../private/commands-spec';
import { described, isToken, literal, literalName, requireFactoryMade, Validator } from '../private/validation';
import { additionalSourcesModel } from '../sources/additional-source';
import { PipelineSource } from '../sources/pipeline-source';
import { FilterOverlap, filterOverlap, RefFilter } from '../sources/trigger-overlap';
import { DeploymentWindow } from '../verification/deployment-window';
import { FailurePolicy } from '../verification/failure-policy';
import { alarmGateModel, alarmLabel, alarmsForGroup, ownGroupAlarmCount, sameAlarm, Verification } from '../verification/verification';

/** Stage names the pipeline uses itself (defined in stage-names.ts, which the CLI reads too). */
export { SOURCE_STAGE, BUILD_STAGE, CHECKS_STAGE, SELF_UPDATE_STAGE };
/** The action that publishes the assets of every CDK stage (beside the checks, or after the build or the self-update). */
export const ASSETS_ACTION_NAME = 'PublishAssets';
const RESERVED_STAGES = PIPELINE_STAGES;

/** CodeDeploy's limit on the alarms of a deployment group (AlarmConfiguration; AlarmsLimitExceededException). */
const MAX_GROUP_ALARMS = 10;

/** The raw configuration the model is built from (the construct's props plus added environments). */
export interface RawPipelineConfig {
  readonly source: unknown;
  readonly additionalSources?: unknown;
  readonly build: unknown;
  readonly checks?: unknown;
  readonly releaseMode?: unknown;
  readonly executionMode?: unknown;
  readonly pipelineName?: unknown;
  readonly environments: unknown[];
  readonly selfUpdate?: unknown;
  readonly publishAssetsInBuild?: unknown;
  readonly cdkAssetsLibVersion?: unknown;
  readonly logRetention?: unknown;
  readonly dockerCredentials?: unknown;
  readonly pipelineStackName?: string;
  /** The pipeline stack's template, relative to the cloud assembly directory. */
  readonly pipelineTemplatePath?: string;
  /** Account and region of the pipeline's stack (may be tokens). */
  readonly stackAccount: string;
  readonly stackRegion: string;
  /** The pipeline construct, for the checks of what its stack can refer to (alarms of other stages). */
  readonly pipelineScope?: Construct;
}

const MODES = Object.values(ReleaseMode) as string[];
const EXECUTION_MODES = Object.values(codepipeline.ExecutionMode) as string[];

/**
 * Validates the whole configuration and builds the model. Throws the first configuration error
 * as a DeliveryPipelineValidationError; never renders anything.
 */
/** Deployment kinds aws-cdk-lib places in the target's account, with resources there that name the pipeline. */
const SINGLE_ACTION_KINDS = new Set(['codedeploy-server', 'codedeploy-ecs', 'ecs-rolling', 'lambda']);

export function buildModel(v: Validator, raw: RawPipelineConfig): PipelineModel {
  // --- pipeline-wide
  if (raw.releaseMode !== undefined && !MODES.includes(raw.releaseMode as string)) {
    v.fail('releaseMode', 'must be a ReleaseMode', raw.releaseMode, 'Use ReleaseMode.CONTINUOUS_INTEGRATION, CONTINUOUS_DELIVERY or CONTINUOUS_DEPLOYMENT.');
  }
  const releaseModeDefaulted = raw.releaseMode === undefined;
  const releaseMode = (raw.releaseMode as string | undefined)
    ?? (raw.environments.length > 0 ? ReleaseMode.CONTINUOUS_DELIVERY : ReleaseMode.CONTINUOUS_INTEGRATION);
  if (raw.executionMode !== undefined && !EXECUTION_MODES.includes(raw.executionMode as string)) {
    v.fail('executionMode', 'must be a codepipeline.ExecutionMode', raw.executionMode, 'Use ExecutionMode.QUEUED, SUPERSEDED or PARALLEL.');
  }
  const executionMode = (raw.executionMode as string | undefined) ?? codepipeline.ExecutionMode.QUEUED;
  checkLogRetention(v, 'logRetention', raw.logRetention);
  const logRetention = (raw.logRetention ?? v.defaults.logRetention) as number | undefined;
  let pipelineName: string | undefined;
  if (raw.pipelineName !== undefined) {
    const fix = "Use 1 to 100 characters from A-Z, a-z, 0-9, '.', '@', '-' and '_', for example 'shop-delivery'.";
    pipelineName = v.requireString('pipelineName', raw.pipelineName, fix);
    if (!isToken(pipelineName) && (pipelineName.length > 100 || !/^[A-Za-z0-9.@_-]+$/.test(pipelineName))) {
      v.fail('pipelineName', 'is not a name CodePipeline accepts', pipelineName, fix);
    }
  }

  // --- source and build
  if (!(raw.source instanceof PipelineSource)) {
    v.fail('source', 'must be a PipelineSource', raw.source,
      "Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().");
  }
  requireFactoryMade(v, 'source', raw.source, 'PipelineSource');
  const source = raw.source._toModel({ validator: v, field: 'source', pipelineAccount: raw.stackAccount, pipelineRegion: raw.stackRegion });
  if (!(raw.build instanceof BuildStep)) {
    v.fail('buildStep', 'must be a BuildStep', raw.build, "Use BuildStep.commands({ commands: ['npm ci', 'npm test'] }).");
  }
  requireFactoryMade(v, 'buildStep', raw.build, 'BuildStep');
  const build = raw.build._toModel({ validator: v, field: 'buildStep' });
  const additionalSources = additionalSourcesModel(v, raw.additionalSources, raw.stackAccount, raw.stackRegion);
  const possibleDoubleStarts = checkDoubleStarts(v, [{ field: 'source', model: source }, ...additionalSources.filter(a => a.triggersPipeline).map(a => ({ field: a.field, model: a.source }))]);
  const windows = build.buildImage && build.buildImage.image.type.startsWith('WINDOWS') ? build.buildImage : undefined;
  if (additionalSources.length > 0 && windows) {
    v.fail('additionalSources', `are placed at their directories with sh commands (ln -s), which the build's Windows image cannot run; the image comes from ${windows.field}`,
      windows.image.imageId, 'Give the build a Linux image such as codebuild.LinuxBuildImage.STANDARD_7_0, or leave additionalSources out.');
  }

  // --- checks
  const checks: ActionModel[] = [];
  if (raw.checks !== undefined) {
    if (raw.checks instanceof QualityCheck) v.fail('checks', 'must be an array of QualityCheck', described('a single QualityCheck'), 'Wrap it in an array: [QualityCheck.dependencyAudit()].');
    if (!Array.isArray(raw.checks)) v.fail('checks', 'must be an array of QualityCheck', raw.checks, 'Pass [QualityCheck.dependencyAudit()] or leave it out.');
    raw.checks.forEach((c, i) => {
      if (!(c instanceof QualityCheck)) v.fail(`checks[${i}]`, 'must be a QualityCheck', c, 'Use QualityCheck.commands(), .dependencyAudit(), .sourceCodeScan() or .imageScan(repository).');
      requireFactoryMade(v, `checks[${i}]`, c, 'QualityCheck');
      checks.push(c._toModel({
        validator: v,
        field: `checks[${i}]`,
        sourceKind: source.kind,
        pipelineAccount: raw.stackAccount,
        pipelineRegion: raw.stackRegion,
        additionalSourceKinds: Object.fromEntries(additionalSources.map(a => [a.variablesNamespace, a.source.kind])),
      }));
    });
    uniqueNames(v, 'checks', checks.map(c => c.name), 'check');
    // an Amazon Inspector scan writes its report to the artifact '<name>Report'
    const reports = new Map<string, number>();
    for (const [i, c] of checks.entries()) {
      const report = reportArtifactName(c.name);
      const scan = c.kind === 'inspector-source-scan' ? 'a source code scan' : c.kind === 'inspector-image-scan' ? 'an image scan' : undefined;
      if (!scan) continue;
      const taken = additionalSources.find(s => s.name.toLowerCase() === report.toLowerCase());
      if (taken) {
        v.fail(`${taken.field}.name`, `is the name of the report artifact of checks[${i}] ('${c.name}'), ${scan}`, taken.name,
          'Give the additional source another name.');
      }
      // '.' and '@' become '_' in artifact names: 'Scan.A' and 'Scan_A' would write one artifact
      const other = reports.get(report.toLowerCase());
      if (other !== undefined) {
        v.fail(`checks[${i}].name`, `gives the report artifact the same name as checks[${other}] ('${checks[other].name}'): '${report}' ('.' and '@' become '_' in artifact names)`,
          c.name, 'Give the scans names that differ in more than those characters.');
      }
      reports.set(report.toLowerCase(), i);
    }
    // a full clone makes the source artifact a clone reference that only CodeBuild can read
    const sourceScan = checks.findIndex(c => c.kind === 'inspector-source-scan');
    // an ECR source's artifact is imageDetail.json: there is no code to scan
    if (sourceScan >= 0 && source.kind === 'ECR') {
      v.fail(`checks[${sourceScan}]`, "is an Amazon Inspector source code scan, but the pipeline's source is an ECR source, whose artifact holds only imageDetail.json",
        described(`check '${checks[sourceScan].name}'`), 'Scan the image with QualityCheck.imageScan(repository) instead.');
    }
    if (sourceScan >= 0 && source.fullCloneConnectionArn !== undefined) {
      v.fail(`checks[${sourceScan}]`, 'is an Amazon Inspector source code scan, which reads the source artifact, but source.fullClone makes that artifact '
        + 'a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read', described(`check '${checks[sourceScan].name}'`),
      'Leave fullClone out, or scan the code in CodeBuild with QualityCheck.commands(), which clones the repository.');
    }
    // CodePipeline's InspectorScan action is not offered in the China Regions: the pipeline would
    // fail to create, after the whole stack deployment started
    const scan = checks.findIndex(c => c.kind === 'inspector-source-scan' || c.kind === 'inspector-image-scan');
    if (scan >= 0 && !isToken(raw.stackRegion) && raw.stackRegion.startsWith('cn-')) {
      const what = checks[scan].kind === 'inspector-source-scan' ? 'source code scan' : 'image scan';
      v.fail(`checks[${scan}]`, `is an Amazon Inspector ${what} (CodePipeline's InspectorScan action), which CodePipeline does not offer in the China Regions`,
        described(`the pipeline stack's region '${raw.stackRegion}'`), 'Run a scanner in CodeBuild with QualityCheck.commands() instead, or place the pipeline stack in another Region.');
    }
    if (checks.length > MAX_ACTIONS_PER_STAGE) {
      v.fail('checks', `must hold at most ${MAX_ACTIONS_PER_STAGE} checks (CodePipeline's actions-per-stage quota)`, described(`${checks.length} checks`), 'Combine checks into fewer commands.');
    }
  }

  // --- environments
  if (releaseMode === ReleaseMode.CONTINUOUS_INTEGRATION && raw.environments.length > 0) {
    v.fail('environments', 'must be empty under ReleaseMode.CONTINUOUS_INTEGRATION (a CI pipeline releases nothing)',
      described(`${raw.environments.length} environment${raw.environments.length === 1 ? '' : 's'}`),
      'Remove the environments, or choose ReleaseMode.CONTINUOUS_DELIVERY or CONTINUOUS_DEPLOYMENT.');
  }
  const environments = raw.environments.map((e, i) =>
    environmentModel(v, e, i, releaseMode, executionMode, raw.stackRegion, raw.stackAccount, raw.pipelineScope, source.kind,
      build.buildOutputs?.directory));
  // a full clone makes the source artifact a clone reference that only CodeBuild can read
  if (source.fullCloneConnectionArn !== undefined) {
    for (const e of environments) {
      for (const d of e.deployments) {
        if (!d.sourceArtifactInput) continue;
        v.fail(d.sourceArtifactInput.field, `takes ${d.sourceArtifactInput.what} from the source artifact, but source.fullClone makes that artifact a clone `
          + 'reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, so every deployment would fail', described('DeploymentArtifact.SOURCE'),
        'Use DeploymentArtifact.BUILD_OUTPUT (the build can put the files in its output), or leave fullClone out.');
      }
    }
  }
  // a stage nested in a deployed stage holds stacks only a target of its own deploys (in any
  // environment: a nested stage may be of another region than its parent)
  const cdkStages = new Set(environments.flatMap(e => e.deployments.map(d => d.cdkStage)).filter(st => st !== undefined));
  environments.forEach(e => e.deployments.forEach((d, i) => {
    const undeployed = (d.nestedStages ?? []).filter(n => !cdkStages.has(n));
    if (undeployed.length === 0) return;
    v.fail(`${e.field}.deployments[${i}].stage`, 'holds stacks in a stage nested in it, which this target does not deploy and no other target of the pipeline does',
      described(undeployed.slice(0, 3).map(n => `'${n.node.path}'`).join(', ')),
      'Deploy the nested stage with a DeploymentTarget.cdkStage(...) of its own, in the environment of its account and region, or create its stacks in this stage.');
  }));
  const seen = new Map<string, string>();
  for (const env of environments) {
    const key = env.name.toLowerCase();
    const reserved = RESERVED_STAGES.find(r => r.toLowerCase() === key);
    if (reserved) {
      v.fail(`${env.field}.name`, `is the name of the pipeline's own '${reserved}' stage`, env.name, 'Choose another environment name, for example \'staging\'.');
    }
    const previous = seen.get(key);
    if (previous !== undefined) {
      v.fail(`${env.field}.name`, `duplicates the name of ${previous} (environment names must be unique, ignoring case)`, env.name,
        'Give each environment its own name.');
    }
    seen.set(key, env.field);
  }

  checkEnvironmentsAgainstStack(v, environments, raw.stackAccount, raw.stackRegion);
  checkTargetsAcrossEnvironments(v, environments);
  claimTargetsInApp(v, environments);
  // resources aws-cdk-lib creates in a CodeDeploy, ECS or Lambda target's account for the pipeline (an
  // action role, the grants on the pipeline's log groups) refer to the pipeline by its name, which a stack
  // of another account can only take as a literal; CloudFormation, CDK-stage and CodeBuild targets
  // create nothing there
  if (pipelineName !== undefined && isToken(pipelineName) && raw.stackAccount !== undefined && !isToken(raw.stackAccount)) {
    const other = environments.flatMap(e => e.deployments
      .filter(d => SINGLE_ACTION_KINDS.has(d.kind))
      .map(d => d.account ?? e.account)
      .filter((a): a is string => a !== undefined && !isToken(a) && a !== raw.stackAccount).map(a => ({ env: e.name, account: a })))[0];
    if (other) {
      v.fail('pipelineName', `is a token (known at deploy time only), but environment '${other.env}' deploys a CodeDeploy, ECS or Lambda target to account `
        + `${other.account}, whose resources for the pipeline (action roles, log group grants) name the pipeline and need its name at synth`, described('a token'),
      "Pass the name as a string, for example pipelineName: 'shop-delivery' (a context value read with this.node.tryGetContext() is one), or leave it out for a generated name.");
    }
  }

  const selfUpdate = v.optionalBoolean('selfUpdate', raw.selfUpdate) ?? false;
  // a pull request is not merged yet: a pipeline it starts may build, test and check it, not release it
  if (source.pullRequests && (environments.length > 0 || selfUpdate)) {
    const what = environments.length > 0
      ? `under ReleaseMode.${releaseMode} they would move through the environments (${environments.map(e => e.name).join(', ')})`
      : 'with selfUpdate a pull request would update the pipeline itself';
    v.fail('source.pullRequestTriggers', `start the pipeline for pull requests, whose changes are not merged yet; ${what}`,
      described(environments.length > 0 ? `${environments.length} environment${environments.length === 1 ? '' : 's'}` : 'selfUpdate: true'),
      'Build pull requests in a pipeline of their own with ReleaseMode.CONTINUOUS_INTEGRATION (no environments, no selfUpdate), and deliver from the branch in this one.');
  }
  const fixedStages = [SOURCE_STAGE, BUILD_STAGE, ...checks.length > 0 ? [CHECKS_STAGE] : [], ...selfUpdate ? [SELF_UPDATE_STAGE] : []];
  if (fixedStages.length + environments.length > MAX_STAGES) {
    const named = `${fixedStages.slice(0, -1).join(', ')} and ${fixedStages[fixedStages.length - 1]}`;
    v.fail('environments', `must fit CodePipeline's quota of ${MAX_STAGES} stages per pipeline (the pipeline's own ${fixedStages.length} stages, `
      + `${named}, leave room for at most ${MAX_STAGES - fixedStages.length} environments)`,
    described(`${environments.length} environments`), 'Split the environments over two pipelines, or deploy several targets per environment.');
  }

  const inBuild = v.optionalBoolean('publishAssetsInBuild', raw.publishAssetsInBuild) ?? false;
  const cdkAssetsLibVersion = checkCdkAssetsLibVersion(v, raw.cdkAssetsLibVersion);
  const collected = collectAssets(environments);
  const assets = collected
    ? { ...collected, inBuild, cdkAssetsLibVersion, publisher: inBuild ? undefined : publisherEnvironment(v, collected) }
    : undefined;
  const buildImage = build.buildImage;
  const unfit = assets?.inBuild && buildImage ? unfitPublisherImage(buildImage.image, assets.dockerImages) : undefined;
  if (unfit) {
    v.fail('publishAssetsInBuild', `makes the build publish the CDK stages' assets ${unfit}; the build's image comes from ${buildImage!.field}`, buildImage!.image.imageId,
      'Leave publishAssetsInBuild out (a PublishAssets action then publishes them, see DeliveryDefaults.assetPublishingBuildImage), or give the build a Linux container image.');
  }
  const clash = assets && !assets.inBuild ? checks.findIndex(c => c.name.toLowerCase() === ASSETS_ACTION_NAME.toLowerCase()) : -1;
  if (clash >= 0) {
    v.fail(`checks[${clash}].name`, 'is the name of the action that publishes the CDK stages\' assets beside the checks', checks[clash].name, "Give the check another name, for example 'Lint'.");
  }
  if (assets && !assets.inBuild && checks.length === MAX_ACTIONS_PER_STAGE) {
    v.fail('checks', `must hold at most ${MAX_ACTIONS_PER_STAGE - 1} checks when the asset-publishing action runs beside them (CodePipeline's actions-per-stage quota)`,
      described(`${checks.length} checks`), 'Combine checks into fewer commands.');
  }
  const selfUpdateModel = selfUpdate && raw.pipelineStackName && raw.pipelineTemplatePath
    ? {
      stackName: raw.pipelineStackName,
      templatePath: path.posix.join(assemblyDirectory(v, environments, build.buildOutputs?.directory), raw.pipelineTemplatePath),
    }
    : undefined;
  if (selfUpdateModel && raw.stackAccount !== undefined && raw.stackRegion !== undefined) {
    // UpdatePipeline deploys the pipeline's own stack: no other pipeline may deploy it too
    claimStack(v, 'selfUpdate', raw.stackAccount, raw.stackRegion, selfUpdateModel.stackName,
      "Let one pipeline deploy the stack: turn selfUpdate on for one pipeline of a stack only (or give each pipeline a stack of its own), and deploy no pipeline's stack from another pipeline.");
  }
  checkModelQuotas(v, { additionalSources, checks, environments, assets, selfUpdate: selfUpdateModel });
  // the build that publishes Docker image assets runs privileged (Docker needs it): the plan and the policy rules say so
  const publishingBuild = assets?.inBuild === true && assets.dockerImages && !build.privileged ? { ...build, privileged: true } : build;
  const docker = dockerModel(v, raw.dockerCredentials, publishingBuild, checks, environments, assets);
  checkBuildOutputReads(v, build, [
    ...environments.flatMap(e => e.deployments.flatMap(d => d.buildOutputReads ?? [])),
    // the PublishAssets action reads the assets from the build output; the build publishing them
    // itself reads them from its working directory
    ...(assets && !assets.inBuild ? assets.buildOutputReads : []),
    ...(selfUpdateModel ? [{ field: 'selfUpdate', what: "the pipeline stack's template", path: selfUpdateModel.templatePath, movedBy: 'outputDirectory' as const }] : []),
  ]);

  return {
    constructPath: v.constructPath,
    releaseMode,
    releaseModeDefaulted,
    executionMode,
    pipelineName,
    source,
    additionalSources,
    build: docker.build,
    checks: docker.checks,
    environments: docker.environments,
    assets,
    selfUpdate: selfUpdateModel,
    // where the app's templates are in the build output (the first CDK stage's directory; selfUpdate needs all to agree)
    cloudAssemblyDirectory: environments.flatMap(e => e.deployments).find(d => d.cloudAssembly)?.cloudAssembly?.directory
      ?? defaultAssemblyDirectory(build.buildOutputs?.directory),
    dockerLogins: docker.logins,
    dockerLoginsUnused: docker.unused,
    ...(possibleDoubleStarts.length > 0 ? { possibleDoubleStarts } : {}),
    logRetention,
  };
}

/**
 * Two sources that start the pipeline on the same changes would start it twice for each one: the
 * same repository and branch, bucket and key, or repository and tag (`changeKey`). When one of two
 * Git sources of a repository has push triggers, the pushes each starts on are compared instead:
 * a ref both let start the pipeline is refused, naming it; a push to a branch only one watches
 * starts one execution. Patterns that cannot be compared here (a token, a glob the comparison
 * does not model) are accepted with a warning, returned here.
 */
function checkDoubleStarts(v: Validator, triggering: Array<{ readonly field: string; readonly model: SourceModel }>): string[] {
  const warnings: string[] = [];
  const patterns = (f: RefFilter) => {
    const [inc, exc] = f.refs === 'branch' ? ['branchesIncludes', 'branchesExcludes'] : ['tagsIncludes', 'tagsExcludes'];
    const list = (l: readonly string[]) => `[${l.map(p => `'${p}'`).join(', ')}]`;
    return `${inc} ${list(f.includes)}${f.excludes.length > 0 ? `, ${exc} ${list(f.excludes)}` : ''}`;
  };
  triggering.forEach((t, i) => {
    for (const first of triggering.slice(0, i)) {
      // one decision per pair: refused for the first ref both start on, else warned about when undecided
      const [a, b] = [first.model.pushes, t.model.pushes];
      if (a && b && (a.filtered || b.filtered)) {
        if (a.repository !== b.repository) continue;
        const pairs = a.filters.flatMap(fa => b.filters.map(fb => ({ fa, fb, overlap: filterOverlap(fa, fb) })));
        const both = pairs.map(p => p.overlap).find((o): o is Exclude<FilterOverlap, 'undetermined' | undefined> => o !== undefined && o !== 'undetermined');
        if (both !== undefined) {
          const [ref, excludes] = both.refs === 'branch' ? [`a push to branch '${both.name}'`, 'branchesExcludes'] : [`a push of tag '${both.name}'`, 'tagsExcludes'];
          v.fail(`${t.field}.source`, `starts the pipeline on pushes that ${first.field} (${first.model.summary}) starts it on too: ${ref} would start two executions`,
            described(t.model.summary), 'Set triggersPipeline: false on the additional source (every execution reads its newest revision anyway), '
            + `exclude the ${both.refs} from the triggers of one of them (${excludes}), or remove it.`);
        }
        const undecided = pairs.find(p => p.overlap === 'undetermined');
        if (undecided !== undefined) {
          warnings.push(`${t.field} (${t.model.summary}, ${patterns(undecided.fb)}) and ${first.field} (${first.model.summary}, ${patterns(undecided.fa)}) `
            + 'may both start the pipeline on one push: whether a ref matches both could not be decided at synth (a pattern is a token or is not '
            + 'a glob this compares), and a push both match starts two executions. Set triggersPipeline: false on the additional source, '
            + 'or make the patterns plain strings that exclude each other\'s refs.');
        }
        continue;
      }
      if (first.model.changeKey === t.model.changeKey) {
        v.fail(`${t.field}.source`, `starts the pipeline on the same changes as ${first.field} (${first.model.summary}), so each change would start two executions`,
          described(t.model.summary), 'Set triggersPipeline: false on the additional source (every execution reads its newest revision anyway), or remove it.');
      }
    }
  });
  return warnings;
}

/**
 * The Docker logins (the pipeline's `dockerCredentials`, else DeliveryDefaults'), and the parts
 * that run Docker with a plan line saying which registries they log in to.
 */
function dockerModel(
  v: Validator, raw: unknown, build: ActionModel, checks: ActionModel[], environments: EnvironmentModel[], assets: PipelineModel['assets'],
) {
  const own = dockerLoginsModel(v, 'dockerCredentials', raw);
  const logins = own ?? dockerLoginsModel(v, 'DeliveryDefaults.dockerCredentials', v.defaults.dockerCredentials);
  if (!logins || logins.length === 0) return { build, checks, environments, logins: undefined, unused: false };
  const line = `docker login: ${logins.map(l => l.label).join(', ')}`;
  const withLine = <T extends { privileged: boolean; details: string[] }>(a: T): T => a.privileged ? { ...a, details: [...a.details, line] } : a;
  return {
    build: withLine(build),
    checks: checks.map(withLine),
    environments: environments.map(e => ({
      ...e,
      // a CDK stage's Docker images are built by the asset-publishing action, not by the target
      deployments: e.deployments.map(d => d.kind === 'cdk-stage' ? d : withLine(d)),
      verification: e.verification.map(withLine),
    })),
    logins,
    // a login is used only by a project that runs Docker; logins from DeliveryDefaults are for the
    // pipelines that run it, so one that does not is not told to remove what it never set
    unused: own !== undefined && !build.privileged && !checks.some(c => c.privileged) && !(assets?.dockerImages)
      && !environments.some(e => e.verification.some(x => x.privileged) || e.deployments.some(d => d.kind !== 'cdk-stage' && d.privileged)),
  };
}

/**
 * `cdkAssetsLibVersion`: what follows `@aws-cdk/cdk-assets-lib@` in the publisher's install command,
 * so an npm version or tag and nothing a shell would read otherwise. Default `1`, the major the
 * publishing script is written for (see private/asset-publisher.ts).
 */
function checkCdkAssetsLibVersion(v: Validator, value: unknown): string {
  const fix = "Pass an npm version or tag of @aws-cdk/cdk-assets-lib such as '1' or '1.5.0'";
  const version = v.optionalString('cdkAssetsLibVersion', value, `${fix}.`);
  if (version === undefined) return '1';
  if (isToken(version) || !/^[~^]?[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(version)) {
    v.fail('cdkAssetsLibVersion', "must be an npm version or dist-tag (it follows 'npm install @aws-cdk/cdk-assets-lib@')", version,
      `${fix}, or leave it out for '1'.`);
  }
  return version;
}

/**
 * The cloud assembly directory the build's `cdk synth` writes (one app, one directory): the one the
 * CDK stage targets name; when none does, `cdk.out`, or the build output's root when the build's
 * `outputDirectory` is the assembly.
 */
function assemblyDirectory(v: Validator, environments: EnvironmentModel[], outputDirectory: string | undefined): string {
  let first: { readonly directory: string; readonly field: string } | undefined;
  for (const d of environments.flatMap(e => e.deployments)) {
    if (!d.cloudAssembly) continue;
    if (first && d.cloudAssembly.directory !== first.directory) {
      v.fail(d.cloudAssembly.field, `differs from ${first.field} ('${first.directory}'), but one 'cdk synth' writes the pipeline's stack and every stage into one cloud assembly`,
        d.cloudAssembly.directory, `Pass '${first.directory}' to both, the directory the build's 'cdk synth' writes.`);
    }
    first = first ?? d.cloudAssembly;
  }
  return first?.directory ?? defaultAssemblyDirectory(outputDirectory);
}

/**
 * All assets of all environments, published by one action before any environment: beside the
 * checks (in parallel, no extra wait), or, when there are none, after the self-update (selfUpdate) or
 * the build (see buildGraph). No stage of its own, so it costs no stage of CodePipeline's 50.
 */
function collectAssets(environments: EnvironmentModel[]): AssetsModel | undefined {
  if (!environments.some(e => e.deployments.some(d => d.assets))) return undefined;
  const manifests = new Map<string, AssetManifestModel>();
  const roles = new Set<string>();
  const reads: BuildOutputRead[] = [];
  let docker = false;
  // a stage deployed to several environments names the same manifests each time
  const unpinned = new Map<string, number>();
  for (const e of environments) {
    for (const d of e.deployments) {
      if (!d.assets) continue;
      unpinned.set(d.assets.manifests.map(m => m.path).join('\n'), d.assets.imagesWithoutPlatform);
      d.assets.manifests.forEach(m => manifests.set(m.path, m));
      d.assets.publishingRoles.forEach(r => roles.add(r));
      reads.push(...d.assets.buildOutputReads);
      docker = docker || d.assets.dockerImages;
    }
  }
  const imagesWithoutPlatform = [...unpinned.values()].reduce((a, b) => a + b, 0);
  return { manifests: [...manifests.values()], publishingRoles: [...roles], dockerImages: docker, imagesWithoutPlatform, buildOutputReads: reads };
}

/**
 * Cross-region deployments need a pipeline stack with a literal region (aws-cdk-lib creates a
 * replication support stack for each region), and one pipeline must not deploy the same stack
 * twice into one account and region.
 */
function checkEnvironmentsAgainstStack(v: Validator, environments: EnvironmentModel[], stackAccount: string, stackRegion: string): void {
  const deployed = new Map<string, { readonly environment: string; readonly target: string; readonly stage?: unknown }>();
  for (const env of environments) {
    env.deployments.forEach((d, i) => {
      const region = d.region ?? env.region;
      // a region named by the deployment, the environment, or the stacks of a CDK stage
      const stageRegion = region === undefined ? d.stageStacks?.find(s => s.region !== undefined && !isToken(s.region))?.region : undefined;
      const named = region ?? stageRegion;
      if (named !== undefined && !isToken(named) && isToken(stackRegion)) {
        v.fail(`${env.field}.${d.region ? `deployments[${i}].region` : region !== undefined ? 'region' : `deployments[${i}].stage`}`,
          `${region !== undefined ? 'names a region' : 'holds stacks for an explicit region'}, but the pipeline's stack has no explicit region (cross-region deployments need one for the artifact replication bucket)`,
          named, "Give the pipeline's stack an environment: new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } }).");
      }
      // aws-cdk-lib's replication bucket of another region lives in a support stack of the pipeline's account
      if (named !== undefined && !isToken(named) && !isToken(stackRegion) && named !== stackRegion && isToken(stackAccount)
        && (d.kind === 'cloudformation' || d.kind === 'cdk-stage')) {
        v.fail(`${env.field}.${d.region ? `deployments[${i}].region` : region !== undefined ? 'region' : `deployments[${i}].stage`}`,
          `${region !== undefined ? 'names a region' : 'holds stacks for a region'} other than the pipeline's (${stackRegion}), but the pipeline's stack has no `
          + 'explicit account (cross-region deployments need one for the artifact replication bucket)',
          named, "Give the pipeline's stack an environment: new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } }).");
      }
      const stacks = d.stageStacks
        ?? (d.kind === 'cloudformation' && d.stackName !== undefined ? [{ stackName: d.stackName, account: d.account, region: d.region }] : []);
      for (const s of stacks) {
        if (isToken(s.stackName)) continue;
        const account = s.account ?? env.account ?? stackAccount;
        const stackRegionHere = s.region ?? region;
        const where = `${isToken(account) ? 'the pipeline account' : account}/${stackRegionHere ?? (isToken(stackRegion) ? 'the pipeline region' : stackRegion)}`;
        const key = `${where}/${s.stackName}`;
        const target = `deployments[${i}] ('${d.name}')`;
        const field = `${env.field}.deployments[${i}].${d.stageStacks ? 'stage' : 'stackName'}`;
        const previous = deployed.get(key);
        if (previous !== undefined && previous.environment !== env.field) {
          if (d.stageStacks) {
            // one stage in two environments, or two stages whose stack has a fixed stackName
            const fix = previous.stage === d.cdkStage
              ? 'Give each environment a stage of its own (new MyServiceStage(app, \'Prod\', { env }) per environment), or another account or region.'
              : previous.stage !== undefined
                ? `Give the stack a name of its own in each stage (new Stack(this, 'Data', { stackName: \`${s.stackName}-\${this.stageName}\` }) in the stage), `
                  + 'or deploy the stages to another account or region.'
                : 'Give the stack of the stage or the CloudFormation target another stackName, or deploy one of them to another account or region.';
            v.fail(field, `deploys stack '${s.stackName}' into the same account and region (${where}) as ${previous.environment}`, s.stackName, fix);
          }
          v.fail(field, `deploys the same stack into the same account and region (${where}) as ${previous.environment}`, s.stackName, previous.stage !== undefined
            ? 'Give the stack of the stage or the CloudFormation target another stackName, or deploy one of them to another account or region.'
            : 'Give each environment its own stack name (for example with the environment as suffix), account or region.');
        }
        // two targets of one environment on one stack: their change sets (one name) race in parallel
        if (previous !== undefined && previous.target !== target) {
          v.fail(field, `deploys stack '${s.stackName}' into ${where}, which ${previous.target} of the same environment deploys too `
            + `(both would create and execute the change set '${CHANGE_SET_NAME}' of that stack, in parallel)`,
          s.stackName, 'Deploy each stack with one target: remove one of the two, or give it another stack name, account or region.');
        }
        deployed.set(key, { environment: env.field, target, stage: d.cdkStage });
        claimStack(v, `${env.field}.deployments[${i}]${d.stageStacks ? '.stage' : '.stackName'}`, account, stackRegionHere ?? stackRegion, s.stackName);
      }
    });
  }
}

type GroupLike = { deploymentGroupName?: unknown; application?: { applicationName?: unknown }; env?: { account?: string; region?: string } };

/** What a CodeDeploy, ECS or Lambda target deploys to, for the check across environments. */
interface DeployedResource {
  /** The object the target was given (a group, a service, an alias): the same object is the same resource. */
  readonly object: unknown;
  /** Kind, account, region and names, when all are literal: one resource imported twice has one key. */
  readonly key?: string;
  /** The resource in words, e.g. `deployment group 'shop-fleet' of application 'shop' (111111111111/eu-west-1)`. */
  readonly label: string;
  /** The target's field that names it. */
  readonly field: string;
  /** The value the error shows. */
  readonly value: unknown;
  /** `deploys to` / `updates` / `moves`. */
  readonly verb: string;
  /** The kind in words, for the fix. */
  readonly what: string;
}

/** A deployment group's names, account and region, each when literal. */
function groupNames(group: GroupLike): { name?: string; app?: string; account?: string; region?: string } {
  const application = group.application;
  return {
    name: typeof group.deploymentGroupName === 'string' ? literalName(group, group.deploymentGroupName) : undefined,
    app: application && typeof application.applicationName === 'string' ? literalName(application, application.applicationName) : undefined,
    account: literal(group.env?.account),
    region: literal(group.env?.region),
  };
}

function deployedResource(d: DeploymentModel): DeployedResource | undefined {
  const where = (account: string | undefined, region: string | undefined) => (account && region ? ` (${account}/${region})` : '');
  if (d.codeDeployGroup) {
    const group = d.codeDeployGroup as GroupLike;
    const { name, app, account, region } = groupNames(group);
    return {
      object: group,
      key: name && app && account && region ? `group ${account}/${region}/${app}/${name}` : undefined,
      label: `${name ? `deployment group '${name}'${app ? ` of application '${app}'` : ''}` : 'the deployment group'}${where(account, region)}`,
      field: 'deploymentGroup',
      value: name ?? described('a deployment group whose name is a token'),
      verb: 'deploys to',
      what: 'deployment group',
    };
  }
  if (d.ecsService) {
    const service = d.ecsService as { serviceName?: unknown; cluster?: { clusterName?: unknown }; env?: { account?: string; region?: string } };
    const name = typeof service.serviceName === 'string' ? literalName(service, service.serviceName) : undefined;
    const cluster = typeof service.cluster?.clusterName === 'string' ? literalName(service.cluster, service.cluster.clusterName) : undefined;
    const account = literal(service.env?.account);
    const region = literal(service.env?.region);
    return {
      object: service,
      key: name && cluster && account && region ? `service ${account}/${region}/${cluster}/${name}` : undefined,
      label: `${name ? `ECS service '${name}'${cluster ? ` of cluster '${cluster}'` : ''}` : 'the ECS service'}${where(account, region)}`,
      field: 'service',
      value: name ?? described('a service whose name is a token'),
      verb: 'updates',
      what: 'ECS service',
    };
  }
  if (d.lambdaFunction && d.lambdaAlias) {
    // an alias per environment of one function is fine: only the environment's alias moves
    const fn = d.lambdaFunction as { functionName?: unknown; env?: { account?: string; region?: string } };
    const alias = d.lambdaAlias as { aliasName?: unknown };
    const name = typeof fn.functionName === 'string' ? literalName(fn, fn.functionName) : undefined;
    const aliasName = typeof alias.aliasName === 'string' ? literal(alias.aliasName) : undefined;
    const account = literal(fn.env?.account);
    const region = literal(fn.env?.region);
    return {
      object: alias,
      key: name && aliasName && account && region ? `alias ${account}/${region}/${name}:${aliasName}` : undefined,
      label: `${aliasName ? `alias '${aliasName}'` : 'the alias'} of ${name ? `Lambda function '${name}'` : 'the Lambda function'}${where(account, region)}`,
      field: 'alias',
      value: name && aliasName ? `${name}:${aliasName}` : described('an alias whose function or name is a token'),
      verb: 'moves',
      what: 'Lambda alias',
    };
  }
  return undefined;
}

/**
 * One deployment group, ECS service or Lambda alias deployed from two environments: the first one
 * deploys each change to it before the second one's gates (its approval, its entry conditions, the
 * verification of the environments between them) decide, so staging would deploy the production
 * fleet before anyone approves. The same resource is the same object, or the same names in the
 * same account and region when they are literal (a resource imported twice). CloudFormation stacks
 * are checked the same way in checkEnvironmentsAgainstStack.
 */
function checkTargetsAcrossEnvironments(v: Validator, environments: EnvironmentModel[]): void {
  const seen: Array<DeployedResource & { readonly environment: string }> = [];
  for (const env of environments) {
    env.deployments.forEach((d, i) => {
      const resource = deployedResource(d);
      if (!resource) return;
      const previous = seen.find(p => p.environment !== env.field
        && (p.object === resource.object || (resource.key !== undefined && p.key === resource.key)));
      if (previous) {
        v.fail(`${env.field}.deployments[${i}].${resource.field}`,
          `${resource.verb} ${resource.label}, which ${previous.environment} ${previous.verb} too: each change would reach it in ${previous.environment}, `
          + `before the gates of ${env.field} (its approval, its entry conditions, the checks in between) are passed`,
          resource.value, `Give each environment ${/^[AEIOU]/.test(resource.what) ? 'an' : 'a'} ${resource.what} of its own, or deploy this one from one environment only.`);
      }
      seen.push({ ...resource, environment: env.field });
    });
  }
}

/**
 * One deployment group, ECS service or Lambda alias deployed by two pipelines of the app: each
 * pipeline would deploy its own changes to it, replacing what the other deployed, without the other
 * pipeline's approvals and checks (and CodeDeploy refuses a deployment to a group while another one
 * is in progress). The same resource is the same object, or the same names in the same account and
 * region when they are all literal (a resource imported into each pipeline's stack). When a name,
 * the account or the region is a token, two imports cannot be told apart at synth: only the object
 * is compared, and two imports of one resource are not refused.
 */
function claimTargetsInApp(v: Validator, environments: EnvironmentModel[]): void {
  if (!v.root) return;
  for (const env of environments) {
    env.deployments.forEach((d, i) => {
      const resource = deployedResource(d);
      if (!resource || resource.object === null || typeof resource.object !== 'object') return;
      const other = claimInApp(v.root!, 'deployedTargets', resource.key, v.constructPath, resource.object);
      if (other === undefined) return;
      v.fail(`${env.field}.deployments[${i}].${resource.field}`,
        `${resource.verb} ${resource.label}, which the pipeline '${other}' ${resource.verb} too: each pipeline would deploy its own changes to it, `
        + "replacing the other's, without the other's approvals and checks",
        resource.value, `Deploy it from one pipeline only: remove it from one of the two, or give each pipeline ${/^[AEIOU]/.test(resource.what) ? 'an' : 'a'} `
        + `${resource.what} of its own.`);
    });
  }
}

/**
 * One deployment group deployed by two targets of one environment: both actions run in parallel,
 * and CodeDeploy refuses a deployment to a group while another one is in progress there. The same
 * group is the same object, or the same application and group name in the same account and region
 * when they are literal (a group imported twice). One group in two environments is refused by
 * checkTargetsAcrossEnvironments.
 */
function checkDeploymentGroupsOnce(v: Validator, field: string, deployments: DeploymentModel[]): void {
  const seen: Array<{ readonly group: unknown; readonly key?: string; readonly target: string }> = [];
  deployments.forEach((d, i) => {
    const group = d.codeDeployGroup as GroupLike | undefined;
    if (!group) return;
    const { name: groupName, app: applicationName, account, region } = groupNames(group);
    const key = groupName && applicationName && account && region ? `${account}/${region}/${applicationName}/${groupName}` : undefined;
    const previous = seen.find(p => p.group === group || (key !== undefined && p.key === key));
    if (previous) {
      const named = groupName ? `deployment group '${groupName}'${applicationName ? ` of application '${applicationName}'` : ''}` : 'the deployment group';
      v.fail(`${field}.deployments[${i}].deploymentGroup`,
        `deploys to ${named}, which ${previous.target} of the same environment deploys to too (the two actions run in parallel, `
        + 'and CodeDeploy refuses a deployment to a group while another one is in progress)',
        groupName ?? described('a deployment group whose name is a token'), 'Deploy each deployment group with one target: remove one of the two.');
    }
    seen.push({ group, key, target: `deployments[${i}] ('${d.name}')` });
  });
  // the same for ECS rolling updates: two updates of one service at once would race, each
  // replacing the other's task definition
  const services: Array<{ readonly service: unknown; readonly key?: string; readonly target: string }> = [];
  deployments.forEach((d, i) => {
    const service = d.ecsService as { serviceName?: unknown; cluster?: { clusterName?: unknown } } | undefined;
    if (!service) return;
    const serviceName = typeof service.serviceName === 'string' && !isToken(service.serviceName) ? service.serviceName : undefined;
    const clusterName = typeof service.cluster?.clusterName === 'string' && !isToken(service.cluster.clusterName) ? service.cluster.clusterName : undefined;
    const key = serviceName && clusterName ? `${clusterName}/${serviceName}` : undefined;
    const previous = services.find(p => p.service === service || (key !== undefined && p.key === key));
    if (previous) {
      v.fail(`${field}.deployments[${i}].service`,
        `updates ${serviceName ? `ECS service '${serviceName}'` : 'the ECS service'}, which ${previous.target} of the same environment updates too (the two rolling updates `
        + 'would run in parallel, each replacing the task definition of the other)',
        serviceName ?? described('a service whose name is a token'), 'Deploy each service with one target: remove one of the two.');
    }
    services.push({ service, key, target: `deployments[${i}] ('${d.name}')` });
  });
  // and for Lambda deployments: two would publish versions of one function and move its alias at once
  const functions: Array<{ readonly fn: unknown; readonly key?: string; readonly target: string }> = [];
  deployments.forEach((d, i) => {
    const fn = d.lambdaFunction as { functionName?: unknown; env?: { account?: string; region?: string } } | undefined;
    if (!fn) return;
    const name = typeof fn.functionName === 'string' ? literalName(fn, fn.functionName) : undefined;
    const account = literal(fn.env?.account);
    const region = literal(fn.env?.region);
    const key = name && account && region ? `${account}/${region}/${name}` : undefined;
    const previous = functions.find(p => p.fn === fn || (key !== undefined && p.key === key));
    if (previous) {
      v.fail(`${field}.deployments[${i}].alias`,
        `deploys ${name ? `Lambda function '${name}'` : 'the Lambda function'}, which ${previous.target} of the same environment deploys too (the two deployments `
        + 'would run in parallel, each publishing a version and moving the alias)',
        name ?? described('a function whose name is a token'), 'Deploy each function with one target: remove one of the two.');
    }
    functions.push({ fn, key, target: `deployments[${i}] ('${d.name}')` });
  });
}

/**
 * One stack deployed by two pipelines of the app (same account, region and name): both would
 * create and execute the same change set, and one could execute the other's revision.
 */
function claimStack(v: Validator, field: string, account: string, region: string, stackName: string, fix?: string): void {
  if (!v.root || isToken(account) || isToken(region)) return;
  const other = claimInApp(v.root, 'deployedStacks', `${account}/${region}/${stackName}`, v.constructPath);
  if (other !== undefined) {
    v.fail(field, `deploys stack '${stackName}' into ${account}/${region}, which the pipeline '${other}' deploys too`, stackName,
      fix ?? 'Deploy each stack from one pipeline; give the other pipeline its own stage or stack names (or another account or region).');
  }
}

function uniqueNames(v: Validator, field: string, names: string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) v.fail(field, `has two ${what}s named '${name}' (action names must be unique in a stage)`, name, `Give each ${what} its own name.`);
    seen.add(name);
  }
}

function environmentModel(
  v: Validator, raw: unknown, index: number, releaseMode: string, executionMode: string, pipelineRegion: string, pipelineAccount: string,
  pipelineScope?: Construct, sourceKind?: string, buildOutputDirectory?: string,
): EnvironmentModel {
  const field = `environments[${index}]`;
  v.requireObject(field, raw, "Pass { name: 'staging', deployments: [...] }.");
  const e = raw as EnvironmentOptions;
  const name = v.pipelineName(`${field}.name`, e.name, 'environment name');
  const f = `${field} ('${name}')`;
  v.noMisspeltFields(f, raw, 'EnvironmentOptions');
  const production = v.optionalBoolean(`${f}.production`, e.production) ?? false;
  const account = v.optionalString(`${f}.account`, e.account, "Pass a 12-digit account id such as '111111111111'.");
  if (account !== undefined && !isToken(account) && !/^\d{12}$/.test(account)) {
    v.fail(`${f}.account`, 'must be a 12-digit AWS account id', account, "Pass the account id as a string, for example '111111111111'.");
  }
  const region = v.optionalRegion(`${f}.region`, e.region, pipelineRegion);
  const acknowledgeUnverifiedProduction = v.optionalBoolean(`${f}.acknowledgeUnverifiedProduction`, e.acknowledgeUnverifiedProduction) ?? false;

  // deployments
  if (!Array.isArray(e.deployments)) {
    v.fail(`${f}.deployments`, 'must be an array of DeploymentTarget', e.deployments, 'Pass at least one target, for example [DeploymentTarget.cloudFormation({ stackName, templatePath })].');
  }
  if (e.deployments.length === 0) {
    v.fail(`${f}.deployments`, 'must hold at least one deployment target (an environment that deploys nothing is not an environment)', e.deployments,
      'Add a DeploymentTarget, or remove the environment.');
  }
  // what the environment's parts know of where they run
  const environmentContext = {
    validator: v,
    pipelineAccount,
    pipelineRegion,
    pipelineScope,
    environmentAccount: account,
    environmentRegion: region,
    environmentName: name,
    buildOutputDirectory,
  };
  const asGiven: DeploymentModel[] = e.deployments.map((d, i) => {
    if (!(d instanceof DeploymentTarget)) {
      v.fail(`${f}.deployments[${i}]`, 'must be a DeploymentTarget', d, 'Use DeploymentTarget.cloudFormation(), .commands() or .fromActionFactory().');
    }
    requireFactoryMade(v, `${f}.deployments[${i}]`, d, 'DeploymentTarget');
    // the pipeline's scope and the environment place the alarms a target watches (a Lambda deployment's)
    return d._toModel({ ...environmentContext, field: `${f}.deployments[${i}]`, sourceKind, releaseMode },
      { name, account, region, pipelineRegion, pipelineAccount });
  });
  // CDK stages of one environment with stacks of one name (in other accounts or regions): their
  // actions, named after the stacks, are told apart by the stage's name, as CDK Pipelines names them
  const stageStackNameCount = new Map<string, number>();
  for (const d of asGiven) {
    const names = new Set((d.stageStacks ?? []).map(st => st.stackName).filter(x => !isToken(x)));
    for (const n of names) stageStackNameCount.set(n, (stageStackNameCount.get(n) ?? 0) + 1);
  }
  const modelled = asGiven.map(d => d.qualifyActionNames && (d.stageStacks ?? []).some(st => (stageStackNameCount.get(st.stackName) ?? 0) > 1)
    ? d.qualifyActionNames() : d);
  const alarmContext = { ...environmentContext, field: f, environmentDeployments: modelled };
  // deploy scripts that read stack outputs resolve them against the environment's other deployments
  const outputNamespaces: Record<string, string> = {};
  const deployments = modelled.map((d, i) => {
    const outputs = d.resolveOutputs?.({ ...alarmContext, field: `${f}.deployments[${i}]` });
    if (!outputs) return d;
    Object.assign(outputNamespaces, outputs.namespaces);
    return { ...d, details: [...d.details, ...outputs.details] };
  });

  checkDeploymentGroupsOnce(v, f, deployments);


  // verification: test actions and alarm gates
  const verification: ActionModel[] = [];
  const alarmGates: AlarmGateModel[] = [];
  const gateIndex: number[] = [];
  if (e.verification !== undefined) {
    if (!Array.isArray(e.verification)) v.fail(`${f}.verification`, 'must be an array of Verification', e.verification, "Pass [Verification.commands('smoke', [...])] or leave it out.");
    e.verification.forEach((x, i) => {
      if (!(x instanceof Verification)) v.fail(`${f}.verification[${i}]`, 'must be a Verification', x, "Use Verification.commands('smoke', ['curl -fsS $URL/health']) or Verification.alarms([...]).");
      requireFactoryMade(v, `${f}.verification[${i}]`, x, 'Verification');
      const m = x._toModel({ ...alarmContext, field: `${f}.verification[${i}]` });
      if (m.action) verification.push(m.action);
      if (m.alarmGate) {
        alarmGates.push(m.alarmGate);
        gateIndex.push(i);
      }
      Object.assign(outputNamespaces, m.outputNamespaces ?? {});
    });
  }
  const alarmsInGates = alarmGates.reduce((n, g) => n + g.alarms.length, 0);
  if (alarmsInGates > 5) {
    v.fail(`${f}.verification`, 'watches more than 5 alarms (CodePipeline allows 5 rules in a condition)', described(`${alarmsInGates} alarms`),
      'Combine the alarms into a composite alarm (cloudwatch.CompositeAlarm).');
  }
  // the same alarm in two Verification.alarms would take two of the condition's 5 rules
  alarmGates.forEach((g, gi) => {
    for (const [ai, a] of g.alarms.entries()) {
      const ei = alarmGates.findIndex((earlier, k) => k < gi && earlier.alarms.some(b => sameAlarm(a, b)));
      if (ei < 0) continue;
      v.fail(`${f}.verification[${gateIndex[gi]}].alarms[${ai}]`, `is also watched by verification[${gateIndex[ei]}]; two gates on one alarm take two of the `
        + "on-success condition's 5 rules and the shorter bake time adds nothing", described(alarmLabel(a)),
      'Watch each alarm in one Verification.alarms, with the longest bake time you need.');
    }
  });

  // CodeDeploy groups stop (and roll back) on the environment's alarms (owned groups, alarms of
  // their account and region), say so in the plan
  const alarmCount = alarmGates.reduce((n, g) => n + g.alarms.length, 0);
  const deploymentsWithAlarms = alarmCount === 0 ? deployments : deployments.map((d, i) => {
    if (d.codeDeployGroup === undefined) return d;
    if (typeof (d.codeDeployGroup as any).addAlarm !== 'function') {
      return { ...d, details: [...d.details, 'imported deployment group: its alarms and auto-rollback are not changed by the pipeline; configure them on the group'] };
    }
    const group = d.codeDeployGroup as Construct & { env: { account: string; region: string }; deploymentGroupName: string };
    const { added: groupAlarms, unnamed, already, own } = alarmsForGroup(group, alarmGates);
    const added = groupAlarms.length;
    const label = literalName(group, group.deploymentGroupName) ?? group.node.path;
    // the group's own alarms now, then again at validation (alarms added to the group after the pipeline count too)
    const limitError = (ownNow: number): Parameters<Validator['fail']> | undefined => (added > 0 && ownNow + added > MAX_GROUP_ALARMS ? [
      `${f}.verification`, `adds ${added} alarm${added === 1 ? '' : 's'} to deployment group '${label}' (deployments[${i}]), which has ${ownNow} of its own: `
        + `${ownNow + added} alarms, more than the ${MAX_GROUP_ALARMS} CodeDeploy allows on a deployment group (its stack would fail to deploy)`,
      described(`${ownNow} + ${added} alarms`),
      `Combine alarms into a composite alarm (cloudwatch.CompositeAlarm), or give the group at most ${MAX_GROUP_ALARMS - added} alarms of its own.`,
    ] : undefined);
    const now = limitError(own);
    if (now) v.fail(...now);
    const groupAlarmsLimitError = added === 0 ? undefined : () => {
      const later = limitError(ownGroupAlarmCount(group, groupAlarms));
      return later ? v.message(...later) : undefined;
    };
    const handling = added === 0 ? undefined : groupAlarmHandling(group);
    const reaction = handling === undefined ? "CodeDeploy stops when one fires, and rolls back as the group's autoRollback says"
      : !handling.watched ? 'CodeDeploy neither stops nor rolls back when one fires'
        : handling.rollsBack ? 'CodeDeploy stops and rolls back when one fires' : 'CodeDeploy stops (no automatic rollback) when one fires';
    const left = alarmCount - added - unnamed - already;
    const addedText = added === 0 ? '' : `the environment's ${added === alarmCount ? `${added} ` : `${added} of ${alarmCount} `}alarm${alarmCount === 1 ? '' : 's'} `
      + `added to the deployment group${handling?.watched === false ? ', which ignores its alarms (ignoreAlarmConfiguration)' : ''}: ${reaction}`;
    const leftText = left === 0 ? '' : `${left} alarm${left === 1 ? '' : 's'} of another account, region or CDK stage not added to the deployment group (CodeDeploy watches alarms of its own account and region)`;
    const unnamedText = unnamed === 0 ? '' : `${unnamed} alarm${unnamed === 1 ? '' : 's'} of another stack with a generated name not added to the deployment group `
      + "(the group's stack would refer to it and the pipeline's stack to the group: give the alarm an alarmName, or define it in the group's stack)";
    const alreadyText = already === 0 ? '' : `${already} of the environment's alarms already on the deployment group (its own alarms)`;
    const groupAlarmsWarning = handling?.watched !== false ? undefined
      : `${f}.deployments[${i}].deploymentGroup '${label}' ignores its alarms (ignoreAlarmConfiguration: true): CodeDeploy neither stops nor rolls back `
        + "its deployments when one of the environment's alarms the pipeline adds to it fires. Verification.alarms still checks them after the deployments "
        + '(in ALARM the stage fails or rolls back). Set ignoreAlarmConfiguration to false when the alarms should stop a deployment again.';
    return {
      ...d,
      groupAlarms,
      groupAlarmsWarning,
      groupAlarmsLimitError,
      details: [...d.details, ...[addedText, alreadyText, leftText, unnamedText].filter(Boolean)],
    };
  });

  // entry conditions and failure policy
  let window: WindowModel | undefined;
  if (e.deploymentWindow !== undefined) {
    if (!(e.deploymentWindow instanceof DeploymentWindow)) {
      v.fail(`${f}.deploymentWindow`, 'must be a DeploymentWindow', e.deploymentWindow, "Use DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Paris').");
    }
    requireFactoryMade(v, `${f}.deploymentWindow`, e.deploymentWindow, 'DeploymentWindow');
    window = e.deploymentWindow._toModel({ validator: v, field: `${f}.deploymentWindow` });
  }
  if (e.blockWhileAlarming === undefined && e.blockWhileAlarmingRole !== undefined) {
    v.fail(`${f}.blockWhileAlarmingRole`, 'is the role that reads the alarms of blockWhileAlarming, but blockWhileAlarming is not given (the role would do nothing)',
      described('a role'), 'Pass blockWhileAlarming: [alarm, ...] with it, or leave the role out.');
  }
  const blockWhileAlarming = e.blockWhileAlarming === undefined ? undefined
    : alarmGateModel({ ...alarmContext, field: `${f}.blockWhileAlarming` }, e.blockWhileAlarming, undefined, 'not entered while in ALARM',
      e.blockWhileAlarmingRole, `${f}.blockWhileAlarmingRole`);
  // the window and the entry alarms are the rules of the stage's one entry condition
  const entryRules = (window ? 1 : 0) + (blockWhileAlarming?.alarms.length ?? 0);
  if (entryRules > 5) {
    v.fail(`${f}.blockWhileAlarming`, 'with the deployment window needs more than 5 rules in the entry condition (CodePipeline allows one entry condition of at most 5 rules)',
      described(`${entryRules} rules: the deployment window and ${entryRules - 1} alarms`), 'Pass at most 4 alarms beside a deployment window, or combine them into a composite alarm (cloudwatch.CompositeAlarm).');
  }
  let onFailure: EnvironmentModel['onFailure'];
  if (e.onFailure !== undefined) {
    if (!(e.onFailure instanceof FailurePolicy)) {
      v.fail(`${f}.onFailure`, 'must be a FailurePolicy', e.onFailure, 'Use FailurePolicy.ROLLBACK, FailurePolicy.FAIL, FailurePolicy.RETRY or FailurePolicy.retry(mode).');
    }
    if (e.onFailure.result === 'ROLLBACK' && executionMode === codepipeline.ExecutionMode.PARALLEL) {
      v.fail(`${f}.onFailure`, 'is FailurePolicy.ROLLBACK, which CodePipeline does not support in PARALLEL execution mode', described('FailurePolicy.ROLLBACK'),
        'Use FailurePolicy.FAIL or RETRY, or the QUEUED or SUPERSEDED execution mode.');
    }
    if (e.onFailure.result === 'RETRY' && !(Object.values(codepipeline.RetryMode) as unknown[]).includes(e.onFailure.retryMode)) {
      v.fail(`${f}.onFailure`, 'has a retry mode CodePipeline does not know', e.onFailure.retryMode,
        'Use FailurePolicy.retry(codepipeline.RetryMode.FAILED_ACTIONS) or FailurePolicy.retry(codepipeline.RetryMode.ALL_ACTIONS).');
    }
    onFailure = { result: e.onFailure.result, retryMode: e.onFailure.retryMode, defaulted: false };
  } else {
    const rollback = production && executionMode !== codepipeline.ExecutionMode.PARALLEL;
    onFailure = { result: rollback ? 'ROLLBACK' : 'FAIL', defaulted: true };
  }

  // approval
  let approval: ApprovalModel | undefined;
  if (e.approval !== undefined) {
    if (!(e.approval instanceof Approval)) v.fail(`${f}.approval`, 'must be an Approval', e.approval, 'Use Approval.manual() or Approval.changeSetReview().');
    requireFactoryMade(v, `${f}.approval`, e.approval, 'Approval');
    if (releaseMode === ReleaseMode.CONTINUOUS_DEPLOYMENT) {
      v.fail(`${f}.approval`, 'is a manual approval, which ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides; automated checks do)',
        described(e.approval._describe()), 'Remove the approval and gate the environment with verification, or use ReleaseMode.CONTINUOUS_DELIVERY.');
    }
    approval = e.approval._toModel({ validator: v, field: `${f}.approval`, pipelineAccount }, name, false);
    const reviewed = deployments.findIndex(d => d.wantsChangeSetReview);
    if (approval.kind === 'manual-approval' && reviewed >= 0) {
      // an environment has one approval: the manual one comes before the change sets exist, and
      // the review the target asks for would be left out without a word
      v.fail(`${f}.deployments[${reviewed}].changeSetReview`,
        `asks for a review of the change sets between their creation and execution, but ${f}.approval is Approval.manual(), which comes before the change sets are created (an environment has one approval)`,
        true, 'Use approval: Approval.changeSetReview() to have a person review the change sets, or remove changeSetReview to approve before the deployment.');
    }
    if (approval.kind === 'change-set-review' && !deployments.some(d => d.hasPreparePhase)) {
      v.fail(`${f}.approval`, 'is Approval.changeSetReview(), but the environment has no CloudFormation target whose change set could be reviewed',
        described(`deployments of kinds ${deployments.map(d => d.kind).join(', ')}`), 'Use Approval.manual(), or add a DeploymentTarget.cloudFormation() or DeploymentTarget.cdkStage().');
    }
  } else if (deployments.some(d => d.wantsChangeSetReview)) {
    if (releaseMode === ReleaseMode.CONTINUOUS_DEPLOYMENT) {
      v.fail(`${f}.deployments`, 'asks for a change-set review (changeSetReview: true), a manual approval ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow',
        described('changeSetReview: true'), 'Remove changeSetReview, or use ReleaseMode.CONTINUOUS_DELIVERY.');
    }
    approval = Approval.changeSetReview()._toModel({ validator: v, field: `${f}.approval` }, name, false);
  } else if (production && releaseMode === ReleaseMode.CONTINUOUS_DELIVERY) {
    approval = Approval.manual()._toModel({ validator: v, field: `${f}.approval` }, name, true);
  }

  const automated = verification.length > 0 || alarmGates.length > 0;
  if (production && releaseMode === ReleaseMode.CONTINUOUS_DEPLOYMENT && !automated && !acknowledgeUnverifiedProduction) {
    v.fail(`${f}.verification`, 'is empty, but under ReleaseMode.CONTINUOUS_DEPLOYMENT a production environment needs automated verification',
      described('no verification'), 'Add Verification.commands(...) or Verification.alarms(...), or set acknowledgeUnverifiedProduction: true to accept the risk.');
  }

  // action names in the stage
  const actionNames: string[] = [];
  const approvalActions = approvalActionCount({ approval, deployments });
  for (let level = 0; level < approvalActions; level++) actionNames.push(reviewActionName(approval!.actionName, level));
  for (const d of deployments) actionNames.push(...d.actionNames.map(a => a.name));
  actionNames.push(...verification.map(x => x.name));
  // two CDK stages of the environment with a stack of one stackName: the actions are named after it
  // (or a stage and a CloudFormation target: the check of the stacks the pipeline deploys would
  // come after the action names, whose advice, renaming, cannot help)
  const stageStackNames = new Map<string, { readonly target: string; readonly stage?: Stage; readonly artifactId?: string }>();
  const stackPath = (stage: Stage, artifactId: string | undefined): string =>
    stage.node.findAll().find(c => Stack.isStack(c) && Stage.of(c) === stage && c.artifactId === artifactId)?.node.path ?? String(artifactId);
  deployments.forEach((d, i) => {
    const named = d.stageStacks
      ?? (d.kind === 'cloudformation' && d.stackName !== undefined ? [{ stackName: d.stackName, account: d.account, region: d.region }] : []);
    for (const st of named) {
      if (isToken(st.stackName)) continue;
      const key = `${literal(st.account ?? account ?? pipelineAccount) ?? '?'}/${literal(st.region ?? region ?? pipelineRegion) ?? '?'}/${st.stackName}`;
      const earlier = stageStackNames.get(key);
      if (earlier !== undefined && d.cdkStage !== undefined && earlier.target === `deployments[${i}]`) {
        // two stacks of one stage with one stackName: the stage is deployed once, its stacks clash
        const paths = [stackPath(d.cdkStage, earlier.artifactId), stackPath(d.cdkStage, 'artifactId' in st ? st.artifactId : undefined)];
        v.fail(`${f}.deployments[${i}].stage`, `holds two stacks named '${st.stackName}', ${paths.map(p => `'${p}'`).join(' and ')}: CloudFormation has one stack of a name `
          + 'in an account and region, so the environment would deploy each template over the other', st.stackName,
        `Give one of them a stackName of its own (new Stack(this, '${paths[1].split('/').pop()}', { stackName }) in the stage), or leave its stackName out `
          + 'to have it named after its construct path.');
      }
      if (earlier !== undefined && (earlier.stage !== undefined || d.cdkStage !== undefined)) {
        const both = earlier.stage !== undefined && d.cdkStage !== undefined;
        v.fail(`${f}.deployments[${i}].${d.cdkStage ? 'stage' : 'stackName'}`, `${d.cdkStage ? 'holds' : 'deploys'} stack '${st.stackName}', as `
          + `${earlier.stage ? 'the stage of ' : ''}${earlier.target} does: one environment would deploy that stack twice`,
        st.stackName, earlier.stage === d.cdkStage ? 'Deploy the stage once in the environment.'
          : both ? `Give the stack a name of its own in each stage (new Stack(this, 'Data', { stackName: \`${st.stackName}-\${this.stageName}\` }) in the stage).`
            : 'Deploy each stack with one target: remove the CloudFormation target, or give it or the stage\'s stack another stackName.');
      }
      stageStackNames.set(key, { target: `deployments[${i}]`, stage: d.cdkStage, artifactId: 'artifactId' in st ? st.artifactId : undefined });
    }
  });
  const seen = new Set<string>();
  for (const n of actionNames) {
    if (seen.has(n)) {
      const reserved = n === APPROVAL_ACTION_NAME || n === CHANGE_SET_REVIEW_ACTION_NAME;
      v.fail(`${f}`, `has two actions named '${n}' (names of deployments and verification must be unique in an environment${reserved ? ` and '${n}' is the approval's name` : ''})`,
        n, 'Rename one of them.');
    }
    seen.add(n);
  }
  // each deployment and test is a construct named after it (its project, roles, imports): a
  // CloudFormation target named 'api' (actions api.Prepare, api.Deploy) and a script 'api' would
  // pass the action-name check above and then collide in the construct tree
  const parts = new Map<string, string>();
  const partsOf: Array<[string, string]> = [
    ...deployments.map((d, i): [string, string] => [d.name, `deployments[${i}]`]),
    ...verification.map((x, i): [string, string] => [x.name, `verification[${i}]`]),
  ];
  for (const [n, where] of partsOf) {
    const first = parts.get(n);
    if (first !== undefined) {
      v.fail(`${f}.${where}`, `is named '${n}' like ${first} (deployments and verification need distinct names in an environment; a CloudFormation target is named after its stack)`,
        n, `Rename one of them: give the script or test another name, or the CloudFormation target a name of its own (name: '${n}-stack').`);
    }
    parts.set(n, where);
  }
  if (actionNames.length > MAX_ACTIONS_PER_STAGE) {
    const reviews = approval?.kind === 'change-set-review' && approvalActions > 1;
    v.fail(`${f}.deployments`, `must fit CodePipeline's quota of ${MAX_ACTIONS_PER_STAGE} actions per stage`,
      described(`${actionNames.length} actions${reviews ? ` (${approvalActions} of them change-set reviews, one per dependency level of the stacks)` : ''}`),
      reviews ? 'Split the targets over two environments, or gate the environment with Approval.manual() instead of a change-set review (one action).'
        : 'Split the targets over two environments.');
  }

  return {
    name,
    production,
    account,
    region,
    approval,
    deployments: deploymentsWithAlarms,
    verification,
    acknowledgeUnverifiedProduction,
    alarmGates,
    window,
    blockWhileAlarming,
    onFailure,
    outputNamespaces: Object.keys(outputNamespaces).length > 0 ? outputNamespaces : undefined,
    field: f,
  };
}
