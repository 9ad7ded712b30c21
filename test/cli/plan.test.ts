import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { cli } from './helpers';
import { ordersCdkApp } from '../../examples/cdk-stage/pipeline-stack';
import { OrdersPipelineStack } from '../../examples/continuous-deployment/pipeline-stack';
import { ShopCdkPipelinesStack } from '../../examples/migration/before-cdk-pipelines';
import { storefrontApp } from '../../examples/private-network/pipeline-stack';
import { ShopPipelineStack } from '../../examples/shop/pipeline-stack';
import { Approval, DeliveryPipeline, DeploymentTarget, PipelineSource, QualityCheck, ReleaseMode, Verification } from '../../src';
import { describeOtherPipelines, loadPlans, migrationGuidePath, renderPlanHtml, renderPlanMermaid, renderPlanText } from '../../src/cli/commands/plan';
import type { PlanDocument } from '../../src/model/plan-document';
import { CONNECTION_ARN, env, props } from '../util';

const root = path.join(__dirname, '..', '..');

const ASSEMBLY = path.join(__dirname, 'fixtures', 'assembly');
const EMPTY = path.join(__dirname, 'fixtures', 'empty-assembly');

describe('plan', () => {
  test('reads plan documents from the assembly and its nested assemblies', () => {
    const plans = loadPlans(ASSEMBLY);
    expect(plans.map((p) => p.constructPath)).toEqual(['ShopPipeline/Shop', 'Prod/Billing/Pipeline']);
  });

  test('text shows the release mode in plain words, the flow, gates, parallel deployments and accounts', async () => {
    const r = await cli(['plan', ASSEMBLY]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('Pipeline shop-pipeline (ShopPipeline/Shop) [account 111111111111, region eu-west-1]');
    expect(out).toContain('Release mode: continuous delivery — A person decides when a change reaches production');
    expect(out).toContain('(release mode not configured: chosen by default)');
    expect(out).toContain("gate: Manual approval 'Approve' (notifies release-topic) (added by default)");
    expect(out).toContain('deploy (in parallel):');
    expect(out).toContain('prod (production) [account 222222222222, region eu-west-1]');
    expect(out).toContain('Checks  (in parallel; each blocks the pipeline on failure)');
    expect(out).toContain('then verify:');
    expect(out).toContain('no automated verification (acknowledged)');
    // order of the flow
    const order = ['Source  GitHub acme/shop@main', 'Build   Build:', 'Checks', 'staging', 'prod (production)'].map((s) => out.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    // a configured gate is not marked as default
    expect(out).toMatch(/ReviewChangeSet' <billing>\n/);
  });

  test('json prints the array of plan documents', async () => {
    const r = await cli(['plan', ASSEMBLY, '--format', 'json']);
    const docs = JSON.parse(r.stdout);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ formatVersion: '1', pipelineName: 'shop-pipeline', releaseModeDefaulted: true });
    expect((await cli(['plan', ASSEMBLY, '--json'])).stdout).toBe(r.stdout);
  });

  test('mermaid prints a flowchart LR with escaped labels', async () => {
    const r = await cli(['plan', ASSEMBLY, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(r.stdout).toContain('p0_source --> p0_build');
    expect(r.stdout).toContain('p0_build --> p0_check_0');
    expect(r.stdout).toContain('p0_check_1 --> p0_env0_deploy');
    expect(r.stdout).toContain("p0_env1_gate0{{\"Manual approval 'Approve' (notifies release-topic) (added by default)\"}}");
    expect(r.stdout).toContain('#lt;billing#gt;');
    expect(renderPlanMermaid(loadPlans(ASSEMBLY)).match(/subgraph/g)).toHaveLength(5);
  });

  test('mermaid escapes # too, which Mermaid reads as the start of an entity code (regression: "#123;" showed as "{")', () => {
    const doc = loadPlans(ASSEMBLY)[0];
    const named = { ...doc, checks: [{ ...doc.checks[0], name: 'C#8;lint "now" #123;' }] };
    const out = renderPlanMermaid([named]);
    expect(out).toContain('p0_check_0["Check: C#35;8;lint #quot;now#quot; #35;123;"]');
  });

  test('mermaid escapes backticks: a label starting with one is not read as a Markdown string (regression: invalid diagram)', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const app = new App({ outdir });
    const stack = new Stack(app, '`legacy` shop', { stackName: 'LegacyShop', env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ pipelineName: undefined }));
    app.synth();
    const r = await cli(['plan', outdir, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('  subgraph p0_pipeline["#96;legacy#96; shop/Shop: continuous integration"]');
    expect(r.stdout).not.toContain('`');
  });

  test('html writes a self-contained page', async () => {
    const r = await cli(['plan', ASSEMBLY, '--format', 'html', '--out', 'plan.html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('wrote plan.html\n');
    const html = r.io.files.get('plan.html')!;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<style>');
    expect(html).toContain('added by default');
    expect(html).toContain('&lt;billing&gt;');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  });

  test('exit 3 with one line when the directory has no manifest', async () => {
    const r = await cli(['plan', path.join(__dirname, 'fixtures', 'nowhere')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cdk-delivery: no cloud assembly in '.*nowhere': .*manifest.json not found; run 'cdk synth' first/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  test('exit 3 when the assembly holds no pipeline', async () => {
    const r = await cli(['plan', EMPTY]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no delivery pipeline in '");
  });

  test('exit 2 on an unknown format', async () => {
    const r = await cli(['plan', ASSEMBLY, '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: --format: unknown format 'yaml'; use one of text, json, mermaid, html\n");
  });
});

describe('plan of an app whose pipeline no DeliveryPipeline made (the first command of a migration)', () => {
  const pipelineEnv = { account: '111111111111', region: 'eu-west-1' };
  const synth = (build: (app: App) => void, appProps: { treeMetadata?: boolean; context?: Record<string, unknown> } = {}) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-other-'));
    const app = new App({ outdir, ...appProps });
    build(app);
    app.synth();
    return outdir;
  };
  /** The app of docs/migrating-from-cdk-pipelines.md before the move: CDK Pipelines, its stages in nested assemblies. */
  const cdkPipelinesApp = (appProps = {}) => synth((app) => new ShopCdkPipelinesStack(app, 'ShopPipeline', { env: pipelineEnv }), appProps);
  /** A codepipeline.Pipeline wired by hand (as bench/apps.ts's hand-wired app). */
  const handWired = (stack: Stack, id = 'Pipeline') => {
    const pipeline = new codepipeline.Pipeline(stack, id, { pipelineType: codepipeline.PipelineType.V2 });
    const source = new codepipeline.Artifact('Source');
    pipeline.addStage({
      stageName: 'Source',
      actions: [new actions.CodeStarConnectionsSourceAction({
        actionName: 'GitHub', owner: 'acme', repo: 'shop', branch: 'main', connectionArn: CONNECTION_ARN, output: source,
      })],
    });
    pipeline.addStage({ stageName: 'Prod', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] });
    return pipeline;
  };
  const cdkPipelinesMessage = (dir: string, stack = 'ShopPipeline', at = 'ShopPipeline/Pipeline') => `cdk-delivery: no delivery pipeline in '${dir}': `
    + `stack '${stack}' holds a CDK Pipelines pipeline (pipelines.CodePipeline at ${at}), which writes no plan for cdk-delivery to read; `
    + 'docs/migrating-from-cdk-pipelines.md shows how to move it to DeliveryPipeline\n';
  const plainMessage = (dir: string) => `cdk-delivery: no delivery pipeline in '${dir}': no 'cdk-delivery-pipeline:plan' metadata in its stacks\n`;

  test('a CDK Pipelines app: exit 3, naming its stack and the construct, and the migration guide', async () => {
    const outdir = cdkPipelinesApp();
    // what aws-cdk-lib 2.x writes: the construct tree in tree.json, named by the manifest's cdk:tree artifact
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.Tree).toEqual({ type: 'cdk:tree', properties: { file: 'tree.json' } });
    expect(fs.readFileSync(path.join(outdir, 'tree.json'), 'utf8')).toContain('"path":"ShopPipeline/Pipeline","constructInfo":{"fqn":"aws-cdk-lib.pipelines.CodePipeline"');
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(cdkPipelinesMessage(outdir));
    for (const format of ['json', 'mermaid', 'html']) {
      expect(await cli(['plan', outdir, '--format', format])).toMatchObject({ code: 3, stderr: cdkPipelinesMessage(outdir) });
    }
    // docs/cli.md shows it word for word
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8')).toContain(`$ npx cdk-delivery plan cdk.out\n${cdkPipelinesMessage('cdk.out')}`);
  });

  test('a CDK Pipelines pipeline in a stage: its stack, read from the nested assembly, is named by its CloudFormation name', async () => {
    const outdir = synth((app) => new ShopCdkPipelinesStack(new Stage(app, 'Tooling', { env: pipelineEnv }), 'ShopPipeline', {}));
    expect(fs.existsSync(path.join(outdir, 'assembly-Tooling', 'manifest.json'))).toBe(true);
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(cdkPipelinesMessage(outdir, 'Tooling-ShopPipeline', 'Tooling/ShopPipeline/Pipeline'));
  });

  test('a construct tree split into several files (aws-cdk-lib\'s maxNodes) is read across them', async () => {
    const outdir = cdkPipelinesApp({ context: { '@aws-cdk/core.TreeMetadata:maxNodes': 3 } });
    expect(fs.readdirSync(outdir).filter((f) => /^trees-\d+\.json$/.test(f)).length).toBeGreaterThan(1);
    expect(fs.readFileSync(path.join(outdir, 'tree.json'), 'utf8')).not.toContain('aws-cdk-lib.pipelines.CodePipeline');
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(cdkPipelinesMessage(outdir));
  });

  test('without a readable construct tree (treeMetadata off, tree.json deleted or corrupt): the plain message, exit 3', async () => {
    const off = cdkPipelinesApp({ treeMetadata: false });
    expect(fs.existsSync(path.join(off, 'tree.json'))).toBe(false);
    const deleted = cdkPipelinesApp();
    fs.rmSync(path.join(deleted, 'tree.json'));
    const corrupt = cdkPipelinesApp();
    fs.writeFileSync(path.join(corrupt, 'tree.json'), '{"version":"tree-0.1","tree":');
    for (const dir of [off, deleted, corrupt]) {
      const r = await cli(['plan', dir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(plainMessage(dir));
    }
    // a tree.json left by an earlier synth is not read when the manifest names none
    fs.copyFileSync(path.join(cdkPipelinesApp(), 'tree.json'), path.join(off, 'tree.json'));
    expect((await cli(['plan', off])).stderr).toBe(plainMessage(off));
  });

  test('a codepipeline.Pipeline wired by hand: exit 3, naming it as a CodePipeline pipeline not made with DeliveryPipeline', async () => {
    const outdir = synth((app) => handWired(new Stack(app, 'PipelineStack', { stackName: 'shop-pipeline', env: pipelineEnv })));
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: no delivery pipeline in '${outdir}': stack 'shop-pipeline' holds a CodePipeline pipeline not made with `
      + 'DeliveryPipeline (codepipeline.Pipeline at PipelineStack/Pipeline), which writes no plan for cdk-delivery to read; '
      + 'define it with DeliveryPipeline to see its plan\n');
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8')).toContain(r.stderr.replace(outdir, 'cdk.out'));
  });

  test('a CDK Pipelines pipeline built on a codepipeline.Pipeline given to it (codePipeline) is named once, as CDK Pipelines', async () => {
    const outdir = synth((app) => {
      const stack = new Stack(app, 'ShopPipeline', { env: pipelineEnv });
      new pipelines.CodePipeline(stack, 'Pipeline', {
        codePipeline: new codepipeline.Pipeline(stack, 'CodePipeline'),
        synth: new pipelines.ShellStep('Synth', {
          input: pipelines.CodePipelineSource.connection('acme/shop', 'main', { connectionArn: CONNECTION_ARN }),
          commands: ['npx cdk synth'],
        }),
      });
    });
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(cdkPipelinesMessage(outdir));
  });

  test('several pipelines: the first three named in tree order, the others counted; what to do fits the kinds', () => {
    const cdk = (n: number) => ({ kind: 'cdk-pipelines' as const, construct: 'pipelines.CodePipeline', path: `S${n}/Pipeline`, stackName: `S${n}` });
    expect(describeOtherPipelines([cdk(1), cdk(2)])).toBe("stack 'S1' holds a CDK Pipelines pipeline (pipelines.CodePipeline at S1/Pipeline) and "
      + "stack 'S2' holds a CDK Pipelines pipeline (pipelines.CodePipeline at S2/Pipeline), which write no plan for cdk-delivery to read; "
      + 'docs/migrating-from-cdk-pipelines.md shows how to move them to DeliveryPipeline');
    const cfn = { kind: 'codepipeline' as const, construct: 'codepipeline.CfnPipeline', path: 'Legacy/Pipeline' };
    expect(describeOtherPipelines([cdk(1), cfn, cdk(2), cdk(3), cdk(4)])).toBe("stack 'S1' holds a CDK Pipelines pipeline (pipelines.CodePipeline at S1/Pipeline), "
      + 'the app holds a CodePipeline pipeline not made with DeliveryPipeline (codepipeline.CfnPipeline at Legacy/Pipeline), '
      + "stack 'S2' holds a CDK Pipelines pipeline (pipelines.CodePipeline at S2/Pipeline) and 2 more pipelines not made with DeliveryPipeline, "
      + 'which write no plan for cdk-delivery to read; move them to DeliveryPipeline (docs/migrating-from-cdk-pipelines.md shows how for CDK Pipelines)');
  });

  test('the migration guide is named where it is: relative below the working directory (node_modules/... in an app), else absolute; it ships in the package', () => {
    const guide = path.join(root, 'docs', 'migrating-from-cdk-pipelines.md');
    expect(migrationGuidePath()).toBe(path.join('docs', 'migrating-from-cdk-pipelines.md'));
    const cwd = process.cwd();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-guide-'));
    try {
      process.chdir(elsewhere);
      expect(migrationGuidePath()).toBe(guide);
      expect(describeOtherPipelines([{ kind: 'cdk-pipelines', construct: 'pipelines.CodePipeline', path: 'S/Pipeline', stackName: 'S' }]))
        .toContain(`; ${guide} shows how to move it to DeliveryPipeline`);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.existsSync(guide)).toBe(true);
    // .npmignore keeps the guide (and the CLI and plan references) in the package, the design notes out
    const ignored = fs.readFileSync(path.join(root, '.npmignore'), 'utf8').split('\n');
    expect(ignored).not.toContain('/docs/');
    expect(ignored).toEqual(expect.arrayContaining(['/docs/DESIGN.md', '/docs/performance.md']));
  });

  test('a CDK Pipelines pipeline and a hand-wired one in another stack are both named; an L1 CfnPipeline too; beside a DeliveryPipeline, plan shows it', async () => {
    const outdir = synth((app) => {
      new ShopCdkPipelinesStack(app, 'ShopPipeline', { env: pipelineEnv });
      handWired(new Stack(app, 'Billing', { env: pipelineEnv }));
      new codepipeline.CfnPipeline(new Stack(app, 'Legacy', { env: pipelineEnv }), 'Pipeline', {
        roleArn: 'arn:aws:iam::111111111111:role/legacy', stages: [],
      });
    });
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: no delivery pipeline in '${outdir}': `
      + "stack 'ShopPipeline' holds a CDK Pipelines pipeline (pipelines.CodePipeline at ShopPipeline/Pipeline), "
      + "stack 'Billing' holds a CodePipeline pipeline not made with DeliveryPipeline (codepipeline.Pipeline at Billing/Pipeline) and "
      + "stack 'Legacy' holds a CodePipeline pipeline not made with DeliveryPipeline (codepipeline.CfnPipeline at Legacy/Pipeline), "
      + 'which write no plan for cdk-delivery to read; move them to DeliveryPipeline (docs/migrating-from-cdk-pipelines.md shows how for CDK Pipelines)\n');
    // with a DeliveryPipeline beside them, plan shows it
    const mixed = synth((app) => {
      new ShopCdkPipelinesStack(app, 'Old', { env: pipelineEnv });
      new ShopPipelineStack(app, 'ShopPipeline', { env: pipelineEnv });
    });
    const shown = await cli(['plan', mixed]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Pipeline shop-delivery (ShopPipeline/Shop)');
  });
});

describe('plan on a real synthesized assembly', () => {
  test('reads the plan the construct wrote (stack metadata in <Stack>.metadata.json) and prints it', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const app = new App({ outdir });
    new ShopPipelineStack(app, 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.ShopPipeline.additionalMetadataFile).toBe('ShopPipeline.metadata.json');

    const plans = loadPlans(outdir);
    expect(plans.map(p => [p.constructPath, p.pipelineName, p.releaseMode])).toEqual([['ShopPipeline/Shop', 'shop-delivery', 'CONTINUOUS_DELIVERY']]);
    const result = await cli(['plan', outdir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Release mode: continuous delivery');
    expect(result.stdout).toContain('gate: manual approval before deploying to prod (approvers notified)');
    expect(result.stdout).toContain('CloudFormation stack shop-prod via change set in account 222222222222');
  });

  test('shows the one asset-publishing action after the build, and the canary the CDK stage holds', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const app = new App({ outdir });
    ordersCdkApp(app);
    app.synth();
    const result = await cli(['plan', outdir]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('          then PublishAssets: publishes the file and image assets of every CDK stage, once per execution');
    expect(out.indexOf('then PublishAssets')).toBeLessThan(out.indexOf('\nstaging'));
    expect(out).toMatch(/Prod: CDK stage Prod: 2 stacks via change sets · 1 canary deployment/);
    // mermaid and html show it too, in the same place (regression: only the text plan did)
    const [doc] = loadPlans(outdir);
    const mermaid = renderPlanMermaid([doc]).split('\n');
    expect(mermaid).toContain('    p0_assets["PublishAssets: assets of every CDK stage"]');
    expect(mermaid).toContain('    p0_build --> p0_assets');
    expect(mermaid).toContain('    p0_assets --> p0_env0_deploy');
    expect(mermaid).not.toContain('    p0_build --> p0_env0_deploy');
    const html = renderPlanHtml([doc]);
    expect(html).toContain('<div class="sub">then</div><ul><li><strong>PublishAssets</strong>: publishes the file and image assets of every CDK stage, once per execution</li></ul></div>');
    // beside the checks when there are checks (the plan then has the action in the Checks stage)
    expect(doc.stages.slice(0, 2).map(st => st.name)).toEqual(['Source', 'Build']);
    const publish = doc.stages.flatMap(st => st.actions).find(a => a.kind === 'asset-publishing')!;
    const withChecks = {
      ...doc,
      checks: [{ name: 'Lint', kind: 'commands', summary: 'commands: npm run lint', details: [] }],
      stages: [
        ...doc.stages.slice(0, 2).map(st => ({ ...st, actions: st.actions.filter(a => a !== publish) })),
        { name: 'Checks', actions: [{ name: 'Lint', runOrder: 1, kind: 'commands' }, { ...publish, runOrder: 1 }] },
        ...doc.stages.slice(2),
      ],
    };
    const besides = renderPlanMermaid([withChecks]).split('\n');
    expect(besides).toEqual(expect.arrayContaining(['    p0_build --> p0_check_0', '    p0_build --> p0_assets', '    p0_check_0 --> p0_env0_deploy', '    p0_assets --> p0_env0_deploy']));
    expect(renderPlanHtml([withChecks])).toContain('<li><strong>Lint</strong>: commands: npm run lint</li><li><strong>PublishAssets</strong>: ');
  });

  test('with selfUpdate and no checks, PublishAssets is shown after the pipeline updated itself, in text, mermaid and html (regression: after the build)', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-self-update-assets-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Svc', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3assets.Asset(new Stack(stage, 'Api'), 'Code', { path: path.join(__dirname, '..', 'deploy', 'docker-asset') });
    new DeliveryPipeline(stack, 'Shop', props({
      selfUpdate: true,
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.cdkStage(stage)] }],
    }));
    app.synth();
    const result = await cli(['plan', outdir]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const update = lines.findIndex(l => l.startsWith('Update  UpdatePipeline: SelfMutate deploys the pipeline\'s own stack'));
    expect(update).toBeGreaterThan(0);
    expect(lines[update + 1]).toBe('          then PublishAssets: publishes the file and image assets of every CDK stage, once per execution (with the updated pipeline)');
    expect(lines.filter(l => l.includes('PublishAssets'))).toHaveLength(1);
    const [doc] = loadPlans(outdir);
    const mermaid = renderPlanMermaid([doc]).split('\n');
    expect(mermaid).toEqual(expect.arrayContaining(['    p0_build --> p0_update', '    p0_update --> p0_assets', '    p0_assets --> p0_env0_gate0']));
    expect(mermaid).not.toContain('    p0_build --> p0_assets');
    const html = renderPlanHtml([doc]);
    expect(html).toContain('then restarts the execution with the updated pipeline</div><div class="sub">then, with the updated pipeline</div><ul><li><strong>PublishAssets</strong>: ');
    expect(html.match(/<strong>PublishAssets<\/strong>/g)).toHaveLength(1);
  });

  test('mermaid draws a change-set review between creating the change sets and executing them (regression: drawn before the deployment)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-review-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({
      environments: [{ name: 'prod', production: true, approval: Approval.changeSetReview(), deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'cdk.out/ShopProd.template.json' })] }],
    }));
    app.synth();
    const [doc] = loadPlans(outdir);
    const lines = renderPlanMermaid([doc]).split('\n');
    const from = lines.indexOf('    subgraph p0_env0["prod (production)"]');
    expect(lines.slice(from, lines.indexOf('    end', from) + 1)).toEqual([
      '    subgraph p0_env0["prod (production)"]',
      '      p0_env0_prepare["Create change sets: shop-prod"]',
      `      p0_env0_review0{{"${doc.environments[0].gates[0].summary}"}}`,
      '      p0_env0_prepare --> p0_env0_review0',
      '      p0_env0_deploy["Deploy: shop-prod"]',
      '      p0_env0_review0 --> p0_env0_deploy',
      '    end',
    ]);
    expect(doc.environments[0].gates.map((g) => g.kind)).toEqual(['change-set-review']);
  });

  test('a change-set review of stacks on three dependency levels says it is three reviews, in text and json (regression: shown as one)', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-reviews-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    const level = (id: string, after?: Stack) => {
      const s = new Stack(prod, id, { stackName: `shop-${id.toLowerCase()}` });
      new CfnResource(s, 'Setting', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: id } });
      if (after) s.addDependency(after);
      return s;
    };
    level('Monitoring', level('Api', level('Data')));
    new DeliveryPipeline(stack, 'Shop', props({
      environments: [{ name: 'prod', production: true, deployments: [DeploymentTarget.cdkStage(prod, { changeSetReview: true })] }],
    }));
    app.synth();
    const summary = 'manual review of the CloudFormation change sets before they execute: 3 reviews, one per dependency level of the stacks, '
      + 'each after the previous level deployed';
    const json = JSON.parse((await cli(['plan', outdir, '--format', 'json'])).stdout);
    expect(json[0].environments[0].gates).toEqual([{ kind: 'change-set-review', summary, addedByDefault: false }]);
    // as many as the pipeline has
    expect(json[0].stages[2].actions.filter((a: any) => a.kind === 'change-set-review').map((a: any) => `${a.name}@${a.runOrder}`))
      .toEqual(['ReviewChangeSet@2', 'ReviewChangeSet.Wave2@5', 'ReviewChangeSet.Wave3@8']);
    const text = await cli(['plan', outdir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`          gate: ${summary}\n`);

    // stacks on one level: one review, said as before
    const one = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-review-'));
    const app2 = new App({ outdir: one });
    const stack2 = new Stack(app2, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const flat = new Stage(app2, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    for (const id of ['Data', 'Api']) new CfnResource(new Stack(flat, id), 'Setting', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: id } });
    new DeliveryPipeline(stack2, 'Shop', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(flat, { changeSetReview: true })] }] }));
    app2.synth();
    expect(loadPlans(one)[0].environments[0].gates.map((g) => g.summary)).toEqual(['manual review of the CloudFormation change sets before they execute']);
  });
});

