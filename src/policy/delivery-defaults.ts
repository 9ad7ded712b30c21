import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { isMarkedPipeline } from '../private/app-registry';
import { checkBuildImage, checkComputeType } from '../private/commands-spec';
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
}

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
    if (!scope || typeof scope !== 'object' || !(scope as IConstruct).node || typeof (scope as IConstruct).node.path !== 'string') {
      new Validator('DeliveryDefaults').fail('scope', 'must be a construct (the app, a stage or a stack)', scope,
        'Call DeliveryDefaults.applyTo(app, { ... }) with the scope whose pipelines get the defaults.');
    }
    const v = new Validator(scope.node.path || '(app)');
    v.requireObject('DeliveryDefaults', defaults, 'Pass { buildImage?, assetPublishingBuildImage?, computeType?, approvalNotify? }.');
    v.noMisspeltFields('DeliveryDefaults', defaults, 'DeliveryDefaultsProps');
    checkBuildImage(v, 'DeliveryDefaults.buildImage', defaults.buildImage);
    checkBuildImage(v, 'DeliveryDefaults.assetPublishingBuildImage', defaults.assetPublishingBuildImage);
    checkComputeType(v, 'DeliveryDefaults.computeType', defaults.computeType);
    v.optionalTopic('DeliveryDefaults.approvalNotify', defaults.approvalNotify);
    // a pipeline reads the defaults when it is created: later ones would silently not apply to it
    const existing = scope.node.findAll().filter(isMarkedPipeline).map(c => `'${c.node.path}'`);
    if (existing.length > 0) {
      v.fail('DeliveryDefaults', 'are applied after pipelines under this scope were created, which do not see them', described(existing.join(', ')),
        'Call DeliveryDefaults.applyTo(...) before new DeliveryPipeline(...).');
    }
    // a field left undefined keeps the value set before, here or on a farther scope
    const given = Object.fromEntries(Object.entries(defaults).filter(([, value]) => value !== undefined));
    (scope as any)[DEFAULTS] = { ...((scope as any)[DEFAULTS] ?? {}), ...given };
  }

  /** The defaults in force at `scope`. */
  public static of(scope: IConstruct): DeliveryDefaultsProps {
    let merged: DeliveryDefaultsProps = {};
    for (const s of scope.node.scopes) {
      const here = (s as any)[DEFAULTS] as DeliveryDefaultsProps | undefined;
      if (here) merged = { ...merged, ...here };
    }
    return merged;
  }

  private constructor() {}
}
