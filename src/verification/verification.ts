import { CfnOutput, CfnResource, Duration, Resource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { commandsActionModel, QualityCheckCommandsOptions } from '../build/quality-check';
import { AlarmGateModel, AlarmRefModel, GroupAlarmModel, ModelContext, VerificationModel } from '../model/model';
import { checkEnvironmentVariables, refuseSecretsInCommands, takenVariables, validateCommandsOptions } from '../private/commands-spec';
import { COMPOSITE_ALARMS_SID } from '../private/nag';
import { refuseOwnedOfOtherApp } from '../private/referable';
import { outputVariables } from '../private/stack-outputs';
import { refuseOtherStagePrincipal } from '../private/stage-principals';
import { described, literal, literalName, resolvedOrUndefined, type Validator } from '../private/validation';

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
   * CloudFormation target is named by its `name`, which defaults to its stack name, or by its stack
   * name when no other target of the environment deploys that stack. The output
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
   * (a role in that account that trusts the pipeline account and may `cloudwatch:DescribeAlarms`,
   * on `*` for a composite alarm: CloudWatch describes composite alarms only to a permission on `*`).
   * Every alarm is read with it, in its account: alarms of another account than the role's are
   * refused (one `Verification.alarms` per account).
   *
   * @default - the pipeline's role, granted `cloudwatch:DescribeAlarms` on exactly these alarms (on
   * `*` when one is a composite alarm of the app)
   */
  readonly role?: iam.IRole;
}

/** The default bake time of an alarm verification. */
export const DEFAULT_BAKE_TIME = Duration.minutes(10);

/** One alarm given twice: the same object, or the same literal ARN (an alarm imported twice). */
export function sameAlarm(a: { alarmArn: string }, b: { alarmArn: string }): boolean {
  return a === b || (!Token.isUnresolved(a.alarmArn) && a.alarmArn === b.alarmArn);
}

/** The limit on a list of alarms, as the error says it. */
export interface AlarmListLimit {
  readonly max: number;
  /** 'may hold at most 5 alarms (...)' */
  readonly problem: string;
  /** The received value the error shows for a list of `n` alarms. */
  readonly shown: (alarms: unknown[]) => unknown;
  readonly allowEmpty: boolean;
}

/**
 * Checks a list of alarms given at `field`: an array of cloudwatch.IAlarm within the limit, each
 * alarm once (the same alarm twice would render two identical rules or names).
 */
export function checkAlarmList(v: Validator, field: string, alarms: unknown, limit: AlarmListLimit): cloudwatch.IAlarm[] {
  const fix = 'Pass CloudWatch alarms, for example [errorRateAlarm, latencyAlarm] (cloudwatch.Alarm or cloudwatch.Alarm.fromAlarmArn).';
  if (!Array.isArray(alarms)) v.fail(field, 'must be an array of cloudwatch.IAlarm', alarms, fix);
  if (alarms.length === 0 && !limit.allowEmpty) v.fail(field, 'must hold at least one alarm', alarms, fix);
  if (alarms.length > limit.max) v.fail(field, limit.problem, limit.shown(alarms), 'Combine the alarms into a composite alarm (cloudwatch.CompositeAlarm).');
  alarms.forEach((a, i) => {
    if (!a || typeof a !== 'object' || typeof (a as any).alarmName !== 'string' || typeof (a as any).alarmArn !== 'string') {
      v.fail(`${field}[${i}]`, 'must be a cloudwatch.IAlarm', a, fix);
    }
  });
  const given = alarms as cloudwatch.IAlarm[];
  given.forEach((a, i) => {
    const j = given.findIndex((b, k) => k < i && sameAlarm(a, b));
    if (j >= 0) v.fail(`${field}[${i}]`, `is the same alarm as ${field.split('.').pop()}[${j}]`, described(alarmLabel(a)), 'Name each alarm once.');
  });
  return given;
}

