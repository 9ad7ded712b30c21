import { Aws, IResolveContext, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/** The policies whose `kms` grants on every key were narrowed to the replication keys' aliases. */
const SCOPED = new WeakSet<iam.Policy>();

/** True for a policy whose `key/*` statements are limited by `kms:ResourceAliases` (see below). */
export function hasAliasScopedReplicationKeys(policy: iam.Policy): boolean {
  return SCOPED.has(policy);
}

/**
 * With an environment in another account and another region, aws-cdk-lib gives the pipeline's
 * role `kms:Decrypt`, `Encrypt`, `GenerateDataKey*`... on `Resource: "*"`: the replication bucket
 * of that region is encrypted with a key of the support stack, which the pipeline stack can only
 * reference by its alias, so aws-cdk-lib grants on every key. This narrows that grant to the keys
 * of the replication regions (`arn:<partition>:kms:<region>:<account>:key/*`) that carry one of
 * the replication keys' aliases (`kms:ResourceAliases`), when the pipeline role's policy is
 * rendered. Nothing changes when no replication key is referenced by alias.
 */
export function scopeReplicationKeyGrants(pipeline: codepipeline.Pipeline): void {
  const stack = Stack.of(pipeline);
  const regions: Array<{ region: string; alias: string }> = [];
  for (const [region, support] of Object.entries(pipeline.crossRegionSupport)) {
    const key = support.replicationBucket.encryptionKey;
    if (!key || !isAlias(key)) continue;
    const alias = stack.resolve(key.aliasName);
    if (typeof alias !== 'string' || Token.isUnresolved(region)) return; // cannot name it: keep aws-cdk-lib's grant
    regions.push({ region, alias });
  }
  if (regions.length === 0) return;
  const policy = pipeline.role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const cfn = policy?.node.defaultChild as iam.CfnPolicy | undefined;
  if (!policy || !cfn) return;
  SCOPED.add(policy);
  const keyArns = regions.map(r => `arn:${Aws.PARTITION}:kms:${r.region}:${stack.account}:key/*`);
  const aliases = [...new Set(regions.map(r => r.alias))];
  // the L1 property, not an override: cdk-nag and other checks read the narrowed document too
  cfn.policyDocument = Lazy.uncachedAny({
    produce: (context: IResolveContext) => narrow(context.resolve(policy.document), context.resolve(keyArns), aliases),
  });
}

function isAlias(key: kms.IKey): key is kms.IAlias {
  return typeof (key as kms.IAlias).aliasName === 'string';
}

interface Statement { Action?: string | string[]; Resource?: unknown; Condition?: unknown; [key: string]: unknown }

/** An unconditional statement of kms actions only, on "*" among its resources: aws-cdk-lib's key grant it cannot name a key in. */
function isKmsGrantOnStar(st: Statement): boolean {
  const actions = ([] as string[]).concat(st.Action ?? []);
  return st.Condition === undefined && ([] as unknown[]).concat(st.Resource ?? []).includes('*')
    && actions.length > 0 && actions.every(a => a.startsWith('kms:'));
}

/** Splits every unconditional kms-only statement on "*" into its other resources and the alias-scoped keys. */
function narrow(document: { Statement?: Statement[] }, keyArns: unknown[], aliases: string[]): unknown {
  const statements: Statement[] = [];
  for (const st of document.Statement ?? []) {
    const resources = ([] as unknown[]).concat(st.Resource ?? []);
    if (!isKmsGrantOnStar(st)) {
      statements.push(st);
      continue;
    }
    const others = resources.filter(r => r !== '*');
    if (others.length > 0) statements.push({ ...st, Resource: others.length === 1 ? others[0] : others });
    statements.push({
      ...st,
      Resource: keyArns.length === 1 ? keyArns[0] : keyArns,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases.length === 1 ? aliases[0] : aliases } },
    });
  }
  return { ...document, Statement: statements };
}

/**
 * The roles aws-cdk-lib created for this pipeline's actions in a stack of another account. It names
 * each `<pipeline unique id>-<stage>-<action>-ActionRole` (actions given a role have none) and puts
 * it in the stack of the action's resource (a CodeDeploy group or ECS service defined in a stack of
 * that account), else in the first stack of that account it used for the pipeline: its support
 * stack (`cross-account-support-stack-<account>`), or the stack of an earlier action's resource of
 * that account, a stack of the user's (aws-cdk-lib remembers one stack per account). So the roles
 * are looked up in every stack of the app.
 */
