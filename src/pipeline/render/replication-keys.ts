import { Aws, IResolveContext, Lazy, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { joinedText, pseudoParameterText } from '../../private/intrinsics';

type Document = { Statement?: Statement[] };

/** The policies whose `kms` grants on every key were narrowed to the replication keys' aliases, with the narrowing. */
const SCOPED = new WeakMap<iam.Policy, (document: Document) => Document>();

/** True for a policy whose `key/*` statements are limited by `kms:ResourceAliases` (see below). */
export function hasAliasScopedReplicationKeys(policy: iam.Policy): boolean {
  return SCOPED.has(policy);
}

/**
 * The statements of a policy's document as its template has them (narrowed, if it was), unresolved.
 * With `@aws-cdk/aws-iam:minimizePolicies` the template merges statements that share their actions
 * or their resources, which these are not: the same actions on the same resources, in other
 * statements, so the same cdk-nag finding ids, and the same narrowing of each kms action on "*".
 */
export function renderedStatements(policy: iam.Policy): Statement[] {
  const document = (policy.document.toJSON() ?? {}) as Document;
  const scope = SCOPED.get(policy) ?? SCOPED_ACTION_ROLES.get(policy)?.narrow;
  const keys = scope?.(document) ?? document;
  const services = SCOPED_ECS_SERVICES.get(policy);
  return (services ? narrowToService(keys, services) : keys).Statement ?? [];
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
  const keyArns = regions.map(r => `arn:${Aws.PARTITION}:kms:${r.region}:${stack.account}:key/*`);
  const aliases = [...new Set(regions.map(r => r.alias))];
  SCOPED.set(policy, document => narrow(document, keyArns, aliases));
  // the L1 property, not an override: cdk-nag and other checks read the narrowed document too
  cfn.policyDocument = Lazy.uncachedAny({
    produce: (context: IResolveContext) => narrow(context.resolve(policy.document), context.resolve(keyArns), aliases),
  });
}

/** The references to roles of the pipeline's stack that the library hands actions of other regions of its account. */
const OTHER_REGION_ACTION_ROLES = new WeakSet<iam.IRole>();

/** Marks a reference to a role the library created for an action in another region of the pipeline's account. */
export function markOtherRegionActionRole(role: iam.IRole): void {
  OTHER_REGION_ACTION_ROLES.add(role);
}

/**
 * The action roles of the pipeline's stack that act in another region of the pipeline's account
 * get aws-cdk-lib's grant on that region's replication key: `kms:Decrypt` and `kms:DescribeKey` on
 * `Resource: "*"` for the roles aws-cdk-lib creates (the key of the support stack cannot be named
 * from the pipeline's stack), and on the key's ARN for a reference the library hands the action
 * (which the pipeline's stack cannot resolve either: a reference to a stack of another region). This
 * narrows both, like the pipeline role's grant, to the keys of that region that carry the
 * replication key's alias. Roles given by the user are not changed.
 */
export function scopeOtherRegionActionRoleKeyGrants(pipeline: codepipeline.Pipeline): void {
  const stack = Stack.of(pipeline);
  if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) return;
  for (const stage of pipeline.stages) {
    for (const action of stage.actions) {
      const props = action.actionProperties;
      const region = props.region ?? props.resource?.env.region;
      if (region === undefined || Token.isUnresolved(region) || region === stack.region) continue;
      const key = pipeline.crossRegionSupport[region]?.replicationBucket.encryptionKey;
      if (!key || !isAlias(key)) continue;
      const alias = stack.resolve(key.aliasName);
      if (typeof alias !== 'string') continue;
      const policy = actionRolePolicy(pipeline, stage.stageName, props);
      const cfn = policy?.node.defaultChild as iam.CfnPolicy | undefined;
      if (!policy || !cfn || Stack.of(policy) !== stack) continue;
      const keyArn = `arn:${Aws.PARTITION}:kms:${region}:${stack.account}:key/*`;
      // the key's ARN as aws-cdk-lib's grant holds it, unresolved: resolving it from this stack would reference the support stack
      const targetKey = (key as { aliasTargetKey?: kms.IKey }).aliasTargetKey?.keyArn;
      const scope = (document: Document) => narrow(document, [keyArn], [alias], targetKey);
      SCOPED.set(policy, scope);
      // the L1 property, not an override: cdk-nag and other checks read the narrowed document too. The
      // document is narrowed before it is resolved, so the key's ARN is never resolved.
      cfn.policyDocument = Lazy.uncachedAny({ produce: () => scope((policy.document.toJSON() ?? {}) as Document) });
    }
  }
}

