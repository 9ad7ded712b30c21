import { Aws, DefaultStackSynthesizer, Stack, Token } from 'aws-cdk-lib';
import { isAppStagingSynthesizer } from './app-staging';
import { described, Validator } from './validation';

/** How UpdatePipeline deploys the pipeline's own stack: the roles and parameter its synthesizer names. */
export interface SelfUpdateDeployment {
  /** The CloudFormation execution role the action passes (the synthesizer's `cloudFormationExecutionRole`). */
  readonly executionRoleArn: string;
  /**
   * The SSM parameter of the bootstrap version the stack's template reads (the synthesizer's
   * `bootstrapStackVersionSsmParameter`), which CloudFormation reads with the action's role; undefined
   * when the template has none (`generateBootstrapVersionRule: false`, BootstraplessSynthesizer).
   */
  readonly bootstrapVersionParameter?: string;
}

/**
 * The execution role and bootstrap version parameter of the pipeline stack's synthesizer, as
 * `cdk deploy` would use them. A synthesizer that names no execution role (LegacyStackSynthesizer,
 * CliCredentialsStackSynthesizer, one of the app's own) cannot be deployed by the pipeline: refused.
 */
export function selfUpdateDeployment(v: Validator, stack: Stack): SelfUpdateDeployment {
  const synthesizer = stack.synthesizer;
  const fix = "Give the pipeline's stack the DefaultStackSynthesizer (the default; with cloudFormationExecutionRole and bootstrapStackVersionSsmParameter "
    + 'when your bootstrap differs), or leave selfUpdate out and deploy the pipeline\'s stack with cdk deploy.';
  if (isAppStagingSynthesizer(synthesizer)) {
    v.fail('selfUpdate', `deploys the pipeline's stack '${stack.stackName}' from the build's cloud assembly, but its synthesizer is the AppStagingSynthesizer `
      + "(@aws-cdk/app-staging-synthesizer-alpha), whose staging stack holds the stack's assets and is deployed by cdk deploy only, not by the pipeline",
    described(synthesizer.constructor.name), fix);
  }
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    v.fail('selfUpdate', `deploys the pipeline's stack '${stack.stackName}' with the CloudFormation execution role its synthesizer names, `
      + `but its ${synthesizer.constructor.name} names none (it deploys with the credentials of whoever runs cdk deploy)`, described(synthesizer.constructor.name), fix);
  }
  const place = (text: string) => text
    .replace(/\$\{AWS::Partition\}/g, Aws.PARTITION)
    .replace(/\$\{AWS::AccountId\}/g, stack.account)
    .replace(/\$\{AWS::Region\}/g, stack.region);
  // aws-cdk-lib keeps the bootstrap version parameter and generateBootstrapVersionRule private:
  // read as the synthesizer holds them once bound to the stack (a BootstraplessSynthesizer is
  // given generateBootstrapVersionRule: false)
  const internals = synthesizer as unknown as { bootstrapStackVersionSsmParameter?: unknown; props?: { generateBootstrapVersionRule?: unknown } };
  const versionRule = internals.props?.generateBootstrapVersionRule !== false;
  const parameter = typeof internals.bootstrapStackVersionSsmParameter === 'string' ? internals.bootstrapStackVersionSsmParameter : undefined;
  return {
    executionRoleArn: place(synthesizer.cloudFormationExecutionRoleArn),
    bootstrapVersionParameter: versionRule && parameter !== undefined && !Token.isUnresolved(parameter) ? place(parameter) : undefined,
  };
}
