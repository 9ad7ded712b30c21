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

/** Where the publisher is installed in the build container (outside the source and output). */
export const PUBLISHER_DIRECTORY = '/tmp/cdk-delivery-assets';

/**
 * Publishes the assets of each manifest given as an argument, like `cdk-assets publish`: assumes the
 * publishing role each destination names, prints every step, and exits 1 when an asset failed.
 * One line (CodeBuild runs each command line by line), written with `printf '%s\n' '<script>'`,
 * so it holds no single quote.
 */
export const PUBLISH_SCRIPT = [
  'const { AssetManifest, AssetPublishing, DefaultAwsClient } = require("@aws-cdk/cdk-assets-lib");',
  '(async () => {',
  '  for (const file of process.argv.slice(2)) {',
  '    console.log(`Publishing the assets of ${file}`);',
  '    const publishing = new AssetPublishing(AssetManifest.fromPath(file), {',
  '      aws: new DefaultAwsClient(), throwOnError: false,',
  '      progressListener: { onPublishEvent: (type, event) => console.log(`[${type}] ${event.message}`) },',
  '    });',
  '    await publishing.publish();',
  '    for (const failure of publishing.failures) console.error(`failed: ${failure.asset.id}: ${failure.error && failure.error.message}`);',
  '    if (publishing.hasFailures) process.exitCode = 1;',
  '  }',
  '})().catch((e) => { console.error(e && e.message ? e.message : e); process.exitCode = 1; });',
].map(line => line.trim()).join(' ');

/** The install commands: the library at the given npm version or tag, then the script beside it. */
export function publisherInstallCommands(version: string): string[] {
  return [
    `npm install --prefix ${PUBLISHER_DIRECTORY} --no-save --no-package-lock --no-audit --no-fund @aws-cdk/cdk-assets-lib@${version}`,
    `printf '%s\\n' '${PUBLISH_SCRIPT}' > ${PUBLISHER_DIRECTORY}/publish.js`,
  ];
}

/** The commands that publish the assets of the given manifests (paths in the build's working directory). */
export function publishCommands(manifests: string[], baseDirectory?: string): string[] {
  const prefix = baseDirectory ? `${baseDirectory.replace(/\/+$/, '')}/` : '';
  return manifests.map(m => `node ${PUBLISHER_DIRECTORY}/publish.js "${prefix}${m}"`);
}
