/**
 * `npm run bench`: this library side by side with CDK Pipelines and a hand-wired aws-codepipeline
 * app, for N = 1, 3, 10, 30, 48 environments. Every measured synth runs in a fresh `node`
 * process (bench/worker.ts), the apps interleaved: cold (aws-cdk-lib loads its modules lazily,
 * inside the measure, as in `cdk synth`) and, for the `single` variant, again with those modules
 * preloaded (bench/discover-modules.ts). Two reference apps are timed with them: the application
 * alone, and the floor (the application plus this library's finished pipeline template as raw L1
 * resources). Writes bench/results.json and bench/results.md.
 *
 *   npm run bench                 # full run (about 8 minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench   # N = 1 and 10, one repetition, no quota search
 *   BENCH_REPS=5 BENCH_REPS_48=1  # repetitions (default 3), and for N = 48
 *   BENCH_REPS_TARGET=7           # repetitions of the `single` variant at N = 10, where the targets are judged (default 7)
 *   BENCH_OUT_DIR=bench/.work     # where results.md / results.json go (default bench/)
 *   BENCH_NO_QUOTA_SEARCH=1       # skip the search for the first N crossing each quota
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { APP_KINDS, AppKind, BenchConfig, Variant, VARIANTS } from './apps';
import { QUOTA_NAMES, QUOTAS, QuotaName, Structure } from './measure';
import type { WorkerResult } from './worker';

const QUICK = process.env.BENCH_QUICK === '1';
const NS = QUICK ? [1, 10] : [1, 3, 10, 30, 48];
const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 1 : 3));
const REPS_48 = Number(process.env.BENCH_REPS_48 ?? REPS);
/**
 * Repetitions of the `single` variant at N = 10, where the timing targets are judged: the machine's
 * noise (±30 % between runs of one app) is as large as the differences between the apps there, so
 * the median is taken over more runs.
 */
const REPS_TARGET = Math.max(REPS, Number(process.env.BENCH_REPS_TARGET ?? (QUICK ? 1 : 7)));
/** N at which the variants are timed with every repetition (other N: one run, for structure). */
const VARIANT_TIMED_N = 10;
const ROOT = path.join(__dirname, '..');
const NAMES: Record<AppKind, string> = { ours: 'cdk-delivery-pipeline', cdkpipelines: 'CDK Pipelines', handwired: 'hand-wired L2', baseline: 'application only', floor: 'floor' };
/** The reference apps timed in the `single` variant beside the three pipelines (bench/apps.ts). */
const REFERENCE_KINDS: AppKind[] = ['baseline', 'floor'];

interface Cell {
  readonly config: BenchConfig;
  readonly runs: WorkerResult[];
  readonly cpuMs?: number;
  /** Modules aws-cdk-lib loaded inside the measure (median). */
  readonly lazyModules?: number;
  readonly wallMs?: number;
  readonly maxRssMb?: number;
  readonly structure?: Structure;
  /** Synth error of the real configuration (aws-cdk-lib's or the library's). */
  readonly error?: string;
}

/** The modules aws-cdk-lib loads lazily for the bench's apps, listed once for the preloaded runs. */
const MODULES_FILE = path.join(__dirname, '.work', 'modules.json');

/** This library's pipeline-stack template at N, the `floor` app's input (written before the timed runs). */
const floorTemplate = (n: number) => path.join(__dirname, '.work', `floor-template-${n}.json`);

