import { Match, Template } from 'aws-cdk-lib/assertions';
import { QualityCheck } from '../../src';
import { action, actionsOf, newStack, pipelineIn, stageNames } from '../util';

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
});
