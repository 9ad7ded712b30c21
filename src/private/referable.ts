import { Resource, Stack, Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Validator } from './validation';

/**
 * Refuses a resource defined in a stack the pipeline's stack cannot refer to: another CDK stage,
 * or another account or Region. aws-cdk-lib would stop the synth with a cross-stage or
 * "cross-environment" resolution error that names neither the field nor the fix. `what` names the
 * resource with its article ("an SNS topic").
 */
export function refuseUnreferable(v: Validator, field: string, resource: IConstruct, what: string, label: unknown, fix: string): void {
  if (!v.pipeline) return;
  const pipelineStack = Stack.of(v.pipeline);
  const stack = Stack.of(resource);
  if (stack === pipelineStack) return;
  refuseOtherStage(v, field, resource, what, label, fix);
  if (stack.environment !== pipelineStack.environment) {
    v.fail(field, `is ${what} of stack '${stack.node.path}' (${stack.environment}), which the pipeline's stack (${pipelineStack.environment}) cannot refer to: `
      + 'aws-cdk-lib refers to resources of other stacks of the same environment only', label, fix);
  }
}

/**
 * The same for a resource that is referred to by an attribute only when it is defined in the app
 * (a topic's ARN): one imported by ARN or name is referred to by that literal, from anywhere.
 */
export function refuseOwnedUnreferable(v: Validator, field: string, resource: IConstruct, what: string, fix: string): void {
  if (Resource.isOwnedResource(resource)) refuseUnreferable(v, field, resource, what, resource.node.path, fix);
}

/**
 * Refuses a resource of a stack in another CDK stage than the pipeline's (a stage the pipeline
 * deploys, say): aws-cdk-lib refuses references across a stage boundary with an error that names
 * neither the field nor the fix. Resources of other accounts and regions are left to the caller.
 */
export function refuseOtherStage(v: Validator, field: string, resource: IConstruct, what: string, label: unknown, fix: string): void {
  // a resource of another app (built apart, as tests do) is left to the other checks
  if (!v.pipeline || resource.node.root !== v.pipeline.node.root) return;
  const stage = Stage.of(Stack.of(resource));
  if (stage === Stage.of(Stack.of(v.pipeline))) return;
  const where = stage?.node.path ? `CDK stage '${stage.node.path}'` : 'the app, outside any CDK stage';
  v.fail(field, `is ${what} of stack '${Stack.of(resource).node.path}', in ${where}, not the pipeline's, which the pipeline's stack cannot refer to`, label, fix);
}
