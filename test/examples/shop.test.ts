import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopPipelineStack } from '../../examples/shop/pipeline-stack';
import { DeliveryPipeline } from '../../src';
import { newApp } from '../util';

function shop(): { app: App; stack: ShopPipelineStack } {
  const app = newApp();
  const stack = new ShopPipelineStack(app, 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return { app, stack };
}

describe('examples/shop', () => {
  test('cdk-nag AwsSolutions: no unsuppressed errors or warnings', () => {
    const { stack } = shop();
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  test('every suppression the library adds carries a reason of substance', () => {
    const { stack } = shop();
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
    const suppressions = Object.values(resources).flatMap(r => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.reason.length).toBeGreaterThan(40);
      expect(s.id).toMatch(/^AwsSolutions-(IAM5|S1)$/);
    }
    // the IAM5 suppressions always name the findings they cover, in one entry per policy (the
    // metadata is repeated on every policy and counts against the template's 1 MB)
    expect(suppressions.filter((s: any) => s.id === 'AwsSolutions-IAM5' && !s.applies_to)).toEqual([]);
    for (const r of Object.values(resources).filter((x: any) => x.Type === 'AWS::IAM::Policy' && x.Metadata?.cdk_nag)) {
      const iam5 = r.Metadata.cdk_nag.rules_to_suppress.filter((s: any) => s.id === 'AwsSolutions-IAM5' && !s.applies_to.includes('Resource::*'));
      expect(iam5).toHaveLength(1);
    }
  });

  test('cdk-nag checks the statements a user adds: all of them in a policy of their own, all but the listed action wildcards in the library\'s (README, Security)', () => {
    const app = newApp();
    const stack = new ShopPipelineStack(app, 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const delivery = stack.node.findAll().find((c): c is DeliveryPipeline => c instanceof DeliveryPipeline)!;
    delivery.buildPipeline();
    const role = delivery.pipeline.role;
    const ownBucketObjects = () => new iam.PolicyStatement({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::acme-reports/*'] });
    role.addToPrincipalPolicy(ownBucketObjects());
    new iam.Policy(stack, 'Extra', { statements: [ownBucketObjects()], roles: [role] });
    // the checks run on the constructs directly: a synth with error annotations fails on newer aws-cdk-lib
    const checks = new AwsSolutionsChecks();
    for (const c of stack.node.findAll()) checks.visit(c);
    const findings = stack.node.findAll().flatMap(c => c.node.metadata
      .filter(m => m.type === 'aws:cdk:error' && String(m.data).startsWith('AwsSolutions-IAM5'))
      .map(m => `${c.node.path} ${/\[(.*?)\]/.exec(String(m.data))?.[1]}`)).sort();
    expect(findings).toEqual([
      'ShopPipeline/Extra/Resource Action::s3:GetObject*',
      'ShopPipeline/Extra/Resource Resource::arn:aws:s3:::acme-reports/*',
      // in the library's policy, the action wildcard has the id of one the library's entry covers
      'ShopPipeline/Shop/Pipeline/Role/DefaultPolicy/Resource Resource::arn:aws:s3:::acme-reports/*',
    ]);
  });

  test('stage and action layout', () => {
    const { stack } = shop();
    const pipeline = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    expect(pipeline.Properties.Stages.map((s: any) => `${s.Name}: ${s.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`).join(' ')}`)).toEqual([
      'Source: Source@1',
      'Build: Build@1',
      'Checks: DependencyAudit@1 SourceCodeScan@1',
      'staging: shop-staging.Prepare@1 shop-staging.Deploy@2 SmokeTest@3',
      'prod: Approve@1 shop-prod.Prepare@2 shop-prod.Deploy@3 SmokeTest@4',
    ]);
  });

  test('the whole template matches the reviewed snapshot', () => {
    const { stack } = shop();
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
