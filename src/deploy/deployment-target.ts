import { Aws, CfnCapabilities, CfnOutput, Stack, Stage, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CdkStageOptions, cdkStageModel } from './cdk-stage';
import { CHANGE_SET_NAME } from './cloudformation-names';
import {
  CodeDeployEcsOptions, codeDeployEcsModel, CodeDeployServerOptions, codeDeployServerModel, defaultChildOf, EcsRollingOptions, ecsRollingModel,
  refuseOtherStageRole,
} from './codedeploy-targets';
import { LambdaDeployOptions, lambdaModel } from './lambda-target';
import { commandsActionModel, QualityCheckCommandsOptions } from '../build/quality-check';
import { DeploymentModel, DeploymentRenderContext, ModelContext, ProducedActionFacts } from '../model/model';
import { BEFORE_DEPLOYMENTS_DETAIL, BEFORE_DEPLOYMENTS_VARIABLE } from '../model/stage-names';
import { readBootstrapVersion, withActionRolePolicy } from '../private/action-grants';
import { buildOutputFilePath } from '../private/artifact-paths';
import { refuseSecretInPipelineDefinition, refuseSecretsInCommands, takenVariables, validateCommandsOptions } from '../private/commands-spec';
import { refuseOwnedOfOtherApp } from '../private/referable';
import { OutputVariables, outputVariables } from '../private/stack-outputs';
import { roleInPipelineStack } from '../private/stage-principals';
import type { Validator } from '../private/validation';
import { DeliveryPipelineValidationError, described, isToken, literal } from '../private/validation';

/** What the renderer passes to a custom action factory. */
export interface ProduceActionOptions {
  /** The action name to use (unique in the stage). */
  readonly actionName: string;
  /** The run order to use. */
  readonly runOrder: number;
  /** The source artifact. */
  readonly sourceArtifact: codepipeline.Artifact;
  /** The build output artifact. */
  readonly buildArtifact: codepipeline.Artifact;
  /** The environment the action deploys to. */
  readonly environmentName: string;
}

/**
 * The integration seam for actions the library does not know: the renderer supplies the action
 * name and run order, the factory supplies everything else and grants its own IAM.
 */
export interface IDeliveryActionFactory {
  /** Creates the action (and any resources it needs under `scope`). */
  produceAction(scope: Construct, options: ProduceActionOptions): codepipeline.IAction;
}

/** Properties of a CloudFormation deployment. */
export interface CloudFormationTargetProps {
  /** Name of the stack to create or update. */
  readonly stackName: string;
  /** Path of the template inside the build output, for example `cdk.out/Shop.template.json` or `template.yaml`. */
  readonly templatePath: string;
  /**
   * Template parameter values.
   *
   * @default - the template's defaults
   */
  readonly parameterOverrides?: Record<string, string>;
  /**
   * Path of a template configuration file inside the build output, for example
   * `params/prod.json`: `{ "Parameters": { ... }, "Tags": { ... }, "StackPolicy": { ... } }`.
   * Takes parameters beyond what `parameterOverrides` can hold (1,000 characters); a parameter
   * given in both takes the value of `parameterOverrides`.
   *
   * @default - none
   */
  readonly templateConfiguration?: string;
  /**
   * Account to deploy to.
   *
   * @default - the environment's account, else the pipeline's
   */
  readonly account?: string;
  /**
   * Region to deploy to, a literal such as 'us-east-1' (a token is refused unless it is the pipeline
   * stack's own region).
   *
   * @default - the environment's region, else the pipeline's
   */
  readonly region?: string;
  /**
   * Action name prefix in the stage (`<name>.Prepare`, `<name>.Deploy`).
   *
   * @default - the stack name
   */
  readonly name?: string;
  /**
   * The role CloudFormation assumes to change the stack's resources.
   *
   * @default - the CDK bootstrap CloudFormation execution role of the target account and region
   * (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`)
   */
  readonly deploymentRole?: iam.IRole;
  /**
   * The role CodePipeline assumes to create and execute the change set. It needs the
   * CloudFormation change-set permissions on the stack, `iam:PassRole` on the execution role, and
   * `ssm:GetParameters` on the template's SSM parameters (every CDK-synthesized template reads
   * `/cdk-bootstrap/<qualifier>/version`).
   * The pipeline grants it read access to the artifacts: on the role itself, or in the bucket and
   * key policies for a role imported with `{ mutable: false, addGrantsToResources: true }`.
   *
   * @default - the CDK bootstrap deploy role of the target account and region
   * (`cdk-<qualifier>-deploy-role-<account>-<region>`); when `deploymentRole` is given for the
   * pipeline's own account, a role created for the action that may pass exactly that role and
   * read the bootstrap version parameter. A `deploymentRole` in another account needs a `deployRole`.
   */
  readonly deployRole?: iam.IRole;
  /**
   * Qualifier of the CDK bootstrap stack whose roles are used.
   *
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;
}

/** Options of a commands deployment. */
export interface DeployCommandsOptions extends QualityCheckCommandsOptions {
  /**
   * Run the script once the environment's other deployments succeeded (for example a CDN
   * invalidation after the stack that updates the site, or a cache warm-up), before its
   * verification.
   *
   * @default false - the script runs in parallel with the other deployments
   */
  readonly runAfterDeployments?: boolean;
  /**
   * Run the script before the environment's other deployments: after its manual approval
   * (`Approval.manual()`), before any change set is created (with `Approval.changeSetReview()`, the
   * review follows the change sets, after the script). For a check that must pass before anything
   * deploys (a schema check, a freeze calendar, a health check of the running service), as CDK
   * Pipelines' `pre` steps. Several such scripts run in parallel; when one fails, the stage fails
   * and nothing is deployed. Not with `runAfterDeployments`, nor with stack outputs (nothing of
   * the environment is deployed yet). The action has the environment variable
   * `CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS=true`, by which the `cdk-delivery` CLI tells it from a
   * deployment.
   *
   * @default false - the script runs in parallel with the other deployments
   */
  readonly runBeforeDeployments?: boolean;
  /**
   * Environment variables set from the `CfnOutput`s of stacks of a CDK stage the environment
   * deploys, as `Verification.commands` takes them; only with `runAfterDeployments` (the outputs
   * exist once the stacks are deployed).
   *
   * @default - none
   */
  readonly envFromCfnOutputs?: Record<string, CfnOutput>;
  /**
   * Environment variables set from outputs of stacks the environment deploys, named
   * `'<stack name>.<output name>'` (for example the distribution id a CDN invalidation needs), as
   * `Verification.commands` takes them; only with `runAfterDeployments`.
   *
   * @default - none
   */
  readonly envFromStackOutputs?: Record<string, string>;
}

/**
 * Something an environment deploys. The deployments of an environment run in parallel.
 */
export abstract class DeploymentTarget {
  /**
   * A CloudFormation stack from a template in the build output, deployed through a change set
   * (create, then execute; with `Approval.changeSetReview()` a person reviews it in between).
   */
  public static cloudFormation(props: CloudFormationTargetProps): DeploymentTarget {
    return new CloudFormationTarget(props);
  }

