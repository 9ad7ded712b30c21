import { commandsActionModel, QualityCheckCommandsOptions } from '../build/quality-check';
import { ActionModel, ModelContext } from '../model/model';
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

/**
 * Automated checks run in an environment after its deployments succeed; a failure fails the
 * environment's stage.
 */
export abstract class Verification {
  /** Tests in CodeBuild (smoke tests, integration tests) with the build output as working directory. */
  public static commands(name: string, commands: string[], options: VerificationCommandsOptions = {}): Verification {
    return new CommandsVerification(name, commands, options ?? {});
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext): ActionModel;
}

class CommandsVerification extends Verification {
  constructor(private readonly name: string, private readonly commands: string[], private readonly options: VerificationCommandsOptions) {
    super();
  }

  public _toModel(ctx: ModelContext): ActionModel {
    const v: Validator = ctx.validator;
    const name = v.pipelineName(`${ctx.field}.name`, this.name, 'verification name');
    const commands = v.requireStringArray(`${ctx.field}.commands`, this.commands, "Pass the test commands, for example ['curl -fsS $URL/health'].");
    const env = v.optionalStringMap(`${ctx.field}.env`, this.options.env, "Pass string values, for example { URL: 'https://staging.example.com' }.");
    const common = validateCommandsOptions(ctx, {
      ...this.options,
      environmentVariables: { ...(this.options.environmentVariables ?? {}), ...(env ?? {}) },
    });
    return commandsActionModel({ name, kind: 'verification-commands', summary: `tests: ${commands.join(' && ')}`, commands, common, primaryInput: 'build' });
  }
}
