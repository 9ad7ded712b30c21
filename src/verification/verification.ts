import * as crypto from 'crypto';
import { Annotations, CfnElement, CfnOutput, Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { commandsActionModel, QualityCheckCommandsOptions } from '../build/quality-check';
import { AlarmGateModel, AlarmRefModel, ModelContext, RenderContext, VerificationModel } from '../model/model';
import { validateCommandsOptions } from '../private/commands-spec';
import { described, isToken, literal, literalName, type Validator } from '../private/validation';

/** Options of a commands verification. */
export interface VerificationCommandsOptions extends QualityCheckCommandsOptions {
  /**
   * Environment variables for the tests (for example the URL of the environment).
   *
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables set from outputs of stacks the environment deploys (the URL of the API
   * just deployed, a queue's name).
   *
   * Each value is a `CfnOutput` of a stack of a CDK stage this environment deploys with
   * `DeploymentTarget.cdkStage`. The stack's deploy action publishes its outputs as CodePipeline
   * variables, and the test's action reads them: the value is the one the deployment just
   * produced, resolved when the test starts.
   *
   * @default - none
   */
  readonly envFromCfnOutputs?: Record<string, CfnOutput>;
  /**
   * Environment variables set from outputs of CloudFormation stacks the environment deploys, each
   * named `'<stack name>.<output name>'` (for example `'shop-prod.ApiUrl'`).
   *
   * For stacks deployed with `DeploymentTarget.cloudFormation`, whose templates the build writes
   * (a CDK stage's stacks can also be named this way; `envFromCfnOutputs` is the typed form). A
   * CloudFormation target is named by its `name`, which defaults to its stack name. The output
   * name is its logical id in the template.
   *
   * @default - none
   */
  readonly envFromStackOutputs?: Record<string, string>;
}

/** Options of an alarm verification. */
export interface AlarmVerificationOptions {
  /**
   * How long CodePipeline watches the alarms after the deployments and tests succeed (the rule's
   * wait time) before it decides, 1 minute to 24 hours.
   *
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;
  /**
   * Role CodePipeline assumes to read the alarms, for alarms in another account than the pipeline
   * (a role in that account that trusts the pipeline account and may `cloudwatch:DescribeAlarms`).
   *
   * @default - the pipeline's role, granted `cloudwatch:DescribeAlarms` on exactly these alarms
   */
  readonly role?: iam.IRole;
}

/** The default bake time of an alarm verification. */
export const DEFAULT_BAKE_TIME = Duration.minutes(10);

/** Validates a list of alarms for a gate and describes it. */
export function alarmGateModel(ctx: ModelContext, alarms: unknown, waitMinutes: number | undefined, what: string, role?: unknown): AlarmGateModel {
  const v: Validator = ctx.validator;
  const fix = 'Pass CloudWatch alarms, for example [errorRateAlarm, latencyAlarm] (cloudwatch.Alarm or cloudwatch.Alarm.fromAlarmArn).';
  if (!Array.isArray(alarms)) v.fail(ctx.field, 'must be an array of cloudwatch.IAlarm', alarms, fix);
  if (alarms.length === 0) v.fail(ctx.field, 'must hold at least one alarm', alarms, fix);
  if (alarms.length > 5) {
    v.fail(ctx.field, 'may hold at most 5 alarms (CodePipeline allows 5 rules in a condition)', alarms, 'Combine the alarms into a composite alarm (cloudwatch.CompositeAlarm).');
  }
  alarms.forEach((a, i) => {
    if (!a || typeof a !== 'object' || typeof (a as any).alarmName !== 'string' || typeof (a as any).alarmArn !== 'string') {
      v.fail(`${ctx.field}[${i}]`, 'must be a cloudwatch.IAlarm', a, fix);
    }
  });
  if (role !== undefined && (role === null || typeof (role as any).roleArn !== 'string')) {
    v.fail(`${ctx.field.replace(/\.alarms$/, '')}.role`, 'must be an iam.IRole', role, "Pass iam.Role.fromRoleArn(this, 'AlarmReader', 'arn:aws:iam::222222222222:role/alarm-reader').");
  }
  const refs = (alarms as cloudwatch.IAlarm[]).map((a, i) => alarmRef(ctx, `${ctx.field}[${i}]`, a));
  const pipelineAccount = ctx.pipelineAccount;
  if (role === undefined && pipelineAccount !== undefined && !Token.isUnresolved(pipelineAccount)) {
    refs.forEach((r, i) => {
      if (r.account && r.account !== pipelineAccount) {
        v.fail(`${ctx.field}[${i}]`, `is an alarm of account ${r.account}, which the pipeline (account ${pipelineAccount}) cannot read with its own role`,
          Token.isUnresolved(r.arn) ? described(alarmLabel(r.alarm)) : r.arn,
          'Pass a role in that account that trusts the pipeline account and may cloudwatch:DescribeAlarms (role: iam.Role.fromRoleArn(...)).');
      }
    });
  }
  const names = (alarms as cloudwatch.IAlarm[]).map(alarmLabel);
  const wait = waitMinutes !== undefined ? ` for ${waitMinutes} min` : '';
  return { alarms: alarms as cloudwatch.IAlarm[], refs, waitMinutes, role: role as iam.IRole | undefined, summary: `${what}${wait}: ${names.join(', ')}` };
}

/**
 * How the pipeline's rules name an alarm. An imported alarm (`fromAlarmArn`) carries its account
 * and region in its ARN. An alarm construct is referred to with tokens when the pipeline's stack can
 * refer to it (the same stack, or a stack of the same CDK stage and environment). Otherwise (an alarm
 * of a CDK stage the pipeline deploys, or of another account or region) a token would be a
 * cross-stage or cross-environment reference, which aws-cdk-lib refuses: the rule names it by its
 * literal name, in its stack's account and region (the environment's when the stack names none).
 */
function alarmRef(ctx: ModelContext, field: string, alarm: cloudwatch.IAlarm): AlarmRefModel {
  const byTokens = (account?: string, region?: string): AlarmRefModel =>
    ({ alarm, name: alarm.alarmName, arn: alarm.alarmArn, account: literal(account), region: literal(region), referable: true });
  if (!Token.isUnresolved(alarm.alarmArn)) {
    const parts = alarm.alarmArn.split(':');
    return { alarm, name: alarm.alarmName, arn: alarm.alarmArn, account: literal(parts[4]), region: literal(parts[3]), referable: true };
  }
  const scope = ctx.pipelineScope;
  const alarmStack = typeof (alarm as any).node === 'object' ? Stack.of(alarm) : undefined;
  if (!scope || !alarmStack) {
    return byTokens(alarm.env?.account, alarm.env?.region);
  }
  const pipelineStack = Stack.of(scope);
  const sameStage = Stage.of(alarmStack) === Stage.of(pipelineStack);
  if (alarmStack === pipelineStack || (sameStage && alarmStack.environment === pipelineStack.environment)) {
    return byTokens(alarmStack.account, alarmStack.region);
  }
  // an env-agnostic stack of another stage deploys where the environment does
  const account = literal(alarmStack.account) ?? (sameStage ? undefined : literal(ctx.environmentAccount ?? ctx.pipelineAccount));
  const region = literal(alarmStack.region) ?? (sameStage ? undefined : literal(ctx.environmentRegion ?? ctx.pipelineRegion));
  const where = sameStage ? 'another account or region than the pipeline\'s' : `CDK stage '${Stage.of(alarmStack)!.node.path}', not the pipeline's`;
  const fix = "Give the alarm an alarmName (new cloudwatch.Alarm(this, 'Errors', { alarmName: 'shop-prod-errors', ... })), or import it with "
    + "cloudwatch.Alarm.fromAlarmArn(this, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-errors').";
  // alarmName is a token even when given; the physical name is the literal given
  const name = literalName(alarm, alarm.alarmName);
  if (name === undefined) {
    ctx.validator.fail(field, `is an alarm of stack '${alarmStack.node.path}', in ${where}, which the pipeline's stack cannot refer to, and its name is generated`,
      alarm.node.path, fix);
  }
  if (account === undefined || region === undefined) {
    ctx.validator.fail(field, `is an alarm of stack '${alarmStack.node.path}', in ${where}, and that stack names no ${account === undefined ? 'account' : 'region'}`,
      alarm.node.path, `Give stack '${alarmStack.node.path}' an env with its account and region, or import the alarm with cloudwatch.Alarm.fromAlarmArn(...).`);
  }
  return { alarm, name, arn: `arn:${pipelineStack.partition}:cloudwatch:${region}:${account}:alarm:${name}`, account, region, referable: false };
}

/**
 * The alarms CodeDeploy can watch on a deployment group: those of the group's account and region
 * (CodeDeploy reads alarms there only), which the group's stack can name (the same stage, or a
 * literal name).
 */
export function alarmsForGroup(group: IConstruct & { env: { account: string; region: string } }, gates: AlarmGateModel[]): cloudwatch.IAlarm[] {
  const groupStack = Stack.of(group);
  const account = literal(group.env.account);
  const region = literal(group.env.region);
  return gates.flatMap(g => g.refs).filter(r => {
    const sameEnv = account !== undefined && region !== undefined
      ? r.account === account && r.region === region
      : r.referable && r.account === account && r.region === region && Stack.of(r.alarm).environment === groupStack.environment;
    const nameable = !Token.isUnresolved(r.alarm.alarmName) || Stage.of(r.alarm) === Stage.of(groupStack);
    return sameEnv && nameable;
  }).map(r => r.alarm);
}

/** An alarm as messages and the plan show it: its name, or its construct path when the name is generated. */
export function alarmLabel(alarm: cloudwatch.IAlarm): string {
  return Token.isUnresolved(alarm.alarmName) ? alarm.node.path : alarm.alarmName;
}

/**
 * Automated checks run in an environment after its deployments succeed; a failure fails the
 * environment's stage.
 */
export abstract class Verification {
  /** Tests in CodeBuild (smoke tests, integration tests) with the build output as working directory. */
  public static commands(name: string, commands: string[], options: VerificationCommandsOptions = {}): Verification {
    return new CommandsVerification(name, commands, options ?? {});
  }

  /**
   * CloudWatch alarms watched for a bake time after the deployments and tests succeed: the stage
   * succeeds only if none of them is in ALARM (a V2 on-success condition with CloudWatchAlarm
   * rules); otherwise it fails, or rolls back when the environment's failure policy is ROLLBACK.
   */
  public static alarms(alarms: cloudwatch.IAlarm[], options: AlarmVerificationOptions = {}): Verification {
    return new AlarmVerification(alarms, options ?? {});
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext): VerificationModel;
}

class AlarmVerification extends Verification {
  constructor(private readonly alarms: cloudwatch.IAlarm[], private readonly options: AlarmVerificationOptions) {
    super();
  }

  public _toModel(ctx: ModelContext): VerificationModel {
    const v: Validator = ctx.validator;
    v.noMisspeltFields(ctx.field, this.options, 'AlarmVerificationOptions');
    const bake = this.options.bakeTime ?? DEFAULT_BAKE_TIME;
    const minutes = v.durationMinutes(`${ctx.field}.bakeTime`, bake, {
      min: 1, max: 1440, limits: 'a whole number of minutes from 1 minute to 24 hours', example: 'Duration.minutes(30)',
    });
    return { alarmGate: alarmGateModel({ ...ctx, field: `${ctx.field}.alarms` }, this.alarms, minutes, 'alarms watched', this.options.role) };
  }
}

class CommandsVerification extends Verification {
  constructor(private readonly name: string, private readonly commands: string[], private readonly options: VerificationCommandsOptions) {
    super();
  }

  public _toModel(ctx: ModelContext): VerificationModel {
    const v: Validator = ctx.validator;
    const name = v.pipelineName(`${ctx.field}.name`, this.name, 'verification name');
    const commands = v.requireStringArray(`${ctx.field}.commands`, this.commands, "Pass the test commands, for example ['curl -fsS $URL/health'].");
    v.noMisspeltFields(ctx.field, this.options, 'VerificationCommandsOptions');
    const env = v.optionalStringMap(`${ctx.field}.env`, this.options.env, "Pass string values, for example { URL: 'https://staging.example.com' }.");
    const common = validateCommandsOptions(ctx, {
      ...this.options,
      environmentVariables: { ...(this.options.environmentVariables ?? {}), ...(env ?? {}) },
    });
    const fromOutputs = outputVariables(ctx, this.options, common.environmentVariables ?? {});
    const action = commandsActionModel({
      name,
      kind: 'verification-commands',
      summary: `tests: ${commands.join(' && ')}`,
      commands,
      common,
      primaryInput: 'build',
      actionEnvironmentVariables: fromOutputs?.variables,
    });
    if (!fromOutputs) return { action };
    return {
      action: {
        ...action,
        details: [...action.details, ...fromOutputs.details],
        produce: (rc: RenderContext) => {
          for (const w of fromOutputs.warnings) Annotations.of(rc.scope).addWarningV2('delivery-pipeline:conditionalOutput', w);
          return action.produce(rc);
        },
      },
      outputNamespaces: fromOutputs.namespaces,
    };
  }
}

/** CodePipeline's limit for an action configuration field, such as a CodeBuild action's environment variables. */
const MAX_ACTION_CONFIGURATION_FIELD = 1000;

/**
 * The variable namespace of the deploy action `<actionBase>.Deploy` in environment `environmentName`:
 * unique in the pipeline (environment names are, and action names within an environment), and of
 * the characters CodePipeline allows in a namespace (no '.'), at most 100.
 */
export function outputsNamespace(environmentName: string, actionBase: string): string {
  const hash = (x: string) => crypto.createHash('sha256').update(x).digest('hex').slice(0, 8);
  // '.' is allowed in stage and action names, not in namespaces
  const part = (x: string) => x.includes('.') ? `${x.replace(/\./g, '_')}-${hash(x)}` : x;
  const ns = `${part(environmentName)}@${part(actionBase)}`;
  return ns.length <= 100 ? ns : `${ns.slice(0, 91)}-${hash(ns)}`;
}

function isCfnOutput(x: unknown): x is CfnOutput {
  return x instanceof CfnOutput || (typeof x === 'object' && x !== null && CfnElement.isCfnElement(x) && 'importValue' in x);
}

/** A deploy action whose stack's outputs a test may read: `<base>.Deploy`, and its outputs when known at synth. */
interface OutputSource {
  /** The action name without `.Deploy`: the stack name of a CDK-stage stack, the name of a CloudFormation target. */
  readonly base: string;
  readonly stackName?: string;
  /** The stack's outputs (logical id -> has a Condition), known for CDK-stage stacks only. */
  readonly outputs?: Record<string, boolean>;
}

/** One variable to set from an output. */
interface OutputRequest {
  readonly variable: string;
  readonly field: string;
  readonly source: OutputSource;
  readonly outputName: string;
  /** The construct path of the CfnOutput, for messages. */
  readonly path?: string;
  /** The stack's construct path, for messages. */
  readonly stackPath?: string;
}

const DEPLOY_SUFFIX = '.Deploy';

/** The CloudFormation deploy actions of the environment's deployments. */
function outputSources(ctx: ModelContext): OutputSource[] {
  return (ctx.environmentDeployments ?? []).flatMap(d => d.actionNames
    .filter(a => a.kind === 'cloudformation-execute' && a.name.endsWith(DEPLOY_SUFFIX))
    .map(a => {
      const base = a.name.slice(0, -DEPLOY_SUFFIX.length);
      const stageStack = d.stageStacks?.find(s => s.stackName === base);
      return stageStack ? { base, stackName: base, outputs: stageStack.outputs } : { base, stackName: d.stackName };
    }));
}

/** `envFromCfnOutputs`: each output must be of a stack of a CDK stage the environment deploys. */
function cfnOutputRequests(ctx: ModelContext, field: string, raw: unknown): OutputRequest[] {
  const v: Validator = ctx.validator;
  const fix = 'Map environment variable names to CfnOutputs of a stack the environment deploys, for example { API_URL: api.urlOutput }.';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) v.fail(field, 'must map environment variable names to CfnOutput', raw, fix);
  const deployments = ctx.environmentDeployments ?? [];
  const sources = outputSources(ctx);
  return Object.entries(raw as Record<string, unknown>).map(([variable, output]) => {
    if (!isCfnOutput(output)) v.fail(`${field}.${variable}`, 'must be a CfnOutput', output, fix);
    const stack = Stack.of(output);
    const stage = Stage.of(stack);
    const deployed = deployments
      .filter(d => d.cdkStage !== undefined && d.cdkStage === stage)
      .flatMap(d => d.stageStacks ?? [])
      .find(s => s.artifactId === stack.artifactId);
    const source = deployed && sources.find(x => x.stackName === deployed.stackName && x.outputs);
    if (!source) {
      const stages = deployments.filter(d => d.cdkStage).map(d => `'${d.cdkStage!.node.path}'`);
      v.fail(`${field}.${variable}`,
        `is an output of stack '${stack.node.path}', which environment '${ctx.environmentName}' does not deploy (its tests run after its own deployments only)`,
        output.node.path,
        stages.length > 0
          ? `Pass an output of a stack of the CDK stage${stages.length === 1 ? '' : 's'} ${stages.join(', ')} this environment deploys.`
          : "Deploy the stack's stage in this environment with DeploymentTarget.cdkStage(stage), or pass the value in env.");
    }
    return { variable, field: `${field}.${variable}`, source, outputName: stack.resolve(output.logicalId) as string, path: output.node.path, stackPath: stack.node.path };
  });
}

