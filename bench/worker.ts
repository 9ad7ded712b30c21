/**
 * One measured synth in a fresh process: `node -r ts-node/register/transpile-only bench/worker.ts '<config json>'`.
 * The modules the bench imports (aws-cdk-lib's entry points, CDK Pipelines, this library) are loaded
 * before the clock starts. aws-cdk-lib loads most of its code lazily, on first use, so the
 * modules an app's constructs need are loaded inside the measure, as in `cdk synth`; with
 * `preloaded` they are required before the clock from the list `BENCH_MODULES` names
 * (bench/discover-modules.ts), leaving construction and synthesis alone. Prints one JSON line.
 * With `BENCH_TEMPLATE_OUT`, also writes the pipeline stack's template there, after the measure
 * (the `floor` app's input).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchConfig, buildApp } from './apps';
import { measure, Structure } from './measure';

export interface WorkerResult {
  readonly config: BenchConfig;
  readonly ok: boolean;
  readonly error?: string;
  readonly errorName?: string;
  /** CPU (user + system) of constructing the app and `app.synth()`, ms. */
  readonly cpuMs?: number;
  readonly wallMs?: number;
  /** CPU of process start and module loading before the measure, ms. */
  readonly startupCpuMs: number;
  /** Modules loaded during the measure (aws-cdk-lib's lazily loaded code). */
  readonly lazyModules?: number;
  readonly maxRssMb: number;
  readonly structure?: Structure;
}

function main(): void {
  const config: BenchConfig = JSON.parse(process.argv[2]);
  if (config.preloaded) preload();
  const startup = process.cpuUsage();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  let result: WorkerResult;
  try {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const modulesBefore = Object.keys(require.cache).length;
    const assembly = buildApp(config, outdir).synth();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const lazyModules = Object.keys(require.cache).length - modulesBefore;
    const structure = config.app === 'baseline' ? undefined : measure(assembly);
    const templateOut = process.env.BENCH_TEMPLATE_OUT;
    if (templateOut) fs.writeFileSync(templateOut, JSON.stringify(assembly.getStackByName('PipelineStack').template));
    result = {
      config,
      ok: true,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      startupCpuMs: (startup.user + startup.system) / 1000,
      lazyModules,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      structure,
    };
  } catch (e) {
    const err = e as Error;
    result = {
      config,
      ok: false,
      error: err.message,
      errorName: err.constructor?.name ?? err.name,
      startupCpuMs: (startup.user + startup.system) / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Requires every module of the list BENCH_MODULES names (written by bench/discover-modules.ts). */
function preload(): void {
  const file = process.env.BENCH_MODULES;
  if (!file || !fs.existsSync(file)) throw new Error('preloaded runs need BENCH_MODULES: the module list bench/discover-modules.ts writes');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the list is only known at run time
  for (const m of JSON.parse(fs.readFileSync(file, 'utf-8')) as string[]) require(m);
}

main();
