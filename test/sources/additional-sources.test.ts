import { Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AdditionalSource, BuildStep, DeliveryPipeline, DeploymentTarget, GitHubSourceProps, PipelineSource, ReleaseMode } from '../../src';
import { action, actionsOf, CONNECTION_ARN, env, errorOf, flat, nagFindingsAfterSynth, newStack, pipelineIn, pipelineProps } from '../util';

/** An additional GitHub source; each name gets a repository of its own (two sources watching one would start the pipeline twice). */
const config = (extra: Partial<AdditionalSource> = {}): AdditionalSource => ({
  name: 'Config',
  source: PipelineSource.gitHub({ repository: extra.name ? `acme/shop-${extra.name.toLowerCase()}` : 'acme/shop-config', connectionArn: CONNECTION_ARN }),
  ...extra,
});

/** The build project's buildspec, parsed. */
function buildSpecOf(stack: Stack): any {
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const build = Object.entries(projects).find(([id]) => id.startsWith('ShopBuildProject'));
  if (!build) throw new Error('no build project');
  return JSON.parse(flat((build[1] as any).Properties.Source.BuildSpec));
}

/** The construct paths of the stack's EventBridge rules, with the pipeline action they start. */
function eventRules(stack: Stack): string[] {
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  return Object.keys(rules).map(id => {
    const c = stack.node.findAll().find(x => (x as any).logicalId !== undefined && stack.resolve((x as any).logicalId) === id)!;
    return c.node.path;
  }).sort();
}