/** `envFromStackOutputs`: `'<stack>.<output>'` of a CloudFormation target or CDK-stage stack the environment deploys. */
function namedOutputRequests(ctx: ModelContext, field: string, raw: unknown): OutputRequest[] {
  const v: Validator = ctx.validator;
  const fix = "Map environment variable names to '<stack name>.<output name>', for example { API_URL: 'shop-prod.ApiUrl' }.";
  const map = v.optionalStringMap(field, raw, fix) ?? {};
  const sources = outputSources(ctx);
  return Object.entries(map).map(([variable, ref]) => {
    const dot = ref.lastIndexOf('.');
    const base = ref.slice(0, dot);
    const outputName = ref.slice(dot + 1);
    if (isToken(ref) || dot <= 0 || !/^[A-Za-z0-9]+$/.test(outputName)) {
      v.fail(`${field}.${variable}`, "must name a stack's output as '<stack name>.<output name>' (the output's logical id: letters and digits)", ref, fix);
    }
    const source = sources.find(x => x.base === base);
    if (!source) {
      const known = sources.map(x => `'${x.base}'`);
      v.fail(`${field}.${variable}`, `names stack '${base}', which environment '${ctx.environmentName}' does not deploy (its tests run after its own deployments only)`, ref,
        known.length > 0
          ? `Name a stack this environment deploys: ${known.join(', ')} (a CloudFormation target is named by its name, which defaults to its stack name).`
          : 'Deploy the stack in this environment with DeploymentTarget.cloudFormation(...) or DeploymentTarget.cdkStage(...), or pass the value in env.');
    }
    return { variable, field: `${field}.${variable}`, source, outputName };
  });
}

