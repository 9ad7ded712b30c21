import { Annotations, Aws, Duration, IResolveContext, Lazy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  actionNameOf, checkAccount, checkExplicitEnvironment, checkRole, defaultChildOf, DeploymentArtifact, roleDetail, singleActionFields, TargetEnv,
} from './codedeploy-targets';
import { DeploymentModel, DeploymentRenderContext, ModelContext } from '../model/model';
import { nameInStack, renderedPipelineName } from '../pipeline/render/pipeline-overrides';
import { markLambdaDeployRole } from '../private/lambda-deploy-roles';
import { hasDeployTimeName, readsCrossRegionNames, refuseOtherStage } from '../private/referable';
import { roleInPipelineStack } from '../private/stage-principals';
import { described, isToken, literal, literalName, requireFactoryMade, Validator } from '../private/validation';
import { alarmLabel, alarmRef, checkAlarmList, describeAlarmsStatement } from '../verification/verification';

/*
 * CodePipeline's own Lambda deploy action (V2 pipelines): it uploads the artifact as the function's
 * code, publishes a version and shifts the alias's traffic to it, all at once, as a canary or
 * linearly, failing when one of the watched alarms goes into ALARM. The alias's version before the
 * deployment is the rollback target.
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html
 */

/** CodePipeline's limit on the total wait of a traffic shift. */
const MAX_SHIFT_MINUTES = 2 * 24 * 60;

/** CodePipeline's limit on the alarms of a Lambda deploy action. */
const MAX_ALARMS = 10;

/**
 * How a Lambda deployment shifts the alias's traffic from the version it points to to the new one.
 */
export abstract class LambdaTrafficShift {
  /** All the traffic at once. */
  public static allAtOnce(): LambdaTrafficShift {
    return new TrafficShift('all-at-once');
  }

  /**
   * `percent` of the traffic first, the rest after `interval` (for example
   * `LambdaTrafficShift.canary(10, Duration.minutes(5))`).
   *
   * @param percent whole percent of the traffic shifted first, 1 to 99
   * @param interval whole minutes before the rest is shifted, at most 2 days
   */
  public static canary(percent: number, interval: Duration): LambdaTrafficShift {
    return new TrafficShift('canary', percent, interval);
  }

  /**
   * `percent` more of the traffic every `interval`, until all of it (for example
   * `LambdaTrafficShift.linear(10, Duration.minutes(1))`).
   *
   * @param percent whole percent of the traffic shifted at each step, 1 to 99
   * @param interval whole minutes between two steps; all the steps together take at most 2 days
   */
  public static linear(percent: number, interval: Duration): LambdaTrafficShift {
    return new TrafficShift('linear', percent, interval);
  }

  /** @internal */
  public abstract _bind(v: Validator, field: string): ShiftModel;
}

interface ShiftModel {
  readonly kind: 'all-at-once' | 'canary' | 'linear';
  /** The action's DeployStrategy. */
  readonly strategy: string;
  readonly summary: string;
}

class TrafficShift extends LambdaTrafficShift {
  constructor(private readonly kind: ShiftModel['kind'], private readonly percent?: number, private readonly interval?: Duration) {
    super();
  }

