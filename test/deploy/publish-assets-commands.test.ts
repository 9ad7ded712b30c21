import { exec } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ordersCdkApp } from '../../examples/cdk-stage/pipeline-stack';
import { DeliveryPipeline, DeploymentTarget } from '../../src';
import { PUBLISHER_DIRECTORY } from '../../src/private/asset-publisher';
import { flat, props } from '../util';

/** What the loopback STS and S3 were asked: the action or method, the path, the signing key, the role. */
interface Call { readonly what: string; readonly path: string; readonly key: string; readonly roleArn?: string }

/**
 * A loopback STS (GetCallerIdentity, AssumeRole), S3 (bucket location and encryption, ListObjectsV2,
 * PutObject) and ECR (DescribeRepositories; DescribeImages finds every image, so nothing is built)
 * answering what the asset publishing library asks; `denyPut` refuses every upload.
 */
function fakeAws(denyPut = false): Promise<{ url: string; calls: Call[]; close: () => Promise<void> }> {
  const calls: Call[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString());
      const url = new URL(req.url ?? '/', 'http://loopback');
      const key = /Credential=([^/]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      // ECR speaks JSON, named by the X-Amz-Target header
      const target = /^AmazonEC2ContainerRegistry_V\d+\.(\w+)$/.exec(String(req.headers['x-amz-target'] ?? ''))?.[1];
      const action = target ?? body.get('Action');
      calls.push({ what: action ?? req.method ?? '', path: url.pathname, key, roleArn: body.get('RoleArn') ?? undefined });
      const xml = (status: number, text: string) => { res.statusCode = status; res.setHeader('content-type', 'text/xml'); res.end(text); };
      if (target !== undefined) {
        const request = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target === 'DescribeRepositories') {
          return res.end(JSON.stringify({ repositories: [{ repositoryUri: `222222222222.dkr.ecr.eu-west-1.amazonaws.com/${request.repositoryNames[0]}` }] }));
        }
        if (target === 'DescribeImages') return res.end(JSON.stringify({ imageDetails: [{ imageTags: [request.imageIds[0].imageTag] }] }));
        res.statusCode = 400;
        return res.end(JSON.stringify({ __type: 'InvalidParameterException', message: `unexpected ${target}` }));
      }
      if (action === 'GetCallerIdentity') {
        return xml(200, '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111111111111:assumed-role/build/x</Arn>'
          + '<UserId>X</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>');
      }
      if (action === 'AssumeRole') {
        return xml(200, '<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAPUBLISHING</AccessKeyId><SecretAccessKey>s</SecretAccessKey>'
          + '<SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/p/s</Arn>'
          + '<AssumedRoleId>A:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>');
      }
      if (url.searchParams.has('location')) return xml(200, '<LocationConstraint>eu-west-1</LocationConstraint>');
      if (url.searchParams.has('encryption')) return xml(404, '<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code></Error>');
      if (url.searchParams.get('list-type') === '2') return xml(200, '<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>');
      if (req.method === 'PUT' && denyPut) return xml(403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      if (req.method === 'PUT') { res.setHeader('ETag', '"etag"'); return res.end(); }
      return xml(404, '<Error><Code>NotFound</Code></Error>');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((done) => server.close(() => done())),
  })));
}

/** Runs one buildspec command with /bin/sh (as CodeBuild does) from `cwd`; never rejects. */
function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => exec(command, { cwd, env, shell: '/bin/sh' }, (error, stdout, stderr) =>
    resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })));
}

/**
 * An app synthesized into a temporary directory (as the build's `cdk synth` writes `cdk.out/`), the
 * pipeline stack's asset-publishing project and its buildspec, and a temporary publisher directory
 * (instead of /tmp/cdk-delivery-assets) where this repository's copy of the library is installed.
 */
