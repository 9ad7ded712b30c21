/**
 * Whether a stack's synthesizer is the AppStagingSynthesizer (`@aws-cdk/app-staging-synthesizer-alpha`)
 * once bound to the stack: it holds the staging resources (a staging stack of the app, with its
 * bucket and repositories) that take the stack's assets, as `stagingStack` with `addFile` and
 * `addDockerImage`. Recognized by that shape, as the package is an optional alpha module this library
 * does not depend on.
 */
export function isAppStagingSynthesizer(synthesizer: unknown): boolean {
  const staging = (synthesizer as { stagingStack?: { addFile?: unknown; addDockerImage?: unknown } } | undefined)?.stagingStack;
  return typeof staging?.addFile === 'function' && typeof staging?.addDockerImage === 'function';
}