  public _bind(v: Validator, field: string): ShiftModel {
    if (this.kind === 'all-at-once') return { kind: this.kind, strategy: 'AllAtOnce', summary: 'all the traffic at once' };
    const factory = `LambdaTrafficShift.${this.kind}`;
    const percent = this.percent;
    if (typeof percent === 'number' && Token.isUnresolved(percent)) {
      v.fail(`${field}.percent`, 'must be known at synth (CodePipeline takes the strategy as a name such as Canary10Percent5Minutes)',
        described('a token'), `Pass a literal number, for example ${factory}(10, Duration.minutes(5)).`);
    }
    if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 1 || percent > 99) {
      v.fail(`${field}.percent`, 'must be a whole percent from 1 to 99', percent, `Pass for example ${factory}(10, Duration.minutes(5)).`);
    }
    const minutes = v.durationMinutes(`${field}.interval`, this.interval, {
      min: 1, max: MAX_SHIFT_MINUTES, limits: 'whole minutes from 1 to 2880 (2 days, CodePipeline\'s limit)', example: 'Duration.minutes(5)',
    });
    if (minutes === undefined) {
      v.fail(`${field}.interval`, 'must be known at synth (CodePipeline takes the strategy as a name such as Canary10Percent5Minutes)',
        described('a token'), 'Pass a literal Duration, for example Duration.minutes(5).');
    }
    const unit = minutes === 1 ? 'Minute' : 'Minutes';
    if (this.kind === 'canary') {
      return { kind: this.kind, strategy: `Canary${percent}Percent${minutes}${unit}`, summary: `canary: ${percent}% of the traffic, the rest after ${minutes} min` };
    }
    // the first step shifts at once, each further one after an interval
    const steps = Math.ceil(100 / percent);
    const total = (steps - 1) * minutes;
    if (total > MAX_SHIFT_MINUTES) {
      v.fail(field, `shifts the traffic in ${steps} steps ${minutes} minutes apart, ${total} minutes in all, more than CodePipeline's 2 days (2880 minutes)`,
        described(`${factory}(${percent}, Duration.minutes(${minutes}))`), 'Shift a larger percent at each step, or shorten the interval.');
    }
    return {
      kind: this.kind,
      strategy: `Linear${percent}PercentEvery${minutes}${unit}`,
      summary: `linear: ${percent}% more of the traffic every ${minutes} min (${total} min in all)`,
    };
  }
}

/** Options of a Lambda deployment. */
export interface LambdaDeployOptions {
  /**
   * How the alias's traffic moves to the new version.
   *
   * @default LambdaTrafficShift.allAtOnce()
   */
  readonly trafficShift?: LambdaTrafficShift;
  /**
   * Alarms CodePipeline watches while it shifts the traffic (at most 10, in the function's account
   * and region): the deployment fails when one goes into ALARM, and the alias stays on, or goes back
   * to, the version it pointed to before.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * The artifact that is the function's code package: its files become the function's code.
   * `SOURCE` with an ECR source (only `imageDetail.json`) or a source with `fullClone` (a clone
   * reference only CodeBuild can read) is refused at synth.
   *
   * @default DeploymentArtifact.BUILD_OUTPUT
   */
  readonly input?: DeploymentArtifact;
  /**
   * Action name.
   *
   * @default - the function's name, or its construct id when the name is generated
   */
  readonly name?: string;
  /**
   * The role CodePipeline assumes to run the deployment, in the function's account.
   *
   * Use it for a function in another account instead of the role aws-cdk-lib creates there. It must
   * trust the pipeline's account and hold the permissions of CodePipeline's Lambda deploy action (no
   * policy can be added to a role of another account): `lambda:GetAlias`,
   * `lambda:GetFunctionConfiguration`, `lambda:GetProvisionedConcurrencyConfig`,
   * `lambda:PublishVersion`, `lambda:UpdateAlias` and `lambda:UpdateFunctionCode` on the function
   * and `<function ARN>:*`; `cloudwatch:DescribeAlarms` on the `alarms` (on `*` for a composite
   * alarm, which CloudWatch describes only to a permission on `*`); `logs:CreateLogGroup`,
   * `logs:CreateLogStream` and `logs:PutLogEvents` on the log groups
   * `/aws/codepipeline/<pipeline name>` and `/<region>/codepipeline/<pipeline name>` (give the
   * pipeline a `pipelineName` so the names are known). The artifact bucket and key grant it read
   * access, and the pipeline's role may assume it.
   *
   * @default - in the pipeline's account, a role the pipeline creates; in another account, a role
   * aws-cdk-lib creates there: in the stack that defines the function, or, for an imported one, in
   * aws-cdk-lib's support stack `<pipeline stack>-support-<account>` (deployed with the app)
   */
  readonly role?: iam.IRole;
}

