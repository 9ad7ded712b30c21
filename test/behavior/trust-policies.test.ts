import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Approval, DeploymentTarget, PipelineSource, QualityCheck, Verification } from '../../src';
import { cfnTarget, env, newStack, pipelineIn } from '../util';

/** The trust statements of the roles of a stack whose logical ids start with `prefix`, by logical id. */
function trustOf(stack: Stack, prefix: string): Record<string, any[]> {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  return Object.fromEntries(Object.entries(roles)
    .filter(([id]) => id.startsWith(prefix))
    .map(([id, role]) => [id, role.Properties.AssumeRolePolicyDocument.Statement]));
}

describe('what the roles the pipeline creates trust', () => {
  const stack = newStack();
  const application = new codedeploy.ServerApplication(stack, 'App', { applicationName: 'shop' });
  const fleet = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { application, deploymentGroupName: 'shop-fleet' });
  pipelineIn(stack, {
    source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(stack, 'Images', 'shop') }),
    checks: [QualityCheck.commands('Lint', ['npm run lint'])],
    environments: [
      env('staging', { deployments: [cfnTarget()], verification: [Verification.commands('Smoke', ['./smoke.sh'])] }),
      env('prod', { production: true, approval: Approval.manual(), deployments: [DeploymentTarget.codeDeployServer(fleet)] }),
    ],
  });
  const trust = trustOf(stack, 'Shop');
  const pipelineRole = Object.keys(trust).find(id => /^ShopPipelineRole[0-9A-F]{8}$/.test(id))!;

  test('the pipeline\'s role trusts CodePipeline, each project\'s role CodeBuild, the role starting the pipeline on an image push EventBridge, with no condition', () => {
    const services = Object.values(trust).flat().filter(st => st.Principal.Service !== undefined);
    expect(services.map(st => st.Principal.Service).sort()).toEqual([
      // the build, the check and the test
      'codebuild.amazonaws.com', 'codebuild.amazonaws.com', 'codebuild.amazonaws.com',
      'codepipeline.amazonaws.com', 'events.amazonaws.com',
    ]);
    for (const st of services) expect(st).toEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: st.Principal.Service } });
    expect(trust[pipelineRole]).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' } }]);
  });

  test('every other role it creates (the approvals\', the CodeBuild actions\', the CodeDeploy action\'s) trusts the pipeline\'s role alone, by its ARN', () => {
    const others = Object.entries(trust).filter(([, statements]) => statements.every(st => st.Principal.Service === undefined));
    expect(others.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^ShopApprovalRole/), expect.stringMatching(/^ShopCodeBuildActionRole/),
      expect.stringMatching(/^ShopPipelineSourceCodePipelineActionRole/), expect.stringMatching(/^ShopPipelineprodshopfleetCodePipelineActionRole/),
    ]);
    for (const [, statements] of others) {
      expect(statements).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [pipelineRole, 'Arn'] } } }]);
    }
  });

  test('the CodeDeploy group\'s own role is the app\'s, left as aws-cdk-lib creates it', () => {
    expect(Object.values(trustOf(stack, 'FleetRole'))).toEqual([
      [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codedeploy.amazonaws.com' } }],
    ]);
  });
});