/** The policy of an action's role that aws-cdk-lib created in the pipeline's stack, or of a role the library handed the action. */
function actionRolePolicy(pipeline: codepipeline.Pipeline, stageName: string, props: codepipeline.ActionProperties): iam.Policy | undefined {
  if (props.role) {
    // an imported role's policy: 'Policy', or 'Policy<unique id>' with @aws-cdk/aws-iam:importedRoleStackSafeDefaultPolicyName
    return OTHER_REGION_ACTION_ROLES.has(props.role) ? props.role.node.children.find((c): c is iam.Policy => c instanceof iam.Policy) : undefined;
  }
  const role = pipeline.node.tryFindChild(stageName)?.node.tryFindChild(props.actionName)?.node.tryFindChild('CodePipelineActionRole');
  return role instanceof iam.Role ? role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined : undefined;
}

function isAlias(key: kms.IKey): key is kms.IAlias {
  return typeof (key as kms.IAlias).aliasName === 'string';
}

export interface Statement { Action?: string | string[]; Resource?: unknown; Condition?: any; [key: string]: unknown }

/** The kms actions of an unconditional statement on "*" (or `key`) among its resources: aws-cdk-lib's key grant it cannot name a key in. */
function kmsGrantOnStar(st: Statement, key?: string): string[] {
  const actions = ([] as string[]).concat(st.Action ?? []);
  if (st.Condition !== undefined || !([] as unknown[]).concat(st.Resource ?? []).some(r => r === '*' || (key !== undefined && r === key))) return [];
  return actions.filter(a => a.startsWith('kms:'));
}

/** One action or a list, as IAM writes it. */
function oneOrList<T>(items: T[]): T | T[] {
  return items.length === 1 ? items[0] : items;
}

/**
 * Splits every unconditional statement granting kms actions on "*" (or `key`) into its other
 * actions (aws-cdk-lib may have merged the key grant with grants on "*"), its kms actions on its
 * other resources, and its kms actions on the alias-scoped keys.
 */
