import { Annotations, Duration, Resource, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, type IConstruct } from 'constructs';
import { misspeltField, misspeltFieldHint, StructName } from './struct-fields';

/**
 * The error every configuration mistake ends in: one line naming the construct, the field, the
 * value received and what to do.
 */
export class DeliveryPipelineValidationError extends Error {
  public readonly constructPath: string;
  public readonly field: string;

  constructor(constructPath: string, field: string, message: string) {
    super(message);
    this.name = 'DeliveryPipelineValidationError';
    this.constructPath = constructPath;
    this.field = field;
    Object.setPrototypeOf(this, DeliveryPipelineValidationError.prototype);
  }
}

/**
 * The error of a PolicyRule factory given a bad argument. A rule is no construct: the error names
 * the factory where a construct's path would be (`constructPath` is 'PolicyRule.minimumBakeTime')
 * and the message starts with it (`PolicyRule.minimumBakeTime: bakeTime must be ...`).
 */
export function factoryArgumentError(factory: string, field: string, message: string): DeliveryPipelineValidationError {
  return new DeliveryPipelineValidationError(factory, field, `${factory}: ${message}`);
}

/**
 * The shape of a region code: `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`, `cn-north-1`,
 * `eusc-de-east-1` (the AWS European Sovereign Cloud's four-letter prefix).
 */
export const REGION_CODE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** A description of a received value (shown without quotes), e.g. `3 environments`. */
export class Described {
  constructor(public readonly text: string) {}
}

/** Describes a received value in words. */
export function described(text: string): Described {
  return new Described(text);
}

/** Renders a received value the way error messages show it. */
export function show(value: unknown): string {
  if (value instanceof Described) return value.text;
  if (typeof value === 'string') {
    const shown = value.length > 120 ? `${value.slice(0, 117)}...` : value;
    return `'${shown}'`;
  }
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  const imported = importedResource(value as object);
  if (imported) return imported;
  const name = publicClassName(value as object);
  return name ? `${article(name)} ${name}` : 'an object';
}

/**
 * A value as a factory's argument error shows it: as JSON when it is plain data (so that
 * `['12']` reads as given), a token as `a token`, anything else (a construct, a circular or
 * huge object) as `show` describes it.
 */
export function showJson(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Token.isUnresolved(value) ? 'a token' : String(value);
  if (typeof value === 'string' && Token.isUnresolved(value)) return 'a token';
  try {
    const json = JSON.stringify(value);
    return json === undefined || json.length > 200 ? show(value) : json;
  } catch {
    return show(value);
  }
}

/** The library's public base classes: kinds are shown by these names, never by internal ones. */
const PUBLIC_BASES = new Set(['PipelineSource', 'BuildStep', 'QualityCheck', 'DeploymentTarget', 'Approval', 'Verification', 'BuildCache', 'TestReport',
  'DeploymentWindow', 'BuildSecret', 'DockerCredential', 'LambdaTrafficShift']);

/** The property under which jsii libraries (aws-cdk-lib, constructs) keep a class's fully qualified name. */
const JSII_RTTI = Symbol.for('jsii.rtti');

/**
 * The class of a value as users write it. The library's kinds by their public base class
 * (`PipelineSource`); a class of a jsii library (aws-cdk-lib's `Alarm2`, renamed when it was
 * bundled) by the name its jsii type information gives, the first up the prototype chain that has
 * one (`cloudwatch.Alarm`; an imported resource is named before, by `importedResource`); anything
 * else by its constructor's name.
 */
function publicClassName(value: object): string | undefined {
  let proto = Object.getPrototypeOf(value);
  const first = proto?.constructor?.name;
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const n = p.constructor?.name;
    if (n && PUBLIC_BASES.has(n)) return n;
  }
  for (; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor = proto.constructor;
    // a static property is inherited: only the class's own names it
    const rtti = ctor && Object.prototype.hasOwnProperty.call(ctor, JSII_RTTI) ? ctor[JSII_RTTI] : undefined;
    if (rtti && typeof rtti.fqn === 'string') return jsiiClassName(rtti.fqn);
  }
  return first && first !== 'Object' ? first : undefined;
}

/** ARN service names that are not the name of their aws-cdk-lib module (`aws-cdk-lib/aws-<module>`). */
const SERVICE_MODULES: Record<string, string> = { 'states': 'stepfunctions', 'elasticloadbalancing': 'elasticloadbalancingv2', 'execute-api': 'apigateway', 'es': 'opensearchservice' };