describe('additionalSources: the Source stage and the build', () => {
  test('each additional source is a source action of its own, with its artifact and variables namespace; the build takes them as extra inputs', () => {
    const stack = newStack();
    pipelineIn(stack, { additionalSources: [config(), config({ name: 'Scripts', source: PipelineSource.gitHub({ repository: 'acme/deploy-scripts', connectionArn: CONNECTION_ARN, branch: 'stable' }) })] });
    expect(actionsOf(stack, 'Source')).toEqual(['Source@1', 'Config@1', 'Scripts@1']);
    const a = action(stack, 'Source', 'Config');
    expect(a.ActionTypeId).toEqual({ Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' });
    expect(a.Configuration).toEqual({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'acme/shop-config', BranchName: 'main', DetectChanges: true });
    expect(a.OutputArtifacts).toEqual([{ Name: 'Config' }]);
    expect(a.Namespace).toBe('SourceVariables_Config');
    expect(action(stack, 'Source', 'Scripts').Configuration.BranchName).toBe('stable');
    // the pipeline's source is unchanged
    expect(action(stack, 'Source', 'Source')).toMatchObject({ Namespace: 'SourceVariables', OutputArtifacts: [{ Name: 'Source' }] });
    const build = action(stack, 'Build', 'Build');
    expect(build.InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'Config' }, { Name: 'Scripts' }]);
    expect(build.Configuration.PrimarySource).toBe('Source');
  });

  test('the buildspec places each source at its directory (default: its name) before the install commands', () => {
    const stack = newStack();
    pipelineIn(stack, {
      buildStep: BuildStep.commands({ install: ['npm ci'], commands: ['npm test'] }),
      additionalSources: [config(), config({ name: 'Lib', directory: 'vendor/shop-lib' })],
    });
    expect(buildSpecOf(stack).phases).toEqual({
      install: {
        commands: [
          "if [ -e 'Config' ] || [ -L 'Config' ]; then echo \"additionalSources: 'Config' exists in the pipeline's source; give the additional source 'Config' another directory\" >&2; exit 1; fi",
          'ln -s "$CODEBUILD_SRC_DIR_Config" \'Config\'',
          "if [ -e 'vendor/shop-lib' ] || [ -L 'vendor/shop-lib' ]; then echo \"additionalSources: 'vendor/shop-lib' exists in the pipeline's source; give the additional source 'Lib' another directory\" >&2; exit 1; fi",
          "mkdir -p 'vendor'",
          'ln -s "$CODEBUILD_SRC_DIR_Lib" \'vendor/shop-lib\'',
          'npm ci',
        ],
      },
      build: { commands: ['npm test'] },
    });
  });

  test('a build without install commands gets an install phase for the placement only', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['make'] }), additionalSources: [config({ directory: 'config' })] });
    expect(buildSpecOf(stack).phases.install.commands).toEqual([
      "if [ -e 'config' ] || [ -L 'config' ]; then echo \"additionalSources: 'config' exists in the pipeline's source; give the additional source 'Config' another directory\" >&2; exit 1; fi",
      'ln -s "$CODEBUILD_SRC_DIR_Config" \'config\'',
    ]);
  });

  test('a directory with dashes inside its segments is placed as given; one whose segment starts with a dash is refused before any command is written', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['make'] }), additionalSources: [config({ directory: 'shop-config/v-1' })] });
    expect(buildSpecOf(stack).phases.install.commands).toEqual([
      "if [ -e 'shop-config/v-1' ] || [ -L 'shop-config/v-1' ]; then echo \"additionalSources: 'shop-config/v-1' exists in the pipeline's source; "
        + "give the additional source 'Config' another directory\" >&2; exit 1; fi",
      "mkdir -p 'shop-config'",
      'ln -s "$CODEBUILD_SRC_DIR_Config" \'shop-config/v-1\'',
    ]);
    for (const directory of ['-cfg', 'vendor/-lib', 'vendor/--']) {
      expect(errorOf(() => pipelineIn(newStack(), { additionalSources: [config({ directory })] })))
        .toMatch(/^'PipelineStack\/Shop': additionalSources\[0\] \('Config'\)\.directory has a segment that starts with '-' \('--?[a-z]*'\), which the commands /);
    }
    expect(errorOf(() => pipelineIn(newStack(), { additionalSources: [config({ directory: 'vendor/--' })] })))
      .toMatch(/got 'vendor\/--'\. Start each segment with a letter, digit, '\.' or '_', for example 'vendor\/dir'\.$/);
  });

  test('only the build reads them: checks, deploy scripts and tests take the pipeline\'s source or the build output', () => {
    const stack = newStack();
    pipelineIn(stack, { additionalSources: [config()], environments: [env('staging')] });
    const inputs = pipelineProps(stack).Stages.flatMap((s: any) => s.Actions.map((a: any) => `${s.Name}/${a.Name}: ${(a.InputArtifacts ?? []).map((i: any) => i.Name).join(',')}`));
    expect(inputs).toEqual(['Source/Source: ', 'Source/Config: ', 'Build/Build: Source,Config', 'staging/Deploy-staging: BuildOutput,Source']);
  });

  test('the build project\'s role gets no permission more than without additional sources (the artifact bucket read covers them)', () => {
    const policyOf = (stack: Stack) => {
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      const [, policy] = Object.entries(policies).find(([id]) => id.startsWith('ShopBuildProjectRoleDefaultPolicy'))!;
      return flat((policy as any).Properties.PolicyDocument);
    };
    const without = newStack();
    pipelineIn(without);
    const withSources = newStack();
    pipelineIn(withSources, { additionalSources: [config()] });
    expect(policyOf(withSources)).toEqual(policyOf(without));
  });

  test('a pipeline with additional sources of every kind has no unsuppressed cdk-nag AwsSolutions finding', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop-config');
    const bucket = new s3.Bucket(stack, 'Drop', {
      versioned: true, enforceSSL: true, serverAccessLogsPrefix: 'logs/', blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED,
    });
    const images = ecr.Repository.fromRepositoryName(stack, 'Images', 'base');
    pipelineIn(stack, {
      additionalSources: [
        config(),
        { name: 'CodeCommitConfig', source: PipelineSource.codeCommit({ repository }) },
        { name: 'Drop', source: PipelineSource.s3({ bucket, key: 'drop.zip' }), triggersPipeline: false },
        { name: 'Base', source: PipelineSource.ecr({ repository: images }) },
      ],
    });
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.startsWith('PipelineStack/Shop'))).toEqual([]);
  });

  test.each([
    ['CONTINUOUS_INTEGRATION', ReleaseMode.CONTINUOUS_INTEGRATION, []],
    ['CONTINUOUS_DELIVERY', ReleaseMode.CONTINUOUS_DELIVERY, [env('staging'), env('prod', { production: true })]],
    ['CONTINUOUS_DEPLOYMENT', ReleaseMode.CONTINUOUS_DEPLOYMENT, [env('staging'), env('prod', { production: true, acknowledgeUnverifiedProduction: true })]],
  ])('%s: the same sources and build inputs', (_name, releaseMode, environments) => {
    const stack = newStack();
    pipelineIn(stack, { releaseMode, environments, additionalSources: [config()] });
    expect(actionsOf(stack, 'Source')).toEqual(['Source@1', 'Config@1']);
    expect(action(stack, 'Build', 'Build').InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'Config' }]);
  });

  test('without additionalSources (or with an empty list) nothing changes', () => {
    const plain = newStack();
    pipelineIn(plain);
    const empty = newStack();
    pipelineIn(empty, { additionalSources: [] });
    expect(Template.fromStack(empty).toJSON()).toEqual(Template.fromStack(plain).toJSON());
  });
});