describe('plan: deploy scripts that run before the deployments (runBeforeDeployments)', () => {
  /** The plan of a pipeline whose prod environment has `approval`, a stack, a script before it, one beside it and one after it. */
  function planWith(approval: Approval) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-before-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({
      environments: [{
        name: 'prod',
        production: true,
        approval,
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'cdk.out/ShopProd.template.json' }),
          DeploymentTarget.commands('CheckSchema', ['bash scripts/check-schema.sh'], { runBeforeDeployments: true }),
          DeploymentTarget.commands('Flags', ['bash scripts/flags.sh']),
          DeploymentTarget.commands('Invalidate', ['bash scripts/invalidate-cdn.sh'], { runAfterDeployments: true }),
        ],
        verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'])],
      }],
    }));
    app.synth();
    return { outdir, doc: loadPlans(outdir)[0] };
  }

  test('text shows the script under the deployments, first, saying it runs before them; json marks it and gives its run order', async () => {
    const { outdir, doc } = planWith(Approval.manual());
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('prod (production)');
    expect(lines.slice(from, lines.indexOf('          then verify:', from))).toEqual([
      'prod (production)',
      `          gate: ${doc.environments[0].gates[0].summary}`,
      '          deploy (in parallel):',
      '            • shop-prod: CloudFormation stack shop-prod via change set',
      '              template: cdk.out/ShopProd.template.json',
      '              CloudFormation role: CDK bootstrap cfn-exec role (qualifier hnb659fds)',
      '              deploy role: CDK bootstrap deploy role (qualifier hnb659fds)',
      '            • CheckSchema: deploy script: bash scripts/check-schema.sh',
      "              before the environment's other deployments",
      '              run: bash scripts/check-schema.sh',
      '            • Flags: deploy script: bash scripts/flags.sh',
      '              run: bash scripts/flags.sh',
      '            • Invalidate: deploy script: bash scripts/invalidate-cdn.sh',
      "              after the environment's other deployments",
      '              run: bash scripts/invalidate-cdn.sh',
    ]);
    expect(doc.environments[0].deployments.map((d) => d.runsBeforeDeployments)).toEqual([undefined, true, undefined, undefined]);
    expect(doc.environments[0].deployments.map((d) => d.runsAfterDeployments)).toEqual([undefined, undefined, undefined, true]);
    expect(doc.stages.find((st) => st.name === 'prod')!.actions.map((a) => `${a.name}@${a.runOrder}`))
      .toEqual(['Approve@1', 'shop-prod.Prepare@3', 'shop-prod.Deploy@4', 'CheckSchema@2', 'Flags@4', 'Invalidate@5', 'Smoke@6']);
    expect(renderPlanHtml([doc])).toContain('<li><strong>CheckSchema</strong>: deploy script: bash scripts/check-schema.sh<ul><li>before the environment&#39;s other deployments</li>');
  });

  test('mermaid draws the script after the manual approval and before the deployments, and the script after them last (regression: drawn in parallel)', () => {
    const { doc } = planWith(Approval.manual());
    const lines = renderPlanMermaid([doc]).split('\n');
    const from = lines.indexOf('    subgraph p0_env0["prod (production)"]');
    expect(lines.slice(from, lines.indexOf('    end', from) + 1)).toEqual([
      '    subgraph p0_env0["prod (production)"]',
      `      p0_env0_gate0{{"${doc.environments[0].gates[0].summary}"}}`,
      '      p0_env0_before["Before deploying: CheckSchema"]',
      '      p0_env0_gate0 --> p0_env0_before',
      '      p0_env0_deploy["Deploy: shop-prod ∥ Flags"]',
      '      p0_env0_before --> p0_env0_deploy',
      '      p0_env0_after["After deploying: Invalidate"]',
      '      p0_env0_deploy --> p0_env0_after',
      '      p0_env0_verify["Verify: Smoke"]',
      '      p0_env0_after --> p0_env0_verify',
      '    end',
    ]);
  });

  test('mermaid draws the script before the change sets, which only stacks create and their review follows (regression: scripts named among them)', () => {
    const { doc } = planWith(Approval.changeSetReview());
    const lines = renderPlanMermaid([doc]).split('\n');
    const from = lines.indexOf('    subgraph p0_env0["prod (production)"]');
    expect(lines.slice(from, lines.indexOf('    end', from) + 1)).toEqual([
      '    subgraph p0_env0["prod (production)"]',
      '      p0_env0_before["Before deploying: CheckSchema"]',
      '      p0_env0_prepare["Create change sets: shop-prod"]',
      '      p0_env0_before --> p0_env0_prepare',
      `      p0_env0_review0{{"${doc.environments[0].gates[0].summary}"}}`,
      '      p0_env0_prepare --> p0_env0_review0',
      '      p0_env0_deploy["Deploy: shop-prod ∥ Flags"]',
      '      p0_env0_review0 --> p0_env0_deploy',
      '      p0_env0_after["After deploying: Invalidate"]',
      '      p0_env0_deploy --> p0_env0_after',
      '      p0_env0_verify["Verify: Smoke"]',
      '      p0_env0_after --> p0_env0_verify',
      '    end',
    ]);
    expect(doc.stages.find((st) => st.name === 'prod')!.actions.map((a) => `${a.name}@${a.runOrder}`))
      .toEqual(['shop-prod.Prepare@2', 'shop-prod.Deploy@4', 'CheckSchema@1', 'Flags@4', 'Invalidate@5', 'ReviewChangeSet@3', 'Smoke@6']);
  });

  test('a plan written before runsAfterDeployments still draws the script after the others, from its details; one deployment beside scripts is not "in parallel"', () => {
    const { doc } = planWith(Approval.manual());
    const older: PlanDocument = {
      ...doc,
      environments: doc.environments.map((e) => ({
        ...e,
        deployments: e.deployments.filter((d) => d.name !== 'Flags').map(({ runsAfterDeployments, ...d }) => d),
      })),
    };
    expect(older.environments[0].deployments.map((d) => d.runsAfterDeployments)).toEqual([undefined, undefined, undefined]);
    const mermaid = renderPlanMermaid([older]).split('\n');
    expect(mermaid).toEqual(expect.arrayContaining(['      p0_env0_deploy["Deploy: shop-prod"]', '      p0_env0_after["After deploying: Invalidate"]', '      p0_env0_deploy --> p0_env0_after']));
    const text = renderPlanText(older).split('\n');
    expect(text).toContain('          deploy:');
    expect(text).not.toContain('          deploy (in parallel):');
    expect(renderPlanHtml([older])).toContain('<div class="sub">deploy</div>');
  });

  test('mermaid draws an environment of such scripts alone without a deploy step', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-before-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({
      environments: [
        { name: 'gate', approval: Approval.manual(), deployments: [DeploymentTarget.commands('Check', ['bash scripts/check.sh'], { runBeforeDeployments: true })] },
        env('prod'),
      ],
    }));
    app.synth();
    const [doc] = loadPlans(outdir);
    const lines = renderPlanMermaid([doc]).split('\n');
    const from = lines.indexOf('    subgraph p0_env0["gate"]');
    expect(lines.slice(from, lines.indexOf('    end', from) + 2)).toEqual([
      '    subgraph p0_env0["gate"]',
      `      p0_env0_gate0{{"${doc.environments[0].gates[0].summary}"}}`,
      '      p0_env0_before["Before deploying: Check"]',
      '      p0_env0_gate0 --> p0_env0_before',
      '    end',
      '    p0_build --> p0_env0_gate0',
    ]);
    expect(lines).toContain('    p0_env0_before --> p0_env1_deploy');
  });
});

