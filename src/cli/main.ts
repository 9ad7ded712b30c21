#!/usr/bin/env node
/**
 * Entry point of the `cdk-delivery` command (package.json `bin`). All logic lives in program.ts
 * and commands/, which take injected clients and streams so that they can be tested.
 */
import { processIo } from './io';
import { reportError, runCli } from './program';

// The AWS SDK warns about Node.js versions on stderr; keep the CLI's stderr to its own one-line messages.
process.removeAllListeners('warning');
process.on('warning', (warning: Error) => {
  const text = `${warning.name}: ${warning.message}`;
  if (!text.includes('NodeVersionSupportWarning') && warning.name !== 'DeprecationWarning') {
    process.stderr.write(`${text.replace(/\s+/g, ' ')}\n`);
  }
});

// A reader that stops early (`cdk-delivery plan | head`) closes the pipe: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(0);
  }
  process.stderr.write(`cdk-delivery: cannot write to stdout: ${error.message.replace(/\s+/g, ' ')}\n`);
  process.exit(1);
});

const io = processIo();
runCli(process.argv.slice(2), { io }).then(
  (code) => { process.exitCode = code; },
  (error) => { process.exitCode = reportError(error, io); },
);
