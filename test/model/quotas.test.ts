import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { DockerImageAsset } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { DeliveryPipeline, DeploymentTarget, QualityCheck, ReleaseMode } from '../../src';
import { policySize } from '../../src/pipeline/render/rendered-quotas';
import { templateSizeBound } from '../../src/pipeline/render/template-size';
import { env as environment, errorOf, newApp, newStack, pipelineIn, pipelineProps, props } from '../util';

const commands = (n: number) => Array.from({ length: n }, (_, j) => DeploymentTarget.commands(`t${j}`, ['./deploy.sh']));

describe('quotas', () => {
  test('50 actions in a stage are fine; 51 are refused before rendering', () => {
    const stack = newStack();
    expect(() => pipelineIn(stack, { environments: [{ name: 'wide', deployments: commands(50) }] })).not.toThrow();
    expect(errorOf(() => pipelineIn(newStack(), { environments: [{ name: 'wide', deployments: commands(51) }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('wide').deployments must fit CodePipeline's quota of 50 actions per stage, got 51 actions. Split the targets over two environments.");
  });

  test('500 actions in a pipeline are fine; more are refused before rendering', () => {
    // 2 (source, build) + 18 x 25 + 2 x 24 = 500
    const atLimit = [...Array.from({ length: 18 }, (_, i) => ({ name: `e${i}`, deployments: commands(25) })), { name: 'x', deployments: commands(24) }, { name: 'y', deployments: commands(24) }];
    expect(() => new DeliveryPipeline(newStack(), 'Shop', props({ environments: atLimit }))).not.toThrow();
    const past = [...atLimit.slice(0, 19), { name: 'y', deployments: commands(25) }];
    expect(errorOf(() => new DeliveryPipeline(newStack(), 'Shop', props({ environments: past })))).toBe(
      "'PipelineStack/Shop': environments must fit CodePipeline's quota of 500 actions per pipeline, got 501 actions. Split the environments over two pipelines, or deploy fewer targets per environment.");
  });

  describe('stages and actions added through the pipeline property count toward the same quotas', () => {
    const approvals = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => new actions.ManualApprovalAction({ actionName: `${prefix}${i}` }));
    const synth = (pipeline: DeliveryPipeline) => () => (pipeline.node.root as App).synth();

    test('a 51st stage is refused at synth, naming the stage the plan does not have', () => {
      // Source, Build and 48 environments: 50 stages
      const build = () => {
        const pipeline = pipelineIn(newStack(), {
          releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
          environments: Array.from({ length: 48 }, (_, i) => ({ name: `e${i}`, deployments: [DeploymentTarget.cloudFormation({ stackName: `s${i}`, templatePath: 't.json' })] })),
        });
        pipeline.buildPipeline();
        return pipeline;
      };
      expect(synth(build())).not.toThrow();
      const pipeline = build();
      pipeline.pipeline.addStage({ stageName: 'Extra', actions: approvals('A', 1) });
      expect(errorOf(synth(pipeline))).toContain(
        "[PipelineStack/Shop] 'PipelineStack/Shop': pipeline.stages must fit CodePipeline's quota of 50 stages per pipeline (1 of them added through the pipeline "
        + "property, outside the plan: 'Extra'), got 51 stages. Remove the stages added through the pipeline property (or add their actions to a stage the "
        + 'pipeline has), or split the environments over two pipelines.');
    });

    test('a 51st action in a stage is refused at synth, naming the actions the plan does not have', () => {
      // 45 deploy scripts, and actions added to their stage
      const build = (added: number) => {
        const pipeline = pipelineIn(newStack(), { environments: [{ name: 'wide', deployments: commands(45) }] });
        pipeline.buildPipeline();
        const wide = pipeline.pipeline.stages.find(st => st.stageName === 'wide')!;
        for (const action of approvals('Check', added)) wide.addAction(action);
        return pipeline;
      };
      expect(synth(build(5))).not.toThrow();
      const pipeline = build(6);
      expect(errorOf(synth(pipeline))).toContain(
        "[PipelineStack/Shop] 'PipelineStack/Shop': pipeline.stages[2] ('wide') must fit CodePipeline's quota of 50 actions per stage (6 of them added through "
        + "the pipeline property, outside the plan: 'Check0', 'Check1', 'Check2', 'Check3', 'Check4' and 1 more), got 51 actions. Move the actions added "
        + 'through the pipeline property to a stage of their own, or split the targets over two environments.');
    });

    test('a 501st action in the pipeline is refused at synth', () => {
      // Source, Build and 10 x 24 CloudFormation targets (a change set created, then executed): 482 actions
      const build = (extra: number) => {
        const pipeline = pipelineIn(newStack(), {
          releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
          environments: Array.from({ length: 10 }, (_, i) => ({
            name: `e${i}`,
            deployments: Array.from({ length: 24 }, (__, j) => DeploymentTarget.cloudFormation({ stackName: `s${i}-${j}`, templatePath: 't.json' })),
          })),
        });
        pipeline.buildPipeline();
        pipeline.pipeline.addStage({ stageName: 'Extra', actions: approvals('A', extra) });
        return pipeline;
      };
      expect(synth(build(18))).not.toThrow();
      expect(errorOf(synth(build(19)))).toContain(
        "[PipelineStack/Shop] 'PipelineStack/Shop': pipeline.stages must fit CodePipeline's quota of 500 actions per pipeline (19 of them added through the "
        + "pipeline property, outside the plan: 'Extra/A0', 'Extra/A1', 'Extra/A2', 'Extra/A3', 'Extra/A4' and 14 more), got 501 actions. Remove actions "
        + 'added through the pipeline property, or split the environments over two pipelines.');
    });
  });

  test('a change-set review is one action per dependency level: a stage over 50 with them is refused', () => {
    // a CDK stage of n stacks, each depending on the one before: n levels, n prepare + n deploy actions
    const chained = (n: number) => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      const stage = new Stage(app, 'Chain', { env: { account: '111111111111', region: 'eu-west-1' } });
      let previous: Stack | undefined;
      for (let i = 0; i < n; i++) {
        const s = new Stack(stage, `S${i}`);
        new CfnResource(s, 'Topic', { type: 'AWS::SNS::Topic' });
        if (previous) s.addDependency(previous);
        previous = s;
      }
      return { stack, target: DeploymentTarget.cdkStage(stage, { changeSetReview: true }) };
    };
    // 16 levels: 16 reviews + 32 = 48 actions, rendered as such
    const fits = chained(16);
    pipelineIn(fits.stack, { environments: [{ name: 'prod', deployments: [fits.target] }] });
    const prod = pipelineProps(fits.stack).Stages.find((st: any) => st.Name === 'prod');
    expect(prod.Actions).toHaveLength(48);
    expect(prod.Actions.filter((a: any) => a.ActionTypeId.Provider === 'Manual')).toHaveLength(16);
    // 17 levels: 17 reviews + 34 = 51
    const past = chained(17);
    expect(errorOf(() => pipelineIn(past.stack, { environments: [{ name: 'prod', deployments: [past.target] }] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deployments must fit CodePipeline's quota of 50 actions per stage, got 51 actions "
      + '(17 of them change-set reviews, one per dependency level of the stacks). Split the targets over two environments, or gate the '
      + 'environment with Approval.manual() instead of a change-set review (one action).');
  });

  test('the asset-publishing and self-update actions count toward the 500 actions of a pipeline', () => {
    // a CDK stage with a file asset (2 actions and PublishAssets) + 2 (source, build) + 496 = 501
    /** A pipeline stack and a CDK stage with one stack holding a file asset, in a new app. */
    const withFileAsset = () => {
      const app = newApp();
      const env = { account: '111111111111', region: 'eu-west-1' };
      const fn = new Stage(app, 'Fn', { env });
      // a resource too: newer aws-cdk-lib refuses a stack with an empty Resources section
      const files = new Stack(fn, 'Files');
      new Asset(files, 'Script', { path: __filename });
      new CfnResource(files, 'Topic', { type: 'AWS::SNS::Topic' });
      return { stack: new Stack(app, 'PipelineStack', { env }), stage: fn };
    };
    const { stack, stage } = withFileAsset();
    const cdk = { name: 'fn', deployments: [DeploymentTarget.cdkStage(stage)] };
    // 9 x 25 CloudFormation targets (450 actions) and one environment of `last` targets and `scripts` deploy scripts
    const cfn = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => DeploymentTarget.cloudFormation({ stackName: `${prefix}-${i}`, templatePath: 't.json' }));
    const rest = (last: number, scripts = 0) => [
      ...Array.from({ length: 9 }, (_, i) => ({ name: `e${i}`, deployments: cfn(25, `e${i}`) })),
      { name: 'last', deployments: [...cfn(last, 'last'), ...commands(scripts)] },
    ];
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({ environments: [cdk, ...rest(23)] })))).toBe(
      "'PipelineStack/Shop': environments must fit CodePipeline's quota of 500 actions per pipeline, got 501 actions. Split the environments over two pipelines, or deploy fewer targets per environment.");
    // with the assets published by the build the same pipeline has 500 actions
    const { stack: stack2, stage: stage2 } = withFileAsset();
    new DeliveryPipeline(stack2, 'Shop', props({ publishAssetsInBuild: true, environments: [{ name: 'fn', deployments: [DeploymentTarget.cdkStage(stage2)] }, ...rest(23)] }));
    expect(pipelineProps(stack2).Stages.reduce((n: number, st: any) => n + st.Actions.length, 0)).toBe(500);
    // 2 + SelfMutate + 497 = 500 is fine; one more is refused
    const selfUpdating = (scripts: number) => () => new DeliveryPipeline(newStack(), 'Shop', props({ selfUpdate: true, environments: rest(23, scripts) }));
    expect(selfUpdating(1)).not.toThrow();
    expect(errorOf(selfUpdating(2))).toBe(
      "'PipelineStack/Shop': environments must fit CodePipeline's quota of 500 actions per pipeline, got 501 actions. Split the environments over two pipelines, or deploy fewer targets per environment.");
  });

  test('the file and image publishing roles of 48 accounts fit IAM\'s managed policy size (regression: one statement of 8,900 characters)', () => {
    // each CDK stage in its own account with a file and a Docker image asset: two publishing roles per
    // account; in an app without the minimizePolicies flag aws-cdk-lib moved them, in one statement
    // it cannot split, into one managed policy over IAM's 6,144 characters
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const environments = Array.from({ length: 48 }, (_, i) => {
      const account = String(200000000000 + i);
      const stage = new Stage(app, `S${i}`, { env: { account, region: 'eu-west-1' } });
      const svc = new Stack(stage, 'Svc');
      new CfnResource(svc, 'Topic', { type: 'AWS::SNS::Topic' });
      new Asset(svc, 'Code', { path: path.join(__dirname, '..', 'deploy', 'docker-asset') });
      new DockerImageAsset(svc, 'Image', { directory: path.join(__dirname, '..', 'deploy', 'docker-asset') });
      return { name: `e${i}`, account, deployments: [DeploymentTarget.cdkStage(stage)] };
    });
    new DeliveryPipeline(stack, 'Shop', props({ environments }));
    const template = app.synth().getStackByName('PipelineStack').template;
    const resolvePartition = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"([^"]*)"\]\]\}/g, '"arn:aws:$1"'));
    const managed = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::ManagedPolicy');
    expect(managed.length).toBeGreaterThan(0);
    for (const policy of managed) expect(JSON.stringify(resolvePartition(policy.Properties.PolicyDocument)).length).toBeLessThanOrEqual(6144);
    const assumed = Object.values<any>(template.Resources)
      .filter(r => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
      .flatMap(r => r.Properties.PolicyDocument.Statement)
      .filter((st: any) => st.Action === 'sts:AssumeRole')
      .flatMap((st: any) => resolvePartition(st.Resource) as string[])
      .filter(arn => /publishing-role/.test(arn));
    expect(new Set(assumed).size).toBe(96);
  });

  test("PublishAssets' inline buildspec over CodeBuild's 25,600 characters (one command per asset manifest) is an error at synth", () => {
    const build = (environmentCount: number) => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      // long construct ids make long manifest paths: each publishing command is about 350 characters
      const long = 'OrdersServiceWithAVeryLongConstructIdentifier';
      const environments = Array.from({ length: environmentCount }, (_, i) => {
        const stage = new Stage(app, `${long}Stage${i}`, { env: { account: '111111111111', region: 'eu-west-1' } });
        for (const id of ['Api', 'Worker']) {
          const svc = new Stack(stage, `${long}${id}`, { stackName: `s${i}-${id}` });
          new CfnResource(svc, 'Topic', { type: 'AWS::SNS::Topic' });
          new Asset(svc, 'Code', { path: __filename });
        }
        return { name: `e${i}`, deployments: [DeploymentTarget.cdkStage(stage)] };
      });
      return () => new DeliveryPipeline(stack, 'Shop', props({ environments })).buildPipeline();
    };
    expect(build(20)).not.toThrow();
    expect(errorOf(build(40))).toMatch(new RegExp(
      "^'PipelineStack/Shop': environments deploy CDK stages whose assets the PublishAssets action publishes with one command per asset manifest "
      + '\\(80 manifests\\): an inline buildspec of \\d{2},\\d{3} characters, more than the 25,600 CodeBuild takes inline \\(the project would fail to deploy\\)\\. '
      + 'Split the environments over two pipelines, or put the assets in fewer stacks\\.$'));
  });

  test('a managed overflow policy over IAM\'s 6,144 characters is an error at synth', () => {
    // one statement aws-cdk-lib moves out of the inline policy and cannot split
    const resources = Array.from({ length: 130 }, (_, i) => `arn:aws:s3:::acme-release-artifacts-of-the-shop-${String(i).padStart(3, '0')}-eu-west-1-111111111111/*`);
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.commands('Lint', ['npm run lint'], { rolePolicyStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })] })] });
    expect(errorOf(() => (stack.node.root as any).synth())).toMatch(new RegExp(
      "'PipelineStack/Shop': the role 'PipelineStack/Shop/Checks/Lint/Project/Role' needs a managed policy of about \\d{5} characters \\(aws-cdk-lib's overflow "
      + "of its inline policy\\), more than IAM's 6144\\. aws-cdk-lib cannot split one statement: give each statement of rolePolicyStatements fewer resources, "
      + 'or split the environments over two pipelines\\.'));
  });

  test('a warning above 450 resources in the pipeline stack, an error above 500', () => {
    const warn = newStack();
    // each commands target: a CodeBuild project, its role and policy (all CodeBuild actions share one action role)
    pipelineIn(warn, { environments: Array.from({ length: 15 }, (_, i) => ({ name: `e${i}`, deployments: commands(10) })) });
    Annotations.fromStack(warn).hasWarning('/PipelineStack/Shop', Match.stringLikeRegexp("the stack 'PipelineStack' holds 4[5-9][0-9] resources, close to CloudFormation's 500"));

    const tooMany = newStack();
    pipelineIn(tooMany, { environments: Array.from({ length: 18 }, (_, i) => ({ name: `e${i}`, deployments: commands(10) })) });
    expect(errorOf(() => (tooMany.node.root as any).synth())).toMatch(
      /\[PipelineStack\/Shop\] 'PipelineStack\/Shop': the stack 'PipelineStack' holds 5\d\d resources, more than CloudFormation's 500\. Split the environments over two pipelines in two stacks\./);
  });

  test('a template over CloudFormation\'s 1 MB is an error at synth, with the fix that fits', () => {
    // 150 deploy scripts with long command lines: under 500 resources, over 1 MB of template
    const environments = (flagRepeats: number) => Array.from({ length: 15 }, (_, i) => ({
      name: `e${i}`,
      deployments: Array.from({ length: 10 }, (__, j) => DeploymentTarget.commands(`t${j}`, [`./deploy.sh ${'--flag-with-a-long-name '.repeat(flagRepeats)}${j}`])),
    }));
    const inStack = (suppressTemplateIndentation: boolean, flagRepeats: number) => {
      const app = newApp();
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' }, suppressTemplateIndentation });
      pipelineIn(stack, { environments: environments(flagRepeats) });
      return app;
    };
    expect(errorOf(() => inStack(false, 40).synth())).toMatch(new RegExp(
      "\\[PipelineStack/Shop\\] 'PipelineStack/Shop': the stack 'PipelineStack' needs a template of about 10\\d{5} bytes, more than CloudFormation's 1000000\\. "
      + 'Set suppressTemplateIndentation: true on the stack \\(written without indentation about 7\\d{5} bytes\\), or split the environments over two pipelines in two stacks\\.'));
    // the same pipeline written without indentation fits, and the check measured what is written
    const assembly = inStack(true, 40).synth();
    const artifact = assembly.getStackByName('PipelineStack');
    expect(fs.statSync(path.join(assembly.directory, artifact.templateFile)).size).toBeLessThan(1_000_000);
    expect(errorOf(() => inStack(true, 160).synth())).toMatch(
      /the stack 'PipelineStack' needs a template of about 1\d{6} bytes, more than CloudFormation's 1000000\. Split the environments over two pipelines in two stacks\./);
  });

  describe("the template's size is measured when an upper bound found without rendering it could pass CloudFormation's 1 MB (512 KB with selfUpdate)", () => {
    /** Checks of `lines` long commands each: about 24,000 characters of inline buildspec per check at 210. */
    const longChecks = (count: number, lines = 210) => Array.from({ length: count }, (_, i) =>
      QualityCheck.commands(`C${i}`, Array.from({ length: lines }, (__, j) => `echo "check ${i} step ${j} ${'x'.repeat(80)}"`)));
    const resourcesOf = (stack: Stack) => stack.node.findAll().filter(c => CfnResource.isCfnResource(c) && c.stack === stack).length;
    const writtenBytes = (stack: Stack) => {
      const assembly = (stack.node.root as App).synth();
      return fs.statSync(assembly.getStackByName(stack.stackName).templateFullPath).size;
    };

    test('few resources with long inline buildspecs over 1 MB are refused at synth (regression: only stacks over 150 resources were measured)', () => {
      const stack = newStack();
      pipelineIn(stack, { checks: longChecks(35), environments: [environment('staging', { production: true })] });
      const render = jest.spyOn(stack as any, '_toCloudFormation');
      expect(errorOf(() => (stack.node.root as App).synth())).toMatch(new RegExp(
        "\\[PipelineStack/Shop\\] 'PipelineStack/Shop': the stack 'PipelineStack' needs a template of about 11\\d{5} bytes, more than CloudFormation's 1000000\\. "
        + 'Split the environments over two pipelines in two stacks\\. Long command lists take room too: run them from a script in the repository\\.'));
      expect(resourcesOf(stack)).toBeLessThan(150);
      // the validation rendered the template to measure it
      expect(render).toHaveBeenCalledTimes(1);
    });

    test("an ordinary pipeline's template is not rendered for the check: aws-cdk-lib renders it once, to write it", () => {
      const stack = newStack();
      pipelineIn(stack, { checks: [QualityCheck.commands('Lint', ['npm run lint'])], environments: [environment('staging'), environment('prod', { production: true })] });
      const render = jest.spyOn(stack as any, '_toCloudFormation');
      (stack.node.root as App).synth();
      expect(render).toHaveBeenCalledTimes(1);
    });

    test('the bound is above the template aws-cdk-lib writes, and within 3 times it', () => {
      const withFactory = (stack: Stack) => DeploymentTarget.fromActionFactory('Custom', {
        produceAction: (scope, o) => new actions.LambdaInvokeAction({
          actionName: o.actionName,
          runOrder: o.runOrder,
          lambda: new lambda.Function(scope, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline(`// ${'y'.repeat(3000)}`) }),
          userParameters: { stack: stack.stackName },
        }),
      });
      let account = 200000000000;
      const cases: Array<[string, (stack: Stack) => DeliveryPipeline]> = [
        ['ordinary', stack => pipelineIn(stack, { environments: [environment('staging'), environment('prod', { production: true })] })],
        ['long buildspecs', stack => pipelineIn(stack, { checks: longChecks(20), environments: [environment('staging')] })],
        ['cross-account policies', stack => pipelineIn(stack, {
          environments: Array.from({ length: 20 }, (_, i) => ({
            name: `e${i}`,
            deployments: Array.from({ length: 5 }, (__, j) => DeploymentTarget.cloudFormation({ stackName: `s${i}-${j}`, templatePath: 't.json', account: String(account++) })),
          })),
        })],
        ["a factory's own resources", stack => pipelineIn(stack, { environments: [{ name: 'staging', deployments: [withFactory(stack)] }] })],
        ['escape-hatch overrides', stack => {
          const pipeline = pipelineIn(stack, { environments: [environment('staging')] });
          pipeline.buildPipeline();
          (pipeline.pipeline.node.defaultChild as CfnResource).addPropertyOverride('Variables', [{ Name: 'Notes', DefaultValue: 'z'.repeat(900) }]);
          return pipeline;
        }],
      ];
      for (const [name, build] of cases) {
        const stack = newStack();
        build(stack);
        const written = writtenBytes(stack);
        const bound = templateSizeBound(stack, Infinity);
        expect({ name, above: bound >= written }).toEqual({ name, above: true });
        expect({ name, within: bound < 3 * written }).toEqual({ name, within: true });
      }
    });

    test('a self-updating pipeline whose template passes 512 KB warns: UpdatePipeline deploys it with CloudFormation\'s action, reported to refuse such templates', () => {
      const build = (selfUpdate: boolean, checks: number) => {
        const stack = newStack();
        pipelineIn(stack, { selfUpdate, checks: longChecks(checks), environments: [environment('staging')] });
        return stack;
      };
      const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('largePipelineTemplate')).map(w => w.entry.data);
      const large = build(true, 20);
      expect(warnings(large)).toEqual([expect.stringMatching(new RegExp(
        "^the stack 'PipelineStack' has a template of about \\d{6} bytes, and selfUpdate deploys it with CodePipeline's CloudFormation action \\(UpdatePipeline\\), "
        + 'which has been reported to refuse templates over 512 KB, though CloudFormation accepts 1 MB \\(aws-cloudformation/cloudformation-coverage-roadmap#1023\\)\\. '
        + 'If UpdatePipeline fails with a template size error: Split the environments over two pipelines in two stacks, or deploy the pipeline\'s stack with '
        + 'cdk deploy\\. Long command lists take room too: run them from a script in the repository\\. \\[ack: delivery-pipeline:largePipelineTemplate\\]$'))]);
      expect(writtenBytes(large)).toBeGreaterThan(512_000);
      // deployed with cdk deploy (no selfUpdate), or under 512 KB: no warning
      expect(warnings(build(false, 20))).toEqual([]);
      const small = build(true, 10);
      expect(warnings(small)).toEqual([]);
      expect(writtenBytes(small)).toBeLessThan(512_000);
    });
  });

  test('policy sizes: the artifact bucket policy grows with the accounts deployed to', () => {
    const stack = newStack();
    let account = 200000000000;
    pipelineIn(stack, {
      environments: Array.from({ length: 48 }, (_, i) => ({
        name: `e${i}`,
        deployments: Array.from({ length: 5 }, (__, j) => DeploymentTarget.cloudFormation({ stackName: `s${i}-${j}`, templatePath: 't.json', account: String(account++) })),
      })),
    });
    const message = errorOf(() => (stack.node.root as any).synth());
    expect(message).toMatch(/the artifact bucket policy needs about \d+ bytes, more than S3's 20480\. Deploy to fewer accounts from one pipeline\./);
  });

  test("the replication bucket policy of another region (in its support stack) is checked against S3's 20 KB too", () => {
    // every target in its own account, all in one other region: their grants go to that region's replication bucket
    const inRegion = (environmentCount: number) => {
      let account = 200000000000;
      const pipeline = pipelineIn(newStack(), {
        environments: Array.from({ length: environmentCount }, (_, i) => ({
          name: `e${i}`,
          deployments: Array.from({ length: 5 }, (__, j) => DeploymentTarget.cloudFormation({
            stackName: `s${i}-${j}`, templatePath: 't.json', account: String(account++), region: 'ap-southeast-2',
          })),
        })),
      });
      pipeline.buildPipeline();
      return pipeline;
    };
    const pipeline = inRegion(46);
    const stackName = pipeline.pipeline.crossRegionSupport['ap-southeast-2'].stack.stackName;
    const message = errorOf(() => (pipeline.node.root as any).synth());
    expect(message).toMatch(new RegExp(`\\[PipelineStack/Shop\\] 'PipelineStack/Shop': the replication bucket policy of region ap-southeast-2 \\(stack '${stackName}'\\) `
      + "needs about 2\\d{4} bytes, more than S3's 20480\\. Deploy to fewer accounts in ap-southeast-2 from one pipeline\\."));
    // the artifact bucket of the pipeline's region holds none of these grants
    expect(message).not.toMatch(/artifact bucket policy/);
  });
});

