import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ActionExecutionDetail, CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CliIo } from '../../src/cli/io';
import { CliDeps, runCli } from '../../src/cli/program';

/** "Now" in every unit test. */
export const NOW = new Date('2026-11-20T12:00:00Z');

export function minutesAgo(minutes: number): Date {
  return new Date(NOW.getTime() - minutes * 60_000);
}

/**
 * An action execution of execution `executionId` that ran from `start` to `end` minutes ago
 * (Succeeded unless `extra` says otherwise); a `Deploy` action is CloudFormation's.
 */
export function actionExecution(
  executionId: string, stage: string, name: string, category: string, start: number, end: number, extra: Partial<ActionExecutionDetail> = {},
): ActionExecutionDetail {
  return {
    pipelineExecutionId: executionId,
    stageName: stage,
    actionName: name,
    status: 'Succeeded',
    startTime: minutesAgo(start),
    lastUpdateTime: minutesAgo(end),
    input: { actionTypeId: { category: category as 'Deploy', owner: 'AWS', provider: category === 'Deploy' ? 'CloudFormation' : 'x', version: '1' } },
    ...extra,
  };
}

export interface TestIoOptions {
  readonly stdinIsTTY?: boolean;
  readonly stdoutIsTTY?: boolean;
  readonly stderrIsTTY?: boolean;
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly env?: Record<string, string | undefined>;
  /** `now()` moves on by every `sleep()` (for timeouts); otherwise it stays at NOW. */
  readonly clockFollowsSleeps?: boolean;
  /** The first `sleep()` is interrupted (Ctrl-C): the interrupt handlers run, then the process "exits" (sleep throws). */
  readonly interruptOnSleep?: boolean;
}

export interface TestIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
  readonly files: Map<string, string>;
  readonly sleeps: number[];
  readonly questions: string[];
  /** Interrupt handlers registered and not removed. */
  readonly interruptHandlers: Set<() => void>;
}

export function testIo(options: TestIoOptions = {}): TestIo {
  let out = '';
  let err = '';
  const files = new Map<string, string>();
  const sleeps: number[] = [];
  const questions: string[] = [];
  let clock = NOW.getTime();
  const interruptHandlers = new Set<() => void>();
  return {
    stdout: { write: (s: string) => { out += s; }, isTTY: options.stdoutIsTTY ?? false },
    stderr: {
      write: (s: string) => { err += s; },
      isTTY: options.stderrIsTTY ?? false,
      // what a terminal stream offers (ora uses these on a TTY)
      clearLine: () => true,
      cursorTo: () => true,
      moveCursor: () => true,
      columns: 100,
    } as CliIo['stderr'],
    stdinIsTTY: options.stdinIsTTY ?? false,
    env: options.env ?? {},
    confirm: async (q: string) => {
      questions.push(q);
      return options.confirm ? options.confirm(q) : false;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      if (options.interruptOnSleep) {
        interruptHandlers.forEach((h) => h());
        throw new Error('process exited with 130');
      }
      if (options.clockFollowsSleeps) clock += ms;
    },
    now: () => new Date(clock),
    writeFile: (path: string, content: string) => { files.set(path, content); },
    onInterrupt: (handler: () => void) => {
      interruptHandlers.add(handler);
      return () => { interruptHandlers.delete(handler); };
    },
    out: () => out,
    err: () => err,
    files,
    sleeps,
    questions,
    interruptHandlers,
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly io: TestIo;
}

/** Real SDK clients (region and fake static credentials), to be stubbed by aws-sdk-client-mock. */
export function testClients() {
  const config = { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  return { codepipeline: new CodePipelineClient(config), codedeploy: new CodeDeployClient(config) };
}

/** Runs the CLI in-process. */
export async function cli(argv: string[], ioOptions: TestIoOptions = {}, deps: Partial<CliDeps> = {}): Promise<CliResult> {
  const io = testIo(ioOptions);
  const code = await runCli(argv, { io, createClients: testClients, pollIntervalMs: 1, ...deps });
  return { code, stdout: io.out(), stderr: io.err(), io };
}

/** An AWS-SDK-shaped error (for errors the service models do not export, such as ThrottlingException). */
export function awsError(name: string, message: string, httpStatusCode = 400, attempts = 1): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode, attempts }, $fault: httpStatusCode >= 500 ? 'server' : 'client' });
}