/**
 * Resolves `envFromCfnOutputs` and `envFromStackOutputs`. Returns the action's variables
 * (`#{<namespace>.<output>}`), the namespaces the stacks' deploy actions need (by action name),
 * the plan's lines and the warnings.
 */
function outputVariables(ctx: ModelContext, options: VerificationCommandsOptions, taken: Record<string, string>) {
  const v: Validator = ctx.validator;
  const cfnField = `${ctx.field}.envFromCfnOutputs`;
  const namedField = `${ctx.field}.envFromStackOutputs`;
  const requests = [
    ...(options.envFromCfnOutputs === undefined ? [] : cfnOutputRequests(ctx, cfnField, options.envFromCfnOutputs)),
    ...(options.envFromStackOutputs === undefined ? [] : namedOutputRequests(ctx, namedField, options.envFromStackOutputs)),
  ];
  if (requests.length === 0) return undefined;
  const variables: Record<string, string> = {};
  const namespaces: Record<string, string> = {};
  const details: string[] = [];
  const warnings: string[] = [];
  for (const r of requests) {
    const parent = r.field.slice(0, r.field.length - r.variable.length - 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.variable)) {
      v.fail(parent, 'has a name that is not a valid environment variable name', r.variable, 'Use letters, digits and underscores, not starting with a digit.');
    }
    if (r.variable in taken) {
      v.fail(r.field, 'sets a variable env or environmentVariables sets too', r.variable,
        'Give the variable one source: remove it from env (environmentVariables), envFromCfnOutputs or envFromStackOutputs.');
    }
    if (r.variable in variables) {
      v.fail(r.field, 'sets a variable envFromCfnOutputs sets too', r.variable, 'Give the variable one source: remove it from envFromCfnOutputs or envFromStackOutputs.');
    }
    const conditional = r.source.outputs?.[r.outputName];
    if (r.source.outputs && conditional === undefined) {
      if (r.path === undefined) {
        v.fail(r.field, `names output '${r.outputName}', which the template of stack '${r.source.base}' does not have`,
          `${r.source.base}.${r.outputName}`, `Name one of its outputs: ${Object.keys(r.source.outputs).join(', ') || '(it has none)'}.`);
      }
      v.fail(r.field, `is an output of stack '${r.stackPath}' that is not in the stack's synthesized template (it was added or renamed after the stage was synthesized)`,
        r.path, "Create and name the output with the stack's other resources, before the pipeline is created.");
    }
    if (conditional) {
      warnings.push(`${r.field}: output '${r.outputName}' of stack '${r.source.base}' has a Condition. When the condition is false the stack has no such output, `
        + `and the test '${ctx.field}' fails to start ("variable not found"). Give the output no condition, or read it in the test with 'aws cloudformation describe-stacks'.`);
    }
    const namespace = outputsNamespace(ctx.environmentName ?? '', r.source.base);
    namespaces[`${r.source.base}${DEPLOY_SUFFIX}`] = namespace;
    variables[r.variable] = `#{${namespace}.${r.outputName}}`;
    details.push(`env ${r.variable}: output ${r.outputName} of stack ${r.source.stackName !== undefined && !isToken(r.source.stackName) ? r.source.stackName : r.source.base}`);
  }
  const configuration = JSON.stringify(Object.entries(variables).map(([n, value]) => ({ name: n, type: 'PLAINTEXT', value })));
  if (configuration.length > MAX_ACTION_CONFIGURATION_FIELD) {
    v.fail(options.envFromStackOutputs === undefined ? cfnField : ctx.field,
      `needs ${configuration.length} characters of action configuration, more than CodePipeline's ${MAX_ACTION_CONFIGURATION_FIELD} for a CodeBuild action's environment variables`,
      described(`${requests.length} outputs`),
      'Read fewer outputs here and the others in the test itself (aws cloudformation describe-stacks), or split the test into two verifications.');
  }
  return { variables, namespaces, details, warnings };
}
