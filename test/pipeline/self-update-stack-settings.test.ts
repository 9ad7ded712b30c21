import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { BuildStep } from '../../src';
import { action, env, errorOf, newApp, pipelineIn } from '../util';

const E = { account: '111111111111', region: 'eu-west-1' };

function selfMutate(stack: Stack): any {
  return action(stack, 'UpdatePipeline', 'SelfMutate').Configuration;
}

/** The pipeline stack's template configuration file, as the app's synth wrote it (undefined when none). */
function configurationFile(stack: Stack): unknown {
  const asm = (Stage.of(stack) as Stage).synth();
  const file = path.join(asm.directory, `${stack.templateFile}.config.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

describe('selfUpdate: the pipeline stack\'s stack-level settings', () => {
  test('its tags reach CloudFormation through a template configuration file beside its template: the tags of the cloud assembly, which cdk deploy passes', () => {
    const app = newApp();
    const stack = new Stack(app, 'ShopPipeline', { env: E, stackName: 'shop-pipeline', tags: { team: 'shop', costCenter: 'cc-42' } });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    expect(selfMutate(stack).TemplateConfiguration).toBe('BuildOutput::cdk.out/ShopPipeline.template.json.config.json');
    expect(configurationFile(stack)).toEqual({ Tags: { costCenter: 'cc-42', team: 'shop' } });
    expect(app.synth().getStackByName('shop-pipeline').tags).toEqual({ costCenter: 'cc-42', team: 'shop' });
  });

  test('tags that Tags.of(...) adds to the stack after the pipeline was configured are included, as in the cloud assembly', () => {
    // without @aws-cdk/core:explicitStackTags, Tags.of(...) tags the stack itself too
    const app = new App({ context: { '@aws-cdk/core:explicitStackTags': false } });
    const stack = new Stack(app, 'ShopPipeline', { env: E, tags: { team: 'shop' } });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    Tags.of(stack).add('owner', 'platform');
    Tags.of(app).add('costCenter', 'cc-42');
    expect(selfMutate(stack).TemplateConfiguration).toBe('BuildOutput::cdk.out/ShopPipeline.template.json.config.json');
    expect(configurationFile(stack)).toEqual({ Tags: { costCenter: 'cc-42', owner: 'platform', team: 'shop' } });
    expect(app.synth().getStackByName('ShopPipeline').tags).toEqual({ costCenter: 'cc-42', owner: 'platform', team: 'shop' });
    // a stack whose only tags come from Tags.of(...) gets the configuration too
    const late = new App({ context: { '@aws-cdk/core:explicitStackTags': false } });
    const untagged = new Stack(late, 'ShopPipeline', { env: E });
    pipelineIn(untagged, { selfUpdate: true, environments: [env('staging')] });
    Tags.of(late).add('team', 'shop');
    expect(selfMutate(untagged).TemplateConfiguration).toBe('BuildOutput::cdk.out/ShopPipeline.template.json.config.json');
    expect(configurationFile(untagged)).toEqual({ Tags: { team: 'shop' } });
  });

  test('a pipeline stack without tags gets neither the file nor TemplateConfiguration (CloudFormation then keeps the stack\'s tags)', () => {
    const stack = new Stack(newApp(), 'ShopPipeline', { env: E });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    expect(selfMutate(stack)).not.toHaveProperty('TemplateConfiguration');
    expect(configurationFile(stack)).toBeUndefined();
  });

  test('the file is where the self-update reads the template: the output\'s root when it is the cloud assembly, the nested assembly of a stage', () => {
    const atRoot = new Stack(newApp(), 'ShopPipeline', { env: E, tags: { team: 'shop' } });
    pipelineIn(atRoot, { selfUpdate: true, buildStep: BuildStep.commands({ commands: ['npx cdk synth'], outputDirectory: 'cdk.out' }) });
    expect(selfMutate(atRoot).TemplatePath).toBe('BuildOutput::ShopPipeline.template.json');
    expect(selfMutate(atRoot).TemplateConfiguration).toBe('BuildOutput::ShopPipeline.template.json.config.json');

    const app = new App();
    const stage = new Stage(app, 'Delivery', { env: E });
    const inStage = new Stack(stage, 'Pipeline', { tags: { team: 'shop' } });
    pipelineIn(inStage, { selfUpdate: true });
    expect(selfMutate(inStage).TemplatePath).toBe(`BuildOutput::cdk.out/assembly-Delivery/${inStage.templateFile}`);
    expect(selfMutate(inStage).TemplateConfiguration).toBe(`BuildOutput::cdk.out/assembly-Delivery/${inStage.templateFile}.config.json`);
    expect(configurationFile(inStage)).toEqual({ Tags: { team: 'shop' } });
  });

  test('outputs that keep the template but not the configuration file are refused when the stack has tags', () => {
    const build = BuildStep.commands({ commands: ['npx cdk synth'], outputs: ['cdk.out/*.template.json'] });
    const tagged = new Stack(newApp(), 'ShopPipeline', { env: E, tags: { team: 'shop' } });
    pipelineIn(tagged, { selfUpdate: true, buildStep: build });
    expect(errorOf(() => (tagged.node.root as App).synth())).toBe(
      "'ShopPipeline/Shop': buildStep.outputs must keep the pipeline stack's template configuration (its tags), which selfUpdate reads from the build output; "
      + "no glob matches 'cdk.out/ShopPipeline.template.json.config.json', got 'cdk.out/*.template.json'. "
      + 'Add \'cdk.out/**/*\' to buildStep.outputs, or leave outputs out to keep every file.');
    // without tags there is no file to keep
    const bare = new Stack(newApp(), 'ShopPipeline', { env: E });
    pipelineIn(bare, { selfUpdate: true, buildStep: build });
    expect(() => (bare.node.root as App).synth()).not.toThrow();
  });

  test('termination protection and notification ARNs on a self-updating pipeline stack are a valid setup: cdk deploy sets them and UpdatePipeline keeps them, '
    + 'so the synth does not warn', () => {
    const app = newApp();
    const stack = new Stack(app, 'ShopPipeline', {
      env: E, stackName: 'shop-pipeline', terminationProtection: true, notificationArns: ['arn:aws:sns:eu-west-1:111111111111:ops'],
    });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings.filter(w => /terminationProtection|notificationArns|selfUpdateStackSettings/.test(w))).toEqual([]);
    // the cloud assembly keeps both for the cdk deploy that creates the stack
    const artifact = app.synth().getStackByName('shop-pipeline');
    expect(artifact.terminationProtection).toBe(true);
    expect(artifact.notificationArns).toEqual(['arn:aws:sns:eu-west-1:111111111111:ops']);
    // and the action passes neither (CloudFormation keeps the stack's)
    expect(selfMutate(stack)).not.toHaveProperty('NotificationARNs');
  });
});
