import { App, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BuildSecret, BuildStep, DeploymentTarget, DockerCredential, QualityCheck, Verification } from '../../src';
import { buildSpecOf, errorOf, flat, newStack, pipelineIn } from '../util';

const PATH = "'PipelineStack/Shop'";

function project(stack: any, prefix: string): any {
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const found = Object.entries(projects).find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no project ${prefix}`);
  return (found[1] as any).Properties;
}

/** Every statement of the policies of the project's role. */
function statementsOf(stack: any, prefix = 'ShopBuildProjectRole'): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref?.startsWith(prefix)))
    .flatMap((p: any) => flat(p.Properties.PolicyDocument.Statement));
}

describe('secrets in environmentVariables are refused', () => {
  test("a Secrets Manager secret's value", () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'NpmToken');
    expect(errorOf(() => pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm publish'], environmentVariables: { NPM_TOKEN: secret.secretValue.unsafeUnwrap() } }) })))
      .toBe(`${PATH}: buildStep.environmentVariables.NPM_TOKEN holds a secret (a Secrets Manager or SecureString dynamic reference), which CodeBuild would keep as a `
        + "PLAINTEXT variable: readable in the project's definition and not masked in the build's logs (a SecureString reference fails the deployment), got NPM_TOKEN. "
        + 'Pass it in buildStep.secrets instead: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromParameterStore(parameter).');
  });

  test('a SecureString parameter, in a check, and a dynamic reference written out', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      checks: [QualityCheck.commands('Lint', ['x'], { environmentVariables: { T: SecretValue.ssmSecure('/ci/token').unsafeUnwrap() } })],
    }))).toMatch(/^'PipelineStack\/Shop': checks\[0\]\.environmentVariables\.T holds a secret .* Pass it in checks\[0\]\.secrets instead: \{ T: BuildSecret/);
    expect(errorOf(() => pipelineIn(newStack(), {
      checks: [QualityCheck.dependencyAudit({ environmentVariables: { GH: '{{resolve:secretsmanager:gh-token}}' } })],
    }))).toMatch(/^'PipelineStack\/Shop': checks\[0\]\.environmentVariables\.GH holds a secret /);
  });

  test("a test's env is named as env, the field it was given in", () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'ApiKey');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['x'])], verification: [Verification.commands('Smoke', ['x'], { env: { API_KEY: secret.secretValue.unsafeUnwrap() } })] }],
    }))).toBe(`${PATH}: environments[0] ('staging').verification[0].env.API_KEY holds a secret (a Secrets Manager or SecureString dynamic reference), which CodeBuild would keep as a `
      + "PLAINTEXT variable: readable in the project's definition and not masked in the build's logs (a SecureString reference fails the deployment), got API_KEY. "
      + "Pass it in environments[0] ('staging').verification[0].secrets instead: { API_KEY: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromParameterStore(parameter).");
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['x'])], verification: [Verification.commands('Smoke', ['x'], { env: { CODEBUILD_X: '1' } })] }],
    }))).toMatch(/^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.verification\[0\]\.env has a name that starts with CODEBUILD_/);
  });

  test('a plain value that only looks like a reference to a parameter is kept', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['x'], environmentVariables: { P: ssm.StringParameter.valueForStringParameter(stack, '/x/y') } }) });
    expect(project(stack, 'ShopBuildProject').Environment.EnvironmentVariables).toEqual([{ Name: 'P', Type: 'PLAINTEXT', Value: { Ref: expect.stringMatching(/^SsmParameterValue/) } }]);
  });
});

describe('secrets in commands are refused', () => {
  test("a Secrets Manager secret's value in the build's commands: the buildspec would hold it in plain text", () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'NpmToken');
    const id = stack.getLogicalId(secret.node.defaultChild as any);
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm ci', `npm config set //registry.npmjs.org/:_authToken ${secret.secretValueFromJson('token').unsafeUnwrap()}`] }),
    }))).toBe(`${PATH}: buildStep.commands[1] holds a secret (a Secrets Manager or SecureString dynamic reference), which CloudFormation would write into the `
      + "project's inline buildspec: readable in the project's definition and printed unmasked in the build's logs as CodeBuild runs the command "
      + `(a SecureString reference fails the deployment), got {{resolve:secretsmanager:<${id}>:SecretString:token::}}. `
      + 'Pass it in buildStep.secrets instead, { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromParameterStore(parameter), and read $NPM_TOKEN in the command.');
  });

  test('in install, a check, a deploy script, a test and the dependency audit\'s command, each named by its field', () => {
    const ref = SecretValue.ssmSecure('/ci/token').unsafeUnwrap();
    const cases: Array<[any, RegExp]> = [
      [{ buildStep: BuildStep.commands({ install: [`echo ${ref} > .npmrc`], commands: ['x'] }) }, /^'PipelineStack\/Shop': buildStep\.install\[0\] holds a secret .*, got \{\{resolve:ssm-secure:\/ci\/token\}\}\. Pass it in buildStep\.secrets instead/],
      [{ checks: [QualityCheck.commands('Lint', ['x', `lint --token ${ref}`])] }, /^'PipelineStack\/Shop': checks\[0\]\.commands\[1\] holds a secret .* Pass it in checks\[0\]\.secrets instead/],
      [{ checks: [QualityCheck.dependencyAudit({ command: 'audit --token {{resolve:secretsmanager:gh-token}}' })] },
        /^'PipelineStack\/Shop': checks\[0\]\.command holds a secret .*, got \{\{resolve:secretsmanager:gh-token\}\}\. Pass it in checks\[0\]\.secrets instead/],
      [{ environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', [`./deploy.sh ${ref}`])] }] },
        /^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.deployments\[0\]\.commands\[0\] holds a secret .* Pass it in environments\[0\] \('staging'\)\.deployments\[0\]\.secrets instead/],
      [{ environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['x'])], verification: [Verification.commands('Smoke', [`curl -H "x-key: ${ref}" $URL`])] }] },
        /^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.verification\[0\]\.commands\[0\] holds a secret .* Pass it in environments\[0\] \('staging'\)\.verification\[0\]\.secrets instead/],
    ];
    for (const [extra, message] of cases) expect(errorOf(() => pipelineIn(newStack(), extra))).toMatch(message);
  });

  test('a command that reads a secret from the environment, and a plain parameter reference, are kept', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'NpmToken');
    pipelineIn(stack, {
      buildStep: BuildStep.commands({
        commands: ['npm config set //registry.npmjs.org/:_authToken "$NPM_TOKEN"', `echo ${ssm.StringParameter.valueForStringParameter(stack, '/ci/region')}`],
        secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) },
      }),
    });
    expect(buildSpecOf(stack).phases.build.commands[0]).toBe('npm config set //registry.npmjs.org/:_authToken "$NPM_TOKEN"');
  });
});

