/**
 * How the CodeBuild action (or the build, with `publishAssetsInBuild`) publishes the CDK stages'
 * assets: with `@aws-cdk/cdk-assets-lib`, the asset publishing library of the CDK CLI, driven by a
 * small script written at install time.
 *
 * Not the `cdk-assets` command: it bundles a fixed copy of the cloud assembly schema and refuses
 * manifests of a newer schema ("Cloud assembly schema version mismatch"), so every aws-cdk-lib that
 * raises the schema breaks it until a new `cdk-assets` is released (cdk-assets 4.7.3, the newest
 * when this was written, reads up to schema 54; aws-cdk-lib 2.274 and later write 55; `cdk-assets@2`
 * reads up to 39). The library depends on `@aws-cdk/cloud-assembly-schema` with an open range
 * (`>=`), so a fresh install reads the newest schema.
 */

import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { DEFAULT_BUILD_IMAGE } from './codebuild';
import { imageProblems, isLambdaImage, validateNetwork } from './commands-spec';
import { described, Validator } from './validation';
import type { AssetManifestModel, AssetsModel, PublisherEnvironment } from '../model/model';

/** Where the publisher is installed in the build container (outside the source and output). */
export const PUBLISHER_DIRECTORY = '/tmp/cdk-delivery-assets';

/**
 * Publishes the assets of the manifest given as the first argument, like `cdk-assets publish`:
 * assumes the publishing role each destination names, prints every step, and exits 1 when an asset
 * failed. The file assets named after `--except` (the templates of the stacks the pipeline deploys,
 * which CodePipeline's CloudFormation actions read from the build output) are left out with the
 * library's own selection (`AssetManifest.select`), so the script assumes only the roles of the
 * assets it publishes: those the project's role may assume. The names are file names, not asset
 * ids: an id is the hash of the asset's content and changes with every commit.
 * One line (CodeBuild runs each command line by line), written with `printf '%s\n' '<script>'`,
 * so it holds no single quote.
 */
export const PUBLISH_SCRIPT = [
  'const { AssetManifest, AssetPublishing, DefaultAwsClient, DestinationPattern } = require("@aws-cdk/cdk-assets-lib");',
  '(async () => {',
  '  const [file, ...rest] = process.argv.slice(2);',
  '  const except = rest.filter((a) => a !== "--except");',
  '  const manifest = AssetManifest.fromPath(file);',
  '  const kept = manifest.entries.filter((e) => !(e.type === "file" && except.includes(e.genericSource && e.genericSource.path)));',
  '  console.log(`Publishing the assets of ${file}${except.length > 0 ? ` except the stack templates ${except.join(", ")} (deployed from the build output)` : ""}`);',
  '  const publishing = new AssetPublishing(manifest.select(kept.map((e) => new DestinationPattern(e.id.assetId, e.id.destinationId))), {',
  '    aws: new DefaultAwsClient(), throwOnError: false,',
  '    progressListener: { onPublishEvent: (type, event) => console.log(`[${type}] ${event.message}`) },',
  '  });',
  '  await publishing.publish();',
  '  for (const failure of publishing.failures) console.error(`failed: ${failure.asset.id}: ${failure.error && failure.error.message}`);',
  '  if (publishing.hasFailures) process.exitCode = 1;',
  '})().catch((e) => { console.error(e && e.message ? e.message : e); process.exitCode = 1; });',
].map(line => line.trim()).join(' ');

/** The install commands: the library at the given npm version or tag, then the script beside it. */
export function publisherInstallCommands(version: string): string[] {
  return [
    `npm install --prefix ${PUBLISHER_DIRECTORY} --no-save --no-package-lock --no-audit --no-fund @aws-cdk/cdk-assets-lib@${version}`,
    `printf '%s\\n' '${PUBLISH_SCRIPT}' > ${PUBLISHER_DIRECTORY}/publish.js`,
  ];
}

/**
 * The commands that publish the assets of the given manifests, one per manifest, paths from the
 * source's root (`$CODEBUILD_SRC_DIR`): in the build, they follow the user's commands in the same
 * shell, which may have changed directory (`cd infra`). Each names the stack templates the manifest
 * holds that are not to be published (`--except`).
 */
export function publishCommands(manifests: AssetManifestModel[], baseDirectory?: string): string[] {
  const base = baseDirectory ? baseDirectory.replace(/^\.\/+/, '').replace(/\/+$/, '') : '';
  const prefix = base === '' || base === '.' ? '' : `${base}/`;
  return manifests.map(m => [
    `node ${PUBLISHER_DIRECTORY}/publish.js "$CODEBUILD_SRC_DIR/${prefix}${m.path}"`,
    ...(m.deployedTemplates.length > 0 ? ['--except', ...m.deployedTemplates.map(t => `"${t}"`)] : []),
  ].join(' '));
}