  /** A deploy script run in CodeBuild, with the build output as its working directory. */
  public static commands(name: string, commands: string[], options: DeployCommandsOptions = {}): DeploymentTarget {
    return new CommandsTarget(name, commands, options);
  }

  /**
   * A CodeDeploy EC2/on-premises deployment of the build output (an appspec.yml at its root). The
   * deployment group's config decides the rollout: one at a time, half at a time, all at once, or
   * a custom minimum of healthy hosts.
   */
  public static codeDeployServer(deploymentGroup: codedeploy.IServerDeploymentGroup, options: CodeDeployServerOptions = {}): DeploymentTarget {
    return new ModelTarget((ctx, env) => codeDeployServerModel(ctx, deploymentGroup, options, env, env.pipelineRegion));
  }

  /**
   * An ECS blue/green deployment through CodeDeploy: canary, linear or all at once as the
   * deployment group's config says, with the group's alarms and auto-rollback.
   */
  public static codeDeployEcs(deploymentGroup: codedeploy.IEcsDeploymentGroup, options: CodeDeployEcsOptions): DeploymentTarget {
    return new ModelTarget((ctx, env) => codeDeployEcsModel(ctx, deploymentGroup, options, env, env.pipelineRegion));
  }

  /** An ECS rolling update from an image definitions file in the build output. */
  public static ecs(service: ecs.IBaseService, options: EcsRollingOptions = {}): DeploymentTarget {
    return new ModelTarget((ctx, env) => ecsRollingModel(ctx, service, options, env, env.pipelineRegion));
  }

  /**
   * A Lambda function's new code, through CodePipeline's Lambda deploy action: the artifact (the
   * build output by default) becomes the function's code, published as a new version, and the
   * alias's traffic moves to it all at once, as a canary or linearly (`trafficShift`), failing on
   * the alarms you name. The alias must point to one published version when the deployment starts;
   * that version is the one the alias keeps or goes back to when the deployment fails.
   *
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html
   * @param alias the alias to move, usually imported: `lambda.Alias.fromAliasAttributes(this, 'Live',
   * { aliasName: 'live', aliasVersion: lambda.Version.fromVersionArn(this, 'Version', '<ARN of a published version>') })`
   * (the version's ARN names the function, its account and Region)
   * @param options the traffic shift, the alarms, the artifact and the role
   */
  public static lambdaFunction(alias: lambda.IAlias, options: LambdaDeployOptions = {}): DeploymentTarget {
    return new ModelTarget((ctx, env) => lambdaModel(ctx, alias, options, env, env.pipelineRegion));
  }

