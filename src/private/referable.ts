import { Resource, Stack, Stage, Token } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { literal, Validator } from './validation';

/**
 * Refuses a resource defined in a stack the pipeline's stack cannot refer to: another CDK stage,
 * or another account or Region. aws-cdk-lib would stop the synth with a cross-stage or
 * "cross-environment" resolution error that names neither the field nor the fix. `what` names the
 * resource with its article ("an SNS topic").
 */
export function refuseUnreferable(v: Validator, field: string, resource: IConstruct, what: string, label: unknown, fix: string): void {
  if (!v.pipeline) return;
  const pipelineStack = Stack.of(v.pipeline);
  const stack = Stack.of(resource);
  if (stack === pipelineStack) return;
  refuseOtherStage(v, field, resource, what, label, fix);
  // a resource imported by id or ARN is referred to by that literal, from a stack of any environment
  if (stack.environment !== pipelineStack.environment && Resource.isOwnedResource(resource)) {
    v.fail(field, `is ${what} of stack '${stack.node.path}' (${stack.environment}), which the pipeline's stack (${pipelineStack.environment}) cannot refer to: `
      + 'aws-cdk-lib refers to resources of other stacks of the same environment only', label, fix);
  }
}

/**
 * The same for a resource that is referred to by an attribute only when it is defined in the app
 * (a topic's ARN): one imported by ARN or name is referred to by that literal, from anywhere.
 */
export function refuseOwnedUnreferable(v: Validator, field: string, resource: IConstruct, what: string, fix: string): void {
  if (Resource.isOwnedResource(resource)) refuseUnreferable(v, field, resource, what, resource.node.path, fix);
}

/**
 * The fix for a `DeliveryDefaults` resource a pipeline's stack cannot refer to: one default serves
 * the pipelines of many stacks and stages, so creating it in the pipeline's stack is no way out.
 * `importExample` imports it by ARN; `field` is the DeliveryDefaults field; `note` follows the example.
 */
export function defaultResourceFix(what: string, importExample: string, field: string, note: string = ''): string {
  return `A default reaches the pipelines of other stacks and stages: import the ${what} by ARN in the stack where you set the default `
    + `(${importExample}${note}), which any pipeline refers to by that ARN, or give the pipelines of another account or Region a default of `
    + `their own (DeliveryDefaults.applyTo(theirStageOrStack, { ${field} })).`;
}

/**
 * Refuses a resource of another CDK app than the pipeline's (its construct tree has another root):
 * aws-cdk-lib refuses any reference to it ("Cannot reference across apps") without naming the
 * construct or the field, and that app's resources are not deployed with this one.
 */
export function refuseOtherApp(v: Validator, field: string, resource: IConstruct, what: string, label: unknown): void {
  if (!v.pipeline || typeof resource?.node !== 'object' || resource.node.root === v.pipeline.node.root) return;
  const where = resource.node.scopes.filter(c => Stack.isStack(c)).pop();
  v.fail(field, `is ${what}${where ? ` of stack '${where.node.path}'` : ''} of another CDK app than the pipeline's, which the pipeline's stack cannot refer to`, label,
    "Import it into the pipeline's app by ARN (sns.Topic.fromTopicArn, kms.Key.fromKeyArn, s3.Bucket.fromBucketArn, ...), or create it in this app.");
}

/**
 * The same for a resource defined in the app (`Resource.isOwnedResource`) only: one imported by ARN
 * into another app is referred to by that literal. A KMS alias is checked for the key behind it.
 */
export function refuseOwnedOfOtherApp(v: Validator, field: string, resource: unknown, what: string): void {
  if (typeof (resource as IConstruct | undefined)?.node !== 'object') return;
  // an alias imported by name has no key to tell (its aliasTargetKey throws)
  const target = Resource.isOwnedResource(resource as IConstruct) ? (resource as { aliasTargetKey?: IConstruct }).aliasTargetKey : undefined;
  const owned = target !== undefined && target !== resource ? target : resource as IConstruct;
  if (Resource.isOwnedResource(owned)) refuseOtherApp(v, field, owned, what, owned.node.path);
}

