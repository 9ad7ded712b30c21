/**
 * Writes the list of modules aws-cdk-lib loads lazily while the bench's apps are built and
 * synthesized (every app and variant, at N = 1 and 2), for the `preloaded` runs of bench/worker.ts:
 *
 *   node -r ts-node/register/transpile-only bench/discover-modules.ts <out.json>
 *
 * Runs in its own process, so the measured processes start with nothing of this one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppKind, APP_KINDS, buildApp, VARIANTS } from './apps';

const out = process.argv[2];
if (!out) throw new Error('usage: discover-modules.ts <out.json>');
const before = new Set(Object.keys(require.cache));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-discover-'));
try {
  for (const app of [...APP_KINDS, 'baseline' as AppKind]) {
    for (const variant of VARIANTS) {
      for (const n of [1, 2]) buildApp({ app, n, variant }, fs.mkdtempSync(path.join(dir, 'app-'))).synth();
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const loaded = Object.keys(require.cache).filter(m => !before.has(m));
fs.writeFileSync(out, JSON.stringify(loaded));
process.stdout.write(`${loaded.length} modules\n`);
