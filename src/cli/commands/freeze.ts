import { GetPipelineStateOutput, StageState } from '@aws-sdk/client-codepipeline';
import { CommandContext } from '../context';
import { ago } from '../duration';
import { ExitCode, notFound, usageError } from '../errors';
import { println } from '../io';
import { NON_ENVIRONMENT_STAGES, shortPrincipal, validateName } from '../pipeline-model';
import { safeLine, truncate } from '../terminal';

export interface FreezeOptions {
  readonly pipeline: string;
  readonly env: string;
  /** freeze only: why (shown in the console and by `status`). */
  readonly reason?: string;
  readonly json?: boolean;
}

/** The longest reason DisableStageTransition accepts. */
export const MAX_FREEZE_REASON_LENGTH = 300;
/** The characters DisableStageTransition accepts in a reason (its pattern `[a-zA-Z0-9!@ \(\)\.\*\?\-]+`). */
const FREEZE_REASON_CHAR = /[a-zA-Z0-9!@ ().*?-]/;
/** CodePipeline lets a waiting execution through an enabled transition only if it was disabled for at most 30 days. */
const RESUME_LIMIT_MS = 30 * 86_400_000;

/**
 * Checks a `--reason` of `freeze` against DisableStageTransition's rule (1 to 300 of letters,
 * digits, spaces and `! @ ( ) . * ? -`), so that a bad one is a usage error naming the allowed
 * characters instead of a ValidationException. Returns an error message, or undefined.
 */
export function freezeReasonProblem(reason: string): string | undefined {
  const length = [...reason].length;
  if (length === 0) return '--reason must not be empty';
  if (length > MAX_FREEZE_REASON_LENGTH) {
    return `--reason is ${length} characters long; CodePipeline accepts at most ${MAX_FREEZE_REASON_LENGTH}`;
  }
  const bad = [...reason].find((ch) => !FREEZE_REASON_CHAR.test(ch));
  if (bad !== undefined) {
    const shown = /^[\x21-\x7e]$/.test(bad) ? `'${bad}'` : `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `--reason may hold only letters a-z and A-Z, digits, spaces and ! @ ( ) . * ? - (the CodePipeline rule); it holds ${shown}`;
  }
  return undefined;
}

/** The inbound transition of a stage as `status --json` and `freeze --json` show it. */
export interface InboundTransition {
  readonly enabled: boolean;
  readonly disabledReason?: string;
  /** The principal that last enabled or disabled it (an ARN, or an account id). */
  readonly lastChangedBy?: string;
  readonly lastChangedAt?: Date;
}

/** The stage's inbound transition from GetPipelineState; undefined for the first stage (it has none). */
export function inboundTransition(stage: StageState): InboundTransition | undefined {
  const t = stage.inboundTransitionState;
  if (!t) return undefined;
  return {
    enabled: t.enabled !== false,
    ...(t.disabledReason !== undefined ? { disabledReason: t.disabledReason } : {}),
    ...(t.lastChangedBy !== undefined ? { lastChangedBy: t.lastChangedBy } : {}),
    ...(t.lastChangedAt !== undefined ? { lastChangedAt: t.lastChangedAt } : {}),
  };
}

/** `frozen: "change freeze" by alice, 2h 00m ago` (the status table's short form). */
export function describeFreeze(t: InboundTransition, now: Date, maxReason = 60): string {
  const reason = safeLine(t.disabledReason);
  const shown = truncate(reason, maxReason);
  const by = t.lastChangedBy ? ` by ${safeLine(shortPrincipal(t.lastChangedBy))}` : '';
  const when = t.lastChangedAt ? `, ${ago(t.lastChangedAt, now)}` : '';
  return `frozen: "${shown}"${by}${when}`;
}

/**
 * The stage of environment `env` with its inbound transition, for freeze and unfreeze. Refused
 * (exit 3, before any write call): a stage that does not exist, one of the pipeline's own stages
 * (`Source`, `Build`, `Checks`, `UpdatePipeline`: a freeze is about environments), and a stage
 * whose GetPipelineState entry has no inbound transition (the first stage of a pipeline).
 */
function frozenStage(state: GetPipelineStateOutput, env: string, pipeline: string, verb: 'freeze' | 'unfreeze'): [StageState, InboundTransition] {
  const names = (state.stageStates ?? []).map((s) => s.stageName ?? '').filter((n) => n);
  const environments = names.filter((n) => !NON_ENVIRONMENT_STAGES.has(n));
  const listed = `environments: ${environments.length ? environments.join(', ') : '(none)'}`;
  const stage = (state.stageStates ?? []).find((s) => s.stageName === env);
  if (!stage) throw notFound(`unknown environment '${env}' in pipeline '${pipeline}'; ${listed}`);
  if (NON_ENVIRONMENT_STAGES.has(env)) {
    throw notFound(`'${env}' in pipeline '${pipeline}' is the pipeline's own ${env} stage, not an environment; ${listed}`);
  }
  const transition = inboundTransition(stage);
  if (!transition) {
    throw notFound(`'${env}' in pipeline '${pipeline}' has no inbound transition (GetPipelineState gives none, as for the first stage): `
      + `nothing to ${verb}`);
  }
  return [stage, transition];
}