/** Validates a list of alarms for a gate and describes it. */
export function alarmGateModel(
  ctx: ModelContext, alarms: unknown, waitMinutes: number | undefined, what: string, role?: unknown, roleField?: string,
): AlarmGateModel {
  const v: Validator = ctx.validator;
  checkAlarmList(v, ctx.field, alarms, {
    max: 5, problem: 'may hold at most 5 alarms (CodePipeline allows 5 rules in a condition)', shown: given => given, allowEmpty: false,
  });
  if (role !== undefined && (role === null || typeof (role as any).roleArn !== 'string')) {
    v.fail(roleField ?? `${ctx.field.replace(/\.alarms$/, '')}.role`, 'must be an iam.IRole', role, "Pass iam.Role.fromRoleArn(this, 'AlarmReader', 'arn:aws:iam::222222222222:role/alarm-reader').");
  }
  refuseOwnedOfOtherApp(v, roleField ?? `${ctx.field.replace(/\.alarms$/, '')}.role`, role, 'an IAM role');
  // the pipeline's role assumes it, by its ARN: a role of another CDK stage must be imported by a plain ARN
  refuseOtherStagePrincipal(v, roleField ?? `${ctx.field.replace(/\.alarms$/, '')}.role`, role, 'an IAM role', 'role', arn =>
    `Import it by its ARN instead, in any stack: iam.Role.fromRoleArn(this, 'AlarmReader', '${arn}'), with the roleName the stage gives it `
    + '(a role imported by an ARN that is a string may come from any stack).');
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
  // The rules read every alarm of the gate with the role given, in the role's account: an alarm of
  // another account would not be found there (or a same-named alarm of that account would be read).
  const readerAccount = role === undefined ? undefined : roleAccount(role as iam.IRole);
  if (readerAccount !== undefined) {
    // the role's field as written beside the alarms: blockWhileAlarmingRole, or verification[0].role
    const roleName = roleField?.split('.').pop() ?? `${ctx.field.split('.').slice(-2, -1)[0]}.role`;
    const fix = roleField === undefined
      ? 'Split the alarms by account: one Verification.alarms per account, each with a role of that account (alarms of the pipeline\'s account need none).'
      : `blockWhileAlarming reads all its alarms with ${roleName}: pass alarms of account ${readerAccount} only, and watch the others with `
        + 'Verification.alarms and a role of their account.';
    refs.forEach((r, i) => {
      if (r.account === undefined || r.account === readerAccount) return;
      v.fail(`${ctx.field}[${i}]`, `is an alarm of account ${r.account}, but ${roleName} is a role of account ${readerAccount}: the rule reads the alarm with `
        + `that role, so it would look the alarm up in account ${readerAccount}`, Token.isUnresolved(r.arn) ? described(alarmLabel(r.alarm)) : r.arn,
      fix + importedByNameHint(r, readerAccount));
    });
  }
  // An alarm of a literal account or region, and a pipeline stack that names none: the rule would
  // look the alarm's name up wherever the pipeline runs, which may be another account or region.
  const pipelineRegion = ctx.pipelineRegion;
  refs.forEach((r, i) => {
    const unnamed = [
      ...(role === undefined && r.account && (pipelineAccount === undefined || Token.isUnresolved(pipelineAccount)) ? ['account'] : []),
      ...(r.region && (pipelineRegion === undefined || Token.isUnresolved(pipelineRegion)) ? ['region'] : []),
    ];
    if (unnamed.length === 0) return;
    const where = [unnamed.includes('account') ? `account ${r.account}` : undefined, unnamed.includes('region') ? r.region : undefined].filter(Boolean).join(', ');
    v.fail(`${ctx.field}[${i}]`, `is an alarm in ${where}, but the pipeline's stack names no ${unnamed.join(' or ')}, so its rule would look the alarm `
      + `up in whatever ${unnamed.join(' and ')} the pipeline runs in`, Token.isUnresolved(r.arn) ? described(alarmLabel(r.alarm)) : r.arn,
    `Give the pipeline's stack env: { account: '${literal(pipelineAccount) ?? r.account ?? '111111111111'}', region: '${literal(pipelineRegion) ?? r.region ?? 'eu-west-1'}' } `
      + '(the account and region the pipeline runs in).');
  });
  const names = (alarms as cloudwatch.IAlarm[]).map(alarmLabel);
  const wait = waitMinutes !== undefined ? ` for ${waitMinutes} min` : '';
  return { alarms: alarms as cloudwatch.IAlarm[], refs, waitMinutes, role: role as iam.IRole | undefined, summary: `${what}${wait}: ${names.join(', ')}`, names };
}

