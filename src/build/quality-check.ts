import { Annotations, Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BuildSecret } from './build-secret';
import { ActionModel, ModelContext, RenderContext } from '../model/model';
import { createProject } from '../private/codebuild';
import { actionVariables, describeEnvironment, refuseSecretsInCommands, splitVariables, validateCommandsOptions, ValidCommandsOptions } from '../private/commands-spec';
import type { OutputVariables } from '../private/stack-outputs';
import type { Validator } from '../private/validation';
import { described, isResource, isToken, literalName } from '../private/validation';
import { SOURCE_VARIABLES, SOURCE_VARIABLES_NAMESPACE } from '../sources/pipeline-source';

/** Options of a commands check. */
export interface QualityCheckCommandsOptions {
  /**
   * Install-phase commands.
   *
   * @default - none
   */
  readonly install?: string[];
  /**
   * Plain environment variables.
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
   * Timeout, 5 minutes to 36 hours.
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * Run Docker inside the check.
   *
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Statements added to the CodeBuild project's role, for commands that call AWS: for example
   * `sts:AssumeRole` on a role in the environment's account, or `s3:PutObject` on the bucket a
   * deploy script writes to. The role already reads the pipeline's artifacts and writes its logs
   * and test reports.
   *
   * @default - no permissions beyond the pipeline's artifacts, logs and reports
   */
  readonly rolePolicyStatements?: iam.PolicyStatement[];
  /**
   * The VPC the project runs in.
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

/** Options of a dependency audit. */
export interface DependencyAuditOptions extends QualityCheckCommandsOptions {
  /**
   * The audit command; a non-zero exit fails the check.
   *
   * @default 'npm audit --audit-level=high' (a Node.js project)
   */
  readonly command?: string;
  /**
   * Action name.
   *
   * @default 'DependencyAudit'
   */
  readonly name?: string;
}

/** Severity thresholds of an Amazon Inspector source code scan. */
export interface SourceCodeScanOptions {
  /**
   * Number of critical findings the scan tolerates before it fails.
   *
   * @default 0
   */
  readonly criticalThreshold?: number;
  /**
   * Number of high findings tolerated.
   *
   * @default - not checked
   */
  readonly highThreshold?: number;
  /**
   * Number of medium findings tolerated.
   *
   * @default - not checked
   */
  readonly mediumThreshold?: number;
  /**
   * Number of low findings tolerated.
   *
   * @default - not checked
   */
  readonly lowThreshold?: number;
  /**
   * Action name.
   *
   * @default 'SourceCodeScan'
   */
  readonly name?: string;
}

/** Options of an Amazon Inspector scan of a container image in ECR. */
export interface ImageScanOptions {
  /**
   * The tag of the image to scan: the image the build pushed for this change.
   *
   * CodePipeline variables are resolved when the scan starts, for example
   * `'#{SourceVariables.CommitId}'`.
   *
   * @default - the change's source revision: `#{SourceVariables.CommitId}` (the full commit id) for a
   * GitHub or CodeCommit source, so the build tags the image with `$CODEBUILD_RESOLVED_SOURCE_VERSION`;
   * `#{SourceVariables.ImageTag}` for an ECR source. An S3 source has no revision to tag with:
   * give the tag.
   */
  readonly imageTag?: string;
  /**
   * Number of critical findings the scan tolerates before it fails.
   *
   * @default 0
   */
  readonly criticalThreshold?: number;
  /**
   * Number of high findings tolerated.
   *
   * @default - not checked
   */
  readonly highThreshold?: number;
  /**
   * Number of medium findings tolerated.
   *
   * @default - not checked
   */
  readonly mediumThreshold?: number;
  /**
   * Number of low findings tolerated.
   *
   * @default - not checked
   */
  readonly lowThreshold?: number;
  /**
   * Action name.
   *
   * @default 'ImageScan'
   */
  readonly name?: string;
}

/** The default dependency audit command. */
export const DEFAULT_AUDIT_COMMAND = 'npm audit --audit-level=high';

/**
 * A quality gate run in parallel with the other checks after the build; any failure stops the
 * change before it reaches an environment. Checks receive the source as their working directory
 * and the build output in `$CODEBUILD_SRC_DIR_BuildOutput`.
 */
export abstract class QualityCheck {
  /** Shell commands, for example a linter. */
  public static commands(name: string, commands: string[], options: QualityCheckCommandsOptions = {}): QualityCheck {
    return new CommandsCheck(name, commands, options, 'commands');
  }

