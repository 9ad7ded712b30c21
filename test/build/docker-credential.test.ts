import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BuildStep, DeliveryDefaults, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget, DockerCredential, QualityCheck, Verification,
} from '../../src';
import { env, errorOf, flat, nagFindingsAfterSynth, newApp, props } from '../util';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const HUB_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:dockerhub-AbCdEf';

function setup() {
  const app = newApp();
  const stack = new Stack(app, 'PipelineStack', { env: ENV });
  const hub = secretsmanager.Secret.fromSecretCompleteArn(stack, 'DockerHub', HUB_ARN);
  return { app, stack, hub };
}

function pipeline(stack: Stack, extra: Partial<DeliveryPipelineProps>): DeliveryPipeline {
  return new DeliveryPipeline(stack, 'Shop', props(extra));
}

/** The CodeBuild projects by description prefix ('Build of', 'Lint of', ...), their buildspecs parsed. */
function projects(stack: Stack): Record<string, { props: any; spec: any }> {
  const out: Record<string, { props: any; spec: any }> = {};
  for (const p of Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[]) {
    const key = String(p.Properties.Description).split(' of ')[0];
    // a buildspec with tokens (the URL suffix of an ECR registry) is an Fn::Join
    out[key] = { props: p.Properties, spec: JSON.parse(String(flat(p.Properties.Source.BuildSpec)).replace(/<AWS::URLSuffix>/g, 'amazonaws.com')) };
  }
  return out;
}

