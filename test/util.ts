import { App, Aspects, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  BuildStep, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget, EnvironmentOptions, PipelineSource,
} from '../src';

export const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f';

/**
 * A stack with an explicit environment, as pipelines need, in an app with the feature flags a new
 * `cdk init` project has (set LEGACY_FLAGS=1 to run the suite without them).
 */
export function newStack(account = '111111111111', region = 'eu-west-1'): Stack {
  const app = newApp();
  return new Stack(app, 'PipelineStack', { env: { account, region } });
}

export function newApp(): App {
  return new App({ context: process.env.LEGACY_FLAGS ? {} : { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
}

export function gitHub(): PipelineSource {
  return PipelineSource.gitHub({ repository: 'acme/shop', branch: 'main', connectionArn: CONNECTION_ARN });
}

export function build(): BuildStep {
  return BuildStep.commands({ install: ['npm ci'], commands: ['npm test'] });
}

export function cfnTarget(stackName = 'shop-staging'): DeploymentTarget {
  return DeploymentTarget.cloudFormation({ stackName, templatePath: `cdk.out/${stackName}.template.json` });
}

export function env(name: string, extra: Partial<EnvironmentOptions> = {}): EnvironmentOptions {
  return { name, deployments: [DeploymentTarget.commands(`Deploy-${name}`, [`./deploy.sh ${name}`])], ...extra };
}

/** Minimal valid props, overridable. */
export function props(extra: Partial<DeliveryPipelineProps> = {}): DeliveryPipelineProps {
  return { source: gitHub(), buildStep: build(), ...extra };
}

export function pipelineIn(stack: Stack, extra: Partial<DeliveryPipelineProps> = {}, id = 'Shop'): DeliveryPipeline {
  return new DeliveryPipeline(stack, id, props(extra));
}

/** The synthesized CodePipeline resource properties. */
export function pipelineProps(stack: Stack): any {
  const pipelines = Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline');
  const all = Object.values(pipelines);
  if (all.length !== 1) throw new Error(`expected one pipeline, found ${all.length}`);
  return (all[0] as any).Properties;
}

/** Stage names in order. */
export function stageNames(stack: Stack): string[] {
  return pipelineProps(stack).Stages.map((s: any) => s.Name);
}

/** `name@runOrder` of a stage's actions in declaration order. */
export function actionsOf(stack: Stack, stage: string): string[] {
  const s = pipelineProps(stack).Stages.find((x: any) => x.Name === stage);
  if (!s) throw new Error(`no stage ${stage}`);
  return s.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`);
}

export function action(stack: Stack, stage: string, name: string): any {
  const s = pipelineProps(stack).Stages.find((x: any) => x.Name === stage);
  const a = s?.Actions.find((x: any) => x.Name === name);
  if (!a) throw new Error(`no action ${stage}/${name}`);
  return a;
}

/** Runs `fn` and returns the thrown error's message (fails the test if nothing is thrown). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}

/**
 * Flattens CloudFormation values for readable assertions: Fn::Join is joined, the partition becomes
 * 'aws', other references become <LogicalId> / <LogicalId.Attr>. Works on nested objects and arrays.
 */
export function flat(value: any): any {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value == null) return value;
  if (Array.isArray(value)) return value.map(flat);
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value['Fn::Join']) return value['Fn::Join'][1].map((x: any) => String(flat(x))).join(value['Fn::Join'][0]);
  const out: any = {};
  for (const [k, v] of Object.entries(value)) out[k] = flat(v);
  return out;
}

/**
 * The cdk-nag AwsSolutions findings left under `scope` (error and warning annotations) once the app
 * is synthesized with the checks, as `{ path, data }`. aws-cdk-lib 2.27x fails the synthesis on
 * error annotations; the findings are in the construct tree either way.
 */
export function nagFindingsAfterSynth(scope: IConstruct): Array<{ path: string; data: string }> {
  Aspects.of(scope).add(new AwsSolutionsChecks());
  try {
    (scope.node.root as Stage).synth();
  } catch (e) {
    if (!String((e as Error).message).includes('AwsSolutions-')) throw e;
  }
  return scope.node.findAll().flatMap(c => c.node.metadata
    .filter(m => (m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning') && String(m.data).startsWith('AwsSolutions-'))
    .map(m => ({ path: c.node.path, data: String(m.data) })));
}

/** The parsed buildspec of the first CodeBuild project whose logical id starts with `prefix` (the build's by default). */
export function buildSpecOf(stack: Stack, prefix = 'ShopBuildProject'): any {
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const found = Object.entries(projects).find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no project ${prefix}`);
  return JSON.parse(joinedText((found[1] as any).Properties.Source.BuildSpec));
}

/** Joins an Fn::Join, writing references as <Ref> / <Logical.Attr> so the buildspec parses. */
function joinedText(value: any): string {
  if (typeof value === 'string') return value;
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value['Fn::Join']) return value['Fn::Join'][1].map(joinedText).join(value['Fn::Join'][0]);
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

