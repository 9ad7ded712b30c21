/**
 * CPU profile of one app's construction + synth (the part `npm run bench` measures), for finding
 * where synth time goes:
 *
 *   npx ts-node --project tsconfig.dev.json --transpile-only bench/profile.ts ours 30 [variant]
 *
 * Writes bench/.work/<app>-<variant>-<n>.cpuprofile (open it in Chrome DevTools) and prints the
 * functions with the most self time and the time per source area. Same data as `node --cpu-prof`,
 * limited to the measured part.
 */
import * as fs from 'fs';
import { Session } from 'inspector';
import * as os from 'os';
import * as path from 'path';
import { AppKind, buildApp, Variant } from './apps';

const app = (process.argv[2] ?? 'ours') as AppKind;
const n = Number(process.argv[3] ?? 30);
const variant = (process.argv[4] ?? 'single') as Variant;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }

function area(url: string): string {
  if (url.includes('/node_modules/aws-cdk-lib/')) {
    const m = /node_modules\/aws-cdk-lib\/([^/]+(?:\/lib)?\/[^/]+)/.exec(url);
    return `aws-cdk-lib/${m ? m[1] : '?'}`;
  }
  if (url.includes('/node_modules/')) return url.replace(/.*\/node_modules\//, '').split('/')[0];
  if (url.includes('/src/')) return `src/${url.replace(/.*\/src\//, '')}`;
  if (url.includes('/bench/')) return `bench/${url.replace(/.*\/bench\//, '')}`;
  return url || '(native)';
}

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 100 }, () => session.post('Profiler.start', () => {
  const cpu0 = process.cpuUsage();
  buildApp({ app, n, variant }, fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'))).synth();
  const cpu = process.cpuUsage(cpu0);
  session.post('Profiler.stop', (err, result) => {
    if (err) throw err;
    const profile = result.profile as unknown as { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };
    const dir = path.join(__dirname, '.work');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${app}-${variant}-${n}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    const totalHits = profile.nodes.reduce((s, x) => s + (x.hitCount ?? 0), 0);
    const byFn = new Map<string, number>();
    const byArea = new Map<string, number>();
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      const fn = `${node.callFrame.functionName || '(anonymous)'} ${area(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
      const a = area(node.callFrame.url);
      byArea.set(a, (byArea.get(a) ?? 0) + hits);
    }
    const pct = (h: number) => `${((100 * h) / totalHits).toFixed(1)}%`;
    console.log(`${app} ${variant} N=${n}: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU; profile ${file}`);
    console.log('\nself time by function:');
    for (const [fn, h] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${pct(h).padStart(6)}  ${fn}`);
    console.log('\nself time by area:');
    for (const [a, h] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`  ${pct(h).padStart(6)}  ${a}`);
  });
})));
