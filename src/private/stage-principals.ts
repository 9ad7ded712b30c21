import { Names, Resource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { isMarkedPipeline } from './app-registry';
import { joinedText, pseudoParameterText } from './intrinsics';
import { literal, literalName, resolvedOrUndefined, Validator } from './validation';

/**
 * A principal (an approver, a grantee, an action role) defined in a stack of another CDK stage than
 * the pipeline's stack. aws-cdk-lib refuses any reference across a stage boundary, in either
 * direction: the pipeline's stack naming the role (an action role, a role assumed to read alarms),
 * or the principal's policy, in its own stack, naming the pipeline (a grant). A stage the pipeline
 * deploys is also synthesized when the pipeline is configured, before the grants are made, so a
 * statement added to a policy of that stage afterwards would be missing from its templates.
 */
export interface OtherStagePrincipal {
  /** The principal's construct. */
  readonly construct: IConstruct;
  /** Its stack. */
  readonly stack: Stack;
  /** Its stage in words: `CDK stage 'Prod'`, or `the app, outside any CDK stage`. */
  readonly where: string;
  /**
   * The ARN of a role imported by an ARN the pipeline's stack can name itself (a string, with
   * pseudo parameters at most): such a role is used from any stack. Undefined for anything else.
   */
  readonly importedRoleArn?: string;
  /** True for a role imported by an ARN that is a token (a reference into its stage, say). */
  readonly tokenArn: boolean;
}

/**
 * The principal inside aws-cdk-lib's principal adapters (`PrincipalWithConditions`,
 * `SessionTagsPrincipal`), which pass the statements granted to them to the principal they wrap:
 * that principal's policy is the one that changes. Any other principal is returned as given.
 */
export function innerPrincipal(principal: unknown): unknown {
  let inner = principal;
  while (inner instanceof iam.PrincipalWithConditions || inner instanceof iam.SessionTagsPrincipal) {
    // `wrapped` is protected in aws-cdk-lib's typings, public at run time
    inner = (inner as unknown as { wrapped: unknown }).wrapped;
  }
  return inner;
}

/**
 * The principal when it is a construct of a stack in another CDK stage than `pipeline`'s stack, or
 * an adapter around one (see innerPrincipal), else undefined.
 */
export function otherStagePrincipal(pipeline: IConstruct, given: unknown): OtherStagePrincipal | undefined {
  const principal = innerPrincipal(given);
  if (!Construct.isConstruct(principal) || principal.node.root !== pipeline.node.root) return undefined;
  const stack = principal.node.scopes.filter((c): c is Stack => Stack.isStack(c)).pop();
  if (stack === undefined) return undefined;
  const pipelineStack = Stack.of(pipeline);
  const stage = Stage.of(stack);
  if (stage === Stage.of(pipelineStack)) return undefined;
  const where = stage?.node.path ? `CDK stage '${stage.node.path}'` : 'the app, outside any CDK stage';
  const arn = (principal as Partial<iam.IRole>).roleArn;
  const importedRole = !Resource.isOwnedResource(principal) && typeof arn === 'string';
  const plain = importedRole && plainArn(pipelineStack, arn);
  return { construct: principal, stack, where, importedRoleArn: plain ? arn : undefined, tokenArn: importedRole && !plain };
}

/**
 * True for an ARN the pipeline's stack can write itself: a string, or a token made only of strings
 * and pseudo parameters (`arn:${Aws.PARTITION}:iam::...`). Any other token refers to a resource or
 * a parameter, which the pipeline's stack cannot refer to across a stage boundary.
 */
function plainArn(pipelineStack: Stack, arn: string): boolean {
  if (!Token.isUnresolved(arn)) return true;
  return joinedText(resolvedOrUndefined(pipelineStack, arn), pseudoParameterText) !== undefined;
}

/** How the library's errors use a principal of another stage: in a grant, or as the role an action or a rule runs as. */
export type PrincipalUse = 'grant' | 'role';

/** The problem, in the library's error format (after the field): what the principal is and why it cannot be used. */
export function otherStageProblem(other: OtherStagePrincipal, what: string, use: PrincipalUse): string {
  const of = `${what} ${Resource.isOwnedResource(other.construct) ? 'of' : 'imported into'} stack '${other.stack.node.path}', in ${other.where}, not the pipeline's`;
  if (other.tokenArn) {
    return `is ${of}, by an ARN that is a token (a value of that stack, such as a parameter or another resource's attribute, `
      + "which the pipeline's stack cannot refer to across the stage boundary)";
  }
  return use === 'grant'
    ? `is ${of}: the grant would add statements naming the pipeline to its IAM policy in that stack, which cannot refer to the pipeline's stack `
      + 'across the stage boundary (and a stage the pipeline deploys is synthesized before the grant, so they would be missing from its templates)'
    : `is ${of}, which the pipeline's stack cannot refer to across the stage boundary`;
}

/**
 * A role ARN to show in a fix: the principal's own when its account and name are literal, else
 * placeholders; `account` is the account the role must be of, when its stack names none.
 */
export function suggestedRoleArn(other: OtherStagePrincipal, account?: string): string {
  const role = other.construct as Partial<iam.IRole>;
  const name = typeof role.roleName === 'string' ? literalName(role, role.roleName) : undefined;
  const roleAccount = literal(other.stack.account) ?? literal(account) ?? '<account>';
  return `arn:aws:iam::${roleAccount}:role/${name ?? '<role name>'}`;
}

/**
 * Refuses a principal of another CDK stage that the pipeline cannot use (see OtherStagePrincipal):
 * anything but a role imported by a plain ARN (`iam.Role.fromRoleArn` with a string), which the
 * pipeline's stack names by that ARN.
 */
export function refuseOtherStagePrincipal(
  v: Validator, field: string, principal: unknown, what: string, use: PrincipalUse, fix: (roleArn: string) => string, account?: string,
): void {
  if (!v.pipeline) return;
  const other = unusableOtherStagePrincipal(v.pipeline, principal);
  if (other) v.fail(field, otherStageProblem(other, what, use), other.construct.node.path, fix(suggestedRoleArn(other, account)));
}

/** The principal when it is of another stage and cannot be used there (see refuseOtherStagePrincipal), else undefined. */
export function unusableOtherStagePrincipal(pipeline: IConstruct, principal: unknown): OtherStagePrincipal | undefined {
  const other = otherStagePrincipal(pipeline, principal);
  return other && other.importedRoleArn === undefined ? other : undefined;
}

/** aws-cdk-lib's wrapper of a role whose policies are never changed (`fromRoleArn(..., { mutable: false })`, or a role of another account than the importing stack's). */
function isImmutableRole(role: unknown): boolean {
  // the class is not exported; its property-injection id names it
  return (role as { constructor?: { PROPERTY_INJECTION_ID?: unknown } }).constructor?.PROPERTY_INJECTION_ID === 'aws-cdk-lib.aws-iam.ImmutableRole';
}

/** True when two accounts are the same, or one is not known at synth (aws-cdk-lib's rule for a mutable import). */
function sameAccount(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || Token.isUnresolved(a) || Token.isUnresolved(b) || a === b;
}

/**
 * A role imported by a plain ARN into a stack of another CDK stage, as the pipeline's stack uses it:
 * imported again by that ARN next to the pipeline, so that what aws-cdk-lib and the library add to
 * its policies goes where an import in the pipeline's stack puts it. As imported there, it is
 * mutable in the stack of its own account, and the statements would be added to a policy in the
 * other stage's stack (a reference across the stage boundary); imported into a stack of another
 * account it is immutable, and a grant to a role of the pipeline's account would add nothing at
 * all. A role imported with `{ mutable: false }` into a stack of its own account stays as given
 * (nothing is added to its policies, as asked), and so does an immutable role of another account
 * than the pipeline's (imported next to the pipeline it is immutable too). Any other role is
 * returned as given.
 */
export function roleInPipelineStack(scope: Construct, role: iam.IRole): iam.IRole {
  const other = otherStagePrincipal(scope, role);
  if (other?.importedRoleArn === undefined) return role;
  const arn = other.importedRoleArn;
  const arnAccount = Token.isUnresolved(arn) ? undefined : arn.split(':')[4] || undefined;
  if (isImmutableRole(role) && (sameAccount(arnAccount, other.stack.account) || !sameAccount(arnAccount, Stack.of(scope).account))) return role;
  // one import per role and pipeline, next to the pipeline (which the library's own roles are under too)
  const owner = [...scope.node.scopes].reverse().find(isMarkedPipeline) ?? scope;
  const id = `StageRole${Names.uniqueId(role)}`;
  return owner.node.tryFindChild(id) as iam.IRole | undefined ?? iam.Role.fromRoleArn(owner, id, arn);
}

/**
 * The grantee as the pipeline's stack grants it: a role imported into another stage's stack is
 * granted as roleInPipelineStack says, also when it was given wrapped in `PrincipalWithConditions`
 * or `SessionTagsPrincipal` (aws-cdk-lib passes an adapter's grants to the role unchanged: its
 * conditions and tags apply to trust policies only).
 */
export function grantableInPipelineStack(scope: Construct, grantee: iam.IGrantable): iam.IGrantable {
  const principal = innerPrincipal(grantee.grantPrincipal);
  if (!Construct.isConstruct(principal) || typeof (principal as Partial<iam.IRole>).roleArn !== 'string') return grantee;
  const role = roleInPipelineStack(scope, principal as unknown as iam.IRole);
  return role === principal ? grantee : role;
}
