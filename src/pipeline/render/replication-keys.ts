import { Aws, IResolveContext, Lazy, Stack, Token } from 'aws-cdk-lib';
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

/** Splits every unconditional kms-only statement on "*" into its other resources and the alias-scoped keys. */
function narrow(document: { Statement?: Statement[] }, keyArns: unknown[], aliases: string[]): unknown {
  const statements: Statement[] = [];
  for (const st of document.Statement ?? []) {
    const resources = ([] as unknown[]).concat(st.Resource ?? []);
    const actions = ([] as string[]).concat(st.Action ?? []);
    if (st.Condition !== undefined || !resources.includes('*') || actions.length === 0 || !actions.every(a => a.startsWith('kms:'))) {
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