/** The executions waiting before a stage (V2: `inboundExecutions`, else `inboundExecution`). */
export function waitingBefore(stage: StageState): string[] {
  const inbound = stage.inboundExecutions ?? (stage.inboundExecution ? [stage.inboundExecution] : []);
  return inbound.map((e) => e.pipelineExecutionId ?? '?');
}

/**
 * `cdk-delivery freeze <pipeline> --env <name> --reason <text>`: DisableStageTransition (Inbound)
 * of the environment's stage. Executions that reach it wait before it; the ones already in it go on.
 * Idempotent: an environment frozen with the same reason is left alone (no call), one frozen with
 * another reason gets the new one (DisableStageTransition again).
 */
export async function freezeCommand(ctx: CommandContext, options: FreezeOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  const reason = options.reason ?? '';
  const problem = freezeReasonProblem(reason);
  if (problem) throw usageError(problem);

  const state = await ctx.api.getPipelineState(pipeline);
  const [, before] = frozenStage(state, env, pipeline, 'freeze');
  const now = ctx.io.now();
  const wasFrozen = !before.enabled;
  const changed = !wasFrozen || before.disabledReason !== reason;
  if (changed) await ctx.api.disableInboundTransition(pipeline, env, reason);

  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({
      pipeline,
      environment: env,
      frozen: true,
      reason,
      changed,
      ...(wasFrozen ? { previous: before } : {}),
    }, null, 2));
  } else if (!wasFrozen) {
    println(ctx.io.stdout, safeLine(`froze '${env}' of '${pipeline}': executions now wait before it ("${reason}"); `
      + `those already in it go on (cdk-delivery unfreeze ${pipeline} --env ${env})`));
  } else if (changed) {
    println(ctx.io.stdout, safeLine(`'${env}' of '${pipeline}' was already ${describeFreeze(before, now, 300)}; the reason is now "${reason}"`));
  } else {
    println(ctx.io.stdout, safeLine(`'${env}' of '${pipeline}' is already ${describeFreeze(before, now, 300)}; nothing changed`));
  }
  return ExitCode.OK;
}

/**
 * `cdk-delivery unfreeze <pipeline> --env <name>`: EnableStageTransition (Inbound). Idempotent: an
 * environment that is not frozen is left alone (no call).
 */
export async function unfreezeCommand(ctx: CommandContext, options: FreezeOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  const state = await ctx.api.getPipelineState(pipeline);
  const [stage, before] = frozenStage(state, env, pipeline, 'unfreeze');
  const now = ctx.io.now();
  const wasFrozen = !before.enabled;
  if (wasFrozen) await ctx.api.enableInboundTransition(pipeline, env);
  const waiting = waitingBefore(stage);
  // CodePipeline resumes the latest waiting revision only if the transition was disabled for at most 30 days
  const tooLong = wasFrozen && before.lastChangedAt !== undefined && now.getTime() - before.lastChangedAt.getTime() > RESUME_LIMIT_MS;
  // the warning goes to stderr in every format (--json keeps stdout for the JSON)
  const warnTooLong = () => println(ctx.io.stderr, safeLine(`cdk-delivery: warning: '${env}' was frozen for more than 30 days: CodePipeline does not resume `
    + `${waiting.length > 0 ? 'the execution waiting before it' : 'an execution that was waiting before it'}; release again (cdk-delivery start ${pipeline})`));

  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({
      pipeline,
      environment: env,
      frozen: false,
      changed: wasFrozen,
      ...(wasFrozen ? { previous: before } : {}),
      waitingExecutions: waiting,
      ...(wasFrozen ? { resumes: !tooLong && waiting.length > 0 } : {}),
    }, null, 2));
    if (tooLong) warnTooLong();
    return ExitCode.OK;
  }
  if (!wasFrozen) {
    println(ctx.io.stdout, safeLine(`'${env}' of '${pipeline}' is not frozen; nothing changed`));
    return ExitCode.OK;
  }
  println(ctx.io.stdout, safeLine(`unfroze '${env}' of '${pipeline}' (it was ${describeFreeze(before, now, 300)})`));
  if (tooLong) {
    warnTooLong();
  } else if (waiting.length > 0) {
    println(ctx.io.stdout, safeLine(`the latest execution waiting before it now enters it (waiting: ${waiting.join(', ')})`));
  }
  return ExitCode.OK;
}
