import { Template } from 'aws-cdk-lib/assertions';
import { BuildStep, DeploymentTarget, QualityCheck, Verification } from '../../src';
import { action, errorOf, newStack, pipelineIn } from '../util';

function projectVariables(stack: any, prefix: string): any {
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const found = Object.entries(projects).find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no project ${prefix}`);
  return (found[1] as any).Properties.Environment.EnvironmentVariables;
}

describe('environment variables that read CodePipeline variables', () => {
  test("the build's go to its CodeBuild action, the others stay on the project", () => {
    const stack = newStack();
    pipelineIn(stack, {
      buildStep: BuildStep.commands({
        commands: ['docker push "$REPO:$COMMIT"'],
        environmentVariables: { COMMIT: '#{SourceVariables.CommitId}', REPO: 'shop', TAG: 'v-#{codepipeline.PipelineExecutionId}' },
      }),
    });
    expect(JSON.parse(action(stack, 'Build', 'Build').Configuration.EnvironmentVariables)).toEqual([
      { name: 'COMMIT', type: 'PLAINTEXT', value: '#{SourceVariables.CommitId}' },
      { name: 'TAG', type: 'PLAINTEXT', value: 'v-#{codepipeline.PipelineExecutionId}' },
    ]);
    expect(projectVariables(stack, 'ShopBuildProject')).toEqual([{ Name: 'REPO', Type: 'PLAINTEXT', Value: 'shop' }]);
  });

  test('a check, a deploy script and a test pass them through their actions, beside stack outputs', () => {
    const stack = newStack();
    pipelineIn(stack, {
      checks: [QualityCheck.commands('Lint', ['x'], { environmentVariables: { BRANCH: '#{SourceVariables.BranchName}' } })],
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out/Shop.template.json' }),
          DeploymentTarget.commands('Script', ['./deploy.sh'], { environmentVariables: { COMMIT: '#{SourceVariables.CommitId}' } }),
        ],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { env: { COMMIT: '#{SourceVariables.CommitId}' }, envFromStackOutputs: { URL: 'shop-staging.Url' } })],
      }],
    });
    expect(JSON.parse(action(stack, 'Checks', 'Lint').Configuration.EnvironmentVariables))
      .toEqual([{ name: 'BRANCH', type: 'PLAINTEXT', value: '#{SourceVariables.BranchName}' }]);
    expect(projectVariables(stack, 'ShopChecksLintProject')).toBeUndefined();
    expect(JSON.parse(action(stack, 'staging', 'Script').Configuration.EnvironmentVariables))
      .toEqual([{ name: 'COMMIT', type: 'PLAINTEXT', value: '#{SourceVariables.CommitId}' }]);
    expect(JSON.parse(action(stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'COMMIT', type: 'PLAINTEXT', value: '#{SourceVariables.CommitId}' },
      { name: 'URL', type: 'PLAINTEXT', value: '#{staging@shop-staging.Url}' },
    ]);
  });

  test("more than CodePipeline's 1,000 characters of them is refused", () => {
    const variables = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`COMMIT_${i}`, '#{SourceVariables.CommitId}']));
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], environmentVariables: variables }) })))
      .toMatch(new RegExp("^'PipelineStack/Shop': buildStep.environmentVariables has values that read CodePipeline variables, which the CodeBuild action passes: "
        + "\\d+ characters of action configuration, more than CodePipeline's 1000 for a CodeBuild action's environment variables, got COMMIT_0, COMMIT_1, "));
  });
});