let workerRuns = 0;
function runWorker(config: BenchConfig, env: Record<string, string> = {}): WorkerResult {
  workerRuns++;
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'worker.ts'), JSON.stringify(config)], {
    cwd: ROOT,
    encoding: 'utf-8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'), BENCH_MODULES: MODULES_FILE, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`worker failed for ${JSON.stringify(config)} (exit ${r.status}): ${r.stderr}`);
  }
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function key(c: BenchConfig): string {
  return `${c.app}/${c.variant}/${c.n}${c.totalTargets ? `/${c.totalTargets}t` : ''}${c.smokeTests ? '/smoke' : ''}${c.resourceLimitOff ? '/nolimit' : ''}${c.preloaded ? '/preloaded' : ''}`;
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// 1. Timed and structure runs, apps interleaved.
// ---------------------------------------------------------------------------------------------

const runs = new Map<string, WorkerResult[]>();

function schedule(): BenchConfig[][] {
  const rounds: BenchConfig[][] = [];
  for (let rep = 0; rep < REPS_TARGET; rep++) {
    const round: BenchConfig[] = [];
    const apps = APP_KINDS.map((_, i) => APP_KINDS[(i + rep) % APP_KINDS.length]);
    for (const n of NS) {
      if (n === 48 && rep >= REPS_48) continue;
      if (rep >= REPS && n !== VARIANT_TIMED_N) continue;
      for (const variant of VARIANTS) {
        if (QUICK && variant !== 'single' && n !== VARIANT_TIMED_N) continue;
        if (variant !== 'single' && (rep >= REPS || (rep > 0 && n !== VARIANT_TIMED_N))) continue;
        for (const app of variant === 'single' ? [...apps, ...REFERENCE_KINDS] : apps) {
          const extra = app === 'floor' ? { floorTemplate: floorTemplate(n) } : {};
          round.push({ app, n, variant, ...extra });
          if (variant === 'single') round.push({ app, n, variant, preloaded: true, ...extra });
        }
      }
    }
    rounds.push(round);
  }
  return rounds;
}

const started = Date.now();
const loadAtStart = os.loadavg()[0];
fs.mkdirSync(path.dirname(MODULES_FILE), { recursive: true });
const discovery = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'discover-modules.ts'), MODULES_FILE], {
  cwd: ROOT, encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
});
if (discovery.status !== 0) throw new Error(`discover-modules.ts failed (exit ${discovery.status}): ${discovery.stderr}`);
log(`module list for the preloaded runs: ${discovery.stdout.trim()}`);
for (const n of NS) {
  const r = runWorker({ app: 'ours', n, variant: 'single' }, { BENCH_TEMPLATE_OUT: floorTemplate(n) });
  if (!r.ok) throw new Error(`the floor app's template (ours, N = ${n}) did not synthesize: ${r.error}`);
}
const rounds = schedule();
const total = rounds.reduce((s, r) => s + r.length, 0);
log(`${total} synths in fresh processes (${REPS} repetitions, N = ${NS.join(', ')}${REPS_48 < REPS ? `, N = 48: ${REPS_48}` : ''}; ${REPS_TARGET} at N = ${VARIANT_TIMED_N}, single)`);
for (const [i, round] of rounds.entries()) {
  for (const config of round) {
    const r = runWorker(config);
    const k = key(config);
    runs.set(k, [...(runs.get(k) ?? []), r]);
  }
  log(`repetition ${i + 1}/${rounds.length} done (${Math.round((Date.now() - started) / 1000)} s)`);
}

/** Structure of a configuration even past the 500-resources check (re-synthesized without it). */
const structureCache = new Map<string, WorkerResult>();
function structureOf(config: BenchConfig): WorkerResult {
  const k = key(config);
  const known = runs.get(k)?.[0] ?? structureCache.get(k);
  if (known?.ok) return known;
  const tooMany = !known || /Number of resources/.test(known.error ?? '');
  if (!tooMany) return known!;
  const off = { ...config, resourceLimitOff: true };
  const ko = key(off);
  if (!structureCache.has(ko)) structureCache.set(ko, runWorker(off));
  return structureCache.get(ko)!;
}

function cell(config: BenchConfig): Cell {
  const rs = runs.get(key(config)) ?? [];
  const ok = rs.filter(r => r.ok);
  const error = rs.find(r => !r.ok)?.error;
  const s = REFERENCE_KINDS.includes(config.app) || config.preloaded ? rs[0] : structureOf(config);
  return {
    config,
    runs: rs,
    cpuMs: median(ok.map(r => r.cpuMs!)),
    lazyModules: median(ok.map(r => r.lazyModules!)),
    wallMs: median(ok.map(r => r.wallMs!)),
    maxRssMb: median(ok.map(r => r.maxRssMb)),
    structure: s.ok ? s.structure : undefined,
    error,
  };
}

const cells: Cell[] = [];
for (const variant of VARIANTS) {
  for (const n of NS) {
    for (const app of [...APP_KINDS, ...REFERENCE_KINDS]) {
      for (const preloaded of [false, true]) {
        const extra = app === 'floor' ? { floorTemplate: floorTemplate(n) } : {};
        const config: BenchConfig = preloaded ? { app, n, variant, preloaded, ...extra } : { app, n, variant, ...extra };
        if (runs.has(key(config))) cells.push(cell(config));
      }
    }
  }
}
const find = (app: AppKind, variant: Variant, n: number, preloaded = false) =>
  cells.find(c => c.config.app === app && c.config.variant === variant && c.config.n === n && !!c.config.preloaded === preloaded);

