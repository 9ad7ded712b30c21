import type { PlanDocument } from '../../model/plan-document';
import { CliError, ExitCode, usageError } from '../errors';
import { CliIo, println, useColor } from '../io';
import { PipelineDiff, PlanChange, PlanDiff, RISK_RULES, diffPlans } from '../plan-diff';
import { safeLine } from '../terminal';
import { loadPlanSource, stackOfPlan, whyNoPlan } from './plan';

export const DIFF_FORMATS = ['text', 'json'];

export interface DiffOptions {
  /** A cloud assembly directory, or a file `cdk-delivery plan --format json` wrote. */
  readonly before: string;
  readonly after: string;
  readonly format?: string;
  readonly json?: boolean;
  /** Exit 1 when a change is a risk. */
  readonly failOnRisk?: boolean;
}

/**
 * Reads one side; its errors (and their exit codes) are `plan`'s, prefixed with the side. A side
 * without a pipeline has none (its pipelines are added or removed); both without is an error.
 */
function readSide(side: 'before' | 'after', source: string): PlanDocument[] {
  try {
    return loadPlanSource(source, true);
  } catch (e) {
    if (e instanceof CliError) throw new CliError(`${side}: ${e.message}`, e.exitCode);
    throw e;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function title(p: PipelineDiff): string {
  return p.pipelineName ? `${p.pipelineName} (${p.constructPath})` : p.constructPath;
}

interface Paint {
  readonly risk: (s: string) => string;
  readonly bold: (s: string) => string;
}

/** One change: `! ` before a risk, its rule after it. */
function changeLine(c: PlanChange, indent: string, paint: Paint): string {
  const text = safeLine(c.description);
  if (!c.risk) return `${indent}  ${text}`;
  return paint.risk(`${indent}! ${text} — risk: ${RISK_RULES[c.riskRule!]}`);
}

/**
 * The changes as text: a header per pipeline, its own changes, then a header per environment with
 * its changes, in pipeline order; risks marked `!`. One line when nothing changed.
 */
export function renderDiffText(diff: PlanDiff, color = false): string {
  const paint: Paint = color
    ? { risk: (s) => `\x1b[31m${s}\x1b[39m`, bold: (s) => `\x1b[1m${s}\x1b[22m` }
    : { risk: (s) => s, bold: (s) => s };
  const added = diff.pipelines.filter((p) => p.status === 'added').length;
  const removed = diff.pipelines.filter((p) => p.status === 'removed').length;
  const renamed = diff.pipelines.filter((p) => p.renamedFrom).length;
  if (diff.changes === 0 && added === 0 && removed === 0) {
    return `No change to the delivery process (${plural(diff.pipelines.length, 'pipeline')} compared).`;
  }
  const out: string[] = [];
  for (const p of diff.pipelines) {
    const name = safeLine(title(p));
    if (p.status !== 'changed') {
      out.push(paint.bold(`Pipeline ${name}: ${p.status === 'unchanged' ? 'no change' : p.status}`));
      continue;
    }
    const risky = p.changes.filter((c) => c.risk).length;
    out.push(paint.bold(`Pipeline ${name}: ${plural(p.changes.length, 'change')}${risky ? `, ${risky} risky` : ''}`));
    let group: string | undefined;
    for (const c of p.changes) {
      if (c.environment !== undefined && c.environment !== group) {
        group = c.environment;
        out.push(`  environment ${safeLine(group)}:`);
      }
      out.push(changeLine(c, c.environment !== undefined ? '    ' : '  ', paint));
    }
  }
  out.push('');
  const counts = [
    plural(diff.changes, 'change'),
    renamed ? `${plural(renamed, 'pipeline')} renamed` : '',
    added ? `${plural(added, 'pipeline')} added` : '',
    removed ? `${plural(removed, 'pipeline')} removed` : '',
  ].filter(Boolean).join(', ');
  out.push(`${counts}; ${diff.risky ? `${diff.risky} risky (marked !)` : 'none risky'}.`);
  return out.join('\n');
}

/** `cdk-delivery diff <before> <after> [--format text|json] [--fail-on-risk]` (offline). */
export function diffCommand(io: CliIo, options: DiffOptions): number {
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!DIFF_FORMATS.includes(format)) {
    throw usageError(`--format: unknown format '${format}'; use one of ${DIFF_FORMATS.join(', ')}`);
  }
  const before = readSide('before', options.before);
  const after = readSide('after', options.after);
  // a side without a pipeline has none; when its construct tree holds pipelines made otherwise (CDK Pipelines), say so
  const why = {
    before: before.length === 0 ? whyNoPlan(options.before) : undefined,
    after: after.length === 0 ? whyNoPlan(options.after) : undefined,
  };
  if (before.length === 0 && after.length === 0) {
    const sides = (['before', 'after'] as const).filter((side) => why[side]).map((side) => `; ${side}: ${why[side]}`).join('');
    throw new CliError(`no delivery pipeline in '${options.before}' (before) nor in '${options.after}' (after): `
      + `pass the cloud assemblies (or plan files) of apps with a DeliveryPipeline${sides}`, ExitCode.NOT_FOUND);
  }
  for (const side of ['before', 'after'] as const) {
    if (!why[side]) continue;
    const other = side === 'before' ? 'after' : 'before';
    println(io.stderr, safeLine(`note: ${side} ('${options[side]}') has no delivery pipeline to compare: ${why[side]}; `
      + `every pipeline of ${other} is shown as ${side === 'before' ? 'added' : 'removed'}`));
  }
  const diff = diffPlans(before, after, stackOfPlan);
  if (format === 'json') {
    println(io.stdout, JSON.stringify({ pipelines: diff.pipelines, changes: diff.changes, risky: diff.risky }, null, 2));
  } else {
    println(io.stdout, renderDiffText(diff, useColor(io)));
  }
  if (options.failOnRisk && diff.risky > 0) {
    println(io.stderr, `cdk-delivery: ${plural(diff.risky, 'risky change')} to the delivery process (--fail-on-risk)`);
    return ExitCode.FAILED;
  }
  return ExitCode.OK;
}
