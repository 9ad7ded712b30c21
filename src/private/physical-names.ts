import * as crypto from 'crypto';
import { Aws, Fn, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Longest name a CodeStar notification rule or an IAM role may have. */
export const MAX_NAME_LENGTH = 64;

/** The id of the role of the pipeline's manual approvals. */
export const APPROVAL_ROLE_ID = 'ApprovalRole';

/** Characters the hash adds to a name, with its separator. */
const HASH_LENGTH = 8;

/** Room kept for a Region known only at deploy time (the longest Region names have 15 characters). */
const REGION_ROOM = 16;

/**
 * A physical name unique in the account for `scope`'s resource `suffix` (a notification rule and an
 * IAM role need one: their names are unique per account, in all Regions). It names the stack, the
 * Region and the path of `scope` in its stack, then a hash of them, for example
 * `orders-pipeline-eu-west-1-Shop-1a2b3c4d`: two stacks of one account, or one stack deployed in two
 * Regions, get different names. At most 64 characters of `[A-Za-z0-9_-]`: when longer, the stack
 * name and the path are cut, and the hash (of the whole values) keeps distinct names distinct.
 * A Region known only at deploy time (an environment-agnostic stack) is joined in by
 * CloudFormation; a stack name known only at deploy time (a nested stack's) is replaced by the
 * stack's unique id (the last part of its AWS::StackId).
 */
export function uniqueName(scope: IConstruct, suffix?: string): string {
  const stack = Stack.of(scope);
  const ids = scope.node.scopes.slice(stack.node.scopes.length).map(c => c.node.id);
  const path = [...ids, ...(suffix ? [suffix] : [])].join('-').replace(/[^A-Za-z0-9_-]/g, '-');
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  const stackName = Token.isUnresolved(stack.stackName) ? undefined : stack.stackName;
  const hash = crypto.createHash('sha256')
    .update(JSON.stringify([stackName ?? '', region ?? '', ids, suffix ?? '']))
    .digest('hex').slice(0, HASH_LENGTH);
  if (stackName === undefined) {
    // the stack's id is unique in all accounts and Regions: the Region is not needed
    const stackId = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const room = MAX_NAME_LENGTH - 36 - HASH_LENGTH - 2;
    return `${path.slice(0, room)}-${hash}-${stackId}`;
  }
  const room = MAX_NAME_LENGTH - (region?.length ?? REGION_ROOM) - HASH_LENGTH - 3;
  let [stackPart, pathPart] = [stackName, path];
  if (stackPart.length + pathPart.length > room) {
    const keepPath = Math.min(pathPart.length, Math.max(Math.ceil(room / 2), room - stackPart.length));
    pathPart = pathPart.slice(0, keepPath);
    stackPart = stackPart.slice(0, room - keepPath);
  }
  return `${stackPart}-${region ?? stack.region}-${pathPart}-${hash}`;
}