function policyStatementsOf(stack: Stack, roleLogicalIdPrefix: RegExp): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p: any) => p.Properties.Roles.some((r: any) => roleLogicalIdPrefix.test(r.Ref)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

const privilegedBuild = () => BuildStep.commands({ commands: ['docker build -t shop .'], privileged: true });

describe('DockerCredential', () => {
  test('Docker Hub: a privileged build reads the secret\'s fields from Secrets Manager and logs in before the build phase', () => {
    const { stack, hub } = setup();
    pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub(hub)] });
    const build = projects(stack).Build.spec;
    expect(build.env).toEqual({
      'secrets-manager': { CDK_DELIVERY_DOCKER_USER_0: `${HUB_ARN}:username`, CDK_DELIVERY_DOCKER_SECRET_0: `${HUB_ARN}:secret` },
    });
    expect(build.phases.pre_build).toEqual({
      commands: ['printf \'%s\' "$CDK_DELIVERY_DOCKER_SECRET_0" | docker login --username "$CDK_DELIVERY_DOCKER_USER_0" --password-stdin'],
    });
    expect(Object.keys(build.phases)).toEqual(['pre_build', 'build']);
    // the values never appear in the template: only the secret's ARN and fields
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/EnvironmentVariables[^\]]*DOCKER/);
    expect(policyStatementsOf(stack, /BuildProjectRole/)).toContainEqual({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: HUB_ARN,
    });
  });

  test('a secret encrypted with an imported key: the project may decrypt with it through Secrets Manager (regression: aws-cdk-lib dropped the grant)', () => {
    const { stack } = setup();
    const keyArn = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const hub = secretsmanager.Secret.fromSecretAttributes(stack, 'Hub', { secretCompleteArn: HUB_ARN, encryptionKey: kms.Key.fromKeyArn(stack, 'HubKey', keyArn) });
    pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub(hub)] });
    expect(policyStatementsOf(stack, /BuildProjectRole/)).toContainEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
  });

  test('a secret of another account: refused without its key (it could never be decrypted), granted with it', () => {
    const { stack } = setup();
    const arn = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:registry-AbCdEf';
    const keyless = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Keyless', arn);
    expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.customRegistry('ghcr.io', keyless)] })))
      .toBe("'PipelineStack/Shop': dockerCredentials[0].secret is a Secrets Manager secret of account 222222222222, imported without its encryptionKey: "
        + "the pipeline's account (111111111111) can read it only with kms:Decrypt on its customer managed key, which the build's role cannot be granted "
        + `without the key (the AWS managed key aws/secretsmanager cannot be used from another account), got '${arn}'. `
        + "Import the secret with its key: DockerCredential.customRegistry('ghcr.io', secretsmanager.Secret.fromSecretAttributes(this, 'SharedSecret', "
        + `{ secretCompleteArn: '${arn}', encryptionKey: kms.Key.fromKeyArn(this, 'SharedSecretKey', '<key ARN>') })); `
        + 'the secret must be encrypted with that customer managed key, and the key policy and the secret\'s resource policy must allow '
        + 'account 111111111111 (kms:Decrypt; secretsmanager:GetSecretValue).');
    const keyArn = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { stack: other } = setup();
    const keyed = secretsmanager.Secret.fromSecretAttributes(other, 'Keyed', { secretCompleteArn: arn, encryptionKey: kms.Key.fromKeyArn(other, 'KeyedKey', keyArn) });
    pipeline(other, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.customRegistry('ghcr.io', keyed)] });
    const statements = policyStatementsOf(other, /BuildProjectRole/);
    expect(statements).toContainEqual({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: arn });
    expect(statements).toContainEqual({
      Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
  });

  test('a secret of another region is decrypted through Secrets Manager in that region (the secret\'s, not its importing stack\'s)', () => {
    const { stack } = setup();
    const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const hub = secretsmanager.Secret.fromSecretAttributes(stack, 'Hub', {
      secretCompleteArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dockerhub-AbCdEf', encryptionKey: kms.Key.fromKeyArn(stack, 'HubKey', keyArn),
    });
    pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub(hub)] });
    expect(policyStatementsOf(stack, /BuildProjectRole/)).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    }));
  });

  test('a secret encrypted with a key of the app: the key policy lets the project decrypt, and the role gets no statement of its own', () => {
    const { stack } = setup();
    const key = new kms.Key(stack, 'HubKey');
    const hub = new secretsmanager.Secret(stack, 'Hub', { encryptionKey: key });
    pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub(hub)] });
    expect(policyStatementsOf(stack, /BuildProjectRole/).filter(st => JSON.stringify(st.Action).includes('kms:Decrypt') && JSON.stringify(st).includes('HubKey'))).toEqual([]);
    const keyPolicy = Template.fromStack(stack).findResources('AWS::KMS::Key', { Properties: { Description: Match.absent() } });
    const statements = (Object.values(keyPolicy)[0] as any).Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^ShopBuildProjectRole/), 'Arn'] } },
    }));
  });

  test('only projects that run Docker log in: privileged checks, deploy scripts and tests, not the others', () => {
    const { stack, hub } = setup();
    pipeline(stack, {
      checks: [QualityCheck.commands('Lint', ['npm run lint']), QualityCheck.commands('ImageScan', ['docker build .'], { privileged: true })],
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Deploy', ['bash deploy.sh'], { privileged: true })],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'])],
      }],
      dockerCredentials: [DockerCredential.dockerHub(hub)],
    });
    const p = projects(stack);
    expect(p.ImageScan.spec.phases.pre_build.commands).toHaveLength(1);
    expect(p.Deploy.spec.phases.pre_build.commands).toHaveLength(1);
    expect(p.Lint.spec.phases.pre_build).toBeUndefined();
    expect(p.Lint.spec.env).toBeUndefined();
    expect(p.Smoke.spec.phases.pre_build).toBeUndefined();
    expect(p.Build.spec.phases.pre_build).toBeUndefined();
    expect(policyStatementsOf(stack, /LintProjectRole/).some(s => JSON.stringify(s.Action).includes('secretsmanager'))).toBe(false);
  });

  test('a custom registry is named in the login; its secret\'s fields can be renamed', () => {
    const { stack } = setup();
    const ghcr = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Ghcr', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr-XyZ123');
    pipeline(stack, {
      buildStep: privilegedBuild(),
      dockerCredentials: [DockerCredential.customRegistry('ghcr.io', ghcr, { usernameField: 'user', secretField: 'token' })],
    });
    const build = projects(stack).Build.spec;
    expect(build.env['secrets-manager']).toEqual({
      CDK_DELIVERY_DOCKER_USER_0: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr-XyZ123:user',
      CDK_DELIVERY_DOCKER_SECRET_0: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr-XyZ123:token',
    });
    expect(build.phases.pre_build.commands).toEqual([
      'printf \'%s\' "$CDK_DELIVERY_DOCKER_SECRET_0" | docker login --username "$CDK_DELIVERY_DOCKER_USER_0" --password-stdin ghcr.io',
    ]);
  });

  test('Amazon ECR: one login per registry with the project\'s own credentials, and pull rights on exactly the repositories', () => {
    const { stack } = setup();
    const base = ecr.Repository.fromRepositoryArn(stack, 'Base', 'arn:aws:ecr:eu-west-1:999999999999:repository/base/node');
    const tools = ecr.Repository.fromRepositoryArn(stack, 'Tools', 'arn:aws:ecr:eu-west-1:999999999999:repository/tools');
    const us = ecr.Repository.fromRepositoryArn(stack, 'Us', 'arn:aws:ecr:us-east-1:999999999999:repository/base/node');
    const p = pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.ecr([base, tools, us])] });
    const build = projects(stack).Build.spec;
    expect(build.env).toBeUndefined();
    expect(build.phases.pre_build.commands).toEqual([
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 999999999999.dkr.ecr.eu-west-1.amazonaws.com',
      'aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 999999999999.dkr.ecr.us-east-1.amazonaws.com',
    ]);
    const statements = policyStatementsOf(stack, /BuildProjectRole/);
    expect(statements).toContainEqual({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Effect: 'Allow',
      Resource: [
        'arn:aws:ecr:eu-west-1:999999999999:repository/base/node',
        'arn:aws:ecr:eu-west-1:999999999999:repository/tools',
        'arn:aws:ecr:us-east-1:999999999999:repository/base/node',
      ],
    });
    expect(statements).toContainEqual({ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' });
    expect(p.describe().buildStep.details).toContain(
      'docker login: Amazon ECR (account 999999999999, eu-west-1), Amazon ECR (account 999999999999, us-east-1)');
  });

  test('the action that publishes Docker image assets logs in too', () => {
    const { app, stack, hub } = setup();
    const stage = new Stage(app, 'Images', { env: ENV });
    const web = new Stack(stage, 'Web');
    const image = new ecrAssets.DockerImageAsset(web, 'Image', { directory: path.join(__dirname, '..', 'deploy', 'docker-asset') });
    new ssm.StringParameter(web, 'ImageUri', { stringValue: image.imageUri });
    pipeline(stack, { environments: [{ name: 'e', deployments: [DeploymentTarget.cdkStage(stage)] }], dockerCredentials: [DockerCredential.dockerHub(hub)] });
    const publisher = projects(stack)['Asset publishing'];
    expect(publisher.props.Environment.PrivilegedMode).toBe(true);
    expect(publisher.spec.phases.pre_build.commands).toEqual([
      'printf \'%s\' "$CDK_DELIVERY_DOCKER_SECRET_0" | docker login --username "$CDK_DELIVERY_DOCKER_USER_0" --password-stdin',
    ]);
    expect(Object.keys(publisher.spec.phases)).toEqual(['install', 'pre_build', 'build']);
  });

  test('DeliveryDefaults\' credentials apply where a pipeline names none; its own replace them', () => {
    const { app, stack, hub } = setup();
    DeliveryDefaults.applyTo(app, { dockerCredentials: [DockerCredential.dockerHub(hub)] });
    const p = pipeline(stack, { buildStep: privilegedBuild() });
    const other = new Stack(app, 'Other', { env: ENV });
    const ghcr = secretsmanager.Secret.fromSecretCompleteArn(other, 'Ghcr', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr-XyZ123');
    pipeline(other, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.customRegistry('ghcr.io', ghcr)] });

    expect(projects(stack).Build.spec.phases.pre_build.commands).toEqual([expect.stringMatching(/--password-stdin$/)]);
    expect(p.describe().buildStep.details).toContain('docker login: Docker Hub');
    expect(projects(other).Build.spec.phases.pre_build.commands).toEqual([expect.stringMatching(/--password-stdin ghcr\.io$/)]);
  });

  test('DeliveryDefaults\' credentials do not warn a pipeline that runs no Docker (regression: it was told to remove what it never set)', () => {
    const { app, stack, hub } = setup();
    DeliveryDefaults.applyTo(app, { dockerCredentials: [DockerCredential.dockerHub(hub)] });
    pipeline(stack, { environments: [env('staging')] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('unusedDockerCredentials'))).toEqual([]);
  });

  test('credentials no project uses warn', () => {
    const { stack, hub } = setup();
    pipeline(stack, { environments: [env('staging')], dockerCredentials: [DockerCredential.dockerHub(hub)] });
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Shop', Match.stringLikeRegexp(
      '^dockerCredentials log in to Docker Hub, but no CodeBuild project of the pipeline runs Docker.*\\[ack: delivery-pipeline:unusedDockerCredentials\\]$'));
  });

  test('cdk-nag: the login grants add no finding (the secret by ARN, ECR\'s token on "*" suppressed with its reason), also in a VPC', () => {
    const { stack, hub } = setup();
    const base = ecr.Repository.fromRepositoryArn(stack, 'Base', 'arn:aws:ecr:eu-west-1:999999999999:repository/base/node');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0abc1234', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
    });
    pipeline(stack, {
      buildStep: BuildStep.commands({ commands: ['docker build .'], privileged: true, vpc }),
      checks: [QualityCheck.commands('ImageScan', ['docker build .'], { privileged: true })],
      dockerCredentials: [DockerCredential.dockerHub(hub), DockerCredential.ecr([base])],
    });
    const findings = nagFindingsAfterSynth(stack).map(f => `/${f.path}: ${f.data.replace(/\]: .*$/s, ']')}`);
    expect(findings).toEqual([]);
  });

  describe('fails', () => {
    const P = "'PipelineStack/Shop': ";

    test('when a registry domain is not a host name, or is Docker Hub', () => {
      for (const [domain, problem] of [
        ['https://ghcr.io', "must be a registry host name, with an optional port, got 'https://ghcr.io'. Pass the host only, without scheme or path, for example 'ghcr.io' or 'registry.example.com:5000'."],
        ['docker.io', "is Docker Hub, got 'docker.io'. Use DockerCredential.dockerHub(secret)."],
      ]) {
        const { stack, hub } = setup();
        expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.customRegistry(domain, hub)] })))
          .toBe(`${P}dockerCredentials[0].registryDomain ${problem}`);
      }
    });

    test('when the secret is not a secret', () => {
      const { stack } = setup();
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub('dockerhub' as any)] })))
        .toBe(`${P}dockerCredentials[0].secret must be a secretsmanager.ISecret, got 'dockerhub'. `
          + "Pass DockerCredential.dockerHub(secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerLogin', 'arn:aws:secretsmanager:...')).");
    });

    test('when a field name holds \':\' (the separator of CodeBuild\'s secret reference)', () => {
      const { stack, hub } = setup();
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub(hub, { secretField: 'a:b' })] })))
        .toBe(`${P}dockerCredentials[0].secretField must be the literal name of a JSON field of the secret, without ':', got 'a:b'. Pass a field name such as 'secret'.`);
    });

    test('when an option is misspelt', () => {
      const { stack, hub } = setup();
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.dockerHub(hub, { usernameFeild: 'u' } as any)] })))
        .toMatch(/^'PipelineStack\/Shop': dockerCredentials\[0\]\.usernameFeild is not a field of DockerCredentialOptions, got 'u'\. Did you mean 'usernameField'\?/);
    });

    test('when ECR gets no repository', () => {
      const { stack } = setup();
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.ecr([])] })))
        .toBe(`${P}dockerCredentials[0].repositories must hold at least one ecr.IRepository, got an array of 0. `
          + "Pass the repositories to pull from, for example [ecr.Repository.fromRepositoryArn(this, 'Base', 'arn:aws:ecr:eu-west-1:111111111111:repository/base')].");
    });

    test('when an entry is not a DockerCredential', () => {
      const { stack } = setup();
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [{ registry: 'ghcr.io' } as any] })))
        .toMatch(/^'PipelineStack\/Shop': dockerCredentials\[0\] must be a DockerCredential, got .*\. Pass \[DockerCredential\.dockerHub\(secret\)\]/);
    });

    test('when two credentials log in to one registry', () => {
      const { stack, hub } = setup();
      const other = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf');
      const twice = [DockerCredential.dockerHub(hub), DockerCredential.dockerHub(other)];
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: twice })))
        .toBe(`${P}dockerCredentials logs in to Docker Hub twice (docker login keeps one credential per registry), got Docker Hub. Keep one credential per registry.`);
    });

    test.each(['DOCKER.IO', 'registry.hub.docker.com', 'docker.io:443', 'Index.Docker.io'])(
      'when Docker Hub is given as a custom registry under another name or case (%s; regression: accepted)', host => {
        const { stack, hub } = setup();
        expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: [DockerCredential.customRegistry(host, hub)] })))
          .toBe(`${P}dockerCredentials[0].registryDomain is Docker Hub, got '${host}'. Use DockerCredential.dockerHub(secret).`);
      });

    test('when two credentials log in to one registry written in another case or with its default port (regression: accepted)', () => {
      const { stack, hub } = setup();
      const other = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf');
      const twice = [DockerCredential.customRegistry('ghcr.io', hub), DockerCredential.customRegistry('GHCR.io:443', other)];
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: twice })))
        .toBe(`${P}dockerCredentials logs in to ghcr.io twice, as ghcr.io and GHCR.io:443 (docker login keeps one credential per registry), got ghcr.io. `
          + 'Keep one credential per registry.');
    });

    test('when an ECR registry is logged in to by its host and by DockerCredential.ecr (regression: accepted)', () => {
      const { stack, hub } = setup();
      const base = ecr.Repository.fromRepositoryArn(stack, 'Base', 'arn:aws:ecr:eu-west-1:222222222222:repository/base');
      const twice = [DockerCredential.customRegistry('222222222222.dkr.ecr.eu-west-1.amazonaws.com', hub), DockerCredential.ecr([base])];
      expect(errorOf(() => pipeline(stack, { buildStep: privilegedBuild(), dockerCredentials: twice })))
        .toBe(`${P}dockerCredentials logs in to Amazon ECR (account 222222222222, eu-west-1) twice, as 222222222222.dkr.ecr.eu-west-1.amazonaws.com `
          + 'and Amazon ECR (account 222222222222, eu-west-1) (docker login keeps one credential per registry), got Amazon ECR (account 222222222222, eu-west-1). '
          + 'Keep one credential per registry.');
    });

    test('when DeliveryDefaults get a bad credential (checked when set)', () => {
      const { app } = setup();
      expect(errorOf(() => DeliveryDefaults.applyTo(app, { dockerCredentials: [DockerCredential.ecr([])] })))
        .toMatch(/DeliveryDefaults\.dockerCredentials\[0\]\.repositories must hold at least one ecr\.IRepository/);
    });
  });

  describe('a secret or repository the pipeline\'s stack cannot refer to is the library\'s error (regression: aws-cdk-lib\'s cross-environment '
    + 'or cross-stage error, naming no field)', () => {
    const E2 = { account: '111111111111', region: 'us-east-1' };
    const secretFix = "Create the secret in a stack of the pipeline's account and Region (in its CDK stage), or import it by ARN: ";
    const repoFix = "Create the repository in a stack of the pipeline's account and Region (in its CDK stage), or import it by ARN: "
      + "ecr.Repository.fromRepositoryArn(this, 'Base', 'arn:aws:ecr:<region>:<account>:repository/<name>').";
    const crossEnv = "which the pipeline's stack (aws://111111111111/us-east-1) cannot refer to: aws-cdk-lib refers to resources of other stacks "
      + 'of the same environment only';
    const build = () => BuildStep.commands({ commands: ['docker build .'], privileged: true });

    test('a Docker Hub secret of another Region, as the pipeline\'s own credentials and as DeliveryDefaults\'', () => {
      for (const viaDefaults of [false, true]) {
        const app = newApp();
        const secret = new secretsmanager.Secret(new Stack(app, 'Net', { env: ENV }), 'S');
        const credentials = [DockerCredential.dockerHub(secret)];
        if (viaDefaults) DeliveryDefaults.applyTo(app, { dockerCredentials: credentials });
        const stack = new Stack(app, 'P2', { env: E2 });
        const field = viaDefaults ? 'DeliveryDefaults.dockerCredentials[0].secret' : 'dockerCredentials[0].secret';
        expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({ buildStep: build(), ...(viaDefaults ? {} : { dockerCredentials: credentials }) }))))
          .toBe(`'P2/Shop': ${field} is a Secrets Manager secret of stack 'Net' (aws://111111111111/eu-west-1), ${crossEnv}, got 'Net/S'. ${secretFix}`
            + "DockerCredential.dockerHub(secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerLogin', 'arn:aws:secretsmanager:...')).");
      }
    });

    test('a custom registry\'s secret of another CDK stage', () => {
      const app = newApp();
      const secret = new secretsmanager.Secret(new Stack(new Stage(app, 'Shared'), 'Net', { env: ENV }), 'S');
      const stack = new Stack(app, 'P', { env: ENV });
      expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({ buildStep: build(), dockerCredentials: [DockerCredential.customRegistry('ghcr.io', secret)] }))))
        .toBe("'P/Shop': dockerCredentials[0].secret is a Secrets Manager secret of stack 'Shared/Net', in CDK stage 'Shared', not the pipeline's, "
          + `which the pipeline's stack cannot refer to, got 'Shared/Net/S'. ${secretFix}`
          + "DockerCredential.customRegistry(secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerLogin', 'arn:aws:secretsmanager:...')).");
    });

    test('an ECR repository of another Region or another CDK stage; one imported by ARN is accepted', () => {
      const app = newApp();
      const other = new ecr.Repository(new Stack(app, 'Images', { env: ENV }), 'Base');
      const staged = new ecr.Repository(new Stack(new Stage(app, 'Shared'), 'Images', { env: E2 }), 'Base');
      const stack = new Stack(app, 'P2', { env: E2 });
      const imported = ecr.Repository.fromRepositoryArn(stack, 'Imported', 'arn:aws:ecr:eu-west-1:111111111111:repository/base');
      expect(errorOf(() => new DeliveryPipeline(stack, 'A', props({ buildStep: build(), dockerCredentials: [DockerCredential.ecr([imported, other])] }))))
        .toBe(`'P2/A': dockerCredentials[0].repositories[1] is an ECR repository of stack 'Images' (aws://111111111111/eu-west-1), ${crossEnv}, `
          + `got 'Images/Base'. ${repoFix}`);
      expect(errorOf(() => new DeliveryPipeline(stack, 'B', props({ buildStep: build(), dockerCredentials: [DockerCredential.ecr([staged])] }))))
        .toBe("'P2/B': dockerCredentials[0].repositories[0] is an ECR repository of stack 'Shared/Images', in CDK stage 'Shared', not the pipeline's, "
          + `which the pipeline's stack cannot refer to, got 'Shared/Images/Base'. ${repoFix}`);
      new DeliveryPipeline(stack, 'C', props({ buildStep: build(), dockerCredentials: [DockerCredential.ecr([imported])] }));
      expect(() => app.synth()).not.toThrow();
    });
  });
});