// ---------------------------------------------------------------------------------------------
// 2. Scale (48 environments, 200 targets) and past the quotas: what each app does.
// ---------------------------------------------------------------------------------------------

log('scale and over-quota configurations');
const probes: Array<{ label: string; config: BenchConfig }> = [
  { label: '48 environments, 200 targets', config: { app: 'ours', n: 48, variant: 'single', totalTargets: 200 } },
  { label: '49 environments', config: { app: 'ours', n: 49, variant: 'single' } },
  { label: '1 environment, 26 targets (52 actions in one stage)', config: { app: 'ours', n: 1, variant: 'single', totalTargets: 26 } },
  { label: '48 environments, 5 targets each (529 actions in the pipeline)', config: { app: 'ours', n: 48, variant: 'waves' } },
  { label: '10 environments with file assets, this library with publishAssetsInBuild', config: { app: 'ours', n: 10, variant: 'assets', publishAssetsInBuild: true } },
  { label: '48 environments, a CodeBuild smoke test after each deployment', config: { app: 'ours', n: 48, variant: 'single', smokeTests: true } },
];
const edgeCases = probes.flatMap(p => APP_KINDS.map(app => {
  const config = { ...p.config, app };
  const r = runWorker(config);
  const s = r.ok ? r : structureOf(config);
  return { label: p.label, config, ok: r.ok, error: r.error, errorName: r.errorName, cpuMs: r.cpuMs, structure: s.ok ? s.structure : undefined };
}));

// ---------------------------------------------------------------------------------------------
// 3. The first N at which each quota is crossed (bisection between measured N; linear
//    extrapolation past 48, where this library refuses to synthesize).
// ---------------------------------------------------------------------------------------------

interface Crossing { readonly app: AppKind; readonly variant: Variant; readonly quota: QuotaName; readonly firstN?: number; readonly how: string }
const crossings: Crossing[] = [];
if (!QUICK && process.env.BENCH_NO_QUOTA_SEARCH !== '1') {
  log('quota search');
  for (const variant of VARIANTS) {
    for (const app of APP_KINDS) {
      const value = (n: number, q: QuotaName): number | undefined => {
        const r = structureOf({ app, n, variant });
        return r.ok ? (r.structure as any)[q] : undefined;
      };
      for (const quota of QUOTA_NAMES) {
        const limit = QUOTAS[quota].limit;
        const measured = NS.map(n => ({ n, v: value(n, quota) }));
        const firstOver = measured.find(m => m.v !== undefined && m.v > limit);
        if (firstOver) {
          let lo = [...measured].reverse().find(m => m.n < firstOver.n)?.n ?? 0;
          let hi = firstOver.n;
          while (hi - lo > 1) {
            const mid = Math.floor((lo + hi) / 2);
            const v = value(mid, quota);
            if (v !== undefined && v > limit) hi = mid; else lo = mid;
          }
          crossings.push({ app, variant, quota, firstN: hi, how: 'measured' });
          continue;
        }
        const pts = measured.filter(m => m.v !== undefined) as Array<{ n: number; v: number }>;
        if (pts.length < 2) { crossings.push({ app, variant, quota, how: 'not measurable' }); continue; }
        const [a, b] = pts.slice(-2);
        const slope = (b.v - a.v) / (b.n - a.n);
        if (slope <= 0) { crossings.push({ app, variant, quota, how: 'never (constant in N)' }); continue; }
        const n = Math.floor((limit - b.v) / slope) + b.n + 1;
        crossings.push({ app, variant, quota, firstN: n, how: `extrapolated (${(slope).toFixed(slope < 10 ? 2 : 0)} per environment)` });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 4. The CLI's benchmark (its own script; its result is included as is).
// ---------------------------------------------------------------------------------------------

log('cli-metrics.bench.ts');
const cliRun = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'cli-metrics.bench.ts')], {
  cwd: ROOT, encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
});
const cliFile = path.join(__dirname, 'results-cli.json');
const cli = cliRun.status === 0 && fs.existsSync(cliFile) ? JSON.parse(fs.readFileSync(cliFile, 'utf-8')) : { error: `exit ${cliRun.status}: ${cliRun.stderr.slice(-2000)}` };

// ---------------------------------------------------------------------------------------------
// 5. Results.
// ---------------------------------------------------------------------------------------------

function pkgVersion(name: string): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf-8')).version;
}
const meta = {
  date: new Date().toISOString(),
  machine: {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    platform: `${os.platform()} ${os.release()}`,
  },
  node: process.version,
  /** 1-minute load average at the start and the end (other processes on the machine add noise). */
  loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number(os.loadavg()[0].toFixed(2)) },
  versions: {
    'cdk-delivery-pipeline': `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')).version} (git ${gitHead()})`,
    'aws-cdk-lib': pkgVersion('aws-cdk-lib'),
    'constructs': pkgVersion('constructs'),
  },
  quick: QUICK,
  repetitions: REPS,
  repetitionsAtTargetN: REPS_TARGET,
  repetitionsAtN48: Math.min(REPS_48, REPS),
  workerRuns,
  durationSeconds: Math.round((Date.now() - started) / 1000),
  builtInValidation: 'aws-cdk-lib 2.257.0 runs no CloudFormation schema validation of templates at synth. It does check one quota: '
    + 'a stack with more than 500 resources fails synth (context @aws-cdk/core:stackResourceLimit, left at its default), and a '
    + 'template over 800 KB gets a warning. Both were on for every timed run.',
  ourTargets: process.env.BENCH_CDKSTAGE === '0' ? 'one DeploymentTarget.cloudFormation per stack' : 'DeploymentTarget.cdkStage(stage)',
};