  /**
   * Every stack of a CDK Stage, in dependency order, through CloudFormation change sets, from the
   * cloud assembly the build step produced (the build runs `cdk synth`). File and Docker image
   * assets of all stages are published once per execution by a single CodeBuild action. Lambda
   * aliases with a CodeDeploy deployment group roll out as canaries during the update; the plan
   * shows the strategy. An ECS blue/green group in the stage warns: CloudFormation cannot update
   * its service's task definition.
   *
   * The stacks deploy to the account and region they name (one of each per stage), else the
   * environment's: stages of several accounts or regions can share an environment that names
   * none, and deploy in parallel (a CDK Pipelines wave).
   *
   * The stage is synthesized when the pipeline is configured: add its stacks first.
   */
  public static cdkStage(stage: Stage, options: CdkStageOptions = {}): DeploymentTarget {
    return new ModelTarget((ctx, env) => cdkStageModel(ctx, stage, options, env));
  }

  /** Any CodePipeline action, produced by your factory. */
  public static fromActionFactory(name: string, factory: IDeliveryActionFactory): DeploymentTarget {
    return new FactoryTarget(name, factory);
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext, env: TargetEnvironment): DeploymentModel;
}

/** What a target knows of its environment when it is validated. */
interface TargetEnvironment {
  readonly account?: string;
  readonly region?: string;
  readonly name: string;
  readonly pipelineRegion: string;
  readonly pipelineAccount: string;
}

/** A target whose model comes from a function (kinds defined in other files). */
class ModelTarget extends DeploymentTarget {
  constructor(private readonly toModel: (ctx: ModelContext, env: TargetEnvironment) => DeploymentModel) {
    super();
  }

  public _toModel(ctx: ModelContext, env: TargetEnvironment): DeploymentModel {
    return this.toModel(ctx, env);
  }
}


class CloudFormationTarget extends DeploymentTarget {
  constructor(private readonly props: CloudFormationTargetProps) {
    super();
  }

