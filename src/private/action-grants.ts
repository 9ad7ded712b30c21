import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Permissions an action needs at run time that aws-cdk-lib's action does not grant. The action
 * keeps the role aws-cdk-lib gives it; the statements are added to that role when the pipeline
 * binds the action.
 */
export function withActionRolePolicy(action: codepipeline.IAction, statements: iam.PolicyStatement[]): codepipeline.IAction {
  return statements.length === 0 ? action : new ActionWithRolePolicy(action, statements);
}

class ActionWithRolePolicy implements codepipeline.IAction {
  public readonly actionProperties: codepipeline.ActionProperties;

  constructor(private readonly inner: codepipeline.IAction, private readonly statements: iam.PolicyStatement[]) {
    this.actionProperties = inner.actionProperties;
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = this.inner.bind(scope, stage, options);
    for (const statement of this.statements) options.role.addToPrincipalPolicy(statement);
    return config;
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.inner.onStateChange(name, target, options);
  }
}

/** The qualifier of the CDK bootstrap stack a stack deploys with (its synthesizer's, else the context's, else the default). */
export function bootstrapQualifier(stack: Stack): string {
  return stack.synthesizer.bootstrapQualifier
    ?? stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier')
    ?? 'hnb659fds';
}

/**
 * CloudFormation reads the `AWS::SSM::Parameter::Value` parameters of a template with the
 * permissions of the role that creates the change set or stack. Every template the CDK
 * synthesizes has one: the bootstrap version (`/cdk-bootstrap/<qualifier>/version`). The CDK
 * bootstrap deploy role may read it; a role created for an action may not unless granted.
 */
export function readBootstrapVersion(account: string, region: string, qualifier: string): iam.PolicyStatement {
  return readBootstrapVersionParameter(account, region, `/cdk-bootstrap/${qualifier}/version`);
}

/** As readBootstrapVersion, for a version parameter of another name (`bootstrapStackVersionSsmParameter`). */
export function readBootstrapVersionParameter(account: string, region: string, parameterName: string): iam.PolicyStatement {
  // a parameter's ARN holds its name after `parameter`, with one '/' between
  const name = parameterName.startsWith('/') ? parameterName : `/${parameterName}`;
  return new iam.PolicyStatement({
    actions: ['ssm:GetParameters'],
    resources: [`arn:${Aws.PARTITION}:ssm:${region}:${account}:parameter${name}`],
  });
}

/**
 * aws-cdk-lib grants `codestar-connections:UseConnection` on the connection. A connection created
 * since the service was renamed has a `codeconnections` ARN, and IAM matches a resource only
 * under its own service prefix, so such a connection also needs `codeconnections:UseConnection`.
 * Undefined for a `codestar-connections` ARN, which aws-cdk-lib's grant covers.
 */
export function useRenamedConnection(connectionArn: string): iam.PolicyStatement | undefined {
  if (!Token.isUnresolved(connectionArn) && connectionArn.split(':')[2] === 'codestar-connections') return undefined;
  return new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [connectionArn] });
}

/**
 * The account of a grantee that cannot answer the pipeline's approvals: CodePipeline has no
 * resource-based policies, so a grant of `codepipeline:PutApprovalResult` to a principal of another
 * account goes into a policy of that account (or, for a role imported from another account, nowhere)
 * and never allows the call. Undefined when the accounts are the same or not known at synth.
 */
export function approverOfAnotherAccount(grantee: iam.IGrantable, pipelineAccount: string): string | undefined {
  const account = grantee.grantPrincipal.principalAccount;
  if (account === undefined || Token.isUnresolved(account) || Token.isUnresolved(pipelineAccount)) return undefined;
  return account !== pipelineAccount ? account : undefined;
}

/** How an error message names a grantee: its role or user ARN when literal, else its construct path. */
export function describeGrantee(grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal as Partial<iam.IRole & iam.IUser>;
  const arn = principal.roleArn ?? principal.userArn;
  if (typeof arn === 'string' && !Token.isUnresolved(arn)) return arn;
  return Construct.isConstruct(grantee) ? grantee.node.path : String(grantee.grantPrincipal);
}