describe('plan: additional sources', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-sources-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({
      additionalSources: [
        { name: 'Config', source: PipelineSource.gitHub({ repository: 'acme/shop-config', connectionArn: CONNECTION_ARN }), directory: 'config', triggersPipeline: false },
        { name: 'Scripts', source: PipelineSource.gitHub({ repository: 'acme/deploy-scripts', connectionArn: CONNECTION_ARN, branch: 'stable' }) },
      ],
    }));
    app.synth();
  });

  test('text shows them under Source: kind, repository@branch, directory, whether they start the pipeline', async () => {
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const source = lines.findIndex((l) => l.startsWith('Source  '));
    expect(lines.slice(source, source + 4)).toEqual([
      'Source  GitHub acme/shop@main (CodeConnections) (every push to main)',
      '        + Config: GitHub acme/shop-config@main (CodeConnections), in the build at config/; does not start the pipeline',
      '        + Scripts: GitHub acme/deploy-scripts@stable (CodeConnections), in the build at Scripts/; starts the pipeline: every push to stable',
      '   │',
    ]);
  });

  test('json, mermaid and html include them', async () => {
    const json = JSON.parse((await cli(['plan', outdir, '--format', 'json'])).stdout);
    expect(json[0].additionalSources.map((a: any) => [a.name, a.directory, a.triggersPipeline])).toEqual([['Config', 'config', false], ['Scripts', 'Scripts', true]]);
    expect(json[0].stages[0].actions.map((a: any) => a.name)).toEqual(['Source', 'Config', 'Scripts']);
    const mermaid = (await cli(['plan', outdir, '--format', 'mermaid'])).stdout.split('\n');
    expect(mermaid).toEqual(expect.arrayContaining([
      '    p0_source_1["Source Config: GitHub acme/shop-config@main (CodeConnections) at config/, does not start the pipeline"]',
      '    p0_source_1 --> p0_build',
      '    p0_source_2["Source Scripts: GitHub acme/deploy-scripts@stable (CodeConnections) at Scripts/"]',
      '    p0_source_2 --> p0_build',
    ]));
    const html = renderPlanHtml(loadPlans(outdir));
    expect(html).toContain('<ul><li>Config: GitHub acme/shop-config@main (CodeConnections), in the build at config/; does not start the pipeline</li>'
      + '<li>Scripts: GitHub acme/deploy-scripts@stable (CodeConnections), in the build at Scripts/; starts the pipeline: every push to stable</li></ul></div>');
  });

  test('a plan written before additional sources (no field) reads as before; a malformed entry is refused', () => {
    const [doc] = loadPlans(outdir);
    const older = { ...doc, additionalSources: undefined };
    expect(renderPlanText(older)).not.toContain('        + ');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-sources-bad-'));
    const broken = { ...doc, additionalSources: [{ ...doc.additionalSources![0], triggersPipeline: 'no' }] };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts: { S: { type: 'aws:cloudformation:stack', metadata: { '/S/P': [{ type: 'cdk-delivery-pipeline:plan', data: broken }] } } } }));
    expect(() => loadPlans(dir)).toThrow(`the plan of 'Pipeline/Shop' in ${path.join(dir, 'manifest.json')} is malformed: additionalSources[0].triggersPipeline must be true or false`);
  });
});