/**
 * Why an image cannot run the publisher (shell commands, npm, Docker for image assets), as the end
 * of a sentence, or undefined when it can. Lambda compute has no Docker, and only the Node.js
 * Lambda images have npm; Windows images have no POSIX shell.
 */
export function unfitPublisherImage(image: codebuild.IBuildImage, dockerImages: boolean): string | undefined {
  const needs = dockerImages ? 'with shell commands, npm and Docker' : 'with shell commands and npm';
  if (image.type.startsWith('WINDOWS')) return `${needs}, which a Windows image cannot run`;
  if (isLambdaImage(image) && dockerImages) return `${needs}, which a Lambda image cannot run (Lambda compute has no Docker)`;
  if (isLambdaImage(image) && !/:nodejs/.test(image.imageId)) return `${needs}, which a Lambda image without Node.js cannot run`;
  return undefined;
}

/**
 * The build environment of the action that publishes the assets. Like every CodeBuild project of
 * the pipeline it follows DeliveryDefaults (`assetPublishingBuildImage`, else `buildImage`,
 * `computeType`, and `vpc` with its subnets and security groups), so a platform team's image (an npm
 * mirror, a proxy's certificates) and network reach it too.
 * The publisher runs shell commands, npm and, for image assets, Docker: a Lambda or Windows image
 * cannot, which is a synth error rather than a failed action.
 */
export function publisherEnvironment(v: Validator, assets: AssetsModel): PublisherEnvironment {
  const d = v.defaults;
  const field = d.assetPublishingBuildImage !== undefined ? 'DeliveryDefaults.assetPublishingBuildImage' : 'DeliveryDefaults.buildImage';
  const buildImage = (d.assetPublishingBuildImage ?? d.buildImage ?? DEFAULT_BUILD_IMAGE) as codebuild.IBuildImage;
  // assetPublishingBuildImage is nearer than the general computeType: a compute type that does not
  // fit it (Lambda compute everywhere, a container image to publish) gives way to the image's own
  const defaultCompute = d.computeType as codebuild.ComputeType | undefined;
  const usableCompute = defaultCompute !== undefined && d.assetPublishingBuildImage !== undefined
    && imageProblems(buildImage, defaultCompute, false).length > 0 ? undefined : defaultCompute;
  const computeType = usableCompute ?? (isLambdaImage(buildImage) ? codebuild.ComputeType.LAMBDA_1GB : codebuild.ComputeType.SMALL);
  const fix = 'Set DeliveryDefaults.assetPublishingBuildImage to a Linux container image with Node.js and npm, such as codebuild.LinuxBuildImage.STANDARD_7_0.';
  const unfit = unfitPublisherImage(buildImage, assets.dockerImages);
  if (unfit) v.fail(field, `would be the build image of the action that publishes the CDK stages' assets ${unfit}`, buildImage.imageId, fix);
  const problems = typeof buildImage.validate === 'function' ? buildImage.validate({ buildImage, computeType, privileged: assets.dockerImages }) : [];
  if (problems.length > 0) {
    v.fail(usableCompute !== undefined ? 'DeliveryDefaults.computeType' : field,
      `does not fit the build environment of the action that publishes the CDK stages' assets (CodeBuild: ${problems.join('; ')})`,
      described(`image ${buildImage.imageId}, compute ${computeType}${assets.dockerImages ? ', privileged for Docker' : ''}`), fix);
  }
  const n = assets.imagesWithoutPlatform;
  const warning = buildImage.type === 'ARM_CONTAINER' && n > 0
    ? `The CDK stages' assets are published on the ARM build image ${buildImage.imageId} (${field}), so Docker builds ${n} image asset${n === 1 ? '' : 's'} that name${n === 1 ? 's' : ''} no platform for linux/arm64, `
      + 'which x86_64 Lambda functions and ECS tasks cannot run. Give the assets a platform (platform: Platform.LINUX_AMD64), '
      + 'run the functions and tasks on ARM, or set DeliveryDefaults.assetPublishingBuildImage to an x86_64 image such as codebuild.LinuxBuildImage.STANDARD_7_0.'
    : undefined;
  // like CDK Pipelines' codeBuildDefaults, the default VPC reaches this project too
  const network = validateNetwork(v, '', {}, { image: buildImage, imageField: field });
  return { buildImage, computeType, warning, network };
}
