import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { cli } from '../cli/helpers';

/*
 * Property: whatever arguments a person types, the CLI ends with a documented exit code (0-7)
 * and at most one line on stderr, never a stack trace. AWS answers "pipeline not found" to
 * everything, so no command can succeed against real state.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : (process.env.FUZZ_RUNS ? undefined : 20261122);

const codepipeline = mockClient(CodePipelineClient);
const codedeploy = mockClient(CodeDeployClient);

const word = fc.oneof(
  fc.constantFrom('plan', 'status', 'approve', 'reject', 'retry', 'rollback', 'history', 'metrics', 'help', 'deploy'),
  fc.constantFrom('--env', '--since', '--format', '--json', '--yes', '--wait', '--revision', '--execution', '--comment', '--out', '--region', '--watch', '--unknown', '-x', '--target-execution'),
  fc.constantFrom('prod', 'shop pipeline', 'shop-delivery', '30d', '3x', '-1d', 'html', 'yaml', 'abc', '', 'a'.repeat(120), 'eu-west-1', '/nonexistent/cdk.out'),
  fc.string({ maxLength: 12 }),
);

beforeEach(() => {
  codepipeline.reset();
  codedeploy.reset();
  codepipeline.onAnyCommand().rejects(new PipelineNotFoundException({ message: 'The account with id 111111111111 does not include a pipeline with the name x', $metadata: {} }));
  codedeploy.onAnyCommand().rejects(new Error('not expected'));
});

describe('fuzzing the CLI arguments', () => {
  test(`any argument list ends in a documented exit code and one line of error (${RUNS} cases)`, async () => {
    await fc.assert(fc.asyncProperty(fc.array(word, { maxLength: 6 }), async (argv) => {
      const result = await cli(argv);
      expect(result.code).toBeGreaterThanOrEqual(0);
      expect(result.code).toBeLessThanOrEqual(7);
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      // an error is one line (plus commander's "see --help" hint); only the usage text may be longer
      if (result.code !== 0 && !/Usage: cdk-delivery/.test(result.stderr)) {
        expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
      }
    }), { numRuns: RUNS, seed: SEED });
  });

  test.each([
    [['history', 'shop', '--since', '3x'], 2],
    [['status', 'shop pipeline'], 2],
    [['plan', 'cdk.out', '--format', 'yaml'], 2],
    [['status', 'shop', '--unknown'], 2],
    [['deploy', 'shop'], 2],
  ])('%j exits with the usage code %d', async (argv, code) => {
    const result = await cli(argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
