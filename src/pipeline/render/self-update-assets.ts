import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { IConstruct } from 'constructs';
import { RenderedTemplate } from './rendered-quotas';
import { bootstrapQualifier } from '../../private/action-grants';

/**
 * With `selfUpdate`, the UpdatePipeline action deploys the pipeline's own stack from the template in
 * the build's cloud assembly, and nothing publishes that stack's assets (Lambda code, nested stack
 * templates, Docker images): `cdk deploy` uploads them, the pipeline does not. Once an asset
 * changes, the update refers to an object that was never uploaded and fails. Returns the error when
 * resources of the pipeline stack refer to the CDK bootstrap asset bucket or repository.
 */
export function selfUpdateAssetsProblem(scope: IConstruct, stack: Stack, template: RenderedTemplate): string | undefined {
  const using = assetUses(stack, template);
  if (using.length === 0) return undefined;
  const shown = using.length > 5 ? [...using.slice(0, 5), `and ${using.length - 5} more`] : using;
  return `'${scope.node.path}': selfUpdate deploys the stack '${stack.stackName}' from the build's cloud assembly without publishing its assets `
    + `(cdk deploy uploads them, the pipeline does not), but ${using.length === 1 ? 'this resource uses' : 'these resources use'} assets: ${shown.join(', ')}. `
    + 'Once an asset changes, UpdatePipeline would deploy a template whose asset was never uploaded, and fail. '
    + 'Move these resources to a stack of a CDK stage the pipeline deploys (its assets are published), or leave selfUpdate off and deploy the pipeline stack with cdk deploy.';
}

/** The hash that names a file asset's object key or a Docker image asset's tag. */
const ASSET_HASH = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/;

/**
 * The resources of a stack that use its file or Docker image assets, as `<path> (<type>)`: those
 * that refer to an asset (by its hash) of the CDK bootstrap asset bucket or repository in the rendered template, else the
 * stack's own asset constructs and nested stacks (whose templates are file assets). Empty for a
 * stack without assets.
 */
export function assetUses(stack: Stack, template: RenderedTemplate): string[] {
  const rendered = template();
  if (rendered === undefined) return [];
  const qualifier = bootstrapQualifier(stack);
  // the bootstrap bucket and repository, by their default names and by the ones the stack's
  // synthesizer was given (fileAssetsBucketName, imageAssetsRepositoryName): the part before the
  // first placeholder
  type Names = { fileAssetsBucketName?: unknown; imageAssetsRepositoryName?: unknown };
  const configured = (stack.synthesizer as unknown as { props?: Names }).props ?? {};
  const marks = [`cdk-${qualifier}-assets-`, `cdk-${qualifier}-container-assets-`,
    ...[configured.fileAssetsBucketName, configured.imageAssetsRepositoryName]
      .filter((n): n is string => typeof n === 'string')
      .map(n => n.replace(/\$\{Qualifier\}/g, qualifier).split('${')[0])
      .filter(m => m.length >= 3)];
  const paths = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) paths.set(stack.resolve(c.logicalId), c.node.path);
  }
  const resources = Object.entries(rendered.Resources ?? {});
  const using = resources
    // an asset is an object of the bucket, or an image of the repository, named by its hash: a
    // resource that names the bucket alone (a role's policy on it) uses none
    .filter(([, r]) => { const text = JSON.stringify(r.Properties ?? {}); return marks.some(m => text.includes(m)) && ASSET_HASH.test(text); })
    .map(([id, r]) => `${paths.get(id) ?? id} (${r.Type})`);
  // whatever the synthesizer names them: the stack's own file and image assets, and nested stacks
  // (whose templates are file assets)
  if (using.length === 0) {
    using.push(...stack.node.findAll()
      .filter(c => ((c instanceof s3assets.Asset || c instanceof ecrAssets.DockerImageAsset) && Stack.of(c) === stack)
        || (NestedStack.isNestedStack(c) && c.nestedStackParent === stack))
      .map(c => `${c.node.path} (${NestedStack.isNestedStack(c) ? 'nested stack' : c instanceof s3assets.Asset ? 'file asset' : 'Docker image asset'})`));
  }
  return using;
}