describe('plan: the pipeline name and stack', () => {
  const pipelineWith = (name?: (stack: Stack) => string) => {
    const stack = new Stack(new App(), 'PipelineStack', { stackName: 'shop-pipeline', env: { account: '111111111111', region: 'eu-west-1' } });
    return new DeliveryPipeline(stack, 'Shop', props({ ...(name ? { pipelineName: name(stack) } : {}), environments: [env('staging')] })).describe();
  };

  test('the plan records the stack name of the pipeline', () => {
    expect(pipelineWith(() => 'shop-delivery')).toMatchObject({ pipelineName: 'shop-delivery', stackName: 'shop-pipeline' });
    expect(pipelineWith(() => 'shop-delivery').pipelineNameUnresolved).toBeUndefined();
  });

  test('a name that is a token is recorded and shown as set at deploy time, not as generated (regression: "not set (generated)")', () => {
    const plan = pipelineWith((stack) => new CfnParameter(stack, 'PipelineName').valueAsString);
    expect(plan.pipelineName).toBeUndefined();
    expect(plan.pipelineNameUnresolved).toBe(true);
    expect(renderPlanText(plan).split('\n')[0]).toBe('Pipeline PipelineStack/Shop (pipeline name set at deploy time) [account 111111111111, region eu-west-1]');
    expect(renderPlanMermaid([plan]).split('\n')[1]).toBe('  subgraph p0_pipeline["PipelineStack/Shop (pipeline name set at deploy time): continuous delivery"]');
    expect(renderPlanHtml([plan])).toContain('<h2>PipelineStack/Shop (pipeline name set at deploy time) [account 111111111111, region eu-west-1]</h2>');
  });

  test('a generated name is neither: the pipeline is named by its construct path', () => {
    const plan = pipelineWith();
    expect(plan.pipelineName).toBeUndefined();
    expect(plan.pipelineNameUnresolved).toBeUndefined();
    expect(renderPlanText(plan).split('\n')[0]).toBe('Pipeline PipelineStack/Shop [account 111111111111, region eu-west-1]');
  });
});