/** Model of `DeploymentTarget.lambdaFunction`. */
export function lambdaModel(
  ctx: ModelContext, alias: lambda.IAlias, options: LambdaDeployOptions, env: TargetEnv, pipelineRegion: string,
): DeploymentModel {
  const v: Validator = ctx.validator;
  const field = ctx.field;
  const aliasFix = "Pass a lambda.Alias, or lambda.Alias.fromAliasAttributes(this, 'Live', { aliasName: 'live', aliasVersion }) "
    + "with aliasVersion = lambda.Version.fromVersionArn(this, 'Version', 'arn:aws:lambda:<region>:<account>:function:<name>:<version>').";
  const given = alias as unknown as { aliasName?: unknown; version?: { version?: unknown; lambda?: unknown } } | null | undefined;
  if (!given || typeof given !== 'object' || typeof given.aliasName !== 'string' || !given.version || typeof given.version !== 'object') {
    v.fail(`${field}.alias`, 'must be a lambda.IAlias', alias, aliasFix);
  }
  const fn = alias.version.lambda as lambda.IFunction | undefined;
  if (!fn || typeof fn !== 'object' || typeof fn.functionName !== 'string' || typeof fn.functionArn !== 'string') {
    v.fail(`${field}.alias`, 'must be a lambda.IAlias whose version names its function', alias.aliasName, aliasFix);
  }
  const o = options ?? {};
  v.noMisspeltFields(field, o, 'LambdaDeployOptions');
  const aliasName = alias.aliasName;
  const importFix = "Import it in the pipeline's stack: lambda.Alias.fromAliasAttributes(pipelineStack, 'Live', { aliasName: 'live', aliasVersion: "
    + "lambda.Version.fromVersionArn(pipelineStack, 'Version', 'arn:aws:lambda:<region>:<account>:function:<name>:<version>') }), with the names the stage gives them.";
  if (Resource.isOwnedResource(fn)) refuseOtherStage(v, `${field}.alias`, fn, 'a Lambda function', fn.node.path, importFix);
  if (Resource.isOwnedResource(alias)) refuseOtherStage(v, `${field}.alias`, alias, 'a Lambda alias', alias.node.path, importFix);
  const fnName = literalName(fn, fn.functionName);
  const label = fnName ?? fn.node.path;
  const otherEnvironment = v.pipeline !== undefined && Stack.of(fn).environment !== Stack.of(v.pipeline).environment
    && !readsCrossRegionNames(Stack.of(v.pipeline), Stack.of(fn));
  if (hasDeployTimeName(fn) && otherEnvironment) {
    v.fail(`${field}.alias`, `is an alias of function '${fn.node.path}' of another account or region than the pipeline's stack, and the function's name is generated `
      + '(the pipeline names the function in its action and its role\'s policy)', fn.node.path,
    "Give the function a functionName (new lambda.Function(this, 'Api', { functionName: 'shop-api', ... })), or import the alias by its function's ARN.");
  }
  const region = fn.env.region;
  const wanted = env.region ?? pipelineRegion;
  if (!isToken(region) && !isToken(wanted) && region !== wanted) {
    v.fail(`${field}.alias`, `is an alias of a function in region ${region}, but environment '${env.name}' deploys to ${wanted}`, region,
      `Import the function from ${wanted}, or set the environment's region to ${region}.`);
  }
  checkExplicitEnvironment(v, `${field}.alias`, fn, env, pipelineRegion,
    "or import the alias with its function's ARN (lambda.Version.fromVersionArn) in a stack that names its account and region", o.role !== undefined);
  const account = fn.env.account;
  checkAccount(v, `${field}.alias`, account, env, `Import the function from account ${env.account}, or set the environment's account to ${account}.`);

  const shiftGiven = o.trafficShift ?? LambdaTrafficShift.allAtOnce();
  if (!(shiftGiven instanceof LambdaTrafficShift)) {
    v.fail(`${field}.trafficShift`, 'must be a LambdaTrafficShift', shiftGiven, 'Use LambdaTrafficShift.allAtOnce(), .canary(10, Duration.minutes(5)) or .linear(10, Duration.minutes(1)).');
  }
  requireFactoryMade(v, `${field}.trafficShift`, shiftGiven, 'LambdaTrafficShift');
  const shift = shiftGiven._bind(v, `${field}.trafficShift`);
  checkOwnedAlias(v, field, alias, fn, shift);
  const drift = templateDrift(alias, aliasName);

  const input = o.input ?? DeploymentArtifact.BUILD_OUTPUT;
  if (!Object.values(DeploymentArtifact).includes(input)) {
    v.fail(`${field}.input`, 'must be a DeploymentArtifact', input, 'Use DeploymentArtifact.BUILD_OUTPUT or SOURCE.');
  }
  // an ECR source's artifact holds only imageDetail.json: it would become the function's code
  if (input === DeploymentArtifact.SOURCE && ctx.sourceKind === 'ECR') {
    v.fail(`${field}.input`, "takes the function's code from the source artifact, but the pipeline's source is an ECR source, whose artifact holds only imageDetail.json",
      described('DeploymentArtifact.SOURCE'), 'Use DeploymentArtifact.BUILD_OUTPUT with a build that writes the code package, or a source that holds the code.');
  }
  const alarms = lambdaAlarms(ctx, o.alarms, account, region);
  const role = checkRole(v, field, o.role, 'function', account);
  const name = v.pipelineName(`${field}.name`, o.name ?? actionNameOf(fnName, fn.node.id, 'Lambda'), 'deployment name');
  return {
    name,
    kind: 'lambda',
    gradual: shift.kind !== 'all-at-once',
    summary: [`Lambda ${label}:${isToken(aliasName) ? '(token)' : aliasName}`, shift.summary,
      ...(alarms.length > 0 ? [`fails on alarms: ${alarms.map(a => a.label).join(', ')}`] : [])].join(' · '),
    details: [
      `code: ${input === DeploymentArtifact.SOURCE ? 'the source' : 'the build output'}, published as a new version`,
      `strategy: ${shift.strategy}`,
      ...roleDetail(role, account, env),
    ],
    ...singleActionFields(name, 'lambda', account, region),
    lambdaFunction: fn,
    lambdaAlias: alias,
    sourceArtifactInput: input === DeploymentArtifact.SOURCE ? { field: `${field}.input`, what: "the function's code" } : undefined,
    produce: (rc: DeploymentRenderContext): codepipeline.IAction[] => {
      if (drift) Annotations.of(rc.scope).addWarningV2('delivery-pipeline:lambdaAliasInTemplate', drift);
      return [new LambdaDeployAction({
        actionName: name,
        runOrder: rc.deployRunOrder,
        input: input === DeploymentArtifact.SOURCE ? rc.sourceArtifact : rc.buildArtifact,
        fn,
        aliasName,
        strategy: shift.strategy,
        alarms,
        role: role && roleInPipelineStack(rc.scope, role),
      })];
    },
  };
}