  /** An audit of third-party dependencies for known vulnerabilities. */
  public static dependencyAudit(options: DependencyAuditOptions = {}): QualityCheck {
    const o = options ?? {};
    return new CommandsCheck(o.name ?? 'DependencyAudit', o.command === undefined ? [DEFAULT_AUDIT_COMMAND] : [o.command], o, 'dependency-audit');
  }

  /** An Amazon Inspector source code scan (SAST, secrets, dependencies) with severity thresholds. */
  public static sourceCodeScan(options: SourceCodeScanOptions = {}): QualityCheck {
    return new SourceCodeScan(options ?? {});
  }

  /**
   * An Amazon Inspector scan of the container image the build pushed to ECR, with severity
   * thresholds: the change goes no further when the image has more findings than tolerated.
   *
   * The repository must be in the pipeline's account and Region (CodePipeline's InspectorScan
   * action names it by name).
   */
  public static imageScan(repository: ecr.IRepository, options: ImageScanOptions = {}): QualityCheck {
    return new ImageScan(repository, options ?? {});
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext): ActionModel;
}

class CommandsCheck extends QualityCheck {
  constructor(
    private readonly name: string,
    private readonly commands: string[],
    private readonly options: QualityCheckCommandsOptions,
    private readonly kind: string,
  ) {
    super();
  }

  public _toModel(ctx: ModelContext): ActionModel {
    const v: Validator = ctx.validator;
    const name = v.pipelineName(`${ctx.field}.name`, this.name, 'check name');
    const command = (this.options as DependencyAuditOptions | undefined)?.command;
    if (this.kind === 'dependency-audit' && command !== undefined) {
      // one string: the audit's command (a list given there would be reported as commands[0])
      v.requireString(`${ctx.field}.command`, command, Array.isArray(command)
        ? `Pass one command string; join several with '&&', for example '${(command as unknown[]).map(String).join(' && ')}', or use QualityCheck.commands('DependencyAudit', [...]).`
        : "Pass the audit's command, for example 'npm audit --audit-level=high'.");
    }
    const commands = v.requireStringArray(`${ctx.field}.commands`, this.commands, "Pass the check's commands, for example ['npm run lint'].");
    // the dependency audit's one command is its `command`
    refuseSecretsInCommands(v, commands, i => (this.kind === 'dependency-audit' && command !== undefined ? `${ctx.field}.command` : `${ctx.field}.commands[${i}]`), `${ctx.field}.secrets`);
    v.noMisspeltFields(ctx.field, this.options, this.kind === 'dependency-audit' ? 'DependencyAuditOptions' : 'QualityCheckCommandsOptions');
    const common = validateCommandsOptions(ctx, this.options);
    return commandsActionModel({
      name,
      kind: this.kind,
      summary: this.kind === 'dependency-audit' ? `dependency audit: ${commands.join(' && ')}` : `commands: ${commands.join(' && ')}`,
      commands,
      common,
      primaryInput: 'source',
    });
  }
}

/** An ActionModel for a CodeBuild project running commands (checks, deploy scripts, verification). */
export function commandsActionModel(spec: {
  name: string;
  kind: string;
  summary: string;
  commands: string[];
  common: ValidCommandsOptions;
  primaryInput: 'source' | 'build';
  /** Stack outputs the action reads: its variables (resolved by CodePipeline when it starts), plan lines and warnings. */
  outputs?: OutputVariables;
  /** Variables the library sets on the action itself (`CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS`), not shown in the plan. */
  marker?: Record<string, string>;
}): ActionModel {
  const { common } = spec;
  return {
    name: spec.name,
    kind: spec.kind,
    summary: spec.summary,
    details: [
      ...(common.install ?? []).map(c => `install: ${c}`), ...spec.commands.map(c => `run: ${c}`), ...describeEnvironment(common), ...(spec.outputs?.details ?? []),
    ],
    privileged: common.privileged,
    produce: (rc: RenderContext): codepipeline.IAction[] => {
      for (const w of spec.outputs?.warnings ?? []) Annotations.of(rc.scope).addWarningV2('delivery-pipeline:conditionalOutput', w);
      const scope = new Construct(rc.scope, spec.name);
      const variables = splitVariables(common.environmentVariables);
      const project = createProject(scope, {
        origin: common.origin,
        description: `${spec.name} of ${rc.scope.node.path}`,
        install: common.install,
        commands: spec.commands,
        environmentVariables: variables.project,
        secrets: common.secrets,
        buildImage: common.buildImage,
        computeType: common.computeType,
        timeout: common.timeout,
        privileged: common.privileged,
        fullCloneConnectionArn: rc.fullCloneConnectionArn,
        rolePolicyStatements: common.rolePolicyStatements,
        dockerLogins: rc.dockerLogins,
        network: common.network,
      }, rc);
      const [input, extra] = spec.primaryInput === 'source'
        ? [rc.sourceArtifact, rc.buildArtifact]
        : [rc.buildArtifact, rc.sourceArtifact];
      return [new actions.CodeBuildAction({
        actionName: rc.actionName,
        runOrder: rc.runOrder,
        project,
        input,
        extraInputs: [extra],
        role: rc.codeBuildActionRole(),
        environmentVariables: actionVariables({ ...variables.action, ...spec.outputs?.variables, ...spec.marker }),
      })];
    },
  };
}

class SourceCodeScan extends QualityCheck {
  constructor(private readonly options: SourceCodeScanOptions) {
    super();
  }

