import { CfnElement, CfnResource, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/*
 * An upper bound of a stack's template size, as aws-cdk-lib writes it (indented by one space per
 * level), found without rendering the template: rendering it costs about what the stack's synthesis
 * costs, and most pipeline stacks stay far under CloudFormation's limits. The exact size is measured
 * only when this bound could cross one (`rendered-quotas.ts`).
 *
 * Every value of a resource is counted as JSON at its depth in the template, resolved where it is a
 * token, except in IAM policy documents (the library's largest and most numerous values, whose
 * resolution merges statements): their statements are counted as they stand, unmerged, and each
 * reference in them (an ARN, a role) as REFERENCE_BYTES, more than an indented `Fn::Join` of an ARN
 * takes.
 */

/** What a reference (`Ref`, `Fn::GetAtt`, an ARN's `Fn::Join`) in a policy document can take in the template, indented. */
const REFERENCE_BYTES = 800;
/** What a list token (`Token.asList`) in a policy document can take: a list of up to 20 ARNs. */
const LIST_REFERENCE_BYTES = 20 * REFERENCE_BYTES;
/** The longest logical id aws-cdk-lib allocates (255 characters), quoted, with its key's punctuation and indentation. */
const LOGICAL_ID_BYTES = 270;
/** The resource's keys and punctuation besides its properties and metadata (Type, DeletionPolicy, UpdateReplacePolicy...). */
const RESOURCE_FRAME_BYTES = 300;
/** A DependsOn entry: a logical id, quoted and indented. */
const DEPENDS_ON_BYTES = 270;
/** The template's own frame: `Resources` and the other sections' keys. */
const TEMPLATE_FRAME_BYTES = 200;

const STRING_TOKEN = /\$\{Token\[[^\]]*\]\}/g;
const LIST_TOKEN = /#\{Token\[[^\]]*\]\}/g;

/** Values already resolved for another check, to be counted as they are instead of resolved again: by resource, by property. */
export type ResolvedProperties = ReadonlyMap<CfnResource, Readonly<Record<string, unknown>>>;

/**
 * An upper bound of the size of `stack`'s template in bytes, as aws-cdk-lib writes it (indented),
 * before what the stack synthesizer adds; `Infinity` when a value could not be measured. Stops
 * counting once `limit` is passed (the bound is then over `limit`, which is all the caller needs).
 */
export function templateSizeBound(stack: Stack, limit: number, resolved: ResolvedProperties = new Map()): number {
  try {
    const walk = new Walk();
    const options = stack.templateOptions;
    let total = TEMPLATE_FRAME_BYTES + walk.bytes(options.description, 1) + walk.bytes(options.metadata, 1) + walk.bytes(options.transforms, 1);
    for (const c of stack.node.findAll()) {
      if (!CfnElement.isCfnElement(c) || c.stack !== stack) continue;
      total += CfnResource.isCfnResource(c) ? resourceBytes(c, walk, resolved.get(c)) : walk.resolved(elementFragment(c), 0);
      if (total > limit) return total;
    }
    // the tokens met on the way, resolved at once (one resolution costs about as much as many)
    return total + walk.settle(stack);
  } catch {
    return Infinity;
  }
}

/** A resource's bytes: its frame, properties, overrides, metadata and dependencies (`resolved`: properties resolved already). */
function resourceBytes(resource: CfnResource, walk: Walk, resolved: Readonly<Record<string, unknown>> | undefined): number {
  const internals = resource as unknown as { cfnProperties?: Record<string, unknown>; rawOverrides?: unknown; dependsOn?: Set<unknown> };
  const options = resource.cfnOptions;
  let properties = 0;
  if (resolved === undefined) {
    properties = walk.bytes(internals.cfnProperties, 3);
  } else {
    // values resolved already are measured as JSON, each on the line of its key (`"key": `, one level
    // deeper than the properties)
    const rest: Record<string, unknown> = { ...internals.cfnProperties };
    for (const key of Object.keys(resolved)) delete rest[key];
    properties = walk.bytes(rest, 3) + Object.entries(resolved).reduce((n, [key, v]) => n + 4 + 5 + stringBytes(key) + resolvedBytes(v, 4), 0);
  }
  return LOGICAL_ID_BYTES + RESOURCE_FRAME_BYTES + resource.cfnResourceType.length
    + properties
    // an override adds to the properties or replaces one: counted on top of them
    + walk.bytes(internals.rawOverrides, 2)
    + walk.bytes(options.metadata, 3) + walk.bytes(options.creationPolicy, 3) + walk.bytes(options.updatePolicy, 3)
    + (options.condition ? LOGICAL_ID_BYTES : 0)
    + (internals.dependsOn?.size ?? 0) * DEPENDS_ON_BYTES;
}

