import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  Approval, BuildCache, BuildSecret, BuildStep, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget, DeploymentWindow, DockerCredential,
  LambdaTrafficShift, PipelineSource, QualityCheck, Verification,
} from '../../src';
import { DeliveryPipelineValidationError } from '../../src/private/validation';
import { env, newStack, props } from '../util';

/**
 * An instance of a class of the user's own that extends one of the library's classes, as a subclass written in Python, Java,
 * .NET or Go reaches the library through jsii: it has none of the internal members the library's kinds implement.
 */
function subclassOf(base: unknown, name: string): any {
  const C = { [name]: class extends (base as new () => object) {} }[name];
  return new C();
}

function errorOfPipeline(build: (stack: Stack) => Partial<DeliveryPipelineProps>): DeliveryPipelineValidationError {
  const stack = newStack();
  try {
    new DeliveryPipeline(stack, 'Shop', props(build(stack)));
  } catch (e) {
    return e as DeliveryPipelineValidationError;
  }
  throw new Error('expected an error, but none was thrown');
}

const tail = (kind: string) => `A class of your own that extends ${kind} cannot be used: the pipeline reads members of the library's kinds that are not part of its API.`;

describe('a subclass of a class made by its factories is the library\'s error (regression: TypeError: d._toModel is not a function)', () => {
  const fnAlias = (stack: Stack) => lambda.Alias.fromAliasAttributes(stack, 'Live', {
    aliasName: 'live',
    aliasVersion: lambda.Version.fromVersionArn(stack, 'V', 'arn:aws:lambda:eu-west-1:111111111111:function:shop:1'),
  });
  const cases: [string, string, string, (stack: Stack) => Partial<DeliveryPipelineProps>, string][] = [
    ['PipelineSource', 'source', 'PipelineSource.gitHub(), PipelineSource.codeCommit(), PipelineSource.s3(), PipelineSource.ecr()', () => ({ source: subclassOf(PipelineSource, 'MySource') }), ''],
    ['PipelineSource', "additionalSources[0] ('Config').source", 'PipelineSource.gitHub(), PipelineSource.codeCommit(), PipelineSource.s3(), PipelineSource.ecr()',
      () => ({ additionalSources: [{ name: 'Config', source: subclassOf(PipelineSource, 'MySource') }] }), ''],
    ['BuildStep', 'buildStep', 'BuildStep.commands()', () => ({ buildStep: subclassOf(BuildStep, 'MyStep') }), 'For a build of your own, pass its commands to BuildStep.commands(). '],
    ['QualityCheck', 'checks[0]', 'QualityCheck.commands(), QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan(), QualityCheck.imageScan()',
      () => ({ checks: [subclassOf(QualityCheck, 'MyCheck')] }), 'For a check of your own use QualityCheck.commands(). '],
    ['DeploymentTarget', "environments[0] ('prod').deployments[0]", 'DeploymentTarget.cloudFormation(), DeploymentTarget.cdkStage(), DeploymentTarget.commands(), '
      + 'DeploymentTarget.codeDeployServer(), DeploymentTarget.codeDeployEcs(), DeploymentTarget.ecs(), DeploymentTarget.lambdaFunction(), DeploymentTarget.fromActionFactory()',
    () => ({ environments: [{ name: 'prod', deployments: [subclassOf(DeploymentTarget, 'MyTarget')] }] }), 'For your own action use DeploymentTarget.fromActionFactory(). '],
    ['Approval', "environments[0] ('prod').approval", 'Approval.manual(), Approval.changeSetReview()', () => ({ environments: [env('prod', { approval: subclassOf(Approval, 'MyApproval') })] }), ''],
    ['Verification', "environments[0] ('prod').verification[0]", 'Verification.commands(), Verification.alarms()',
      () => ({ environments: [env('prod', { verification: [subclassOf(Verification, 'MyTest')] })] }), 'For a test of your own use Verification.commands(). '],
    ['DeploymentWindow', "environments[0] ('prod').deploymentWindow", 'DeploymentWindow.cron()',
      () => ({ environments: [env('prod', { deploymentWindow: subclassOf(DeploymentWindow, 'MyWindow') })] }), ''],
    ['BuildCache', 'buildStep.cache', 'BuildCache.local(), BuildCache.s3()', () => ({ buildStep: BuildStep.commands({ commands: ['npm test'], cache: subclassOf(BuildCache, 'MyCache') }) }), ''],
    ['BuildSecret', 'buildStep.secrets.NPM_TOKEN', 'BuildSecret.fromSecretsManager(), BuildSecret.fromParameterStore()',
      () => ({ buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: subclassOf(BuildSecret, 'MySecret') } }) }), ''],
    ['DockerCredential', 'dockerCredentials[0]', 'DockerCredential.dockerHub(), DockerCredential.customRegistry(), DockerCredential.ecr()',
      () => ({ dockerCredentials: [subclassOf(DockerCredential, 'MyLogin')] }), ''],
    ['LambdaTrafficShift', "environments[0] ('prod').deployments[0].trafficShift", 'LambdaTrafficShift.allAtOnce(), LambdaTrafficShift.canary(), LambdaTrafficShift.linear()',
      stack => ({ environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(fnAlias(stack), { trafficShift: subclassOf(LambdaTrafficShift, 'MyShift') })] }] }), ''],
  ];
  test.each(cases)('%s at %s', (kind, field, factories, build, own) => {
    const error = errorOfPipeline(build);
    expect(error).toBeInstanceOf(DeliveryPipelineValidationError);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^'PipelineStack/Shop': ${field.replace(/[()[\].]/g, '\\$&')} must be made by one of ${kind}'s factories `));
    expect(error.message.replace(/^'PipelineStack\/Shop': .*? must be made/, 'must be made'))
      .toBe(`must be made by one of ${kind}'s factories (${factories}), got a subclass of ${kind} ('${error.message.match(/\('(My[A-Za-z]+)'\)/)?.[1]}'). `
        + `${own}${tail(kind)}`);
  });

  test('the exact message, with the subclass named', () => {
    expect(errorOfPipeline(() => ({ environments: [{ name: 'prod', deployments: [subclassOf(DeploymentTarget, 'MyTarget')] }] })).message)
      .toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0] must be made by one of DeploymentTarget's factories (DeploymentTarget.cloudFormation(), "
        + 'DeploymentTarget.cdkStage(), DeploymentTarget.commands(), DeploymentTarget.codeDeployServer(), DeploymentTarget.codeDeployEcs(), DeploymentTarget.ecs(), '
        + "DeploymentTarget.lambdaFunction(), DeploymentTarget.fromActionFactory()), got a subclass of DeploymentTarget ('MyTarget'). "
        + 'For your own action use DeploymentTarget.fromActionFactory(). ' + tail('DeploymentTarget'));
  });
});