/**
 * An imported alarm whose account is that of the stack it was imported into may be one imported by
 * name (`cloudwatch.Alarm.fromAlarmName`), whose ARN takes that stack's account whatever account the
 * alarm is in: say how to import it with its real account. Empty for an alarm of the app, or one
 * whose account is not its stack's.
 */
function importedByNameHint(r: AlarmRefModel, readerAccount: string): string {
  const alarm = r.alarm;
  if (Resource.isOwnedResource(alarm) || r.account !== literal(Stack.of(alarm).account)) return '';
  const arn = literal(r.arn);
  const partition = arn?.split(':')[1] ?? 'aws';
  const name = literal(resolvedOrUndefined(Stack.of(alarm), alarm.alarmName) as string | undefined) ?? '<alarm name>';
  return ` An alarm imported by name (cloudwatch.Alarm.fromAlarmName) takes the account of the stack it is imported into (${r.account}): `
    + `if it is an alarm of account ${readerAccount}, import it with its real account, cloudwatch.Alarm.fromAlarmArn(this, '${alarm.node.id}', `
    + `'arn:${partition}:cloudwatch:${r.region ?? literal(Stack.of(alarm).region) ?? '<region>'}:${readerAccount}:alarm:${name}').`;
}

/** The account of a role, when known at synth: its stack's (an imported role's is its ARN's). */
function roleAccount(role: iam.IRole): string | undefined {
  const account = literal(role.env?.account);
  if (account !== undefined || Token.isUnresolved(role.roleArn)) return account;
  return literal(role.roleArn.split(':')[4] || undefined);
}

/**
 * How the pipeline's rules name an alarm. An imported alarm (`fromAlarmArn`) carries its account
 * and region in its ARN. An alarm construct is referred to with tokens when the pipeline's stack can
 * refer to it (the same stack, or a stack of the same CDK stage and environment). Otherwise (an alarm
 * of a CDK stage the pipeline deploys, or of another account or region) a token would be a
 * cross-stage or cross-environment reference, which aws-cdk-lib refuses: the rule names it by its
 * literal name, in its stack's account and region (the environment's when the stack names none).
 */
export function alarmRef(ctx: ModelContext, field: string, alarm: cloudwatch.IAlarm): AlarmRefModel {
  const composite = isCompositeAlarm(alarm);
  const byTokens = (account?: string, region?: string): AlarmRefModel =>
    ({ alarm, name: alarm.alarmName, arn: alarm.alarmArn, account: literal(account), region: literal(region), referable: true, composite });
  if (!Token.isUnresolved(alarm.alarmArn)) {
    const parts = alarm.alarmArn.split(':');
    return { alarm, name: alarm.alarmName, arn: alarm.alarmArn, account: literal(parts[4]), region: literal(parts[3]), referable: true, composite };
  }
  refuseOwnedOfOtherApp(ctx.validator, field, alarm, 'a CloudWatch alarm');
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
    // given, but built from a token (`${Aws.STACK_NAME}-errors`): known only when the stack deploys
    // (a generated physical name resolves to nothing in the alarm's own stack, a given one to itself)
    if (resolvedOrUndefined(alarmStack, (alarm as { physicalName?: unknown }).physicalName) !== undefined) {
      ctx.validator.fail(field, `is an alarm of stack '${alarmStack.node.path}', in ${where}, which the pipeline's stack cannot refer to, and its alarmName `
        + 'contains a token, so the name is known only when that stack deploys', alarm.node.path,
      "Give the alarm an alarmName that is a literal string (alarmName: 'shop-prod-errors', not built from a token such as Aws.STACK_NAME), or import it with "
        + "cloudwatch.Alarm.fromAlarmArn(this, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-errors').");
    }
    ctx.validator.fail(field, `is an alarm of stack '${alarmStack.node.path}', in ${where}, which the pipeline's stack cannot refer to, and its name is generated`,
      alarm.node.path, fix);
  }
  if (account === undefined || region === undefined) {
    ctx.validator.fail(field, `is an alarm of stack '${alarmStack.node.path}', in ${where}, and that stack names no ${account === undefined ? 'account' : 'region'}`,
      alarm.node.path, `Give stack '${alarmStack.node.path}' an env with its account and region, or import the alarm with cloudwatch.Alarm.fromAlarmArn(...).`);
  }
  return { alarm, name, arn: `arn:${pipelineStack.partition}:cloudwatch:${region}:${account}:alarm:${name}`, account, region, referable: false, composite };
}

