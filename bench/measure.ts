/**
 * Structure measures of a synthesized pipeline stack: resources, IAM, template size, stages and
 * actions, CodeBuild provisionings on the critical path, and the AWS quotas they are checked against.
 */
import * as fs from 'fs';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** AWS quotas (CodePipeline, CloudFormation, IAM, S3, KMS) the measures are compared with. */
export const QUOTAS = {
  stages: { limit: 50, what: 'CodePipeline stages per pipeline' },
  actionsPerStage: { limit: 50, what: 'CodePipeline actions per stage' },
  actions: { limit: 500, what: 'CodePipeline actions per pipeline' },
  resources: { limit: 500, what: 'CloudFormation resources per stack' },
  templateBytes: { limit: 1_000_000, what: 'CloudFormation template body (uploaded to S3), bytes, as aws-cdk-lib counts it' },
  roleInlinePolicyChars: { limit: 10_240, what: 'IAM inline policies per role, aggregate characters' },
  trustPolicyChars: { limit: 2_048, what: 'IAM role trust policy, characters' },
  bucketPolicyBytes: { limit: 20_480, what: 'S3 bucket policy, bytes' },
  keyPolicyBytes: { limit: 32_768, what: 'KMS key policy, bytes' },
} as const;
export type QuotaName = keyof typeof QUOTAS;
export const QUOTA_NAMES = Object.keys(QUOTAS) as QuotaName[];

export interface Structure {
  readonly stacks: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
  readonly codeBuildProjects: number;
  readonly iamRoles: number;
  readonly iamPolicies: number;
  readonly templateBytes: number;
  /** Largest single AWS::IAM::Policy document, minified characters (template form). */
  readonly largestPolicyChars: number;
  /** Largest sum of inline policies attached to one role, minified characters (template form). */
  readonly roleInlinePolicyChars: number;
  readonly trustPolicyChars: number;
  readonly bucketPolicyBytes: number;
  readonly keyPolicyBytes: number;
  readonly stages: number;
  readonly stageNames: string[];
  readonly actions: number;
  readonly actionsPerStage: number;
  /** CodeBuild provisionings (sequential CodeBuild run-order layers) from commit to the first deployment. */
  readonly codeBuildToFirstDeploy: number;
  /** ... and to the end of the last environment. */
  readonly codeBuildToLastEnv: number;
  readonly selfMutation: boolean;
  readonly assetStage: boolean;
  /** Cross-region support stacks in the assembly. */
  readonly supportStacks: number;
}

/** Minified length of a JSON value (the form CloudFormation counts, before token resolution). */
function size(value: unknown): number {
  return value === undefined ? 0 : JSON.stringify(value).length;
}

function refsOf(value: any): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(v => (v && typeof v.Ref === 'string' ? v.Ref : JSON.stringify(v)));
}

/** Measures the stack named `PipelineStack` in a synthesized cloud assembly. */
export function measure(assembly: cxapi.CloudAssembly, stackName = 'PipelineStack'): Structure {
  const stack = assembly.getStackByName(stackName);
  const template = stack.template;
  const templateBytes = fs.statSync(stack.templateFullPath).size;
  const resources: Record<string, any> = template.Resources ?? {};
  const byType: Record<string, number> = {};
  for (const r of Object.values(resources)) byType[r.Type] = (byType[r.Type] ?? 0) + 1;

  const roleInline: Record<string, number> = {};
  let largestPolicy = 0;
  let trust = 0;
  let bucketPolicy = 0;
  let keyPolicy = 0;
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Role':
        trust = Math.max(trust, size(p.AssumeRolePolicyDocument));
        roleInline[id] = (roleInline[id] ?? 0) + (p.Policies ?? []).reduce((s: number, x: any) => s + size(x.PolicyDocument), 0);
        break;
      case 'AWS::IAM::Policy': {
        const n = size(p.PolicyDocument);
        largestPolicy = Math.max(largestPolicy, n);
        for (const role of refsOf(p.Roles)) roleInline[role] = (roleInline[role] ?? 0) + n;
        break;
      }
      case 'AWS::S3::BucketPolicy':
        bucketPolicy = Math.max(bucketPolicy, size(p.PolicyDocument));
        break;
      case 'AWS::KMS::Key':
        keyPolicy = Math.max(keyPolicy, size(p.KeyPolicy));
        break;
    }
  }

  const pipelines = Object.values(resources).filter(r => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) throw new Error(`expected one pipeline in ${stackName}, found ${pipelines.length}`);
  const stages: any[] = pipelines[0].Properties.Stages;
  const path = criticalPath(stages);

  return {
    stacks: assembly.stacks.length,
    resources: Object.keys(resources).length,
    resourcesByType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
    codeBuildProjects: byType['AWS::CodeBuild::Project'] ?? 0,
    iamRoles: byType['AWS::IAM::Role'] ?? 0,
    iamPolicies: byType['AWS::IAM::Policy'] ?? 0,
    templateBytes,
    largestPolicyChars: largestPolicy,
    roleInlinePolicyChars: Math.max(0, ...Object.values(roleInline)),
    trustPolicyChars: trust,
    bucketPolicyBytes: bucketPolicy,
    keyPolicyBytes: keyPolicy,
    stages: stages.length,
    stageNames: stages.map(s => s.Name),
    actions: stages.reduce((n, s) => n + s.Actions.length, 0),
    actionsPerStage: Math.max(...stages.map(s => s.Actions.length)),
    codeBuildToFirstDeploy: path.toFirstDeploy,
    codeBuildToLastEnv: path.toEnd,
    selfMutation: stages.some(s => s.Actions.some((a: any) => a.Name === 'SelfMutate')),
    assetStage: stages.some(s => s.Name === 'Assets'),
    supportStacks: assembly.stacks.filter(s => s.stackName.includes('support')).length,
  };
}

/**
 * CodeBuild provisionings on the critical path. Stages run one after another, and run orders
 * within a stage one after another; actions with the same run order run in parallel, so a
 * run-order layer with at least one CodeBuild action costs one provisioning on the path.
 */
export function criticalPath(stages: any[]): { toFirstDeploy: number; toEnd: number } {
  let count = 0;
  let toFirstDeploy = -1;
  for (const stage of stages) {
    const orders = [...new Set<number>(stage.Actions.map((a: any) => a.RunOrder ?? 1))].sort((a, b) => a - b);
    for (const order of orders) {
      const layer = stage.Actions.filter((a: any) => (a.RunOrder ?? 1) === order);
      if (toFirstDeploy < 0 && layer.some((a: any) => a.ActionTypeId.Category === 'Deploy')) toFirstDeploy = count;
      if (layer.some((a: any) => a.ActionTypeId.Provider === 'CodeBuild')) count++;
    }
  }
  return { toFirstDeploy, toEnd: count };
}

/** Which quotas a structure crosses. */
export function crossedQuotas(s: Structure): QuotaName[] {
  return QUOTA_NAMES.filter(q => (s as any)[q] > QUOTAS[q].limit);
}
