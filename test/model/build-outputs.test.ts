import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BuildStep, DeliveryPipeline, DeploymentArtifact, DeploymentTarget } from '../../src';
import { globToRegExp } from '../../src/model/build-outputs';
import { action, buildSpecOf, errorOf, newApp, newStack, pipelineIn, pipelineProps, props } from '../util';

function buildWith(outputs?: string[], outputDirectory?: string): BuildStep {
  return BuildStep.commands({ commands: ['npm ci', 'npx cdk synth'], outputs, outputDirectory });
}

/** The pipeline's stack and one stage with one stack, in one app. */
function appWithStage() {
  const app = newApp();
  const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const stage = new Stage(app, 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } });
  new ssm.StringParameter(new Stack(stage, 'Api', { stackName: 'shop-api-staging' }), 'Setting', { stringValue: 'x' });
  return { stack, stage };
}

describe('globToRegExp: CodeBuild artifact globs', () => {
  test.each([
    ['**/*', 'cdk.out/assembly-Staging/Api.template.json', true],
    ['**/*', 'appspec.yml', true],
    ['cdk.out/**/*', 'cdk.out/assembly-Staging/Api.template.json', true],
    ['cdk.out/**/*', 'cdk.out/PipelineStack.template.json', true],
    ['cdk.out/*', 'cdk.out/PipelineStack.template.json', true],
    ['cdk.out/*', 'cdk.out/assembly-Staging/Api.template.json', false],
    ['./cdk.out/**/*', 'cdk.out/x.json', true],
    ['cdk.out/**', 'cdk.out/a/b.json', true],
    ['dist/**/*', 'cdk.out/x.json', false],
    ['*.json', 'taskdef.json', true],
    ['*.json', 'cdk.out/x.json', false],
    ['appspec.y?l', 'appspec.yml', true],
    ['{taskdef,appspec}.*', 'appspec.yaml', true],
    ['[ab]ppspec.yml', 'appspec.yml', true],
    ['cdk.out/**/*.template.json', 'cdk.out/assembly-Staging/Api.template.json', true],
    ['cdk.out/**/*.template.json', 'cdk.out/assembly-Staging/Api.assets.json', false],
  ])('%s matches %s: %s', (glob, file, matches) => {
    expect(globToRegExp(glob)!.test(file)).toBe(matches);
  });

  test('a negated glob is not modelled (the check then assumes it may match)', () => {
    expect(globToRegExp('!dist/**')).toBeUndefined();
  });
});