function narrow(document: Document, keyArns: unknown[], aliases: string[], key?: string): Document {
  const statements: Statement[] = [];
  for (const st of document.Statement ?? []) {
    const kmsActions = kmsGrantOnStar(st, key);
    if (kmsActions.length === 0) {
      statements.push(st);
      continue;
    }
    const resources = ([] as unknown[]).concat(st.Resource ?? []);
    const otherActions = ([] as string[]).concat(st.Action ?? []).filter(a => !kmsActions.includes(a));
    const otherResources = resources.filter(r => r !== key);
    if (otherActions.length > 0 && otherResources.length > 0) {
      statements.push({ ...st, Action: oneOrList(otherActions), Resource: oneOrList(otherResources) });
    }
    const others = resources.filter(r => r !== '*' && r !== key);
    if (others.length > 0) statements.push({ ...st, Action: oneOrList(kmsActions), Resource: oneOrList(others) });
    statements.push({
      ...st,
      Action: oneOrList(kmsActions),
      Resource: oneOrList(keyArns),
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': oneOrList(aliases) } },
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
  return crossAccountActionRolesWithRegions(pipeline).map(r => r.role);
}

/** The roles of {@link crossAccountActionRoles}, each with the region of its (first) action, when the action names one. */
function crossAccountActionRolesWithRegions(pipeline: codepipeline.Pipeline): Array<{ role: iam.Role; region?: string }> {
  const pipelineStack = Stack.of(pipeline);
  const prefix = Names.uniqueId(pipeline);
  const byId = new Map<string, iam.Role>();
  for (const c of pipeline.node.root.node.findAll()) {
    if (!Stack.isStack(c) || c === pipelineStack) continue;
    for (const child of c.node.children) {
      if (child instanceof iam.Role && child.node.id.startsWith(`${prefix}-`) && child.node.id.endsWith('-ActionRole')) byId.set(child.node.id, child);
    }
  }
  const roles: Array<{ role: iam.Role; region?: string }> = [];
  for (const stage of pipeline.stages) {
    for (const action of stage.actions) {
      const props = action.actionProperties;
      if (props.role) continue;
      const role = byId.get(`${prefix}-${stage.stageName}-${props.actionName}-ActionRole`);
      if (role && !roles.some(r => r.role === role)) roles.push({ role, region: props.region ?? props.resource?.env.region ?? pipelineStack.region });
    }
  }
  return roles;
}

/** The policies of cross-account action roles whose kms grant on "*" is narrowed: the key ARN (unresolved, and as cdk-nag shows it when it is a pattern), and the narrowing. */
const SCOPED_ACTION_ROLES = new WeakMap<iam.Policy, { keyArn: string; nagKeyArn?: string; narrow: (document: Document) => Document }>();

/**
 * The `key/*` ARN a cross-account action role's kms grant was narrowed to, as cdk-nag shows it
 * (`arn:<AWS::Partition>:...`), when the policy holds such a grant (a grant narrowed to a key's
 * literal ARN has no wildcard to report).
 */
export function scopedActionRoleKeys(policy: iam.Policy): string | undefined {
  const scoped = SCOPED_ACTION_ROLES.get(policy);
  if (!scoped?.nagKeyArn) return undefined;
  return renderedStatements(policy).some(st => ([] as unknown[]).concat(st.Resource ?? []).includes(scoped.keyArn)) ? scoped.nagKeyArn : undefined;
}

/**
 * The key that encrypts the artifacts an action of `region` reads: the artifact bucket's key in the
 * pipeline's region, the replication bucket's key in another.
 */
function artifactKeyOfRegion(pipeline: codepipeline.Pipeline, region: string): kms.IKey | undefined {
  if (region === Stack.of(pipeline).region) return pipeline.artifactBucket.encryptionKey;
  return pipeline.crossRegionSupport[region]?.replicationBucket.encryptionKey;
}

/**
 * The ARN a grant on `key` can name from a stack of another account: the key's ARN when it is a
 * literal key ARN (an imported key), else `key/*` of the key's own account and region (a key, or an
 * alias of a support stack, whose generated id cannot be referenced there). Undefined when neither
 * is known at synth.
 */
function keyArnPattern(key: kms.IKey, partition: string): { arn: string; pattern: boolean } | undefined {
  const arn = key.keyArn;
  if (!Token.isUnresolved(arn) && /^arn:[^:]+:kms:[^:]+:[0-9]{12}:key\/[^*]+$/.test(arn)) return { arn, pattern: false };
  const { account, region } = key.env;
  if (Token.isUnresolved(account) || Token.isUnresolved(region) || !account || !region) return undefined;
  return { arn: `arn:${partition}:kms:${region}:${account}:key/*`, pattern: true };
}

/**
 * An action role aws-cdk-lib creates in another account gets `kms:Decrypt` and `kms:DescribeKey` on
 * `Resource: "*"` for the pipeline's artifact key (or the replication key of the action's region):
 * aws-cdk-lib names "*" whenever the key is in another environment than the role, and the role could
 * then decrypt with any key of its own account whose key policy delegates to IAM. This narrows the
 * grant to the key the action reads: its literal ARN for an imported key (of any account), else the
 * keys of the key's account and region (`arn:<partition>:kms:<region>:<key account>:key/*`: the
 * pipeline's account for the library's artifact key and aws-cdk-lib's replication keys); those keys'
 * policies then decide, and only the artifact key's (replication key's) names the role. Nothing
 * changes when that key or its account and region are unknown at synth.
 */
export function scopeCrossAccountActionRoleKeyGrants(pipeline: codepipeline.Pipeline): void {
  for (const { role, region: actionRegion } of crossAccountActionRolesWithRegions(pipeline)) {
    const roleStack = Stack.of(role);
    const region = actionRegion !== undefined && !Token.isUnresolved(actionRegion) ? actionRegion : roleStack.region;
    if (Token.isUnresolved(region)) continue;
    const key = artifactKeyOfRegion(pipeline, region);
    if (!key) continue;
    const target = keyArnPattern(key, roleStack.partition);
    if (!target) continue;
    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    const cfn = policy?.node.defaultChild as iam.CfnPolicy | undefined;
    if (!policy || !cfn) continue;
    const keyArn = target.arn;
    const partition = Token.isUnresolved(roleStack.partition) ? '<AWS::Partition>' : roleStack.partition;
    SCOPED_ACTION_ROLES.set(policy, {
      keyArn,
      nagKeyArn: target.pattern ? keyArnPattern(key, partition)!.arn : undefined,
      narrow: document => narrowToKeys(document, keyArn),
    });
    // the L1 property, not an override: cdk-nag and other checks read the narrowed document too
    cfn.policyDocument = Lazy.uncachedAny({
      produce: (context: IResolveContext) => narrowToKeys(context.resolve(policy.document), context.resolve(keyArn)),
    });
  }
}

/**
 * Moves the kms actions of every unconditional statement on "*" to the key ARN. The statement may
 * hold other actions on "*" too: with `@aws-cdk/aws-iam:minimizePolicies` (a flag of new `cdk init`
 * apps) aws-cdk-lib merges the key grant into the statement of its other grants on "*" (an ECS
 * deploy action's), which then keep "*" in a statement of their own.
 */
function narrowToKeys(document: Document, keyArn: unknown): Document {
  const statements: Statement[] = [];
  for (const st of document.Statement ?? []) {
    const kmsActions = kmsGrantOnStar(st);
    if (kmsActions.length === 0) {
      statements.push(st);
      continue;
    }
    const otherActions = ([] as string[]).concat(st.Action ?? []).filter(a => !kmsActions.includes(a));
    if (otherActions.length > 0) statements.push({ ...st, Action: oneOrList(otherActions) });
    const resources = ([] as unknown[]).concat(st.Resource ?? []);
    const narrowed = [...new Set(resources.map(res => (res === '*' ? keyArn : res)))];
    statements.push({ ...st, Action: oneOrList(kmsActions), Resource: oneOrList(narrowed) });
  }
  return { ...document, Statement: statements };
}

/** The ECS actions of aws-cdk-lib's ECS deploy action grant (on "*") that IAM authorizes on the service's ARN. */
export const ECS_SERVICE_ACTIONS = ['ecs:DescribeServices', 'ecs:UpdateService'];

/** The policies whose ECS service actions on "*" were narrowed to a service's ARNs, with those ARNs (unresolved). */
const SCOPED_ECS_SERVICES = new WeakMap<iam.Policy, string[]>();

/**
 * The ARNs of the service an ECS rolling update deploys, as a grant in `policyStack` can name them.
 * A service of this app defined in that stack: its ARN (CloudFormation returns the real one). A
 * service whose ARN is literal (or of pseudo parameters only): its ARN in both formats, the long
 * one (`service/<cluster>/<service>`) and the old short one (`service/<service>`) that a service
 * created before its account adopted the long format keeps; aws-cdk-lib builds the ARN of a service
 * imported by name in one format or the other (`@aws-cdk/aws-ecs:arnFormatIncludesClusterName`),
 * whatever the service's, and both name only this service. Undefined when they cannot be named: an
 * ARN known only at deploy time (an import of another stack, a parameter), or a short ARN whose
 * cluster's name is not known at synth.
 */
export function serviceArnsForGrant(service: ecs.IBaseService, policyStack: Stack): string[] | undefined {
  const arn = service.serviceArn;
  if (typeof arn !== 'string') return undefined;
  if (Resource.isOwnedResource(service) && Stack.of(service) === policyStack) return [arn];
  if (joinedText(policyStack.resolve(arn), pseudoParameterText) === undefined) return undefined;
  // token strings hold no ':' or '/', so the ARN's fields are found in its unresolved form
  const parts = /^(arn:[^:]+:ecs:[^:]+:[^:]+:service\/)(?:([^/]+)\/)?([^/]+)$/.exec(arn);
  if (!parts) return undefined;
  const [, prefix, named, serviceName] = parts;
  let cluster = named;
  if (cluster === undefined) {
    const clusterName = service.cluster?.clusterName;
    if (typeof clusterName !== 'string' || joinedText(policyStack.resolve(clusterName), pseudoParameterText) === undefined || /[:/]/.test(clusterName)) return undefined;
    cluster = clusterName;
  }
  return [`${prefix}${cluster}/${serviceName}`, `${prefix}${serviceName}`];
}


/**
 * aws-cdk-lib's ECS deploy action (an ECS rolling update) grants the role it creates
 * `ecs:DescribeServices`, `DescribeTaskDefinition`, `DescribeTasks`, `ListTasks`,
 * `RegisterTaskDefinition`, `TagResource` and `UpdateService` on `Resource: "*"`. IAM authorizes
 * `ecs:DescribeServices` and `ecs:UpdateService` on the service's ARN (Service Authorization
 * Reference, Amazon ECS), which this narrows them to (see serviceArnsForGrant), when the role's policy is rendered; the others
 * stay on "*": DescribeTaskDefinition and RegisterTaskDefinition have no resource-level permissions,
 * and the task definition revision the action registers and tags, and the tasks it lists and
 * describes, are named only at deploy time. For the roles aws-cdk-lib creates, in the pipeline's
 * account or another; a role given by the user is not changed. Nothing changes when the service's
 * ARN cannot be named at synth.
 */
export function scopeEcsDeployGrants(pipeline: codepipeline.Pipeline): void {
  for (const { policy, service } of ecsDeployActionPolicies(pipeline)) {
    const cfn = policy.node.defaultChild as iam.CfnPolicy | undefined;
    if (!cfn || typeof service.serviceArn !== 'string') continue;
    const arns = serviceArnsForGrant(service, Stack.of(policy));
    if (arns === undefined) continue;
    SCOPED_ECS_SERVICES.set(policy, arns);
    // over the document as rendered so far (its key grants narrowed, if they were); the L1 property, not an
    // override: cdk-nag and other checks read the narrowed document too
    const rendered = cfn.policyDocument;
    cfn.policyDocument = Lazy.uncachedAny({
      produce: (context: IResolveContext) => narrowToService(context.resolve(rendered), context.resolve(arns)),
    });
  }
}

/**
 * The policies of the action roles aws-cdk-lib creates for the pipeline's ECS deploy actions (ECS
 * rolling updates without a `role` of the user's), in the pipeline's account or another, with the
 * service each deploys: the only policies holding aws-cdk-lib's ECS deploy grant.
 */
export function ecsDeployActionPolicies(pipeline: codepipeline.Pipeline): Array<{ policy: iam.Policy; service: ecs.IBaseService }> {
  const crossAccount = new Map(crossAccountActionRoles(pipeline).map(role => [role.node.id, role]));
  const prefix = Names.uniqueId(pipeline);
  const found: Array<{ policy: iam.Policy; service: ecs.IBaseService }> = [];
  for (const stage of pipeline.stages) {
    for (const action of stage.actions) {
      const props = action.actionProperties;
      if (props.role || props.provider !== 'ECS' || props.category !== codepipeline.ActionCategory.DEPLOY) continue;
      const service = props.resource as ecs.IBaseService | undefined;
      if (!service) continue;
      const own = actionRolePolicy(pipeline, stage.stageName, props);
      const role = crossAccount.get(`${prefix}-${stage.stageName}-${props.actionName}-ActionRole`);
      const policy = own ?? role?.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
      if (policy instanceof iam.Policy) found.push({ policy, service });
    }
  }
  return found;
}

/**
 * Moves `ecs:DescribeServices` and `ecs:UpdateService` of every unconditional statement on "*" to
 * the service's ARNs. The statement keeps its other actions on "*" (with
 * `@aws-cdk/aws-iam:minimizePolicies` it may hold other grants on "*" too).
 */
function narrowToService(document: Document, serviceArns: unknown[]): Document {
  const statements: Statement[] = [];
  for (const st of document.Statement ?? []) {
    const actions = ([] as string[]).concat(st.Action ?? []);
    const resources = ([] as unknown[]).concat(st.Resource ?? []);
    const serviceActions = actions.filter(a => ECS_SERVICE_ACTIONS.includes(a));
    if (st.Condition !== undefined || st.Effect === 'Deny' || serviceActions.length === 0 || !resources.includes('*')) {
      statements.push(st);
      continue;
    }
    const otherActions = actions.filter(a => !serviceActions.includes(a));
    if (otherActions.length > 0) statements.push({ ...st, Action: oneOrList(otherActions) });
    const narrowed = [...new Set(resources.flatMap(res => (res === '*' ? serviceArns : [res])))];
    statements.push({ ...st, Action: oneOrList(serviceActions), Resource: oneOrList(narrowed) });
  }
  return { ...document, Statement: statements };
}
