import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ShopPipelineStack } from '../../examples/shop/pipeline-stack';
import { cli } from '../cli/helpers';

/** The README's "At a glance" shows what `npm run demo` prints; this keeps the two the same. */
test('the README shows exactly what `npm run demo` prints for examples/shop', async () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-demo-'));
  const app = new App({ outdir });
  new ShopPipelineStack(app, 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
  app.synth();
  const r = await cli(['plan', outdir]);
  expect(r.code).toBe(0);

  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const shown = /runs\s+`cdk-delivery plan cdk\.out`, which prints:\n\n```text\n([\s\S]*?)```/.exec(readme);
  expect(shown).not.toBeNull();
  expect(shown![1]).toBe(r.stdout);
});

test('the README\'s CLI section is the marked part of docs/cli.md, word for word', () => {
  const root = path.join(__dirname, '..', '..');
  const cliDoc = fs.readFileSync(path.join(root, 'docs', 'cli.md'), 'utf8');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = cliDoc.indexOf('\n', cliDoc.indexOf('<!-- README section')) + 1;
  const end = cliDoc.indexOf('<!-- end of README section -->');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const section = cliDoc.slice(start, end).trim();
  expect(section.startsWith('## The `cdk-delivery` CLI')).toBe(true);
  expect(readme).toContain(section);
});