/**
 * Refuses a resource of a stack in another CDK stage than the pipeline's (a stage the pipeline
 * deploys, say): aws-cdk-lib refuses references across a stage boundary with an error that names
 * neither the field nor the fix. Resources of other accounts and regions are left to the caller.
 */
export function refuseOtherStage(v: Validator, field: string, resource: IConstruct, what: string, label: unknown, fix: string): void {
  if (!v.pipeline) return;
  // a resource imported into another app (by id or ARN) is referred to by that literal
  if (resource.node.root !== v.pipeline.node.root && !Resource.isOwnedResource(resource)) return;
  refuseOtherApp(v, field, resource, what, label);
  const stage = Stage.of(Stack.of(resource));
  if (stage === Stage.of(Stack.of(v.pipeline))) return;
  const where = stage?.node.path ? `CDK stage '${stage.node.path}'` : 'the app, outside any CDK stage';
  v.fail(field, `is ${what} of stack '${Stack.of(resource).node.path}', in ${where}, not the pipeline's, which the pipeline's stack cannot refer to`, label, fix);
}

/**
 * True for a resource of the app whose physical name is generated when it deploys, so that a stack
 * of another environment cannot name it. aws-cdk-lib's own flag: false for such names, true for
 * literal and `PhysicalName.GENERATE_IF_NEEDED` names (undefined: not a resource, or a future
 * aws-cdk-lib without the flag, and then nothing is refused).
 */
export function hasDeployTimeName(resource: unknown): boolean {
  return typeof (resource as { node?: unknown } | undefined)?.node === 'object' && Resource.isOwnedResource(resource as IConstruct)
    && (resource as { _allowCrossEnvironment?: boolean })._allowCrossEnvironment === false;
}

/**
 * True when `consumer` reads the deploy-time names of `producer`'s resources although they are in
 * different Regions: same account, and `consumer` has `crossRegionReferences` (aws-cdk-lib then
 * reads them through SSM exports).
 */
export function readsCrossRegionNames(consumer: Stack, producer: Stack): boolean {
  return consumer.account === producer.account && hasCrossRegionReferences(consumer);
}

/** True when the stack has `crossRegionReferences: true`. */
export function hasCrossRegionReferences(stack: Stack): boolean {
  return (stack as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences === true;
}

/**
 * Refuses a Secrets Manager secret of another account than the pipeline's that was imported
 * without its `encryptionKey`. Reading a secret across accounts needs `kms:Decrypt` on its customer
 * managed key in the reader's own policy (the AWS managed key `aws/secretsmanager` cannot be used
 * from another account at all), and without the key the library cannot grant it: every build would
 * fail with AccessDenied. `importAs` is the call that takes the secret, for the fix.
 */
export function refuseKeylessOtherAccountSecret(
  v: Validator, field: string, secret: secretsmanager.ISecret, importAs: (secret: string) => string,
): void {
  if (!v.pipeline || secret.encryptionKey !== undefined) return;
  const pipelineAccount = Stack.of(v.pipeline).account;
  const account = secret.env.account;
  if (Token.isUnresolved(account) || Token.isUnresolved(pipelineAccount) || account === pipelineAccount) return;
  const arn = literal(secret.secretArn) ?? `arn:aws:secretsmanager:<region>:${account}:secret:<name>-<suffix>`;
  v.fail(field, `is a Secrets Manager secret of account ${account}, imported without its encryptionKey: the pipeline's account (${pipelineAccount}) `
    + 'can read it only with kms:Decrypt on its customer managed key, which the build\'s role cannot be granted without the key '
    + '(the AWS managed key aws/secretsmanager cannot be used from another account)', literal(secret.secretArn) ?? secret.node.path,
  `Import the secret with its key: ${importAs(`secretsmanager.Secret.fromSecretAttributes(this, 'SharedSecret', { secretCompleteArn: '${arn}', `
    + "encryptionKey: kms.Key.fromKeyArn(this, 'SharedSecretKey', '<key ARN>') })")}; the secret must be encrypted with that customer managed key, `
    + `and the key policy and the secret's resource policy must allow account ${pipelineAccount} (kms:Decrypt; secretsmanager:GetSecretValue).`);
}
