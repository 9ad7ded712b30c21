import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuildStep, DeploymentTarget, PipelineSource, QualityCheck, Verification } from '../../src';
import { action, actionsOf, errorOf, flat, newApp, newStack, pipelineIn, stageNames } from '../util';

describe('QualityCheck', () => {
  test('checks run in parallel in a Checks stage after the build', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan(), QualityCheck.commands('Lint', ['npm run lint'])] });
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'Checks']);
    expect(actionsOf(stack, 'Checks')).toEqual(['DependencyAudit@1', 'SourceCodeScan@1', 'Lint@1']);
  });

  test('no checks, no Checks stage', () => {
    const stack = newStack();
    pipelineIn(stack);
    expect(stageNames(stack)).toEqual(['Source', 'Build']);
  });

  test('the dependency audit defaults to npm audit at level high on the source, with the build output as extra input', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit()] });
    const a = action(stack, 'Checks', 'DependencyAudit');
    expect(a.InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'BuildOutput' }]);
    expect(a.Configuration.PrimarySource).toBe('Source');
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.serializedJson({ version: '0.2', phases: { build: { commands: ['npm audit --audit-level=high'] } } }) },
    });
  });

  test('the dependency audit command and name can be replaced', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit({ command: 'pip-audit -r requirements.txt', name: 'PipAudit', install: ['pip install pip-audit'] })] });
    expect(actionsOf(stack, 'Checks')).toEqual(['PipAudit@1']);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.serializedJson({ version: '0.2', phases: { install: { commands: ['pip install pip-audit'] }, build: { commands: ['pip-audit -r requirements.txt'] } } }) },
    });
  });

  test('the source scan is an Amazon Inspector action with the thresholds (critical defaults to 0)', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.sourceCodeScan({ highThreshold: 2 })] });
    const a = action(stack, 'Checks', 'SourceCodeScan');
    expect(a.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'InspectorScan', Version: '1' });
    expect(a.Configuration).toEqual({ InspectorRunMode: 'SourceCodeScan', CriticalThreshold: 0, HighThreshold: 2 });
    expect(a.InputArtifacts).toEqual([{ Name: 'Source' }]);
  });

  test('a threshold given as null (JavaScript) is left out, as undefined is: critical stays 0, the others unchecked', () => {
    const stack = newStack();
    const options = { criticalThreshold: null, highThreshold: null, mediumThreshold: 3 } as any;
    const pipeline = pipelineIn(stack, { checks: [QualityCheck.sourceCodeScan(options)] });
    expect(action(stack, 'Checks', 'SourceCodeScan').Configuration).toEqual({ InspectorRunMode: 'SourceCodeScan', CriticalThreshold: 0, MediumThreshold: 3 });
    expect(pipeline.describe().checks[0].summary).toBe('Amazon Inspector source code scan, fails on critical > 0 or medium > 3');
  });

  test('the source scan is refused in the China Regions, where CodePipeline has no InspectorScan action', () => {
    expect(errorOf(() => pipelineIn(newStack('111111111111', 'cn-north-1'), { checks: [QualityCheck.dependencyAudit(), QualityCheck.sourceCodeScan()] })))
      .toBe("'PipelineStack/Shop': checks[1] is an Amazon Inspector source code scan (CodePipeline's InspectorScan action), which CodePipeline does not offer "
        + "in the China Regions, got the pipeline stack's region 'cn-north-1'. Run a scanner in CodeBuild with QualityCheck.commands() instead, or place the pipeline stack in another Region.");
    // the other checks are fine there
    const stack = newStack('111111111111', 'cn-northwest-1');
    pipelineIn(stack, { checks: [QualityCheck.dependencyAudit()] });
    expect(actionsOf(stack, 'Checks')).toEqual(['DependencyAudit@1']);
  });
});

