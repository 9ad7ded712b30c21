import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { DockerCredential, dockerLoginsModel } from '../build/docker-credential';
import type { PipelineNotifications } from '../pipeline/notifications';
import { isMarkedPipeline } from '../private/app-registry';
import { unfitPublisherImage } from '../private/asset-publisher';
import {
  checkBuildImage, checkComputeType, checkLogRetention, checkSecurityGroups, checkSubnetSelection, checkVpc, imageProblems,
} from '../private/commands-spec';
import { notificationsModel } from '../private/notifications';
import { described, Validator } from '../private/validation';

/** Defaults a platform team sets once for every DeliveryPipeline under a scope. */
export interface DeliveryDefaultsProps {
  /**
   * Build image of every CodeBuild project (build, checks, deploy scripts, tests, asset publishing) that does not name one.
   *
   * The project that publishes the CDK stages' assets runs shell commands, npm and (for Docker image
   * assets) Docker: when this image is a Lambda or Windows image, or lacks Node.js, set
   * `assetPublishingBuildImage` too.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * Build image of the project that publishes the CDK stages' assets (the `PublishAssets` action).
   *
   * It must be a Linux container image with Node.js and npm, and Docker when the stages have Docker
   * image assets. Its architecture is the one Docker builds image assets for when they name no
   * platform.
   *
   * @default - `buildImage`, else codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly assetPublishingBuildImage?: codebuild.IBuildImage;
  /**
   * Compute type of every CodeBuild project that does not name one.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;
  /**
   * Topic told about every manual approval that names neither a topic nor notifyEmails (including the production approval
   * continuous delivery adds by default).
   *
   * @default - none
   */
  readonly approvalNotify?: sns.ITopic;
  /**
   * VPC of every CodeBuild project that names no vpc: the build, checks, deploy scripts, tests, and
   * the project that publishes the CDK stages' assets (as CDK Pipelines' `codeBuildDefaults` do).
   *
   * For a network that allows no direct internet access. Every project then needs a way out: the
   * asset-publishing project installs `@aws-cdk/cdk-assets-lib` from npm and uploads to S3 and ECR,
   * and every project downloads its input from the artifact bucket and writes CloudWatch Logs, so
   * the selected subnets need a NAT gateway (or a proxy and VPC endpoints). The VPC must be of the
   * pipeline's account and Region, and one its stack can refer to. `subnetSelection` and
   * `securityGroups` go with it: a part that names its own vpc uses its own selection and groups.
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Which subnets of `vpc` the projects that use it run in. Set it in the same call as `vpc`.
   *
   * @default - the private subnets with egress of `vpc` (else its isolated subnets)
   */
  readonly subnetSelection?: ec2.SubnetSelection;
  /**
   * Security groups of the projects that use `vpc`, 1 to 5. Set them in the same call as `vpc`.
   *
   * @default - one security group aws-cdk-lib creates for each project, allowing all outbound
   * traffic and no inbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Docker registries every pipeline that names no `dockerCredentials` logs in to before Docker
   * runs (privileged builds, checks, deploy scripts and tests, and the publishing of Docker image
   * assets): for example the organisation's Docker Hub account, whose login lifts the anonymous
   * pull rate limit.
   *
   * @default - none
   */
  readonly dockerCredentials?: DockerCredential[];
  /**
   * How long the logs of every pipeline's CodeBuild projects are kept, for pipelines that name no
   * `logRetention`: each project then writes to a log group of its own with this retention.
   *
   * @default - CodeBuild's log groups (`/aws/codebuild/<project>`), whose logs never expire
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The notification rule of every pipeline that names no `notifications`: for example the
   * platform team's topic, told about every failure.
   *
   * @default - none
   */
  readonly notifications?: PipelineNotifications;
}

/** The defaults that go together: a scope that sets vpc replaces the subnets and groups of farther scopes. */
const NETWORK_FIELDS = ['vpc', 'subnetSelection', 'securityGroups'] as const;

const DEFAULTS = Symbol.for('cdk-delivery-pipeline.DeliveryDefaults');

/**
 * Organisation-wide defaults: set them once on the app (or a stage or stack) before the pipelines
 * are created; every DeliveryPipeline below that scope uses them where its own configuration is
 * silent. Settings are merged from the app down, nearer scopes winning.
 */