describe('plan of a continuous delivery pipeline without environments', () => {
  test('text, html and mermaid say in words that the pipeline deploys nowhere (regression: the flow ended at the build as if nothing were missing; '
    + 'in mermaid too)', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ pipelineName: 'shop-delivery', releaseMode: ReleaseMode.CONTINUOUS_DELIVERY }));
    app.synth();
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe('  Release mode: continuous delivery — Continuous delivery, but the pipeline has no environments: '
      + 'every change is built and checked, and deployed nowhere.');
    expect(lines.slice(-3)).toEqual([
      '   │',
      '   ▼',
      'Deploy  nowhere: the pipeline has no environments, so it builds and checks every change and deploys it to no account. '
      + "Add environments: [{ name: 'staging', deployments: [...] }] to deliver the build.",
    ]);
    const html = (await cli(['plan', outdir, '--format', 'html'])).stdout;
    expect(html).toContain('<div class="step"><h3>Deploy</h3><div class="sub">nowhere: the pipeline has no environments, so it builds and checks every change');
    const mermaid = (await cli(['plan', outdir, '--format', 'mermaid'])).stdout.trimEnd().split('\n');
    expect(mermaid.slice(-4)).toEqual([
      '    p0_source --> p0_build',
      '    p0_nowhere["Deploy nowhere: the pipeline has no environments, so it builds and checks every change and deploys it to no account. '
        + "Add environments: [{ name: 'staging', deployments: [...] }] to deliver the build.\"]",
      '    p0_build --> p0_nowhere',
      '  end',
    ]);
  });

  test('a continuous integration pipeline, whose release mode says it releases nothing, gets no such line', async () => {
    const stack = new Stack(new App(), 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const text = renderPlanText(new DeliveryPipeline(stack, 'Shop', props()).describe());
    expect(text).toContain('releases nothing');
    expect(text).not.toContain('Deploy  nowhere');
    expect(renderPlanMermaid([new DeliveryPipeline(new Stack(new App(), 'Other', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Shop', props())
      .describe()])).not.toContain('nowhere');
  });
});

describe('plan: where a deployment goes', () => {
  test('text and html name the account and region of a deployment that is not its environment\'s, unless its summary does', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const version = lambda.Version.fromVersionArn(stack, 'Version', 'arn:aws:lambda:eu-west-1:222222222222:function:shop-api:7');
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({
      environments: [{
        name: 'prod',
        deployments: [
          DeploymentTarget.lambdaFunction(lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: version })),
          DeploymentTarget.cloudFormation({ stackName: 'shop-cdn', templatePath: 'cdn.json', region: 'us-east-1' }),
        ],
      }],
    }));
    const plan = pipeline.describe();
    const text = renderPlanText(plan).split('\n').filter((l) => l.trim().startsWith('•'));
    expect(text).toEqual([
      '            • shop-api: Lambda shop-api:live · all the traffic at once [account 222222222222]',
      '            • shop-cdn: CloudFormation stack shop-cdn via change set in us-east-1',
    ]);
    expect(renderPlanHtml([plan])).toContain('<strong>shop-api</strong>: Lambda shop-api:live · all the traffic at once [account 222222222222]');
  });
});

