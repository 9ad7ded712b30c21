/*
 * Stack outputs as environment variables of a CodeBuild action (`envFromCfnOutputs`,
 * `envFromStackOutputs`): each output is resolved to one of the environment's CloudFormation deploy
 * actions, which publishes the stack's outputs as CodePipeline variables in a namespace, and the
 * action reads `#{<namespace>.<output>}` when it starts.
 */

import * as crypto from 'crypto';
import { CfnElement, CfnOutput, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { splitVariables } from './commands-spec';
import { described, isToken, type Validator } from './validation';
import { DeploymentModel, ModelContext } from '../model/model';

/** The stack-output fields of a part's options. */
export interface StackOutputsOptions {
  readonly envFromCfnOutputs?: Record<string, CfnOutput>;
  readonly envFromStackOutputs?: Record<string, string>;
}

/** What a part needs from its outputs: its action's variables, the deploy actions' namespaces, plan lines, warnings. */
export interface OutputVariables {
  readonly variables: Record<string, string>;
  /** Deploy action name -> its variable namespace. */
  readonly namespaces: Record<string, string>;
  readonly details: string[];
  readonly warnings: string[];
}

/** CodePipeline's limit for an action configuration field, such as a CodeBuild action's environment variables. */
export const MAX_ACTION_CONFIGURATION_FIELD = 1000;

/** A CodeBuild action's `EnvironmentVariables` configuration field, as CodePipeline receives it. */
export function actionConfiguration(variables: Record<string, string>): string {
  return JSON.stringify(Object.entries(variables).map(([name, value]) => ({ name, type: 'PLAINTEXT', value })));
}

/**
 * The variable namespace of the deploy action `<actionBase>.Deploy` in environment `environmentName`:
 * unique in the pipeline (environment names are, and action names within an environment), and of
 * the characters CodePipeline allows in a namespace (no '.'), at most 100.
 */
export function outputsNamespace(environmentName: string, actionBase: string): string {
  const hash = (x: string) => crypto.createHash('sha256').update(x).digest('hex').slice(0, 8);
  // '.' is allowed in stage and action names, not in namespaces
  const part = (x: string) => x.includes('.') ? `${x.replace(/\./g, '_')}-${hash(x)}` : x;
  const ns = `${part(environmentName)}@${part(actionBase)}`;
  return ns.length <= 100 ? ns : `${ns.slice(0, 91)}-${hash(ns)}`;
}

function isCfnOutput(x: unknown): x is CfnOutput {
  return x instanceof CfnOutput || (typeof x === 'object' && x !== null && CfnElement.isCfnElement(x) && 'importValue' in x);
}

/** A deploy action whose stack's outputs a test may read: `<base>.Deploy`, and its outputs when known at synth. */
interface OutputSource {
  /**
   * The action name without `.Deploy`: the stack name of a CDK-stage stack (`<stage>.<stack>` when
   * another stage of the environment has a stack of that name), the name of a CloudFormation target.
   */
  readonly base: string;
  /** The target whose action it is. */
  readonly deployment?: DeploymentModel;
  readonly stackName?: string;
  /** The stack's outputs (logical id -> has a Condition), known for CDK-stage stacks only. */
  readonly outputs?: Record<string, boolean>;
}

/** One variable to set from an output. */
interface OutputRequest {
  readonly variable: string;
  readonly field: string;
  readonly source: OutputSource;
  readonly outputName: string;
  /** The construct path of the CfnOutput, for messages. */
  readonly path?: string;
  /** The stack's construct path, for messages. */
  readonly stackPath?: string;
}

const DEPLOY_SUFFIX = '.Deploy';

/** The CloudFormation deploy actions of the environment's deployments. */
function outputSources(ctx: ModelContext): OutputSource[] {
  return (ctx.environmentDeployments ?? []).flatMap(d => d.actionNames
    .filter(a => a.kind === 'cloudformation-execute' && a.name.endsWith(DEPLOY_SUFFIX))
    .map(a => {
      const base = a.name.slice(0, -DEPLOY_SUFFIX.length);
      const stageStack = d.stageStacks?.find(s => s.stackName === (a.stackName ?? base));
      return stageStack
        ? { base, deployment: d, stackName: stageStack.stackName, outputs: stageStack.outputs }
        : { base, deployment: d, stackName: d.stackName };
    }));
}

/** `envFromCfnOutputs`: each output must be of a stack of a CDK stage the environment deploys. */
function cfnOutputRequests(ctx: ModelContext, field: string, raw: unknown): OutputRequest[] {
  const v: Validator = ctx.validator;
  const fix = 'Map environment variable names to CfnOutputs of a stack the environment deploys, for example { API_URL: api.urlOutput }.';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) v.fail(field, 'must map environment variable names to CfnOutput', raw, fix);
  const deployments = ctx.environmentDeployments ?? [];
  const sources = outputSources(ctx);
  return Object.entries(raw as Record<string, unknown>).map(([variable, output]) => {
    if (!isCfnOutput(output)) v.fail(`${field}.${variable}`, 'must be a CfnOutput', output, fix);
    const stack = Stack.of(output);
    // a nested stack's outputs are outputs of the nested stack's own template: the parent's deploy
    // action publishes the parent stack's outputs only, so no variable holds them
    if (NestedStack.isNestedStack(stack)) {
      let parent: Stack = stack;
      while (NestedStack.isNestedStack(parent) && parent.nestedStackParent) parent = parent.nestedStackParent;
      v.fail(`${field}.${variable}`, `is an output of nested stack '${stack.node.path}', whose outputs CloudFormation does not give the deploy action `
        + `(its variables are the outputs of the stack it deploys, '${parent.node.path}')`, output.node.path,
      `Re-export the value as a CfnOutput of the parent stack '${parent.node.path}' (new CfnOutput(parentStack, 'Id', { value }) with the nested stack's value: `
        + 'aws-cdk-lib passes it up through the nested stack\'s outputs), and pass that output.');
    }
    const stage = Stage.of(stack);
    const deployment = deployments
      .find(d => d.cdkStage !== undefined && d.cdkStage === stage && (d.stageStacks ?? []).some(s => s.artifactId === stack.artifactId));
    const deployed = deployment?.stageStacks?.find(s => s.artifactId === stack.artifactId);
    const source = deployed && sources.find(x => x.deployment === deployment && x.stackName === deployed.stackName && x.outputs);
    if (!source) {
      const stages = deployments.filter(d => d.cdkStage).map(d => `'${d.cdkStage!.node.path}'`);
      v.fail(`${field}.${variable}`,
        `is an output of stack '${stack.node.path}', which environment '${ctx.environmentName}' does not deploy (its tests run after its own deployments only)`,
        output.node.path,
        stages.length > 0
          ? `Pass an output of a stack of the CDK stage${stages.length === 1 ? '' : 's'} ${stages.join(', ')} this environment deploys.`
          : "Deploy the stack's stage in this environment with DeploymentTarget.cdkStage(stage), or pass the value in env.");
    }
    return { variable, field: `${field}.${variable}`, source, outputName: stack.resolve(output.logicalId) as string, path: output.node.path, stackPath: stack.node.path };
  });
}