function gitHead(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf-8' });
  return r.stdout.trim() || 'unknown';
}

const results = {
  meta,
  quotas: QUOTAS,
  cells: cells.map(c => ({
    ...c,
    runs: c.runs.map(r => ({
      ok: r.ok, cpuMs: r.cpuMs, wallMs: r.wallMs, maxRssMb: r.maxRssMb, startupCpuMs: r.startupCpuMs, lazyModules: r.lazyModules, error: r.error,
    })),
  })),
  edgeCases,
  quotaCrossings: crossings,
  cli,
};
const outDir = process.env.BENCH_OUT_DIR ? path.resolve(process.env.BENCH_OUT_DIR) : __dirname;
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'results.md'), renderMarkdown());
log(`done in ${meta.durationSeconds} s: ${path.relative(ROOT, outDir) || '.'}/results.md, results.json`);

function renderMarkdown(): string {
  const out: string[] = [];
  const fmt = (x: number | undefined, d = 0) => (x === undefined ? '—' : x.toFixed(d));
  const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
  const label = (c?: Cell) => (c?.error ? 'synth error' : undefined);
  out.push('# Benchmark results', '');
  out.push(`Generated by \`npm run bench\` (bench/run.ts) on ${meta.date.slice(0, 10)}. Machine: ${meta.machine.nproc} CPUs (${meta.machine.cpu}), ${meta.machine.memory} RAM, ${meta.machine.platform}; Node ${meta.node}; 1-minute load average ${meta.loadAverage.start} at the start, ${meta.loadAverage.end} at the end.`);
  out.push(`Versions: ${Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  out.push(`Three equivalent apps per N: **${NAMES.ours}** (\`DeliveryPipeline\`), **${NAMES.cdkpipelines}** (\`pipelines.CodePipeline\`) and **${NAMES.handwired}** (\`codepipeline.Pipeline\` V2 with aws-codepipeline-actions). `
    + 'Each: GitHub connection source, one CodeBuild build (tests + `cdk synth`), a manual approval before every environment after the first, '
    + 'and per environment one CDK Stage with one small stack (an SQS queue) deployed with a CloudFormation change set (create, then execute). '
    + 'Variants: `single` (one account), `multi` (one account per environment), `waves` (5 stacks deployed in parallel per environment), `assets` (each stack has a file asset).', '');
  out.push('Each synth ran in a fresh `node` process (construction + `app.synth()`, measured with `process.cpuUsage()` and `hrtime`), apps interleaved, '
    + `rotating their order each repetition. Medians of ${REPS} runs${meta.repetitionsAtN48 < REPS ? ` (${meta.repetitionsAtN48} at N = 48)` : ''} for the \`single\` variant${REPS_TARGET > REPS ? `, ${REPS_TARGET} at N = ${VARIANT_TIMED_N} (where the targets are judged)` : ''}; the other variants ${QUICK ? 'run once at N = 10' : `once per N, ${REPS} times at N = ${VARIANT_TIMED_N}`}. `
    + `${meta.workerRuns} synths in ${meta.durationSeconds} s. `
    + 'The modules the bench imports (aws-cdk-lib\'s entry points, CDK Pipelines, this library) are loaded before the clock starts; '
    + 'aws-cdk-lib loads the code of its constructs lazily, on first use, so that loading is inside the measure, as it is in `cdk synth` ("cold"). '
    + 'The `single` variant is measured a second time with those modules required before the clock ("preloaded": construction and synthesis only).', '');
  out.push(`Built-in validation: ${meta.builtInValidation}`, '');
  out.push(`This library deploys each environment's stage with \`${meta.ourTargets}\`; CDK Pipelines with \`pipeline.addStage(stage)\`; the hand-wired app with a change-set pair per stack and no action role given (aws-codepipeline creates one per action in the pipeline's account).`, '');

  const single = (app: AppKind, n: number) => find(app, 'single', n);
  out.push('## Synth CPU time (ms, median), `single` variant', '');
  out.push(`| N | ${APP_KINDS.map(a => NAMES[a]).join(' | ')} | ours / hand-wired | ours / CDK Pipelines |`, '|---|---|---|---|---|---|');
  for (const n of NS) {
    const [o, p, h] = APP_KINDS.map(a => single(a, n));
    out.push(`| ${n} | ${[o, p, h].map(c => label(c) ?? fmt(c?.cpuMs)).join(' | ')} | ${ratio(o?.cpuMs, h?.cpuMs)} | ${ratio(o?.cpuMs, p?.cpuMs)} |`);
  }
  out.push('', 'Modules aws-cdk-lib loaded inside the measure (median): '
    + NS.map(n => `N = ${n}: ${[...APP_KINDS, ...REFERENCE_KINDS].map(a => `${NAMES[a]} ${fmt(single(a, n)?.lazyModules)}`).join(', ')}`).join('; ') + '.');
  out.push('', '## Pipeline\'s own synth CPU (ms, median): app minus the application alone, `single` variant', '');
  out.push('Every app holds the same N CDK stages; "application only" synthesizes just those (an empty pipeline stack). Subtracting it isolates what each pipeline costs.', '');
  out.push(`| N | application only | ${APP_KINDS.map(a => NAMES[a]).join(' | ')} | ours / hand-wired | ours / CDK Pipelines |`, '|---|---|---|---|---|---|---|');
  for (const n of NS) {
    const b = find('baseline', 'single', n)?.cpuMs;
    const [o, p, h] = APP_KINDS.map(a => { const c = single(a, n)?.cpuMs; return c !== undefined && b !== undefined ? c - b : undefined; });
    out.push(`| ${n} | ${fmt(b)} | ${[o, p, h].map(x => fmt(x)).join(' | ')} | ${ratio(o, h)} | ${ratio(o, p)} |`);
  }
  out.push('', '## Synth CPU time with aws-cdk-lib\'s modules preloaded (ms, median), `single` variant', '');
  out.push('Construction and synthesis without module loading. "own": the app minus the application alone, preloaded too.', '');
  out.push(`| N | application only | ${APP_KINDS.map(a => NAMES[a]).join(' | ')} | ours / hand-wired | ours / CDK Pipelines | own: ours / CDK Pipelines | application only / CDK Pipelines |`, '|---|---|---|---|---|---|---|---|---|');
  for (const n of NS) {
    const b = find('baseline', 'single', n, true)?.cpuMs;
    const [o, p, h] = APP_KINDS.map(a => find(a, 'single', n, true)?.cpuMs);
    const own = (x?: number) => (x !== undefined && b !== undefined ? x - b : undefined);
    out.push(`| ${n} | ${fmt(b)} | ${[o, p, h].map(x => fmt(x)).join(' | ')} | ${ratio(o, h)} | ${ratio(o, p)} | ${ratio(own(o), own(p))} | ${ratio(b, p)} |`);
  }
  out.push('', '## The floor: the same templates with no construct logic (synth CPU, ms, median), `single` variant', '');
  out.push('"floor": the application plus this library\'s pipeline-stack template at the same N, copied in as raw `CfnResource`s '
    + 'with the same logical ids (`floor` in bench/apps.ts). It writes the same cloud assembly without any of the work of building a pipeline: '
    + 'the least that any pipeline written with aws-cdk-lib can cost in this app.', '');
  out.push('| N | application only | floor | CDK Pipelines | floor / CDK Pipelines | preloaded: floor | preloaded: CDK Pipelines | preloaded: floor / CDK Pipelines | floor template = this library\'s |',
    '|---|---|---|---|---|---|---|---|---|');
  for (const n of NS) {
    const [b, f, p] = (['baseline', 'floor', 'cdkpipelines'] as AppKind[]).map(a => find(a, 'single', n)?.cpuMs);
    const [fp, pp] = (['floor', 'cdkpipelines'] as AppKind[]).map(a => find(a, 'single', n, true)?.cpuMs);
    const [fs1, os1] = (['floor', 'ours'] as AppKind[]).map(a => find(a, 'single', n)?.structure);
    const same = fs1 && os1 ? (fs1.templateBytes === os1.templateBytes && fs1.resources === os1.resources ? 'yes' : `no (${fs1.templateBytes} vs ${os1.templateBytes} bytes)`) : '—';
    out.push(`| ${n} | ${fmt(b)} | ${fmt(f)} | ${fmt(p)} | ${ratio(f, p)} | ${fmt(fp)} | ${fmt(pp)} | ${ratio(fp, pp)} | ${same} |`);
  }
  out.push('', '## Synth wall time (ms, median) and peak memory (max RSS, MB), `single` variant', '');
  out.push(`| N | ${APP_KINDS.map(a => `${NAMES[a]} wall`).join(' | ')} | ${APP_KINDS.map(a => `${NAMES[a]} RSS`).join(' | ')} |`, '|---|---|---|---|---|---|---|');
  for (const n of NS) {
    const cs = APP_KINDS.map(a => single(a, n));
    out.push(`| ${n} | ${cs.map(c => label(c) ?? fmt(c?.wallMs)).join(' | ')} | ${cs.map(c => label(c) ?? fmt(c?.maxRssMb)).join(' | ')} |`);
  }
  out.push('', `## Synth CPU time (ms, median) by variant at N = ${VARIANT_TIMED_N}`, '');
  out.push(`| variant | ${APP_KINDS.map(a => NAMES[a]).join(' | ')} | ours / hand-wired | ours / CDK Pipelines |`, '|---|---|---|---|---|---|');
  for (const v of VARIANTS) {
    const [o, p, h] = APP_KINDS.map(a => find(a, v, VARIANT_TIMED_N));
    out.push(`| ${v} | ${[o, p, h].map(c => label(c) ?? fmt(c?.cpuMs)).join(' | ')} | ${ratio(o?.cpuMs, h?.cpuMs)} | ${ratio(o?.cpuMs, p?.cpuMs)} |`);
  }

  const structTable = (title: string, get: (s: Structure) => string | number, note = '') => {
    out.push('', `## ${title}`, '');
    if (note) out.push(note, '');
    out.push(`| variant | N | ${APP_KINDS.map(a => NAMES[a]).join(' | ')} |`, '|---|---|---|---|---|');
    for (const v of VARIANTS) {
      for (const n of NS) {
        const cs = APP_KINDS.map(a => find(a, v, n));
        if (cs.every(c => !c)) continue;
        out.push(`| ${v} | ${n} | ${cs.map(c => (c?.structure ? `${get(c.structure)}${c.error ? ' (synth error)' : ''}` : c?.error ? 'synth error' : '—')).join(' | ')} |`);
      }
    }
  };
  structTable('Pipeline-stack resources', s => s.resources,
    '"(synth error)": aws-cdk-lib refuses to synthesize the stack (more than 500 resources); the count is from a synth with that check turned off.');
  out.push('', `Resources by type at N = ${VARIANT_TIMED_N}, \`single\`:`, '');
  for (const a of APP_KINDS) {
    const s = single(a, VARIANT_TIMED_N)?.structure;
    if (s) out.push(`- ${NAMES[a]}: ${Object.entries(s.resourcesByType).map(([t, c]) => `${t} ${c}`).join(', ')}`);
  }
  structTable('CodeBuild projects', s => s.codeBuildProjects);
  structTable('IAM roles', s => s.iamRoles);
  structTable('Template size (bytes, as written to cdk.out)', s => s.templateBytes);
  structTable('Largest IAM policy (characters, minified template form) / largest inline-policy total of one role', s => `${s.largestPolicyChars} / ${s.roleInlinePolicyChars}`,
    'Measured on the template before deployment (references unresolved); IAM counts the resolved policy without whitespace, within a few percent of this.');
  structTable('Pipeline stages / actions / max actions per stage', s => `${s.stages} / ${s.actions} / ${s.actionsPerStage}`);
  structTable('CodeBuild provisionings on the critical path: to the first deployment / to the last environment', s => `${s.codeBuildToFirstDeploy} / ${s.codeBuildToLastEnv}`,
    'A run-order layer with at least one CodeBuild action costs one provisioning (30–90 s in a real pipeline); parallel actions in one layer count once.');
  structTable('Self-mutation stage / asset stage', s => `${s.selfMutation ? 'yes' : 'no'} / ${s.assetStage ? 'yes' : 'no'}`);

  out.push('', '## First N at which each AWS quota is crossed', '');
  if (crossings.length === 0) {
    out.push('Not searched in this run (BENCH_QUICK or BENCH_NO_QUOTA_SEARCH).');
  } else {
    out.push('"measured": bisection with real synths; "extrapolated": linear from N = 30 and 48 (this library refuses N > 48 at synth, see below). '
      + `Quotas: ${QUOTA_NAMES.map(q => `${q} ${QUOTAS[q].limit} (${QUOTAS[q].what})`).join('; ')}.`, '');
    out.push(`| variant | quota | ${APP_KINDS.map(a => NAMES[a]).join(' | ')} |`, '|---|---|---|---|---|');
    for (const v of VARIANTS) {
      for (const q of QUOTA_NAMES) {
        const cs = APP_KINDS.map(a => crossings.find(c => c.app === a && c.variant === v && c.quota === q));
        out.push(`| ${v} | ${q} | ${cs.map(c => (!c ? 'pending' : c.firstN ? `${c.firstN} (${c.how})` : c.how)).join(' | ')} |`);
      }
    }
  }
  out.push('', '## Scale and past the quotas', '');
  out.push('| configuration | app | synth | resources | stages / actions / max per stage; provisionings | error |', '|---|---|---|---|---|---|');
  for (const e of edgeCases) {
    const s = e.structure;
    out.push(`| ${e.label} | ${NAMES[e.config.app]} | ${e.ok ? `ok (${fmt(e.cpuMs)} ms CPU)` : 'fails'} | ${s ? s.resources : '—'} | ${s ? `${s.stages} / ${s.actions} / ${s.actionsPerStage}; ${s.codeBuildToFirstDeploy} CodeBuild before the first deployment` : '—'} | ${e.error ? `${e.errorName}: ${e.error.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 400)}` : ''} |`);
  }
  out.push('', '## Targets for this library', '');
  out.push(...targets().map(t => `- ${t.met ? '✅' : '❌'} ${t.text}: ${t.detail}`));
  out.push('', '## `cdk-delivery metrics` (bench/cli-metrics.bench.ts)', '');
  out.push('```json', JSON.stringify(cli, null, 2), '```');
  const findings = path.join(__dirname, 'findings.md');
  if (fs.existsSync(findings)) out.push('', fs.readFileSync(findings, 'utf-8').trim());
  return out.join('\n') + '\n';
}