describe('plan: gates in the order they act', () => {
  // continuous deployment: prod has a deployment window and entry alarms before deploying, and
  // alarms watched for 30 minutes after it (gate kind 'bake-alarms'); staging only the latter
  let outdir: string;
  // the gate summaries as the plan document has them (they name the alarms)
  let stagingBake: string;
  let prodEntry: string;
  let prodBake: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-bake-'));
    const app = new App({ outdir });
    new OrdersPipelineStack(app, 'OrdersPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    app.synth();
    const [doc] = loadPlans(outdir);
    const gate = (index: number, kind: string) => doc.environments[index].gates.find((g) => g.kind === kind)!.summary;
    stagingBake = gate(0, 'bake-alarms');
    prodEntry = gate(1, 'entry-alarms');
    prodBake = gate(1, 'bake-alarms');
    expect(doc.environments[0].gates.map((g) => g.kind)).toEqual(['bake-alarms']);
    expect(doc.environments[1].gates.map((g) => g.kind)).toEqual(['deployment-window', 'entry-alarms', 'bake-alarms']);
    expect(stagingBake).toMatch(/^after deploying, alarms watched for 10 min: [^;]+; in ALARM → fail$/);
    expect(prodEntry).toMatch(/^not entered while in ALARM: /);
    expect(prodBake).toMatch(/^after deploying, alarms watched for 30 min: [^;]+, [^;]+; in ALARM → roll back$/);
  });

  test('text names who is told about what (notifications)', async () => {
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(lines.findIndex((l) => l.startsWith('  Execution mode:')), lines.findIndex((l) => l.startsWith('  Execution mode:')) + 2)).toEqual([
      '  Execution mode: QUEUED',
      '  Notifications: failed, succeeded → SNS topic',
    ]);
    const [doc] = loadPlans(outdir);
    expect(doc.notifications).toEqual({ events: ['FAILED', 'SUCCEEDED'], targets: ['sns'] });
  });

  test('text says how long the CodeBuild logs are kept when they expire (logRetention)', () => {
    const [doc] = loadPlans(outdir);
    const lines = (d: typeof doc) => renderPlanText(d).split('\n').filter((l) => l.startsWith('  Build logs:'));
    expect(lines({ ...doc, logRetentionDays: 365 })).toEqual(['  Build logs: kept 365 days']);
    expect(lines(doc)).toEqual([]);
  });

  test('mermaid and html say how long the CodeBuild logs are kept too, where they name the notifications (regression: only the text plan did)', async () => {
    const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-logs-'));
    const app = new App({ outdir: kept });
    const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ pipelineName: 'shop-delivery', logRetention: logs.RetentionDays.ONE_YEAR }));
    app.synth();
    const text = await cli(['plan', kept]);
    expect(text.stdout.split('\n')).toContain('  Build logs: kept 365 days');
    const mermaid = await cli(['plan', kept, '--format', 'mermaid']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.split('\n')[1]).toBe('  subgraph p0_pipeline["shop-delivery (Pipeline/Shop): continuous integration; build logs: kept 365 days"]');
    const html = await cli(['plan', kept, '--format', 'html', '--out', 'plan.html']);
    expect(html.code).toBe(0);
    const page = html.io.files.get('plan.html')!;
    const mode = page.slice(page.indexOf('<div class="mode">'), page.indexOf('<div class="flow">'));
    expect(mode).toContain('<div class="sub">execution mode QUEUED</div><div class="sub">build logs: kept 365 days</div></div>');
    // after the notifications; a pipeline whose logs never expire says nothing about them, in any format
    const [doc] = loadPlans(outdir);
    expect(renderPlanMermaid([{ ...doc, logRetentionDays: 30 }]).split('\n')[1]).toMatch(/; notifications: failed, succeeded → SNS topic; build logs: kept 30 days"\]$/);
    expect(renderPlanHtml([{ ...doc, logRetentionDays: 30 }])).toContain(
      '<div class="sub">notifications: failed, succeeded → SNS topic</div><div class="sub">build logs: kept 30 days</div></div>');
    expect(doc.logRetentionDays).toBeUndefined();
    expect(renderPlanMermaid([doc])).not.toContain('build logs');
    expect(renderPlanHtml([doc])).not.toContain('build logs');
  });

  test('mermaid and html name the notifications too (regression: only the text plan did)', async () => {
    const mermaid = await cli(['plan', outdir, '--format', 'mermaid']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.split('\n')[1]).toMatch(/^ {2}subgraph p0_pipeline\[".*: continuous deployment; notifications: failed, succeeded → SNS topic"\]$/);
    const html = await cli(['plan', outdir, '--format', 'html', '--out', 'plan.html']);
    expect(html.code).toBe(0);
    const page = html.io.files.get('plan.html')!;
    const mode = page.slice(page.indexOf('<div class="mode">'), page.indexOf('<div class="flow">'));
    expect(mode).toContain('<div class="sub">execution mode QUEUED</div><div class="sub">notifications: failed, succeeded → SNS topic</div>');
    // a pipeline without notifications says nothing about them, in any format
    const [doc] = loadPlans(outdir);
    const quiet = { ...doc, notifications: undefined };
    expect(renderPlanText(quiet)).not.toContain('Notifications');
    expect(renderPlanMermaid([quiet])).not.toContain('notifications');
    expect(renderPlanHtml([quiet])).not.toContain('notifications:');
  });

  test('mermaid draws the bake-time alarm check after deploy and verify (regression: drawn before the deployment)', async () => {
    const r = await cli(['plan', outdir, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('    subgraph p0_env0["staging"]');
    expect(lines.slice(from, lines.indexOf('  end', from) + 1)).toEqual([
      '    subgraph p0_env0["staging"]',
      '      p0_env0_deploy["Deploy: orders-staging"]',
      '      p0_env0_verify["Verify: Integration"]',
      '      p0_env0_deploy --> p0_env0_verify',
      `      p0_env0_bake0{{"${stagingBake}"}}`,
      '      p0_env0_verify --> p0_env0_bake0',
      '    end',
      '    p0_check_0 --> p0_env0_deploy',
      '    p0_check_1 --> p0_env0_deploy',
      '    subgraph p0_env1["prod (production)"]',
      '      p0_env1_gate0{{"deployment window: * * 8-17 ? * MON-THU (Europe/Paris)"}}',
      `      p0_env1_gate1{{"${prodEntry}"}}`,
      '      p0_env1_gate0 --> p0_env1_gate1',
      '      p0_env1_deploy["Deploy: orders-prod"]',
      '      p0_env1_gate1 --> p0_env1_deploy',
      '      p0_env1_verify["Verify: Smoke"]',
      '      p0_env1_deploy --> p0_env1_verify',
      `      p0_env1_bake0{{"${prodBake}"}}`,
      '      p0_env1_verify --> p0_env1_bake0',
      '    end',
      '    p0_env0_bake0 --> p0_env1_gate0',
      '  end',
    ]);
    expect(r.stdout).not.toMatch(/_gate\d+ --> p0_env0_deploy|bake\d+ --> p0_env\d_deploy/);
  });

  test('html shows the bake-time alarm check after deploy and verify (regression: shown with the entry gates)', async () => {
    const r = await cli(['plan', outdir, '--format', 'html', '--out', 'plan.html']);
    expect(r.code).toBe(0);
    const html = r.io.files.get('plan.html')!;
    const [doc] = loadPlans(outdir);
    const prod = html.slice(html.indexOf('<div class="step prod"><h3>prod</h3>'));
    const order = [
      '<div class="gate">deployment window: * * 8-17 ? * MON-THU (Europe/Paris)</div>',
      `<div class="gate">${prodEntry}</div>`,
      '<div class="sub">deploy</div><ul><li><strong>orders-prod</strong>',
      '<div class="sub">then verify</div><ul><li><strong>Smoke</strong>',
      `<div class="sub">then</div><div class="gate">${prodBake}</div>`,
      // what happens when the stage fails, as the text plan says (regression: only in text)
      `<div class="sub">on failure: ${doc.environments[1].onFailure}</div></div>`,
    ].map((s) => prod.indexOf(s));
    expect(doc.environments[1].onFailure).toMatch(/^ROLLBACK/);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // staging has no entry gate: the bake check alone is not one
    const staging = html.slice(html.indexOf('<div class="step"><h3>staging</h3>'), html.indexOf('<div class="step prod">'));
    expect(staging).toContain('<h3>staging</h3><div class="sub">no gate</div><div class="sub">deploy</div>');
    expect(staging).toContain(`<div class="sub">then</div><div class="gate">${stagingBake}</div><div class="sub">on failure: ${doc.environments[0].onFailure}</div></div>`);
  });

  test('text lists entry gates before deploying and the bake-time alarm check after verification', async () => {
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('prod (production)');
    expect(lines.slice(from, from + 12)).toEqual([
      'prod (production)',
      '          gate: deployment window: * * 8-17 ? * MON-THU (Europe/Paris)',
      `          gate: ${prodEntry}`,
      '          deploy:',
      '            • orders-prod: CloudFormation stack orders-prod via change set',
      '              template: template.yaml',
      '              parameters: Stage',
      '              CloudFormation role: CDK bootstrap cfn-exec role (qualifier hnb659fds)',
      '              deploy role: CDK bootstrap deploy role (qualifier hnb659fds)',
      '          then verify:',
      '            • Smoke: tests: bash scripts/smoke.sh',
      `          then ${prodBake}`,
    ]);
  });
});