/** An output, parameter, condition, mapping or rule (few and small), as the template has it. */
function elementFragment(element: CfnElement): unknown {
  return (element as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
}

/**
 * Counts the bytes values take in the template, as `JSON.stringify(template, undefined, 1)` writes
 * them: exact for plain values, and for tokens outside policy documents (resolved, all at once, by
 * `settle`); an upper bound for references inside policy documents.
 */
class Walk {
  /** Tokens to resolve, with the depth each is at. */
  private readonly pending: Array<{ value: unknown; depth: number }> = [];

  /** The bytes `value` takes at `depth` (the indentation of its line), tokens outside policy documents left to `settle`. */
  public bytes(value: unknown, depth: number, inPolicy = false): number {
    if (value === undefined || value === null) return 4;
    switch (typeof value) {
      case 'string':
        if (!Token.isUnresolved(value)) return stringBytes(value);
        if (!inPolicy) return this.resolved(value, depth);
        return Buffer.byteLength(JSON.stringify(value.replace(STRING_TOKEN, '').replace(LIST_TOKEN, '')))
          + (value.match(STRING_TOKEN)?.length ?? 0) * REFERENCE_BYTES + (value.match(LIST_TOKEN)?.length ?? 0) * LIST_REFERENCE_BYTES;
      case 'number':
        if (!Token.isUnresolved(value)) return JSON.stringify(value).length;
        return inPolicy ? REFERENCE_BYTES : this.resolved(value, depth);
      case 'boolean':
        return 5;
      case 'object':
        break;
      default:
        return 4;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return 2;
      // `[`, each item on its own line (indented one level deeper, with a comma), `]` on a line at this depth
      return value.reduce((n: number, item) => n + depth + 3 + this.bytes(item, depth + 1, inPolicy), 3 + depth);
    }
    if (value instanceof iam.PolicyDocument) return this.bytes(value.toJSON(), depth, true);
    const prototype = Object.getPrototypeOf(value);
    // a token, or an instance of a class (not plain data): counted as the template has it
    if (Tokenization.isResolvable(value) || (prototype !== Object.prototype && prototype !== null)) {
      return inPolicy ? REFERENCE_BYTES : this.resolved(value, depth);
    }
    // `{`, each `"key": value` on its own line, `}` on a line at this depth
    let n = 3 + depth;
    let empty = true;
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function') continue;
      empty = false;
      n += depth + 5 + stringBytes(key) + this.bytes(v, depth + 1, inPolicy);
    }
    return empty ? 2 : n;
  }

  /** Leaves `value` to be resolved and counted by `settle`. */
  public resolved(value: unknown, depth: number): number {
    this.pending.push({ value, depth });
    return 0;
  }

  /** The bytes of the values left to resolve, resolved in one go: exact, as the template has them. */
  public settle(stack: Stack): number {
    if (this.pending.length === 0) return 0;
    // each in an object of its own: resolving drops the undefined items of a list, but not the list's objects
    const values = stack.resolve(this.pending.map(p => ({ value: p.value }))) as Array<{ value?: unknown }>;
    return values.reduce((n: number, { value }, i) => n + resolvedBytes(value, this.pending[i].depth), 0);
  }
}

/** What JSON takes to escape, or is more than one byte in UTF-8. */
const NOT_PLAIN = /["\\\u0000-\u001f\u007f-\uffff]/;

/** The bytes of a string in JSON, quoted. */
function stringBytes(value: string): number {
  return NOT_PLAIN.test(value) ? Buffer.byteLength(JSON.stringify(value)) : value.length + 2;
}

/** The bytes of a resolved value as the template has it at `depth`. */
function resolvedBytes(value: unknown, depth: number): number {
  const text = JSON.stringify(value, undefined, 1);
  if (text === undefined) return 4;
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return Buffer.byteLength(text) + lines * depth;
}