/**
 * An imported resource (`iam.Role.fromRoleArn()`, `s3.Bucket.fromBucketName()`, ...) as users
 * recognise it: `an imported iam.Role ('arn:aws:iam::111111111111:role/deployer')`, with its ARN,
 * else its name, when that is a literal. Undefined for anything else. aws-cdk-lib gives imported
 * resources classes of their own that are not public (`ImportedRole`, `Import`), which would show
 * as `a Resource`; the public class is read, in this order, from:
 * - the jsii type information of the class the import extends (`s3.BucketBase` is `s3.Bucket`);
 * - the property injection id aws-cdk-lib gives the import's class (`aws-cdk-lib.aws-iam.ImportedRole`
 *   is `iam.Role`, `aws-cdk-lib.aws-kms.ReferencedKey` `kms.Key`);
 * - for a class named `Import` (the one a `from*` method declares; `MutableImport` too), the base class it extends
 *   (`RepositoryBase` is `Repository`), else the resource its `<resource>Arn` attribute names
 *   (`clusterArn` is `Cluster`), in the module its ARN's service names when that is a literal
 *   (`arn:aws:codecommit:...` is `codecommit`).
 * A resource is imported when it is an aws-cdk-lib Resource whose own CloudFormation resource is
 * not in the app (aws-cdk-lib's `Resource.isOwnedResource`).
 */
function importedResource(value: object): string | undefined {
  if (!Construct.isConstruct(value) || !Resource.isResource(value) || Resource.isOwnedResource(value)) return undefined;
  const kind = importedKind(value);
  if (kind === undefined) return undefined;
  const id = importedIdentity(value as unknown as Record<string, unknown>, kind);
  return `an imported ${kind}${id !== undefined ? ` (${show(id)})` : ''}`;
}

/** The public class of an imported resource, as users write it (see importedResource); undefined when none can be told. */
function importedKind(value: object): string | undefined {
  const own = (value as object).constructor;
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor = proto.constructor;
    if (!ctor || ctor === Resource) break;
    const rtti = Object.prototype.hasOwnProperty.call(ctor, JSII_RTTI) ? ctor[JSII_RTTI] : undefined;
    // a public class of the import's own: an owned resource's, not an import's (a subclass of a public class)
    if (rtti && typeof rtti.fqn === 'string') return ctor === own ? undefined : jsiiClassName(rtti.fqn).replace(/Base$/, '');
    const injection = Object.prototype.hasOwnProperty.call(ctor, 'PROPERTY_INJECTION_ID') ? ctor.PROPERTY_INJECTION_ID : undefined;
    const match = typeof injection === 'string' ? /^aws-cdk-lib\.aws-([a-z0-9-]+)\.(?:Imported|Referenced|Immutable)?([A-Z]\w*)$/.exec(injection) : null;
    if (match) return `${match[1].replace(/-/g, '_')}.${match[2].replace(/Base$/, '')}`;
  }
  if (!/Import\d*$|^_[A-Z]/.test(own?.name ?? '')) return undefined;
  const arn = Object.entries(value).find(([key, v]) => /^[a-z]\w*Arn$/.test(key) && typeof v === 'string');
  const name = referencedName(value) ?? baseClassName(value) ?? (arn ? arn[0].charAt(0).toUpperCase() + arn[0].slice(1, -'Arn'.length) : undefined);
  if (name === undefined) return undefined;
  const service = arn ? (arn[1] as string).split(':')[2] : undefined;
  const module = service && /^[a-z][a-z0-9-]*$/.test(service) ? SERVICE_MODULES[service] ?? service.replace(/-/g, '_') : undefined;
  return module ? `${module}.${name}` : name;
}

/**
 * The resource an import's own class references by name: a `<resource>Ref` getter of its class with
 * a `<resource>Name` attribute (`kms.Alias.fromAliasName`'s class, which is also a key, has
 * `aliasRef` and `keyRef`, and `aliasName`: `Alias`).
 */
function referencedName(value: object): string | undefined {
  const own = Object.getOwnPropertyNames(Object.getPrototypeOf(value));
  const resource = own.map(key => /^([a-z]\w*)Ref$/.exec(key)?.[1]).find(r => r !== undefined && `${r}Name` in value);
  return resource === undefined ? undefined : resource.charAt(0).toUpperCase() + resource.slice(1);
}