function synthesized(pipelineStack: string, define: (app: App) => void) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-assets-'));
  const publisher = fs.mkdtempSync(path.join(os.tmpdir(), 'publisher-'));
  fs.symlinkSync(path.join(__dirname, '..', '..', 'node_modules'), path.join(publisher, 'node_modules'));
  const app = new App({ outdir: path.join(root, 'cdk.out'), context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
  define(app);
  app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(root, 'cdk.out', `${pipelineStack}.template.json`), 'utf8'));
  const resources = Object.entries(template.Resources) as [string, any][];
  const project = resources.find(([, r]) => r.Type === 'AWS::CodeBuild::Project' && /Asset publishing/.test(r.Properties.Description))![1];
  const spec = JSON.parse(project.Properties.Source.BuildSpec);
  const local = (command: string) => command.split(PUBLISHER_DIRECTORY).join(publisher);
  // the roles the project's role may assume
  const roleId = project.Properties.ServiceRole['Fn::GetAtt'][0];
  const policy = resources.find(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))![1];
  const mayAssume = flat(policy.Properties.PolicyDocument.Statement).filter((st: any) => st.Action === 'sts:AssumeRole').flatMap((st: any) => [st.Resource].flat()).sort();
  const env = (url: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    AWS_ACCESS_KEY_ID: 'AKIDBUILDROLE',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    // CodeBuild's primary source directory, which the commands name the manifests from
    CODEBUILD_SRC_DIR: root,
  });
  /** The install commands: the one that downloads the library is checked, not run; the one that writes the script runs as is. */
  const install = async () => {
    const [installLibrary, writeScript] = spec.phases.install.commands as string[];
    expect(installLibrary).toMatch(/^npm install --prefix \/tmp\/cdk-delivery-assets .* @aws-cdk\/cdk-assets-lib@1$/);
    const written = await sh(local(writeScript), root, { PATH: process.env.PATH });
    expect(written).toEqual({ code: 0, stdout: '', stderr: '' });
  };
  const remove = () => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(publisher, { recursive: true, force: true });
  };
  return { root, spec, local, env, mayAssume, install, remove };
}

/**
 * The PublishAssets action's commands, run as CodeBuild runs them: from the root of the build output
 * (which holds `cdk.out/`), with /bin/sh, against a loopback STS and S3. The install command that
 * downloads the library is replaced by this repository's copy of it; the one that writes the script
 * runs as is. The publisher directory is a temporary one instead of /tmp/cdk-delivery-assets.
 */
describe('the PublishAssets commands publish with the real asset publishing library', () => {
  const { root, spec, local, env, mayAssume, install, remove } = synthesized('OrdersCdkPipeline', ordersCdkApp);

  beforeAll(install);
  afterAll(remove);

  test('each stage\'s assets go to its account\'s bootstrap bucket, uploaded as the publishing role the project may assume', async () => {
    const aws = await fakeAws();
    try {
      const runs = [];
      // each from another directory than the source's root: the commands name the manifests from $CODEBUILD_SRC_DIR
      // (regression: a build whose commands ran `cd infra` looked for infra/cdk.out/...)
      for (const command of spec.phases.build.commands as string[]) runs.push(await sh(`cd cdk.out && ${local(command)}`, root, env(aws.url)));
      expect(runs.map(r => r.code)).toEqual([0, 0]);
      expect(runs[0].stdout).toMatch(/^Publishing the assets of \/.+\/cdk\.out\/assembly-Staging\/StagingApi[A-Z0-9]+\.assets\.json except the stack templates StagingApi[A-Z0-9]+\.template\.json \(deployed from the build output\)$/m);
      expect(runs[0].stdout).toMatch(/^\[success\] Published /m);

      const puts = aws.calls.filter(c => c.what === 'PUT');
      // the Lambda code (a zip of a directory) of each API stack, into its account's bucket; not the
      // stack's template, which CodePipeline's CloudFormation actions read from the build output
      expect(puts.map(c => c.path.replace(/[0-9a-f]{64}/, '<hash>')).sort()).toEqual([
        '/cdk-hnb659fds-assets-222222222222-eu-west-1/<hash>.zip',
        '/cdk-hnb659fds-assets-333333333333-eu-west-1/<hash>.zip',
      ]);
      // every upload is signed with the assumed publishing role's credentials, not the build role's
      expect(new Set(puts.map(c => c.key))).toEqual(new Set(['ASIAPUBLISHING']));
      const assumed = [...new Set(aws.calls.filter(c => c.what === 'AssumeRole').map(c => c.roleArn))].sort();
      expect(assumed).toEqual([
        'arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-eu-west-1',
        'arn:aws:iam::333333333333:role/cdk-hnb659fds-file-publishing-role-333333333333-eu-west-1',
      ]);
      // and the project's role may assume exactly those
      expect(mayAssume).toEqual(assumed);
    } finally {
      await aws.close();
    }
  });

  test('a refused upload fails the command (exit 1) and names the asset', async () => {
    const aws = await fakeAws(true);
    try {
      const run = await sh(local(spec.phases.build.commands[0]), root, env(aws.url));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^failed: [0-9a-f]{64}:[^\n]*Access Denied/m);
    } finally {
      await aws.close();
    }
  });
});

