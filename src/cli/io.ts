import * as fs from 'fs';
import * as readline from 'readline';
import { CliError, ExitCode } from './errors';

/** A place to write text (process.stdout or a test buffer). */
export interface OutStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

/** Everything a command needs from its surroundings, injected so that tests control it. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** True when a person can answer questions on stdin. */
  readonly stdinIsTTY: boolean;
  readonly env: Record<string, string | undefined>;
  /** Asks a yes/no question (only called when stdinIsTTY). */
  confirm(question: string): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  now(): Date;
  writeFile(path: string, content: string): void;
  /**
   * Runs `handler` when the user interrupts the command (Ctrl-C), before it exits with
   * ExitCode.INTERRUPTED; returns a function that removes the handler.
   */
  onInterrupt?(handler: () => void): () => void;
}

/** The real terminal. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    confirm: (question: string) => askYesNo(question, process.stdin, process.stderr),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
    writeFile: (path: string, content: string) => fs.writeFileSync(path, content),
    onInterrupt: (handler: () => void) => {
      const listener = () => {
        handler();
        process.exit(ExitCode.INTERRUPTED);
      };
      process.once('SIGINT', listener);
      return () => { process.removeListener('SIGINT', listener); };
    },
  };
}

/**
 * Asks `question [y/N]` on `output` and reads the answer from `input`: `y` or `yes` (any case) is
 * yes, anything else no. Ctrl-C (readline's SIGINT) and Ctrl-D or the end of the input (readline
 * closes) before an answer are no as well, after a line break: the question is always answered.
 */
export function askYesNo(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const rl = readline.createInterface({ input, output });
    let answered = false;
    const answer = (yes: boolean) => {
      if (answered) return;
      answered = true;
      resolve(yes);
      rl.close();
    };
    rl.on('SIGINT', () => {
      output.write('\n');
      answer(false);
    });
    rl.on('close', () => {
      if (!answered) output.write('\n');
      answer(false);
    });
    rl.question(`${question} [y/N] `, (reply) => answer(/^y(es)?$/i.test(reply.trim())));
  });
}

/** Whether to use colors on this stream (TTY and NO_COLOR unset). */
export function useColor(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

/**
 * Writes `--out <file>`: a file that cannot be written (no such directory, a directory, no
 * permission) is a one-line usage error, not an unexpected one.
 */
export function writeOutFile(io: CliIo, file: string, content: string): void {
  try {
    io.writeFile(file, content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its directory does not exist'
      : code === 'EISDIR' ? 'it is a directory'
        : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
          : code === 'ENOTDIR' ? 'a part of its path is not a directory'
            : (e as Error).message;
    throw new CliError(`--out: cannot write '${file}': ${why}`, ExitCode.USAGE);
  }
}

export function println(stream: OutStream, line = ''): void {
  stream.write(line + '\n');
}