/** The name of the first `<Name>Base` class an import extends (`RepositoryBase`: `Repository`), below aws-cdk-lib's Resource. */
function baseClassName(value: object): string | undefined {
  const above = Object.getPrototypeOf(Object.getPrototypeOf(value));
  for (let proto = above; proto && proto.constructor !== Resource; proto = Object.getPrototypeOf(proto)) {
    // aws-cdk-lib's bundled classes end in a digit (Resource2)
    const base = /^(\w+?)Base\d*$/.exec(proto.constructor?.name ?? '');
    if (base) return base[1];
  }
  return undefined;
}

/**
 * How an imported resource is identified, when that is a literal: its ARN (`roleArn`), else its
 * name (`roleName`), else its id (`vpcId`), by the attributes of its class (`iam.Role`: `role`; `codedeploy.ServerDeploymentGroup`:
 * `deploymentGroup`, the longest attribute prefix its class name ends with).
 */
function importedIdentity(value: Record<string, unknown>, kind: string): string | undefined {
  const className = kind.split('.').pop()!.toLowerCase();
  // attributes of its own, and those its class reads (`kms.Alias.fromAliasAttributes`: `aliasName`)
  const keys = [...new Set([...Object.keys(value), ...Object.getOwnPropertyNames(Object.getPrototypeOf(value))])];
  const attributes = (suffix: string) => keys
    .filter(key => key.endsWith(suffix) && key.length > suffix.length && className.endsWith(key.slice(0, -suffix.length).toLowerCase()))
    .sort((a, b) => b.length - a.length);
  for (const key of [...attributes('Arn'), ...attributes('Name'), ...attributes('Id')]) {
    let v: unknown;
    try {
      v = value[key];
    } catch {
      // a getter an import does not support
      continue;
    }
    if (typeof v === 'string' && !Token.isUnresolved(v) && v !== '') return v;
  }
  return undefined;
}

/**
 * A jsii fully qualified name as code that imports the module (`import * as cloudwatch from
 * 'aws-cdk-lib/aws-cloudwatch'`) writes it: 'aws-cdk-lib.aws_cloudwatch.Alarm' is
 * `cloudwatch.Alarm`, 'aws-cdk-lib.pipelines.CodePipeline' `pipelines.CodePipeline`, a class of
 * the core module ('aws-cdk-lib.Duration') or of another library ('constructs.Construct') its
 * plain name.
 */
export function jsiiClassName(fqn: string): string {
  const parts = fqn.split('.');
  if (parts[0] === 'aws-cdk-lib' && parts.length >= 3) {
    return `${parts[1].replace(/^aws_/, '')}.${parts.slice(2).join('.')}`;
  }
  return parts.slice(1).join('.') || fqn;
}

/** aws-cdk-lib module aliases with a vowel that are read letter by letter all the same. */
const SPELT_OUT = new Set(['ses', 'sso', 'fis']);

/**
 * 'a' or 'an' before a class name, by its sound: `an Alarm`, `a Role`, `an iam.Role`, `an
 * s3.Bucket` (s3 and sns are read letter by letter: "ess"), `a cloudwatch.Alarm`, `a UserPool`.
 */
export function article(name: string): 'a' | 'an' {
  const word = name.split('.')[0];
  const lower = word.toLowerCase();
  // read letter by letter: an abbreviation without vowels (sns, sqs, kms), or one before a digit (s3)
  if (word === lower && (/^[^aeiouy\d]+(\d|$)/.test(lower) || SPELT_OUT.has(lower))) return /^[aefhilmnorsx]/.test(lower) ? 'an' : 'a';
  if (/^[aeio]/.test(lower)) return 'an';
  // 'u' sounds like "you" in user, unit, usage, utility
  if (/^u/.test(lower)) return /^u(s|ni|ti|ri|ra|ro|bi)/.test(lower) ? 'a' : 'an';
  return 'a';
}

/** True for values that are tokens (unresolved at synth time): such values are not checked. */
export function isToken(value: unknown): boolean {
  return typeof value === 'string' ? Token.isUnresolved(value) : typeof value === 'number' ? Token.isUnresolved(value) : false;
}

