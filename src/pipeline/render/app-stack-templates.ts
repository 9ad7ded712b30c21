import * as path from 'path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { renderedTemplate } from './rendered-quotas';
import { assetUses } from './self-update-assets';
import { BuildTemplateModel, EnvironmentModel, PipelineModel } from '../../model/model';
import { stackTemplatePath } from '../../private/artifact-paths';
import { isToken, Validator } from '../../private/validation';

/**
 * A `DeploymentTarget.cloudFormation` whose `templatePath` is the template of a stack of the
 * pipeline's own app (the build's `cdk synth` writes it into the cloud assembly) deploys that
 * template as it is: nothing publishes the stack's assets (`cdk deploy` uploads them, the pipeline
 * publishes only a CDK stage's), and the actions run where the target deploys, whatever account and
 * region the stack was synthesized for. Refuses both; templates of other apps, and env-agnostic
 * stacks without assets, are left alone. Runs when the app is validated, once every stack of the
 * app exists.
 */
export function checkAppStackTemplates(v: Validator, root: IConstruct, model: PipelineModel, pipelineAccount: string, pipelineRegion: string): void {
  const targets = model.environments.flatMap(e => e.deployments
    .filter(d => d.buildTemplate !== undefined && !isToken(d.buildTemplate.templatePath))
    .map(d => ({ environment: e, template: d.buildTemplate! })));
  if (targets.length === 0) return;
  const directory = model.cloudAssemblyDirectory ?? 'cdk.out';
  const stacks = new Map<string, Stack>();
  for (const c of root.node.findAll()) {
    if (Stack.isStack(c) && !NestedStack.isNestedStack(c)) stacks.set(path.posix.join(directory, stackTemplatePath(c)), c);
  }
  for (const { environment, template } of targets) {
    const stack = stacks.get(template.templatePath);
    if (stack !== undefined) checkAppStack(v, stack, environment, template, pipelineAccount, pipelineRegion);
  }
}

function checkAppStack(
  v: Validator, stack: Stack, environment: EnvironmentModel, t: BuildTemplateModel, pipelineAccount: string, pipelineRegion: string,
): void {
  const which = `stack '${stack.stackName}' (${stack.node.path}) of the pipeline's app`;
  const using = assetUses(stack, renderedTemplate(stack));
  if (using.length > 0) {
    const shown = using.length > 5 ? [...using.slice(0, 5), `and ${using.length - 5} more`] : using;
    v.fail(t.field, `names the template of ${which}, whose resources use file or Docker image assets (${shown.join(', ')}), but the pipeline does not publish `
      + "a cloudFormation target's assets (cdk deploy uploads them): the stack would refer to assets that were never uploaded", t.templatePath,
    'Deploy the stack with DeploymentTarget.cdkStage(stage) instead, which publishes its assets: create it in a Stage, '
      + `new Stage(app, '${stack.node.id}Stage', { env }), and pass that stage.`);
  }
  const sides = [
    ['account', stack.account, t.account ?? pipelineAccount, t.accountFrom],
    ['region', stack.region, t.region ?? pipelineRegion, t.regionFrom],
  ] as const;
  for (const [what, own, target, from] of sides) {
    if (isToken(own) || isToken(target) || own === target) continue;
    const setting = from === 'target' ? `Pass the target ${what}: '${own}'` : `Set environment '${environment.name}' ${what}: '${own}'`;
    v.fail(t.field, `names the template of ${which}, which is synthesized for ${what} ${own}, but the target deploys it to ${what} ${target}`
      + `${from === undefined ? " (the pipeline's)" : ''}: the actions would create the stack in ${what} ${target}, with values the app gave it for ${own}`,
    t.templatePath, `${setting}, or give the stack env: { ${what}: '${target}' }.`);
  }
}