describe('secrets', () => {
  test('a Secrets Manager secret is read by CodeBuild from the buildspec, and the role reads exactly it', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'NpmToken');
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret, 'token') } }) });
    expect(buildSpecOf(stack).env).toEqual({ 'secrets-manager': { NPM_TOKEN: `<${stack.getLogicalId(secret.node.defaultChild as any)}>:token` } });
    expect(project(stack, 'ShopBuildProject').Environment.EnvironmentVariables).toBeUndefined();
    expect(statementsOf(stack)).toContainEqual({
      Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: `<${stack.getLogicalId(secret.node.defaultChild as any)}>`,
    });
    // that statement only: no wildcard grant on other secrets
    expect(statementsOf(stack).filter(st => ([] as string[]).concat(st.Action).some(a => a.startsWith('secretsmanager:')))).toHaveLength(1);
  });

  test("an imported secret's imported key is granted through Secrets Manager", () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Token', {
      secretCompleteArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/npm-token-AbCdEf',
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    const pipeline = pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) } }) });
    expect(buildSpecOf(stack).env).toEqual({ 'secrets-manager': { NPM_TOKEN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/npm-token-AbCdEf' } });
    const statements = statementsOf(stack);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/npm-token-AbCdEf',
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
    // the plan names the secret, never its value
    expect((pipeline.describe() as any).buildStep.details).toContain('secret NPM_TOKEN: Secrets Manager secret ci/npm-token');
  });

  test('a Parameter Store parameter is read from the buildspec, with its key', () => {
    const stack = newStack();
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', {
      parameterName: '/ci/npm-token',
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    const pipeline = pipelineIn(stack, { checks: [QualityCheck.commands('Publish', ['npm publish'], { secrets: { NPM_TOKEN: BuildSecret.fromParameterStore(parameter) } })] });
    expect(buildSpecOf(stack, 'ShopChecksPublishProject').env).toEqual({ 'parameter-store': { NPM_TOKEN: '/ci/npm-token' } });
    const statements = statementsOf(stack, 'ShopChecksPublishProjectRole');
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['ssm:DescribeParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:GetParameters'],
      Resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/ci/npm-token',
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
    expect((pipeline.describe() as any).checks[0].details).toContain('secret NPM_TOKEN: Parameter Store parameter /ci/npm-token');
  });

  test("user secrets and the Docker logins' credentials share the buildspec's env", () => {
    const stack = newStack();
    const hub = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hub', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:dh-AbCdEf');
    const token = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Tok', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tok-AbCdEf');
    pipelineIn(stack, {
      dockerCredentials: [DockerCredential.dockerHub(hub)],
      buildStep: BuildStep.commands({ commands: ['docker build .'], privileged: true, secrets: { TOKEN: BuildSecret.fromSecretsManager(token) } }),
    });
    expect(buildSpecOf(stack).env).toEqual({
      'secrets-manager': {
        TOKEN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tok-AbCdEf',
        CDK_DELIVERY_DOCKER_USER_0: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:dh-AbCdEf:username',
        CDK_DELIVERY_DOCKER_SECRET_0: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:dh-AbCdEf:secret',
      },
    });
  });

  test('deploy scripts and tests take secrets too', () => {
    const stack = newStack();
    const token = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Tok', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tok-AbCdEf');
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Script', ['./deploy.sh'], { secrets: { A: BuildSecret.fromSecretsManager(token) } })],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { secrets: { B: BuildSecret.fromSecretsManager(token, 'b') } })],
      }],
    });
    expect(buildSpecOf(stack, 'ShopEnvironmentsstagingScriptProject').env).toEqual({ 'secrets-manager': { A: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tok-AbCdEf' } });
    expect(buildSpecOf(stack, 'ShopEnvironmentsstagingSmokeProject').env).toEqual({ 'secrets-manager': { B: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tok-AbCdEf:b' } });
  });

  test('names other variables take, reserved names and wrong values are refused', () => {
    const stack = newStack();
    const token = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Tok', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tok-AbCdEf');
    const secret = BuildSecret.fromSecretsManager(token);
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], environmentVariables: { T: 'x' }, secrets: { T: secret } }) })))
      .toBe(`${PATH}: buildStep.secrets.T sets a variable environmentVariables sets too (the plain value would silently replace the secret), got 'T'. `
        + 'Give the variable one source: remove it from environmentVariables or from secrets.');
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], secrets: { CDK_DELIVERY_DOCKER_SECRET_0: secret } }) })))
      .toBe(`${PATH}: buildStep.secrets has a name that starts with CDK_DELIVERY_DOCKER_, a prefix the library reserves for the Docker logins' credentials, `
        + "got 'CDK_DELIVERY_DOCKER_SECRET_0'. Give the variable another name.");
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], environmentVariables: { cdk_delivery_docker_user_0: 'me' } }) })))
      .toMatch(/buildStep\.environmentVariables has a name that starts with CDK_DELIVERY_DOCKER_/);
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], secrets: { T: 'arn:aws:secretsmanager:x' as any } }) })))
      .toBe(`${PATH}: buildStep.secrets.T must be a BuildSecret, got 'arn:aws:secretsmanager:x'. Use BuildSecret.fromSecretsManager(secret) or BuildSecret.fromParameterStore(parameter).`);
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], secrets: { T: BuildSecret.fromSecretsManager(token, 'a:b') } }) })))
      .toBe(`${PATH}: buildStep.secrets.T.jsonField must be the literal name of a JSON field of the secret, without ':', got 'a:b'. `
        + "Pass a field name such as 'token', or leave it out to read the whole secret string.");
  });
});

