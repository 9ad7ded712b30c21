/**
 * Jest global setup: one temporary folder for the whole run. aws-cdk-lib writes a `cdk.out*`
 * folder for every app synthesized without an outdir, and several suites make folders of their
 * own; all of them go under this one, which `jest-global-teardown.ts` removes. The workers
 * start after this runs, so they inherit TMPDIR (os.tmpdir() reads it on every call).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function globalSetup(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-pipeline-jest-'));
  process.env.CDK_DELIVERY_PIPELINE_JEST_TMPDIR = root;
  process.env.TMPDIR = root;
}
