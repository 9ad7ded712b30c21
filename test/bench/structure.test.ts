import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppKind, BenchConfig, buildApp, Variant } from '../../bench/apps';
import { criticalPath, measure, Structure } from '../../bench/measure';

/** Synthesizes one benchmark app and measures its pipeline stack. */
function structure(app: AppKind, n: number, variant: Variant = 'single', extra: Partial<BenchConfig> = {}): Structure {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    return measure(buildApp({ app, n, variant, ...extra }, outdir).synth());
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function pipelineStages(app: AppKind, n: number, variant: Variant = 'single'): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    const template = buildApp({ app, n, variant }, outdir).synth().getStackByName('PipelineStack').template;
    const pipeline: any = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::CodePipeline::Pipeline');
    return pipeline.Properties.Stages;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const actionsOf = (stage: any) => stage.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`);

describe('the three benchmark apps render the same pipeline', () => {
  test.each([1, 3])('N = %i: same stages; ours and hand-wired have the same actions per environment', (n) => {
    const ours = pipelineStages('ours', n);
    const hand = pipelineStages('handwired', n);
    const cdk = pipelineStages('cdkpipelines', n);
    const envs = Array.from({ length: n }, (_, i) => `Env${String(i + 1).padStart(2, '0')}`);
    expect(ours.map(s => s.Name)).toEqual(['Source', 'Build', ...envs]);
    expect(hand.map(s => s.Name)).toEqual(['Source', 'Build', ...envs]);
    expect(cdk.map(s => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', ...envs]);
    expect(actionsOf(ours[2])).toEqual(['Env01-Service.Prepare@1', 'Env01-Service.Deploy@2']);
    for (let i = 3; i < ours.length; i++) {
      expect(actionsOf(ours[i])).toEqual(['Approve@1', `${envs[i - 2]}-Service.Prepare@2`, `${envs[i - 2]}-Service.Deploy@3`]);
      expect(actionsOf(hand[i])).toEqual(actionsOf(ours[i]));
      // CDK Pipelines: the approval, then the change set pair of the stage's one stack.
      expect(cdk[i + 1].Actions.map((a: any) => a.ActionTypeId.Provider)).toEqual(['Manual', 'CloudFormation', 'CloudFormation']);
    }
  });

  test('ours deploys the template the stage synthesizes into the cloud assembly', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
    try {
      const assembly = buildApp({ app: 'ours', n: 1, variant: 'single' }, outdir).synth();
      const template = assembly.getStackByName('PipelineStack').template;
      const pipeline: any = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::CodePipeline::Pipeline');
      const prepare = pipeline.Properties.Stages[2].Actions[0];
      expect(prepare.Configuration.ActionMode).toBe('CHANGE_SET_REPLACE');
      expect(prepare.Configuration.StackName).toBe('Env01-Service');
      const [artifact, file] = prepare.Configuration.TemplatePath.split('::');
      expect(artifact).toBe('BuildOutput');
      // The build runs `cdk synth` into cdk.out: the path inside it must be the stage's stack template.
      expect(file).toMatch(/^cdk\.out\/assembly-Env01\/.+\.template\.json$/);
      expect(fs.existsSync(path.join(outdir, file.replace(/^cdk\.out\//, '')))).toBe(true);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the floor app (the same templates with no construct logic)', () => {
  test('writes the same cloud assembly as ours: the pipeline stack\'s template and every stage\'s', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
    try {
      const ours = buildApp({ app: 'ours', n: 3, variant: 'single' }, path.join(dir, 'ours')).synth();
      const floorTemplate = path.join(dir, 'pipeline.json');
      fs.writeFileSync(floorTemplate, JSON.stringify(ours.getStackByName('PipelineStack').template));
      const floor = buildApp({ app: 'floor', n: 3, variant: 'single', floorTemplate }, path.join(dir, 'floor')).synth();
      expect(floor.getStackByName('PipelineStack').template).toEqual(ours.getStackByName('PipelineStack').template);
      const stacks = (a: typeof ours) => a.stacksRecursively.map(st => [st.stackName, st.template]);
      expect(stacks(floor)).toEqual(stacks(ours));
      expect(stacks(ours).length).toBe(4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses to run without the template it copies', () => {
    expect(() => buildApp({ app: 'floor', n: 1, variant: 'single' })).toThrow(/floorTemplate/);
  });
});

describe('measured structure', () => {
  test.each([1, 3, 10])('N = %i: ours has at most the hand-wired app\'s resources + 2', (n) => {
    const ours = structure('ours', n);
    const hand = structure('handwired', n);
    expect(ours.resources).toBeLessThanOrEqual(hand.resources + 2);
    expect(ours.codeBuildProjects).toBe(1);
    expect(ours.stages).toBe(n + 2);
    expect(ours.actions).toBe(2 + 2 * n + (n - 1));
    expect(ours.actionsPerStage).toBe(n > 1 ? 3 : 2);
  });

  test('one CodeBuild provisioning before the first deployment (CDK Pipelines: 2, 3 with file assets)', () => {
    expect(structure('ours', 3).codeBuildToFirstDeploy).toBe(1);
    expect(structure('handwired', 3).codeBuildToFirstDeploy).toBe(1);
    const cdk = structure('cdkpipelines', 3);
    expect(cdk.codeBuildToFirstDeploy).toBe(2);
    expect(cdk.selfMutation).toBe(true);
    const cdkAssets = structure('cdkpipelines', 3, 'assets');
    expect(cdkAssets.codeBuildToFirstDeploy).toBe(3);
    expect(cdkAssets.assetStage).toBe(true);
  });

  test('file assets: ours publishes every stage\'s assets with one CodeBuild action in the Build stage (2 provisionings before the first deployment; CDK Pipelines 3)', () => {
    const ours = structure('ours', 3, 'assets');
    expect(ours.codeBuildToFirstDeploy).toBe(2);
    expect(ours.assetStage).toBe(false);
    expect(ours.codeBuildProjects).toBe(2);
    expect(ours.stages).toBe(3 + 2);
    const cdk = structure('cdkpipelines', 3, 'assets');
    expect(ours.codeBuildProjects).toBeLessThan(cdk.codeBuildProjects);
  });

  test('waves: 5 targets per environment deploy in parallel (one run order each for prepare and deploy)', () => {
    const stages = pipelineStages('ours', 2, 'waves');
    expect(actionsOf(stages[3])).toEqual([
      'Approve@1',
      ...[1, 2, 3, 4, 5].flatMap(t => [`Env02-Service${t}.Prepare@2`, `Env02-Service${t}.Deploy@3`]),
    ]);
  });

  test('one account per environment: change sets run in the environment\'s account with its CDK deploy role', () => {
    const stages = pipelineStages('ours', 2, 'multi');
    const prepare = stages[3].Actions.find((a: any) => a.Name === 'Env02-Service.Prepare');
    expect(JSON.stringify(prepare.RoleArn)).toContain('role/cdk-hnb659fds-deploy-role-222222220002-eu-west-1');
  });
});

describe('critical path', () => {
  const cb = (name: string, runOrder = 1) => ({ Name: name, RunOrder: runOrder, ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } });
  const deploy = (name: string, runOrder = 1) => ({ Name: name, RunOrder: runOrder, ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' } });

  test('parallel CodeBuild actions in one run order count once; sequential run orders count each', () => {
    const stages = [
      { Name: 'Build', Actions: [cb('Synth'), cb('Lint'), cb('Assets', 2)] },
      { Name: 'Env', Actions: [deploy('Prepare'), deploy('Deploy', 2), cb('Test', 3)] },
    ];
    expect(criticalPath(stages)).toEqual({ toFirstDeploy: 2, toEnd: 3 });
  });
});

describe('quotas', () => {
  test('48 environments with 200 targets, one account per environment: one pipeline stack under every quota', () => {
    const s = structure('ours', 48, 'multi', { totalTargets: 200 });
    expect(s.stages).toBe(50);
    expect(s.actions).toBe(2 + 47 + 400);
    expect(s.actionsPerStage).toBe(11);
    expect(s.resources).toBeLessThanOrEqual(500);
    expect(s.templateBytes).toBeLessThan(1_000_000);
    expect(s.roleInlinePolicyChars).toBeLessThan(10_240);
    expect(s.bucketPolicyBytes).toBeLessThan(20_480);
    expect(s.keyPolicyBytes).toBeLessThan(32_768);
  });

  test('48 environments with 200 targets in one account: one pipeline stack under every quota, no role per action', () => {
    // every change-set action runs as the account's CDK bootstrap deploy role, so the stack does not
    // grow with the targets (it did, by one role and one policy per action, before)
    const s = structure('ours', 48, 'single', { totalTargets: 200 });
    expect(s.stages).toBe(50);
    expect(s.actions).toBe(2 + 47 + 400);
    expect(s.resources).toBeLessThanOrEqual(500);
    expect(s.resources).toBe(structure('ours', 48, 'single').resources);
    expect(s.templateBytes).toBeLessThan(1_000_000);
    expect(s.roleInlinePolicyChars).toBeLessThan(10_240);
    expect(s.bucketPolicyBytes).toBeLessThan(20_480);
  });

  test('a CodeBuild smoke test after each deployment: 3 resources per environment for ours (5 hand-wired), all CodeBuild actions share one role', () => {
    const [ours, oursSmoke] = [structure('ours', 3), structure('ours', 3, 'single', { smokeTests: true })];
    const [hand, handSmoke] = [structure('handwired', 3), structure('handwired', 3, 'single', { smokeTests: true })];
    // a project, its service role and that role's policy; no action role or policy per CodeBuild action
    expect(oursSmoke.resources - ours.resources).toBe(3 * 3);
    expect(oursSmoke.iamRoles - ours.iamRoles).toBe(3);
    // aws-codepipeline's default: the same, plus an action role and its policy per action
    expect(handSmoke.resources - hand.resources).toBe(3 * 5);
    expect(oursSmoke.actions).toBe(handSmoke.actions);
  });

  test('5 targets in each of 48 environments (529 actions): the library\'s clear synth error, before any deployment', () => {
    expect(() => structure('ours', 48, 'waves')).toThrow(
      "'PipelineStack/Shop': environments must fit CodePipeline's quota of 500 actions per pipeline, got 529 actions. ");
  });

  test('file assets published in the build (publishAssetsInBuild): one CodeBuild provisioning before the first deployment', () => {
    const ours = structure('ours', 3, 'assets', { publishAssetsInBuild: true });
    expect(ours.codeBuildToFirstDeploy).toBe(1);
    expect(ours.codeBuildProjects).toBe(1);
    expect(ours.stages).toBe(3 + 2);
  });

  test('48 environments with file assets: still 50 stages (the asset action needs no stage of its own)', () => {
    const s = structure('ours', 48, 'assets');
    expect(s.stages).toBe(50);
    expect(s.resources).toBeLessThanOrEqual(500);
  });

  test('49 environments: the library\'s clear synth error', () => {
    expect(() => structure('ours', 49)).toThrow(
      "'PipelineStack/Shop': environments must fit CodePipeline's quota of 50 stages per pipeline (the pipeline's own 2 stages, Source and Build, leave room for at most 48 environments), "
      + 'got 49 environments. Split the environments over two pipelines, or deploy several targets per environment.');
  });

  test('26 targets in one environment (52 actions in a stage): the library\'s clear synth error', () => {
    expect(() => structure('ours', 1, 'single', { totalTargets: 26 })).toThrow(
      "'PipelineStack/Shop': environments[0] ('Env01').deployments must fit CodePipeline's quota of 50 actions per stage, got 52 actions. Split the targets over two environments.");
  });

  test('CDK Pipelines and the hand-wired app synthesize 49 environments (51+ stages) without an error', () => {
    expect(structure('cdkpipelines', 49).stages).toBe(52);
    expect(structure('handwired', 49).stages).toBe(51);
  });
});