  public _toModel(ctx: ModelContext, env: TargetEnvironment): DeploymentModel {
    const v: Validator = ctx.validator;
    const p = this.props;
    v.requireObject(ctx.field, p, 'Pass { stackName, templatePath } to DeploymentTarget.cloudFormation().');
    v.noMisspeltFields(ctx.field, p, 'CloudFormationTargetProps');
    const stackFix = "Use 1 to 128 characters: letters, digits and '-', starting with a letter, for example 'shop-staging'.";
    const stackName = v.requireString(`${ctx.field}.stackName`, p.stackName, stackFix);
    if (!isToken(stackName) && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
      v.fail(`${ctx.field}.stackName`, 'is not a valid CloudFormation stack name', stackName, stackFix);
    }
    const givenPath = v.requireString(`${ctx.field}.templatePath`, p.templatePath,
      "Pass the template's path inside the build output, for example 'cdk.out/Shop.template.json'.");
    // CodePipeline reads the path inside the artifact as written: './cdk.out/x.json' becomes 'cdk.out/x.json'
    const templatePath = buildOutputFilePath(v, `${ctx.field}.templatePath`, givenPath, 'template.yaml');
    const parameterOverrides = v.optionalStringMap(`${ctx.field}.parameterOverrides`, p.parameterOverrides,
      "Pass string values, for example { Stage: 'prod' }.");
    for (const [name, value] of Object.entries(parameterOverrides ?? {})) {
      refuseSecretInPipelineDefinition(v, `${ctx.field}.parameterOverrides.${name}`, value,
        "Resolve the secret in the stack's own template instead (a dynamic reference there, such as SecretValue.secretsManager('db-password') in the stack's code, "
        + `is resolved when CloudFormation deploys the stack and kept out of the pipeline), and leave ${name} out of parameterOverrides.`);
    }
    if (parameterOverrides) {
      const size = JSON.stringify(parameterOverrides).length;
      if (size > 1000) {
        v.fail(`${ctx.field}.parameterOverrides`, 'must render to at most 1000 characters (CodePipeline action configuration limit)',
          described(`${size} characters`), "Move values into a template configuration file in the build output: templateConfiguration: 'params/prod.json'.");
      }
    }
    const givenConfiguration = v.optionalString(`${ctx.field}.templateConfiguration`, p.templateConfiguration,
      "Pass the configuration file's path inside the build output, for example 'params/prod.json'.");
    const templateConfiguration = givenConfiguration === undefined ? undefined
      : buildOutputFilePath(v, `${ctx.field}.templateConfiguration`, givenConfiguration, 'params/prod.json');
    const account = v.optionalString(`${ctx.field}.account`, p.account, "Pass a 12-digit account id such as '111111111111'.") ?? env.account;
    // undefined for the pipeline stack's own region given as its token: the pipeline's region, not the environment's
    const region = v.optionalRegion(`${ctx.field}.region`, p.region, env.pipelineRegion) ?? (p.region === undefined ? env.region : undefined);
    if (account !== undefined && !isToken(account) && !/^\d{12}$/.test(account)) {
      v.fail(`${ctx.field}.account`, 'must be a 12-digit AWS account id', account, "Pass the account id as a string, for example '111111111111'.");
    }
    const qualifier = v.optionalString(`${ctx.field}.bootstrapQualifier`, p.bootstrapQualifier, "Pass the qualifier used with 'cdk bootstrap --qualifier'.") ?? 'hnb659fds';
    // the bootstrap template's own rule for its Qualifier parameter
    if (!isToken(qualifier) && !/^[A-Za-z0-9_-]{1,10}$/.test(qualifier)) {
      v.fail(`${ctx.field}.bootstrapQualifier`, "is not a CDK bootstrap qualifier (letters, digits, '_' and '-', 1 to 10 characters)", qualifier,
        "Pass the qualifier used with 'cdk bootstrap --qualifier', for example 'hnb659fds' (the default).");
    }
    for (const [key, role] of [['deploymentRole', p.deploymentRole], ['deployRole', p.deployRole]] as const) {
      if (role !== undefined && (role === null || typeof role !== 'object' || typeof (role as any).roleArn !== 'string')) {
        v.fail(`${ctx.field}.${key}`, 'must be an iam.IRole', role, `Pass iam.Role.fromRoleArn(this, '${key === 'deployRole' ? 'DeployRole' : 'ExecutionRole'}', 'arn:aws:iam::111111111111:role/...').`);
      }
      refuseOwnedOfOtherApp(v, `${ctx.field}.${key}`, role, 'an IAM role');
      refuseOtherStageRole(v, `${ctx.field}.${key}`, role, account ?? env.pipelineAccount);
    }
    // CodePipeline runs the action in the deploy role's account; CloudFormation takes an execution
    // role of the stack's account only
    const stackAccount = account ?? env.pipelineAccount;
    if (stackAccount !== undefined && !isToken(stackAccount)) {
      for (const [key, role, why] of [
        ['deployRole', p.deployRole, 'CodePipeline runs the action in the account of the role it assumes'],
        ['deploymentRole', p.deploymentRole, 'CloudFormation uses an execution role of the stack\'s own account'],
      ] as const) {
        const roleAccount = role?.env?.account;
        if (typeof roleAccount !== 'string' || isToken(roleAccount) || roleAccount === stackAccount) continue;
        v.fail(`${ctx.field}.${key}`, `is in account ${roleAccount}, but the stack deploys to account ${stackAccount}${account === undefined ? ' (the pipeline\'s)' : ''} (${why})`,
          isToken(role!.roleArn) ? roleAccount : role!.roleArn,
          `Pass a role of account ${stackAccount}, or set ${p.account === undefined ? 'the environment\'s' : 'the target\'s'} account to '${roleAccount}'.`);
      }
    }
    if (p.deploymentRole && !p.deployRole && account !== undefined && !isToken(account) && account !== env.pipelineAccount) {
      v.fail(`${ctx.field}.deploymentRole`, `in another account (${account}) needs deployRole: the CDK bootstrap deploy role may pass only the bootstrap execution role`,
        described(isToken(p.deploymentRole.roleArn) ? 'a role' : p.deploymentRole.roleArn),
        `Pass deployRole: a role in ${account} that the pipeline's account may assume, with the CloudFormation change-set permissions on the stack and iam:PassRole on this role; or leave deploymentRole out to use the bootstrap execution role.`);
    }
    const defaultName = isToken(stackName) ? 'Stack' : stackName;
    const name = v.pipelineName(`${ctx.field}.name`, p.name ?? defaultName, 'deployment name');
    if (name.length > 92) {
      v.fail(`${ctx.field}.name`, 'must be at most 92 characters (the action names add \'.Prepare\')', name, 'Pass a shorter name.');
    }
    const where = [account && !isToken(account) ? `account ${account}` : undefined, region && !isToken(region) ? region : undefined].filter(Boolean).join(' ');
    const details = [`template: ${templatePath}`];
    if (parameterOverrides) details.push(`parameters: ${Object.keys(parameterOverrides).join(', ')}`);
    if (templateConfiguration) details.push(`template configuration: ${templateConfiguration}`);
    details.push(p.deploymentRole ? 'CloudFormation role: given' : `CloudFormation role: CDK bootstrap cfn-exec role (qualifier ${qualifier})`);
    details.push(p.deployRole ? 'deploy role: given'
      : p.deploymentRole && (account === undefined || account === env.pipelineAccount) ? 'deploy role: created for the action'
        : `deploy role: CDK bootstrap deploy role (qualifier ${qualifier})`);

    return {
      name,
      kind: 'cloudformation',
      summary: `CloudFormation stack ${isToken(stackName) ? '(token)' : stackName} via change set${where ? ` in ${where}` : ''}`,
      details,
      privileged: false,
      hasPreparePhase: true,
      account,
      region,
      stackName,
      buildTemplate: {
        field: `${ctx.field}.templatePath`,
        templatePath,
        account,
        accountFrom: p.account !== undefined ? 'target' : account !== undefined ? 'environment' : undefined,
        region,
        regionFrom: p.region !== undefined ? 'target' : region !== undefined ? 'environment' : undefined,
      },
      buildOutputReads: [
        { field: `${ctx.field}.templatePath`, what: `the template of stack '${stackName}'`, path: templatePath },
        ...(templateConfiguration
          ? [{ field: `${ctx.field}.templateConfiguration`, what: `the template configuration of stack '${stackName}'`, path: templateConfiguration }]
          : []),
      ],
      actionNames: [
        { name: `${name}.Prepare`, phase: 'prepare', kind: 'cloudformation-change-set' },
        { name: `${name}.Deploy`, phase: 'deploy', kind: 'cloudformation-execute' },
      ],
      produce: (rc: DeploymentRenderContext): codepipeline.IAction[] => {
        const scope = new Construct(rc.scope, name);
        const targetAccount = account ?? rc.pipelineAccount;
        const targetRegion = region ?? rc.pipelineRegion;
        const crossAccount = account !== undefined && !Token.isUnresolved(account) && account !== rc.pipelineAccount;
        // a role imported into another CDK stage's stack is used as imported next to the pipeline
        const deploymentRole = (p.deploymentRole && roleInPipelineStack(scope, p.deploymentRole)) ?? iam.Role.fromRoleArn(scope, 'CloudFormationExecutionRole',
          `arn:${Aws.PARTITION}:iam::${targetAccount}:role/cdk-${qualifier}-cfn-exec-role-${targetAccount}-${targetRegion}`, { mutable: false });
        // The action runs as the target account's CDK bootstrap deploy role, as CDK Pipelines does
        // (in another account: the trust `cdk bootstrap --trust <pipeline account>` sets up), so the
        // pipeline stack holds no role and policy per action. The bootstrap deploy role may pass
        // only the bootstrap execution role: with another execution role in the pipeline's account,
        // aws-cdk-lib creates an action role that may pass exactly that one.
        const role = (p.deployRole && roleInPipelineStack(scope, p.deployRole)) ?? (p.deploymentRole && !crossAccount
          ? undefined
          : iam.Role.fromRoleArn(scope, 'DeployRole',
            `arn:${Aws.PARTITION}:iam::${targetAccount}:role/cdk-${qualifier}-deploy-role-${targetAccount}-${targetRegion}`,
            { mutable: false, addGrantsToResources: true }));
        const common = {
          stackName,
          changeSetName: CHANGE_SET_NAME,
          account: crossAccount ? account : undefined,
          region,
          role,
        };
        // A role created for the action (not the bootstrap deploy role) may read the bootstrap
        // version parameter that every CDK-synthesized template has; CloudFormation reads the
        // template's SSM parameters with the role that creates the change set.
        const createdRoleGrants = role ? [] : [readBootstrapVersion(targetAccount, targetRegion, qualifier)];
        return [
          withActionRolePolicy(new actions.CloudFormationCreateReplaceChangeSetAction({
            ...common,
            actionName: `${name}.Prepare`,
            runOrder: rc.prepareRunOrder,
            templatePath: rc.buildArtifact.atPath(templatePath),
            adminPermissions: false,
            deploymentRole,
            parameterOverrides,
            templateConfiguration: templateConfiguration ? rc.buildArtifact.atPath(templateConfiguration) : undefined,
            cfnCapabilities: [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
          }), createdRoleGrants),
          new actions.CloudFormationExecuteChangeSetAction({
            ...common,
            actionName: `${name}.Deploy`,
            runOrder: rc.deployRunOrder,
            // the stack's outputs become the action's variables, which tests read (envFromStackOutputs)
            variablesNamespace: rc.environment?.outputNamespaces?.[`${name}.Deploy`],
          }),
        ];
      },
    };
  }
}

class CommandsTarget extends DeploymentTarget {
  constructor(private readonly name: string, private readonly commands: string[], private readonly options: DeployCommandsOptions) {
    super();
  }

