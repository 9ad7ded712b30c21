import { Annotations, Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildCache } from './build-cache';
import type { BuildSecret } from './build-secret';
import { TestReport } from './test-report';
import { ActionModel, ModelContext, RenderContext } from '../model/model';
import { BUILD_STAGE } from '../model/stage-names';
import { leavesWorkingDirectory } from '../private/artifact-paths';
import { publishCommands } from '../private/asset-publisher';
import { allowAssetPublishing, createProject, DEFAULT_BUILD_IMAGE } from '../private/codebuild';
import { actionVariables, describeEnvironment, isLambdaImage, refuseSecretsInCommands, splitVariables, validateCommandsOptions } from '../private/commands-spec';
import { described, isToken, requireFactoryMade, Validator } from '../private/validation';
import { placeAdditionalSources } from '../sources/additional-source';


/** CodeBuild's limit on the report groups of one project. */
const MAX_REPORTS = 5;
/** The name of the build action and stage. */
export const BUILD_ACTION_NAME = BUILD_STAGE;

/** Properties of a commands build. */
export interface BuildStepProps {
  /**
   * Commands of the install phase (dependencies, tools).
   *
   * @default - none
   */
  readonly install?: string[];
  /** Commands of the build phase: compile, test, package. A failing command fails the build. */
  readonly commands: string[];
  /**
   * Plain environment variables of the build.
   *
   * A value that reads a CodePipeline variable (`'#{SourceVariables.CommitId}'`) is passed by the
   * CodeBuild action, which resolves it when the action starts. A value holding a secret
   * (`secret.secretValue.unsafeUnwrap()`, `SecretValue.ssmSecure(...)`) is refused: pass it in `secrets`.
   *
   * @default - none
   */
  readonly environmentVariables?: Record<string, string>;
  /**
   * Environment variables whose values CodeBuild reads from Secrets Manager or Parameter Store
   * when the build starts, and masks in the build's logs: `{ NPM_TOKEN: BuildSecret.fromSecretsManager(secret) }`.
   * The project's role may read exactly these secrets and parameters.
   *
   * @default - none
   */
  readonly secrets?: Record<string, BuildSecret>;
  /**
   * Test reports published to CodeBuild report groups.
   *
   * @default - none
   */
  readonly testReports?: TestReport[];
  /**
   * Globs of the files that form the build output (the versioned artifact deployments use).
   *
   * @default ['**\/*'] - everything in the working directory
   */
  readonly outputs?: string[];
  /**
   * Directory the output globs are relative to.
   *
   * @default - the working directory
   */
  readonly outputDirectory?: string;
  /**
   * Cache between builds.
   *
   * @default - no cache
   */
  readonly cache?: BuildCache;
  /**
   * Build image.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * Compute type.
   *
   * @default - DeliveryDefaults' computeType, else codebuild.ComputeType.SMALL; the image's own default where SMALL does not fit it
   * (MEDIUM for a Windows image, LAMBDA_1GB for a Lambda image)
   */
  readonly computeType?: codebuild.ComputeType;
  /**
   * Build timeout, 5 minutes to 36 hours.
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * Run Docker inside the build (needed to build images).
   *
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Statements added to the build project's role, for build commands that call AWS (for example
   * reading a package repository in CodeArtifact). The role already reads the source, writes the
   * build output, its logs and test reports.
   *
   * @default - no permissions beyond the pipeline's artifacts, logs and reports
   */
  readonly rolePolicyStatements?: iam.PolicyStatement[];
  /**
   * The VPC the build project runs in.
   *
   * For commands that reach private resources: internal load balancers, databases, private
   * package registries. The project gets network interfaces in the selected subnets, which must
   * be private: CodeBuild gives them no public IP address, so a public subnet is refused at synth.
   * Commands that download from the internet need a NAT gateway
   * (`ec2.SubnetType.PRIVATE_WITH_EGRESS`); in isolated subnets they reach only the VPC and its
   * endpoints. The VPC must be of the pipeline's account and
   * Region, and one the pipeline's stack can refer to (its own stack, another stack of the same
   * CDK stage and environment, or an import such as `ec2.Vpc.fromLookup`). CodeBuild's Lambda
   * compute cannot run in a VPC.
   *
   * @default - DeliveryDefaults' vpc when set, else no VPC (the project reaches only public endpoints)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Which subnets of `vpc` the project runs in.
   *
   * Given only together with `vpc`.
   *
   * @default - the private subnets with egress of `vpc` (else its isolated subnets), as aws-cdk-lib
   * and CodeBuild choose them; DeliveryDefaults' subnetSelection when the vpc is DeliveryDefaults'
   */
  readonly subnetSelection?: ec2.SubnetSelection;
  /**
   * Security groups of the project's network interfaces in `vpc`, 1 to 5.
   *
   * Given only together with `vpc`. Add the project's access to your resources to their rules
   * (for example, a database's security group allows these groups on its port).
   *
   * @default - one security group aws-cdk-lib creates for the project, allowing all outbound traffic
   * and no inbound traffic; DeliveryDefaults' securityGroups when the vpc is DeliveryDefaults'
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The continuous integration step: one CodeBuild project that turns a change into a versioned
 * artifact, with test reports.
 */
export abstract class BuildStep {
  /** Build with shell commands in an inline buildspec. */
  public static commands(props: BuildStepProps): BuildStep {
    return new CommandsBuild(props);
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext): ActionModel;
}

class CommandsBuild extends BuildStep {
  constructor(private readonly props: BuildStepProps) {
    super();
  }