describe('rolePolicyStatements: permissions for commands that call AWS', () => {
  /** The statements of the default policy of the role whose logical id starts with `rolePrefix`. */
  function roleStatements(stack: Stack, rolePrefix: string): any[] {
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
    const policy = policies.find(p => p.Properties.Roles[0].Ref.startsWith(rolePrefix));
    return policy ? flat(policy.Properties.PolicyDocument.Statement) : [];
  }

  test('each part\'s statements go to its own CodeBuild project role only, and the plan lists them', () => {
    const stack = newStack();
    const codeArtifact = new iam.PolicyStatement({ actions: ['codeartifact:ReadFromRepository'], resources: ['arn:aws:codeartifact:eu-west-1:111111111111:repository/acme/npm'] });
    const scanner = new iam.PolicyStatement({ actions: ['securityhub:BatchImportFindings'], resources: ['arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default'] });
    const assume = new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::222222222222:role/shop-deployer'] });
    const readUrl = new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:222222222222:parameter/shop/url'] });
    const pipeline = pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['npm ci', 'npm test'], rolePolicyStatements: [codeArtifact] }),
      checks: [QualityCheck.commands('Findings', ['./report.sh'], { rolePolicyStatements: [scanner] })],
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], { rolePolicyStatements: [assume] })],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { rolePolicyStatements: [readUrl] })],
      }],
    });
    const expected: Array<[string, iam.PolicyStatement]> = [
      ['ShopBuildProjectRole', codeArtifact],
      ['ShopChecksFindingsProjectRole', scanner],
      ['ShopEnvironmentsprodDeployProjectRole', assume],
      ['ShopEnvironmentsprodSmokeProjectRole', readUrl],
    ];
    for (const [role, statement] of expected) {
      const json = stack.resolve(statement.toStatementJson());
      expect(roleStatements(stack, role)).toContainEqual(json);
      for (const [other] of expected.filter(([r]) => r !== role)) expect(roleStatements(stack, other)).not.toContainEqual(json);
    }
    const prod = pipeline._plan!.environments[0];
    expect(JSON.stringify(prod)).toContain('may: sts:AssumeRole');
    expect(JSON.stringify(prod)).toContain('may: ssm:GetParameter');
  });
});