  public _toModel(ctx: ModelContext): DeploymentModel {
    const v: Validator = ctx.validator;
    const name = v.pipelineName(`${ctx.field}.name`, this.name, 'deployment name');
    const commands = v.requireStringArray(`${ctx.field}.commands`, this.commands, "Pass the deploy commands, for example ['./deploy.sh staging'].");
    refuseSecretsInCommands(v, commands, i => `${ctx.field}.commands[${i}]`, `${ctx.field}.secrets`);
    v.noMisspeltFields(ctx.field, this.options, 'DeployCommandsOptions');
    const { runAfterDeployments, runBeforeDeployments, envFromCfnOutputs, envFromStackOutputs, ...codeBuildOptions } = this.options ?? {};
    const common = validateCommandsOptions(ctx, codeBuildOptions);
    const after = v.optionalBoolean(`${ctx.field}.runAfterDeployments`, runAfterDeployments) ?? false;
    const before = v.optionalBoolean(`${ctx.field}.runBeforeDeployments`, runBeforeDeployments) ?? false;
    if (before && after) {
      v.fail(`${ctx.field}.runBeforeDeployments`, 'is true, and so is runAfterDeployments, but a script runs either before the other deployments or after them', true,
        'Keep one of them, or give the environment two scripts: one with runBeforeDeployments, one with runAfterDeployments.');
    }
    const outputsField = envFromCfnOutputs !== undefined ? 'envFromCfnOutputs' : envFromStackOutputs !== undefined ? 'envFromStackOutputs' : undefined;
    if (outputsField && before) {
      v.fail(`${ctx.field}.${outputsField}`, 'reads stack outputs, which exist once the stacks are deployed, but the script runs before the deployments '
        + '(runBeforeDeployments), when this execution has deployed none of them yet', described(outputsField),
      'Set runAfterDeployments: true instead, so the script runs once the other deployments succeeded, or read what an earlier environment deployed in the script itself.');
    }
    if (outputsField && !after) {
      v.fail(`${ctx.field}.${outputsField}`, 'reads stack outputs, which exist once the stacks are deployed, but the script runs in parallel with the deployments',
        described(outputsField), 'Set runAfterDeployments: true, so the script runs once the other deployments succeeded.');
    }
    if (before && BEFORE_DEPLOYMENTS_VARIABLE in takenVariables(common)) {
      const field = common.secrets?.[BEFORE_DEPLOYMENTS_VARIABLE] !== undefined ? 'secrets' : 'environmentVariables';
      v.fail(`${ctx.field}.${field}.${BEFORE_DEPLOYMENTS_VARIABLE}`, 'is the variable the library sets on a script with runBeforeDeployments '
        + '(the cdk-delivery CLI reads it to tell the script from a deployment)', described(BEFORE_DEPLOYMENTS_VARIABLE), 'Give your variable another name.');
    }
    const spec = { name, kind: 'commands', summary: `deploy script: ${commands.join(' && ')}`, commands, common, primaryInput: 'build' as const };
    const action = commandsActionModel(spec);
    // the outputs are resolved once every deployment of the environment is modelled
    let outputs: OutputVariables | undefined;
    return {
      name,
      kind: 'commands',
      summary: action.summary,
      details: after ? ['after the environment\'s other deployments', ...action.details]
        : before ? [BEFORE_DEPLOYMENTS_DETAIL, ...action.details] : action.details,
      privileged: common.privileged,
      hasPreparePhase: false,
      actionNames: [{ name, phase: after ? 'after' : before ? 'before' : 'deploy', kind: 'commands' }],
      resolveOutputs: outputsField
        ? (envCtx: ModelContext) => outputs = outputVariables(envCtx, { envFromCfnOutputs, envFromStackOutputs }, takenVariables(common), 'the deploy script')
        : undefined,
      // its plan lines for the outputs are added with the resolution (environmentModel)
      produce: (rc: DeploymentRenderContext) => commandsActionModel({ ...spec, outputs, ...(before ? { marker: { [BEFORE_DEPLOYMENTS_VARIABLE]: 'true' } } : {}) })
        .produce({ ...rc, actionName: name, runOrder: after ? rc.afterRunOrder : before ? rc.beforeRunOrder : rc.deployRunOrder }),
    };
  }
}

class FactoryTarget extends DeploymentTarget {
  constructor(private readonly name: string, private readonly factory: IDeliveryActionFactory) {
    super();
  }

