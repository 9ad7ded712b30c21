import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ts from 'typescript';
import { DeliveryDefaults, DeliveryPipeline, DeploymentTarget, PipelineSource } from '../../src';
import { misspeltField, STRUCT_FIELDS, StructName } from '../../src/private/struct-fields';
import { build, CONNECTION_ARN, env, errorOf, gitHub, newApp, newStack, pipelineIn, props } from '../util';

/** Every exported interface of src/ (but the CLI), with its own fields and the interfaces it extends. */
function interfacesOfSource(): Map<string, { fields: string[]; bases: string[] }> {
  const out = new Map<string, { fields: string[]; bases: string[] }>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'cli') walk(full);
        continue;
      }
      if (!entry.name.endsWith('.ts')) continue;
      const source = ts.createSourceFile(full, fs.readFileSync(full, 'utf8'), ts.ScriptTarget.Latest, true);
      source.forEachChild(node => {
        if (!ts.isInterfaceDeclaration(node) || !node.modifiers?.some(m => m.kind === ts.SyntaxKind.ExportKeyword)) return;
        const fields = node.members.filter(ts.isPropertySignature).map(m => m.name.getText(source));
        const bases = (node.heritageClauses ?? []).flatMap(h => h.types.map(t => t.expression.getText(source)));
        out.set(node.name.text, { fields, bases });
      });
    }
  };
  walk(path.join(__dirname, '..', '..', 'src'));
  return out;
}

describe('the struct field lists of the misspelling check', () => {
  const interfaces = interfacesOfSource();
  const allFields = (name: string): string[] => {
    const i = interfaces.get(name);
    if (!i) throw new Error(`no exported interface ${name} in src/`);
    return [...i.bases.flatMap(allFields), ...i.fields];
  };

  test.each(Object.keys(STRUCT_FIELDS))('%s lists exactly the fields of the interface', name => {
    expect([...STRUCT_FIELDS[name as StructName]].sort()).toEqual(allFields(name).sort());
  });

  test('every listed struct is checked where it is read', () => {
    const checked = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {walk(full);} else if (entry.name.endsWith('.ts')) {
          for (const line of fs.readFileSync(full, 'utf8').split('\n').filter(l => l.includes('.noMisspeltFields('))) {
            for (const m of line.matchAll(/'(\w+)'/g)) checked.add(m[1]);
          }
        }
      }
    };
    walk(path.join(__dirname, '..', '..', 'src'));
    expect(Object.keys(STRUCT_FIELDS).filter(s => !checked.has(s))).toEqual([]);
  });

  test('every exported props or options struct of the public API is listed', () => {
    const index = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'index.ts'), 'utf8');
    const publicFiles = [...index.matchAll(/from '\.\/(.+)'/g)].map(m => path.join(__dirname, '..', '..', 'src', `${m[1]}.ts`));
    const declared = /^export interface (\w+(?:Props|Options)|PushTrigger|PullRequestTrigger|AdditionalSource|PipelineNotifications)\b/gm;
    const structs = publicFiles.flatMap(f => [...fs.readFileSync(f, 'utf8').matchAll(declared)].map(m => m[1]))
      // the options the library hands to a user's action factory are output, not input
      .filter(n => n !== 'ProduceActionOptions');
    expect(structs.filter(s => !(s in STRUCT_FIELDS))).toEqual([]);
  });
});

describe('misspeltField', () => {
  test.each([
    ['productionn', 'EnvironmentOptions', 'production'],
    ['Production', 'EnvironmentOptions', 'production'],
    ['enviroments', 'DeliveryPipelineProps', 'environments'],
    ['brnach', 'GitHubSourceProps', 'branch'],
    ['bakeTme', 'AlarmVerificationOptions', 'bakeTime'],
    ['computetype', 'DeliveryDefaultsProps', 'computeType'],
    ['team', 'EnvironmentOptions', undefined],
    ['owner', 'DeliveryPipelineProps', undefined],
    ['production', 'EnvironmentOptions', undefined],
    // a neighbouring struct's name for the field (an ECR source's tag, an image scan's imageTag)
    ['tag', 'ImageScanOptions', 'imageTag'],
    ['imageTag', 'EcrSourceProps', 'tag'],
    ['path', 'AdditionalSource', 'directory'],
    // what other tools call the field (CDK Pipelines' synth, a repository for the source, a template for its path)
    ['build', 'DeliveryPipelineProps', 'buildStep'],
    ['synth', 'DeliveryPipelineProps', 'buildStep'],
    ['repo', 'DeliveryPipelineProps', 'source'],
    ['repository', 'DeliveryPipelineProps', 'source'],
    ['template', 'CloudFormationTargetProps', 'templatePath'],
  ])('%s in %s: %s', (key, struct, expected) => {
    expect(misspeltField(key, struct as StructName)).toBe(expected);
  });
});

