import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CodePipelineClient, GetPipelineStateCommand, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, cli } from './helpers';
import { createClients, DEFAULT_MAX_ATTEMPTS, missingProfile, sdkWarning, unsetEmptyAwsSettings } from '../../src/cli/aws';
import { formatDuration, parseDuration } from '../../src/cli/duration';
import { ExitCode, fromAwsError } from '../../src/cli/errors';
import { packageVersion } from '../../src/cli/program';

const ctx = { service: 'codepipeline', operation: 'GetPipelineState', pipeline: 'shop' };

describe('fromAwsError', () => {
  test.each([
    [new PipelineNotFoundException({ message: 'x', $metadata: {} }), ExitCode.NOT_FOUND, "pipeline 'shop' not found"],
    [awsError('StageNotFoundException', 'x'), ExitCode.NOT_FOUND, "environment '?' not found"],
    [awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/u is not authorized\nto perform'), ExitCode.ACCESS_DENIED, 'needs the IAM permission codepipeline:GetPipelineState'],
    [awsError('ThrottlingException', 'Rate exceeded', 400, 6), ExitCode.THROTTLED, 'still throttled after 6 attempts'],
    [awsError('InternalFailure', 'boom', 500, 6), ExitCode.THROTTLED, 'failed with HTTP 500 after 6 attempts'],
    [awsError('InvalidApprovalTokenException', 'x'), ExitCode.APPROVAL_ANSWERED, 'approval token is no longer valid'],
    [awsError('ApprovalAlreadyCompletedException', 'x'), ExitCode.APPROVAL_ANSWERED, 'already answered'],
    [awsError('CredentialsProviderError', 'Could not load credentials from any providers'), ExitCode.NO_CREDENTIALS, 'no AWS credentials'],
    [new Error('Region is missing'), ExitCode.NO_CREDENTIALS, 'no AWS region'],
    [new Error('Region not accepted: region="" is not a valid hostname component.'), ExitCode.NO_CREDENTIALS,
      'no AWS region: pass --region, set AWS_REGION, or set a region in your profile'],
    [new Error('Region not accepted: region="eu_west_1" is not a valid hostname component.'), ExitCode.NO_CREDENTIALS,
      "AWS region not accepted: 'eu_west_1' is not a region name (such as eu-west-1); check --region, AWS_REGION and the region of your profile"],
    [awsError('ValidationException', 'bad name'), ExitCode.USAGE, 'rejected the request: bad name'],
    [new Error('connect ECONNREFUSED 127.0.0.1:9'), ExitCode.THROTTLED, 'cannot reach the codepipeline endpoint'],
    [awsError('SomethingNew', 'odd'), ExitCode.FAILED, 'GetPipelineState failed'],
  ])('%s -> exit %s', (error, code, text) => {
    const e = fromAwsError(error, ctx);
    expect(e.exitCode).toBe(code);
    expect(e.message).toContain(text);
    expect(e.message).not.toContain('\n');
  });
});

describe('durations', () => {
  test('parses and formats', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('3x')).toThrow("--since: invalid duration '3x'");
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(125 * 60_000)).toBe('2h 05m');
    expect(formatDuration(50 * 3_600_000)).toBe('2d 2h');
    expect(formatDuration(undefined)).toBe('—');
  });
});

