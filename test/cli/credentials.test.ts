import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { awsError, cli } from './helpers';

// No aws-sdk-client-mock in this file: the real SDK middleware resolves the region and credentials.
describe('without credentials or region (real clients, no mock)', () => {
  test('exit 6 and one line when no region is configured', async () => {
    const r = await cli(['status', 'shop'], {}, {
      createClients: () => ({
        codepipeline: new CodePipelineClient({ region: undefined, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
        codedeploy: new CodeDeployClient({ region: undefined, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      }),
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('cdk-delivery: no AWS region: pass --region, set AWS_REGION, or set a region in your profile\n');
  });

  test('exit 6 and one line when no credentials can be found', async () => {
    const noCredentials = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const r = await cli(['status', 'shop'], {}, {
      createClients: () => ({
        codepipeline: new CodePipelineClient({ region: 'eu-west-1', credentials: noCredentials, maxAttempts: 1 }),
        codedeploy: new CodeDeployClient({ region: 'eu-west-1', credentials: noCredentials, maxAttempts: 1 }),
      }),
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^cdk-delivery: no AWS credentials: set AWS_PROFILE or --profile/);
  });

  test('exit 6 naming the expired SSO session and aws sso login, not "no AWS credentials" (regression: the SDK\'s reason was lost)', async () => {
    const expired = async () => {
      throw Object.assign(new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'),
        { name: 'CredentialsProviderError' });
    };
    const r = await cli(['status', 'shop'], {}, {
      createClients: () => ({
        codepipeline: new CodePipelineClient({ region: 'eu-west-1', credentials: expired, maxAttempts: 1 }),
        codedeploy: new CodeDeployClient({ region: 'eu-west-1', credentials: expired, maxAttempts: 1 }),
      }),
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('cdk-delivery: AWS credentials expired or not usable: The SSO session associated with this profile has expired. '
      + 'To refresh this SSO session run aws sso login with the corresponding profile; renew them (for SSO: aws sso login), or check AWS_PROFILE / --profile\n');
  });
});

describe('credentials the credential chain cannot obtain (real clients, no mock)', () => {
  const failing = (error: Error) => async () => { throw error; };
  const clients = (credentials: () => Promise<never>) => () => ({
    codepipeline: new CodePipelineClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }),
    codedeploy: new CodeDeployClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }),
  });

  test('STS refusing the source profile\'s expired session (ExpiredToken, 403): exit 6, the credentials could not be obtained, '
    + 'not a CodePipeline refusal', async () => {
    const expired = awsError('ExpiredToken', 'The security token included in the request is expired', 403);
    const r = await cli(['--profile', 'release', 'status', 'shop'], {}, { createClients: clients(failing(expired)) });
    expect(r.stderr).toBe("cdk-delivery: could not obtain AWS credentials for profile 'release': the credential provider's request was refused "
      + '(ExpiredToken): The security token included in the request is expired; check the role the profile assumes (role_arn) '
      + 'and its trust policy, and the source credentials (source_profile, web identity token, SSO session); renew them if they expired (for SSO: aws sso login)\n');
    expect(r.code).toBe(6);
  });

  test('AssumeRoleWithWebIdentity refused (AccessDenied, 403) with AWS_PROFILE unset: exit 6 with STS\'s message', async () => {
    const denied = awsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
    const r = await cli(['history', 'shop'], {}, { createClients: clients(failing(denied)) });
    expect(r.stderr).toBe("cdk-delivery: could not obtain AWS credentials: the credential provider's request was refused (AccessDenied): "
      + 'Not authorized to perform sts:AssumeRoleWithWebIdentity; check the role the profile assumes (role_arn) and its trust policy, and the '
      + 'source credentials (source_profile, web identity token, SSO session); renew them if they expired (for SSO: aws sso login)\n');
    expect(r.code).toBe(6);
  });

  test('STS throttling the credential chain (Throttling, HTTP 400): exit 5, throttled, not "could not obtain AWS credentials" (regression: exit 6)', async () => {
    const throttled = awsError('Throttling', 'Rate exceeded', 400);
    const r = await cli(['--profile', 'release', 'status', 'shop'], {}, { createClients: clients(failing(throttled)) });
    expect(r.stderr).toBe("cdk-delivery: throttled: the credential provider's request was throttled (Throttling): Rate exceeded; no call was sent; try again later\n");
    expect(r.code).toBe(5);
    // and with HTTP 429, as other providers answer
    const tooMany = await cli(['history', 'shop'], {}, { createClients: clients(failing(awsError('TooManyRequestsException', 'Too many requests', 429))) });
    expect(tooMany.stderr).toBe("cdk-delivery: throttled: the credential provider's request was throttled (TooManyRequestsException): Too many requests; "
      + 'no call was sent; try again later\n');
    expect(tooMany.code).toBe(5);
  });
});