describe('secrets the pipeline stack cannot refer to', () => {
  test('a secret of a stack of another Region, or a parameter of another account, is refused naming the field; imported by ARN it is accepted', () => {
    const stack = newStack();
    const app = stack.node.root as App;
    const us = new Stack(app, 'Shared', { env: { account: '111111111111', region: 'us-east-1' } });
    const secret = new secretsmanager.Secret(us, 'Token');
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) } }),
    }))).toMatch(/^'PipelineStack\/Shop': buildStep\.secrets\.NPM_TOKEN is a Secrets Manager secret of stack 'Shared'.*Create the secret in a stack of the pipeline's account and Region \(in its CDK stage\), or import it by ARN: /);
    const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } });
    const parameter = new ssm.StringParameter(other, 'Param', { stringValue: 'x' });
    expect(errorOf(() => pipelineIn(newStack(), {
      buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromParameterStore(parameter) } }),
    }))).toMatch(/buildStep\.secrets\.NPM_TOKEN is a Parameter Store parameter of stack 'Other'/);
    const third = newStack();
    const imported = secretsmanager.Secret.fromSecretCompleteArn(third, 'Imported', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/npm-Ab12Cd');
    pipelineIn(third, { buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(imported) } }) });
  });

  test('a secret of another account imported without its key is refused: the build could never decrypt it (regression: granted, then AccessDenied at run time)', () => {
    const stack = newStack();
    const arn = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared-AbCdEf';
    const other = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', arn);
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(other, 'token') } }),
    }))).toBe(`${PATH}: buildStep.secrets.NPM_TOKEN is a Secrets Manager secret of account 222222222222, imported without its encryptionKey: `
      + "the pipeline's account (111111111111) can read it only with kms:Decrypt on its customer managed key, which the build's role cannot be granted "
      + `without the key (the AWS managed key aws/secretsmanager cannot be used from another account), got '${arn}'. `
      + "Import the secret with its key: BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretAttributes(this, 'SharedSecret', "
      + `{ secretCompleteArn: '${arn}', encryptionKey: kms.Key.fromKeyArn(this, 'SharedSecretKey', '<key ARN>') })); `
      + 'the secret must be encrypted with that customer managed key, and the key policy and the secret\'s resource policy must allow '
      + 'account 111111111111 (kms:Decrypt; secretsmanager:GetSecretValue).');
  });

  test('a secret of another account imported with its key: the role may read the secret and decrypt it with that key through Secrets Manager', () => {
    const stack = newStack();
    const arn = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared-AbCdEf';
    const keyArn = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const other = secretsmanager.Secret.fromSecretAttributes(stack, 'Other', { secretCompleteArn: arn, encryptionKey: kms.Key.fromKeyArn(stack, 'OtherKey', keyArn) });
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm publish'], secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(other, 'token') } }) });
    expect(buildSpecOf(stack).env).toEqual({ 'secrets-manager': { NPM_TOKEN: `${arn}:token` } });
    const statements = statementsOf(stack);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: arn });
    // that key only, through Secrets Manager of the secret's Region
    expect(statements.filter(st => JSON.stringify(st).includes(':222222222222:key/'))).toEqual([{
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    }]);
  });

  test('a plain object where the secret goes is refused, not granted nothing', () => {
    const stack = newStack();
    const fake = { secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x', grantRead: () => undefined } as unknown as secretsmanager.ISecret;
    expect(errorOf(() => pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['x'], secrets: { T: BuildSecret.fromSecretsManager(fake) } }),
    }))).toMatch(/^'PipelineStack\/Shop': buildStep\.secrets\.T must be a secretsmanager\.ISecret, got /);
  });
});