describe('clients', () => {
  test('AWS settings set but empty or blank are unset before the SDK reads them; others are kept', () => {
    const env: Record<string, string | undefined> = {
      AWS_REGION: '', AWS_DEFAULT_REGION: ' ', AWS_PROFILE: '', AWS_ENDPOINT_URL: '', AWS_CONFIG_FILE: '/c', HOME: '', OTHER_AWS_REGION: '',
    };
    createClients({ region: 'eu-central-1' }, env);
    expect(env).toEqual({ AWS_CONFIG_FILE: '/c', HOME: '', OTHER_AWS_REGION: '' });
    expect(unsetEmptyAwsSettings({ AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '\t' })).toEqual(['AWS_MAX_ATTEMPTS']);
  });

  test('use adaptive retries, the region and maxAttempts from AWS_MAX_ATTEMPTS', async () => {
    const c = createClients({ region: 'eu-central-1' }, { AWS_MAX_ATTEMPTS: '2' });
    expect(await c.codepipeline.config.region()).toBe('eu-central-1');
    expect(await c.codedeploy.config.region()).toBe('eu-central-1');
    expect(await c.codepipeline.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await c.codepipeline.config.maxAttempts()).toBe(2);
    const d = createClients({ region: 'eu-central-1' }, {});
    expect(await d.codepipeline.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
  });
});

describe('command line', () => {
  const cp = mockClient(CodePipelineClient);
  beforeEach(() => {
    cp.reset();
    cp.on(GetPipelineStateCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400, 6));
  });
  afterAll(() => cp.restore());

  test('--help lists the commands and the exit codes; exit 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['plan', 'status', 'approve', 'reject', 'retry', 'rollback', 'freeze', 'unfreeze', 'start', 'stop', 'history', 'metrics']) {
      expect(r.stdout).toContain(`\n  ${c} [options]`);
    }
    expect(r.stdout).toContain('7  approval token expired or approval already answered; stop: the execution is already being stopped');
  });

  test('--help lists each command with its arguments, as its own usage says them (regression: status [pipeline], which it requires)', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('Commands:');
    const to = lines.indexOf('', from);
    expect(from).toBeGreaterThan(0);
    // the term, up to the two spaces before the description (a long description wraps onto lines that start with spaces)
    const terms = lines.slice(from + 1, to).filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/ {2,}/)[0]);
    expect(terms).toEqual([
      'plan [options] [dir]',
      'diff [options] <before> <after>',
      'status [options] <pipeline>',
      'approve [options] <pipeline>',
      'reject [options] <pipeline>',
      'retry [options] <pipeline>',
      'rollback [options] <pipeline>',
      'override [options] <pipeline>',
      'freeze [options] <pipeline>',
      'unfreeze [options] <pipeline>',
      'start [options] <pipeline>',
      'stop [options] <pipeline>',
      'history [options] <pipeline>',
      'metrics [options] <pipeline...>',
      'help [command]',
    ]);
  });

  test('--help lists every exit code, 8 included (regression: stopped at 7)', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const from = lines.indexOf('Exit codes:');
    expect(lines.slice(from + 1, from + 10).map((l) => l.slice(0, 4))).toEqual(['  0 ', '  1 ', '  2 ', '  3 ', '  4 ', '  5 ', '  6 ', '  7 ', '  8 ']);
    expect(lines[from + 9]).toBe('  8  --wait --timeout ran out while the stage (execution) was still running (it goes on in CodePipeline)');
    expect(lines[from + 10]).toBe('  130  --wait interrupted with Ctrl-C (what was done stays done; the stage or execution goes on in CodePipeline)');
    expect(lines[from + 11]).toBe('');
    // the codes the help lists are the codes the CLI has
    expect(Object.values(ExitCode).filter((v) => typeof v === 'number')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 130]);
  });

  test.each([
    [['status', 'shop', '--bogus'], "cdk-delivery: unknown option '--bogus'\n"],
    [['deploy', 'shop'], "cdk-delivery: unknown command 'deploy'\n"],
    [['status'], "cdk-delivery: missing required argument 'pipeline'\n"],
    [['approve', 'shop'], "cdk-delivery: required option '--env <name>' not specified\n"],
    [['history', 'shop', '--since'], "cdk-delivery: option '--since <duration>' argument missing\n"],
  ])('commander\'s usage errors carry the cdk-delivery: prefix and exit 2 (regression: "error: "): %j', async (argv, stderr) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });

  test('command --help shows examples', async () => {
    const r = await cli(['approve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('$ cdk-delivery approve shop-pipeline --env prod --revision 3f2a9c1');
  });

  test.each([
    ['freeze', '$ cdk-delivery freeze shop-pipeline --env prod --reason "Change freeze until Jan 2 (see CAB-1234)"'],
    ['unfreeze', '$ cdk-delivery unfreeze shop-pipeline --env prod'],
    ['start', '$ cdk-delivery start shop-pipeline --revision 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 --wait --timeout 2h'],
    ['stop', '$ cdk-delivery stop shop-pipeline --reason "bad release 42" --yes --wait'],
    ['status', '$ cdk-delivery status shop-pipeline --watch 30'],
  ])('%s --help lists its options, examples and the exit codes (regression: the exit codes only after the program\'s help)', async (command, example) => {
    const r = await cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: cdk-delivery ${command} [options] <pipeline>`);
    expect(r.stdout).toContain(example);
    expect(r.stdout).toContain('\nExit codes:\n  0  success\n');
    expect(r.stdout).toContain('  7  approval token expired or approval already answered; stop: the execution is already being stopped\n');
  });

  test('stop --help says what stop and wait and --abandon do', async () => {
    const r = await cli(['stop', '--help']);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Stop a running execution (StopPipelineExecution): by default its in-progress actions finish, nothing new starts');
    expect(text).toContain('--abandon abandon the in-progress actions instead of letting them finish (a deployment may stop half done)');
  });

  test.each([
    [['status', 'shop', '--bogus'], "unknown option '--bogus'"],
    [['deploy', 'shop'], "unknown command 'deploy'"],
    [['status'], "missing required argument 'pipeline'"],
    [['status', 'shop/pipeline'], "invalid pipeline name 'shop/pipeline'"],
    [['approve', 'shop', '--env', 'pro d', '--yes'], "invalid environment name (--env) 'pro d'"],
    [['approve', 'shop', '--env', 'prod', '--revision', 'abcd', '--execution', 'e1'], 'use either --revision or --execution'],
    [['metrics', 'shop', '--since', '3x'], "invalid duration '3x'"],
  ])('exit 2 for %j', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(cp.calls()).toHaveLength(0);
  });

  test('no command prints the help on stderr and exits 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: cdk-delivery');
  });

  test('throttling after the retries exits 5 with one line', async () => {
    const r = await cli(['approve', 'shop', '--env', 'prod', '--yes']);
    expect(r.code).toBe(5);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: 'shop' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('--region and --profile reach the clients', async () => {
    const seen: unknown[] = [];
    await cli(['--region', 'ap-south-1', '--profile', 'ops', 'status', 'shop'], {}, {
      createClients: (options) => {
        seen.push(options);
        return createClients({ region: 'eu-west-1' }, {});
      },
    });
    expect(seen).toEqual([{ region: 'ap-south-1', profile: 'ops' }]);
  });

  test.each([
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['ExpiredToken', 'The provided token has expired.'],
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'],
    ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
  ])('%s exits 6 asking for new credentials, not for an IAM permission', async (name, message) => {
    cp.on(GetPipelineStateCommand).rejects(awsError(name, message, name === 'InvalidClientTokenId' ? 403 : 400));
    const r = await cli(['status', 'shop']);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(`cdk-delivery: AWS credentials expired or invalid: codepipeline refused them for GetPipelineState (${name}); `
      + 'renew them (for SSO: aws sso login), or check AWS_PROFILE / --profile\n');
  });
});

describe('packageVersion', () => {
  const tree = (files: Record<string, unknown>) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-version-'));
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return root;
  };

  test('the installed layout: lib/cli under node_modules/cdk-delivery-pipeline, an application package.json above', () => {
    const root = tree({
      'package.json': { name: 'my-app', version: '9.9.9' },
      'node_modules/cdk-delivery-pipeline/package.json': { name: 'cdk-delivery-pipeline', version: '1.4.2' },
      'node_modules/cdk-delivery-pipeline/lib/cli/program.js': '',
    });
    expect(packageVersion(path.join(root, 'node_modules', 'cdk-delivery-pipeline', 'lib', 'cli'))).toBe('1.4.2');
  });

  test('the repository layout (src/cli) gives the version of the repository package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(packageVersion(path.join(__dirname, '..', '..', 'src', 'cli'))).toBe(pkg.version);
  });

  test('"unknown" when no package.json of cdk-delivery-pipeline is above (another package, a broken file)', () => {
    const root = tree({ 'package.json': { name: 'my-app', version: '9.9.9' }, 'a/package.json': '{ not json', 'a/b/c/.keep': '' });
    expect(packageVersion(path.join(root, 'a', 'b', 'c'))).toBe('unknown');
  });
});

describe('AWS profiles and SDK warnings', () => {
  const shared = (config: string, credentials?: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-delivery-profiles-'));
    fs.writeFileSync(path.join(dir, 'config'), config);
    if (credentials !== undefined) fs.writeFileSync(path.join(dir, 'credentials'), credentials);
    return { HOME: dir, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') };
  };
  const config = '[default]\nregion = eu-west-1\n[profile ops]\nregion = eu-west-1\n[sso-session corp]\nsso_region = eu-west-1\n[profile  spaced ] # comment\n';

  test('a profile in neither shared file: one line naming the files and the profiles there', () => {
    const env = shared(config, '[ci]\naws_access_key_id = a\n');
    expect(missingProfile('nope', env)).toBe(`AWS profile 'nope' (--profile) not found in ${env.AWS_CONFIG_FILE} or ${env.AWS_SHARED_CREDENTIALS_FILE}; profiles there: default, ops, spaced, ci`);
    expect(missingProfile(undefined, { ...env, AWS_PROFILE: 'nope' })).toContain("AWS profile 'nope' (AWS_PROFILE) not found");
    expect(missingProfile(undefined, { ...env, AWS_PROFILE: 'nope', AWS_CONFIG_FILE: path.join(env.HOME, 'none') })).toContain('profiles there: ci');
  });

  test('no answer when the profile exists, none is selected, or a file cannot be read', () => {
    const env = shared(config, '[ci]\n');
    for (const name of ['default', 'ops', 'spaced', 'ci']) expect(missingProfile(name, env)).toBeUndefined();
    expect(missingProfile(undefined, env)).toBeUndefined();
    expect(missingProfile('corp', env)).toContain("AWS profile 'corp'");
    // a directory where the credentials file should be: unreadable, so no claim about the profile
    expect(missingProfile('nope', { ...env, AWS_SHARED_CREDENTIALS_FILE: env.HOME })).toBeUndefined();
  });

  test('fromAwsError: missing credentials or region with a missing profile says the profile is not found (exit 6)', () => {
    const noCredentials = awsError('CredentialsProviderError', 'Could not load credentials from any providers');
    const missing = () => "AWS profile 'nope' (--profile) not found in c or k; profiles there: default";
    for (const error of [noCredentials, new Error('Region is missing')]) {
      const e = fromAwsError(error, { ...ctx, missingProfile: missing });
      expect(e.exitCode).toBe(ExitCode.NO_CREDENTIALS);
      expect(e.message).toBe("AWS profile 'nope' (--profile) not found in c or k; profiles there: default; check --profile and AWS_PROFILE");
    }
    // the SDK's own wording, when it gives one
    const sdk = fromAwsError(awsError('CredentialsProviderError', 'Profile nope could not be found in shared credentials file.'), ctx);
    expect(sdk.message).toBe('Profile nope could not be found in shared credentials file; check --profile and AWS_PROFILE');
    // the profile exists: the usual message
    expect(fromAwsError(noCredentials, { ...ctx, missingProfile: () => undefined }).message).toMatch(/^no AWS credentials: /);
  });

  test('the SDK\'s warning about two credential sources becomes one line; other warnings are collapsed to one line', () => {
    const sdk = `@aws-sdk/credential-provider-node - defaultProvider::fromEnv WARNING:
    Multiple credential sources detected:
    Both AWS_PROFILE and the pair AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY static credentials are set.
    This SDK will proceed with the AWS_PROFILE value.
`;
    expect(sdkWarning(sdk)).toBe('both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set; the profile is used (set only one of them)');
    expect(sdkWarning('clock skew\n  corrected')).toBe('clock skew corrected');
  });

  test('the clients send the SDK\'s warnings to the CLI, and not its per-request logs', () => {
    const warnings: string[] = [];
    const clients = createClients({ region: 'eu-west-1' }, {}, (m) => warnings.push(m));
    const logger = clients.codepipeline.config.logger;
    logger.info({ clientName: 'CodePipelineClient' });
    logger.error({ error: new Error('x') });
    logger.debug('d');
    logger.warn('Multiple credential sources detected: ...');
    expect(warnings).toEqual(['both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set; the profile is used (set only one of them)']);
    expect(clients.codedeploy.config.logger).toBe(clients.codepipeline.config.logger);
  });
});