/** The value when it is known at synth (not a token), else undefined. */
export function literal(value: string | undefined): string | undefined {
  return value === undefined || isToken(value) ? undefined : value;
}

/**
 * A resource's name when it is known at synth: the name itself, or, for a resource of the app
 * given a name (`repositoryName: 'shop'`, `alarmName: 'shop-errors'`), the physical name aws-cdk-lib
 * keeps behind the name's token.
 */
export function literalName(resource: unknown, name: string): string | undefined {
  const physical = (resource as { physicalName?: unknown }).physicalName;
  return literal(name) ?? (typeof physical === 'string' ? literal(physical) : undefined);
}

/**
 * `value` resolved in `stack` as it stands now (lazy values included), or undefined when it cannot
 * be resolved yet.
 */
export function resolvedOrUndefined(stack: { resolve(value: unknown): unknown }, value: unknown): any {
  try {
    return stack.resolve(value);
  } catch {
    return undefined;
  }
}

/**
 * Validation context: knows the construct path so every message names it.
 */
export class Validator {
  /**
   * @param constructPath the path every message names
   * @param defaults organisation-wide defaults (DeliveryDefaults) that parts apply while they are validated
   * @param root the root of the construct tree being validated (the app), for parts that must live in it
   * @param pipeline the pipeline construct, for parts whose resources its stack must be able to refer to
   */
  constructor(
    public readonly constructPath: string,
    public readonly defaults: ModelDefaults = {},
    public readonly root?: IConstruct,
    public readonly pipeline?: IConstruct,
  ) {}

  /** Throws the library's error: `'<path>': <field> <problem>, got <value>. <fix>` */
  public fail(field: string, problem: string, value: unknown, fix: string): never {
    throw new DeliveryPipelineValidationError(this.constructPath, field, this.message(field, problem, value, fix));
  }

  /**
   * The library's error message, for a construct validation that returns its errors (aws-cdk-lib
   * reports them all at once) instead of throwing the first.
   */
  public message(field: string, problem: string, value: unknown, fix: string): string {
    return `'${this.constructPath}': ${field} ${problem}, got ${show(value)}. ${fix}`;
  }

  /** Throws an error that has no single received value. */
  public failPlain(field: string, message: string): never {
    throw new DeliveryPipelineValidationError(this.constructPath, field, `'${this.constructPath}': ${field} ${message}`);
  }