/**
 * True for a composite alarm of the app (a cloudwatch.CompositeAlarm, or a construct whose resource
 * is an AWS::CloudWatch::CompositeAlarm). An imported alarm cannot be told apart:
 * `CompositeAlarm.fromCompositeAlarmArn` returns the same kind of object as `Alarm.fromAlarmArn`.
 */
export function isCompositeAlarm(alarm: cloudwatch.IAlarm): boolean {
  if (alarm instanceof cloudwatch.CompositeAlarm) return true;
  const resource = typeof (alarm as any).node === 'object' ? alarm.node.defaultChild : undefined;
  return resource !== undefined && CfnResource.isCfnResource(resource)
    && resource.cfnResourceType === cloudwatch.CfnCompositeAlarm.CFN_RESOURCE_TYPE_NAME;
}

/**
 * The `cloudwatch:DescribeAlarms` grant on alarms: on their ARNs, or on `*` when one is a composite
 * alarm (CloudWatch returns composite alarms only to a permission scoped to `*`). The grant on `*`
 * has its own Sid, so aws-cdk-lib's policy minimization never merges it with another statement on
 * `*` (a merged statement would hide that one from the library's narrowing and cdk-nag's reasons).
 */
export function describeAlarmsStatement(alarms: ReadonlyArray<{ readonly arn: string; readonly composite: boolean }>): iam.PolicyStatement {
  return alarms.some(a => a.composite)
    ? new iam.PolicyStatement({ sid: COMPOSITE_ALARMS_SID, actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] })
    : new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map(a => a.arn) });
}

/**
 * The alarms CodeDeploy can watch on a deployment group: those of the group's account and region
 * (CodeDeploy reads alarms there only) that the group's stack can name without depending on
 * another stack (the pipeline's stack depends on the group's, so a reference back would be a
 * cycle): an imported alarm, an alarm of the group's stack, or one of another stack by its literal
 * name (`byName`). An alarm of another stack whose name is generated is left out (`unnamed`); one
 * the group already has, by its own `alarms` or as one added before under the same name, is not
 * added again (`already`). `own` is the number of distinct alarms the group has of its own.
 */
