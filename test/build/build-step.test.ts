import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuildCache, BuildStep, DeliveryDefaults, QualityCheck, TestReport } from '../../src';
import { action, buildSpecOf, errorOf, flat, nagFindingsAfterSynth, newStack, pipelineIn } from '../util';

describe('BuildStep.commands', () => {
  test('renders one CodeBuild project with the install and build phases and everything as output', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ install: ['npm ci'], commands: ['npm run build', 'npm test'] }) });
    expect(buildSpecOf(stack)).toEqual({
      version: '0.2',
      phases: { install: { commands: ['npm ci'] }, build: { commands: ['npm run build', 'npm test'] } },
      artifacts: { files: ['**/*'] },
    });
    const a = action(stack, 'Build', 'Build');
    expect(a.ActionTypeId.Provider).toBe('CodeBuild');
    expect(a.InputArtifacts).toEqual([{ Name: 'Source' }]);
    expect(a.OutputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
  });

  test('test reports go to their own report group, which the project may write to', () => {
    const stack = newStack();
    pipelineIn(stack, {
      buildStep: BuildStep.commands({
        commands: ['npm test'],
        testReports: [TestReport.junit('reports/*.xml'), TestReport.cucumber('features/*.json', { baseDirectory: 'out' })],
      }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CodeBuild::ReportGroup', 2);
    template.hasResourceProperties('AWS::CodeBuild::ReportGroup', { Type: 'TEST' });
    const reports = buildSpecOf(stack).reports;
    expect(Object.keys(reports)).toEqual([
      expect.stringMatching(/^<ShopBuildReport0ReportGroup[A-Z0-9]+\.Arn>$/),
      expect.stringMatching(/^<ShopBuildReport1ReportGroup[A-Z0-9]+\.Arn>$/),
    ]);
    expect(Object.values(reports)).toEqual([
      { 'files': ['reports/*.xml'], 'file-format': 'JUNITXML' },
      { 'files': ['features/*.json'], 'file-format': 'CUCUMBERJSON', 'base-directory': 'out' },
    ]);
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ShopBuildProjectRoleDefaultPolicy'));
    const statements = flat((policy![1] as any).Properties.PolicyDocument.Statement);
    const reportStatement = statements.find((x: any) => [].concat(x.Action).includes('codebuild:BatchPutTestCases' as never)
      && [].concat(x.Resource).some((r: string) => r.startsWith('<ShopBuildReport0ReportGroup')));
    expect(reportStatement).toBeDefined();
    expect([].concat(reportStatement.Action).sort()).toEqual(['codebuild:BatchPutTestCases', 'codebuild:CreateReport', 'codebuild:UpdateReport']);
  });

  test('outputs, environment variables, image, compute, timeout and privileged reach the project', () => {
    const stack = newStack();
    pipelineIn(stack, {
      buildStep: BuildStep.commands({
        commands: ['make'],
        outputs: ['dist/**/*'],
        outputDirectory: 'build',
        environmentVariables: { NODE_ENV: 'test' },
        buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
        computeType: codebuild.ComputeType.LARGE,
        timeout: Duration.minutes(30),
        privileged: true,
      }),
    });
    expect(buildSpecOf(stack).artifacts).toEqual({ 'files': ['dist/**/*'], 'base-directory': 'build' });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        ComputeType: 'BUILD_GENERAL1_LARGE',
        Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0',
        PrivilegedMode: true,
        EnvironmentVariables: [{ Name: 'NODE_ENV', Type: 'PLAINTEXT', Value: 'test' }],
      }),
      TimeoutInMinutes: 30,
    });
  });

  test('defaults: standard 7.0 image, small compute, not privileged, artifacts encrypted with the aws/s3 key', () => {
    const stack = newStack();
    pipelineIn(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false }),
    });
    const project = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(flat(project.Properties.EncryptionKey)).toBe('arn:aws:kms:eu-west-1:111111111111:alias/aws/s3');
  });

  test('a local cache with paths uses the source and custom modes and lists the paths', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.local({ paths: ['node_modules/**/*'] }) }) });
    expect(buildSpecOf(stack).cache).toEqual({ paths: ['node_modules/**/*'] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_SOURCE_CACHE', 'LOCAL_CUSTOM_CACHE'] },
    });
  });

  test('an S3 cache uses the bucket and prefix', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Cache');
    const pipeline = pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.s3(bucket, { prefix: 'shop', paths: ['node_modules/**/*'] }) }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Cache: { Type: 'S3', Location: { 'Fn::Join': ['/', [{ Ref: Match.stringLikeRegexp('Cache') }, 'shop']] } },
    });
    expect(pipeline.describe().buildStep.details).toContain('S3 cache: node_modules/**/*');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cacheWithoutPaths'))).toEqual([]);
  });

  test('a local cache without paths or Docker layers warns that its source cache keeps nothing of a CodePipeline artifact', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.local() }) });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cacheWithoutPaths')).map(w => w.entry.data)).toEqual([
      "buildStep.cache is a local cache without paths or dockerLayers: it keeps only CodeBuild's source cache, the Git metadata of repositories CodeBuild "
      + "clones itself, not the files of the artifact CodePipeline passes. Pass paths, for example BuildCache.local({ paths: ['node_modules/**/*'] }), "
      + 'or dockerLayers: true, or leave cache out. [ack: delivery-pipeline:cacheWithoutPaths]',
    ]);
    const other = newStack();
    pipelineIn(other, { buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.local({ paths: ['node_modules/**/*'] }) }) });
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('cacheWithoutPaths'))).toEqual([]);
  });

  test('an S3 cache without paths warns that it keeps nothing, and the plan says so (regression: the plan said "S3 cache")', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.s3(new s3.Bucket(stack, 'Cache')) }) });
    expect(pipeline.describe().buildStep.details).toContain('S3 cache without paths (keeps nothing)');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cacheWithoutPaths')).map(w => w.entry.data)).toEqual([
      'buildStep.cache is an S3 cache without paths, so CodeBuild keeps nothing in it between builds. Pass paths, for example BuildCache.s3(bucket, '
      + "{ paths: ['node_modules/**/*'] }), or leave cache out. [ack: delivery-pipeline:cacheWithoutPaths]",
    ]);
  });
});

