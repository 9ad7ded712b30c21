import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BuildStep, DeploymentTarget, QualityCheck, Verification } from '../../src';
import { action, actionsOf, errorOf, flat, newStack, pipelineIn, stageNames } from '../util';

describe('QualityCheck', () => {
  test('checks run in parallel in a Checks stage after the build', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan(), QualityCheck.commands('Lint', ['npm run lint'])] });
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'Checks']);
    expect(actionsOf(stack, 'Checks')).toEqual(['DependencyAudit@1', 'SourceCodeScan@1', 'Lint@1']);
  });

  test('no checks, no Checks stage', () => {
    const stack = newStack();
    pipelineIn(stack);
    expect(stageNames(stack)).toEqual(['Source', 'Build']);
  });

  test('the dependency audit defaults to npm audit at level high on the source, with the build output as extra input', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit()] });
    const a = action(stack, 'Checks', 'DependencyAudit');
    expect(a.InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'BuildOutput' }]);
    expect(a.Configuration.PrimarySource).toBe('Source');
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.serializedJson({ version: '0.2', phases: { build: { commands: ['npm audit --audit-level=high'] } } }) },
    });
  });

  test('the dependency audit command and name can be replaced', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit({ command: 'pip-audit -r requirements.txt', name: 'PipAudit', install: ['pip install pip-audit'] })] });
    expect(actionsOf(stack, 'Checks')).toEqual(['PipAudit@1']);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.serializedJson({ version: '0.2', phases: { install: { commands: ['pip install pip-audit'] }, build: { commands: ['pip-audit -r requirements.txt'] } } }) },
    });
  });

  test('the source scan is an Amazon Inspector action with the thresholds (critical defaults to 0)', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.sourceCodeScan({ highThreshold: 2 })] });
    const a = action(stack, 'Checks', 'SourceCodeScan');
    expect(a.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'InspectorScan', Version: '1' });
    expect(a.Configuration).toEqual({ InspectorRunMode: 'SourceCodeScan', CriticalThreshold: 0, HighThreshold: 2 });
    expect(a.InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('the source scan is refused in the China Regions, where CodePipeline has no InspectorScan action', () => {
    expect(errorOf(() => pipelineIn(newStack('111111111111', 'cn-north-1'), { checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan()] })))
      .toBe("'PipelineStack/Shop': checks[1] is an Amazon Inspector source code scan (CodePipeline's InspectorScan action), which CodePipeline does not offer "
        + "in the China Regions, got the pipeline stack's region 'cn-north-1'. Run a scanner in CodeBuild with QualityCheck.commands() instead, or place the pipeline stack in another Region.");
    // the other checks are fine there
    const stack = newStack('111111111111', 'cn-northwest-1');
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit()] });
    expect(actionsOf(stack, 'Checks')).toEqual(['DependencyAudit@1']);
  });
});

describe('rolePolicyStatements: permissions for commands that call AWS', () => {
  /** The statements of the default policy of the role whose logical id starts with `rolePrefix`. */
  function roleStatements(stack: Stack, rolePrefix: string): any[] {
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
    const policy = policies.find(p => p.Properties.Roles[0].Ref.startsWith(rolePrefix));
    return policy ? flat(policy.Properties.PolicyDocument.Statement) : [];
  }

  test('each part\'s statements go to its own CodeBuild project role only, and the plan lists them', () => {
    const stack = newStack();
    const codeArtifact = new iam.PolicyStatement({ actions: ['codeartifact:ReadFromRepository'], resources: ['arn:aws:codeartifact:eu-west-1:111111111111:repository/acme/npm'] });
    const scanner = new iam.PolicyStatement({ actions: ['securityhub:BatchImportFindings'], resources: ['arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default'] });
    const assume = new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::222222222222:role/shop-deployer'] });
    const readUrl = new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:222222222222:parameter/shop/url'] });
    const pipeline = pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm ci', 'npm test'], rolePolicyStatements: [codeArtifact] }),
      checks: [QualityCheck.commands('Findings', ['./report.sh'], { rolePolicyStatements: [scanner] })],
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], { rolePolicyStatements: [assume] })],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { rolePolicyStatements: [readUrl] })],
      }],
    });
    const expected: Array<[string, iam.PolicyStatement]> = [
      ['ShopBuildProjectRole', codeArtifact],
      ['ShopChecksFindingsProjectRole', scanner],
      ['ShopEnvironmentsprodDeployProjectRole', assume],
      ['ShopEnvironmentsprodSmokeProjectRole', readUrl],
    ];
    for (const [role, statement] of expected) {
      const json = stack.resolve(statement.toStatementJson());
      expect(roleStatements(stack, role)).toContainEqual(json);
      for (const [other] of expected.filter(([r]) => r !== role)) expect(roleStatements(stack, other)).not.toContainEqual(json);
    }
    const prod = pipeline._plan!.environments[0];
    expect(JSON.stringify(prod)).toContain('may: sts:AssumeRole');
    expect(JSON.stringify(prod)).toContain('may: ssm:GetParameter');
  });
});