/**
 * An alias of this app is a resource of its stack: CloudFormation sets its version on every update
 * of that stack that changes it (a new `currentVersion` after a change of the function's code or
 * configuration), pointing production back to the code in the template, under the pipeline's
 * deployments. A risk the caller may accept (the stack rarely changes), so a warning.
 */
function templateDrift(alias: lambda.IAlias, aliasName: string): string | undefined {
  if (!(defaultChildOf(alias) instanceof lambda.CfnAlias)) return undefined;
  return `The alias '${aliasName}' (${alias.node.path}) is defined in stack '${Stack.of(alias).node.path}': an update of that stack that gives the alias `
    + 'another version (a change of the function\'s code or configuration makes a new currentVersion) points it back to the code in the template, '
    + 'undoing what this pipeline deployed. Create the alias outside the stack\'s updates and import it (lambda.Alias.fromAliasAttributes), '
    + 'or acknowledge this warning when that stack only changes with the pipeline\'s code.';
}

/**
 * An alias of this app tells what it points to: CodePipeline shifts traffic only away from one
 * published version (not $LATEST, not an alias already splitting traffic); a function of this app
 * tells its package type (the action uploads a .zip package).
 */
function checkOwnedAlias(v: Validator, field: string, alias: lambda.IAlias, fn: lambda.IFunction, shift: ShiftModel): void {
  const cfnFn = defaultChildOf(fn);
  if (cfnFn instanceof lambda.CfnFunction && cfnFn.packageType === 'Image') {
    v.fail(`${field}.alias`, 'is an alias of a container image function, but the Lambda deploy action uploads a .zip code package', fn.node.path,
      'Deploy image functions with a CDK stage (DeploymentTarget.cdkStage) or your own action (DeploymentTarget.fromActionFactory).');
  }
  const cfnAlias = defaultChildOf(alias);
  const version = cfnAlias instanceof lambda.CfnAlias ? cfnAlias.functionVersion : alias.version.version;
  if (version === '$LATEST' && shift.kind !== 'all-at-once') {
    v.fail(`${field}.alias`, `points to $LATEST, from which Lambda cannot shift traffic gradually (${shift.strategy})`, alias.node.path,
      cfnAlias instanceof lambda.CfnAlias
        ? 'Point the alias to a published version (version: fn.currentVersion), or use LambdaTrafficShift.allAtOnce().'
        : "Import the alias with the published version it points to (aliasVersion: lambda.Version.fromVersionArn(this, 'Version', "
          + "'arn:aws:lambda:<region>:<account>:function:<name>:<version>')), or use LambdaTrafficShift.allAtOnce().");
  }
  if (!(cfnAlias instanceof lambda.CfnAlias)) return;
  if (cfnAlias.routingConfig !== undefined) {
    v.fail(`${field}.alias`, 'already splits its traffic between two versions (additionalVersions), but CodePipeline needs one version behind the alias when it starts',
      alias.node.path, "Remove additionalVersions from the alias: the deployment's traffic shift does the splitting.");
  }
}

