/**
 * What a change does to the delivery process: the difference between two sets of plan documents
 * (before and after), pipeline by pipeline, in plain words, with the changes that weaken the
 * release's safety marked as risks. Plain data in, plain data out: no construct imports.
 */
import type { PlanAction, PlanDocument, PlanEnvironment, PlanGate, PlanNotifications } from '../model/plan-document';
import { SELF_UPDATE_STAGE } from '../model/stage-names';

/**
 * The changes that weaken the release's safety, by id: the one list the diff marks risks with
 * (documented in docs/cli.md, `diff`, word for word).
 */
export const RISK_RULES = {
  'release-mode-less-human-control': 'the release mode becomes continuous deployment: nobody decides any more when a change reaches production',
  'production-approval-removed': 'a production environment no longer has a manual approval or a change-set review: nobody decides before it deploys',
  'production-window-removed': 'a production environment loses its deployment window',
  'production-alarms-removed': 'a production environment loses alarms (alarms that block entry, or alarms watched after deploying)',
  'production-bake-time-shortened': 'the alarms of a production environment are watched for a shorter time after deploying',
  'production-verification-removed': 'a production environment loses a verification action',
  'production-rollback-removed': 'a production environment that rolled back on failure no longer does (onFailure ROLLBACK becomes FAIL or RETRY)',
  'production-flag-removed': 'an environment is no longer a production environment (the production rules stop applying to it)',
  'production-environment-removed': 'a production environment is removed (renaming one removes it and adds another: review the new one)',
  'unverified-acknowledged': 'an environment now acknowledges that it has no automated verification',
  'production-rollout-all-at-once': 'a production deployment that rolled out gradually (canary, linear or rolling) now deploys all at once',
  'check-removed': 'a quality check is removed',
  'fewer-environments-before-production': 'a production environment has fewer environments before it (one removed, or moved after it)',
  'failure-notifications-removed': 'the pipeline no longer tells anyone that it failed (notifications of FAILED removed)',
  'pipeline-replaced': 'CloudFormation replaces the pipeline (a new pipeline name, construct id, stack name, account or region): the new one starts without the old one\'s execution history (history, metrics, rollback targets), and executions in flight are lost',
} as const;

export type RiskRule = keyof typeof RISK_RULES;

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One change to a pipeline's delivery process. */
export interface PlanChange {
  /** Where in the plan document, e.g. `environments.prod.gates.manual-approval`, `releaseMode`. */
  readonly path: string;
  readonly kind: ChangeKind;
  /** The environment the change is about (its name), when it is about one. */
  readonly environment?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** The change in plain words. */
  readonly description: string;
  /** True when the change weakens the release's safety (see RISK_RULES). */
  readonly risk: boolean;
  /** The rule that makes it a risk. */
  readonly riskRule?: RiskRule;
}

export type PipelineStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** Why a pipeline only in before and one only in after are read as one pipeline renamed or moved. */
export type RenamePairing = 'pipelineName' | 'stack';

/** The pipeline of before that a pipeline of after renames or moves (a new construct path). */
export interface RenamedFrom {
  /** Its construct path in before. */
  readonly constructPath: string;
  /** `pipelineName`: the only two with that pipeline name; `stack`: the only ones left unpaired in their stack. */
  readonly pairedBy: RenamePairing;
  /** The stack (its artifact's display name), when paired by stack. */
  readonly stack?: string;
}

export interface PipelineDiff {
  readonly constructPath: string;
  /** The pipeline name (after's, or before's for a removed pipeline), when literal. */
  readonly pipelineName?: string;
  readonly status: PipelineStatus;
  /** Set when the pipeline was only in before under another construct path, and is compared with that one (a rename or move). */
  readonly renamedFrom?: RenamedFrom;
  /** In pipeline order: the pipeline's own changes, then each environment's, in the order they run. */
  readonly changes: PlanChange[];
}

export interface PlanDiff {
  /** After's pipelines in their order, then the removed ones. */
  readonly pipelines: PipelineDiff[];
  /** How many changes, and how many of them are risks. */
  readonly changes: number;
  readonly risky: number;
}

type Fields = Record<string, unknown>;

const fieldsOf = (x: object): Fields => x as unknown as Fields;