  public _toModel(ctx: ModelContext, env: TargetEnvironment): DeploymentModel {
    const v: Validator = ctx.validator;
    const name = v.pipelineName(`${ctx.field}.name`, this.name, 'deployment name');
    if (!this.factory || typeof (this.factory as any).produceAction !== 'function') {
      v.fail(`${ctx.field}.factory`, 'must implement IDeliveryActionFactory (a produceAction method)', this.factory,
        'Pass an object with produceAction(scope, options) that returns a codepipeline.IAction.');
    }
    const produced: ProducedActionFacts = {};
    return {
      name,
      kind: 'custom',
      summary: 'custom action',
      details: [],
      privileged: false,
      hasPreparePhase: false,
      actionNames: [{ name, phase: 'deploy', kind: 'custom' }],
      produced,
      produce: (rc: DeploymentRenderContext) => {
        let action: unknown;
        try {
          action = this.factory.produceAction(new Construct(rc.scope, name), {
            actionName: name,
            runOrder: rc.deployRunOrder,
            sourceArtifact: rc.sourceArtifact,
            buildArtifact: rc.buildArtifact,
            environmentName: env.name,
          });
        } catch (e) {
          // the library's own error (a construct of the library the factory made) already names its field
          if (e instanceof DeliveryPipelineValidationError) throw e;
          // a failing factory: say which target of which pipeline it was (an app has many of both)
          const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          v.failPlain(`${ctx.field}.factory`, `failed while producing the action '${name}': ${error}. `
            + 'Fix the factory (its produceAction method threw), or remove the deployment.');
        }
        checkProducedAction(v, `${ctx.field}.factory`, action, name, rc.deployRunOrder);
        // continuous deployment: nobody decides, also through an approval the library did not make
        if ((action as codepipeline.IAction).actionProperties.category === codepipeline.ActionCategory.APPROVAL
          && ctx.releaseMode === 'CONTINUOUS_DEPLOYMENT') {
          v.fail(`${ctx.field}.factory`, 'returned an approval action, which ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides: '
            + 'a change reaches production when every automated check passes)', name,
          'Use ReleaseMode.CONTINUOUS_DELIVERY for a person to decide, or return an action that checks automatically.');
        }
        // a full clone's source artifact is a clone reference only CodeBuild can read
        const properties = (action as codepipeline.IAction).actionProperties;
        if (rc.fullCloneConnectionArn !== undefined && (properties.inputs ?? []).includes(rc.sourceArtifact) && properties.provider !== 'CodeBuild') {
          v.fail(`${ctx.field}.factory`, `returned an action (provider ${properties.provider}) that takes the source artifact, but source.fullClone makes that `
            + 'artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read', name,
          'Give the action options.buildArtifact (the build can put the files in its output), or leave fullClone out.');
        }
        Object.assign(produced, producedFacts(action as codepipeline.IAction));
        checkProducedPlacement(v, `${ctx.field}.factory`, action as codepipeline.IAction, produced, rc, env.name);
        return [action as codepipeline.IAction];
      },
    };
  }
}

/**
 * Where a produced action runs, decided as aws-cdk-lib's pipeline decides it (the account of its
 * role, else of its resource, else its own `account`; the region of its resource, else its own
 * `region`), and whether it runs a privileged CodeBuild project, for the plan and the policy rules.
 */
function producedFacts(action: codepipeline.IAction): ProducedActionFacts {
  const props = action.actionProperties;
  const resource = props.resource;
  // a token (an environment-agnostic stack) is where the pipeline runs, as aws-cdk-lib reads it
  const account = props.role?.env.account ?? resource?.env.account ?? props.account;
  const region = resource?.env.region ?? props.region;
  const project = defaultChildOf(resource);
  const environment = project instanceof codebuild.CfnProject
    ? project.environment as codebuild.CfnProject.EnvironmentProperty | undefined
    : undefined;
  return {
    account: literal(account),
    region: literal(region),
    privileged: environment?.privilegedMode === true,
  };
}

/** What the library's errors tell to do about a pipeline stack without an explicit account or region. */
const EXPLICIT_STACK_ENV = "Give the pipeline's stack an environment: new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } })";

/**
 * Where aws-cdk-lib's pipeline would refuse to place a produced action, refused first with the
 * library's error (aws-cdk-lib's names neither the target nor the fix): the conditions are
 * aws-cdk-lib's, in its order. An action of another region needs a replication bucket, which
 * needs the pipeline stack's region, and its account unless the action's resource has a stack in
 * that region; an action of another account needs artifacts encrypted with a customer managed key;
 * one of another account without a role gets a role in a support stack of that account, which
 * needs the pipeline stack's account, and its region.
 */
function checkProducedPlacement(
  v: Validator, field: string, action: codepipeline.IAction, produced: ProducedActionFacts, rc: DeploymentRenderContext, envName: string,
): void {
  const props = action.actionProperties;
  const region = produced.region;
  if (region !== undefined && region !== rc.pipelineRegion) {
    if (isToken(rc.pipelineRegion)) {
      v.fail(field, `returned an action that runs in region ${region} (its region, or its resource's), but the pipeline's stack has no explicit region `
        + '(cross-region deployments need one for the artifact replication bucket)', region, `${EXPLICIT_STACK_ENV}.`);
    }
    if (isToken(rc.pipelineAccount) && resourceStackOf(props) === undefined) {
      v.fail(field, `returned an action that runs in region ${region} (its region, or its resource's), but the pipeline's stack has no explicit account `
        + '(cross-region deployments need one for the artifact replication bucket)', region, `${EXPLICIT_STACK_ENV}.`);
    }
  }
  const account = produced.account;
  if (account !== undefined && (isToken(rc.pipelineAccount) || account !== rc.pipelineAccount) && !rc.customerManagedKey) {
    const keyFix = `set environment '${envName}' account: '${account}' (the pipeline then encrypts its artifacts with a key it shares with the environments' `
      + 'accounts), or pass an artifactBucket with a KMS key.';
    if (isToken(rc.pipelineAccount)) {
      v.fail(field, `returned an action that runs in account ${account} (its role's, its resource's or its own), but the pipeline's stack has no explicit account, `
        + "so aws-cdk-lib treats the action as one of another account, and the pipeline's artifacts are encrypted with a key only the pipeline's account can use "
        + '(aws-cdk-lib: "Artifact Bucket must have a KMS Key")', account, `${EXPLICIT_STACK_ENV}; if the action runs in another account than the pipeline's, also ${keyFix}`);
    }
    v.fail(field, `returned an action that runs in account ${account}, but the pipeline's artifacts are encrypted with a key `
      + 'only its own account can use (aws-cdk-lib: "Artifact Bucket must have a KMS Key")', account, `S${keyFix.slice(1)}`);
  }
  // without a role, aws-cdk-lib creates the action's role in a support stack of the action's account
  // (the account of its resource, else its own `account`; a role's account does not count here)
  if (props.role !== undefined) return;
  const target = props.resource ? props.resource.env.account : props.account;
  if (target === undefined) return;
  if (isToken(target)) {
    if (!isToken(rc.pipelineAccount)) {
      v.fail(field, "returned an action whose account (its resource's, or its own) is a token, which aws-cdk-lib cannot compare with the pipeline's account",
        described('a token'), 'Give the action a literal account (and a resource whose ARN names its account), or give it a role.');
    }
    return;
  }
  if (isToken(rc.pipelineAccount)) {
    v.fail(field, `returned an action for account ${target} (its resource's, or its own) without a role, for which aws-cdk-lib creates a role in a support stack `
      + "of that account, but the pipeline's stack has no explicit account", target, `${EXPLICIT_STACK_ENV}, or give the action a role.`);
  }
  const resourceStack = props.resource ? Stack.of(props.resource) : undefined;
  if (target !== rc.pipelineAccount && resourceStack?.account !== target && isToken(rc.pipelineRegion)) {
    v.fail(field, `returned an action for account ${target} (its resource's, or its own) without a role, for which aws-cdk-lib creates a role in a support stack `
      + "of that account, but the pipeline's stack has no explicit region (the role's stack names the artifact bucket, whose name needs it)", target,
    `${EXPLICIT_STACK_ENV}, or give the action a role.`);
  }
}

/**
 * The stack of an action's resource when the resource is of that stack's environment (not imported
 * from another one), as aws-cdk-lib reads it.
 */
function resourceStackOf(props: codepipeline.ActionProperties): Stack | undefined {
  if (!props.resource) return undefined;
  const stack = Stack.of(props.resource);
  const same = (a: string, b: string) => [TokenComparison.SAME, TokenComparison.BOTH_UNRESOLVED].includes(Token.compareStrings(a, b));
  return same(props.resource.env.region, stack.region) && same(props.resource.env.account, stack.account) ? stack : undefined;
}

/** Actions produced by factories, to refuse one object returned for two targets. */
const producedActions = new WeakSet<object>();

/**
 * The action a factory returned: one codepipeline.IAction, with the name and run order the
 * pipeline gave it (the plan, the policy rules and cdk-delivery know it by them, and the run order
 * keeps it between the deployments' phases), and not one another target already uses.
 */
function checkProducedAction(v: Validator, field: string, action: unknown, name: string, runOrder: number): void {
  const fix = 'Return one new action built with options.actionName and options.runOrder, for example '
    + 'new codepipeline_actions.CodeBuildAction({ actionName: options.actionName, runOrder: options.runOrder, project, input: options.buildArtifact }).';
  const props = (action as codepipeline.IAction | undefined)?.actionProperties;
  if (!action || typeof action !== 'object' || Array.isArray(action) || !props || typeof props !== 'object') {
    v.fail(field, 'returned something that is not a codepipeline.IAction from produceAction', action, fix);
  }
  // the pipeline calls both when it renders the action
  const missing = ['bind', 'onStateChange'].filter(m => typeof (action as unknown as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    v.fail(field, `returned from produceAction an object that is not a codepipeline.IAction (it has no ${missing.join(' or ')} method)`, action,
      `${fix} A class of your own must extend codepipeline_actions.Action or implement IAction's bind and onStateChange.`);
  }
  if (props.actionName !== name) {
    v.fail(field, `returned an action named '${props.actionName}' from produceAction, but the pipeline named it '${name}' (options.actionName)`, props.actionName, fix);
  }
  if ((props.runOrder ?? 1) !== runOrder) {
    v.fail(field, `returned an action with runOrder ${props.runOrder ?? 1} from produceAction, but the pipeline gave it ${runOrder} (options.runOrder)`,
      props.runOrder ?? 1, fix);
  }
  if (producedActions.has(action as object)) {
    v.fail(field, 'returned from produceAction an action another target already uses (CodePipeline takes each action once)', props.actionName, fix);
  }
  producedActions.add(action as object);
}
