import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ResolvedProperties, templateSizeBound } from './template-size';
import { PlanDocument } from '../../model/plan-document';
import {
  ACTION_TEMPLATE_WARN_BYTES, MAX_ACTIONS_PER_PIPELINE, MAX_ACTIONS_PER_STAGE, MAX_BUCKET_POLICY_BYTES, MAX_KEY_POLICY_BYTES,
  MAX_MANAGED_POLICY_CHARS, MAX_ROLE_INLINE_POLICY_CHARS, MAX_STACK_RESOURCES, MAX_STAGES, MAX_TEMPLATE_BYTES, WARN_STACK_RESOURCES,
} from '../../model/quotas';
import { described, Validator } from '../../private/validation';

/*
 * The quotas that need rendered resources (policy sizes, resource count), checked when the app is
 * validated: still at synth time, before anything is deployed.
 */

/**
 * The length IAM, S3 and KMS count for a policy document: the JSON without whitespace, with every
 * unresolved value (an ARN, a reference) counted as a 90-character ARN.
 */
export function policySize(stack: Stack, document: unknown): number {
  const resolved = stack.resolve(document);
  const text = JSON.stringify(resolved, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return 'x'.repeat(90);
    }
    return value;
  });
  return text?.length ?? 0;
}

/** A stack's template as aws-cdk-lib renders it (its internal `_toCloudFormation()`), or undefined. */
export type RenderedTemplate = () => { Resources?: Record<string, any> } | undefined;

/**
 * The stack's template, rendered on the first call only: the checks that read it share one
 * rendering (it is the cost of a stack synthesis).
 */
export function renderedTemplate(stack: Stack): RenderedTemplate {
  const internals = stack as unknown as { _toCloudFormation?(): { Resources?: Record<string, any> } };
  let template: { Resources?: Record<string, any> } | undefined;
  return () => {
    if (template === undefined && typeof internals._toCloudFormation === 'function') template = internals._toCloudFormation();
    return template;
  };
}

/**
 * CodePipeline's stage and action quotas, counted on the rendered pipeline (its stages' action
 * lists, no rendering): the model's own stages and actions were checked when the pipeline was
 * configured, but stages and actions added through the escape hatch (the `pipeline` property)
 * only show here. Returns the errors, naming what the plan does not have.
 */
export function checkRenderedStageQuotas(v: Validator, pipeline: codepipeline.Pipeline, plan: PlanDocument): string[] {
  const planned = new Map(plan.stages.map(st => [st.name, new Set(st.actions.map(a => a.name))]));
  const errors: string[] = [];
  const stages = pipeline.stages;
  if (stages.length > MAX_STAGES) {
    const added = stages.filter(st => !planned.has(st.stageName)).map(st => st.stageName);
    errors.push(v.message('pipeline.stages', `must fit CodePipeline's quota of ${MAX_STAGES} stages per pipeline${outsidePlan(added)}`,
      described(`${stages.length} stages`),
      'Remove the stages added through the pipeline property (or add their actions to a stage the pipeline has), or split the environments over two pipelines.'));
  }
  let actions = 0;
  const addedActions: string[] = [];
  stages.forEach((stage, i) => {
    const names = planned.get(stage.stageName);
    const added = stage.actions.map(a => a.actionProperties.actionName).filter(name => !names?.has(name));
    actions += stage.actions.length;
    addedActions.push(...added.map(name => `${stage.stageName}/${name}`));
    if (stage.actions.length > MAX_ACTIONS_PER_STAGE) {
      errors.push(v.message(`pipeline.stages[${i}] ('${stage.stageName}')`,
        `must fit CodePipeline's quota of ${MAX_ACTIONS_PER_STAGE} actions per stage${outsidePlan(added)}`, described(`${stage.actions.length} actions`),
        'Move the actions added through the pipeline property to a stage of their own, or split the targets over two environments.'));
    }
  });
  if (actions > MAX_ACTIONS_PER_PIPELINE) {
    errors.push(v.message('pipeline.stages', `must fit CodePipeline's quota of ${MAX_ACTIONS_PER_PIPELINE} actions per pipeline${outsidePlan(addedActions)}`,
      described(`${actions} actions`), 'Remove actions added through the pipeline property, or split the environments over two pipelines.'));
  }
  return errors;
}