/**
 * `envFromStackOutputs`: `'<stack>.<output>'` of a CloudFormation target or CDK-stage stack the
 * environment deploys; a CloudFormation target is named by its name or by its stack's name.
 */
function namedOutputRequests(ctx: ModelContext, field: string, raw: unknown): OutputRequest[] {
  const v: Validator = ctx.validator;
  const fix = "Map environment variable names to '<stack name>.<output name>', for example { API_URL: 'shop-prod.ApiUrl' }.";
  const map = v.optionalStringMap(field, raw, fix) ?? {};
  const sources = outputSources(ctx);
  return Object.entries(map).map(([variable, ref]) => {
    const dot = ref.lastIndexOf('.');
    const base = ref.slice(0, dot);
    const outputName = ref.slice(dot + 1);
    if (isToken(ref) || dot <= 0 || !/^[A-Za-z0-9]+$/.test(outputName)) {
      v.fail(`${field}.${variable}`, "must name a stack's output as '<stack name>.<output name>' (the output's logical id: letters and digits)", ref, fix);
    }
    // a deploy action by its name (a CloudFormation target's name, a CDK-stage stack's name), else
    // a CloudFormation target by the stack name it deploys, when one target of the environment does
    const byStackName = sources.filter(x => x.stackName !== undefined && !isToken(x.stackName) && x.stackName === base);
    if (!sources.some(x => x.base === base) && byStackName.length > 1) {
      v.fail(`${field}.${variable}`, `names stack '${base}', which ${byStackName.length} targets of environment '${ctx.environmentName}' deploy `
        + `(${byStackName.map(x => `'${x.base}'`).join(', ')})`, ref,
      `Name the target whose output it is: ${byStackName.map(x => `'${x.base}.${outputName}'`).join(' or ')}.`);
    }
    const source = sources.find(x => x.base === base) ?? byStackName[0];
    if (!source) {
      const known = sources.map(x => `'${x.base}'`);
      v.fail(`${field}.${variable}`, `names stack '${base}', which environment '${ctx.environmentName}' does not deploy (its tests run after its own deployments only)`, ref,
        known.length > 0
          ? `Name a stack this environment deploys: ${known.join(', ')} (a CloudFormation target is named by its name, which defaults to its stack name).`
          : 'Deploy the stack in this environment with DeploymentTarget.cloudFormation(...) or DeploymentTarget.cdkStage(...), or pass the value in env.');
    }
    return { variable, field: `${field}.${variable}`, source, outputName };
  });
}

