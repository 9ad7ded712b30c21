import { Match, Template } from 'aws-cdk-lib/assertions';
import { Approval, Verification } from '../../src';
import { action, actionsOf, cfnTarget, errorOf, newStack, pipelineIn } from '../util';

describe('Verification.commands', () => {
  test('runs after the deployments, in parallel with the other verifications', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        approval: Approval.manual(),
        deployments: [cfnTarget('shop-staging')],
        verification: [Verification.commands('Smoke', ['./smoke.sh']), Verification.commands('E2E', ['npm run e2e'])],
      }],
    });
    expect(actionsOf(stack, 'staging')).toEqual(['Approve@1', 'shop-staging.Prepare@2', 'shop-staging.Deploy@3', 'Smoke@4', 'E2E@4']);
  });

  test('env becomes the project\'s environment variables; the build output is the working directory', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{ name: 'staging', deployments: [cfnTarget()], verification: [Verification.commands('Smoke', ['curl -fsS $URL/health'], { env: { URL: 'https://staging.example.com' } })] }],
    });
    expect(action(stack, 'staging', 'Smoke').InputArtifacts).toEqual([{ Name: 'BuildOutput' }, { Name: 'Source' }]);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: [{ Name: 'URL', Type: 'PLAINTEXT', Value: 'https://staging.example.com' }] }),
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.serializedJson({ version: '0.2', phases: { build: { commands: ['curl -fsS $URL/health'] } } }) },
    });
  });
});

describe('Verification.commands: one variable in both maps', () => {
  test('is refused, naming it (regression: env silently replaced environmentVariables)', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [cfnTarget('shop-staging')],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { env: { URL: 'https://a', MODE: 'x' }, environmentVariables: { URL: 'https://b' } })],
      }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('staging').verification[0].env sets 'URL', which environmentVariables sets too "
      + '(one value would silently replace the other), got URL. Set each variable in one of the two maps.');
  });

  test('environmentVariables that is not a map is refused, not a TypeError (regression: the check of both maps crashed)', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [cfnTarget('shop-staging')],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { env: { URL: 'u' }, environmentVariables: 'URL=u' as any })],
      }],
    }))).toMatch(/^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.verification\[0\]\.environmentVariables must be /);
  });
});