  public _toModel(ctx: ModelContext): ActionModel {
    const v: Validator = ctx.validator;
    const o = this.options;
    v.noMisspeltFields(ctx.field, o, 'SourceCodeScanOptions');
    const name = scanName(ctx, o.name ?? 'SourceCodeScan');
    const { thresholds, failsOn } = validateThresholds(ctx, o);
    return {
      name,
      kind: 'inspector-source-scan',
      summary: `Amazon Inspector source code scan, fails on ${failsOn}`,
      details: [],
      privileged: false,
      produce: (rc: RenderContext): codepipeline.IAction[] => [
        new actions.InspectorSourceCodeScanAction({
          actionName: rc.actionName,
          runOrder: rc.runOrder,
          input: rc.sourceArtifact,
          output: new codepipeline.Artifact(reportArtifactName(name)),
          criticalThreshold: thresholds.critical,
          highThreshold: thresholds.high,
          mediumThreshold: thresholds.medium,
          lowThreshold: thresholds.low,
        }),
      ],
    };
  }
}

/** The artifact an Amazon Inspector scan writes its report to (artifact names allow no '.' or '@'). */
export function reportArtifactName(checkName: string): string {
  return `${checkName.replace(/[^A-Za-z0-9_-]/g, '_')}Report`;
}

/** A scan's name: an action name that leaves room for its report artifact's name (at most 100 characters). */
function scanName(ctx: ModelContext, value: unknown): string {
  const v: Validator = ctx.validator;
  const name = v.pipelineName(`${ctx.field}.name`, value, 'check name');
  const max = 100 - 'Report'.length;
  if (name.length > max) {
    v.fail(`${ctx.field}.name`, `must be at most ${max} characters: the scan writes its report to the artifact '<name>Report', whose name may be 100`,
      name, "Use a shorter name, for example 'ImageScan'.");
  }
  return name;
}

interface Thresholds {
  readonly critical: number;
  readonly high?: number;
  readonly medium?: number;
  readonly low?: number;
}

/** The severity thresholds of an Inspector scan (critical defaults to 0), and the plan's words for them. */
function validateThresholds(ctx: ModelContext, o: SourceCodeScanOptions | ImageScanOptions): { thresholds: Thresholds; failsOn: string } {
  const v: Validator = ctx.validator;
  // null (a JavaScript caller's "not set") is read as left out, as jsii reads Python's None
  const thresholds: Thresholds = {
    critical: o.criticalThreshold ?? 0,
    high: o.highThreshold ?? undefined,
    medium: o.mediumThreshold ?? undefined,
    low: o.lowThreshold ?? undefined,
  };
  for (const [severity, value] of Object.entries(thresholds)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      v.fail(`${ctx.field}.${severity}Threshold`, 'must be a whole number of findings, 0 or more', value,
        `Pass 0 to fail on any ${severity} finding, or a higher number to tolerate some.`);
    }
  }
  const failsOn = Object.entries(thresholds).filter(([, n]) => n !== undefined).map(([s, n]) => `${s} > ${n}`).join(' or ');
  return { thresholds, failsOn };
}