/**
 * Resolves `envFromCfnOutputs` and `envFromStackOutputs`. Returns the action's variables
 * (`#{<namespace>.<output>}`), the namespaces the stacks' deploy actions need (by action name),
 * the plan's lines and the warnings.
 */
export function outputVariables(
  ctx: ModelContext, options: StackOutputsOptions, taken: Record<string, string>, what: string,
): OutputVariables | undefined {
  const v: Validator = ctx.validator;
  const cfnField = `${ctx.field}.envFromCfnOutputs`;
  const namedField = `${ctx.field}.envFromStackOutputs`;
  const requests = [
    ...(options.envFromCfnOutputs === undefined ? [] : cfnOutputRequests(ctx, cfnField, options.envFromCfnOutputs)),
    ...(options.envFromStackOutputs === undefined ? [] : namedOutputRequests(ctx, namedField, options.envFromStackOutputs)),
  ];
  if (requests.length === 0) return undefined;
  const variables: Record<string, string> = {};
  const namespaces: Record<string, string> = {};
  const details: string[] = [];
  const warnings: string[] = [];
  for (const r of requests) {
    const parent = r.field.slice(0, r.field.length - r.variable.length - 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.variable)) {
      v.fail(parent, 'has a name that is not a valid environment variable name', r.variable, 'Use letters, digits and underscores, not starting with a digit.');
    }
    if (r.variable in taken) {
      v.fail(r.field, 'sets a variable env, environmentVariables or secrets sets too', r.variable,
        'Give the variable one source: remove it from env (environmentVariables), secrets, envFromCfnOutputs or envFromStackOutputs.');
    }
    if (r.variable in variables) {
      v.fail(r.field, 'sets a variable envFromCfnOutputs sets too', r.variable, 'Give the variable one source: remove it from envFromCfnOutputs or envFromStackOutputs.');
    }
    const conditional = r.source.outputs?.[r.outputName];
    if (r.source.outputs && conditional === undefined) {
      if (r.path === undefined) {
        v.fail(r.field, `names output '${r.outputName}', which the template of stack '${r.source.base}' does not have`,
          `${r.source.base}.${r.outputName}`, `Name one of its outputs: ${Object.keys(r.source.outputs).join(', ') || '(it has none)'}.`);
      }
      v.fail(r.field, `is an output of stack '${r.stackPath}' that is not in the stack's synthesized template (it was added or renamed after the stage was synthesized)`,
        r.path, "Create and name the output with the stack's other resources, before the pipeline is created.");
    }
    if (conditional) {
      warnings.push(`${r.field}: output '${r.outputName}' of stack '${r.source.base}' has a Condition. When the condition is false the stack has no such output, `
        + `and ${what} '${ctx.field}' fails to start ("variable not found"). Give the output no condition, or read it in the test with 'aws cloudformation describe-stacks'.`);
    }
    const namespace = outputsNamespace(ctx.environmentName ?? '', r.source.base);
    namespaces[`${r.source.base}${DEPLOY_SUFFIX}`] = namespace;
    variables[r.variable] = `#{${namespace}.${r.outputName}}`;
    details.push(`env ${r.variable}: output ${r.outputName} of stack ${r.source.stackName !== undefined && !isToken(r.source.stackName) ? r.source.stackName : r.source.base}`);
  }
  // the action also passes the environment variables that read CodePipeline variables
  const configuration = actionConfiguration({ ...splitVariables(taken).action, ...variables });
  if (configuration.length > MAX_ACTION_CONFIGURATION_FIELD) {
    v.fail(options.envFromStackOutputs === undefined ? cfnField : ctx.field,
      `needs ${configuration.length} characters of action configuration, more than CodePipeline's ${MAX_ACTION_CONFIGURATION_FIELD} for a CodeBuild action's environment variables`,
      described(`${requests.length} outputs`),
      `Read fewer outputs here and the others in ${what} itself (aws cloudformation describe-stacks).`);
  }
  return { variables, namespaces, details, warnings };
}