  /**
   * Refuses a key of `value` that looks like a misspelling of a field of `struct` (`productionn`,
   * `Production`), or is another name users give one (`build` for `buildStep`): JavaScript would
   * ignore it silently. Keys unlike any field are left alone, so
   * wider objects may be passed. `field` is the struct's own field path ('' at the top).
   */
  public noMisspeltFields(field: string, value: unknown, struct: StructName): void {
    if (value === undefined || value === null) return;
    // a string or a list where the options object goes (a JavaScript or Python caller) would be ignored
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field || 'props', `takes an object of ${struct} fields`, value, `Pass { ... } with the fields of ${struct}, or leave it out.`);
    }
    for (const [key, given] of Object.entries(value)) {
      if (given === undefined) continue;
      const meant = misspeltField(key, struct);
      if (meant !== undefined) {
        this.fail(field ? `${field}.${key}` : key, `is not a field of ${struct}`, given,
          `Did you mean '${meant}'? ${misspeltFieldHint(key, struct)}`);
      }
    }
  }

  public requireObject(field: string, value: unknown, fix: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, 'must be an object', value, fix);
    }
  }

  public requireString(field: string, value: unknown, fix: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string', value, fix);
    if (!isToken(value) && value.trim() === '') this.fail(field, 'must not be empty', value, fix);
    return value;
  }

  public optionalString(field: string, value: unknown, fix: string): string | undefined {
    if (value === undefined) return undefined;
    return this.requireString(field, value, fix);
  }

  public requireStringArray(field: string, value: unknown, fix: string, allowEmpty = false): string[] {
    if (!Array.isArray(value)) this.fail(field, 'must be an array of strings', value, fix);
    if (!allowEmpty && value.length === 0) this.fail(field, 'must not be empty', value, fix);
    value.forEach((item, i) => this.requireString(`${field}[${i}]`, item, fix));
    return value as string[];
  }

  public optionalStringArray(field: string, value: unknown, fix: string): string[] | undefined {
    if (value === undefined) return undefined;
    return this.requireStringArray(field, value, fix, true);
  }

  public optionalBoolean(field: string, value: unknown): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false', value, 'Pass a boolean.');
    return value;
  }

  public optionalStringMap(field: string, value: unknown, fix: string): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    this.requireObject(field, value, fix);
    for (const [k, v] of Object.entries(value as object)) {
      if (typeof v !== 'string') this.fail(`${field}.${k}`, 'must be a string', v, fix);
    }
    return value as Record<string, string>;
  }

  /**
   * Checks an optional region field: an AWS region name such as 'eu-west-1'. A token is refused
   * unless it is the pipeline stack's own region (then it means what leaving the region out means,
   * and undefined is returned): a cross-region action needs an artifact store in its region, which
   * the pipeline creates only for regions it knows at synth.
   */
  public optionalRegion(field: string, value: unknown, pipelineRegion: string): string | undefined {
    const fix = "Pass a region such as 'eu-west-1'.";
    const region = this.optionalString(field, value, fix);
    if (region === undefined) return undefined;
    if (region === pipelineRegion) return isToken(region) ? undefined : region;
    if (isToken(region)) {
      this.fail(field, 'must be a region known at synth (a cross-region action needs an artifact store in its region, which the pipeline creates '
        + 'for the regions it knows at synth)', described('a token'),
      "Pass the region as a literal such as 'eu-west-1', or leave region out to deploy in the pipeline's region.");
    }
    if (!REGION_CODE.test(region)) this.fail(field, 'is not an AWS region name', region, fix);
    if (this.pipeline !== undefined && !RegionInfo.regions.some(r => r.name === region)) {
      // a region newer than this aws-cdk-lib is not refused; a misspelt one would fail only at deploy time
      Annotations.of(this.pipeline).addWarningV2('delivery-pipeline:unknownRegion',
        `'${this.constructPath}': ${field} '${region}' is not a Region this aws-cdk-lib knows (${RegionInfo.regions.length} Regions). `
        + 'Check its spelling: a misspelt Region fails only when the pipeline deploys, as its bootstrap roles and artifact bucket cannot be found. '
        + 'If it is a Region newer than your aws-cdk-lib, upgrade aws-cdk-lib or acknowledge this warning.');
    }
    return region;
  }

  /** Checks a value given as an sns.ITopic (by a JavaScript caller, possibly anything). */
  public optionalTopic(field: string, value: unknown): void {
    if (value !== undefined && !isResource(value, 'topicArn')) {
      this.fail(field, 'must be an sns.ITopic', value, 'Pass an sns.Topic or sns.Topic.fromTopicArn(...).');
    }
  }

  /**
   * Checks a `Duration` field against a range of minutes; returns the minutes, or undefined for a
   * token (not checkable at synth). Whole minutes only: aws-cdk-lib renders CodeBuild, approval and
   * deployment timeouts and bake times as whole minutes and throws its own error otherwise.
   */
  public durationMinutes(field: string, value: unknown, range: MinutesRange): number | undefined {
    if (!(value instanceof Duration)) this.fail(field, 'must be a Duration', value, `Pass ${range.example}.`);
    if (value.isUnresolved()) return undefined;
    const minutes = value.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < range.min || minutes > range.max) {
      this.fail(field, `must be ${range.limits}`, described(`${minutes} minutes`), `Pass a Duration such as ${range.example}.`);
    }
    return minutes;
  }

  /** Checks a name against CodePipeline's rules for stage and action names. */
  public pipelineName(field: string, value: unknown, what: string, fixOverride?: string): string {
    const fix = fixOverride ?? `Use 1 to 100 characters from A-Z, a-z, 0-9, '.', '@', '-' and '_' for the ${what}.`;
    this.requireString(field, value, fix);
    const name = value as string;
    if (isToken(name)) {
      this.fail(field, `must be a literal (CodePipeline needs the ${what} at synth time)`, name, 'Pass a plain string, not a token.');
    }
    const a = article(what);
    if (name.length > 100) this.fail(field, `must be at most 100 characters (CodePipeline's limit for ${a} ${what})`, name, fix);
    if (!/^[A-Za-z0-9.@_-]+$/.test(name)) this.fail(field, `contains characters CodePipeline rejects in ${a} ${what}`, name, fix);
    return name;
  }
}