describe('additionalSources: what starts the pipeline', () => {
  test('GitHub: triggersPipeline false turns the push detection off', () => {
    const stack = newStack();
    pipelineIn(stack, { additionalSources: [config({ triggersPipeline: false })] });
    expect(action(stack, 'Source', 'Config').Configuration.DetectChanges).toBe(false);
    expect(action(stack, 'Source', 'Source').Configuration.DetectChanges).toBe(true);
    expect(pipelineProps(stack).Triggers).toBeUndefined();
  });

  test('GitHub: an additional source\'s own push triggers filter its pushes', () => {
    const stack = newStack();
    pipelineIn(stack, {
      additionalSources: [config({
        source: PipelineSource.gitHub({ repository: 'acme/shop-config', connectionArn: CONNECTION_ARN, triggers: [{ filePathsIncludes: ['prod/**'] }] }),
      })],
    });
    expect(pipelineProps(stack).Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: { SourceActionName: 'Config', Push: [{ Branches: { Includes: ['main'] }, FilePaths: { Includes: ['prod/**'] } }] },
    }]);
  });

  test('GitHub: two sources of one connection have their own action roles, each allowed to use the connection', () => {
    const stack = newStack();
    pipelineIn(stack, { additionalSources: [config()] });
    const grants = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.PolicyDocument.Statement.some((st: any) => st.Resource === CONNECTION_ARN))
      .map((p: any) => p.Properties.Roles[0].Ref.replace(/[A-F0-9]{8}$/, ''))
      .sort();
    expect(grants).toEqual(['ShopPipelineSourceCodePipelineActionRole', 'ShopPipelineSourceConfigCodePipelineActionRole']);
  });

  test('CodeCommit: two sources of one repository, on two branches, get EventBridge rules of their own', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop');
    pipelineIn(stack, {
      source: PipelineSource.codeCommit({ repository }),
      additionalSources: [{ name: 'Other', source: PipelineSource.codeCommit({ repository, branch: 'config' }) }],
    });
    expect(eventRules(stack)).toEqual([
      'PipelineStack/Repo/PipelineStackShopPipelineACC8CC45-main-EventRule/Resource',
      'PipelineStack/Repo/PipelineStackShopPipelineACC8CC45SourceOtherEventRule/Resource',
    ]);
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((r: any) => flat(r.Properties));
    expect(rules.map(r => r.EventPattern.detail.referenceName).sort()).toEqual([['config'], ['main']]);
    for (const r of rules) expect(r.Targets[0].Arn).toBe('arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipelineA6CBAD3A>');
    for (const name of ['Source', 'Other']) expect(action(stack, 'Source', name).Configuration.PollForSourceChanges).toBe(false);
  });

  test('two sources that start the pipeline on the same changes are refused: each push would start two executions', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop');
    expect(errorOf(() => pipelineIn(stack, {
      source: PipelineSource.codeCommit({ repository }),
      additionalSources: [{ name: 'Same', source: PipelineSource.codeCommit({ repository }) }],
    }))).toBe("'PipelineStack/Shop': additionalSources[0] ('Same').source starts the pipeline on the same changes as source (shop@main (CodeCommit)), "
      + 'so each change would start two executions, got shop@main (CodeCommit). Set triggersPipeline: false on the additional source '
      + '(every execution reads its newest revision anyway), or remove it.');
    // two additional sources of one GitHub repository and branch (names compare ignoring case)
    expect(errorOf(() => pipelineIn(newStack(), {
      additionalSources: [
        { name: 'A', source: PipelineSource.gitHub({ repository: 'acme/lib', connectionArn: CONNECTION_ARN }) },
        { name: 'B', source: PipelineSource.gitHub({ repository: 'Acme/Lib', connectionArn: CONNECTION_ARN }) },
      ],
    }))).toContain("additionalSources[1] ('B').source starts the pipeline on the same changes as additionalSources[0] ('A') (acme/lib@main (CodeConnections))");
    // read but not watched: fine
    const ok = newStack();
    const repo = codecommit.Repository.fromRepositoryName(ok, 'Repo', 'shop');
    pipelineIn(ok, { source: PipelineSource.codeCommit({ repository: repo }), additionalSources: [{ name: 'Same', source: PipelineSource.codeCommit({ repository: repo }), triggersPipeline: false }] });
    expect(eventRules(ok)).toEqual(['PipelineStack/Repo/PipelineStackShopPipelineACC8CC45-main-EventRule/Resource']);
  });

  describe('push triggers decide which pushes start the pipeline, so two sources of one repository are compared ref by ref', () => {
    const shop = (extra: Partial<GitHubSourceProps> = {}) => PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, ...extra });
    const release = [{ branchesIncludes: ['release/*'] }];

    test('a branch the other source\'s triggers leave out starts one execution: accepted (regression: refused)', () => {
      const stack = newStack();
      pipelineIn(stack, { source: shop({ triggers: release }), additionalSources: [{ name: 'Main', source: shop() }] });
      expect(action(stack, 'Source', 'Main').Configuration).toMatchObject({ FullRepositoryId: 'acme/shop', BranchName: 'main', DetectChanges: true });
      expect(pipelineProps(stack).Triggers).toEqual([{
        GitConfiguration: { Push: [{ Branches: { Includes: ['release/*'] } }], SourceActionName: 'Source' }, ProviderType: 'CodeStarSourceConnection',
      }]);
      // excluded from the triggers: one execution too
      pipelineIn(newStack(), {
        source: shop({ triggers: [{ branchesIncludes: ['release/*'], branchesExcludes: ['release/1'] }] }),
        additionalSources: [{ name: 'Rel', source: shop({ branch: 'release/1' }) }],
      });
    });

    test('a branch both start on is refused, naming it (regression: accepted, each push to it started two executions)', () => {
      expect(errorOf(() => pipelineIn(newStack(), { source: shop({ triggers: release }), additionalSources: [{ name: 'Rel', source: shop({ branch: 'release/1' }) }] })))
        .toBe("'PipelineStack/Shop': additionalSources[0] ('Rel').source starts the pipeline on pushes that source (acme/shop (CodeConnections, triggers: release/*)) "
          + "starts it on too: a push to branch 'release/1' would start two executions, got acme/shop@release/1 (CodeConnections). "
          + 'Set triggersPipeline: false on the additional source (every execution reads its newest revision anyway), '
          + 'exclude the branch from the triggers of one of them (branchesExcludes), or remove it.');
      // two sets of patterns that share branches, and tags
      expect(errorOf(() => pipelineIn(newStack(), {
        source: shop({ triggers: release }),
        additionalSources: [{ name: 'Hot', source: shop({ triggers: [{ branchesIncludes: ['hotfix/*', 'release/**'] }] }) }],
      }))).toContain("starts it on too: a push to branch 'release/x' would start two executions");
      expect(errorOf(() => pipelineIn(newStack(), {
        source: shop({ triggers: [{ tagsIncludes: ['v*'] }] }),
        additionalSources: [{ name: 'Rc', source: shop({ triggers: [{ tagsIncludes: ['*-rc'] }] }) }],
      }))).toContain("starts it on too: a push of tag 'v-rc' would start two executions, got acme/shop (CodeConnections, triggers: tags *-rc). "
        + 'Set triggersPipeline: false on the additional source (every execution reads its newest revision anyway), '
        + 'exclude the tag from the triggers of one of them (tagsExcludes), or remove it.');
    });

    test('an exclude that removes one shared tag does not hide another (regression: v[0-9]* without v0* beside v* was accepted; tag v1.0.0 started two executions)', () => {
      expect(errorOf(() => pipelineIn(newStack(), {
        source: shop({ triggers: [{ tagsIncludes: ['v[0-9]*'], tagsExcludes: ['v0*'] }] }),
        additionalSources: [{ name: 'Docs', source: shop({ triggers: [{ tagsIncludes: ['v*'] }] }), directory: 'docs-src' }],
      }))).toBe("'PipelineStack/Shop': additionalSources[0] ('Docs').source starts the pipeline on pushes that source (acme/shop (CodeConnections, "
        + "triggers: tags v[0-9]*)) starts it on too: a push of tag 'v1' would start two executions, got acme/shop (CodeConnections, triggers: tags v*). "
        + 'Set triggersPipeline: false on the additional source (every execution reads its newest revision anyway), '
        + 'exclude the tag from the triggers of one of them (tagsExcludes), or remove it.');
      // excludes that remove every shared tag: one execution per push
      const stack = newStack();
      pipelineIn(stack, {
        source: shop({ triggers: [{ tagsIncludes: ['v[0-9]*'], tagsExcludes: ['v[0-4]*'] }] }),
        additionalSources: [{ name: 'Docs', source: shop({ triggers: [{ tagsIncludes: ['v[0-4]*'] }] }), directory: 'docs-src' }],
      });
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('possibleDoubleStart'))).toEqual([]);
    });

    test('a pair that cannot be decided at synth (a token pattern) is accepted with a warning naming both sources and their patterns', () => {
      const stack = newStack();
      const tag = Lazy.string({ produce: () => 'v*' });
      pipelineIn(stack, {
        source: shop({ triggers: [{ tagsIncludes: ['v[0-9]*'], tagsExcludes: ['v0*'] }] }),
        additionalSources: [{ name: 'Docs', source: shop({ triggers: [{ tagsIncludes: [tag] }] }), directory: 'docs-src' }],
      });
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('possibleDoubleStart')).map(w => w.entry.data);
      expect(warnings).toEqual([
        `additionalSources[0] ('Docs') (acme/shop (CodeConnections, triggers: tags ${tag}), tagsIncludes ['${tag}']) and source `
        + "(acme/shop (CodeConnections, triggers: tags v[0-9]*), tagsIncludes ['v[0-9]*'], tagsExcludes ['v0*']) may both start the pipeline on one push: "
        + 'whether a ref matches both could not be decided at synth (a pattern is a token or is not a glob this compares), and a push both match starts '
        + "two executions. Set triggersPipeline: false on the additional source, or make the patterns plain strings that exclude each other's refs. "
        + '[ack: delivery-pipeline:possibleDoubleStart]',
      ]);
    });

    test('triggers on different refs, or on tags beside pushes to a branch, are accepted; a source that does not start the pipeline is not compared', () => {
      pipelineIn(newStack(), { source: shop({ triggers: release }), additionalSources: [{ name: 'Hot', source: shop({ triggers: [{ branchesIncludes: ['hotfix/*'] }] }) }] });
      pipelineIn(newStack(), { source: shop({ triggers: [{ tagsIncludes: ['v*'] }] }), additionalSources: [{ name: 'Main', source: shop() }] });
      pipelineIn(newStack(), { source: shop({ triggers: release }), additionalSources: [{ name: 'Rel', source: shop({ branch: 'release/1' }), triggersPipeline: false }] });
    });
  });

  test('CodeCommit: triggersPipeline false creates no rule', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop-config');
    pipelineIn(stack, { additionalSources: [{ name: 'Config', source: PipelineSource.codeCommit({ repository }), triggersPipeline: false }] });
    expect(eventRules(stack)).toEqual([]);
    expect(action(stack, 'Source', 'Config').Configuration).toEqual({ RepositoryName: 'shop-config', BranchName: 'main', PollForSourceChanges: false });
  });

  test('S3: polls like the pipeline\'s source, or not at all with triggersPipeline false', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Drop', { versioned: true });
    pipelineIn(stack, {
      additionalSources: [
        { name: 'Polled', source: PipelineSource.s3({ bucket, key: 'a.zip' }) },
        { name: 'Read', source: PipelineSource.s3({ bucket, key: 'b.zip' }), triggersPipeline: false },
      ],
    });
    expect(action(stack, 'Source', 'Polled').Configuration.PollForSourceChanges).toBeUndefined();
    expect(action(stack, 'Source', 'Read').Configuration.PollForSourceChanges).toBe(false);
  });

  test('ECR: the push rule of an additional source lives under its own action', () => {
    const stack = newStack();
    const images = ecr.Repository.fromRepositoryName(stack, 'Images', 'base');
    pipelineIn(stack, { source: PipelineSource.ecr({ repository: images }), additionalSources: [{ name: 'Base', source: PipelineSource.ecr({ repository: images, tag: 'stable' }) }] });
    expect(eventRules(stack)).toEqual([
      'PipelineStack/Shop/Pipeline/Source/Base/PipelineStackShopPipelineACC8CC45SourceEventRule/Resource',
      'PipelineStack/Shop/Pipeline/Source/Source/PipelineStackShopPipelineACC8CC45SourceEventRule/Resource',
    ]);
  });
});