interface LambdaAlarm {
  readonly name: string;
  readonly arn: string;
  readonly label: string;
  /** A composite alarm, which the action's role may describe only with a permission on "*". */
  readonly composite: boolean;
}

/** The alarms of a Lambda deployment: at most 10, of the function's account and region, each once. */
function lambdaAlarms(ctx: ModelContext, given: unknown, account: string, region: string): LambdaAlarm[] {
  const v: Validator = ctx.validator;
  const field = `${ctx.field}.alarms`;
  if (given === undefined) return [];
  const alarms = checkAlarmList(v, field, given, {
    max: MAX_ALARMS,
    problem: `may hold at most ${MAX_ALARMS} alarms (CodePipeline's limit for a Lambda deployment)`,
    shown: list => described(`${list.length} alarms`),
    allowEmpty: true,
  });
  const result = alarms.map((a, i) => {
    const ref = alarmRef({ ...ctx, field }, `${field}[${i}]`, a);
    const where = [
      ref.account !== undefined && !isToken(account) && ref.account !== account ? `account ${ref.account}` : undefined,
      ref.region !== undefined && !isToken(region) && ref.region !== region ? `region ${ref.region}` : undefined,
    ].filter(Boolean);
    if (where.length > 0) {
      v.fail(`${field}[${i}]`, `is an alarm of ${where.join(' and ')}, but CodePipeline watches alarms of the function's account and region `
        + `(${[isToken(account) ? undefined : account, isToken(region) ? undefined : region].filter(Boolean).join(', ')})`,
      Token.isUnresolved(ref.arn) ? described(alarmLabel(a)) : ref.arn, "Pass alarms of the function's account and region.");
    }
    // the action takes the names as one comma-separated list
    const name = literal(ref.name);
    if (name !== undefined && name.includes(',')) {
      v.fail(`${field}[${i}]`, 'has a comma in its name, but CodePipeline takes the alarm names as one comma-separated list', name, 'Rename the alarm without commas.');
    }
    return { name: ref.name, arn: ref.arn, label: alarmLabel(a), composite: ref.composite, literal: literalName(a, ref.name) };
  });
  // CodePipeline's limit on an action configuration value
  const names = result.map(r => r.literal);
  if (names.every(n => n !== undefined)) {
    const length = names.join(',').length;
    if (length > 1000) {
      v.fail(field, 'have names that make an Alarms value of more than 1000 characters (CodePipeline\'s limit for an action configuration value)',
        described(`${length} characters`), 'Pass fewer alarms, or combine them into a composite alarm (cloudwatch.CompositeAlarm) with a short name.');
    }
  }
  return result.map(({ name, arn, label, composite }) => ({ name, arn, label, composite }));
}