describe('BuildStep on Lambda compute', () => {
  test('a Lambda image runs on Lambda compute (1 GB) with no timeout, which CodeBuild does not take for Lambda', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm test'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }) });
    const project = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(project.Properties.Environment).toMatchObject({ Type: 'LINUX_LAMBDA_CONTAINER', ComputeType: 'BUILD_LAMBDA_1GB', PrivilegedMode: false });
    expect(project.Properties.TimeoutInMinutes).toBeUndefined();
    expect(project.Properties.Cache).toEqual({ Type: 'NO_CACHE' });
  });

  test('a Lambda compute type given with the Lambda image is kept', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm test'], buildImage: codebuild.LinuxArmLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, computeType: codebuild.ComputeType.LAMBDA_4GB }) });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ Type: 'ARM_LAMBDA_CONTAINER', ComputeType: 'BUILD_LAMBDA_4GB' }) });
  });
});

describe('BuildCache.s3 and cdk-nag', () => {
  test.each([
    ['a bucket of the app', (stack: any) => new s3.Bucket(stack, 'Cache', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' }), /^AwsSolutions-IAM5\[Resource::<Cache[0-9A-F]{8}\.Arn>\/\*\]/],
    ['an imported bucket', (stack: any) => s3.Bucket.fromBucketName(stack, 'Cache', 'acme-build-cache'), /^AwsSolutions-IAM5\[Resource::arn:(<AWS::Partition>|aws):s3:::acme-build-cache\/\*\]/],
  ])("the grant on %s's objects is marked with a reason, and nothing else stays reported", (_, makeBucket, finding) => {
    const stack = newStack();
    const bucket = makeBucket(stack);
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm ci'], cache: BuildCache.s3(bucket, { paths: ['node_modules/**/*'] }) }) });
    expect(nagFindingsAfterSynth(stack)).toEqual([]);
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const metadata = Object.entries(policy).find(([id]) => id.startsWith('ShopBuildProjectRoleDefaultPolicy'))![1] as any;
    const entry = metadata.Metadata.cdk_nag.rules_to_suppress.find((r: any) => r.reason.includes('S3 cache'));
    expect(entry.id).toBe('AwsSolutions-IAM5');
    expect(entry.applies_to).toHaveLength(1);
    expect(`AwsSolutions-IAM5[${entry.applies_to[0]}]`).toMatch(finding);
  });
});

describe('Windows build images', () => {
  const WINDOWS = codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0;
  const environmentOf = (stack: any) => (Object.entries(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
    .find(([id]) => id.startsWith('ShopBuildProject'))![1] as any).Properties.Environment;

  test('without a compute type, a Windows image runs on its own default (MEDIUM), and an ARM image keeps SMALL', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['dotnet build'], buildImage: WINDOWS }) });
    expect(environmentOf(stack)).toMatchObject({ Type: 'WINDOWS_SERVER_2019_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM' });
    expect((pipeline.describe() as any).buildStep.details).toContain('compute BUILD_GENERAL1_MEDIUM');
    const arm = newStack();
    pipelineIn(arm, { buildStep: BuildStep.commands({ commands: ['x'], buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0 }) });
    expect(environmentOf(arm)).toMatchObject({ Type: 'ARM_CONTAINER', ComputeType: 'BUILD_GENERAL1_SMALL' });
  });

  test("DeliveryDefaults' SMALL gives way to a part's Windows image", () => {
    const stack = newStack();
    DeliveryDefaults.applyTo(stack.node.root, { computeType: codebuild.ComputeType.SMALL });
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['dotnet build'], buildImage: WINDOWS }) });
    expect(environmentOf(stack)).toMatchObject({ ComputeType: 'BUILD_GENERAL1_MEDIUM' });
  });

  test('privileged mode and SMALL are refused with what fits a Windows image', () => {
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], buildImage: WINDOWS, privileged: true }) })))
      .toBe("'PipelineStack/Shop': buildStep.privileged does not fit the build environment (CodeBuild: Windows images do not support privileged mode), "
        + 'got image aws/codebuild/windows-base:2019-3.0, compute BUILD_GENERAL1_MEDIUM, privileged. Windows images have no privileged mode (no Docker daemon to run): '
        + 'leave privileged out, or run Docker on a Linux image such as codebuild.LinuxBuildImage.STANDARD_7_0.');
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], buildImage: WINDOWS, computeType: codebuild.ComputeType.SMALL }) })))
      .toBe("'PipelineStack/Shop': buildStep.computeType does not fit the build environment (CodeBuild: Windows images do not support the 'BUILD_GENERAL1_SMALL' compute type), "
        + 'got image aws/codebuild/windows-base:2019-3.0, compute BUILD_GENERAL1_SMALL. Windows images do not run on SMALL: choose codebuild.ComputeType.MEDIUM or LARGE, '
        + "or leave computeType out for the image's own (MEDIUM).");
  });
});

