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
  /** True when pull requests start the pipeline (`pullRequestTriggers`): its builds run unreviewed code. */
  readonly pullRequests: boolean;
  /** The CDK stages the pipeline deploys (`DeploymentTarget.cdkStage`). */
  deployedStages(): Stage[];
  /**
   * The S3 buckets its CodeBuild projects may write every object of, as known now: its artifact
   * bucket (the `artifactBucket` given, else its own once built) and the bucket of the build's S3
   * cache, each with the field that names it and what the pipeline keeps there.
   */
  writtenBuckets(): Array<{ readonly bucket: IConstruct; readonly field: string; readonly holds: string }>;
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

/** A registry of claims: by key, and by the object claimed (for resources, whose key may be unknown). */
interface Claims {
  readonly keys: Map<string, string>;
  readonly objects: WeakMap<object, string>;
}

/**
 * Claims `key` in one of the app's registries for `owner` (a construct path), or returns the
 * other owner that claimed it before (the claim then stays theirs). Pipelines use it for what must
 * be unique across the app: pipeline names, deployed stacks, and the deployment groups, ECS
 * services and Lambda aliases they deploy. A resource is also claimed as `object`: it is the same
 * when it is the same object, or has the same key (its literal names: one resource imported twice);
 * without a key (names that are tokens) only the object is compared. Kept on the app's root, so
 * every stage of the app shares the registries.
 */
export function claimInApp(scope: IConstruct, registry: string, key: string | undefined, owner: string, object?: object): string | undefined {
  const root = scope.node.root as any;
  const symbol = Symbol.for(`cdk-delivery-pipeline.${registry}`);
  const claims: Claims = root[symbol] ?? (root[symbol] = { keys: new Map<string, string>(), objects: new WeakMap<object, string>() });
  const other = [object === undefined ? undefined : claims.objects.get(object), key === undefined ? undefined : claims.keys.get(key)]
    .find(o => o !== undefined && o !== owner);
  if (other !== undefined) return other;
  if (object !== undefined) claims.objects.set(object, owner);
  if (key !== undefined) claims.keys.set(key, owner);
  return undefined;
}