export class DeliveryDefaults {
  /**
   * Sets defaults for every pipeline created under `scope` from now on. A field left out (or
   * `undefined`) keeps the value set before on this scope or a farther one.
   */
  public static applyTo(scope: IConstruct, defaults: DeliveryDefaultsProps): void {
    if (!scope || typeof scope !== 'object' || !Construct.isConstruct(scope)) {
      new Validator('DeliveryDefaults').fail('scope', 'must be a construct (the app, a stage or a stack)', scope,
        'Call DeliveryDefaults.applyTo(app, { ... }) with the scope whose pipelines get the defaults.');
    }
    const v = new Validator(scope.node.path || '(app)');
    v.requireObject('DeliveryDefaults', defaults, 'Pass { buildImage?, assetPublishingBuildImage?, computeType?, approvalNotify?, vpc?, subnetSelection?, securityGroups?, dockerCredentials?, logRetention?, notifications? }.');
    v.noMisspeltFields('DeliveryDefaults', defaults, 'DeliveryDefaultsProps');
    checkBuildImage(v, 'DeliveryDefaults.buildImage', defaults.buildImage);
    checkBuildImage(v, 'DeliveryDefaults.assetPublishingBuildImage', defaults.assetPublishingBuildImage);
    // an image the asset publisher can never run is refused here, not in the first pipeline with assets
    const publisherImage = defaults.assetPublishingBuildImage as codebuild.IBuildImage | undefined;
    const unfit = publisherImage !== undefined ? unfitPublisherImage(publisherImage, false) : undefined;
    if (unfit !== undefined) {
      v.fail('DeliveryDefaults.assetPublishingBuildImage', `would be the build image of the action that publishes the CDK stages' assets ${unfit}`,
        publisherImage!.imageId, 'Pass a Linux container image with Node.js and npm, such as codebuild.LinuxBuildImage.STANDARD_7_0.');
    }
    checkComputeType(v, 'DeliveryDefaults.computeType', defaults.computeType);
    checkLogRetention(v, 'DeliveryDefaults.logRetention', defaults.logRetention);
    notificationsModel(v, defaults.notifications, 'DeliveryDefaults.notifications');
    v.optionalTopic('DeliveryDefaults.approvalNotify', defaults.approvalNotify);
    checkVpc(v, 'DeliveryDefaults.vpc', defaults.vpc);
    dockerLoginsModel(v, 'DeliveryDefaults.dockerCredentials', defaults.dockerCredentials);
    checkSubnetSelection(v, 'DeliveryDefaults.subnetSelection', defaults.subnetSelection);
    checkSecurityGroups(v, 'DeliveryDefaults.securityGroups', defaults.securityGroups);
    for (const name of ['subnetSelection', 'securityGroups'] as const) {
      if (defaults[name] !== undefined && defaults.vpc === undefined) {
        v.fail(`DeliveryDefaults.${name}`, 'is given without vpc (subnets and security groups belong to a VPC)', defaults[name],
          `Pass vpc in the same DeliveryDefaults.applyTo(...) call, or leave ${name} out.`);
      }
    }
    // a pipeline reads the defaults when it is created: later ones would silently not apply to it
    const existing = scope.node.findAll().filter(isMarkedPipeline).map(c => `'${c.node.path}'`);
    if (existing.length > 0) {
      v.fail('DeliveryDefaults', 'are applied after pipelines under this scope were created, which do not see them', described(existing.join(', ')),
        'Call DeliveryDefaults.applyTo(...) before new DeliveryPipeline(...).');
    }
    // a field left undefined keeps the value set before, here or on a farther scope
    const given = Object.fromEntries(Object.entries(defaults).filter(([, value]) => value !== undefined));
    // A compute type and an image set on this one scope must fit each other. One set on different
    // scopes is checked where a pipeline uses both (the error then names DeliveryDefaults.computeType):
    // checked here, the result would depend on the order the scopes are set in.
    const own = merge((scope as any)[DEFAULTS] ?? {}, given);
    if (own.computeType !== undefined && own.buildImage !== undefined) {
      const problems = imageProblems(own.buildImage, own.computeType, false);
      if (problems.length > 0) {
        v.fail(given.computeType !== undefined ? 'DeliveryDefaults.computeType' : 'DeliveryDefaults.buildImage',
          `does not fit the default build image set with it (CodeBuild: ${problems.join('; ')})`, described(`image ${own.buildImage.imageId}, compute ${own.computeType}`),
          'Set buildImage and computeType together: Lambda compute types (codebuild.ComputeType.LAMBDA_*) with codebuild.LinuxLambdaBuildImage images, '
          + 'SMALL, MEDIUM, LARGE or X2_LARGE with container images.');
      }
    }
    (scope as any)[DEFAULTS] = own;
  }

  /** The defaults in force at `scope`. */
  public static of(scope: IConstruct): DeliveryDefaultsProps {
    if (!Construct.isConstruct(scope)) {
      const v: Validator = new Validator('DeliveryDefaults.of');
      v.fail('scope', 'must be a construct', scope, 'Pass the construct whose defaults you want, for example DeliveryDefaults.of(this).');
    }
    let merged: DeliveryDefaultsProps = {};
    for (const s of scope.node.scopes) {
      const here = (s as any)[DEFAULTS] as DeliveryDefaultsProps | undefined;
      if (here) merged = merge(merged, here);
    }
    return merged;
  }

  private constructor() {}
}

/**
 * `nearer` over `farther`, field by field, except the network: a vpc comes with its own subnet
 * selection and security groups (those set for another VPC would not fit it).
 */
function merge(farther: DeliveryDefaultsProps, nearer: DeliveryDefaultsProps): DeliveryDefaultsProps {
  const base: Record<string, unknown> = { ...farther };
  if (nearer.vpc !== undefined) for (const name of NETWORK_FIELDS) delete base[name];
  return { ...base, ...nearer };
}
