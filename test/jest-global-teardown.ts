/** Jest global teardown: removes the run's temporary folder (see jest-global-setup.ts). */
import * as fs from 'fs';

export default function globalTeardown(): void {
  const root = process.env.CDK_DELIVERY_PIPELINE_JEST_TMPDIR;
  if (root) {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