/** The variables each kind of source action sets (CodePipeline's variables reference). */

/**
 * An image tag as Docker allows it (letters, digits, `_ . -`, not starting with `.` or `-`, at most
 * 128 characters), where CodePipeline variables may stand for parts; the pipeline source's
 * variables must be ones its kind sets.
 */
function validateImageTag(ctx: ModelContext, tag: string): void {
  const v: Validator = ctx.validator;
  const field = `${ctx.field}.imageTag`;
  const fix = "Pass the tag the build pushes, for example 'v1.2.3' or '#{SourceVariables.CommitId}'.";
  if (!/^(?:[A-Za-z0-9_.-]|#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_.-]+\})+$/.test(tag)) {
    v.fail(field, 'must be an image tag (letters, digits, _ . -) or CodePipeline variables such as #{SourceVariables.CommitId}', tag, fix);
  }
  const literal = tag.replace(/#\{[^}]*\}/g, '');
  if (/^[.-]/.test(tag)) v.fail(field, "must not start with '.' or '-' (Docker image tags do not)", tag, fix);
  if (literal.length > 128) v.fail(field, 'must be at most 128 characters (Docker image tags are)', tag, fix);
  const known = ctx.sourceKind === undefined ? undefined : SOURCE_VARIABLES[ctx.sourceKind];
  for (const [, variable] of tag.matchAll(new RegExp(`#\\{${SOURCE_VARIABLES_NAMESPACE}\\.([^}]*)\\}`, 'g'))) {
    if (known && !known.includes(variable)) {
      v.fail(field, `names #{${SOURCE_VARIABLES_NAMESPACE}.${variable}}, a variable the pipeline's ${ctx.sourceKind} source does not set (it sets ${known.join(', ')})`,
        tag, `Use one of its variables${REVISION_TAG[ctx.sourceKind!] ? `, for example '${REVISION_TAG[ctx.sourceKind!]}'` : ''}, or a literal tag.`);
    }
  }
  // the additional sources' namespaces: one that exists, and a variable its kind sets
  const others = ctx.additionalSourceKinds;
  if (others === undefined) return;
  for (const [, namespace, variable] of tag.matchAll(new RegExp(`#\\{(${SOURCE_VARIABLES_NAMESPACE}_[^.}]*)\\.([^}]*)\\}`, 'g'))) {
    const kind = others[namespace];
    if (kind === undefined) {
      const names = Object.keys(others);
      v.fail(field, `names #{${namespace}.${variable}}, but no additional source has the namespace ${namespace}`, tag,
        names.length > 0 ? `Use one of ${names.join(', ')}, or #{${SOURCE_VARIABLES_NAMESPACE}.<variable>} for the pipeline's source.`
          : `Use #{${SOURCE_VARIABLES_NAMESPACE}.<variable>}: the pipeline has no additional sources.`);
    }
    const sets = SOURCE_VARIABLES[kind];
    if (sets && !sets.includes(variable)) {
      v.fail(field, `names #{${namespace}.${variable}}, a variable that additional source's ${kind} source does not set (it sets ${sets.join(', ')})`, tag,
        'Use one of its variables, or a literal tag.');
    }
  }
}

/** The variable holding the change's revision, by source kind, as an image tag. */
const REVISION_TAG: Record<string, string> = {
  GitHub: `#{${SOURCE_VARIABLES_NAMESPACE}.CommitId}`,
  CodeCommit: `#{${SOURCE_VARIABLES_NAMESPACE}.CommitId}`,
  ECR: `#{${SOURCE_VARIABLES_NAMESPACE}.ImageTag}`,
};

class ImageScan extends QualityCheck {
  constructor(private readonly repository: ecr.IRepository, private readonly options: ImageScanOptions) {
    super();
  }

  public _toModel(ctx: ModelContext): ActionModel {
    const v: Validator = ctx.validator;
    const o = this.options;
    const repoFix = "Pass the ECR repository the build pushes the image to, for example ecr.Repository.fromRepositoryName(this, 'Images', 'shop').";
    if (!isResource(this.repository, 'repositoryName')) {
      v.fail(`${ctx.field}.repository`, 'must be an ecr.IRepository', this.repository, repoFix);
    }
    v.requireObject(ctx.field, o, 'Pass { imageTag?, criticalThreshold?, highThreshold?, ... } or leave the options out.');
    v.noMisspeltFields(ctx.field, o, 'ImageScanOptions');
    const name = scanName(ctx, o.name ?? 'ImageScan');
    const repository = this.repository;
    const where = repositoryEnv(repository);
    for (const [what, theirs, ours] of [['account', where.account, ctx.pipelineAccount], ['Region', where.region, ctx.pipelineRegion]] as const) {
      if (!isToken(theirs) && ours !== undefined && !isToken(ours) && theirs !== ours) {
        v.fail(`${ctx.field}.repository`, `must be in the pipeline's ${what} (${ours}): CodePipeline's InspectorScan action reads the repository by name, in its own account and Region`,
          described(`a repository of ${what} ${theirs} (${isToken(repository.repositoryArn) ? repository.node.path : repository.repositoryArn})`),
          `Scan a repository of ${ours} (replicate the image there with ECR replication), or run a scanner in CodeBuild with QualityCheck.commands().`);
      }
    }
    let imageTag: string;
    if (o.imageTag !== undefined) {
      imageTag = v.requireString(`${ctx.field}.imageTag`, o.imageTag, "Pass the tag the build pushes, for example '#{SourceVariables.CommitId}'.");
      if (!isToken(imageTag)) validateImageTag(ctx, imageTag);
    } else {
      const revision = ctx.sourceKind === undefined ? undefined : REVISION_TAG[ctx.sourceKind];
      if (revision === undefined) {
        v.fail(`${ctx.field}.imageTag`, `must be given with a${ctx.sourceKind === undefined ? '' : `n ${ctx.sourceKind}`} source, which has no commit id to tag the image with`,
          undefined, "Pass the tag the build pushes, for example imageTag: 'latest' or a tag your S3 archive's build writes.");
      }
      imageTag = revision;
    }
    const { thresholds, failsOn } = validateThresholds(ctx, o);
    const repoName = literalName(repository, repository.repositoryName) ?? 'the ECR repository';
    return {
      name,
      kind: 'inspector-image-scan',
      summary: `Amazon Inspector image scan of ${repoName}:${imageTag}, fails on ${failsOn}`,
      details: [],
      privileged: false,
      produce: (rc: RenderContext): codepipeline.IAction[] => [
        new actions.InspectorEcrImageScanAction({
          actionName: rc.actionName,
          runOrder: rc.runOrder,
          repository,
          imageTag,
          output: new codepipeline.Artifact(reportArtifactName(name)),
          criticalThreshold: thresholds.critical,
          highThreshold: thresholds.high,
          mediumThreshold: thresholds.medium,
          lowThreshold: thresholds.low,
        }),
      ],
    };
  }
}

/** The account and Region of a repository, from its ARN when literal (imports), else its stack's. */
function repositoryEnv(repository: ecr.IRepository): { account?: string; region?: string } {
  const arn = repository.repositoryArn;
  if (typeof arn === 'string' && !isToken(arn)) {
    const parts = arn.split(':');
    return { region: parts[3], account: parts[4] };
  }
  return { account: repository.env?.account, region: repository.env?.region };
}