export function crossAccountActionRoles(pipeline: codepipeline.Pipeline): iam.Role[] {
  const pipelineStack = Stack.of(pipeline);
  const prefix = Names.uniqueId(pipeline);
  const byId = new Map<string, iam.Role>();
  for (const c of pipeline.node.root.node.findAll()) {
    if (!Stack.isStack(c) || c === pipelineStack) continue;
    for (const child of c.node.children) {
      if (child instanceof iam.Role && child.node.id.startsWith(`${prefix}-`) && child.node.id.endsWith('-ActionRole')) byId.set(child.node.id, child);
    }
  }
  const roles: iam.Role[] = [];
  for (const stage of pipeline.stages) {
    for (const action of stage.actions) {
      const props = action.actionProperties;
      if (props.role) continue;
      const role = byId.get(`${prefix}-${stage.stageName}-${props.actionName}-ActionRole`);
      if (role && !roles.includes(role)) roles.push(role);
    }
  }
  return roles;
}

/** The policies of cross-account action roles whose kms grant on "*" was narrowed, with the key ARN pattern as cdk-nag shows it. */
const SCOPED_ACTION_ROLES = new WeakMap<iam.Policy, string>();

/** The `key/*` ARN a cross-account action role's kms grant was narrowed to, as cdk-nag shows it (`arn:<AWS::Partition>:...`), if it was. */
export function scopedActionRoleKeys(policy: iam.Policy): string | undefined {
  return SCOPED_ACTION_ROLES.get(policy);
}

/**
 * An action role aws-cdk-lib creates in another account gets `kms:Decrypt` and `kms:DescribeKey` on
 * `Resource: "*"` for the pipeline's artifact key (or the replication key of its region): the key's
 * generated ARN cannot be referenced from a stack of another account, so aws-cdk-lib grants on every
 * key, and the role could decrypt with any key of its own account whose key policy delegates to
 * IAM. This narrows the grant to the keys of the pipeline's account in the action's region
 * (`arn:<partition>:kms:<region>:<pipeline account>:key/*`); those keys' policies then decide, and
 * only the artifact key's (replication key's) names the role. Nothing changes when the pipeline's
 * account or the role's region is unknown at synth.
 */
export function scopeCrossAccountActionRoleKeyGrants(pipeline: codepipeline.Pipeline): void {
  const account = Stack.of(pipeline).account;
  if (Token.isUnresolved(account)) return;
  for (const role of crossAccountActionRoles(pipeline)) {
    const roleStack = Stack.of(role);
    if (Token.isUnresolved(roleStack.region)) continue;
    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    const cfn = policy?.node.defaultChild as iam.CfnPolicy | undefined;
    if (!policy || !cfn) continue;
    const keyArn = `arn:${roleStack.partition}:kms:${roleStack.region}:${account}:key/*`;
    const partition = Token.isUnresolved(roleStack.partition) ? '<AWS::Partition>' : roleStack.partition;
    SCOPED_ACTION_ROLES.set(policy, `arn:${partition}:kms:${roleStack.region}:${account}:key/*`);
    // the L1 property, not an override: cdk-nag and other checks read the narrowed document too
    cfn.policyDocument = Lazy.uncachedAny({
      produce: (context: IResolveContext) => narrowToKeys(context.resolve(policy.document), context.resolve(keyArn)),
    });
  }
}

/** Replaces "*" by the key ARN in every unconditional kms-only statement. */
function narrowToKeys(document: { Statement?: Statement[] }, keyArn: unknown): unknown {
  return {
    ...document,
    Statement: (document.Statement ?? []).map(st => {
      if (!isKmsGrantOnStar(st)) return st;
      const resources = ([] as unknown[]).concat(st.Resource ?? []);
      const narrowed = [...new Set(resources.map(res => (res === '*' ? keyArn : res)))];
      return { ...st, Resource: narrowed.length === 1 ? narrowed[0] : narrowed };
    }),
  };
}