describe('policySize', () => {
  test('counts JSON without whitespace, references as 90-character ARNs', () => {

    const stack = newStack();
    expect(policySize(stack, { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] }))
      .toBe(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] }).length);
    expect(policySize(stack, { Resource: { Ref: 'X' } })).toBe('{"Resource":""}'.length + 90);
  });
});

describe('policy quotas that aws-cdk-lib or CodePipeline keep out of reach', () => {
  test('the key policy stays under 32 KB even at the most cross-account targets CodePipeline allows', () => {
    const stack = newStack();
    let account = 200000000000;
    // 2 + 249 x 2 = 500 actions: the most one pipeline may hold, every target in its own account
    const environments = Array.from({ length: 48 }, (_, i) => ({
      name: `e${i}`,
      deployments: Array.from({ length: i < 9 ? 6 : 5 }, (__, j) => DeploymentTarget.cloudFormation({ stackName: `s${i}-${j}`, templatePath: 't.json', account: String(account++) })),
    }));
    pipelineIn(stack, { environments });
    const pipeline = (stack.node.findChild('Shop') as DeliveryPipeline);
    pipeline.buildPipeline();
    const key = pipeline.pipeline.artifactBucket.encryptionKey as any;
    expect(policySize(stack, key.policy)).toBeLessThan(32_768);
    expect(policySize(stack, (pipeline.pipeline.artifactBucket as any).policy.document)).toBeGreaterThan(20_480);
  });

  test('a pipeline role that needs more than 10 managed policies gets a warning (IAM raises the quota to 20 on request)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack);
    pipeline.buildPipeline();
    // an escape-hatch user adding many statements: aws-cdk-lib moves what does not fit into managed policies
    for (let i = 0; i < 120; i++) {
      pipeline.pipeline.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: Array.from({ length: 10 }, (_, j) => `arn:aws:s3:::bucket-with-a-rather-long-name-${i}-${j}/some/long/prefix/*`),
      }));
    }
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Shop', Match.stringLikeRegexp('the pipeline role needs \\d+ managed policies, more than IAM\'s default quota of 10 per role'));
  });
});
