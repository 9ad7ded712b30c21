/**
 * One measured synth in a fresh process: `node -r ts-node/register/transpile-only bench/worker.ts '<config json>'`.
 * Every app's modules are imported before the clock starts, so module loading is the same for all
 * apps and not part of the measure. Prints one JSON line.
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
  readonly maxRssMb: number;
  readonly structure?: Structure;
}

function main(): void {
  const config: BenchConfig = JSON.parse(process.argv[2]);
  const startup = process.cpuUsage();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  let result: WorkerResult;
  try {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const assembly = buildApp(config, outdir).synth();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const structure = config.app === 'baseline' ? undefined : measure(assembly);
    result = {
      config,
      ok: true,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      startupCpuMs: (startup.user + startup.system) / 1000,
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

main();
