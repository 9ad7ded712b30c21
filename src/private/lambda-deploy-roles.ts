import type * as iam from 'aws-cdk-lib/aws-iam';

/*
 * The roles the library's Lambda deploy actions were bound to: cdk-nag suppressions for that action's
 * grants go on their policies only (src/private/nag.ts), never on a policy of the user's.
 */
const LAMBDA_DEPLOY_ROLES = new WeakSet<object>();

/** Marks the role a Lambda deploy action was bound to (deploy/lambda-target.ts). */
export function markLambdaDeployRole(role: iam.IRole): void {
  LAMBDA_DEPLOY_ROLES.add(role);
}

/** True for a role a Lambda deploy action was bound to. */
export function isLambdaDeployRole(role: unknown): boolean {
  return typeof role === 'object' && role !== null && LAMBDA_DEPLOY_ROLES.has(role);
}
