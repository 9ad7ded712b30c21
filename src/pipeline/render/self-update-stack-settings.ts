import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, ISynthesisSession, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/*
 * `cdk deploy` applies a stack's stack-level settings besides its template: its tags, termination
 * protection and notification ARNs. UpdatePipeline deploys the pipeline's own stack with
 * CodePipeline's CloudFormation action, which passes none of them unless told: CloudFormation's
 * UpdateStack keeps a stack's tags and notification topics when the call names none, so the ones
 * of the `cdk deploy` that created the pipeline stack stay, and later changes in the code never
 * arrive. The tags reach CloudFormation through a template configuration file, as the CDK stages'
 * do. Termination protection is no part of UpdateStack, and the notification ARNs the action
 * leaves out stay as they are: the settings of the `cdk deploy` that created the stack are kept,
 * and a later change to them needs `cdk deploy` (README, Self-update).
 */

/**
 * The pipeline stack's tags as `cdk deploy` passes them (the cloud assembly's stack tags): its
 * tags when the app is synthesized (`tags`, and `Tags.of(...)` unless the app has the
 * `@aws-cdk/core:explicitStackTags` flag), without those holding a token (aws-cdk-lib leaves those
 * out of the assembly, with a warning of its own).
 */
export function stackTags(stack: Stack): Record<string, string> {
  return Object.fromEntries(Object.entries(stack.tags.tagValues()).filter(([k, v]) => !Token.isUnresolved(k) && !Token.isUnresolved(v)));
}

/**
 * The template configuration file of the pipeline stack, beside its template in the cloud assembly
 * (`<template>.config.json`, as for a CDK stage's stacks): written when the app is synthesized, so
 * the build's `cdk synth` writes it into the build output, and only when the stack has tags.
 * Returns the action's `TemplateConfiguration` value, which names it when there are tags and is
 * left out otherwise (both decided at synthesis, after every `Tags.of(...)` was applied).
 */
export function selfUpdateTemplateConfiguration(scope: Construct, stack: Stack, artifact: codepipeline.Artifact, configurationPath: string): string {
  const writer = new Construct(scope, 'SelfUpdateTemplateConfiguration');
  attachCustomSynthesis(writer, {
    onSynthesize: (session: ISynthesisSession) => {
      const tags = stackTags(stack);
      if (Object.keys(tags).length === 0) return;
      fs.writeFileSync(path.join(session.outdir, `${stack.templateFile}.config.json`), JSON.stringify({ Tags: tags }, undefined, 2));
    },
  });
  return Lazy.string({
    produce: () => Object.keys(stackTags(stack)).length > 0 ? artifact.atPath(configurationPath).location : undefined,
  });
}

/** Where the build output holds the pipeline stack's template configuration: beside its template. */
export function selfUpdateConfigurationPath(templatePath: string): string {
  return `${templatePath}.config.json`;
}

/** The action, with `TemplateConfiguration` set to `location` (a value that may resolve to nothing). */
export function withTemplateConfiguration(action: codepipeline.IAction, location: string): codepipeline.IAction {
  return new ActionWithTemplateConfiguration(action, location);
}

class ActionWithTemplateConfiguration implements codepipeline.IAction {
  public readonly actionProperties: codepipeline.ActionProperties;

  constructor(private readonly inner: codepipeline.IAction, private readonly location: string) {
    this.actionProperties = inner.actionProperties;
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = this.inner.bind(scope, stage, options);
    return { ...config, configuration: { ...config.configuration, TemplateConfiguration: this.location } };
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.inner.onStateChange(name, target, options);
  }
}