describe('the PublishAssets commands of a stage with only Docker image assets', () => {
  const { spec, local, env, mayAssume, install, remove } = synthesized('ImagesPipeline', (app) => {
    const pipelineStack = new Stack(app, 'ImagesPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stage = new Stage(app, 'Images', { env: { account: '222222222222', region: 'eu-west-1' } });
    const api = new Stack(stage, 'Api', { stackName: 'images-api' });
    new lambda.DockerImageFunction(api, 'Fn', { code: lambda.DockerImageCode.fromImageAsset(path.join(__dirname, 'docker-asset')) });
    new DeliveryPipeline(pipelineStack, 'Pipeline', props({
      environments: [{ name: 'prod', production: true, account: '222222222222', deployments: [DeploymentTarget.cdkStage(stage)] }],
    }));
  });

  beforeAll(install);
  afterAll(remove);

  test('assume only the image-publishing role, the one the project may assume (regression: the stack template was published as the file-publishing role: AccessDenied)', async () => {
    const aws = await fakeAws();
    try {
      const runs = [];
      for (const command of spec.phases.build.commands as string[]) runs.push(await sh(local(command), '/', env(aws.url)));
      expect(runs.map(r => r.code)).toEqual([0]);
      expect(runs[0].stderr).not.toMatch(/failed|denied/i);
      expect(runs[0].stdout).toMatch(/^Publishing the assets of \/.+\/cdk\.out\/assembly-Images\/ImagesApi[A-Z0-9]+\.assets\.json except the stack templates ImagesApi[A-Z0-9]+\.template\.json \(deployed from the build output\)$/m);
      // the image is in the repository already (DescribeImages finds it): nothing to build or push
      expect(runs[0].stdout).toMatch(/^\[found\] Found 222222222222\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/cdk-hnb659fds-container-assets-222222222222-eu-west-1:[0-9a-f]{64}$/m);
      const assumed = [...new Set(aws.calls.filter(c => c.what === 'AssumeRole').map(c => c.roleArn))];
      expect(assumed).toEqual(['arn:aws:iam::222222222222:role/cdk-hnb659fds-image-publishing-role-222222222222-eu-west-1']);
      expect(mayAssume).toEqual(assumed);
      // nothing goes to S3: the template stays in the build output
      expect(aws.calls.filter(c => c.what === 'PUT' || c.path.startsWith('/cdk-hnb659fds-assets'))).toEqual([]);
      // the ECR calls are signed with the assumed role's credentials
      expect(new Set(aws.calls.filter(c => c.what === 'DescribeImages').map(c => c.key))).toEqual(new Set(['ASIAPUBLISHING']));
    } finally {
      await aws.close();
    }
  });
});
