import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as constructs from 'constructs';
import * as ts from 'typescript';
import * as library from '../../src';
import { cli } from '../cli/helpers';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The README's "Install" section: from its heading to the next section. */
function installSection(): string {
  const start = README.indexOf('\n### Install\n');
  expect(start).toBeGreaterThan(0);
  return README.slice(start, README.indexOf('\n## ', start));
}

/** The code blocks of a Markdown text whose fence starts with `info`. */
function blocks(text: string, info: string): string[] {
  return [...text.matchAll(/^```(.*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === info).map((m) => m[2]);
}

/**
 * Runs a TypeScript module of the README as the app would (`cdk-delivery-pipeline` being this
 * repository's source) and returns its exports. jsii-rosetta compiles it in the build; this runs it.
 */
function runModule(source: string): Record<string, any> {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const exported: Record<string, any> = {};
  const modules: Record<string, unknown> = { 'aws-cdk-lib': cdk, 'constructs': constructs, 'cdk-delivery-pipeline': library };
  const load = (name: string) => {
    if (!(name in modules)) throw new Error(`the README's code imports ${name}, which this test does not provide`);
    return modules[name];
  };
  new Function('require', 'exports', 'module', js)(load, exported, { exports: exported });
  return exported;
}

describe('the README\'s Install section sets up a new app end to end', () => {
  test('the README still opens with the demo and the tests', () => {
    expect(README.startsWith('# cdk-delivery-pipeline\n\n```bash\n'
      + 'npm ci && npm run demo   # synthesizes examples/shop and prints its delivery plan (no AWS account needed)\n'
      + 'npm test                 # unit tests, CLI tests (stubbed AWS), snapshots, eslint --fix (may rewrite files)\n'
      + '```\n')).toBe(true);
  });

  test('it gives the commands in the order they run', () => {
    const commands = blocks(installSection(), 'bash').join('\n').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    const order = ['npx cdk init app --language typescript', 'npm install cdk-delivery-pipeline', 'npx cdk synth', 'npx cdk-delivery plan cdk.out',
      'npx cdk deploy ShopDeliveryPipeline'].map((c) => commands.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('its pipeline stack and app synthesize without an error or warning, and cdk-delivery plan shows the pipeline', async () => {
    const section = installSection();
    const [stackFile] = blocks(section, 'ts fixture=full');
    expect(stackFile).toContain('new DeliveryPipeline(');
    const { PipelineStack } = runModule(stackFile);

    // the app as bin/shop-delivery.ts creates it: cdk init's stack (with its example queue), then the line the README adds
    const [binDiff] = blocks(section, 'diff');
    const added = /^\+new PipelineStack\(app, '(\w+)', \{ env: \{ account: '(\d{12})', region: '([a-z0-9-]+)' \} \}\);$/m.exec(binDiff);
    expect(added).not.toBeNull();
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-install-'));
    // with the feature flags cdk init writes into cdk.json
    const app = new cdk.App({ outdir, context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
    new sqs.Queue(new cdk.Stack(app, 'ShopDeliveryStack'), 'ShopDeliveryQueue');
    const pipelineStack: cdk.Stack = new PipelineStack(app, added![1], { env: { account: added![2], region: added![3] } });
    app.synth();

    expect(Annotations.fromStack(pipelineStack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(pipelineStack).findWarning('*', Match.anyValue())).toEqual([]);
    // the template the environments deploy is the one cdk synth writes for the app's stack
    const templatePath = /const templatePath = '([^']+)'/.exec(stackFile)![1];
    expect(fs.existsSync(path.join(outdir, templatePath.replace(/^cdk\.out\//, '')))).toBe(true);

    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pipeline shop-delivery (ShopDeliveryPipeline/Pipeline) [account 111111111111, region eu-west-1]');
    expect(r.stdout).toContain('Source  GitHub acme/shop-delivery@main (CodeConnections)');
    expect(r.stdout).toContain('gate: manual approval before deploying to prod — added by default (continuous delivery)');
    expect(r.stdout).toContain(`template: ${templatePath}`);
    const status = /npx cdk-delivery status\s+(\S+)`/.exec(section);
    expect(status![1]).toBe('shop-delivery');
  });
});
