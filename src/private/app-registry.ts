import { Aspects, IAspect, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Marks every DeliveryPipeline (set by its constructor), so other parts can find them without importing it. */
export const DELIVERY_PIPELINE_MARK = Symbol.for('cdk-delivery-pipeline.DeliveryPipeline');

/** True for a construct that is a DeliveryPipeline (of any copy of the library). */
export function isMarkedPipeline(x: unknown): boolean {
  return x !== null && typeof x === 'object' && DELIVERY_PIPELINE_MARK in (x as object);
}

/** Marks every DeliveryPolicy, so a pipeline can find the policies of its ancestors without importing it. */
export const DELIVERY_POLICY_MARK = Symbol.for('cdk-delivery-pipeline.DeliveryPolicy');

/**
 * The DeliveryPolicy aspects added above the nearest Stage that holds `construct` (the app, or an
 * outer stage). aws-cdk-lib does not carry aspects across a Stage boundary, so these never visit
 * a pipeline of a nested stage by themselves.
 */
export function policiesAboveStage(construct: IConstruct): IAspect[] {
  const scopes = construct.node.scopes;
  let nearest = 0;
  scopes.forEach((s, i) => { if (s !== construct && Stage.isStage(s)) nearest = i; });
  return scopes.slice(0, nearest).flatMap(s => Aspects.of(s).all.filter(a => DELIVERY_POLICY_MARK in (a as object)));
}

/** A DeliveryPipeline in the app's registry of pipelines. */
export interface RegisteredPipeline {
  readonly pipeline: IConstruct;
  /** The CDK stages the pipeline deploys (`DeploymentTarget.cdkStage`). */
  deployedStages(): Stage[];
}

const PIPELINES = Symbol.for('cdk-delivery-pipeline.pipelines');

/** Adds a pipeline to its app's registry of pipelines (every stage of the app shares it). */
export function registerPipeline(entry: RegisteredPipeline): void {
  const root = entry.pipeline.node.root as any;
  const all: RegisteredPipeline[] = root[PIPELINES] ?? (root[PIPELINES] = []);
  all.push(entry);
}

/** Every pipeline of the app that holds `scope`, in creation order. */
export function registeredPipelines(scope: IConstruct): RegisteredPipeline[] {
  return [...((scope.node.root as any)[PIPELINES] ?? [])];
}

/** The Stage whose cloud assembly holds `construct`: the construct itself when it is a Stage, else its nearest enclosing Stage. */
export function assemblyStage(construct: IConstruct): IConstruct | undefined {
  return Stage.isStage(construct) ? construct : Stage.of(construct);
}

/**
 * Claims `key` in one of the app's registries for `owner` (a construct path), or returns the
 * other owner that claimed it before (the claim then stays theirs). Pipelines use it for what must be unique across the
 * app: pipeline names, deployed stacks.
 */
export function claimInApp(scope: IConstruct, registry: string, key: string, owner: string): string | undefined {
  const root = scope.node.root as any;
  const symbol = Symbol.for(`cdk-delivery-pipeline.${registry}`);
  const claims: Map<string, string> = root[symbol] ?? (root[symbol] = new Map<string, string>());
  const other = claims.get(key);
  if (other !== undefined && other !== owner) return other;
  claims.set(key, owner);
  return undefined;
}

/** A registry of claimed resources: by the object itself, and by a key made of the resource's literal names. */
interface ObjectClaims {
  readonly objects: WeakMap<object, string>;
  readonly keys: Map<string, string>;
}

/**
 * Claims a resource in one of the app's registries for `owner` (a construct path), or returns the
 * other owner that claimed it before (the claim then stays theirs). The resource is the same when
 * it is the same object, or when both have the same `key` (its literal names: one resource imported
 * twice); without a key (names that are tokens) only the object is compared. Pipelines use it for
 * the deployment groups, ECS services and Lambda aliases they deploy. Kept on the app's root, as
 * claimInApp's registries, so every stage of the app shares it.
 */
export function claimObjectInApp(scope: IConstruct, registry: string, object: object, key: string | undefined, owner: string): string | undefined {
  const root = scope.node.root as any;
  const symbol = Symbol.for(`cdk-delivery-pipeline.${registry}`);
  const claims: ObjectClaims = root[symbol] ?? (root[symbol] = { objects: new WeakMap<object, string>(), keys: new Map<string, string>() });
  const other = [claims.objects.get(object), key === undefined ? undefined : claims.keys.get(key)].find(o => o !== undefined && o !== owner);
  if (other !== undefined) return other;
  claims.objects.set(object, owner);
  if (key !== undefined) claims.keys.set(key, owner);
  return undefined;
}
