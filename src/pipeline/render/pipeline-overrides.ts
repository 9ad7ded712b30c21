import { Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { joinedText } from '../../private/intrinsics';

/*
 * What the escape hatch changes in the pipeline resource after the library built it: property
 * overrides (`addPropertyOverride`, `addOverride` and their deletions) and properties of the
 * CfnPipeline set directly (`cfn.stages = ...`). Both are found without rendering anything, so an
 * ordinary pipeline costs no rendering; only a changed one is rendered, and only its own resource.
 */

/** The CfnPipeline properties the library's checks read, by their CloudFormation names. */
const L1_PROPERTIES = { stages: 'Stages', variables: 'Variables', executionMode: 'ExecutionMode', name: 'Name' } as const;

type L1Property = keyof typeof L1_PROPERTIES;

/** The values of the pipeline resource's properties when the library built it, to tell later assignments. */
export type BuiltProperties = Readonly<Record<L1Property, unknown>>;

/** The pipeline resource as CloudFormation gets it, and which of its properties the escape hatch changed. */
export interface PipelineAsRendered {
  /**
   * The CloudFormation properties (`Stages`, `ExecutionMode`, `Name`...) that overrides or
   * assignments changed after the library built the pipeline; `*` when an override replaces or
   * deletes all of them, or when which ones cannot be told.
   */
  readonly changed: ReadonlySet<string>;
  /** The resource's properties with the overrides applied, resolved; rendered on the first call only. */
  properties(): Record<string, any> | undefined;
}

/** The properties of the pipeline resource as the library built them. */
export function builtProperties(pipeline: codepipeline.Pipeline): BuiltProperties {
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  return { stages: cfn.stages, variables: cfn.variables, executionMode: cfn.executionMode, name: cfn.name };
}

/** The pipeline resource as CloudFormation gets it; `built`, its properties when the library built it. */
export function pipelineAsRendered(pipeline: codepipeline.Pipeline, built: BuiltProperties): PipelineAsRendered {
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  const changed = new Set(overriddenProperties(cfn));
  for (const [property, name] of Object.entries(L1_PROPERTIES) as Array<[L1Property, string]>) {
    if (cfn[property] !== built[property]) changed.add(name);
  }
  let rendered: { properties?: Record<string, any> } | undefined;
  return {
    changed,
    properties: () => {
      rendered ??= { properties: renderProperties(cfn) };
      return rendered.properties;
    },
  };
}

/** True when the escape hatch changed one of `properties` (CloudFormation names). */
export function changesAny(rendered: PipelineAsRendered, ...properties: string[]): boolean {
  return rendered.changed.has('*') || properties.some(p => rendered.changed.has(p));
}

/**
 * The top-level properties that overrides change, from aws-cdk-lib's record of them (a private
 * field: `*` when it is not there, so that a changed aws-cdk-lib costs a rendering, not a check).
 */
function overriddenProperties(cfn: codepipeline.CfnPipeline): string[] {
  const raw = (cfn as unknown as { rawOverrides?: unknown }).rawOverrides;
  if (raw === null || typeof raw !== 'object') return ['*'];
  if (!('Properties' in raw)) return [];
  const properties = (raw as { Properties?: unknown }).Properties;
  return properties !== null && typeof properties === 'object' && !Array.isArray(properties) ? Object.keys(properties) : ['*'];
}

/**
 * The `Name` of the pipeline resource as its stack's template will hold it (the escape hatch's
 * overrides and assignments applied), resolved in that stack; undefined when it cannot be rendered.
 */
export function renderedPipelineName(cfn: codepipeline.CfnPipeline): unknown {
  return renderProperties(cfn)?.Name;
}

/**
 * The literal a rendered `Name` stands for in its stack, when known at synth: a string, or one built
 * with `Fn::Join` / `Fn::Sub` from strings and the pseudo parameters the stack knows as literals
 * (`AWS::Region`, `AWS::AccountId`, `AWS::StackName`, `AWS::Partition`, `AWS::URLSuffix`); undefined otherwise
 * (a parameter, an attribute of another resource).
 */
export function nameInStack(value: unknown, stack: Stack): string | undefined {
  const pseudo = (name: string): string | undefined => {
    const known: Record<string, string> = {
      'AWS::Region': stack.region,
      'AWS::AccountId': stack.account,
      'AWS::StackName': stack.stackName,
      'AWS::Partition': stack.partition,
      'AWS::URLSuffix': stack.urlSuffix,
    };
    const literal = known[name];
    return literal === undefined || Token.isUnresolved(literal) ? undefined : literal;
  };
  return joinedText(value, pseudo, true);
}

/** The resource's properties as its stack's template will hold them: its own rendering only, not the stack's. */
function renderProperties(cfn: codepipeline.CfnPipeline): Record<string, any> | undefined {
  const internals = cfn as unknown as { _toCloudFormation?(): unknown };
  if (typeof internals._toCloudFormation !== 'function') return undefined;
  type Fragment = { Resources?: Record<string, { Properties?: Record<string, any> }> } | undefined;
  const fragment = Stack.of(cfn).resolve(internals._toCloudFormation()) as Fragment;
  const resource = Object.values(fragment?.Resources ?? {})[0];
  return resource === undefined ? undefined : resource.Properties ?? {};
}

/** A pipeline's stages as names, action names and run orders: its plan's, or the L2 pipeline's. */
export interface StageLayout {
  readonly stages: ReadonlyArray<{ readonly name: string; readonly actions: ReadonlyArray<{ readonly name: string; readonly runOrder: number }> }>;
  readonly executionMode: string;
}

/**
 * The stages of the L2 pipeline: those the library built from the plan, and those added through the
 * pipeline property; what the resource renders before any override.
 */
export function layoutOf(pipeline: codepipeline.Pipeline, executionMode: string): StageLayout {
  return {
    stages: pipeline.stages.map(st => ({
      name: st.stageName,
      actions: st.actions.map(a => ({ name: a.actionProperties.actionName, runOrder: a.actionProperties.runOrder ?? 1 })),
    })),
    executionMode,
  };
}

/** The entries of a rendered list that are objects: a deletion override of an element leaves a hole (or null) where it was. */
function entries(value: unknown): any[] {
  return Array.isArray(value) ? value.filter(x => x !== null && typeof x === 'object') : [];
}

/**
 * How the rendered pipeline differs from `expected` (the stages of the L2 pipeline, so that only what
 * the overrides change counts), in stage and action names, run orders and the order of the stages,
 * and in execution mode: one phrase each ("no action 'Approve' in stage 'prod'"). A stage or action
 * a deletion override removed is missing from it.
 */
export function differencesFromPlan(properties: Record<string, any>, expected: StageLayout, changed: PipelineAsRendered): string[] {
  const differences: string[] = [];
  if (changesAny(changed, 'Stages')) {
    const rendered = new Map(entries(properties.Stages).map(st => [String(st.Name), st]));
    for (const stage of expected.stages) {
      const actual = rendered.get(stage.name);
      if (actual === undefined) {
        differences.push(`no stage '${stage.name}'`);
        continue;
      }
      const actualActions = new Map(entries(actual.Actions).map(a => [String(a.Name), a]));
      for (const planned of stage.actions) {
        const action = actualActions.get(planned.name);
        if (action === undefined) {
          differences.push(`no action '${planned.name}' in stage '${stage.name}'`);
        } else if ((action.RunOrder ?? 1) !== planned.runOrder) {
          differences.push(`action '${planned.name}' of stage '${stage.name}' at run order ${action.RunOrder ?? 1}, not ${planned.runOrder}`);
        }
      }
      const plannedActions = new Set(stage.actions.map(a => a.name));
      for (const name of actualActions.keys()) {
        if (!plannedActions.has(name)) differences.push(`action '${name}' in stage '${stage.name}', which the plan does not have`);
      }
    }
    const planned = new Set(expected.stages.map(st => st.name));
    for (const name of rendered.keys()) {
      if (!planned.has(name)) differences.push(`stage '${name}', which the plan does not have`);
    }
    const actualOrder = [...rendered.keys()].filter(name => planned.has(name));
    const plannedOrder = expected.stages.map(st => st.name).filter(name => rendered.has(name));
    if (actualOrder.join('\n') !== plannedOrder.join('\n')) {
      differences.push(`its stages in the order ${actualOrder.join(', ')}, not ${plannedOrder.join(', ')}`);
    }
  }
  if (changesAny(changed, 'ExecutionMode')) {
    const mode = executionModeOf(properties);
    if (mode !== expected.executionMode) differences.push(`execution mode ${mode}, not ${expected.executionMode}`);
  }
  return differences;
}

/** The execution mode of the rendered pipeline (CodePipeline's default, QUEUED, when it has none). */
export function executionModeOf(properties: Record<string, any>): string {
  const mode = properties.ExecutionMode;
  return mode === undefined ? codepipeline.ExecutionMode.QUEUED : typeof mode === 'string' ? mode : JSON.stringify(mode);
}
