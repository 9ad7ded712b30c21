import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { commandsActionModel, QualityCheckCommandsOptions } from '../build/quality-check';
import { AlarmGateModel, ModelContext, VerificationModel } from '../model/model';
import { validateCommandsOptions } from '../private/commands-spec';
import type { Validator } from '../private/validation';

/** Options of a commands verification. */
export interface VerificationCommandsOptions extends QualityCheckCommandsOptions {
  /**
   * Environment variables for the tests (for example the URL of the environment).
   *
   * @default - none
   */
  readonly env?: Record<string, string>;
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
export function alarmGateModel(
  ctx: ModelContext, alarms: unknown, waitMinutes: number | undefined, what: string, role?: unknown, pipelineAccount?: string,
): AlarmGateModel {
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
  if (role === undefined && pipelineAccount !== undefined && !Token.isUnresolved(pipelineAccount)) {
    (alarms as cloudwatch.IAlarm[]).forEach((a, i) => {
      const account = Token.isUnresolved(a.alarmArn) ? undefined : a.alarmArn.split(':')[4];
      if (account && account !== pipelineAccount) {
        v.fail(`${ctx.field}[${i}]`, `is an alarm of account ${account}, which the pipeline (account ${pipelineAccount}) cannot read with its own role`, a.alarmArn,
          'Pass a role in that account that trusts the pipeline account and may cloudwatch:DescribeAlarms (role: iam.Role.fromRoleArn(...)).');
      }
    });
  }
  const names = (alarms as cloudwatch.IAlarm[]).map(alarmLabel);
  const wait = waitMinutes !== undefined ? ` for ${waitMinutes} min` : '';
  return { alarms: alarms as cloudwatch.IAlarm[], waitMinutes, role: role as iam.IRole | undefined, summary: `${what}${wait}: ${names.join(', ')}` };
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
    return { alarmGate: alarmGateModel({ validator: v, field: `${ctx.field}.alarms` }, this.alarms, minutes, 'alarms watched', this.options.role, ctx.pipelineAccount) };
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
    return { action: commandsActionModel({ name, kind: 'verification-commands', summary: `tests: ${commands.join(' && ')}`, commands, common, primaryInput: 'build' }) };
  }
}