describe('a misspelt field is refused; an unrelated extra field is left alone', () => {
  test('in an environment (regression: productionn: true deployed without the production approval)', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { environments: [env('staging'), { ...env('prod'), productionn: true } as any] }))).toBe(
      "'PipelineStack/Shop': environments[1] ('prod').productionn is not a field of EnvironmentOptions, got true. "
      + "Did you mean 'production'? A misspelt field would be ignored.");
    const other = newStack();
    pipelineIn(other, { environments: [{ ...env('staging'), team: 'payments' } as any] });
  });

  test('in the pipeline props, a source, a target and DeliveryDefaults', () => {
    expect(errorOf(() => pipelineIn(newStack(), { enviroments: [env('staging')] } as any))).toBe(
      "'PipelineStack/Shop': enviroments is not a field of DeliveryPipelineProps, got an array of 1. Did you mean 'environments'? A misspelt field would be ignored.");
    expect(errorOf(() => pipelineIn(newStack(), { source: PipelineSource.gitHub({ repository: 'acme/shop', brnach: 'release', connectionArn: CONNECTION_ARN } as any) }))).toBe(
      "'PipelineStack/Shop': source.brnach is not a field of GitHubSourceProps, got 'release'. Did you mean 'branch'? A misspelt field would be ignored.");
    expect(errorOf(() => pipelineIn(newStack(), {
      buildStep: build(),
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 's', templatePath: 't.json', paramterOverrides: { A: 'b' } } as any)] }],
    }))).toContain("environments[0] ('staging').deployments[0].paramterOverrides is not a field of CloudFormationTargetProps, got an object. Did you mean 'parameterOverrides'?");
    const app = newApp();
    expect(errorOf(() => DeliveryDefaults.applyTo(app, { computetype: codebuild.ComputeType.LARGE } as any))).toBe(
      "'(app)': DeliveryDefaults.computetype is not a field of DeliveryDefaultsProps, got 'BUILD_GENERAL1_LARGE'. Did you mean 'computeType'? A misspelt field would be ignored.");
    new DeliveryPipeline(new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } }), 'P', props());
  });
});

describe('a field under the name other tools give it is refused, naming the field meant (JavaScript callers, object spreads)', () => {
  test.each([
    ['build', () => build(), 'a BuildStep', "Did you mean 'buildStep'? DeliveryPipelineProps calls it buildStep; a field under another name would be ignored."],
    ['synth', () => build(), 'a BuildStep', "Did you mean 'buildStep'? The build, cdk synth included, runs in buildStep: "
      + "BuildStep.commands({ install: ['npm ci'], commands: ['npx cdk synth'] }); a field under another name would be ignored."],
    ['repo', () => 'acme/shop', "'acme/shop'", "Did you mean 'source'? The repository is given in source: PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }) "
      + '(or .codeCommit(), .s3(), .ecr()); a field under another name would be ignored.'],
    ['repository', () => 'acme/shop', "'acme/shop'", "Did you mean 'source'? The repository is given in source: PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }) "
      + '(or .codeCommit(), .s3(), .ecr()); a field under another name would be ignored.'],
  ])('%s in the pipeline props', (key, value, shown, fix) => {
    // as a JavaScript caller writes it: the other name instead of the field meant (refused before the field's absence is)
    const given = key === 'build' || key === 'synth' ? { source: gitHub(), [key]: value() } : { buildStep: build(), [key]: value() };
    expect(errorOf(() => new DeliveryPipeline(newStack(), 'Shop', given as any))).toBe(
      `'PipelineStack/Shop': ${key} is not a field of DeliveryPipelineProps, got ${shown}. ${fix}`);
  });

  test('template on a CloudFormation target', () => {
    const spread = { stackName: 'shop-staging', template: 'cdk.out/ShopStaging.template.json' };
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ ...spread } as any)] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[0].template is not a field of CloudFormationTargetProps, "
      + "got 'cdk.out/ShopStaging.template.json'. Did you mean 'templatePath'? CloudFormationTargetProps calls it templatePath; a field under another name would be ignored.");
  });
});