describe('the build output keeps what the deployments read', () => {
  test('a CloudFormation target whose template the outputs leave out is refused, naming both fields and the glob to add', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: buildWith(['dist/**/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out/shop.template.json' })] }],
    }))).toBe("'PipelineStack/Shop': buildStep.outputs must keep the template of stack 'shop-staging', which environments[0] ('staging').deployments[0].templatePath reads "
      + "from the build output; no glob matches 'cdk.out/shop.template.json', got 'dist/**/*'. Add 'cdk.out/**/*' to buildStep.outputs, or leave outputs out to keep every file.");
  });

  test('a CDK stage whose nested assembly the outputs leave out (cdk.out/* is not recursive) is refused', () => {
    const { stack, stage } = appWithStage();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({
      buildStep: buildWith(['cdk.out/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }],
    })))).toMatch(new RegExp("^'PipelineStack/Shop': buildStep\\.outputs must keep the template of stack 'shop-api-staging', which "
      + "environments\\[0\\] \\('staging'\\)\\.deployments\\[0\\]\\.cloudAssemblyDirectory reads from the build output; no glob matches 'cdk\\.out/assembly-Staging/StagingApi[A-Z0-9]*\\.template\\.json'"));
  });

  test('a CDK stage with the outputs that keep the cloud assembly, or with the default outputs, is accepted', () => {
    for (const outputs of [['cdk.out/**/*'], undefined, ['dist/**/*', 'cdk.out/**/*.json']]) {
      const { stack, stage } = appWithStage();
      new DeliveryPipeline(stack, 'Shop', props({ buildStep: buildWith(outputs), environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
      expect(pipelineProps(stack).Stages.map((s: any) => s.Name)).toEqual(['Source', 'Build', 'staging']);
    }
  });

  test('the asset-publishing action needs the manifests and the asset files in the build output; a build that publishes them itself does not', () => {
    const withAsset = () => {
      const { stack, stage } = appWithStage();
      new s3assets.Asset(Stack.of(stage.node.findAll().find(c => c instanceof ssm.StringParameter)!), 'Code', { path: path.join(__dirname, '..', 'deploy', 'docker-asset') });
      return { stack, stage };
    };
    const a = withAsset();
    expect(errorOf(() => new DeliveryPipeline(a.stack, 'Shop', props({
      buildStep: buildWith(['cdk.out/**/*.json']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(a.stage)] }],
    })))).toMatch(new RegExp("^'PipelineStack/Shop': buildStep\\.outputs must keep the asset asset\\.[0-9a-f]{64} of stage 'Staging', which "
      + "environments\\[0\\] \\('staging'\\)\\.deployments\\[0\\]\\.cloudAssemblyDirectory reads from the build output; no glob matches "
      + "'cdk\\.out/asset\\.[0-9a-f]{64}/Dockerfile', got 'cdk\\.out/\\*\\*/\\*\\.json'\\. Add 'cdk\\.out/\\*\\*/\\*' to buildStep\\.outputs"));

    const b = withAsset();
    new DeliveryPipeline(b.stack, 'Shop', props({
      publishAssetsInBuild: true,
      buildStep: buildWith(['cdk.out/**/*.json']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(b.stage)] }],
    }));
    expect(pipelineProps(b.stack).Stages.map((s: any) => s.Name)).toEqual(['Source', 'Build', 'staging']);
  });

  test('a path that repeats the outputDirectory is refused: the artifact holds paths relative to it', () => {
    const { stack, stage } = appWithStage();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({
      buildStep: buildWith(undefined, 'infra'),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage, { cloudAssemblyDirectory: 'infra/cdk.out' })] }],
    })))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[0].cloudAssemblyDirectory names the template of stack 'shop-api-staging' with the build's "
      + "outputDirectory 'infra' in front, but the build output holds paths relative to that directory, got 'infra/cdk.out'. Pass 'cdk.out'.");
  });

  test('a build output that is the cloud assembly itself (outputDirectory \'cdk.out\' or \'infra/cdk.out\') is read from its root, for the stages and the self-update', () => {
    for (const outputDirectory of ['cdk.out', 'infra/cdk.out', './infra/cdk.out/']) {
      const { stack, stage } = appWithStage();
      new DeliveryPipeline(stack, 'Shop', props({
        selfUpdate: true,
        buildStep: buildWith(undefined, outputDirectory),
        environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }],
      }));
      const stages = pipelineProps(stack).Stages;
      // regression: 'cdk.out/PipelineStack.template.json', which the artifact of 'infra/cdk.out' does not hold
      expect(stages.find((s: any) => s.Name === 'UpdatePipeline').Actions[0].Configuration.TemplatePath).toBe('BuildOutput::PipelineStack.template.json');
      expect(stages.find((s: any) => s.Name === 'staging').Actions[0].Configuration.TemplatePath).toMatch(/^BuildOutput::assembly-Staging\/StagingApi[A-Z0-9]*\.template\.json$/);
    }
    // a self-update alone (no CDK stage to name the directory) reads it the same way
    const alone = newStack();
    pipelineIn(alone, { selfUpdate: true, buildStep: buildWith(undefined, 'infra/cdk.out') });
    expect(pipelineProps(alone).Stages.find((s: any) => s.Name === 'UpdatePipeline').Actions[0].Configuration.TemplatePath).toBe('BuildOutput::PipelineStack.template.json');
    // an output directory holding the assembly below it keeps cdk.out/
    const below = appWithStage();
    new DeliveryPipeline(below.stack, 'Shop', props({
      selfUpdate: true, buildStep: buildWith(undefined, 'infra'), environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(below.stage)] }],
    }));
    expect(pipelineProps(below.stack).Stages.find((s: any) => s.Name === 'UpdatePipeline').Actions[0].Configuration.TemplatePath)
      .toBe('BuildOutput::cdk.out/PipelineStack.template.json');
    // naming the directory with the output directory in front is refused with the fix
    const other = appWithStage();
    expect(errorOf(() => new DeliveryPipeline(other.stack, 'Shop', props({
      buildStep: buildWith(undefined, 'cdk.out'),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(other.stage, { cloudAssemblyDirectory: 'cdk.out' })] }],
    })))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[0].cloudAssemblyDirectory names the template of stack 'shop-api-staging' with the build's "
      + "outputDirectory 'cdk.out' in front, but the build output holds paths relative to that directory, got 'cdk.out'. Pass '.'.");
  });

  test('cloudAssemblyDirectory written with \'\\\' or as a glob is refused (regression: rendered as a template path CodePipeline cannot find)', () => {
    const attempt = (cloudAssemblyDirectory: string) => {
      const { stack, stage } = appWithStage();
      return errorOf(() => new DeliveryPipeline(stack, 'Shop', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage, { cloudAssemblyDirectory })] }] })));
    };
    const f = "'PipelineStack/Shop': environments[0] ('staging').deployments[0].cloudAssemblyDirectory";
    expect(attempt('infra\\cdk.out')).toBe(`${f} separates directories with '\\', but CodePipeline reads paths inside the build artifact with '/' only, got 'infra\\cdk.out'. `
      + "Pass 'infra/cdk.out'.");
    expect(attempt('cdk.out/**')).toBe(`${f} is a glob, but the actions read the templates from one directory, got 'cdk.out/**'. `
      + "Pass the directory the build's 'cdk synth' writes, relative to the build output, for example 'cdk.out'.");
  });

  test('an EC2/on-premises CodeDeploy revision from the build output needs appspec.yml in the outputs; from the source it does not', () => {
    const stack = newStack();
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Group', {
      application: codedeploy.ServerApplication.fromServerApplicationName(stack, 'App', 'shop'), deploymentGroupName: 'shop-fleet',
    });
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: buildWith(['dist/**/*', 'scripts/**/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group)] }],
    }))).toContain("buildStep.outputs must keep the CodeDeploy revision's appspec.yml, which environments[0] ('staging').deployments[0].input reads from the build output; "
      + "no glob matches 'appspec.yml', got 'dist/**/*', 'scripts/**/*'. Add 'appspec.yml' to buildStep.outputs");
    const other = newStack();
    const group2 = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(other, 'Group', {
      application: codedeploy.ServerApplication.fromServerApplicationName(other, 'App', 'shop'), deploymentGroupName: 'shop-fleet',
    });
    pipelineIn(other, {
      buildStep: buildWith(['dist/**/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.codeDeployServer(group2, { input: DeploymentArtifact.SOURCE })] }],
    });
    expect(pipelineProps(other).Stages[2].Actions[0].InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('ECS blue/green: the task definition, the AppSpec and (with containerImage BUILD_OUTPUT) imageDetail.json must be kept', () => {
    const group = (s: Stack) => codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(s, 'Bg', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(s, 'App', 'shop'), deploymentGroupName: 'shop-bg',
    });
    const s1 = newStack();
    expect(errorOf(() => pipelineIn(s1, {
      buildStep: buildWith(['taskdef.json']),
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(group(s1), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' })] }],
    }))).toContain("buildStep.outputs must keep the AppSpec template, which environments[0] ('prod').deployments[0].appSpecTemplate reads");
    const s2 = newStack();
    expect(errorOf(() => pipelineIn(s2, {
      buildStep: buildWith(['taskdef.json', 'appspec.yaml']),
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.codeDeployEcs(group(s2), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage: DeploymentArtifact.BUILD_OUTPUT })],
      }],
    }))).toContain("buildStep.outputs must keep the image details file (imageDetail.json), which environments[0] ('prod').deployments[0].containerImage reads");
  });

  test('ECS rolling: the image definitions file must be kept', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'shop', vpc: undefined as any });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Svc', { cluster, serviceName: 'shop-web' });
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: buildWith(['dist/**/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service, { imageDefinitionsFile: 'out/imagedefinitions.json' })] }],
    }))).toContain("buildStep.outputs must keep the image definitions file, which environments[0] ('staging').deployments[0].imageDefinitionsFile reads from the build output; "
      + "no glob matches 'out/imagedefinitions.json', got 'dist/**/*'. Add 'out/**/*' to buildStep.outputs");
  });

  test('selfUpdate reads the pipeline stack\'s template from the CDK stages\' cloud assembly directory', () => {
    const { stack, stage } = appWithStage();
    new DeliveryPipeline(stack, 'Shop', props({
      selfUpdate: true,
      buildStep: buildWith(['infra/cdk.out/**/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage, { cloudAssemblyDirectory: 'infra/cdk.out' })] }],
    }));
    const update = pipelineProps(stack).Stages.find((s: any) => s.Name === 'UpdatePipeline');
    expect(update.Actions[0].Configuration.TemplatePath).toBe('BuildOutput::infra/cdk.out/PipelineStack.template.json');
  });

  describe('outputs that keep the cloud assembly below a directory (a monorepo whose cdk synth runs in infra/)', () => {
    const monorepoBuild = (outputDirectory?: string) =>
      BuildStep.commands({ commands: ['cd infra && npx cdk synth'], outputs: ['infra/cdk.out/**/*'], outputDirectory });

    test('selfUpdate points to outputDirectory, not to a glob for the path it reads or to leaving outputs out', () => {
      const stack = newStack();
      expect(errorOf(() => pipelineIn(stack, { selfUpdate: true, buildStep: monorepoBuild() }))).toBe(
        "'PipelineStack/Shop': buildStep.outputs must keep the pipeline stack's template, which selfUpdate reads from the build output; "
        + "no glob matches 'cdk.out/PipelineStack.template.json', got 'infra/cdk.out/**/*'. The outputs keep it as 'infra/cdk.out/PipelineStack.template.json': "
        + "set buildStep.outputDirectory: 'infra' and make outputs relative to it (['cdk.out/**/*'], or leave them out to keep every file of 'infra'): "
        + "the build output then holds 'cdk.out/PipelineStack.template.json'.");
    });

    test('an outputDirectory already set is joined with the directory the outputs name', () => {
      expect(errorOf(() => pipelineIn(newStack(), { selfUpdate: true, buildStep: monorepoBuild('packages') })))
        .toContain("set buildStep.outputDirectory: 'packages/infra' and make outputs relative to it (['cdk.out/**/*'], or leave them out to keep every file of 'packages/infra')");
    });

    test('the settings the fix names deploy the pipeline stack\'s template from where the build writes it', () => {
      for (const outputs of [['cdk.out/**/*'], undefined]) {
        const stack = newStack();
        pipelineIn(stack, { selfUpdate: true, buildStep: BuildStep.commands({ commands: ['cd infra && npx cdk synth'], outputs, outputDirectory: 'infra' }) });
        expect(action(stack, 'UpdatePipeline', 'SelfMutate').Configuration.TemplatePath).toBe('BuildOutput::cdk.out/PipelineStack.template.json');
        expect(buildSpecOf(stack).artifacts).toEqual({ 'files': outputs ?? ['**/*'], 'base-directory': 'infra' });
      }
    });

    test('a CDK stage is pointed to cloudAssemblyDirectory, which the self-update follows', () => {
      const { stack, stage } = appWithStage();
      expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({
        selfUpdate: true, buildStep: monorepoBuild(), environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }],
      })))).toMatch(new RegExp("no glob matches 'cdk\\.out/assembly-Staging/StagingApi[A-Z0-9]*\\.template\\.json', got 'infra/cdk\\.out/\\*\\*/\\*'\\. "
        + "The outputs keep it as 'infra/cdk\\.out/assembly-Staging/StagingApi[A-Z0-9]*\\.template\\.json': "
        + "pass 'infra/cdk\\.out' to environments\\[0\\] \\('staging'\\)\\.deployments\\[0\\]\\.cloudAssemblyDirectory\\.$"));
      const fixed = appWithStage();
      new DeliveryPipeline(fixed.stack, 'Shop', props({
        selfUpdate: true,
        buildStep: monorepoBuild(),
        environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(fixed.stage, { cloudAssemblyDirectory: 'infra/cdk.out' })] }],
      }));
      expect(action(fixed.stack, 'UpdatePipeline', 'SelfMutate').Configuration.TemplatePath).toBe('BuildOutput::infra/cdk.out/PipelineStack.template.json');
    });

    test('with selfUpdate, a CloudFormation target is pointed to outputDirectory too: the fixes agree, and following them synthesizes '
      + '(regression: templatePath, then outputDirectory, then templatePath back again)', () => {
      const E = { account: '111111111111', region: 'eu-west-1' };
      const attempt = (templatePath: string, build: { outputs: string[]; outputDirectory?: string }) => {
        const stack = new Stack(newApp(), 'ShopPipeline', { env: E });
        pipelineIn(stack, {
          selfUpdate: true,
          buildStep: BuildStep.commands({ commands: ['cd infra && npx cdk synth'], ...build }),
          environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath })] }],
        });
        return stack;
      };
      const move = "set buildStep.outputDirectory: 'infra' and make outputs relative to it (['cdk.out/**/*'], or leave them out to keep every file of 'infra')";
      expect(errorOf(() => attempt('cdk.out/ShopStaging.template.json', { outputs: ['infra/cdk.out/**/*'] }))).toBe(
        "'ShopPipeline/Shop': buildStep.outputs must keep the template of stack 'shop-staging', which environments[0] ('staging').deployments[0].templatePath "
        + "reads from the build output; no glob matches 'cdk.out/ShopStaging.template.json', got 'infra/cdk.out/**/*'. "
        + `The outputs keep it as 'infra/cdk.out/ShopStaging.template.json': ${move}: the build output then holds 'cdk.out/ShopStaging.template.json'.`);
      // following it: both the target and the self-update read from where the build writes them
      const fixed = attempt('cdk.out/ShopStaging.template.json', { outputs: ['cdk.out/**/*'], outputDirectory: 'infra' });
      expect(action(fixed, 'staging', 'shop-staging.Prepare').Configuration.TemplatePath).toBe('BuildOutput::cdk.out/ShopStaging.template.json');
      expect(action(fixed, 'UpdatePipeline', 'SelfMutate').Configuration.TemplatePath).toBe('BuildOutput::cdk.out/ShopPipeline.template.json');
      // a templatePath already pointed below the directory: outputDirectory, then the path relative to it
      expect(errorOf(() => attempt('infra/cdk.out/ShopStaging.template.json', { outputs: ['infra/cdk.out/**/*'] }))).toContain(move);
      expect(errorOf(() => attempt('infra/cdk.out/ShopStaging.template.json', { outputs: ['cdk.out/**/*'], outputDirectory: 'infra' })))
        .toContain("Pass 'cdk.out/ShopStaging.template.json'.");
    });

    test('a CloudFormation target is pointed to the path the outputs keep', () => {
      expect(errorOf(() => pipelineIn(newStack(), {
        buildStep: monorepoBuild(),
        environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out/ShopStaging.template.json' })] }],
      }))).toBe("'PipelineStack/Shop': buildStep.outputs must keep the template of stack 'shop-staging', which environments[0] ('staging').deployments[0].templatePath "
        + "reads from the build output; no glob matches 'cdk.out/ShopStaging.template.json', got 'infra/cdk.out/**/*'. "
        + "The outputs keep it as 'infra/cdk.out/ShopStaging.template.json': pass 'infra/cdk.out/ShopStaging.template.json' to environments[0] ('staging').deployments[0].templatePath.");
    });
  });

  test('selfUpdate refuses outputs without the pipeline stack\'s template, and CDK stages that name two cloud assembly directories', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      selfUpdate: true,
      buildStep: buildWith(['dist/**/*']),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'])] }],
    }))).toBe("'PipelineStack/Shop': buildStep.outputs must keep the pipeline stack's template, which selfUpdate reads from the build output; "
      + "no glob matches 'cdk.out/PipelineStack.template.json', got 'dist/**/*'. Add 'cdk.out/**/*' to buildStep.outputs, or leave outputs out to keep every file.");

    const { stack: s2, stage } = appWithStage();
    const prod = new Stage(stage.node.root as any, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    new ssm.StringParameter(new Stack(prod, 'Api', { stackName: 'shop-api-prod' }), 'Setting', { stringValue: 'x' });
    expect(errorOf(() => new DeliveryPipeline(s2, 'Shop', props({
      selfUpdate: true,
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.cdkStage(stage, { cloudAssemblyDirectory: 'infra/cdk.out' })] },
        { name: 'prod', deployments: [DeploymentTarget.cdkStage(prod)] },
      ],
    })))).toBe("'PipelineStack/Shop': environments[1] ('prod').deployments[0].cloudAssemblyDirectory differs from environments[0] ('staging').deployments[0].cloudAssemblyDirectory "
      + "('infra/cdk.out'), but one 'cdk synth' writes the pipeline's stack and every stage into one cloud assembly, got 'cdk.out'. "
      + "Pass 'infra/cdk.out' to both, the directory the build's 'cdk synth' writes.");
  });
});
