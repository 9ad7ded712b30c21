import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
import { AwsClients, AwsOptions, createClients, DeliveryApi, missingProfile } from './aws';
import { approveCommand } from './commands/approve';
import { DIFF_FORMATS, diffCommand } from './commands/diff';
import { startCommand, stopCommand } from './commands/execution';
import { freezeCommand, unfreezeCommand } from './commands/freeze';
import { historyCommand } from './commands/history';
import { METRICS_FORMATS, metricsCommand } from './commands/metrics';
import { overrideCommand } from './commands/override';
import { PLAN_FORMATS, planCommand } from './commands/plan';
import { retryCommand, rollbackCommand } from './commands/retry';
import { statusCommand } from './commands/status';
import { CommandContext } from './context';
import { parseDuration } from './duration';
import { CliError, ExitCode, usageError } from './errors';
import { CliIo, println } from './io';
import { RISK_RULES } from './plan-diff';
import { safeLine } from './terminal';
import { PIPELINE_STAGES } from '../model/stage-names';

/** What `runCli` needs; everything but `io` has a default. */
export interface CliDeps {
  readonly io: CliIo;
  /** Creates the SDK clients (default: the standard chain with adaptive retries). */
  readonly createClients?: (options: AwsOptions, env: Record<string, string | undefined>, warn?: (message: string) => void) => AwsClients;
  /** Poll interval of `--wait`, ms (default: CDK_DELIVERY_POLL_INTERVAL_MS or 5000). */
  readonly pollIntervalMs?: number;
  /** Stop `--watch`/`--wait` after this many refreshes (tests). */
  readonly maxRefreshes?: number;
  /** Receives the API wrapper (to count calls). */
  readonly onApi?: (api: DeliveryApi) => void;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the watched stage or execution failed, was rejected, skipped, stopped or superseded, or CodePipeline refused the operation; diff --fail-on-risk: a change weakens the release's safety
  2  usage error (unknown command or flag, bad value, missing confirmation, several approvals waiting or executions running and none chosen, unreadable plan or plan file)
  3  not found (cloud assembly or diff's plan file, pipeline, environment, pending approval, execution to stop, condition being checked to override; freeze/unfreeze: a stage that is not an environment)
  4  access denied (the message names the IAM permission)
  5  throttled or service error after retries, or CodePipeline busy with the pipeline (nothing done: try again)
  6  no AWS credentials, expired or invalid credentials, credentials that cannot be obtained (STS AssumeRole or SSO refused), no region or an invalid one, or a profile that does not exist
  7  approval token expired or approval already answered; stop: the execution is already being stopped
  8  --wait --timeout ran out while the stage (execution) was still running (it goes on in CodePipeline)
  130  --wait interrupted with Ctrl-C (what was done stays done; the stage or execution goes on in CodePipeline)

Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS (default 6),
CDK_DELIVERY_POLL_INTERVAL_MS (--wait poll interval, default 5000), NO_COLOR. An AWS_* variable set
but empty (AWS_REGION= in CI) counts as unset.`;

const PACKAGE_NAME = 'cdk-delivery-pipeline';

/**
 * The version of the installed package: the `package.json` named cdk-delivery-pipeline nearest
 * above `dir` (this file is src/cli/program.ts in the repository and lib/cli/program.js once
 * compiled and installed: both two levels below the package root). `unknown` if none is found.
 */
export function packageVersion(dir: string = __dirname): string {
  for (let current = path.resolve(dir), depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(current, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no (readable) package.json here: look one level up
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return 'unknown';
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;
}

const TIMEOUT_HELP = 'with --wait: stop waiting after this long, e.g. 45m, 2h (exit 8 if the stage is still running)';
const FREEZE_ENV_HELP = `environment name (not ${PIPELINE_STAGES.join(', ')}: the pipeline's own stages)`;
const EXECUTION_TIMEOUT_HELP = 'with --wait: stop waiting after this long, e.g. 45m, 2h (exit 8 if the execution is still running)';

/** `--timeout <duration>` of the waiting commands: milliseconds; only meaningful with `--wait`. */
function parseTimeout(opts: { wait?: boolean; timeout?: string }): number | undefined {
  if (opts.timeout === undefined) return undefined;
  if (!opts.wait) throw usageError('--timeout limits --wait: add --wait, or leave --timeout out');
  return parseDuration(opts.timeout, '--timeout');
}

function parseSeconds(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 10;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1) {
    throw usageError(`${flag}: expected a number of seconds, got '${value}'`);
  }
  return Number(value);
}

interface StageFlags {
  readonly env: string;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly json?: boolean;
}

interface AnswerFlags {
  readonly env: string;
  readonly comment?: string;
  readonly revision?: string;
  readonly execution?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
}

/** Writes a one-line error and returns its exit code. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CliError) {
    println(io.stderr, `cdk-delivery: ${safeLine(error.message)}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  println(io.stderr, `cdk-delivery: unexpected error: ${safeLine(message.replace(/\s+/g, ' ').trim())}`);
  return ExitCode.FAILED;
}

/** Builds the commander program; `setExitCode` receives each command's result. */
export function buildProgram(deps: CliDeps, setExitCode: (code: number) => void): Command {
  const io = deps.io;
  const program = new Command('cdk-delivery');
  program
    .description('Follow, approve, start, stop, freeze and measure the releases of DeliveryPipeline pipelines.')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE or the default chain)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s region)')
    .version(packageVersion(), '-V, --version', 'print the version of cdk-delivery-pipeline')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // usage errors found by commander carry the same prefix as every other error (exit 2)
      outputError: (s, write) => write(s.replace(/^error: /, 'cdk-delivery: ')),
    })
    .addHelpText('after', EXIT_CODES_HELP)
    // each command with its arguments as its own usage says them (`status [options] <pipeline>`: commander's
    // list would show the argument status leaves optional for --watch's sake as [pipeline])
    .configureHelp({ subcommandTerm: (cmd) => `${cmd.name()} ${cmd.usage()}`.trim() });

  const context = (cmd: Command): CommandContext => {
    const globals = cmd.optsWithGlobals() as AwsOptions;
    const warn = (message: string) => println(io.stderr, `cdk-delivery: warning: ${safeLine(message)}`);
    const clients = (deps.createClients ?? createClients)({ profile: globals.profile, region: globals.region }, io.env, warn);
    const api = new DeliveryApi(clients, warn, () => missingProfile(globals.profile, io.env), globals.profile || io.env.AWS_PROFILE || undefined);
    deps.onApi?.(api);
    const envPoll = Number(io.env.CDK_DELIVERY_POLL_INTERVAL_MS);
    const pollIntervalMs = deps.pollIntervalMs ?? (Number.isFinite(envPoll) && envPoll > 0 ? envPoll : 5000);
    return { api, io, pollIntervalMs, maxRefreshes: deps.maxRefreshes };
  };
  const run = <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) => async (...args: A) => {
    try {
      setExitCode(await fn(...args));
    } catch (e) {
      setExitCode(reportError(e, io));
    }
  };
  const format = (choices: string[]) => new Option('--format <format>', `output format: ${choices.join(', ')}`);

  program.command('plan')
    .description('Show each pipeline of a cloud assembly as a flow (offline)')
    .argument('[dir]', 'cloud assembly directory', 'cdk.out')
    .addOption(format(PLAN_FORMATS).default('text'))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--json', 'same as --format json')
    .addHelpText('after', examples('cdk-delivery plan', 'cdk-delivery plan cdk.out --format mermaid', 'cdk-delivery plan --format html --out plan.html'))
    .action(run((dir: string, opts: { format: string; out?: string; json?: boolean }) => planCommand(io, { dir, ...opts })));

  program.command('diff')
    .description('Show what a change does to the delivery process: the plans of two cloud assemblies compared, risks marked (offline)')
    .argument('<before>', "cloud assembly directory, or a file written by 'cdk-delivery plan --format json'")
    .argument('<after>', "cloud assembly directory, or a file written by 'cdk-delivery plan --format json'")
    .addOption(format(DIFF_FORMATS).default('text'))
    .option('--json', 'same as --format json')
    .option('--fail-on-risk', 'exit 1 when a change weakens the release\'s safety (a risk, marked !)')
    .addHelpText('after', `${examples('cdk-delivery diff cdk.out.main cdk.out', 'cdk-delivery diff cdk.out.main cdk.out --fail-on-risk',
      'cdk-delivery plan --format json --out plan-main.json && cdk-delivery diff plan-main.json cdk.out --json')}

Pipelines are matched by construct path; one renamed or moved is paired with the one it replaces by
its pipeline name, or as the only one removed from and added to its stack. A side without a pipeline
(main before the first one) has none: the other side's are listed as added or removed.
A change is a risk (marked !) when:
${Object.values(RISK_RULES).map((rule) => `  - ${rule}`).join('\n')}`)
    .action(run((before: string, after: string, opts: { format: string; json?: boolean; failOnRisk?: boolean }) =>
      diffCommand(io, { before, after, ...opts })));

  program.command('status')
    .description('Show what each environment runs, what is in progress, pending approvals and last failures')
    // optional for commander only: `status --watch shop-pipeline` gives the name to --watch's optional seconds
    .argument('[pipeline]', 'pipeline name')
    .usage('[options] <pipeline>')
    .option('--watch [seconds]', 'refresh every N seconds (default 10)')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('cdk-delivery status shop-pipeline', 'cdk-delivery status shop-pipeline --watch 30', 'cdk-delivery status shop-pipeline --json'))
    .action(run((pipeline: string | undefined, opts: { watch?: string | boolean; json?: boolean }, cmd: Command) => {
      let watch = opts.watch;
      if (pipeline === undefined && typeof watch === 'string' && !/^\d+$/.test(watch)) {
        // `status --watch shop-pipeline`: the name, then the default interval
        pipeline = watch;
        watch = true;
      }
      if (pipeline === undefined && typeof watch === 'string') {
        // `status --watch 12345`: the seconds, or a pipeline whose name is all digits (CodePipeline allows it)
        throw usageError(`missing required argument 'pipeline' (--watch took '${watch}' as its seconds; `
          + `to watch a pipeline named ${watch}, put the name first: status ${watch} --watch)`);
      }
      if (pipeline === undefined) throw usageError("missing required argument 'pipeline'");
      return statusCommand(context(cmd), { pipeline, json: opts.json, watch: parseSeconds(watch, '--watch') });
    }));

  for (const decision of ['Approved', 'Rejected'] as const) {
    const name = decision === 'Approved' ? 'approve' : 'reject';
    program.command(name)
      .description(`${decision === 'Approved' ? 'Approve' : 'Reject'} the approval waiting in an environment`)
      .argument('<pipeline>', 'pipeline name')
      .requiredOption('--env <name>', 'environment (stage) name')
      .option('--comment <text>', 'comment recorded with the answer')
      .option('--revision <id>', 'only if the approval is for this revision: commit, image digest or S3 version id (full or at least 4 characters)')
      .option('--execution <id>', 'only if the approval is for this pipeline execution')
      .option('--wait', 'follow the stage to its end; exit 0 only if it succeeds')
      .option('--timeout <duration>', TIMEOUT_HELP)
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--json', 'print JSON')
      .addHelpText('after', examples(
        `cdk-delivery ${name} shop-pipeline --env prod --revision 3f2a9c1 --comment "release 42"`,
        `cdk-delivery ${name} shop-pipeline --env prod --yes --wait --timeout 2h`))
      .action(run((pipeline: string, opts: AnswerFlags, cmd: Command) =>
        approveCommand(context(cmd), { pipeline, decision, ...opts, timeoutMs: parseTimeout(opts) })));
  }

  program.command('retry')
    .description('Retry the failed actions of an environment (RetryStageExecution, FAILED_ACTIONS), or all of them (--all-actions)')
    .argument('<pipeline>', 'pipeline name')
    .requiredOption('--env <name>', 'environment (stage) name')
    .option('--all-actions', 'run every action of the stage again, from its first (ALL_ACTIONS, the console\'s "Retry stage"); none may be in progress')
    .option('--wait', 'follow the stage to its end; exit 0 only if it succeeds')
    .option('--timeout <duration>', TIMEOUT_HELP)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .addHelpText('after', `${examples('cdk-delivery retry shop-pipeline --env staging', 'cdk-delivery retry shop-pipeline --env prod --all-actions --yes --wait --timeout 30m')}

retry deploys to the environment again: it shows the execution it retries and its revision and
asks first; without a terminal it needs --yes.`)
    .action(run((pipeline: string, opts: StageFlags & { allActions?: boolean; yes?: boolean }, cmd: Command) =>
      retryCommand(context(cmd), { pipeline, ...opts, timeoutMs: parseTimeout(opts) })));

  program.command('rollback')
    .description('Roll an environment back to its last successful execution (RollbackStage)')
    .argument('<pipeline>', 'pipeline name')
    .requiredOption('--env <name>', 'environment (stage) name')
    .option('--target-execution <id>', 'roll back to this execution instead')
    .option('--wait', 'follow the stage to its end; exit 0 only if it succeeds')
    .option('--timeout <duration>', TIMEOUT_HELP)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .addHelpText('after', `${examples('cdk-delivery rollback shop-pipeline --env prod',
      'cdk-delivery rollback shop-pipeline --env prod --target-execution 0a1b2c3d-... --yes --wait')}

rollback puts an earlier revision back into the environment: it names the revision the stage ran
last and the one it goes back to and asks first; without a terminal it needs --yes.`)
    .action(run((pipeline: string, opts: StageFlags & { targetExecution?: string; yes?: boolean }, cmd: Command) =>
      rollbackCommand(context(cmd), { pipeline, ...opts, timeoutMs: parseTimeout(opts) })));

  program.command('override')
    .description('Let a release through the condition checked in an environment (OverrideStageCondition): its deployment window, or the bake time')
    .argument('<pipeline>', 'pipeline name')
    .requiredOption('--env <name>', 'environment (stage) name')
    .option('--condition <kind>', 'entry (deployment window, entry alarms) or success (alarms watched after the deployments); default: the one being checked')
    .option('--execution <id>', 'only if the condition is checked for this pipeline execution')
    .option('--wait', 'follow the stage to its end; exit 0 only if it succeeds')
    .option('--timeout <duration>', TIMEOUT_HELP)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('cdk-delivery override shop-pipeline --env prod --wait', 'cdk-delivery override shop-pipeline --env prod --condition success --yes'))
    .action(run((pipeline: string, opts: StageFlags & { condition?: string; execution?: string; yes?: boolean }, cmd: Command) =>
      overrideCommand(context(cmd), { pipeline, ...opts, timeoutMs: parseTimeout(opts) })));

  program.command('freeze')
    .description('Freeze an environment: executions wait before it (DisableStageTransition, Inbound) until unfreeze')
    .argument('<pipeline>', 'pipeline name')
    .requiredOption('--env <name>', FREEZE_ENV_HELP)
    .requiredOption('--reason <text>', 'why, shown in the console and by status: 1-300 letters, digits, spaces and ! @ ( ) . * ? -')
    .option('--json', 'print JSON')
    .addHelpText('after', `${examples('cdk-delivery freeze shop-pipeline --env prod --reason "Change freeze until Jan 2 (see CAB-1234)"')}

Executions that reach the environment wait before it; those already in it go on. Freezing a frozen
environment again changes only its reason. On unfreeze, CodePipeline lets the latest waiting revision
in, unless the environment was frozen for more than 30 days.`)
    .action(run((pipeline: string, opts: { env: string; reason: string; json?: boolean }, cmd: Command) =>
      freezeCommand(context(cmd), { pipeline, ...opts })));

  program.command('unfreeze')
    .description('Unfreeze an environment (EnableStageTransition, Inbound): the latest waiting revision enters it')
    .argument('<pipeline>', 'pipeline name')
    .requiredOption('--env <name>', FREEZE_ENV_HELP)
    .option('--json', 'print JSON')
    .addHelpText('after', examples('cdk-delivery unfreeze shop-pipeline --env prod'))
    .action(run((pipeline: string, opts: { env: string; json?: boolean }, cmd: Command) =>
      unfreezeCommand(context(cmd), { pipeline, ...opts })));

  program.command('start')
    .description('Start a release: run the latest source revision, or the one given, through the pipeline (StartPipelineExecution)')
    .argument('<pipeline>', 'pipeline name')
    .option('--revision <id>', 'run this revision: a full commit id, a full image digest (sha256:...) or an S3 object version id; '
      + '<source>=<id> for an additional source (repeat the option for each source)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--wait', 'follow the execution to its end; exit 0 only if it succeeds')
    .option('--timeout <duration>', EXECUTION_TIMEOUT_HELP)
    .option('--json', 'print JSON')
    .addHelpText('after', `${examples('cdk-delivery start shop-pipeline',
      'cdk-delivery start shop-pipeline --revision 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 --wait --timeout 2h',
      'cdk-delivery start shop-pipeline --revision 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 --revision Config=9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c')}

start asks nothing: the execution passes every gate of the pipeline (approvals, deployment windows,
alarms), so nothing reaches an environment without passing them.`)
    .action(run((pipeline: string, opts: { revision?: string[]; wait?: boolean; timeout?: string; json?: boolean }, cmd: Command) =>
      startCommand(context(cmd), { pipeline, ...opts, timeoutMs: parseTimeout(opts) })));

  program.command('stop')
    .description('Stop a running execution (StopPipelineExecution): by default its in-progress actions finish, nothing new starts')
    .argument('<pipeline>', 'pipeline name')
    .option('--execution <id>', 'the execution to stop (default: the one in progress; required when several are)')
    .option('--abandon', 'abandon the in-progress actions instead of letting them finish (a deployment may stop half done)')
    .option('--reason <text>', 'why, recorded with the execution (at most 200 characters; '
      + 'default: "Stopped with cdk-delivery", with --abandon "Stopped with cdk-delivery (abandon)")')
    .option('--wait', 'follow the execution until it is stopped; exit 0 only then')
    .option('--timeout <duration>', EXECUTION_TIMEOUT_HELP)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('cdk-delivery stop shop-pipeline --reason "bad release 42" --yes --wait',
      'cdk-delivery stop shop-pipeline --execution 0a1b2c3d-... --abandon --yes'))
    .action(run((pipeline: string, opts: {
      execution?: string;
      abandon?: boolean;
      reason?: string;
      wait?: boolean;
      timeout?: string;
      yes?: boolean;
      json?: boolean;
    }, cmd: Command) =>
      stopCommand(context(cmd), { pipeline, ...opts, timeoutMs: parseTimeout(opts) })));

  program.command('history')
    .description('List executions with revision, trigger, duration, result and approval answers')
    .argument('<pipeline>', 'pipeline name')
    .option('--since <duration>', 'how far back, e.g. 12h, 30d, 2w (at most 400d)', '30d')
    .option('--env <name>', 'only executions that reached this environment')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('cdk-delivery history shop-pipeline --since 7d', 'cdk-delivery history shop-pipeline --env prod --json'))
    .action(run((pipeline: string, opts: { since: string; env?: string; json?: boolean }, cmd: Command) =>
      historyCommand(context(cmd), { pipeline, ...opts })));

  program.command('metrics')
    .description('The four DORA keys per environment: deployment frequency, lead time, change failure rate, time to restore')
    .argument('<pipeline...>', 'pipeline names')
    .option('--since <duration>', 'how far back, e.g. 30d, 12w (at most 400d)', '30d')
    .option('--env <name>', 'only this environment')
    .addOption(format(METRICS_FORMATS).default('text'))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--json', 'same as --format json')
    .addHelpText('after', examples('cdk-delivery metrics shop-pipeline --env prod', 'cdk-delivery metrics shop-pipeline billing-pipeline --since 90d --format html --out dora.html'))
    .action(run((pipelines: string[], opts: { since: string; env?: string; format: string; out?: string; json?: boolean }, cmd: Command) =>
      metricsCommand(context(cmd), { pipelines, ...opts })));

  // `<command> --help` lists the exit codes too, after the command's examples
  for (const command of program.commands) command.addHelpText('after', EXIT_CODES_HELP);
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let exitCode: number = ExitCode.OK;
  const program = buildProgram(deps, (code) => { exitCode = code; });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    return reportError(e, deps.io);
  }
  return exitCode;
}