/** The range a Duration field accepts (see Validator.durationMinutes). */
export interface MinutesRange {
  readonly min: number;
  readonly max: number;
  /** The range in words, as the error says it: 'whole minutes from 1 to 60 (...)'. */
  readonly limits: string;
  /** A valid value, as code: 'Duration.minutes(30)'. */
  readonly example: string;
}

/** Organisation-wide defaults as the model sees them (see DeliveryDefaults). */
export interface ModelDefaults {
  readonly buildImage?: unknown;
  readonly assetPublishingBuildImage?: unknown;
  readonly computeType?: string;
  readonly approvalNotify?: unknown;
  readonly vpc?: unknown;
  readonly subnetSelection?: unknown;
  readonly securityGroups?: unknown;
  readonly dockerCredentials?: unknown;
  readonly logRetention?: number;
  readonly notifications?: unknown;
}

/** Checks that a value was built by one of the library's static factories. */
export function isInstance<T>(value: unknown, ctor: abstract new (...args: any[]) => T): value is T {
  return value instanceof (ctor as any);
}

/** A library class made only by its factories: its kinds implement internal members a subclass of the user's cannot. */
interface FactoryMadeKind {
  /** The internal member every kind implements. */
  readonly member: '_toModel' | '_bind';
  readonly factories: string[];
  /** What to use for a kind of one's own, when the library has a way. */
  readonly own?: string;
}

const FACTORY_MADE: Record<string, FactoryMadeKind> = {
  PipelineSource: { member: '_toModel', factories: ['gitHub', 'codeCommit', 's3', 'ecr'] },
  BuildStep: { member: '_toModel', factories: ['commands'], own: 'For a build of your own, pass its commands to BuildStep.commands().' },
  QualityCheck: {
    member: '_toModel',
    factories: ['commands', 'dependencyAudit', 'sourceCodeScan', 'imageScan'],
    own: 'For a check of your own use QualityCheck.commands().',
  },
  DeploymentTarget: {
    member: '_toModel',
    factories: ['cloudFormation', 'cdkStage', 'commands', 'codeDeployServer', 'codeDeployEcs', 'ecs', 'lambdaFunction', 'fromActionFactory'],
    own: 'For your own action use DeploymentTarget.fromActionFactory().',
  },
  Approval: { member: '_toModel', factories: ['manual', 'changeSetReview'] },
  Verification: { member: '_toModel', factories: ['commands', 'alarms'], own: 'For a test of your own use Verification.commands().' },
  DeploymentWindow: { member: '_toModel', factories: ['cron'] },
  BuildCache: { member: '_bind', factories: ['local', 's3'] },
  BuildSecret: { member: '_bind', factories: ['fromSecretsManager', 'fromParameterStore'] },
  DockerCredential: { member: '_toModel', factories: ['dockerHub', 'customRegistry', 'ecr'] },
  LambdaTrafficShift: { member: '_bind', factories: ['allAtOnce', 'canary', 'linear'] },
};

/**
 * Requires an instance of one of the library's "one of several kinds" classes (`kind`) to be made by one of its factories:
 * their constructors are public to jsii, so a subclass can be written in any jsii language, but only the library's own
 * kinds implement the internal member the pipeline calls.
 */
export function requireFactoryMade(v: Validator, field: string, value: object, kind: keyof typeof FACTORY_MADE): void {
  const k = FACTORY_MADE[kind];
  if (typeof (value as Record<string, unknown>)[k.member] === 'function') return;
  const own = (value as object).constructor?.name;
  v.fail(field, `must be made by one of ${kind}'s factories (${k.factories.map(f => `${kind}.${f}()`).join(', ')})`,
    described(`a subclass of ${kind}${own && own !== kind ? ` ('${own}')` : ''}`),
    `${k.own ?? ''}${k.own ? ' ' : ''}A class of your own that extends ${kind} cannot be used: the pipeline reads members of the library's kinds that are not part of its API.`);
}

/**
 * True for a construct with the string attribute `attribute` (`topicArn`, `bucketName`): what a field typed as a resource
 * interface (sns.ITopic, s3.IBucket) needs. A plain object with that one property (from a JavaScript or Python caller) is
 * not one: the pipeline reads its other members (its node, its stack, its grants).
 */
export function isResource(value: unknown, attribute: string): boolean {
  return Construct.isConstruct(value) && typeof (value as unknown as Record<string, unknown>)[attribute] === 'string';
}