describe('QualityCheck.imageScan: Amazon Inspector scans the image the build pushed', () => {
  function images(stack: Stack): ecr.IRepository {
    return new ecr.Repository(stack, 'Images', { repositoryName: 'shop' });
  }

  test('scans the repository at the change\'s commit id by default, with the thresholds (critical defaults to 0)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack), { highThreshold: 3 })] });
    const a = action(stack, 'Checks', 'ImageScan');
    expect(a.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'InspectorScan', Version: '1' });
    expect(a.Configuration).toEqual({
      InspectorRunMode: 'ECRImageScan',
      ECRRepositoryName: { Ref: expect.stringMatching(/^Images/) },
      ImageTag: '#{SourceVariables.CommitId}',
      CriticalThreshold: 0,
      HighThreshold: 3,
    });
    expect(a.InputArtifacts).toBeUndefined();
    expect(pipeline.describe().checks).toEqual([expect.objectContaining({
      name: 'ImageScan',
      kind: 'inspector-image-scan',
      summary: 'Amazon Inspector image scan of shop:#{SourceVariables.CommitId}, fails on critical > 0 or high > 3',
    })]);
  });

  test('the action role may pull exactly the scanned repository', () => {
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack))] });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => flat(p.Properties.PolicyDocument.Statement));
    const pull = statements.filter((s: any) => ([] as string[]).concat(s.Action).includes('ecr:BatchGetImage'));
    expect(pull).toEqual([{
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: expect.stringMatching(/^<Images[0-9A-F]{8}\.Arn>$/),
    }]);
  });

  test('an ECR source scans its own tag by default; an explicit tag wins', () => {
    const stack = newStack();
    const repo = images(stack);
    pipelineIn(stack, { source: PipelineSource.ecr({ repository: repo, tag: 'release' }), checks: [QualityCheck.imageScan(repo)] });
    expect(action(stack, 'Checks', 'ImageScan').Configuration.ImageTag).toBe('#{SourceVariables.ImageTag}');

    const other = newStack();
    pipelineIn(other, { checks: [QualityCheck.imageScan(images(other), { imageTag: 'v1.2.3', name: 'ScanApi' })] });
    expect(action(other, 'Checks', 'ScanApi').Configuration.ImageTag).toBe('v1.2.3');
  });

  test('an S3 source has no revision to tag with: the tag must be given', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Drop', 'shop-drop');
    expect(errorOf(() => pipelineIn(stack, { source: PipelineSource.s3({ bucket, key: 'shop.zip' }), checks: [QualityCheck.imageScan(images(stack))] })))
      .toBe("'PipelineStack/Shop': checks[0].imageTag must be given with an S3 source, which has no commit id to tag the image with, got undefined. "
        + "Pass the tag the build pushes, for example imageTag: 'latest' or a tag your S3 archive's build writes.");
  });

  test('a repository of another account or Region is refused: the action names it by name, in its own account and Region', () => {
    const stack = newStack();
    const shared = ecr.Repository.fromRepositoryArn(stack, 'Shared', 'arn:aws:ecr:eu-west-1:333333333333:repository/shop');
    expect(errorOf(() => pipelineIn(stack, { checks: [QualityCheck.imageScan(shared)] })))
      .toBe("'PipelineStack/Shop': checks[0].repository must be in the pipeline's account (111111111111): CodePipeline's InspectorScan action reads the repository by name, "
        + 'in its own account and Region, got a repository of account 333333333333 (arn:aws:ecr:eu-west-1:333333333333:repository/shop). '
        + 'Scan a repository of 111111111111 (replicate the image there with ECR replication), or run a scanner in CodeBuild with QualityCheck.commands().');
    const stack2 = newStack();
    const elsewhere = ecr.Repository.fromRepositoryArn(stack2, 'Elsewhere', 'arn:aws:ecr:us-east-1:111111111111:repository/shop');
    expect(errorOf(() => pipelineIn(stack2, { checks: [QualityCheck.imageScan(elsewhere)] })))
      .toContain("checks[0].repository must be in the pipeline's Region (eu-west-1)");
    // the same account and Region, imported by name or ARN, is fine
    const stack3 = newStack();
    pipelineIn(stack3, { checks: [QualityCheck.imageScan(ecr.Repository.fromRepositoryArn(stack3, 'Same', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop'))] });
    expect(action(stack3, 'Checks', 'ImageScan').Configuration.ECRRepositoryName).toBe('shop');
  });

  test('bad tags, thresholds and repositories are refused with the field named', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack), { imageTag: 'v1 final' })] })))
      .toBe("'PipelineStack/Shop': checks[0].imageTag must be an image tag (letters, digits, _ . -) or CodePipeline variables such as #{SourceVariables.CommitId}, "
        + "got 'v1 final'. Pass the tag the build pushes, for example 'v1.2.3' or '#{SourceVariables.CommitId}'.");
    expect(errorOf(() => pipelineIn(newStack(), { checks: [QualityCheck.imageScan(images(newStack()), { mediumThreshold: -2 })] })))
      .toContain('checks[0].mediumThreshold must be a whole number of findings, 0 or more, got -2.');
    expect(errorOf(() => pipelineIn(newStack(), { checks: [QualityCheck.imageScan('shop' as any)] })))
      .toBe("'PipelineStack/Shop': checks[0].repository must be an ecr.IRepository, got 'shop'. "
        + "Pass the ECR repository the build pushes the image to, for example ecr.Repository.fromRepositoryName(this, 'Images', 'shop').");
    expect(errorOf(() => pipelineIn(newStack(), { checks: [QualityCheck.imageScan(images(newStack()), { imagetag: 'v1' } as any)] })))
      .toContain('checks[0].imagetag');
    // an ECR source's name for it
    expect(errorOf(() => pipelineIn(newStack(), { checks: [QualityCheck.imageScan(images(newStack()), { tag: 'release' } as any)] })))
      .toBe("'PipelineStack/Shop': checks[0].tag is not a field of ImageScanOptions, got 'release'. Did you mean 'imageTag'? ImageScanOptions calls it imageTag; a field under another name would be ignored.");
  });

  test('a tag Docker would refuse, or a source variable the source does not set, is refused', () => {
    const scan = (imageTag: string, extra: object = {}) => {
      const stack = newStack();
      return errorOf(() => pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack), { imageTag })], ...extra }));
    };
    expect(scan('.v1')).toBe("'PipelineStack/Shop': checks[0].imageTag must not start with '.' or '-' (Docker image tags do not), got '.v1'. "
      + "Pass the tag the build pushes, for example 'v1.2.3' or '#{SourceVariables.CommitId}'.");
    expect(scan('v'.repeat(129))).toContain('checks[0].imageTag must be at most 128 characters (Docker image tags are)');
    expect(scan('#{SourceVariables.CommitId}', { source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(newStack(), 'Drop', 'shop-drop'), key: 'shop.zip' }) }))
      .toBe("'PipelineStack/Shop': checks[0].imageTag names #{SourceVariables.CommitId}, a variable the pipeline's S3 source does not set (it sets ETag, VersionId), "
        + "got '#{SourceVariables.CommitId}'. Use one of its variables, or a literal tag.");
    expect(scan('#{SourceVariables.ImageTag}')).toContain("a variable the pipeline's GitHub source does not set (it sets AuthorDate, BranchName, CommitId, "
      + "CommitMessage, ConnectionArn, FullRepositoryName), got '#{SourceVariables.ImageTag}'. Use one of its variables, for example '#{SourceVariables.CommitId}', or a literal tag.");
    // variables stand for parts of the tag; other namespaces are CodePipeline's to resolve
    const stack = newStack();
    pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack), { imageTag: 'build-#{SourceVariables.CommitId}-#{codepipeline.PipelineExecutionId}' })] });
    expect(action(stack, 'Checks', 'ImageScan').Configuration.ImageTag).toBe('build-#{SourceVariables.CommitId}-#{codepipeline.PipelineExecutionId}');
  });

  test('a repository of another account defined in the app is named by its construct path', () => {
    const app = newApp();
    const pipelineStack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const other = new Stack(app, 'Shared', { env: { account: '222222222222', region: 'eu-west-1' } });
    const repo = new ecr.Repository(other, 'Images', { repositoryName: 'shop' });
    expect(errorOf(() => pipelineIn(pipelineStack, { checks: [QualityCheck.imageScan(repo)] })))
      .toContain('got a repository of account 222222222222 (Shared/Images). Scan a repository of 111111111111');
  });

  test('scan names leave room for their report artifact, and two scans may not write one artifact', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack), { name: 'S'.repeat(95) })] })))
      .toBe(`'PipelineStack/Shop': checks[0].name must be at most 94 characters: the scan writes its report to the artifact '<name>Report', whose name may be 100, got '${'S'.repeat(95)}'. `
        + "Use a shorter name, for example 'ImageScan'.");
    expect(errorOf(() => pipelineIn(newStack(), { checks: [QualityCheck.sourceCodeScan({ name: 'Scan.A' }), QualityCheck.sourceCodeScan({ name: 'Scan_A' })] })))
      .toBe("'PipelineStack/Shop': checks[1].name gives the report artifact the same name as checks[0] ('Scan.A'): 'Scan_AReport' ('.' and '@' become '_' in artifact names), "
        + "got 'Scan_A'. Give the scans names that differ in more than those characters.");
  });

  test('the image scan is refused in the China Regions, where CodePipeline has no InspectorScan action', () => {
    const stack = newStack('111111111111', 'cn-north-1');
    expect(errorOf(() => pipelineIn(stack, { checks: [QualityCheck.imageScan(images(stack))] })))
      .toBe("'PipelineStack/Shop': checks[0] is an Amazon Inspector image scan (CodePipeline's InspectorScan action), which CodePipeline does not offer "
        + "in the China Regions, got the pipeline stack's region 'cn-north-1'. Run a scanner in CodeBuild with QualityCheck.commands() instead, or place the pipeline stack in another Region.");
  });
});

describe('rolePolicyStatements in the plan', () => {
  test('NotAction, Deny and NotResource read as IAM reads them', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      buildStep: BuildStep.commands({
        commands: ['x'],
        rolePolicyStatements: [
          new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] }),
          new iam.PolicyStatement({ actions: ['s3:GetObject'], notResources: ['arn:aws:s3:::secret/*'] }),
        ],
      }),
      checks: [QualityCheck.commands('Lint', ['x'], {
        rolePolicyStatements: [
          new iam.PolicyStatement({ effect: iam.Effect.DENY, notActions: ['s3:GetObject', 's3:ListBucket'], resources: ['*'] }),
          new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteObject'], resources: ['*'] }),
        ],
      })],
    });
    const plan = pipeline.describe() as any;
    expect(plan.buildStep.details).toEqual(expect.arrayContaining([
      'may: every action except iam:*',
      'may: s3:GetObject on every resource except arn:aws:s3:::secret/*',
    ]));
    expect(plan.buildStep.details).not.toContain('may: iam:*');
    expect(plan.checks[0].details).toEqual(expect.arrayContaining(['denied: every action except s3:GetObject, s3:ListBucket', 'denied: s3:DeleteObject']));
  });
});