describe('additionalSources: the plan', () => {
  test('describes each source with its directory and whether it starts the pipeline, and its action in the Source stage', () => {
    const stack = newStack();
    const plan = pipelineIn(stack, { additionalSources: [config({ directory: 'config', triggersPipeline: false })] }).describe();
    expect(plan.additionalSources).toEqual([{
      name: 'Config',
      kind: 'GitHub',
      summary: 'acme/shop-config@main (CodeConnections)',
      repository: 'acme/shop-config',
      branch: 'main',
      triggers: ['does not start the pipeline (read when another source starts it)'],
      startsOn: [],
      directory: 'config',
      triggersPipeline: false,
    }]);
    expect(plan.stages[0]).toEqual({ name: 'Source', actions: [{ name: 'Source', runOrder: 1, kind: 'source-github' }, { name: 'Config', runOrder: 1, kind: 'source-github' }] });
  });

  test('a pipeline without additional sources has no additionalSources field', () => {
    expect('additionalSources' in pipelineIn(newStack()).describe()).toBe(false);
  });
});

describe('additionalSources: quotas and builds they cannot join', () => {
  test('the source actions count toward the 500 actions of a pipeline', () => {
    const commands = (n: number) => Array.from({ length: n }, (_, j) => DeploymentTarget.commands(`t${j}`, ['./deploy.sh']));
    // 2 (source, build) + 4 additional sources + 19 x 25 + 19 = 500
    const environments = [...Array.from({ length: 19 }, (_, i) => ({ name: `e${i}`, deployments: commands(25) })), { name: 'last', deployments: commands(19) }];
    const sources = Array.from({ length: 4 }, (_, i) => config({ name: `S${i}` }));
    expect(() => pipelineIn(newStack(), { environments, additionalSources: sources })).not.toThrow();
    const past = [...environments.slice(0, 19), { name: 'last', deployments: commands(20) }];
    expect(errorOf(() => pipelineIn(newStack(), { environments: past, additionalSources: sources }))).toBe(
      "'PipelineStack/Shop': environments must fit CodePipeline's quota of 500 actions per pipeline, got 501 actions. Split the environments over two pipelines, or deploy fewer targets per environment.");
  });

  test('a Windows build cannot place them', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      buildStep: BuildStep.commands({ commands: ['build.cmd'], buildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0, computeType: codebuild.ComputeType.MEDIUM }),
      additionalSources: [config()],
    }))).toBe("'PipelineStack/Shop': additionalSources are placed at their directories with sh commands (ln -s), which the build's Windows image "
      + "cannot run; the image comes from buildStep.buildImage, got 'aws/codebuild/windows-base:2019-3.0'. Give the build a Linux image such as "
      + 'codebuild.LinuxBuildImage.STANDARD_7_0, or leave additionalSources out.');
  });

  test('a DeliveryPipeline built from JavaScript with additionalSources passes them to the model', () => {
    const stack = newStack();
    const pipeline = new DeliveryPipeline(stack, 'Shop', {
      source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN }),
      buildStep: BuildStep.commands({ commands: ['make'] }),
      additionalSources: [config()],
    });
    expect(pipeline.describe().additionalSources?.map(a => `${a.name} at ${a.directory}`)).toEqual(['Config at Config']);
  });
});