/** ` (N of them added through the pipeline property, outside the plan: 'a', 'b')`, or nothing when none was. */
function outsidePlan(added: string[]): string {
  if (added.length === 0) return '';
  const shown = added.slice(0, 5).map(name => `'${name}'`).join(', ') + (added.length > 5 ? ` and ${added.length - 5} more` : '');
  return ` (${added.length} of them added through the pipeline property, outside the plan: ${shown})`;
}

/** What the rendered quotas need to know of the pipeline besides its rendered resources. */
export interface RenderedQuotaOptions {
  /** The pipeline deploys its own stack (`selfUpdate`): its template goes through CodePipeline's CloudFormation action. */
  readonly selfUpdate?: boolean;
  /** Values of the stack's resources that another check resolved already (the pipeline's stages). */
  readonly resolved?: ResolvedProperties;
}

/** Checks the quotas that need the rendered pipeline; returns the errors (and adds warnings). */
export function checkRenderedQuotas(
  scope: IConstruct, pipeline: codepipeline.Pipeline, template: RenderedTemplate, options: RenderedQuotaOptions = {},
): string[] {
  const stack = Stack.of(pipeline);
  const errors: string[] = [];
  const path = scope.node.path;

  // the inline and overflow policies of the pipeline's role and of the roles its actions share
  // (one statement per CodeBuild project in the CodeBuild action role)
  const roles: Array<[string, unknown]> = [
    ['pipeline role', pipeline.role],
    ['CodeBuild action role', scope.node.tryFindChild('CodeBuildActionRole')],
  ];
  for (const [name, role] of roles) {
    if (role instanceof iam.Role) errors.push(...checkRolePolicies(scope, stack, role, name));
  }
  // the managed overflow policies of every other role of the pipeline (CodeBuild projects: their
  // rolePolicyStatements, the publishing roles of the asset-publishing project)
  const checked = new Set(roles.map(([, role]) => role));
  for (const role of scope.node.findAll()) {
    if (role instanceof iam.Role && !checked.has(role)) {
      errors.push(...checkManagedPolicySizes(scope, stack, role, `role '${role.node.path}'`,
        'aws-cdk-lib cannot split one statement: give each statement of rolePolicyStatements fewer resources, or split the environments over two pipelines.'));
    }
  }

  // bucket and key policies (they grow with cross-account environments): the artifact bucket's, and
  // the replication bucket's of every other region (in its support stack), which grow with the
  // accounts deployed to in that region
  errors.push(...checkArtifactStorePolicies(path, pipeline.artifactBucket, 'artifact', '', 'Deploy to fewer accounts from one pipeline.'));
  for (const [region, support] of Object.entries(pipeline.crossRegionSupport)) {
    errors.push(...checkArtifactStorePolicies(path, support.replicationBucket, 'replication', ` of region ${region} (stack '${support.stack.stackName}')`,
      `Deploy to fewer accounts in ${region} from one pipeline.`));
  }

  // resources in the pipeline stack
  const resources = stack.node.findAll().filter(c => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
  if (resources > MAX_STACK_RESOURCES) {
    errors.push(`'${path}': the stack '${stack.stackName}' holds ${resources} resources, more than CloudFormation's ${MAX_STACK_RESOURCES}. `
      + 'Split the environments over two pipelines in two stacks.');
  } else if (resources > WARN_STACK_RESOURCES) {
    Annotations.of(scope).addWarningV2('delivery-pipeline:stackResources',
      `the stack '${stack.stackName}' holds ${resources} resources, close to CloudFormation's ${MAX_STACK_RESOURCES}; plan to split the pipeline before adding environments`);
  }
  // the template's size: measured only when an upper bound, found without rendering it, could cross
  // CloudFormation's 1 MB (or, for a stack the pipeline deploys itself, the size its CloudFormation
  // action has been reported to refuse)
  const room = (options.selfUpdate ? ACTION_TEMPLATE_WARN_BYTES : MAX_TEMPLATE_BYTES) - SYNTHESIZER_ADDITIONS_BYTES;
  if (resources <= MAX_STACK_RESOURCES && templateSizeBound(stack, room, options.resolved) > room) {
    const problem = checkTemplateSize(scope, stack, template, options.selfUpdate ?? false);
    if (problem) errors.push(`'${path}': ${problem}`);
  }
  return errors.filter(e => !Token.isUnresolved(e));
}

/**
 * S3's quota on an artifact store's bucket policy and KMS's on its key's policy, measured in the
 * bucket's own stack: `the <kind> bucket policy<where>`. The key of a replication bucket is reached
 * through its alias.
 */
function checkArtifactStorePolicies(path: string, bucket: s3.IBucket, kind: string, where: string, fix: string): string[] {
  const errors: string[] = [];
  const bucketPolicy = (bucket as { policy?: { document?: iam.PolicyDocument } }).policy;
  if (bucketPolicy?.document) {
    const size = policySize(Stack.of(bucket), bucketPolicy.document);
    if (size > MAX_BUCKET_POLICY_BYTES) {
      errors.push(`'${path}': the ${kind} bucket policy${where} needs about ${size} bytes, more than S3's ${MAX_BUCKET_POLICY_BYTES}. ${fix}`);
    }
  }
  const key = bucket.encryptionKey;
  const target = key instanceof kms.Alias ? key.aliasTargetKey : key;
  const keyPolicy = (target as { policy?: iam.PolicyDocument } | undefined)?.policy;
  if (target && keyPolicy) {
    const size = policySize(Stack.of(target), keyPolicy);
    if (size > MAX_KEY_POLICY_BYTES) {
      errors.push(`'${path}': the ${kind} key policy${where} needs about ${size} bytes, more than KMS's ${MAX_KEY_POLICY_BYTES}. ${fix}`);
    }
  }
  return errors;
}

/** Room for what the stack synthesizer writes into the template after validation. */
const SYNTHESIZER_ADDITIONS_BYTES = 1_000;

/**
 * CloudFormation refuses a template body over 1 MB; aws-cdk-lib only warns when it writes one. The
 * template is rendered as aws-cdk-lib will write it: indented, unless the stack suppresses that.
 * A stack the pipeline deploys itself (`selfUpdate`) goes through CodePipeline's CloudFormation
 * action, which has been reported to refuse templates over 512 KB: above that, a warning. Returns
 * the error, if any.
 */
function checkTemplateSize(scope: IConstruct, stack: Stack, rendered: RenderedTemplate, selfUpdate: boolean): string | undefined {
  const template = rendered();
  if (template === undefined) return undefined;
  const indented = !(stack as unknown as { _suppressTemplateIndentation?: boolean })._suppressTemplateIndentation;
  // the stack synthesizer adds its bootstrap version parameter and rule (under 1 KB) after validation
  const size = Buffer.byteLength(JSON.stringify(template, undefined, indented ? 1 : undefined)) + SYNTHESIZER_ADDITIONS_BYTES;
  if (size <= (selfUpdate ? ACTION_TEMPLATE_WARN_BYTES : MAX_TEMPLATE_BYTES)) return undefined;
  const minified = indented ? Buffer.byteLength(JSON.stringify(template)) + SYNTHESIZER_ADDITIONS_BYTES : size;
  const suppress = (limit: number) => (indented && minified <= limit
    ? `Set suppressTemplateIndentation: true on the stack (written without indentation about ${minified} bytes), or split the environments over two pipelines in two stacks`
    : 'Split the environments over two pipelines in two stacks');
  // the commands of the build, the checks and the deploy scripts are in the template (inline buildspecs)
  const commands = 'Long command lists take room too: run them from a script in the repository.';
  if (size > MAX_TEMPLATE_BYTES) {
    return `the stack '${stack.stackName}' needs a template of about ${size} bytes, more than CloudFormation's ${MAX_TEMPLATE_BYTES}. `
      + `${suppress(MAX_TEMPLATE_BYTES)}. ${commands}`;
  }
  Annotations.of(scope).addWarningV2('delivery-pipeline:largePipelineTemplate',
    `the stack '${stack.stackName}' has a template of about ${size} bytes, and selfUpdate deploys it with CodePipeline's CloudFormation action `
    + '(UpdatePipeline), which has been reported to refuse templates over 512 KB, though CloudFormation accepts 1 MB '
    + `(aws-cloudformation/cloudformation-coverage-roadmap#1023). If UpdatePipeline fails with a template size error: ${suppress(ACTION_TEMPLATE_WARN_BYTES)}, `
    + `or deploy the pipeline's stack with cdk deploy. ${commands}`);
  return undefined;
}

/** IAM's quotas on one role: inline policies in total, and the managed policies aws-cdk-lib moves the rest into. */
function checkRolePolicies(scope: IConstruct, stack: Stack, role: iam.Role, name: string): string[] {
  const errors: string[] = [];
  const path = scope.node.path;
  const inline = role.node.findAll().filter((c): c is iam.Policy => c instanceof iam.Policy);
  const size = inline.reduce((n, p) => n + policySize(stack, p.document), 0);
  if (size > MAX_ROLE_INLINE_POLICY_CHARS) {
    errors.push(`'${path}': the ${name}'s inline policies need about ${size} characters, more than IAM's ${MAX_ROLE_INLINE_POLICY_CHARS}. `
      + 'Split the environments over two pipelines (each action adds to this policy).');
  }
  errors.push(...checkManagedPolicySizes(scope, stack, role, name, 'Split the environments over two pipelines (each action adds to this policy).'));
  // aws-cdk-lib moves what does not fit into managed "overflow" policies; IAM attaches 10 to a
  // role by default (20 on request)
  const managed = role.node.findAll().filter(c => c instanceof iam.ManagedPolicy).length;
  if (managed > 20) {
    errors.push(`'${path}': the ${name} needs ${managed} managed policies for its permissions, more than IAM allows (10, or 20 on request). `
      + 'Split the environments over two pipelines.');
  } else if (managed > 10) {
    Annotations.of(scope).addWarningV2('delivery-pipeline:pipelineRolePolicies',
      `the ${name} needs ${managed} managed policies, more than IAM's default quota of 10 per role; ask AWS to raise it to 20 before deploying, or split the pipeline`);
  }
  return errors;
}

/**
 * IAM's quota on one managed policy. aws-cdk-lib moves statements that do not fit a role's inline
 * policy into managed overflow policies, but cannot split one statement: one that grants many
 * resources can need more.
 */
function checkManagedPolicySizes(scope: IConstruct, stack: Stack, role: iam.Role, name: string, fix: string): string[] {
  const errors: string[] = [];
  for (const policy of role.node.findAll()) {
    if (!(policy instanceof iam.ManagedPolicy)) continue;
    const size = policySize(stack, policy.document);
    if (size > MAX_MANAGED_POLICY_CHARS) {
      errors.push(`'${scope.node.path}': the ${name} needs a managed policy of about ${size} characters (aws-cdk-lib's overflow of its inline policy), `
        + `more than IAM's ${MAX_MANAGED_POLICY_CHARS}. ${fix}`);
    }
  }
  return errors;
}
