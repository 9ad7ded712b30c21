import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { IConstruct } from 'constructs';
import { changesAny, PipelineAsRendered } from './pipeline-overrides';
import { SOURCE_VARIABLES } from '../../sources/pipeline-source';

/*
 * The CodePipeline variables (`#{namespace.variable}`) the rendered actions read, checked when the
 * app is validated: CodePipeline refuses a pipeline whose action reads a namespace that no action
 * before it sets, and the check sees every action, the escape hatch's and the factories' included.
 */

/** The namespace CodePipeline sets for every execution (`#{codepipeline.PipelineExecutionId}`). */
const RESERVED_NAMESPACE = 'codepipeline';
/** The namespace of a V2 pipeline's pipeline-level variables (`#{variables.<name>}`). */
const PIPELINE_VARIABLES_NAMESPACE = 'variables';

/** The namespaces of the library's own actions, for an error that asks for another one. */
const LIBRARY_NAMESPACES = 'SourceVariables, SourceVariables_<name> for an additional source, <environment>@<stack> for a stack whose outputs a test reads';

const REFERENCE = /#\{([^{}.\s"\\]+)\.([^{}\s"\\]+)\}/g;

interface RenderedAction {
  readonly name: string;
  readonly runOrder?: number;
  readonly namespace?: string;
  readonly configuration?: Record<string, unknown>;
}

interface Setter {
  readonly stage: number;
  readonly runOrder: number;
  readonly where: string;
}

/**
 * The variable references of the rendered pipeline that CodePipeline would refuse or could not
 * resolve: a namespace no action sets, one set by an action that does not run before the reader,
 * a source variable the source's kind does not set, two actions with one namespace. `sourceKinds`:
 * the kind of each source action, by its namespace; `resolvedStages`: the pipeline's stages, when
 * the caller resolved them already.
 */
export function checkVariableReferences(
  scope: IConstruct, pipeline: codepipeline.Pipeline, sourceKinds: Record<string, string>, rendered: PipelineAsRendered,
  resolvedStages?: unknown,
): string[] {
  // an override of the stages or variables (addPropertyOverride) can add or clear an error: the
  // rendered resource decides
  if (changesAny(rendered, 'Stages', 'Variables')) {
    const properties = rendered.properties();
    if (properties !== undefined) return referenceErrors(scope, properties.Stages, properties.Variables, sourceKinds, true);
  }
  // else the pipeline's properties (cheap); what they find is confirmed on the rendered resource
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  const stack = Stack.of(pipeline);
  const stages = resolvedStages ?? stack.resolve(cfn.stages);
  const found = referenceErrors(scope, stages, stack.resolve(cfn.variables), sourceKinds, false);
  if (found.length === 0) return found;
  const properties = rendered.properties();
  return properties === undefined ? found : referenceErrors(scope, properties.Stages, properties.Variables, sourceKinds, true);
}

/** The errors of stages and variables as the L1 properties (camelCase) or the template (PascalCase) give them. */
function referenceErrors(
  scope: IConstruct, rawStages: unknown, rawVariables: unknown, sourceKinds: Record<string, string>, pascal: boolean,
): string[] {
  const at = (o: any, key: string) => o?.[pascal ? key[0].toUpperCase() + key.slice(1) : key];
  if (!Array.isArray(rawStages)) return [];
  const stages = rawStages.map(st => ({
    name: String(at(st, 'name')),
    actions: (Array.isArray(at(st, 'actions')) ? at(st, 'actions') as unknown[] : []).map((a): RenderedAction => ({
      name: String(at(a, 'name')), runOrder: at(a, 'runOrder'), namespace: at(a, 'namespace'), configuration: at(a, 'configuration'),
    })),
  }));
  const errors: string[] = [];
  const path = scope.node.path;
  // CodePipeline refuses a pipeline in which two actions have one namespace ("Namespaces must be
  // unique across the pipeline definition"); the first one is the namespace's setter
  const setters = new Map<string, Setter>();
  stages.forEach((stage, s) => stage.actions.forEach(a => {
    if (typeof a.namespace !== 'string') return;
    const where = `action '${a.name}' of stage '${stage.name}'`;
    const first = setters.get(a.namespace);
    if (first === undefined) {
      setters.set(a.namespace, { stage: s, runOrder: a.runOrder ?? 1, where });
      return;
    }
    errors.push(`'${path}': the ${first.where} and the ${where} both have the variables namespace '${a.namespace}', but CodePipeline refuses a pipeline `
      + 'whose namespaces are not unique ("Namespaces must be unique across the pipeline definition"). '
      + `Give one of them another variablesNamespace, not one the library's own actions use (${LIBRARY_NAMESPACES}), or none when nothing reads its variables.`);
  }));
  const pipelineVariables = new Set((Array.isArray(rawVariables) ? rawVariables : []).map(d => at(d, 'name')));
  stages.forEach((stage, s) => stage.actions.forEach(a => {
    for (const [key, value] of Object.entries(a.configuration ?? {})) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      for (const [reference, namespace, variable] of new Set(text?.matchAll(REFERENCE) ?? [])) {
        const reader = `the action '${a.name}' of stage '${stage.name}' reads ${reference} in its ${key}`;
        const problem = referenceProblem(namespace, variable, { stage: s, runOrder: a.runOrder ?? 1 }, setters, pipelineVariables, sourceKinds);
        if (problem) errors.push(`'${path}': ${reader}, ${problem}`);
      }
    }
  }));
  return [...new Set(errors)];
}

function referenceProblem(
  namespace: string, variable: string, reader: { stage: number; runOrder: number },
  setters: Map<string, Setter>, pipelineVariables: Set<unknown>, sourceKinds: Record<string, string>,
): string | undefined {
  if (namespace === RESERVED_NAMESPACE) return undefined;
  if (namespace === PIPELINE_VARIABLES_NAMESPACE) {
    return pipelineVariables.has(variable) ? undefined
      : `but the pipeline declares no pipeline-level variable '${variable}'. Declare it in the pipeline's variables, or pass a literal value.`;
  }
  const setter = setters.get(namespace);
  const readable = [...setters.entries()]
    .filter(([, x]) => x.stage < reader.stage || (x.stage === reader.stage && x.runOrder < reader.runOrder))
    .map(([name]) => name);
  const choices = `Read a namespace of an action that runs before it (${[RESERVED_NAMESPACE, ...readable].join(', ')}), or pass a literal value.`;
  if (setter === undefined) {
    return `but no action of the pipeline has the variables namespace '${namespace}', so CodePipeline would refuse the pipeline. ${choices}`;
  }
  if (!readable.includes(namespace)) {
    return `but the ${setter.where}, which sets the namespace '${namespace}', does not run before it, so CodePipeline would refuse the pipeline. ${choices}`;
  }
  const kind = sourceKinds[namespace];
  const sets = kind === undefined ? undefined : SOURCE_VARIABLES[kind];
  if (sets && !sets.includes(variable)) {
    return `a variable that the ${kind} source (${setter.where}) does not set (it sets ${sets.join(', ')}), so the action would fail when it runs. `
      + `Read one of its variables, for example #{${namespace}.${sets.includes('CommitId') ? 'CommitId' : sets[0]}}, or pass a literal value.`;
  }
  return undefined;
}