export function alarmsForGroup(
  group: IConstruct & { env: { account: string; region: string } }, gates: AlarmGateModel[],
): { readonly added: GroupAlarmModel[]; readonly unnamed: number; readonly already: number; readonly own: number } {
  const groupStack = Stack.of(group);
  const account = literal(group.env.account);
  const region = literal(group.env.region);
  const added: GroupAlarmModel[] = [];
  let unnamed = 0;
  let already = 0;
  // the alarms the group already has (its own `alarms`): added again, CodeDeploy would list them twice
  const resolve = (value: unknown): unknown => resolvedOrUndefined(groupStack, value);
  const cfn = group.node.defaultChild as { alarmConfiguration?: unknown } | undefined;
  const own = (resolve(cfn?.alarmConfiguration) as { alarms?: Array<{ name?: unknown }> } | undefined)?.alarms ?? [];
  // the names AlarmConfiguration lists: the group's own, then each one added
  const names = new Set(own.map(a => JSON.stringify(a?.name)));
  const ownCount = names.size;
  const add = (alarm: GroupAlarmModel, name: unknown) => {
    const key = JSON.stringify(resolve(name));
    if (names.has(key)) {
      already++;
      return;
    }
    names.add(key);
    added.push(alarm);
  };
  for (const r of gates.flatMap(g => g.refs)) {
    const sameEnv = account !== undefined && region !== undefined
      ? r.account === account && r.region === region
      : r.referable && r.account === account && r.region === region && Stack.of(r.alarm).environment === groupStack.environment;
    if (!sameEnv) continue;
    if (!Token.isUnresolved(r.alarm.alarmName) || Stack.of(r.alarm) === groupStack) {
      add({ alarm: r.alarm }, r.alarm.alarmName);
      continue;
    }
    const name = literalName(r.alarm, r.alarm.alarmName);
    if (name !== undefined) add({ alarm: r.alarm, byName: name }, name);
    else unnamed++;
  }
  return { added, unnamed, already, own: ownCount };
}

/**
 * The number of distinct alarms a deployment group of the app has of its own now, besides the ones
 * the pipeline added (`added`, from {@link alarmsForGroup}): its `alarms`, and every alarm added to
 * it with `addAlarm`, before or after the pipeline.
 */
export function ownGroupAlarmCount(group: IConstruct, added: GroupAlarmModel[]): number {
  const groupStack = Stack.of(group);
  const resolve = (value: unknown): unknown => resolvedOrUndefined(groupStack, value);
  const cfn = group.node.defaultChild as { alarmConfiguration?: unknown } | undefined;
  const alarms = (resolve(cfn?.alarmConfiguration) as { alarms?: Array<{ name?: unknown }> } | undefined)?.alarms ?? [];
  const addedNames = new Set(added.map(a => JSON.stringify(resolve(a.byName ?? a.alarm.alarmName))));
  return new Set(alarms.map(a => JSON.stringify(a?.name)).filter(n => !addedNames.has(n))).size;
}

/** An alarm as messages and the plan show it: its name, or its construct path when the name is generated. */
export function alarmLabel(alarm: cloudwatch.IAlarm): string {
  // an alarm of the app given an alarmName has it as its physical name (alarmName itself is a token)
  return literalName(alarm, alarm.alarmName) ?? alarm.node.path;
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
    refuseSecretsInCommands(v, commands, i => `${ctx.field}.commands[${i}]`, `${ctx.field}.secrets`);
    v.noMisspeltFields(ctx.field, this.options, 'VerificationCommandsOptions');
    const env = v.optionalStringMap(`${ctx.field}.env`, this.options.env, "Pass string values, for example { URL: 'https://staging.example.com' }.");
    // checked under the field they were given in, before they join environmentVariables
    checkEnvironmentVariables(v, `${ctx.field}.env`, env, `${ctx.field}.secrets`);
    const given = v.optionalStringMap(`${ctx.field}.environmentVariables`, this.options.environmentVariables,
      "Pass string values, for example { URL: 'https://staging.example.com' }.") ?? {};
    const both = Object.keys(env ?? {}).filter(k => Object.prototype.hasOwnProperty.call(given, k));
    if (both.length > 0) {
      v.fail(`${ctx.field}.env`, `sets ${both.map(k => `'${k}'`).join(', ')}, which environmentVariables sets too (one value would silently replace the other)`,
        described(both.join(', ')), 'Set each variable in one of the two maps.');
    }
    const common = validateCommandsOptions(ctx, {
      ...this.options,
      environmentVariables: { ...(this.options.environmentVariables ?? {}), ...(env ?? {}) },
    });
    const outputs = outputVariables(ctx, this.options, takenVariables(common), 'the test');
    return {
      action: commandsActionModel({ name, kind: 'verification-commands', summary: `tests: ${commands.join(' && ')}`, commands, common, primaryInput: 'build', outputs }),
      outputNamespaces: outputs?.namespaces,
    };
  }
}