describe('plan of a CDK app delivering itself (approval added by default, two-stack CDK stages)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cdk-'));
    const app = new App({ outdir });
    ordersCdkApp(app);
    app.synth();
  });

  test('"added by default" is printed once in text, mermaid and html (regression: the summary said it and the plan appended it again)', async () => {
    const text = await cli(['plan', outdir]);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')).toContain('          gate: manual approval before deploying to prod — added by default (continuous delivery)');
    const mermaid = await cli(['plan', outdir, '--format', 'mermaid']);
    expect(mermaid.stdout.split('\n')).toContain('      p0_env1_gate0{{"manual approval before deploying to prod — added by default (continuous delivery)"}}');
    const html = await cli(['plan', outdir, '--format', 'html', '--out', 'plan.html']);
    const page = html.io.files.get('plan.html')!;
    expect(page).toContain('<div class="gate">manual approval before deploying to prod — added by default (continuous delivery)</div>');
    for (const out of [text.stdout, mermaid.stdout, page]) {
      expect(out.match(/added by default/g)).toHaveLength(1);
    }
  });

  test('text shows the details of each deployment under it, as json and html do (regression: only the one-line summary)', async () => {
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('prod (production) [account 333333333333]');
    expect(lines.slice(from)).toEqual([
      'prod (production) [account 333333333333]',
      '          gate: manual approval before deploying to prod — added by default (continuous delivery)',
      '          deploy:',
      '            • Prod: CDK stage Prod: 2 stacks via change sets · 1 canary deployment',
      '              stack orders-data-prod in account 333333333333',
      '              stack orders-api-prod (after its dependencies, wave 2) in account 333333333333',
      '              Canary11957FE2: canary 10% then all after 5 min · auto-rollback on 1 alarm (CodeDeploy, during the CloudFormation update)',
      '              assets: 1 file, 0 images (published once per execution)',
      '          on failure: ROLLBACK (default)',
      '',
    ]);
    // the same details as the JSON plan
    const [doc] = JSON.parse((await cli(['plan', outdir, '--json'])).stdout);
    for (const detail of doc.environments[0].deployments[0].details) {
      expect(lines).toContain(`              ${detail}`);
    }
  });
});