/** Deep equality of JSON values. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => (a as Fields)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Fields)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Fields)[k], (b as Fields)[k]));
}

/** A value in a sentence. */
function show(v: unknown): string {
  if (v === undefined || v === null) return 'not set';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length ? v.map(show).join(', ') : 'none';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `staging, prod → prod, staging`. */
function arrow(before: unknown, after: unknown): string {
  return `${show(before)} → ${show(after)}`;
}

/** A list of lines before and after: what was added and removed (or that only the order changed). */
function listDelta(before: unknown, after: unknown): string {
  const b = Array.isArray(before) ? before.map(show) : [];
  const a = Array.isArray(after) ? after.map(show) : [];
  const added = a.filter((x) => !b.includes(x));
  const removed = b.filter((x) => !a.includes(x));
  const parts = [
    added.length ? `added ${added.map((x) => `"${x}"`).join(', ')}` : '',
    removed.length ? `removed ${removed.map((x) => `"${x}"`).join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : `reordered: ${show(b)} → ${show(a)}`;
}

/** The keys of two objects, after's order first, each once. */
function keysOf(before: Fields, after: Fields, skip: readonly string[]): string[] {
  const keys = [...Object.keys(after), ...Object.keys(before)].filter((k) => !skip.includes(k));
  return [...new Set(keys)];
}

/** Items keyed by `key`; a key met again becomes `key#2`, `key#3`... (in order). */
function keyed<T>(items: readonly T[] | undefined, key: (t: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  const count = new Map<string, number>();
  for (const item of items ?? []) {
    const k = key(item);
    const n = (count.get(k) ?? 0) + 1;
    count.set(k, n);
    map.set(n === 1 ? k : `${k}#${n}`, item);
  }
  return map;
}

/** The keys of both sides in the order to report them: after's order, each removed one right after the key that preceded it before. */
function mergedOrder(before: readonly string[], after: readonly string[]): string[] {
  const order = [...after];
  before.forEach((key, i) => {
    if (order.includes(key)) return;
    const previous = i > 0 ? order.indexOf(before[i - 1]) : -1;
    order.splice(previous + 1, 0, key);
  });
  return order;
}

/** Collects the changes of one pipeline; `risk` marks one with a rule. */
class Changes {
  readonly list: PlanChange[] = [];

  add(change: Omit<PlanChange, 'risk' | 'riskRule'>, riskRule?: RiskRule | false): void {
    const entry: PlanChange = { ...change, risk: !!riskRule };
    this.list.push(riskRule ? { ...entry, riskRule } : entry);
  }

  /** A field that differs: `before → after`, phrased by `describe`. */
  field(path: string, before: unknown, after: unknown, describe: string, environment?: string, riskRule?: RiskRule | false): void {
    if (same(before, after)) return;
    const kind: ChangeKind = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    this.add({ path, kind, environment, before, after, description: describe }, riskRule);
  }
}

const RELEASE_MODE_HUMAN_CONTROL_LOST = 'CONTINUOUS_DEPLOYMENT';

function modeWords(mode: unknown): string {
  return typeof mode === 'string' ? mode.toLowerCase().replace(/_/g, ' ') : show(mode);
}

interface ActionGroup {
  /** The JSON path of the list, e.g. `checks`, `environments.prod.deployments`. */
  readonly path: string;
  /** How one is called: `check`, `deployment`, `verification`, `additional source`. */
  readonly label: string;
  readonly environment?: string;
  /** The rule that makes removing one a risk. */
  readonly removedRisk?: RiskRule | false;
  /** The rule that makes one that rolled out gradually deploying all at once a risk (production deployments). */
  readonly allAtOnceRisk?: RiskRule | false;
}

/** What one action is, in a line: `name: summary`. */
function actionLine(a: Fields): string {
  const kind = a.directory !== undefined && typeof a.kind === 'string' ? `${a.kind} ` : '';
  return `${show(a.name)}: ${kind}${show(a.summary)}`;
}

/**
 * The field-by-field differences of two versions of one action (or additional source, or the
 * source): the fields people read are phrased, any other field (one added in a later release too)
 * is reported as `<field>: before → after`.
 */
function actionFieldChanges(
  changes: Changes, path: string, title: string, before: Fields, after: Fields, environment?: string, skip: string[] = [],
  allAtOnceRisk?: RiskRule | false,
): void {
  for (const key of keysOf(before, after, skip)) {
    const b = before[key];
    const a = after[key];
    if (same(b, a)) continue;
    // a plan written before the field (or a target that does not say) is not compared for it
    if (key === 'gradual' && (b === undefined || a === undefined)) continue;
    // what starts a source's executions restates its branch and triggers, which are compared
    if (key === 'startsOn') continue;
    let description: string;
    switch (key) {
      case 'summary': description = `${title}: ${arrow(b, a)}`; break;
      case 'details': description = `${title}: details ${listDelta(b, a)}`; break;
      case 'triggers': description = `${title}: triggers ${listDelta(b, a)}`; break;
      case 'privileged': description = `${title}: ${a ? 'now runs' : 'no longer runs'} a privileged (Docker) CodeBuild environment`; break;
      case 'triggersPipeline': description = `${title}: ${a ? 'now starts' : 'no longer starts'} the pipeline`; break;
      case 'accountUnresolved': description = `${title}: account ${a ? 'now a token, unknown at synth' : 'no longer a token'}`; break;
      case 'runsBeforeDeployments': description = `${title}: ${a ? 'now runs before' : 'no longer runs before'} the environment's other deployments`; break;
      case 'gradual': description = `${title}: ${a === false ? 'now deploys all at once' : a === true ? 'now rolls out gradually' : `gradual ${arrow(b, a)}`}`; break;
      default: description = `${title}: ${key} ${arrow(b, a)}`;
    }
    changes.field(`${path}.${key}`, b, a, description, environment, key === 'gradual' && b === true && a === false ? allAtOnceRisk : undefined);
  }
}

/** Actions keyed by name: added, removed, changed field by field. */
type Actions = readonly PlanAction[] | undefined;

/**
 * The actions only in before that are renamed in after: one only in after that differs from it by
 * its name alone (same kind, summary, details and every other field), paired in order. Before's key
 * → after's. One renamed and changed stays removed and added: nothing says it is the same.
 */
function pairActionRenames(b: Map<string, Fields>, a: Map<string, Fields>): Map<string, string> {
  const pairs = new Map<string, string>();
  const taken = new Set<string>();
  const added = [...a.keys()].filter((key) => !b.has(key));
  const settings = (x: Fields) => ({ ...x, name: undefined });
  for (const [key, old] of b) {
    if (a.has(key)) continue;
    const match = added.find((k) => !taken.has(k) && same(settings(old), settings(a.get(k)!)));
    if (match === undefined) continue;
    taken.add(match);
    pairs.set(key, match);
  }
  return pairs;
}

function actionListChanges(changes: Changes, group: ActionGroup, before: Actions, after: Actions): void {
  const b = keyed(before?.map(fieldsOf), (x) => show(x.name));
  const a = keyed(after?.map(fieldsOf), (x) => show(x.name));
  const renames = pairActionRenames(b, a);
  const renamedFrom = new Map([...renames].map(([from, to]) => [to, from]));
  // a renamed action is reported at after's place, under its new name
  for (const name of mergedOrder([...b.keys()].map((k) => renames.get(k) ?? k), [...a.keys()])) {
    const from = renamedFrom.get(name);
    const old = b.get(from ?? name);
    const item = a.get(name);
    const path = `${group.path}.${name}`;
    if (from !== undefined && old && item) {
      changes.add({
        path: `${path}.name`,
        kind: 'changed',
        environment: group.environment,
        before: old.name,
        after: item.name,
        description: `${group.label} renamed: ${arrow(old.name, item.name)}`,
      });
    } else if (old && item) {
      actionFieldChanges(changes, path, `${group.label} ${name}`, old, item, group.environment, ['name'], group.allAtOnceRisk);
    } else if (item) {
      changes.add({ path, kind: 'added', environment: group.environment, after: item, description: `${group.label} added: ${actionLine(item)}` });
    } else if (old) {
      changes.add({ path, kind: 'removed', environment: group.environment, before: old, description: `${group.label} removed: ${actionLine(old)}` },
        group.removedRisk);
    }
  }
}

const GATE_LABELS: Record<string, string> = {
  'manual-approval': 'manual approval',
  'change-set-review': 'change-set review',
  'deployment-window': 'deployment window',
  'entry-alarms': 'alarms that block entry',
  'bake-alarms': 'alarms watched after deploying',
};

/** The rule that makes removing a gate of this kind from a production environment a risk. */
function gateRemovedRisk(kind: string): RiskRule | undefined {
  switch (kind) {
    case 'manual-approval':
    case 'change-set-review': return 'production-approval-removed';
    case 'deployment-window': return 'production-window-removed';
    case 'entry-alarms':
    case 'bake-alarms': return 'production-alarms-removed';
    default: return undefined;
  }
}

/**
 * Gates keyed for comparison: by kind (`bake-alarms`, `bake-alarms#2`...), after's gates of one
 * kind paired with before's by identical summary, then by the most alarms in common, then in
 * order, so that removing one of two alarm gates reports that one, not the other as changed.
 */
function pairGates(before: readonly PlanGate[], after: readonly PlanGate[]): [Map<string, PlanGate>, Map<string, PlanGate>] {
  const b = keyed(before, (g) => g.kind);
  const a = new Map<string, PlanGate>();
  const free = new Map([...b.entries()]);
  const common = (x: PlanGate, y: PlanGate) => (x.alarms ?? []).filter((n) => (y.alarms ?? []).includes(n)).length;
  const unpaired: PlanGate[] = [];
  const take = (gate: PlanGate, key: string) => { a.set(key, gate); free.delete(key); };
  for (const gate of after) {
    const identical = [...free.entries()].find(([, old]) => old.kind === gate.kind && old.summary === gate.summary);
    if (identical) take(gate, identical[0]); else unpaired.push(gate);
  }
  const left: PlanGate[] = [];
  for (const gate of unpaired) {
    const best = [...free.entries()].filter(([, old]) => old.kind === gate.kind && common(old, gate) > 0)
      .sort(([, x], [, y]) => common(y, gate) - common(x, gate))[0];
    if (best) take(gate, best[0]); else left.push(gate);
  }
  for (const gate of left) {
    const next = [...free.entries()].find(([, old]) => old.kind === gate.kind);
    if (next) {
      take(gate, next[0]);
    } else {
      let n = 1;
      while (b.has(n === 1 ? gate.kind : `${gate.kind}#${n}`) || a.has(n === 1 ? gate.kind : `${gate.kind}#${n}`)) n++;
      a.set(n === 1 ? gate.kind : `${gate.kind}#${n}`, gate);
    }
  }
  // after's order
  return [b, new Map(after.map((g) => [...a.entries()].find(([, x]) => x === g)!))];
}

/**
 * How long each alarm is watched after deploying: the longest bake time of the `bake-alarms` gates
 * that watch it (a plan written before the library refused one alarm in two of them may hold that).
 */
function bakeByAlarm(gates: readonly PlanGate[]): Map<string, number> {
  const bake = new Map<string, number>();
  for (const g of gates) {
    if (g.kind !== 'bake-alarms' || typeof g.bakeMinutes !== 'number' || !Array.isArray(g.alarms)) continue;
    for (const alarm of g.alarms) bake.set(alarm, Math.max(bake.get(alarm) ?? 0, g.bakeMinutes));
  }
  return bake;
}

/** The first of `gates` that watches `alarm` for `bake` minutes after deploying. */
function bakeGateOf(gates: readonly PlanGate[], alarm: string, bake: number): PlanGate | undefined {
  return gates.find((g) => g.kind === 'bake-alarms' && g.bakeMinutes === bake && (g.alarms ?? []).includes(alarm));
}

/** The gates by which a person decides before an environment deploys: either satisfies continuous delivery. */
const APPROVAL_KINDS: readonly string[] = ['manual-approval', 'change-set-review'];

function gateChanges(changes: Changes, env: string, production: boolean, before: readonly PlanGate[], after: readonly PlanGate[]): void {
  const base = `environments.${env}.gates`;
  const [b, a] = pairGates(before, after);
  // a manual approval replaced by a change-set review (or the other way round) still has a person decide
  const approvalKept = after.some((g) => APPROVAL_KINDS.includes(g.kind));
  // alarms watched for a shorter time after deploying, and the gate that now watches each longest
  const bakeBefore = bakeByAlarm(before);
  const bakeAfter = bakeByAlarm(after);
  const shortened = [...bakeAfter].filter(([alarm, bake]) => bakeBefore.has(alarm) && bake < bakeBefore.get(alarm)!)
    .map(([alarm, bake]) => ({ alarm, before: bakeBefore.get(alarm)!, after: bake, gate: bakeGateOf(after, alarm, bake)! }));
  /** The alarms of `gate` (after's) watched for a shorter time that its own bake time change does not already report. */
  const shortenedIn = (gate: PlanGate, old: PlanGate | undefined) => shortened.filter((s) => s.gate === gate
    && !(old && (old.alarms ?? []).includes(s.alarm) && old.bakeMinutes === s.before && typeof gate.bakeMinutes === 'number' && gate.bakeMinutes < s.before));
  const alarmBakeChanges = (key: string, gate: PlanGate, old: PlanGate | undefined) => {
    for (const s of shortenedIn(gate, old)) {
      changes.add({
        path: `${base}.${key}.alarms.${s.alarm}`,
        kind: 'changed',
        environment: env,
        before: s.before,
        after: s.after,
        description: `bake time of alarm ${s.alarm}, watched after deploying: ${minutes(s.before)} → ${minutes(s.after)}`,
      }, production && 'production-bake-time-shortened');
    }
  };
  for (const key of mergedOrder([...b.keys()], [...a.keys()])) {
    const old = b.get(key);
    const gate = a.get(key);
    const path = `${base}.${key}`;
    if (!gate) {
      // an alarm gate whose alarms all stay watched by another gate of its kind loses no alarm (a shorter bake time is reported per alarm)
      const watched = Array.isArray(old!.alarms) && old!.alarms.length > 0
        && old!.alarms.every((n) => after.some((g) => g.kind === old!.kind && (g.alarms ?? []).includes(n)));
      changes.add({ path, kind: 'removed', environment: env, before: old, description: `gate removed: ${old!.summary}` },
        production && !watched && !(approvalKept && APPROVAL_KINDS.includes(old!.kind)) && gateRemovedRisk(old!.kind));
      continue;
    }
    const label = GATE_LABELS[gate.kind] ?? gate.kind;
    if (!old) {
      changes.add({ path, kind: 'added', environment: env, after: gate, description: `gate added: ${gate.summary}` });
      alarmBakeChanges(key, gate, undefined);
      continue;
    }
    const bf = fieldsOf(old);
    const af = fieldsOf(gate);
    const bake = typeof old.bakeMinutes === 'number' && typeof gate.bakeMinutes === 'number' && old.bakeMinutes !== gate.bakeMinutes;
    // alarms no longer watched in any gate of this kind (one moved to another gate is kept)
    const kept = after.filter((g) => g.kind === gate.kind).flatMap((g) => g.alarms ?? []);
    const lost = Array.isArray(old.alarms) && Array.isArray(gate.alarms) ? old.alarms.filter((n) => !kept.includes(n)) : [];
    for (const field of keysOf(bf, af, ['kind', 'alarms'])) {
      const bv = bf[field];
      const av = af[field];
      if (same(bv, av)) continue;
      if (field === 'summary') {
        // a summary that differs only by the bake time says nothing more than bakeMinutes
        if (bake && old.summary.replace(`${old.bakeMinutes} min`, `${gate.bakeMinutes} min`) === gate.summary) continue;
        changes.field(`${path}.summary`, bv, av, `${label}: ${arrow(bv, av)}`, env);
      } else if (field === 'bakeMinutes') {
        const shorter = bake && gate.bakeMinutes! < old.bakeMinutes!;
        changes.field(`${path}.bakeMinutes`, bv, av, `bake time of the ${label}: ${arrow(minutes(bv), minutes(av))}`, env,
          production && shorter && 'production-bake-time-shortened');
      } else if (field === 'addedByDefault') {
        changes.field(`${path}.addedByDefault`, bv, av, `${label}: ${av ? 'now added by default (not configured)' : 'now configured (no longer added by default)'}`, env);
      } else {
        changes.field(`${path}.${field}`, bv, av, `${label}: ${field} ${arrow(bv, av)}`, env);
      }
    }
    if (Array.isArray(old.alarms) && Array.isArray(gate.alarms) && !same(old.alarms, gate.alarms)) {
      changes.field(`${path}.alarms`, old.alarms, gate.alarms,
        lost.length > 0 ? `${label}: alarm${lost.length === 1 ? '' : 's'} removed: ${lost.join(', ')}` : `${label}: alarms ${arrow(old.alarms, gate.alarms)}`, env,
        production && lost.length > 0 && 'production-alarms-removed');
    }
    alarmBakeChanges(key, gate, old);
  }
}

function minutes(v: unknown): string {
  return typeof v === 'number' ? `${v} min` : show(v);
}

/** `ROLLBACK`, `ROLLBACK (default)` → true. */
function rollsBack(onFailure: unknown): boolean {
  return typeof onFailure === 'string' && /^ROLLBACK\b/.test(onFailure);
}

/** What an added environment is, in a line. */
function environmentLine(env: PlanEnvironment): string {
  const parts = [
    env.production ? 'production' : '',
    env.deployments.length ? `deploys ${env.deployments.map((d) => d.name).join(', ')}` : 'deploys nothing',
    `gates: ${env.gates.length ? env.gates.map((g) => g.summary).join('; ') : 'none'}`,
    `verification: ${env.verification.length ? env.verification.map((v) => v.name).join(', ') : 'none'}`,
  ].filter(Boolean);
  return parts.join('; ');
}

const ENVIRONMENT_FIELDS = ['name', 'gates', 'deployments', 'verification'];

function environmentChanges(changes: Changes, before: PlanEnvironment, after: PlanEnvironment): void {
  const env = after.name;
  const base = `environments.${env}`;
  const production = !!(before.production || after.production);
  const b = fieldsOf(before);
  const a = fieldsOf(after);
  const fields = keysOf(b, a, ENVIRONMENT_FIELDS);
  const field = (key: string) => {
    const bv = b[key];
    const av = a[key];
    if (same(bv, av)) return;
    switch (key) {
      case 'production':
        changes.field(`${base}.production`, bv, av, av ? 'now a production environment' : 'no longer a production environment', env,
          !!bv && !av && 'production-flag-removed');
        break;
      case 'stageName': changes.field(`${base}.stageName`, bv, av, `stage name: ${arrow(bv, av)}`, env); break;
      case 'unverifiedAcknowledged':
        changes.field(`${base}.unverifiedAcknowledged`, bv, av,
          av ? 'now acknowledges that it has no automated verification' : 'no longer acknowledges having no automated verification', env,
          !!av && !bv && 'unverified-acknowledged');
        break;
      case 'onFailure':
        changes.field(`${base}.onFailure`, bv, av, `on failure: ${arrow(bv, av)}`, env,
          production && rollsBack(bv) && typeof av === 'string' && !rollsBack(av) && 'production-rollback-removed');
        break;
      case 'accountUnresolved': changes.field(`${base}.accountUnresolved`, bv, av, `account ${av ? 'now a token, unknown at synth' : 'no longer a token'}`, env); break;
      default: changes.field(`${base}.${key}`, bv, av, `${key}: ${arrow(bv, av)}`, env);
    }
  };
  // in the order the plan shows an environment: what it is, its gates, deployments, verification, failure
  for (const key of ['production', 'stageName', 'account', 'accountUnresolved', 'region']) field(key);
  gateChanges(changes, env, production, before.gates, after.gates);
  actionListChanges(changes, {
    path: `${base}.deployments`, label: 'deployment', environment: env, allAtOnceRisk: production && 'production-rollout-all-at-once',
  }, before.deployments, after.deployments);
  actionListChanges(changes, {
    path: `${base}.verification`, label: 'verification', environment: env, removedRisk: production && 'production-verification-removed',
  }, before.verification, after.verification);
  for (const key of ['unverifiedAcknowledged', 'onFailure']) field(key);
  for (const key of fields) {
    if (!['production', 'stageName', 'account', 'accountUnresolved', 'region', 'unverifiedAcknowledged', 'onFailure'].includes(key)) field(key);
  }
}

/** The names of the environments before `name` in `envs`. */
function environmentsBefore(envs: readonly PlanEnvironment[], name: string): string[] {
  const i = envs.findIndex((e) => e.name === name);
  return i < 0 ? [] : envs.slice(0, i).map((e) => e.name);
}

/** An environment of before that after renames. */
interface EnvironmentRename {
  readonly from: string;
  readonly to: string;
  /** Its place among the environments of both sides: `before prod`, `between staging and prod`, `after qa`, or empty (no other). */
  readonly place: string;
}

/**
 * Pairs an environment only in before with one only in after when they are clearly one environment
 * renamed: the only ones removed and added at one place (between the same environments of both
 * sides), neither of them a production environment (renaming one stays a removal and an addition:
 * production-environment-removed). Before's name → the rename.
 */
function pairEnvironmentRenames(before: readonly PlanEnvironment[], after: readonly PlanEnvironment[]): Map<string, EnvironmentRename> {
  const inBefore = new Set(before.map((e) => e.name));
  const inAfter = new Set(after.map((e) => e.name));
  const places = new Map<string, { place: string; removed: PlanEnvironment[]; added: PlanEnvironment[] }>();
  /** Files `list[i]` under its place: the nearest environments before and after it that both sides have. */
  const file = (list: readonly PlanEnvironment[], i: number, both: Set<string>, side: 'removed' | 'added') => {
    const previous = list.slice(0, i).reverse().find((e) => both.has(e.name))?.name;
    const next = list.slice(i + 1).find((e) => both.has(e.name))?.name;
    const key = JSON.stringify([previous ?? null, next ?? null]);
    const place = previous !== undefined && next !== undefined ? `between ${previous} and ${next}`
      : next !== undefined ? `before ${next}` : previous !== undefined ? `after ${previous}` : '';
    const entry = places.get(key) ?? places.set(key, { place, removed: [], added: [] }).get(key)!;
    entry[side].push(list[i]);
  };
  before.forEach((e, i) => { if (!inAfter.has(e.name)) file(before, i, inAfter, 'removed'); });
  after.forEach((e, i) => { if (!inBefore.has(e.name)) file(after, i, inBefore, 'added'); });
  const renames = new Map<string, EnvironmentRename>();
  for (const { place, removed, added } of places.values()) {
    if (removed.length !== 1 || added.length !== 1 || removed[0].production || added[0].production) continue;
    renames.set(removed[0].name, { from: removed[0].name, to: added[0].name, place });
  }
  return renames;
}

function environmentsChanges(changes: Changes, original: readonly PlanEnvironment[], after: readonly PlanEnvironment[]): void {
  const renames = pairEnvironmentRenames(original, after);
  const renamedTo = new Map([...renames.values()].map((r) => [r.to, r]));
  // before's environments, a renamed one under its new name: compared with after's by name
  const before = original.map((e) => (renames.has(e.name) ? { ...e, name: renames.get(e.name)!.to } : e));
  const b = new Map(before.map((e) => [e.name, e]));
  const a = new Map(after.map((e) => [e.name, e]));
  // production environments in both: do they keep every environment that came before them?
  const productions = after.filter((e) => b.has(e.name) && (e.production || b.get(e.name)!.production)).map((e) => e.name);
  const lostBefore = (prod: string, name: string) =>
    environmentsBefore(before, prod).includes(name) && !environmentsBefore(after, prod).includes(name);

  const common = (list: readonly PlanEnvironment[], other: Map<string, PlanEnvironment>) => list.filter((e) => other.has(e.name)).map((e) => e.name);
  const orderBefore = common(before, a);
  const orderAfter = common(after, b);
  if (!same(orderBefore, orderAfter)) {
    const moved = productions.some((p) => orderBefore.some((n) => a.has(n) && lostBefore(p, n)));
    changes.add({
      path: 'environments',
      kind: 'changed',
      before: original.map((e) => e.name),
      after: after.map((e) => e.name),
      description: `environments reordered: ${arrow(orderBefore, orderAfter)}`,
    }, moved && 'fewer-environments-before-production');
  }

  for (const name of mergedOrder(before.map((e) => e.name), after.map((e) => e.name))) {
    const old = b.get(name);
    const env = a.get(name);
    if (old && env) {
      const renamed = renamedTo.get(name);
      if (renamed) {
        changes.add({
          path: `environments.${name}.name`,
          kind: 'changed',
          environment: name,
          before: renamed.from,
          after: name,
          description: `environment renamed: ${arrow(renamed.from, name)} (the only one removed and added${renamed.place ? ` ${renamed.place}` : ''})`,
        });
      }
      environmentChanges(changes, old, env);
    } else if (env) {
      const position = after.indexOf(env);
      const where = position + 1 < after.length ? `before ${after[position + 1].name}` : position > 0 ? `after ${after[position - 1].name}` : 'first';
      changes.add({
        path: `environments.${name}`,
        kind: 'added',
        environment: name,
        after: env,
        description: `environment added (${where}): ${environmentLine(env)}`,
      });
    } else if (old) {
      const fewer = productions.some((p) => lostBefore(p, name));
      changes.add({
        path: `environments.${name}`,
        kind: 'removed',
        environment: name,
        before: old,
        description: `environment removed: ${environmentLine(old)}`,
      }, old.production ? 'production-environment-removed' : fewer && 'fewer-environments-before-production');
    }
  }
}

function notificationWords(n: PlanNotifications | undefined, key: 'events' | 'targets'): string[] {
  const list = n && Array.isArray(n[key]) ? n[key] : [];
  return list.map((x) => (key === 'events' ? String(x).toLowerCase().replace(/_/g, ' ')
    : x === 'sns' ? 'SNS topic' : x === 'slack' ? 'Slack channel' : String(x)));
}

function notificationChanges(changes: Changes, before: PlanNotifications | undefined, after: PlanNotifications | undefined): void {
  if (same(before, after)) return;
  const failedBefore = !!before?.events?.includes('FAILED');
  const failedAfter = !!after?.events?.includes('FAILED');
  const risk = failedBefore && !failedAfter && 'failure-notifications-removed';
  const line = (n: PlanNotifications) => `${notificationWords(n, 'events').join(', ')} → ${notificationWords(n, 'targets').join(', ')}`;
  if (!before || !after) {
    changes.add({
      path: 'notifications',
      kind: before ? 'removed' : 'added',
      before,
      after,
      description: before ? `notifications removed: nobody is told any more about ${line(before)}` : `notifications added: ${line(after!)}`,
    }, risk);
    return;
  }
  if (!same(before.events, after.events)) {
    changes.field('notifications.events', before.events, after.events,
      `notified events: ${arrow(notificationWords(before, 'events'), notificationWords(after, 'events'))}`, undefined, risk);
  }
  if (!same(before.targets, after.targets)) {
    changes.field('notifications.targets', before.targets, after.targets,
      `notifications sent to: ${arrow(notificationWords(before, 'targets'), notificationWords(after, 'targets'))}`);
  }
  for (const key of keysOf(fieldsOf(before), fieldsOf(after), ['events', 'targets'])) {
    const bv = fieldsOf(before)[key];
    const av = fieldsOf(after)[key];
    changes.field(`notifications.${key}`, bv, av, `notifications: ${key} ${arrow(bv, av)}`);
  }
}

/** Whether the pipeline updates itself (the UpdatePipeline stage), and the stage of its asset-publishing action (undefined: none). */
function stageFacts(plan: PlanDocument): { selfUpdate: boolean; publishAssets?: string } {
  const stages = Array.isArray(plan.stages) ? plan.stages : [];
  return {
    selfUpdate: stages.some((s) => s.name === SELF_UPDATE_STAGE || s.actions.some((a) => a.kind === 'cloudformation-self-update')),
    publishAssets: stages.find((s) => s.actions.some((a) => a.kind === 'asset-publishing'))?.name,
  };
}

/**
 * The fields compared one by one below (or derived from another: releaseModeDescription; or by
 * diffPlans: stackName); any other is compared as a value.
 */
const PIPELINE_FIELDS = [
  'formatVersion', 'constructPath', 'pipelineName', 'pipelineNameUnresolved', 'releaseMode', 'releaseModeDefaulted', 'releaseModeDescription',
  'executionMode', 'account', 'region', 'stackName', 'source', 'additionalSources', 'buildStep', 'checks', 'environments', 'stages', 'notifications',
];

/**
 * How a plan names its pipeline: the literal name; `deploy-time`, a name that is a token (set when
 * CloudFormation deploys the stack); `generated`, none given (CloudFormation generates one); or
 * `unrecorded` for a plan without a literal name written before plans told the last two apart
 * (one without `stackName`, added with `pipelineNameUnresolved`).
 */
type PipelineNaming = { readonly literal: string } | 'deploy-time' | 'generated' | 'unrecorded';

function pipelineNaming(plan: PlanDocument): PipelineNaming {
  if (plan.pipelineName !== undefined) return { literal: plan.pipelineName };
  if (plan.pipelineNameUnresolved === true) return 'deploy-time';
  return plan.stackName !== undefined ? 'generated' : 'unrecorded';
}

function namingWords(n: PipelineNaming): string {
  if (typeof n === 'object') return n.literal;
  return n === 'deploy-time' ? 'set at deploy time' : n === 'generated' ? 'not set (generated)' : 'not set (generated, or set at deploy time)';
}

/**
 * The change of the pipeline's name: a risk, as CloudFormation replaces an AWS::CodePipeline::Pipeline
 * whose name changes. Two names set at deploy time are not compared (the plan cannot tell them
 * apart: a construct id or stack that changes says so on its own line), nor one of a plan that does
 * not record which of generated or set at deploy time its name is with either of those.
 */
function pipelineNameChange(changes: Changes, before: PlanDocument, after: PlanDocument): void {
  const b = pipelineNaming(before);
  const a = pipelineNaming(after);
  if (typeof b === 'object' && typeof a === 'object' ? b.literal === a.literal : b === a) return;
  if ((b === 'unrecorded' && typeof a !== 'object') || (a === 'unrecorded' && typeof b !== 'object')) return;
  const named = (n: PipelineNaming) => typeof n === 'object' || n === 'deploy-time';
  const literal = typeof b === 'object' ? b.literal : typeof a === 'object' ? a.literal : undefined;
  const unless = literal !== undefined && (b === 'deploy-time' || a === 'deploy-time')
    ? `; CloudFormation replaces the pipeline unless the name set at deploy time is ${literal}` : '';
  changes.add({
    path: 'pipelineName',
    kind: !named(b) ? 'added' : !named(a) ? 'removed' : 'changed',
    before: before.pipelineName,
    after: after.pipelineName,
    description: `pipeline name: ${arrow(namingWords(b), namingWords(a))}${unless}`,
  }, 'pipeline-replaced');
}

/** The changes from one version of a pipeline's plan to another, in pipeline order. */
export function diffPipeline(before: PlanDocument, after: PlanDocument): PlanChange[] {
  const changes = new Changes();
  // the name of an AWS::CodePipeline::Pipeline cannot change in place: CloudFormation replaces it
  pipelineNameChange(changes, before, after);
  changes.field('releaseMode', before.releaseMode, after.releaseMode, `release mode: ${modeWords(before.releaseMode)} → ${modeWords(after.releaseMode)}`,
    undefined, after.releaseMode === RELEASE_MODE_HUMAN_CONTROL_LOST && before.releaseMode !== after.releaseMode && 'release-mode-less-human-control');
  changes.field('releaseModeDefaulted', before.releaseModeDefaulted, after.releaseModeDefaulted,
    after.releaseModeDefaulted ? 'release mode: no longer configured (chosen by default)' : 'release mode: now configured (no longer chosen by default)');
  changes.field('executionMode', before.executionMode, after.executionMode, `execution mode: ${arrow(before.executionMode, after.executionMode)}`);
  // a stack deployed to another account or region is a new stack there: the old one, and its pipeline, stay
  for (const key of ['account', 'region'] as const) {
    const [bv, av] = [before[key], after[key]];
    const moved = bv !== undefined && av !== undefined && bv !== av;
    changes.field(key, bv, av, `pipeline ${key}: ${arrow(bv, av)}${moved ? '; CloudFormation creates a new pipeline there, without the old one\'s '
      + `history, and the old pipeline stays in ${bv}, releasing as before, until you delete its stack` : ''}`, undefined, moved && 'pipeline-replaced');
  }

  actionFieldChanges(changes, 'source', 'source', fieldsOf(before.source), fieldsOf(after.source));
  actionListChanges(changes, { path: 'additionalSources', label: 'additional source' }, before.additionalSources as unknown as PlanAction[],
    after.additionalSources as unknown as PlanAction[]);
  actionFieldChanges(changes, 'buildStep', 'build', fieldsOf(before.buildStep), fieldsOf(after.buildStep));

  const stagesBefore = stageFacts(before);
  const stagesAfter = stageFacts(after);
  changes.field('stages.UpdatePipeline', stagesBefore.selfUpdate, stagesAfter.selfUpdate, stagesAfter.selfUpdate
    ? 'the pipeline now updates itself (selfUpdate: stage UpdatePipeline after the build)'
    : 'the pipeline no longer updates itself (selfUpdate: stage UpdatePipeline removed)');
  const published = (facts: { publishAssets?: string }) => facts.publishAssets !== undefined;
  changes.field('stages.PublishAssets', published(stagesBefore), published(stagesAfter), published(stagesAfter)
    ? "the CDK stages' assets are now published by a PublishAssets action"
    : "the CDK stages' assets are no longer published by a PublishAssets action");
  if (published(stagesBefore) && published(stagesAfter)) {
    changes.field('stages.PublishAssets.stage', stagesBefore.publishAssets, stagesAfter.publishAssets,
      `the PublishAssets action moves from stage ${stagesBefore.publishAssets} to ${stagesAfter.publishAssets}`
      + (stagesAfter.publishAssets === SELF_UPDATE_STAGE ? ', after the pipeline updates itself' : ''));
  }

  actionListChanges(changes, { path: 'checks', label: 'check', removedRisk: 'check-removed' }, before.checks, after.checks);
  notificationChanges(changes, before.notifications, after.notifications);
  const b = fieldsOf(before);
  const a = fieldsOf(after);
  for (const key of keysOf(b, a, PIPELINE_FIELDS)) changes.field(key, b[key], a[key], `${key}: ${arrow(b[key], a[key])}`);

  environmentsChanges(changes, before.environments, after.environments);
  return changes.list;
}

/** Plans keyed by construct path (a path met again, which one app cannot hold, becomes `path#2`). */
function byPath(plans: readonly PlanDocument[]): Map<string, PlanDocument> {
  return keyed(plans, (p) => p.constructPath);
}

/** The stack a plan was read from: a key unique in its side's cloud assembly, and a name to show. */
export type StackOf = (plan: PlanDocument) => { readonly key: string; readonly name: string; readonly stackName?: string } | undefined;

/**
 * The change of the pipeline's stack name, when both sides know it (the plan's `stackName`, else,
 * for a plan written before it, the stack artifact it was read from; a plan file written before it
 * does not record it): a stack of another name is a new stack, and the old one stays.
 */
function stackNameChange(old: PlanDocument, plan: PlanDocument, stackOf?: StackOf): PlanChange | undefined {
  const before = old.stackName ?? stackOf?.(old)?.stackName;
  const after = plan.stackName ?? stackOf?.(plan)?.stackName;
  if (before === undefined || after === undefined || before === after) return undefined;
  // a literal name the old pipeline keeps: CloudFormation cannot create the new one with it
  const nameTaken = plan.pipelineName !== undefined && plan.pipelineName === old.pipelineName;
  return {
    path: 'stackName',
    kind: 'changed',
    before,
    after,
    description: `pipeline stack: ${arrow(before, after)}; CloudFormation creates a new stack, and the old one stays, its pipeline releasing as before, `
      + `until you delete it; ${nameTaken
        ? `the new pipeline cannot be created while the old one holds the name ${plan.pipelineName}, and the deployment fails`
        : "the new stack's pipeline starts without the old one's history"}. Give the stack its old name (stackName: '${before}') to keep the pipeline`,
    risk: true,
    riskRule: 'pipeline-replaced',
  };
}

/**
 * Pairs the pipelines only in before with those only in after that are clearly the same pipeline,
 * renamed or moved (a new construct path): first those with the same literal pipeline name, when
 * one removed and one added have it; then, in a stack (the same artifact on both sides), the one
 * removed with the one added when they are the only ones of that stack left unpaired. Anything
 * else (two removed and two added in one stack under other names) stays removed and added.
 */
function pairRenames(removed: Map<string, PlanDocument>, added: Map<string, PlanDocument>, stackOf?: StackOf): Map<string, RenamedFrom> {
  const pairs = new Map<string, RenamedFrom>(); // after's path → before's
  const paired = new Set<string>(); // before's paths taken
  const pass = (keyOf: (p: PlanDocument) => string | undefined, renamed: (old: PlanDocument, key: string) => Omit<RenamedFrom, 'constructPath'>) => {
    const groups = new Map<string, { removed: string[]; added: string[] }>();
    const group = (key: string) => groups.get(key) ?? groups.set(key, { removed: [], added: [] }).get(key)!;
    for (const [path, plan] of removed) {
      const key = paired.has(path) ? undefined : keyOf(plan);
      if (key !== undefined) group(key).removed.push(path);
    }
    for (const [path, plan] of added) {
      const key = pairs.has(path) ? undefined : keyOf(plan);
      if (key !== undefined) group(key).added.push(path);
    }
    for (const [key, g] of groups) {
      if (g.removed.length !== 1 || g.added.length !== 1) continue;
      paired.add(g.removed[0]);
      pairs.set(g.added[0], { constructPath: g.removed[0], ...renamed(removed.get(g.removed[0])!, key) });
    }
  };
  pass((p) => p.pipelineName, () => ({ pairedBy: 'pipelineName' }));
  if (stackOf) pass((p) => stackOf(p)?.key, (old) => ({ pairedBy: 'stack', stack: stackOf(old)!.name }));
  return pairs;
}

/**
 * Whether a new construct path gives the pipeline a new logical id, so that CloudFormation creates
 * a new pipeline and deletes the old one: its own construct id changed (the last part of the path),
 * or it moved to another depth (into or out of a construct, or to a stack at another depth). The
 * same depth and id with other parents may be a stack's construct id renamed alone, which keeps the
 * logical id: not reported.
 */
function logicalIdChanges(before: string, after: string): boolean {
  const b = before.split('/');
  const a = after.split('/');
  return b.length !== a.length || b[b.length - 1] !== a[a.length - 1];
}

/** The change that says a pipeline is compared as a rename of another; a risk when CloudFormation replaces it. */
function renameChange(renamed: RenamedFrom, plan: PlanDocument, old: PlanDocument): PlanChange {
  const why = renamed.pairedBy === 'pipelineName'
    ? `same pipeline name ${show(plan.pipelineName)}`
    : `the only pipeline removed from and added to stack ${show(renamed.stack)}`;
  const replaced = logicalIdChanges(renamed.constructPath, plan.constructPath);
  // a new logical id with the same literal name: the new pipeline cannot be created while the old one holds it
  const nameTaken = replaced && plan.pipelineName !== undefined && plan.pipelineName === old.pipelineName;
  const consequence = !replaced ? '' : nameTaken
    ? `; its construct id changes, and with it its logical id: CloudFormation would create a new pipeline named ${plan.pipelineName} while the old `
      + 'one still holds that name, and the deployment fails. Keep the construct id (or the logical id, with overrideLogicalId)'
    : '; its construct id changes, and with it its logical id: CloudFormation creates a new pipeline and deletes the old one. Keep the construct id '
      + '(or the logical id, with overrideLogicalId) to keep the pipeline';
  const change: PlanChange = {
    path: 'constructPath',
    kind: 'changed',
    before: renamed.constructPath,
    after: plan.constructPath,
    description: `treated as a rename: ${arrow(renamed.constructPath, plan.constructPath)} (${why})${consequence}`,
    risk: replaced,
  };
  return replaced ? { ...change, riskRule: 'pipeline-replaced' } : change;
}

/**
 * Matches the pipelines of both sides by construct path, then pairs those left that are clearly
 * one pipeline renamed or moved (see pairRenames; `stackOf` gives each plan's stack, when known),
 * and lists what changed in each, with the same rules for a renamed pipeline as for one in place.
 */
export function diffPlans(before: readonly PlanDocument[], after: readonly PlanDocument[], stackOf?: StackOf): PlanDiff {
  const b = byPath(before);
  const a = byPath(after);
  const removed = new Map([...b].filter(([path]) => !a.has(path)));
  const added = new Map([...a].filter(([path]) => !b.has(path)));
  const renames = pairRenames(removed, added, stackOf);
  const renamedPaths = new Set([...renames.values()].map((r) => r.constructPath));
  const pipelines: PipelineDiff[] = [];
  const entry = (
    constructPath: string, plan: PlanDocument, status: PipelineStatus, changes: PlanChange[], renamedFrom?: RenamedFrom,
  ): PipelineDiff => ({
    constructPath,
    ...(plan.pipelineName !== undefined ? { pipelineName: plan.pipelineName } : {}),
    status,
    ...(renamedFrom ? { renamedFrom } : {}),
    changes,
  });
  for (const [path, plan] of a) {
    const renamed = renames.get(path);
    const old = renamed ? b.get(renamed.constructPath) : b.get(path);
    if (!old) {
      pipelines.push(entry(path, plan, 'added', []));
    } else {
      const stackChange = stackNameChange(old, plan, stackOf);
      const changes = [...(renamed ? [renameChange(renamed, plan, old)] : []), ...(stackChange ? [stackChange] : []), ...diffPipeline(old, plan)];
      pipelines.push(entry(path, plan, changes.length ? 'changed' : 'unchanged', changes, renamed));
    }
  }
  for (const [path, plan] of removed) {
    if (!renamedPaths.has(path)) pipelines.push(entry(path, plan, 'removed', []));
  }
  const all = pipelines.flatMap((p) => p.changes);
  return { pipelines, changes: all.length, risky: all.filter((c) => c.risk).length };
}