function targets(): Array<{ text: string; met: boolean; detail: string }> {
  const n = VARIANT_TIMED_N;
  const [o, p, h] = APP_KINDS.map(a => find(a, 'single', n));
  const t: Array<{ text: string; met: boolean; detail: string }> = [];
  const b = find('baseline', 'single', n)?.cpuMs ?? 0;
  const own = (x: number, y: number) => (b ? `; pipeline's own cost ${(x - b).toFixed(0)} vs ${(y - b).toFixed(0)} ms = ${((x - b) / (y - b)).toFixed(2)}×` : '');
  if (o?.cpuMs && p?.cpuMs && h?.cpuMs) {
    t.push({ text: `synth CPU ≤ 1.1× hand-wired at N = ${n}`, met: o.cpuMs <= 1.1 * h.cpuMs, detail: `${(o.cpuMs / h.cpuMs).toFixed(2)}× (${o.cpuMs.toFixed(0)} vs ${h.cpuMs.toFixed(0)} ms${own(o.cpuMs, h.cpuMs)})` });
    const [op, pp, bp] = (['ours', 'cdkpipelines', 'baseline'] as AppKind[]).map(a => find(a, 'single', n, true)?.cpuMs);
    const preloaded = op && pp && bp
      ? `; modules preloaded: ${(op / pp).toFixed(2)}× (${op.toFixed(0)} vs ${pp.toFixed(0)} ms), where the application alone (${bp.toFixed(0)} ms) is already ${(bp / pp).toFixed(2)}× CDK Pipelines' total`
      : '';
    const [f, fp] = [find('floor', 'single', n)?.cpuMs, find('floor', 'single', n, true)?.cpuMs];
    const floor = f && fp && pp
      ? `; the floor (the same templates with no construct logic) is ${(f / p.cpuMs).toFixed(2)}× CDK Pipelines cold (${f.toFixed(0)} ms), ${(fp / pp).toFixed(2)}× preloaded (${fp.toFixed(0)} ms)`
      : '';
    t.push({ text: `synth CPU ≤ 0.5× CDK Pipelines at N = ${n}`, met: o.cpuMs <= 0.5 * p.cpuMs, detail: `${(o.cpuMs / p.cpuMs).toFixed(2)}× (${o.cpuMs.toFixed(0)} vs ${p.cpuMs.toFixed(0)} ms${own(o.cpuMs, p.cpuMs)})${preloaded}${floor}` });
  }
  const over: string[] = [];
  for (const c of cells.filter(x => x.config.app === 'ours' && x.structure)) {
    const hw = find('handwired', c.config.variant, c.config.n)?.structure;
    if (hw && c.structure!.resources > hw.resources + 2) over.push(`${c.config.variant} N=${c.config.n}: ${c.structure!.resources} vs ${hw.resources}`);
  }
  for (const e of edgeCases.filter(x => x.config.app === 'ours' && x.config.smokeTests && x.structure)) {
    const hw = edgeCases.find(x => x.config.app === 'handwired' && x.label === e.label)?.structure;
    if (hw && e.structure!.resources > hw.resources + 2) over.push(`${e.label}: ${e.structure!.resources} vs ${hw.resources}`);
  }
  t.push({
    text: 'pipeline-stack resources ≤ hand-wired + 2 at every N',
    met: over.length === 0,
    detail: over.length ? over.join('; ') : 'met in every measured variant and with a smoke test after each deployment',
  });
  const provisionings = (app: AppKind, assets: boolean) => Math.max(...cells
    .filter(x => x.config.app === app && x.structure && (x.config.variant === 'assets') === assets).map(x => x.structure!.codeBuildToFirstDeploy));
  const inBuild = edgeCases.find(e => e.config.app === 'ours' && e.config.publishAssetsInBuild)?.structure?.codeBuildToFirstDeploy;
  t.push({
    text: '≤ 1 CodeBuild provisioning before the first deployment',
    met: provisionings('ours', false) <= 1 && inBuild !== undefined && inBuild <= 1,
    detail: `${provisionings('ours', false)} without assets (CDK Pipelines: ${provisionings('cdkpipelines', false)}); with file assets ${inBuild ?? '?'} with publishAssetsInBuild, `
      + `${provisionings('ours', true)} with the default separate publishing action (CDK Pipelines: ${provisionings('cdkpipelines', true)})`,
  });
  const scale = edgeCases.find(e => e.config.app === 'ours' && e.config.totalTargets === 200);
  if (scale) {
    const crossed = scale.structure ? QUOTA_NAMES.filter(q => (scale.structure as any)[q] > QUOTAS[q].limit) : [];
    t.push({
      text: '48 environments with 200 targets in one pipeline stack under every quota',
      met: scale.ok && crossed.length === 0,
      detail: scale.ok ? (crossed.length ? `crosses ${crossed.join(', ')}` : `${scale.structure!.resources} resources, ${scale.structure!.actions} actions`) : `synth fails: ${(scale.error ?? '').slice(0, 200)}`,
    });
  }
  const past = edgeCases.filter(e => e.config.app === 'ours' && e.config.totalTargets !== 200 && !e.config.publishAssetsInBuild && !e.config.smokeTests);
  if (past.length) {
    t.push({
      text: 'past a quota, a clear synth error',
      met: past.every(e => !e.ok && e.errorName === 'DeliveryPipelineValidationError'),
      detail: past.map(e => `${e.label}: ${e.ok ? 'synthesizes' : e.errorName}`).join('; '),
    });
  }
  return t;
}