describe('plan of builds, scripts and tests in a private network', () => {
  test('text shows the details of checks and verification tests (network, variables, IAM) as of deployments (regression: only their one-line summary)', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-network-'));
    const app = new App({ outdir });
    storefrontApp(app);
    app.synth();
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('          then verify:');
    expect(lines.slice(from, from + 4)).toEqual([
      '          then verify:',
      '            • Integration: tests: bash scripts/integration-tests.sh',
      '              in VPC StorefrontNetwork/Vpc, subnets private with egress, 1 new security group',
      '              env API_URL: output InternalApiUrl of stack storefront-staging',
    ]);
    // the command its summary shows is not repeated under it
    expect(lines).not.toContain('              run: bash scripts/integration-tests.sh');
  });

  test('text shows a check\'s IAM statements under it', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = new DeliveryPipeline(stack, 'P', props({
      checks: [QualityCheck.commands('Lint', ['npm run lint'], {
        rolePolicyStatements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::lint-reports/*'] })],
      })],
    }));
    const lines = renderPlanText(pipeline.describe()).split('\n');
    const at = lines.indexOf('          • Lint: commands: npm run lint');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('            may: s3:PutObject');
  });

  test('text repeats none of the commands of a check or test of several commands, which its summary shows (regression: all but the last)', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = new DeliveryPipeline(stack, 'P', props({
      checks: [QualityCheck.commands('Lint', ['npm ci', 'npm run lint'], { install: ['npm i -g eslint'] })],
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Deploy', ['bash deploy.sh'])],
        verification: [Verification.commands('Smoke', ['npm ci', 'bash scripts/smoke.sh'])],
      }],
    }));
    const lines = renderPlanText(pipeline.describe()).split('\n');
    const checks = lines.indexOf('Checks  (in parallel; each blocks the pipeline on failure)');
    expect(lines.slice(checks, checks + 5)).toEqual([
      'Checks  (in parallel; each blocks the pipeline on failure)',
      '          • Lint: commands: npm ci && npm run lint',
      '            install: npm i -g eslint',
      '   │',
      '   ▼',
    ]);
    const verify = lines.indexOf('          then verify:');
    expect(lines.slice(verify, verify + 3)).toEqual([
      '          then verify:',
      '            • Smoke: tests: npm ci && bash scripts/smoke.sh',
      '          on failure: FAIL (default)',
    ]);
  });
});

describe('plan of a self-updating pipeline (selfUpdate: true)', () => {
  test('text shows the UpdatePipeline stage after the build and before the checks (regression: only in the JSON stages)', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-self-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ selfUpdate: true, checks: [QualityCheck.dependencyAudit()], environments: [env('staging')] }));
    app.synth();
    const [doc] = loadPlans(outdir);
    expect(doc.stages!.map((st) => st.name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Checks', 'staging']);
    const r = await cli(['plan', outdir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.findIndex((l) => l.startsWith('Build   '));
    expect(lines.slice(from, from + 10)).toEqual([
      'Build   Build: CodeBuild: 1 command',
      '          install: npm ci',
      '          run: npm test',
      '          outputs: **/*',
      '   │',
      '   ▼',
      "Update  UpdatePipeline: SelfMutate deploys the pipeline's own stack from the build's cloud assembly, then restarts the execution with the updated pipeline (selfUpdate)",
      '   │',
      '   ▼',
      'Checks  (in parallel; each blocks the pipeline on failure)',
    ]);
    // mermaid and html show it in the same place
    const mermaid = renderPlanMermaid([doc]).split('\n');
    expect(mermaid).toContain("    p0_update[\"Update: UpdatePipeline (the pipeline's own stack)\"]");
    expect(mermaid).toContain('    p0_build --> p0_update');
    expect(mermaid).toContain('    p0_update --> p0_check_0');
    expect(mermaid).not.toContain('    p0_build --> p0_check_0');
    const html = renderPlanHtml([doc]);
    const at = (text: string) => html.indexOf(text);
    expect(at('<h3>UpdatePipeline</h3>')).toBeGreaterThan(at('<h3>Build</h3>'));
    expect(at('<h3>UpdatePipeline</h3>')).toBeLessThan(at('<h3>Checks'));
  });
});

describe('plan on malformed or newer assemblies', () => {
  const valid = () => JSON.parse(JSON.stringify(loadPlans(ASSEMBLY)[0]));
  const write = (manifest: unknown, extra?: { file: string; content: unknown }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-bad-'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    if (extra) fs.writeFileSync(path.join(dir, extra.file), JSON.stringify(extra.content));
    return dir;
  };
  const stackWith = (data: unknown, metadataPath = '/S/P') =>
    ({ version: '48.0.0', artifacts: { S: { type: 'aws:cloudformation:stack', metadata: { [metadataPath]: [{ type: 'cdk-delivery-pipeline:plan', data }] } } } });
  const without = (key: string) => { const p = valid(); delete p[key]; return p; };
  const noGates = () => { const p = valid(); delete p.environments[0].gates; return p; };
  /** The plan with its first deployment's fields replaced. */
  const deployment = (fields: object) => {
    const p = valid();
    Object.assign(p.environments[0].deployments[0], fields);
    return p;
  };

  test.each([
    ['data: {}', {}, "the plan of 'S/P' in MANIFEST has no formatVersion (this CLI reads format 1)"],
    ['a newer format', { formatVersion: '2', constructPath: 'S/P' }, "the plan of 'S/P' in MANIFEST was written by a newer cdk-delivery-pipeline (plan format 2; this CLI reads format 1): upgrade the CLI"],
    ['a numeric format version', { ...valid(), formatVersion: 1 }, "the plan of 'ShopPipeline/Shop' in MANIFEST has a formatVersion that is the number 1, not the string \"1\" (this CLI reads format 1)"],
    ['notifications whose events are not a list (regression: diff ended with an unexpected error)', { ...valid(), notifications: { events: 5, targets: ['sns'] } },
      "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: notifications.events must be an array of strings"],
    ['a gate whose alarms are not a list of names', { ...valid(), environments: [{ ...valid().environments[0], gates: [{ kind: 'bake-alarms', summary: 'x', alarms: 'Errors' }] }] },
      "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: environments[0].gates[0].alarms must be an array of strings"],
    ['a deployment whose account is not a string (regression: printed as [account [object Object]])',
      deployment({ account: { id: 1 } }),
      "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: environments[0].deployments[0].account must be a string"],
    ['a deployment whose gradual is not true or false',
      deployment({ gradual: 'yes' }),
      "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: environments[0].deployments[0].gradual must be true or false"],
    ['a stack name that is not a string', { ...valid(), stackName: 5 }, "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: stackName must be a string"],
    ['a pipelineNameUnresolved that is not true or false', { ...valid(), pipelineNameUnresolved: 'yes' },
      "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: pipelineNameUnresolved must be true or false"],
    ['no checks', without('checks'), "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: checks is missing"],
    ['no source', without('source'), "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: source is missing"],
    ['environments without gates', noGates(), "the plan of 'ShopPipeline/Shop' in MANIFEST is malformed: environments[0].gates is missing"],
    ['a plan that is a string', 'plan', "the plan of 'S/P' in MANIFEST is not an object"],
  ])('%s: exit 2 with one line naming the construct path', async (_name, data, message) => {
    const dir = write(stackWith(data));
    const r = await cli(['plan', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: ${message.replace('MANIFEST', path.join(dir, 'manifest.json'))}\n`);
    expect(r.stdout).toBe('');
  });

  test('a manifest that is null: exit 2 with one line', async () => {
    const dir = write(null);
    const r = await cli(['plan', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: cannot read ${path.join(dir, 'manifest.json')}: not a cloud assembly manifest (expected a JSON object)\n`);
  });

  test('null artifacts, metadata values that are not arrays and metadata files that are not maps are skipped', async () => {
    const good = stackWith(valid()).artifacts.S;
    const dir = write({
      version: '48.0.0',
      artifacts: {
        A: null,
        B: { type: 'aws:cloudformation:stack', metadata: { '/B': { type: 'cdk-delivery-pipeline:plan', data: valid() } } },
        C: { type: 'aws:cloudformation:stack', metadata: null, additionalMetadataFile: 'C.metadata.json' },
        D: { type: 'cdk:cloud-assembly', properties: { directoryName: null } },
        S: good,
      },
    }, { file: 'C.metadata.json', content: [{ type: 'cdk-delivery-pipeline:plan', data: {} }] });
    const r = await cli(['plan', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Pipeline shop-pipeline (ShopPipeline/Shop)');
    const none = await cli(['plan', write({ artifacts: { A: null, B: { metadata: { '/B': 'x' } } } })]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/^cdk-delivery: no delivery pipeline in '.*': no 'cdk-delivery-pipeline:plan' metadata in its stacks\n$/);
  });

  test('a plan in an additional metadata file is checked too, naming that file', async () => {
    const dir = write({ artifacts: { S: { type: 'aws:cloudformation:stack', additionalMetadataFile: 'S.metadata.json' } } },
      { file: 'S.metadata.json', content: { '/S/P': [{ type: 'cdk-delivery-pipeline:plan', data: { formatVersion: '3' } }] } });
    const r = await cli(['plan', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cdk-delivery: the plan of 'S/P' in ${path.join(dir, 'S.metadata.json')} was written by a newer cdk-delivery-pipeline (plan format 3; this CLI reads format 1): upgrade the CLI\n`);
  });
});