describe("CodeBuild's limit on an inline buildspec", () => {
  const synth = (stack: any, props: any) => {
    pipelineIn(stack, props);
    stack.node.root.synth();
  };
  const long = (n: number) => Array.from({ length: n }, (_, i) => `echo ${'x'.repeat(100)} ${i}`);

  test('a buildspec over 25,600 characters is refused, naming the commands and the size CloudFormation would receive', () => {
    expect(errorOf(() => synth(newStack(), { buildStep: BuildStep.commands({ commands: long(300) }) })))
      .toBe("'PipelineStack/Shop': buildStep.commands make an inline buildspec of 36,335 characters, more than the 25,600 CodeBuild takes in an inline buildspec "
        + '(the project would fail to deploy), got 300 commands. Move the commands into a script in the repository and run it from the buildspec, '
        + "for example commands: ['bash scripts/build.sh'].");
    expect(errorOf(() => synth(newStack(), { checks: [QualityCheck.commands('Lint', long(300))] })))
      .toMatch(/^'PipelineStack\/Shop': checks\[0\]\.commands make an inline buildspec of 3\d,\d{3} characters/);
  });

  test('with references in it, the known part alone decides; a buildspec under the limit is kept', () => {
    expect(errorOf(() => synth(newStack(), { buildStep: BuildStep.commands({ commands: long(300), testReports: [TestReport.junit('r/*.xml')] }) })))
      .toMatch(/^'PipelineStack\/Shop': buildStep\.commands make an inline buildspec of at least 36,\d{3} characters/);
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: long(200), testReports: [TestReport.junit('r/*.xml')] }) });
    expect(buildSpecOf(stack).phases.build.commands).toHaveLength(200);
  });
});

describe('paths outside the working directory', () => {
  test.each([['/abs/**/*'], ['../x/**/*'], ['dist/../../x/*'], ['dist\\*']])('an outputs glob %s is refused like outputDirectory', glob => {
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], outputs: ['cdk.out/**/*', glob] }) })))
      .toBe('\'PipelineStack/Shop\': buildStep.outputs[1] must be a glob inside the build\'s working directory (or outputDirectory): relative, without \'..\' or \'\\\', '
        + `got '${glob}'. Pass a glob such as 'dist/**/*', and set outputDirectory for the directory it is relative to.`);
  });

  test.each([['/tmp/r'], ['../reports'], ['reports/../../x']])("a test report's baseDirectory %p is refused", dir => {
    expect(errorOf(() => pipelineIn(newStack(), { buildStep: BuildStep.commands({ commands: ['x'], testReports: [TestReport.junit('*.xml', { baseDirectory: dir })] }) })))
      .toBe('\'PipelineStack/Shop\': buildStep.testReports[0].baseDirectory must be a directory inside the build\'s working directory: relative, without \'..\', \'\\\', '
        + `quotes or '$', got '${dir}'. Pass a directory such as 'reports' or 'packages/api/reports'.`);
  });

  test('relative globs and directories are kept', () => {
    const stack = newStack();
    pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['x'], outputs: ['dist/**/*', './cdk.out/**/*'], testReports: [TestReport.junit('*.xml', { baseDirectory: 'reports/unit' })] }) });
    expect(buildSpecOf(stack).artifacts.files).toEqual(['dist/**/*', './cdk.out/**/*']);
  });
});