  public _toModel(ctx: ModelContext): ActionModel {
    const v: Validator = ctx.validator;
    const p = this.props;
    v.requireObject(ctx.field, p, "Pass { commands: ['npm run build'] } to BuildStep.commands().");
    v.noMisspeltFields(ctx.field, p, 'BuildStepProps');
    const commands = v.requireStringArray(`${ctx.field}.commands`, p.commands, "Pass the build commands, for example ['npm ci', 'npm test'].");
    refuseSecretsInCommands(v, commands, i => `${ctx.field}.commands[${i}]`, `${ctx.field}.secrets`);
    const common = validateCommandsOptions(ctx, p);
    const reportsField = `${ctx.field}.testReports`;
    if (p.testReports !== undefined && !Array.isArray(p.testReports)) {
      v.fail(reportsField, 'must be an array of TestReport', p.testReports, "Pass [TestReport.junit('reports/*.xml')].");
    }
    const reports = (p.testReports ?? []).map((r, i) => {
      if (!(r instanceof TestReport)) v.fail(`${reportsField}[${i}]`, 'must be a TestReport', r, "Use TestReport.junit('reports/*.xml').");
      return r._toSpec({ validator: v, field: `${reportsField}[${i}]` }, i);
    });
    if (reports.length > MAX_REPORTS) {
      v.fail(reportsField, `may hold at most ${MAX_REPORTS} reports (CodeBuild's limit of report groups per project)`, described(`${reports.length} reports`),
        "Combine reports of one format into one, with a glob that matches all their files (TestReport.junit('reports/**/*.xml')).");
    }
    const outputs = v.optionalStringArray(`${ctx.field}.outputs`, p.outputs, "Pass globs such as ['dist/**/*'].") ?? ['**/*'];
    if (outputs.length === 0) v.fail(`${ctx.field}.outputs`, 'must not be empty', outputs, "Leave it out to keep everything, or pass ['dist/**/*'].");
    outputs.forEach((glob, i) => {
      if (!isToken(glob) && (glob.trim() === '' || leavesWorkingDirectory(glob))) {
        v.fail(`${ctx.field}.outputs[${i}]`, "must be a glob inside the build's working directory (or outputDirectory): relative, without '..' or '\\'",
          glob, "Pass a glob such as 'dist/**/*', and set outputDirectory for the directory it is relative to.");
      }
    });
    const outputDirectory = v.optionalString(`${ctx.field}.outputDirectory`, p.outputDirectory, "Pass a directory such as 'dist'.");
    if (outputDirectory !== undefined && !isToken(outputDirectory)) {
      if (outputDirectory.trim() === '' || leavesWorkingDirectory(outputDirectory) || /["'`$]/.test(outputDirectory)) {
        v.fail(`${ctx.field}.outputDirectory`, "must be a directory inside the build's working directory: relative, without '..', '\\', quotes or '$'",
          outputDirectory, "Pass a directory such as 'dist' or 'infra/cdk.out'.");
      }
    }
    if (p.cache !== undefined && !(p.cache instanceof BuildCache)) {
      v.fail(`${ctx.field}.cache`, 'must be a BuildCache', p.cache, 'Use BuildCache.local() or BuildCache.s3(bucket).');
    }
    if (p.cache !== undefined) requireFactoryMade(v, `${ctx.field}.cache`, p.cache, 'BuildCache');
    const cache = p.cache?._bind({ validator: v, field: `${ctx.field}.cache` });
    if (cache && isLambdaImage(common.buildImage ?? DEFAULT_BUILD_IMAGE)) {
      v.fail(`${ctx.field}.cache`, 'cannot be used with a Lambda build image (CodeBuild has no cache for Lambda compute)', described(cache.summary),
        'Leave cache out, or use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0.');
    }
    if (cache?.needsPrivileged && !common.privileged) {
      v.fail(`${ctx.field}.cache`, 'caches Docker layers but the build is not privileged', described('dockerLayers: true'), 'Set privileged: true on the build, or drop dockerLayers.');
    }

    const details = [
      ...(common.install ?? []).map(c => `install: ${c}`),
      ...commands.map(c => `run: ${c}`),
      ...reports.map(r => r.label),
      `outputs: ${outputs.join(', ')}${outputDirectory ? ` (from ${outputDirectory})` : ''}`,
      ...(cache ? [cache.summary] : []),
      ...describeEnvironment(common),
    ];

    return {
      name: BUILD_ACTION_NAME,
      kind: 'codebuild',
      summary: `CodeBuild: ${commands.length} command${commands.length === 1 ? '' : 's'}${reports.length ? `, ${reports.length} test report${reports.length === 1 ? '' : 's'}` : ''}`,
      details,
      privileged: common.privileged,
      buildOutputs: { field: `${ctx.field}.outputs`, globs: outputs, directory: outputDirectory },
      ...(cache?.bucket ? { cacheBucket: { bucket: cache.bucket, field: `${ctx.field}.cache` } } : {}),
      buildImage: {
        image: common.buildImage ?? DEFAULT_BUILD_IMAGE,
        field: p.buildImage !== undefined ? `${ctx.field}.buildImage` : common.buildImage ? 'DeliveryDefaults.buildImage' : 'the default build image',
      },
      produce: (rc: RenderContext): codepipeline.IAction[] => {
        if (cache?.warning) Annotations.of(rc.scope).addWarningV2('delivery-pipeline:cacheWithoutPaths', cache.warning);
        const scope = new Construct(rc.scope, 'Build');
        // with publishAssetsInBuild, the CDK stages' assets are published after the build commands
        // (the manifests are in the output directory the build just wrote)
        const publishing = rc.buildPublishesAssets;
        // the additional sources are placed at their directories before anything else runs
        const inputs = rc.additionalInputs ?? [];
        const install = publishing ? [...(common.install ?? []), ...publishing.install] : common.install;
        const variables = splitVariables(common.environmentVariables);
        const project = createProject(scope, {
          origin: common.origin,
          description: `Build of ${rc.scope.node.path}`,
          install: inputs.length > 0 ? [...placeAdditionalSources(inputs), ...(install ?? [])] : install,
          commands: publishing ? [...commands, ...publishCommands(publishing.manifests, outputDirectory)] : commands,
          environmentVariables: variables.project,
          secrets: common.secrets,
          reports,
          outputs,
          outputBaseDirectory: outputDirectory,
          cache: cache?.cache,
          cacheBucket: cache?.bucket,
          cachePaths: cache?.paths,
          buildImage: common.buildImage,
          computeType: common.computeType,
          timeout: common.timeout,
          privileged: common.privileged || (publishing?.privileged ?? false),
          fullCloneConnectionArn: rc.fullCloneConnectionArn,
          rolePolicyStatements: common.rolePolicyStatements,
          network: common.network,
          dockerLogins: rc.dockerLogins,
        }, rc);
        if (publishing) allowAssetPublishing(project, publishing.roles);
        return [new actions.CodeBuildAction({
          actionName: rc.actionName,
          runOrder: rc.runOrder,
          project,
          input: rc.sourceArtifact,
          ...(inputs.length > 0 ? { extraInputs: inputs.map(i => i.artifact) } : {}),
          outputs: [rc.buildArtifact],
          role: rc.codeBuildActionRole(),
          environmentVariables: actionVariables(variables.action),
        })];
      },
    };
  }
}
