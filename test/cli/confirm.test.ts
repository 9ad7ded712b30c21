import { PassThrough } from 'stream';
import { askYesNo } from '../../src/cli/io';

/** A terminal: readline reads keys one by one (Ctrl-C is a key, not a signal) and echoes them. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  let written = '';
  output.on('data', (chunk: Buffer) => { written += chunk.toString(); });
  return { input, output, written: () => written };
}

/** A pipe: readline reads lines. */
function pipe() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => { written += chunk.toString(); });
  return { input, output, written: () => written };
}

describe('askYesNo (the [y/N] question of approve, reject, override, retry, rollback and stop)', () => {
  test.each([['y\n', true], ['YES\n', true], [' yes \n', true], ['n\n', false], ['\n', false], ['yep\n', false]])(
    'answer %j: %s', async (typed, expected) => {
      const t = pipe();
      const answer = askYesNo('Approve 3f2a9c1 into prod?', t.input, t.output);
      t.input.write(typed);
      await expect(answer).resolves.toBe(expected);
      expect(t.written()).toContain('Approve 3f2a9c1 into prod? [y/N] ');
    });

  test('the input ends before an answer (Ctrl-D): no, on a new line', async () => {
    const t = pipe();
    const answer = askYesNo('Stop execution exec-3?', t.input, t.output);
    t.input.end();
    await expect(answer).resolves.toBe(false);
    expect(t.written()).toBe('Stop execution exec-3? [y/N] \n');
  });

  test('Ctrl-D on a terminal: no', async () => {
    const t = terminal();
    const answer = askYesNo('Approve 3f2a9c1 into prod?', t.input, t.output);
    t.input.write('\x04');
    await expect(answer).resolves.toBe(false);
    expect(t.written()).toMatch(/Approve 3f2a9c1 into prod\? \[y\/N\] [^]*\n$/);
  });

  test('Ctrl-C on a terminal: no, on a new line', async () => {
    const t = terminal();
    const answer = askYesNo('Approve 3f2a9c1 into prod?', t.input, t.output);
    t.input.write('y');
    t.input.write('\x03');
    await expect(answer).resolves.toBe(false);
    expect(t.written()).toMatch(/Approve 3f2a9c1 into prod\? \[y\/N\] [^]*\n$/);
  });

  test('y typed on a terminal then Enter: yes', async () => {
    const t = terminal();
    const answer = askYesNo('Approve 3f2a9c1 into prod?', t.input, t.output);
    t.input.write('y\r');
    await expect(answer).resolves.toBe(true);
  });
});