interface LambdaDeployActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  readonly input: codepipeline.Artifact;
  readonly fn: lambda.IFunction;
  readonly aliasName: string;
  readonly strategy: string;
  readonly alarms: LambdaAlarm[];
  readonly role?: iam.IRole;
}

/** CodePipeline's Lambda deploy action (aws-cdk-lib has no class for it). */
class LambdaDeployAction extends actions.Action {
  constructor(private readonly props: LambdaDeployActionProps) {
    super({
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'Lambda',
      artifactBounds: { minInputs: 0, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      // the function's account and region decide where the action runs (and its role)
      resource: props.fn,
      role: props.role,
    });
  }

  protected bound(_scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const p = this.props;
    const role = options.role;
    markLambdaDeployRole(role);
    // the permissions CodePipeline's reference lists for the action's role, on this function only
    const functionArn = unqualifiedArn(p.fn.functionArn);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig',
        'lambda:PublishVersion', 'lambda:UpdateAlias', 'lambda:UpdateFunctionCode',
      ],
      resources: [functionArn, `${functionArn}:*`],
    }));
    if (p.alarms.length > 0) {
      // every alarm when one is a composite alarm: CloudWatch describes those only to a permission on "*"
      role.addToPrincipalPolicy(describeAlarmsStatement(p.alarms));
    }
    // The action's logs: the reference names the group /<region>/codepipeline/<pipeline>, CodePipeline's
    // other compute actions /aws/codepipeline/<pipeline>; both are granted, nothing else.
    const region = literal(p.fn.env.region) ?? Aws.REGION;
    const account = literal(p.fn.env.account) ?? Aws.ACCOUNT_ID;
    const pipelineName = effectivePipelineName(stage.pipeline);
    const groups = [`/${region}/codepipeline/${pipelineName}`, `/aws/codepipeline/${pipelineName}`]
      .map(g => `arn:${Aws.PARTITION}:logs:${region}:${account}:log-group:${g}`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      // '<group>:*' is the group's log streams
      resources: groups.flatMap(g => [g, `${g}:*`]),
    }));
    options.bucket.grantRead(role);
    return {
      configuration: {
        FunctionName: p.fn.functionName,
        FunctionAlias: p.aliasName,
        DeployStrategy: p.strategy,
        Alarms: p.alarms.length > 0 ? p.alarms.map(a => a.name).join(',') : undefined,
      },
    };
  }
}

/**
 * The pipeline's name as CloudFormation gives it, when a grant is rendered (after the escape
 * hatch's overrides). In the pipeline's stack, its reference (`Ref`), which is the name the pipeline
 * gets, a `Name` override included. In a stack of another account or region, which cannot reference
 * it, aws-cdk-lib's physical name: the name the library gave it, unless a `Name` override of the
 * pipeline resource replaced it, whose literal value is used then, also when it is built from the
 * pipeline stack's Region, account or stack name (a value known only at deploy, a parameter say,
 * cannot be named there: the physical name stays).
 */
function effectivePipelineName(pipeline: codepipeline.IPipeline): string {
  const cfn = pipeline.node.defaultChild;
  const name = pipeline.pipelineName;
  if (!(cfn instanceof codepipeline.CfnPipeline)) return name;
  return Lazy.uncachedString({
    produce: (context: IResolveContext) => {
      if (Stack.of(context.scope) === Stack.of(cfn)) return name;
      return nameInStack(renderedPipelineName(cfn), Stack.of(cfn)) ?? name;
    },
  });
}

/**
 * The function's ARN without a qualifier: a function imported by an alias or version ARN
 * (`...:function:shop-api:live`) has that ARN as its functionArn, but the action publishes and
 * updates the function itself.
 */
function unqualifiedArn(arn: string): string {
  if (Token.isUnresolved(arn)) return arn;
  return arn.split(':').slice(0, 7).join(':');
}
