import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Aspects, CfnParameter, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, DockerImageAssetLocation, FileAssetLocation, ISynthesisSession,
  LegacyStackSynthesizer, NestedStack, Stack, StackSynthesizer,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codepipeline_actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Approval, BuildCache, BuildStep, DeliveryPipeline, DeliveryPipelineProps, DeliveryPolicy, DeploymentTarget, DeploymentWindow, EnvironmentOptions,
  PolicyRule, QualityCheck, ReleaseMode, Verification,
} from '../../src';
import { PLAN_METADATA_TYPE, PlanDocument } from '../../src/model/plan-document';
import { action, cfnTarget, env, errorOf, flat, nagFindingsAfterSynth, newApp, newStack, pipelineIn, pipelineProps, props, stageNames } from '../util';

describe('DeliveryPipeline', () => {
  test('renders a V2 pipeline: source, build, checks?, then the environments in order', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('dev'), env('staging'), env('prod', { production: true })] });
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'dev', 'staging', 'prod']);
    expect(pipelineProps(stack)).toMatchObject({ PipelineType: 'V2', ExecutionMode: 'QUEUED', RestartExecutionOnUpdate: false });
  });

  test('execution mode and pipeline name are configurable', () => {
    const stack = newStack();
    pipelineIn(stack, { executionMode: codepipeline.ExecutionMode.SUPERSEDED, pipelineName: 'shop-delivery' });
    expect(pipelineProps(stack)).toMatchObject({ ExecutionMode: 'SUPERSEDED', Name: 'shop-delivery' });
  });

  test('PARALLEL execution mode with environments warns that changes can deploy at once and an older one can stay deployed (regression: accepted silently)', () => {
    const parallelDeployments = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('parallelDeployments')).map(w => w.entry.data);
    const intro = 'The pipeline runs in PARALLEL execution mode and deploys to environments (%s): its executions run independently, so two changes can deploy to '
      + 'the same environment at once, and an older change that finishes last stays deployed. ';
    const staging = newStack();
    pipelineIn(staging, { executionMode: codepipeline.ExecutionMode.PARALLEL, environments: [env('dev'), env('staging')] });
    expect(parallelDeployments(staging)).toEqual([intro.replace('%s', "'dev', 'staging'")
      + 'Use codepipeline.ExecutionMode.QUEUED (the default) or SUPERSEDED for a pipeline that deploys, or acknowledge this warning when these environments can take it. '
      + '[ack: delivery-pipeline:parallelDeployments]']);
    // production: stronger words
    const prod = newStack();
    pipelineIn(prod, { executionMode: codepipeline.ExecutionMode.PARALLEL, environments: [env('staging'), env('prod', { production: true })] });
    expect(parallelDeployments(prod)).toEqual([intro.replace('%s', "'staging', 'prod'")
      + "That includes production ('prod'): an older change can replace a newer one in front of your users, and CodePipeline does not roll stages back in "
      + 'PARALLEL mode. Use codepipeline.ExecutionMode.QUEUED (the default) or SUPERSEDED for a pipeline that deploys. [ack: delivery-pipeline:parallelDeployments]']);
    // a pipeline that deploys nothing (pull requests), and one that waits in a queue, do not warn
    const ci = newStack();
    pipelineIn(ci, { executionMode: codepipeline.ExecutionMode.PARALLEL });
    const queued = newStack();
    pipelineIn(queued, { executionMode: codepipeline.ExecutionMode.SUPERSEDED, environments: [env('prod', { production: true })] });
    expect([...parallelDeployments(ci), ...parallelDeployments(queued)]).toEqual([]);
  });

  test('the artifact bucket blocks public access, is SSL-only and encrypted with the AWS managed KMS key in one account', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging')] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('a customer managed key with rotation is created only when an environment names another account', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging', { account: '111111111111' })] });
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
    const other = newStack();
    pipelineIn(other, { environments: [env('staging'), env('prod', { account: '333333333333' })] });
    Template.fromStack(other).hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    Template.fromStack(other).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
    });
  });

  test('a given artifact bucket is used as is', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Mine', { enforceSSL: true });
    pipelineIn(stack, { artifactBucket: bucket });
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 1);
    expect(JSON.stringify(pipelineProps(stack).ArtifactStore)).toContain('Mine');
  });

  test('a given artifact bucket without a KMS key is refused when an environment deploys to another account (regression: aws-cdk-lib\'s crossAccountKeys error)', () => {
    const fix = "Pass a bucket encrypted with a customer managed key, new s3.Bucket(this, 'Artifacts', { encryptionKey: new kms.Key(this, 'ArtifactsKey', "
      + "{ enableKeyRotation: true }) }), or import yours with s3.Bucket.fromBucketAttributes(this, 'Artifacts', { bucketName, encryptionKey }); "
      + 'or leave artifactBucket out for one the pipeline creates.';
    const why = "deploys to another account than the pipeline's, whose roles can read the artifacts only through a customer managed key the pipeline shares with them "
      + '(the aws/s3 key cannot be shared)';
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketName(stack, 'Mine', 'acme-artifacts'),
      environments: [env('staging'), env('prod', { account: '222222222222' })],
    }))).toBe(`'PipelineStack/Shop': artifactBucket has no KMS key (encryptionKey), but environment 'prod' ${why}, got bucket acme-artifacts without encryptionKey. ${fix}`);
    // added later, the same
    const stack2 = newStack();
    const pipeline = pipelineIn(stack2, { artifactBucket: new s3.Bucket(stack2, 'Mine'), environments: [env('staging')] });
    expect(errorOf(() => pipeline.addEnvironment(env('prod', { account: '222222222222' })))).toBe(
      `'PipelineStack/Shop': artifactBucket has no KMS key (encryptionKey), but environment 'prod' ${why}, got bucket PipelineStack/Mine without encryptionKey. ${fix}`);
  });

  test('an artifact bucket or cache bucket of a stack in another Region is refused naming the field (regression: aws-cdk-lib\'s CannotUseCrossEnvironment)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const virginia = new Stack(app, 'Virginia', { env: { account: '111111111111', region: 'us-east-1' } });
    const where = "of stack 'Virginia' (aws://111111111111/us-east-1), which the pipeline's stack (aws://111111111111/eu-west-1) cannot refer to: "
      + 'aws-cdk-lib refers to resources of other stacks of the same environment only';
    expect(errorOf(() => pipelineIn(stack, { artifactBucket: new s3.Bucket(virginia, 'Artifacts') }, 'A'))).toBe(
      `'PipelineStack/A': artifactBucket is an S3 bucket ${where}, got 'Virginia/Artifacts'. Use a bucket of a stack of the pipeline's account and Region `
      + "(CodePipeline keeps its artifacts in its own Region), or import it there with s3.Bucket.fromBucketAttributes(this, 'Artifacts', { bucketName, encryptionKey }).");
    const cache = BuildCache.s3(new s3.Bucket(virginia, 'Cache'));
    expect(errorOf(() => pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['npm test'], cache }) }, 'B'))).toBe(
      `'PipelineStack/B': buildStep.cache.bucket is an S3 bucket ${where}, got 'Virginia/Cache'. Use a bucket of a stack of the pipeline's account and Region `
      + "(CodeBuild reads its cache there), or import it there with s3.Bucket.fromBucketName(pipelineStack, 'Cache', '<name>').");
  });

  test('an artifact bucket imported from another Region, or encrypted with a key of another Region, is refused (regression: accepted)', () => {
    const ownBucket = "or leave artifactBucket out for an encrypted bucket of the pipeline's own.";
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketAttributes(stack, 'Virginia', { bucketName: 'acme-artifacts-use1', region: 'us-east-1' }),
    }, 'A'))).toBe("'PipelineStack/A': artifactBucket is a bucket in region us-east-1, but the pipeline is in region eu-west-1, and CodePipeline keeps "
      + "its artifacts in a bucket of the pipeline's region, got 'acme-artifacts-use1'. Pass a bucket of eu-west-1, or deploy the pipeline's stack in us-east-1; "
      + ownBucket);
    const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(errorOf(() => pipelineIn(stack, {
      artifactBucket: s3.Bucket.fromBucketAttributes(stack, 'Keyed', { bucketName: 'acme-artifacts', encryptionKey: kms.Key.fromKeyArn(stack, 'VirginiaKey', keyArn) }),
    }, 'B'))).toBe("'PipelineStack/B': artifactBucket.encryptionKey is a KMS key in region us-east-1, but the pipeline is in region eu-west-1, and CodePipeline "
      + `encrypts its artifacts with a key of the pipeline's region (one of another account too, when its key policy lets the pipeline's account use it), got '${keyArn}'. Import the bucket with a key of `
      + `eu-west-1 (a new key, or a replica of a multi-Region key), or deploy the pipeline's stack in us-east-1; ${ownBucket}`);
  });

  test('an artifact bucket encrypted with a key of another account of the pipeline\'s Region is accepted, with a warning about its key policy', () => {
    const stack = newStack();
    const encryptionKey = kms.Key.fromKeyArn(stack, 'SharedKey', 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    pipelineIn(stack, { artifactBucket: s3.Bucket.fromBucketAttributes(stack, 'Mine', { bucketName: 'acme-artifacts', region: 'eu-west-1', encryptionKey }) });
    expect(pipelineProps(stack).ArtifactStore).toEqual({
      Type: 'S3',
      Location: 'acme-artifacts',
      EncryptionKey: { Type: 'KMS', Id: 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedArtifactStoreOfAnotherAccount'))).toHaveLength(1);
  });

  test('a given artifact bucket with a KMS key serves an environment of another account', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    pipelineIn(stack, { artifactBucket: new s3.Bucket(stack, 'Mine', { encryptionKey }), environments: [env('prod', { account: '222222222222' })] });
    expect(JSON.stringify(pipelineProps(stack).ArtifactStore)).toContain('Key');
  });

  test('addEnvironment appends an environment and switches the default mode to continuous delivery', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack);
    expect(pipeline.releaseMode).toBe(ReleaseMode.CONTINUOUS_INTEGRATION);
    pipeline.addEnvironment(env('staging'));
    pipeline.addEnvironment(env('prod', { production: true }));
    expect(pipeline.releaseMode).toBe(ReleaseMode.CONTINUOUS_DELIVERY);
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'staging', 'prod']);
  });

  test('addEnvironment validates at once and leaves the pipeline unchanged on error', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging')] });
    expect(errorOf(() => pipeline.addEnvironment(env('staging')))).toContain("duplicates the name of environments[0] ('staging')");
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'staging']);
  });

  test('pipeline (escape hatch) is available after buildPipeline(); later addEnvironment fails clearly', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging')] });
    expect(errorOf(() => pipeline.pipeline)).toBe("'PipelineStack/Shop': pipeline is not built yet; call buildPipeline() before reading 'pipeline' (it is otherwise built just before synthesis).");
    pipeline.buildPipeline();
    expect(pipeline.pipeline).toBeInstanceOf(codepipeline.Pipeline);
    expect(pipeline.pipeline.stageCount).toBe(3);
    expect(errorOf(() => pipeline.addEnvironment(env('prod')))).toBe(
      "'PipelineStack/Shop': addEnvironment: cannot add environments after the pipeline was built (by buildPipeline(), grantApprove(), grantOperate(), grantRead() or grantArtifactsRead(), by a DeliveryPolicy that checked it, or just before synthesis, when every pipeline is built); add every environment first.");
  });

  test('isDeliveryPipeline', () => {
    const stack = newStack();
    expect(DeliveryPipeline.isDeliveryPipeline(pipelineIn(stack))).toBe(true);
    expect(DeliveryPipeline.isDeliveryPipeline(stack)).toBe(false);
  });

  test('two pipelines in one stack do not collide', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging')] }, 'Shop');
    pipelineIn(stack, { environments: [env('staging')] }, 'Billing');
    Template.fromStack(stack).resourceCountIs('AWS::CodePipeline::Pipeline', 2);
  });
});

describe('the CodeBuild actions\' role', () => {
  test('every CodeBuild action runs as one role that only the pipeline\'s role may assume, allowed to run exactly the pipeline\'s projects', () => {
    const stack = newStack();
    pipelineIn(stack, {
      checks: [QualityCheck.dependencyAudit(), QualityCheck.commands('Lint', ['npm run lint'])],
      environments: [env('staging', {
        deployments: [DeploymentTarget.commands('Migrate', ['./migrate.sh'])],
        verification: [Verification.commands('Smoke', ['./smoke.sh'])],
      })],
    });
    const roleArns = [['Build', 'Build'], ['Checks', 'DependencyAudit'], ['Checks', 'Lint'], ['staging', 'Migrate'], ['staging', 'Smoke']]
      .map(([stage, name]) => action(stack, stage, name).RoleArn);
    expect(roleArns).toEqual(roleArns.map(() => ({ 'Fn::GetAtt': [expect.stringMatching(/^ShopCodeBuildActionRole/), 'Arn'] })));
    const template = Template.fromStack(stack);
    const roles = template.findResources('AWS::IAM::Role');
    const roleId = roleArns[0]['Fn::GetAtt'][0];
    expect(roles[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^ShopPipelineRole/), 'Arn'] } },
    }]);
    // no role per CodeBuild action (the source action keeps its own); the pipeline's role may assume the shared one
    expect(Object.keys(roles).filter(id => /CodePipelineActionRole/.test(id))).toEqual([expect.stringMatching(/^ShopPipelineSource/)]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const statements = policies.find(p => p.Properties.Roles.some((r: any) => r.Ref === roleId)).Properties.PolicyDocument.Statement;
    // one statement (merged with @aws-cdk/aws-iam:minimizePolicies) or one per project
    for (const st of statements) {
      expect(st).toEqual({ Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'], Effect: 'Allow', Resource: expect.anything() });
    }
    const projects = Object.keys(template.findResources('AWS::CodeBuild::Project'));
    expect(projects).toHaveLength(5);
    expect(statements.flatMap((st: any) => [st.Resource].flat()).map((r: any) => r['Fn::GetAtt'][0]).sort()).toEqual([...projects].sort());
    const pipelineRoleId = roles[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS['Fn::GetAtt'][0];
    const pipelinePolicy = policies.find(p => p.Properties.Roles.some((r: any) => r.Ref === pipelineRoleId)).Properties.PolicyDocument.Statement;
    const assumable = pipelinePolicy.filter((st: any) => st.Action === 'sts:AssumeRole').flatMap((st: any) => [st.Resource].flat());
    expect(assumable).toContainEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  test('a CodeBuild action role that needs more than 10 managed policies gets a warning', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack);
    pipeline.buildPipeline();
    const role = pipeline.node.findChild('CodeBuildActionRole') as iam.Role;
    for (let i = 0; i < 120; i++) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['codebuild:StartBuild'],
        resources: Array.from({ length: 10 }, (_, j) => `arn:aws:codebuild:eu-west-1:111111111111:project/a-project-with-a-rather-long-name-${i}-${j}`),
      }));
    }
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Shop', Match.stringLikeRegexp('the CodeBuild action role needs \\d+ managed policies, more than IAM\'s default quota of 10 per role'));
  });
});

describe('cross-environment mistakes', () => {
  test('a pipelineName given as a token is refused when an environment deploys to another account (regression: aws-cdk-lib\'s cross-environment error)', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'PipelineName', { default: 'shop-delivery' }).valueAsString;
    const live = lambda.Alias.fromAliasAttributes(stack, 'Live', {
      aliasName: 'live', aliasVersion: lambda.Version.fromVersionArn(stack, 'Version', 'arn:aws:lambda:eu-west-1:222222222222:function:orders-api:1'),
    });
    expect(errorOf(() => pipelineIn(stack, {
      pipelineName: name,
      buildStep: BuildStep.commands({ commands: ['npm run package'], outputDirectory: 'pkg' }),
      environments: [env('staging'), { name: 'prod', account: '222222222222', deployments: [DeploymentTarget.lambdaFunction(live)] }],
    }))).toBe("'PipelineStack/Shop': pipelineName is a token (known at deploy time only), but environment 'prod' deploys a CodeDeploy, ECS or Lambda target "
      + 'to account 222222222222, whose resources for the pipeline (action roles, log group grants) name the pipeline and need its name at synth, got a token. '
      + "Pass the name as a string, for example pipelineName: 'shop-delivery' (a context value read with this.node.tryGetContext() is one), or leave it out for a generated name.");
    // in the pipeline's account, a token is fine
    const same = newStack();
    pipelineIn(same, { pipelineName: new CfnParameter(same, 'PipelineName', { default: 'shop-delivery' }).valueAsString, environments: [env('staging')] });
    expect(pipelineProps(same).Name).toEqual({ Ref: 'PipelineName' });
    // a deploy script or a CloudFormation target of another account creates nothing there that names the pipeline (regression: refused)
    const scripts = newStack();
    pipelineIn(scripts, {
      pipelineName: new CfnParameter(scripts, 'PipelineName', { default: 'shop-delivery' }).valueAsString,
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh']), cfnTarget('shop-prod')] }],
    });
    expect(pipelineProps(scripts).Name).toEqual({ Ref: 'PipelineName' });
  });

  test('fails when two pipelines share a name in one account and region', () => {
    const stack = newStack();
    pipelineIn(stack, { pipelineName: 'shop' }, 'Shop');
    expect(errorOf(() => pipelineIn(stack, { pipelineName: 'shop' }, 'Billing'))).toBe(
      "'PipelineStack/Billing': pipelineName is already the name of the pipeline 'PipelineStack/Shop' in the same account and region, got 'shop'. Give each pipeline its own pipelineName, or leave it out to let CloudFormation generate one.");
  });

  test('two stacks that name no account or region are told so, not that they share one (regression: "in the same account and region")', () => {
    const app = newApp();
    new DeliveryPipeline(new Stack(app, 'A'), 'Shop', props({ pipelineName: 'shop' }));
    expect(errorOf(() => new DeliveryPipeline(new Stack(app, 'B'), 'Shop', props({ pipelineName: 'shop' })))).toBe(
      "'B/Shop': pipelineName is already the name of the pipeline 'A/Shop' whose stack names the same account and region, or none "
      + "(both deploy where the credentials point), got 'shop'. Give each pipeline its own pipelineName, or leave it out to let CloudFormation generate one.");
  });

  test('the same name in another region is fine', () => {
    const app = newApp();
    new DeliveryPipeline(new Stack(app, 'A', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Shop', props({ pipelineName: 'shop' }));
    new DeliveryPipeline(new Stack(app, 'B', { env: { account: '111111111111', region: 'us-east-1' } }), 'Shop', props({ pipelineName: 'shop' }));
    expect(app.synth().stacks).toHaveLength(2);
  });

  test('fails when an environment names a region but the pipeline stack has none', () => {
    const stack = new Stack(newApp(), 'Agnostic');
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({ environments: [env('prod', { region: 'us-east-1' })] })))).toBe(
      "'Agnostic/Shop': environments[0] ('prod').region names a region, but the pipeline's stack has no explicit region (cross-region deployments need one for the artifact replication bucket), got 'us-east-1'. Give the pipeline's stack an environment: new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } }).");
  });

  test('fails when an environment names another region but the pipeline stack has no account (regression: aws-cdk-lib\'s ExplicitAccountRequiredForCrossRegion)', () => {
    const deploy = (region: string) => () => new DeliveryPipeline(new Stack(newApp(), 'RegionOnly', { env: { region: 'eu-west-1' } }), 'Shop', props({
      environments: [{ name: 'prod', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 't.json', region })] }],
    }));
    expect(errorOf(deploy('us-east-1'))).toBe(
      "'RegionOnly/Shop': environments[0] ('prod').deployments[0].region names a region other than the pipeline's (eu-west-1), but the pipeline's stack has no "
      + "explicit account (cross-region deployments need one for the artifact replication bucket), got 'us-east-1'. Give the pipeline's stack an environment: "
      + "new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } }).");
    // its own region is no cross-region deployment
    expect(deploy('eu-west-1')).not.toThrow();
  });

  test('fails when created outside a stack', () => {
    const app = newApp();
    expect(errorOf(() => new DeliveryPipeline(app, 'Shop', props()))).toBe(
      "'Shop': scope is not inside a Stack. Create the DeliveryPipeline in a Stack: new DeliveryPipeline(stack, 'Pipeline', {...}).");
  });
});

describe('grantApprove', () => {
  test('grants PutApprovalResult on exactly the approval actions, and reading the pipeline', () => {
    const stack = newStack();
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({
      environments: [env('staging', { approval: Approval.manual() }), env('prod', { production: true })],
    }));
    const role = new iam.Role(stack, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = pipeline.grantApprove(role);
    expect(grant.success).toBe(true);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const policy = Object.entries(policies).find(([id]) => id.startsWith('ReleaseManagersDefaultPolicy'));
    const statements = flat((policy![1] as any).Properties.PolicyDocument.Statement);
    const arn = expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/);
    expect(statements).toHaveLength(2);
    const approve = statements.find((x: any) => x.Action === 'codepipeline:PutApprovalResult');
    expect([...approve.Resource].sort()).toEqual([
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/prod\/Approve$/),
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/staging\/Approve$/),
    ]);
    const read = statements.find((x: any) => x.Action !== 'codepipeline:PutApprovalResult');
    expect([...read.Action].sort()).toEqual([
      'codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState',
      'codepipeline:ListActionExecutions', 'codepipeline:ListPipelineExecutions', 'codepipeline:ListRuleExecutions',
    ]);
    expect(read.Resource).toEqual(arn);
  });

  test('grants OverrideStageCondition (cdk-delivery override) on exactly the environments with a window or alarms, and on the pipeline', () => {
    const stack = newStack();
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({
      environments: [
        env('dev'),
        env('staging', { verification: [Verification.alarms([errors])] }),
        env('prod', { production: true, deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Paris') }),
      ],
    }));
    const role = new iam.Role(stack, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    expect(pipeline.grantApprove(role).success).toBe(true);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const policy = Object.entries(policies).find(([id]) => id.startsWith('ReleaseManagersDefaultPolicy'));
    const statements = flat((policy![1] as any).Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(3);
    const override = statements.find((x: any) => [].concat(x.Action).includes('codepipeline:OverrideStageCondition' as never));
    expect(override.Action).toEqual('codepipeline:OverrideStageCondition');
    expect([...override.Resource].sort()).toEqual([
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/),
      // not dev: it has no condition to override
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/prod$/),
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/staging$/),
    ]);
  });

  test('grants OverrideStageCondition on an environment whose only condition is blockWhileAlarming (its entry alarms)', () => {
    const stack = newStack();
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({
      environments: [env('staging'), env('prod', { production: true, blockWhileAlarming: [errors] })],
    }));
    const role = new iam.Role(stack, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    expect(pipeline.grantApprove(role).success).toBe(true);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const policy = Object.entries(policies).find(([id]) => id.startsWith('ReleaseManagersDefaultPolicy'));
    const statements = flat((policy![1] as any).Properties.PolicyDocument.Statement);
    const override = statements.find((x: any) => [].concat(x.Action).includes('codepipeline:OverrideStageCondition' as never));
    expect([...override.Resource].sort()).toEqual([
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/),
      expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/prod$/),
    ]);
  });

  test("counts an approval action a target's factory makes (regression: its approvers got no PutApprovalResult)", () => {
    const stack = newStack();
    const signOff = DeploymentTarget.fromActionFactory('SignOff', {
      produceAction: (_scope, o) => new codepipeline_actions.ManualApprovalAction({ actionName: o.actionName, runOrder: o.runOrder }),
    });
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({ environments: [env('staging', { deployments: [signOff, cfnTarget()] })] }));
    const role = new iam.Role(stack, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    expect(pipeline.grantApprove(role).success).toBe(true);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const policy = Object.entries(policies).find(([id]) => id.startsWith('ReleaseManagersDefaultPolicy'));
    const approve = flat((policy![1] as any).Properties.PolicyDocument.Statement).find((x: any) => x.Action === 'codepipeline:PutApprovalResult');
    expect(approve.Resource).toEqual(expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/staging\/SignOff$/));
  });

  test('fails clearly when the pipeline has no approval', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('staging')] });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(errorOf(() => pipeline.grantApprove(role))).toBe(
      "'PipelineStack/Shop': grantApprove: the pipeline has no approval actions (release mode CONTINUOUS_DEPLOYMENT). Continuous deployment has no approvals by design: grant read access only (grantRead), or use ReleaseMode.CONTINUOUS_DELIVERY for a person to decide.");
  });

  test('fails clearly when the grantee is not a grantable (regression: a TypeError from aws-cdk-lib\'s Grant)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('prod', { production: true })] });
    expect(errorOf(() => pipeline.grantApprove('arn:aws:iam::111111111111:role/release-managers' as any))).toBe(
      "'PipelineStack/Shop': grantApprove: grantee must be an iam.IGrantable (a role, user or group), got 'arn:aws:iam::111111111111:role/release-managers'. "
      + "Pass the release managers' role, for example iam.Role.fromRoleArn(this, 'ReleaseManagers', 'arn:aws:iam::111111111111:role/release-managers').");
    // regression: an object whose grantPrincipal is no principal ended in a TypeError
    expect(errorOf(() => pipeline.grantApprove({ grantPrincipal: 'x' } as any))).toMatch(/^'PipelineStack\/Shop': grantApprove: grantee must be an iam.IGrantable .*got an object\./);
  });
});

describe('grantRead', () => {
  const READS = [
    'codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState', 'codepipeline:ListActionExecutions',
    'codepipeline:ListPipelineExecutions', 'codepipeline:ListRuleExecutions',
  ];

  function statementsOf(stack: Stack): any[] {
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const policy = Object.entries(policies).find(([id]) => id.startsWith('ReadersDefaultPolicy'));
    return flat((policy![1] as any).Properties.PolicyDocument.Statement);
  }

  test('grants the pipeline reads, and BatchGetDeployments on exactly the deployment groups of its account', () => {
    const stack = newStack();
    const fleet = new codedeploy.ServerDeploymentGroup(stack, 'Fleet', { deploymentGroupName: 'shop-fleet' });
    const application = codedeploy.ServerApplication.fromServerApplicationName(stack, 'App', 'shop');
    const imported = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'ProdFleet', { application, deploymentGroupName: 'shop-prod' });
    const pipeline = pipelineIn(stack, {
      environments: [
        env('staging', { deployments: [DeploymentTarget.codeDeployServer(fleet)] }),
        env('prod', { production: true, deployments: [DeploymentTarget.codeDeployServer(imported), DeploymentTarget.commands('Cdn', ['./cdn.sh'])] }),
      ],
    });
    const readers = new iam.Role(stack, 'Readers', { assumedBy: new iam.AccountRootPrincipal() });
    expect(pipeline.grantRead(readers).success).toBe(true);
    const statements = statementsOf(stack);
    expect(statements).toHaveLength(2);
    expect([...statements[0].Action].sort()).toEqual(READS);
    expect(statements[0].Resource).toMatch(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/);
    expect(statements[1]).toEqual({ Effect: 'Allow', Action: 'codedeploy:BatchGetDeployments', Resource: expect.any(Array) });
    expect([...statements[1].Resource].sort()).toEqual([
      'arn:aws:codedeploy:eu-west-1:111111111111:deploymentgroup:<FleetApplication44C50E48>/<Fleet30813DF3>',
      'arn:aws:codedeploy:eu-west-1:111111111111:deploymentgroup:shop/shop-prod',
    ]);
    const actions = statements.flatMap((x: any) => [].concat(x.Action));
    expect(actions.filter((a: string) => !a.includes(':Get') && !a.includes(':List') && !a.includes(':BatchGet'))).toEqual([]);
  });

  test('the deployment group of another account is left out: its deployments cannot be read from the pipeline\'s account', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const prod = new Stack(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
    const application = codedeploy.ServerApplication.fromServerApplicationName(prod, 'App', 'shop');
    const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(prod, 'Fleet', { application, deploymentGroupName: 'shop-prod' });
    const pipeline = pipelineIn(stack, { environments: [env('prod', { production: true, account: '222222222222', deployments: [DeploymentTarget.codeDeployServer(group)] })] });
    pipeline.grantRead(new iam.Role(stack, 'Readers', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(statementsOf(stack).map((x: any) => x.Action)).toEqual([expect.arrayContaining(READS)]);
  });

  test('a pipeline without CodeDeploy targets gets the pipeline reads only; a reader of another account is refused', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging')] });
    pipeline.grantRead(new iam.Role(stack, 'Readers', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(statementsOf(stack)).toHaveLength(1);
    expect(errorOf(() => pipeline.grantRead(iam.Role.fromRoleArn(stack, 'Other', 'arn:aws:iam::222222222222:role/dashboards'))))
      .toContain("'PipelineStack/Shop': grantRead: grantee is a principal of account 222222222222, which cannot read a pipeline in account 111111111111");
    expect(errorOf(() => pipeline.grantRead(undefined as any))).toContain('grantRead: grantee must be an iam.IGrantable (a role, user or group), got undefined.');
  });
});

describe('grantOperate', () => {
  const PIPELINE_ARN = /^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/;
  const READ_AND_RUN = [
    'codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState', 'codepipeline:ListActionExecutions',
    'codepipeline:ListPipelineExecutions', 'codepipeline:ListRuleExecutions', 'codepipeline:RetryStageExecution', 'codepipeline:RollbackStage',
    'codepipeline:StartPipelineExecution', 'codepipeline:StopPipelineExecution',
  ];
  const STAGE_ACTIONS = ['codepipeline:DisableStageTransition', 'codepipeline:EnableStageTransition', 'codepipeline:RetryStageExecution', 'codepipeline:RollbackStage'];

  function statementsOf(stack: Stack, policyPrefix: string): any[] {
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const policy = Object.entries(policies).find(([id]) => id.startsWith(policyPrefix));
    return flat((policy![1] as any).Properties.PolicyDocument.Statement);
  }

  test('grants start, stop and reading on the pipeline, and freeze, unfreeze, retry and rollback on exactly the environments\' stages', () => {
    const stack = newStack();
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({
      environments: [env('staging'), env('prod', { production: true })],
      selfUpdate: true,
    }));
    const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = pipeline.grantOperate(role);
    expect(grant.success).toBe(true);
    const statements = statementsOf(stack, 'OnCallDefaultPolicy');
    expect(statements).toHaveLength(2);
    const onPipeline = statements.find((x: any) => x.Action.includes('codepipeline:StartPipelineExecution'));
    expect({ ...onPipeline, Action: [...onPipeline.Action].sort() }).toEqual({ Effect: 'Allow', Action: READ_AND_RUN, Resource: expect.stringMatching(PIPELINE_ARN) });
    const onStages = statements.find((x: any) => x.Action.includes('codepipeline:DisableStageTransition'));
    expect({ ...onStages, Action: [...onStages.Action].sort(), Resource: [...onStages.Resource].sort() }).toEqual({
      Effect: 'Allow',
      Action: STAGE_ACTIONS,
      // the environments only: not Source, Build or UpdatePipeline
      Resource: [
        expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/prod$/),
        expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/staging$/),
      ],
    });
  });

  test('never grants PutApprovalResult: approving stays grantApprove\'s separate duty', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging', { approval: Approval.manual() }), env('prod', { production: true })] });
    const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantOperate(role);
    const actions = statementsOf(stack, 'OnCallDefaultPolicy').flatMap((x: any) => [].concat(x.Action));
    expect(actions).not.toContain('codepipeline:PutApprovalResult');
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('a role of a stack in another region is granted the pipeline by a generated name (regression: aws-cdk-lib\'s CannotUseCrossEnvironment)', () => {
    const app = newApp();
    const iamStack = new Stack(app, 'Iam', { env: { account: '111111111111', region: 'us-east-1' } });
    const role = new iam.Role(iamStack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = pipelineIn(stack, { environments: [env('prod', { production: true })] });
    pipeline.grantOperate(role);
    pipeline.grantApprove(role);
    app.synth();
    const name = pipelineProps(stack).Name;
    expect(name).toMatch(/^[a-z0-9]+$/);
    const resources = statementsOf(iamStack, 'OnCallDefaultPolicy').flatMap((x: any) => [].concat(x.Resource)).map((r: unknown) => JSON.stringify(r));
    expect(resources.some((r: string) => r.includes(`:${name}`))).toBe(true);
    // a pipeline nobody refers to from elsewhere keeps CloudFormation's generated name
    const alone = newStack();
    pipelineIn(alone);
    expect(pipelineProps(alone).Name).toBeUndefined();
  });

  test.each([
    ['grantOperate', (p: DeliveryPipeline, g: iam.IGrantable) => p.grantOperate(g)],
    ['grantRead', (p: DeliveryPipeline, g: iam.IGrantable) => p.grantRead(g)],
    ['grantApprove', (p: DeliveryPipeline, g: iam.IGrantable) => p.grantApprove(g)],
  ])('%s refuses a principal that holds no IAM policy (regression: nothing was granted, silently)', (method, grant) => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('prod', { production: true })] });
    expect(errorOf(() => grant(pipeline, new iam.ServicePrincipal('lambda.amazonaws.com')))).toBe(
      `'PipelineStack/Shop': ${method}: grantee holds no IAM policy the grant could go into, got ServicePrincipal(lambda.amazonaws.com). `
      + "Grant a role, user or group, for example iam.Role.fromRoleArn(this, 'Operators', 'arn:aws:iam::111111111111:role/operators').");
  });

  test('a pipeline without environments (continuous integration) gets the pipeline statement only', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack);
    const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    expect(pipeline.grantOperate(role).success).toBe(true);
    const statements = statementsOf(stack, 'OnCallDefaultPolicy');
    expect(statements).toHaveLength(1);
    expect([...statements[0].Action].sort()).toEqual(READ_AND_RUN);
  });

  test('builds the pipeline: addEnvironment afterwards is an error naming grantOperate', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging')] });
    pipeline.grantOperate(new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(errorOf(() => pipeline.addEnvironment(env('prod')))).toContain('(by buildPipeline(), grantApprove(), grantOperate(), grantRead() or grantArtifactsRead()');
  });

  test('refuses a grantee that is not a grantable, and a role of another account, like grantApprove', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('prod', { production: true })] });
    expect(errorOf(() => pipeline.grantOperate('arn:aws:iam::111111111111:role/on-call' as any))).toBe(
      "'PipelineStack/Shop': grantOperate: grantee must be an iam.IGrantable (a role, user or group), got 'arn:aws:iam::111111111111:role/on-call'. "
      + "Pass the on-call role, for example iam.Role.fromRoleArn(this, 'OnCall', 'arn:aws:iam::111111111111:role/on-call').");
    const other = iam.Role.fromRoleArn(stack, 'Other', 'arn:aws:iam::222222222222:role/on-call');
    expect(errorOf(() => pipeline.grantOperate(other))).toBe(
      "'PipelineStack/Shop': grantOperate: grantee is a principal of account 222222222222, which cannot operate a pipeline in account 111111111111 "
      + '(CodePipeline has no resource-based policies, so the grant would allow nothing), got arn:aws:iam::222222222222:role/on-call. '
      + 'Grant a role of account 111111111111 that the operators of account 222222222222 may assume.');
    expect(pipeline.grantOperate(iam.Role.fromRoleArn(stack, 'Local', 'arn:aws:iam::111111111111:role/on-call')).success).toBe(true);
  });

  test('cdk-nag AwsSolutions stays clean: no wildcard in the grant', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true })] });
    const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantOperate(role);
    pipeline.grantApprove(role);
    expect(nagFindingsAfterSynth(stack)).toEqual([]);
  });
});

describe('approvers of another account', () => {
  // CodePipeline has no resource-based policies: a principal of another account can never call
  // PutApprovalResult on the pipeline, and aws-cdk-lib drops the grant to an imported role silently
  test('grantApprove refuses a role of another account instead of granting nothing', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('prod', { production: true })] });
    const role = iam.Role.fromRoleArn(stack, 'Approvers', 'arn:aws:iam::222222222222:role/release-managers');
    expect(errorOf(() => pipeline.grantApprove(role))).toBe(
      "'PipelineStack/Shop': grantApprove: grantee is a principal of account 222222222222, which cannot answer an approval of a pipeline in account 111111111111 "
      + '(CodePipeline has no resource-based policies, so the grant would allow nothing), got arn:aws:iam::222222222222:role/release-managers. '
      + 'Grant a role of account 111111111111 that the approvers of account 222222222222 may assume.');
    // a role of the pipeline's account, imported or not, is granted
    expect(pipeline.grantApprove(iam.Role.fromRoleArn(stack, 'Local', 'arn:aws:iam::111111111111:role/release-managers')).success).toBe(true);
  });

  test('Approval.manual({ approvers }) refuses a principal of another account at synth', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Approvers', 'arn:aws:iam::222222222222:role/release-managers');
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ approvers: [role] }) })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').approval.approvers[0] is a principal of account 222222222222, which cannot answer an approval of a pipeline "
      + 'in account 111111111111 (CodePipeline has no resource-based policies, so the grant would allow nothing), got arn:aws:iam::222222222222:role/release-managers. '
      + 'Pass a role of account 111111111111 that the approvers of account 222222222222 may assume.');
  });
});

describe('plan metadata', () => {
  test('the construct writes its plan into the cloud assembly', () => {
    const stack = newStack();
    pipelineIn(stack, { pipelineName: 'shop', environments: [env('staging'), env('prod', { production: true })] });
    const assembly = (stack.node.root as any).synth();
    const artifact = assembly.getStackByName('PipelineStack');
    const entries = artifact.findMetadataByType(PLAN_METADATA_TYPE);
    expect(entries).toHaveLength(1);
    expect(entries[0].path).toBe('/PipelineStack/Shop');
    const plan = entries[0].data as PlanDocument;
    expect(plan).toMatchObject({
      formatVersion: '1',
      constructPath: 'PipelineStack/Shop',
      pipelineName: 'shop',
      releaseMode: 'CONTINUOUS_DELIVERY',
      releaseModeDefaulted: true,
      executionMode: 'QUEUED',
      account: '111111111111',
      region: 'eu-west-1',
      source: { kind: 'GitHub', summary: 'acme/shop@main (CodeConnections)', branch: 'main', triggers: ['every push to main'] },
    });
    expect(plan.environments.map(e => [e.name, e.production, e.gates.map(g => [g.kind, g.addedByDefault])])).toEqual([
      ['staging', false, []],
      ['prod', true, [['manual-approval', true]]],
    ]);
    expect(plan.stages.map(s => s.name)).toEqual(['Source', 'Build', 'staging', 'prod']);
    expect(plan.stages[3].actions).toEqual([
      { name: 'Approve', runOrder: 1, kind: 'manual-approval' },
      { name: 'Deploy-prod', runOrder: 2, kind: 'commands' },
    ]);
  });
});

describe('describe()', () => {
  test('returns a copy: changing it changes neither the next describe() nor the plan in the cloud assembly (regression: the stored plan)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true })] });
    pipeline.buildPipeline();
    (pipeline.describe().environments as any).length = 0;
    expect(pipeline.describe().environments.map(e => e.name)).toEqual(['staging', 'prod']);
    const metadata = pipeline.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!.data as PlanDocument;
    expect(metadata.environments).toHaveLength(2);
  });
});

describe('selfUpdate', () => {
  test('off by default: no UpdatePipeline stage, executions are not restarted on update', () => {
    const stack = newStack();
    pipelineIn(stack);
    expect(stageNames(stack)).toEqual(['Source', 'Build']);
    expect(pipelineProps(stack).RestartExecutionOnUpdate).toBe(false);
  });

  test('a stage right after the build deploys the pipeline stack from the cloud assembly and restarts the execution', () => {
    const stack = newStack();
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'UpdatePipeline', 'staging']);
    const props0 = pipelineProps(stack);
    expect(props0.RestartExecutionOnUpdate).toBe(true);
    const a = props0.Stages[2].Actions[0];
    expect(a.Name).toBe('SelfMutate');
    expect(a.Configuration).toMatchObject({
      ActionMode: 'CREATE_UPDATE',
      StackName: 'PipelineStack',
      TemplatePath: 'BuildOutput::cdk.out/PipelineStack.template.json',
      Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND',
    });
    expect(flat(a.Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
    // CloudFormation reads the template's bootstrap version parameter with the action's role
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const selfMutate = Object.entries(policies).find(([id]) => /SelfMutate.*DefaultPolicy/.test(id));
    expect(flat((selfMutate![1] as any).Properties.PolicyDocument.Statement)).toContainEqual({
      Action: 'ssm:GetParameters', Effect: 'Allow', Resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/cdk-bootstrap/hnb659fds/version',
    });
  });

  test('the execution role and version parameter the pipeline stack\'s synthesizer names are used (regression: the default bootstrap\'s)', () => {
    const stack = new Stack(newApp(), 'PipelineStack', {
      env: { account: '111111111111', region: 'eu-west-1' },
      synthesizer: new DefaultStackSynthesizer({
        cloudFormationExecutionRole: 'arn:aws:iam::111111111111:role/org-restricted-cfn-exec',
        bootstrapStackVersionSsmParameter: '/org/bootstrap/version',
      }),
    });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    const a = pipelineProps(stack).Stages[2].Actions[0];
    expect(flat(a.Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/org-restricted-cfn-exec');
    const policies = flat(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const selfMutate = Object.entries<any>(policies).find(([id]) => /SelfMutate.*DefaultPolicy/.test(id))![1];
    const statements = selfMutate.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({ Action: 'ssm:GetParameters', Effect: 'Allow', Resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/org/bootstrap/version' });
    expect(statements).toContainEqual({ Action: 'iam:PassRole', Effect: 'Allow', Resource: 'arn:aws:iam::111111111111:role/org-restricted-cfn-exec' });
    expect(JSON.stringify(policies)).not.toContain('cdk-hnb659fds-cfn-exec-role');
    expect(JSON.stringify(policies)).not.toContain('cdk-bootstrap');
  });

  test('a synthesizer without a bootstrap version rule: no grant to read a parameter the template does not have', () => {
    const stack = new Stack(newApp(), 'PipelineStack', {
      env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    expect(flat(pipelineProps(stack).Stages[2].Actions[0].Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).not.toContain('ssm:GetParameters');
  });

  test.each([
    ['LegacyStackSynthesizer', () => new LegacyStackSynthesizer()],
    ['CliCredentialsStackSynthesizer', () => new CliCredentialsStackSynthesizer()],
  ])('a pipeline stack with the %s cannot be deployed by the pipeline: refused', (name, synthesizer) => {
    const stack = new Stack(newApp(), 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: synthesizer() });
    expect(errorOf(() => pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] }))).toBe(
      '\'PipelineStack/Shop\': selfUpdate deploys the pipeline\'s stack \'PipelineStack\' with the CloudFormation execution role its synthesizer names, '
      + `but its ${name} names none (it deploys with the credentials of whoever runs cdk deploy), got ${name}. `
      + "Give the pipeline's stack the DefaultStackSynthesizer (the default; with cloudFormationExecutionRole and bootstrapStackVersionSsmParameter "
      + "when your bootstrap differs), or leave selfUpdate out and deploy the pipeline's stack with cdk deploy.");
    // without selfUpdate the synthesizer is cdk deploy's business
    expect(() => pipelineIn(new Stack(newApp(), 'Other', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: synthesizer() }))).not.toThrow();
  });

  test('a pipeline stack of the AppStagingSynthesizer is refused with selfUpdate: its staging stack is deployed by cdk deploy only', () => {
    // the shape of @aws-cdk/app-staging-synthesizer-alpha's synthesizer once bound to a stack: the
    // staging resources (a staging stack of the app, with its bucket and repositories) that take its assets
    class AppStagingShapedSynthesizer extends StackSynthesizer {
      public readonly stagingStack = {
        addFile: () => ({ bucketName: 'cdk-shop-staging-111111111111-eu-west-1' }),
        addDockerImage: () => ({ repoName: 'shop/web' }),
      };
      public addFileAsset(): FileAssetLocation { throw new Error('no file assets here'); }
      public addDockerImageAsset(): DockerImageAssetLocation { throw new Error('no image assets here'); }
      public synthesize(session: ISynthesisSession): void {
        this.synthesizeTemplate(session);
        this.emitArtifact(session, {});
      }
    }
    const stack = new Stack(newApp(), 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new AppStagingShapedSynthesizer() });
    expect(errorOf(() => pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] }))).toBe(
      "'PipelineStack/Shop': selfUpdate deploys the pipeline's stack 'PipelineStack' from the build's cloud assembly, but its synthesizer is the "
      + "AppStagingSynthesizer (@aws-cdk/app-staging-synthesizer-alpha), whose staging stack holds the stack's assets and is deployed by cdk deploy only, "
      + 'not by the pipeline, got AppStagingShapedSynthesizer. '
      + "Give the pipeline's stack the DefaultStackSynthesizer (the default; with cloudFormationExecutionRole and bootstrapStackVersionSsmParameter "
      + "when your bootstrap differs), or leave selfUpdate out and deploy the pipeline's stack with cdk deploy.");
    // without selfUpdate the pipeline's stack is deployed with cdk deploy, which deploys the staging stack too
    const other = new Stack(newApp(), 'Other', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new AppStagingShapedSynthesizer() });
    expect(() => pipelineIn(other, { environments: [env('staging')] })).not.toThrow();
  });

  test('the pipeline stack\'s bootstrap qualifier names the execution role and the version parameter', () => {
    const stack = new Stack(newApp(), 'PipelineStack', {
      env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new DefaultStackSynthesizer({ qualifier: 'shop1' }),
    });
    pipelineIn(stack, { selfUpdate: true, environments: [env('staging')] });
    const a = pipelineProps(stack).Stages[2].Actions[0];
    expect(flat(a.Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-shop1-cfn-exec-role-111111111111-eu-west-1');
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const selfMutate = Object.entries(policies).find(([id]) => /SelfMutate.*DefaultPolicy/.test(id));
    expect(JSON.stringify(flat((selfMutate![1] as any).Properties.PolicyDocument))).toContain('parameter/cdk-bootstrap/shop1/version');
  });

  test('two self-updating pipelines of one stack, or another pipeline deploying a self-updating pipeline\'s stack, are refused (regression: accepted)', () => {
    const fix = 'Let one pipeline deploy the stack: turn selfUpdate on for one pipeline of a stack only (or give each pipeline a stack of its own), '
      + "and deploy no pipeline's stack from another pipeline.";
    const stack = newStack();
    pipelineIn(stack, { selfUpdate: true }, 'A');
    expect(errorOf(() => pipelineIn(stack, { selfUpdate: true }, 'B'))).toBe(
      "'PipelineStack/B': selfUpdate deploys stack 'PipelineStack' into 111111111111/eu-west-1, which the pipeline 'PipelineStack/A' deploys too, "
      + `got 'PipelineStack'. ${fix}`);
    const other = newStack();
    pipelineIn(other, { environments: [{ name: 'ops', deployments: [DeploymentTarget.cloudFormation({ stackName: 'PipelineStack', templatePath: 'p.json' })] }] }, 'C');
    expect(errorOf(() => pipelineIn(other, { selfUpdate: true }, 'D'))).toMatch(/^'PipelineStack\/D': selfUpdate deploys stack 'PipelineStack' into 111111111111\/eu-west-1, which the pipeline 'PipelineStack\/C' deploys too/);
  });

  test('warns that UpdatePipeline does not deploy the support stacks of environments of other regions and accounts', () => {
    const warnings = (extra: Partial<DeliveryPipelineProps>) => {
      const stack = newStack();
      pipelineIn(stack, { selfUpdate: true, ...extra });
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('selfUpdateSupportStacks')).map(w => w.entry.data);
    };
    const cfn = (name: string, extra: Partial<EnvironmentOptions>) => ({ name, deployments: [DeploymentTarget.cloudFormation({ stackName: name, templatePath: 't.json' })], ...extra });
    expect(warnings({ environments: [env('staging'), cfn('prod', { region: 'us-east-1', account: '222222222222' })] })).toEqual([
      "selfUpdate: UpdatePipeline deploys the pipeline's stack 'PipelineStack' only, not the support stack aws-cdk-lib creates for environments of other regions "
      + 'and accounts (PipelineStack-support-us-east-1), on which it depends. Deploy them with cdk deploy (cdk deploy --all, or the pipeline\'s stack without '
      + '--exclusively) before a commit adds an environment of a new region or account: until they exist, that environment fails. '
      + '[ack: delivery-pipeline:selfUpdateSupportStacks]',
    ]);
    expect(warnings({ environments: [env('staging'), cfn('prod', { account: '222222222222' })] })).toEqual([]);
  });

  test('a pipeline stack with assets is refused: UpdatePipeline would deploy it without uploading them', () => {
    const withAsset = (selfUpdate: boolean) => {
      const stack = newStack();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notifier-'));
      fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => {};');
      new lambda.Function(stack, 'Notifier', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
      pipelineIn(stack, { selfUpdate, environments: [env('staging')] });
      return stack;
    };
    expect(errorOf(() => (withAsset(true).node.root as any).synth())).toContain(
      "'PipelineStack/Shop': selfUpdate deploys the stack 'PipelineStack' from the build's cloud assembly without publishing its assets "
      + '(cdk deploy uploads them, the pipeline does not), but this resource uses assets: PipelineStack/Notifier/Resource (AWS::Lambda::Function). '
      + 'Once an asset changes, UpdatePipeline would deploy a template whose asset was never uploaded, and fail. '
      + 'Move these resources to a stack of a CDK stage the pipeline deploys (its assets are published), or leave selfUpdate off and deploy the pipeline stack with cdk deploy.');
    // without selfUpdate, cdk deploy publishes them: no error
    expect(() => (withAsset(false).node.root as any).synth()).not.toThrow();
    // a synthesizer with its own bucket name (regression: not seen), or a nested stack, is found as well
    const custom = new Stack(newApp(), 'PipelineStack', {
      env: { account: '111111111111', region: 'eu-west-1' },
      synthesizer: new DefaultStackSynthesizer({ qualifier: 'abc', fileAssetsBucketName: 'my-assets-bucket' }),
    });
    new NestedStack(custom, 'Tables');
    pipelineIn(custom, { selfUpdate: true, environments: [env('staging')] });
    expect(errorOf(() => (custom.node.root as any).synth())).toContain('but this resource uses assets: PipelineStack/Tables.NestedStack/Tables.NestedStackResource '
      + '(AWS::CloudFormation::Stack).');
    // a bucket name that starts with a placeholder: the asset construct itself is found
    const placeholder = new Stack(newApp(), 'PipelineStack', {
      env: { account: '111111111111', region: 'eu-west-1' },
      synthesizer: new DefaultStackSynthesizer({ fileAssetsBucketName: '${AWS::AccountId}-${AWS::Region}-assets' }),
    });
    new NestedStack(placeholder, 'Tables');
    pipelineIn(placeholder, { selfUpdate: true, environments: [env('staging')] });
    expect(errorOf(() => (placeholder.node.root as any).synth())).toContain('but this resource uses assets: PipelineStack/Tables (nested stack).');
    // and a self-updating pipeline stack without assets synthesizes
    const plain = newStack();
    pipelineIn(plain, { selfUpdate: true, environments: [env('staging')] });
    expect(() => (plain.node.root as any).synth()).not.toThrow();
  });
});

describe('the escape hatch', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('stagesOutsidePlan')).map(w => w.entry.data);

  test('a stage or action added through pipeline.pipeline warns that the plan, the CLI and policies do not see it', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging')] });
    pipeline.buildPipeline();
    pipeline.pipeline.stage('staging').addAction(new codepipeline_actions.ManualApprovalAction({ actionName: 'Mirror', runOrder: 3 }));
    pipeline.pipeline.addStage({
      stageName: 'HotfixProd',
      actions: [new codepipeline_actions.ManualApprovalAction({ actionName: 'Go' })],
    });
    expect(warningsOf(stack)).toEqual([
      "The rendered pipeline has action 'Mirror' of stage 'staging', stage 'HotfixProd', added through the pipeline property, which the plan does not "
      + 'show: cdk-delivery plan and status do not show it, and DeliveryPolicy rules do not check it. Configure it through the library\'s props '
      + '(an environment, DeploymentTarget.fromActionFactory()), or acknowledge this warning. [ack: delivery-pipeline:stagesOutsidePlan]',
    ]);
  });

  test('a pipeline as the library renders it does not warn', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true })] });
    expect(warningsOf(stack)).toEqual([]);
    expect(overriddenOf(stack)).toEqual([]);
  });

  const overriddenOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('overriddenPipeline')).map(w => w.entry.data);
  const warningIds = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map(w => /\[ack: ([^\]]+)\]$/.exec(String(w.entry.data))?.[1]);
  /** A continuous delivery pipeline with staging and prod (production), built, checked by a policy that requires a production approval. */
  const guardedPipeline = () => {
    const stack = newStack();
    Aspects.of(stack.node.root).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresApproval()] }));
    const pipeline = pipelineIn(stack, { releaseMode: ReleaseMode.CONTINUOUS_DELIVERY, environments: [env('staging'), env('prod', { production: true })] });
    pipeline.buildPipeline();
    return { stack, pipeline, cfn: pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline };
  };
  const planOf = (stack: Stack) => (stack.node.root as any).synth().getStackByName('PipelineStack').findMetadataByType(PLAN_METADATA_TYPE)[0].data as PlanDocument;

  test('overrides that remove the production approval and make the pipeline PARALLEL warn naming what differs from the plan and the policy checked '
    + '(regression: synthesized silently, the plan showing the approval and QUEUED)', () => {
    const { stack, pipeline, cfn } = guardedPipeline();
    const deploy = {
      Name: 'Deploy-prod',
      ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
      RunOrder: 1,
      Configuration: { ProjectName: 'x' },
      InputArtifacts: [{ Name: 'BuildOutput' }],
    };
    cfn.addPropertyOverride('Stages.3.Actions', [deploy]);
    cfn.addPropertyOverride('ExecutionMode', 'PARALLEL');
    // a stage added through the L2 pipeline is in a warning of its own, not among the overrides' differences
    pipeline.pipeline.addStage({ stageName: 'Hotfix', actions: [new codepipeline_actions.ManualApprovalAction({ actionName: 'Go' })] });
    const plan = planOf(stack);
    expect(overriddenOf(stack)).toEqual([
      "Overrides of the pipeline resource (addPropertyOverride or addOverride on the pipeline property's CfnPipeline, or its properties set directly) make the "
      + "rendered pipeline differ from its plan: it has no action 'Approve' in stage 'prod'; action 'Deploy-prod' of stage 'prod' at run order 1, not 2; "
      + 'execution mode PARALLEL, not QUEUED. The plan (cdk-delivery plan and diff) and DeliveryPolicy rules '
      + "describe the pipeline before these overrides: the rules did not check what they change. Configure it through the library's props (an environment, "
      + 'its approval, executionMode, DeploymentTarget.fromActionFactory()), or acknowledge this warning. [ack: delivery-pipeline:overriddenPipeline]',
    ]);
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^The rendered pipeline has stage 'Hotfix', added through the pipeline property, /)]);
    expect(warningIds(stack).sort()).toEqual(['delivery-pipeline:overriddenPipeline', 'delivery-pipeline:parallelDeployments', 'delivery-pipeline:stagesOutsidePlan']);
    // the plan is the pipeline before the overrides, as the warning says
    expect(plan.executionMode).toBe('QUEUED');
    expect(plan.environments[1].gates.map(g => g.kind)).toEqual(['manual-approval']);
  });

  test('properties set directly on the CfnPipeline, and removed or reordered stages, are compared too', () => {
    const { stack, cfn } = guardedPipeline();
    const stages = stack.resolve(cfn.stages) as any[];
    cfn.stages = [stages[0], stages[1], stages[3]];
    cfn.executionMode = 'SUPERSEDED';
    expect(overriddenOf(stack)).toEqual([expect.stringContaining("make the rendered pipeline differ from its plan: it has no stage 'staging'; execution mode SUPERSEDED, "
      + 'not QUEUED. The plan')]);
    expect(warningIds(stack)).not.toContain('delivery-pipeline:parallelDeployments');

    const reordered = guardedPipeline();
    // the stages as the template holds them (the L1 property's keys are camelCase, an override's are CloudFormation's)
    const fragment = reordered.stack.resolve((reordered.cfn as any)._toCloudFormation());
    const rendered = Object.values(fragment.Resources as Record<string, any>)[0].Properties.Stages;
    reordered.cfn.addPropertyOverride('Stages', [0, 1, 3, 2].map(i => rendered[i]));
    expect(overriddenOf(reordered.stack)).toEqual([expect.stringContaining('differ from its plan: it has its stages in the order Source, Build, prod, staging, '
      + 'not Source, Build, staging, prod. The plan')]);
  });

  test('an override that changes what an action does but no stage, action or execution mode does not warn', () => {
    const { stack, cfn } = guardedPipeline();
    cfn.addPropertyOverride('Stages.2.Actions.0.Configuration.EnvironmentVariables', '[{"name":"X","type":"PLAINTEXT","value":"1"}]');
    cfn.addPropertyOverride('RestartExecutionOnUpdate', true);
    (stack.node.root as any).synth();
    expect(warningIds(stack)).toEqual([]);
  });

  const OUTSIDE_EXTRA = "The rendered pipeline has stage 'Extra', added through the pipeline property, which the plan does not show: cdk-delivery plan "
    + "and status do not show it, and DeliveryPolicy rules do not check it. Configure it through the library's props (an environment, "
    + 'DeploymentTarget.fromActionFactory()), or acknowledge this warning. [ack: delivery-pipeline:stagesOutsidePlan]';
  const addExtra = (pipeline: codepipeline.Pipeline) =>
    pipeline.addStage({ stageName: 'Extra', actions: [new codepipeline_actions.ManualApprovalAction({ actionName: 'X' })] });

  test('a stage added through pipeline.pipeline stays outside the plan when an unrelated property is overridden (regression: re-labelled as an override)', () => {
    const { stack, pipeline, cfn } = guardedPipeline();
    addExtra(pipeline.pipeline);
    cfn.addPropertyOverride('Stages.0.Actions.0.Configuration.DetectChanges', false);
    expect(warningsOf(stack)).toEqual([OUTSIDE_EXTRA]);
    expect(overriddenOf(stack)).toEqual([]);
  });

  test('with a stage added through pipeline.pipeline and an override that removes an action, each warning names its own change', () => {
    const { stack, pipeline, cfn } = guardedPipeline();
    addExtra(pipeline.pipeline);
    cfn.addDeletionOverride('Properties.Stages.3.Actions.0');
    expect(warningsOf(stack)).toEqual([OUTSIDE_EXTRA]);
    expect(overriddenOf(stack)).toEqual([
      "Overrides of the pipeline resource (addPropertyOverride or addOverride on the pipeline property's CfnPipeline, or its properties set directly) make the "
      + "rendered pipeline differ from its plan: it has no action 'Approve' in stage 'prod'. The plan (cdk-delivery plan and diff) and DeliveryPolicy rules "
      + "describe the pipeline before these overrides: the rules did not check what they change. Configure it through the library's props (an environment, "
      + 'its approval, executionMode, DeploymentTarget.fromActionFactory()), or acknowledge this warning. [ack: delivery-pipeline:overriddenPipeline]',
    ]);
  });

  test('a deletion override of an action or a whole stage is a missing one, not a TypeError (regression: "Iterator value undefined is not an entry object")', () => {
    // the overrides leave null in the template: aws-cdk-lib 2.27x's template validation refuses it,
    // and its error reports the library's warning; earlier versions synthesize with the warning
    const overriddenOrRefused = (stack: Stack): unknown[] => {
      try {
        return overriddenOf(stack);
      } catch (e) {
        if (e instanceof TypeError || !String((e as Error).message).includes('delivery-pipeline:overriddenPipeline')) throw e;
        return [String((e as Error).message)];
      }
    };
    const deleted = guardedPipeline();
    deleted.cfn.addDeletionOverride('Properties.Stages.2.Actions.0');
    expect(overriddenOrRefused(deleted.stack)).toEqual([expect.stringContaining("differ from its plan: it has no action 'Deploy-staging' in stage 'staging'. The plan")]);

    const stage = guardedPipeline();
    stage.cfn.addDeletionOverride('Properties.Stages.2');
    expect(overriddenOrRefused(stage.stack)).toEqual([expect.stringContaining("differ from its plan: it has no stage 'staging'. The plan")]);
  });

  test("an override of the pipeline's name renames the plan's pipeline, so that the CLI is given its real name; a deleted name leaves the plan without one", () => {
    const named = guardedPipeline();
    named.cfn.addPropertyOverride('Name', 'shop-release');
    expect(planOf(named.stack).pipelineName).toBe('shop-release');
    expect(pipelineProps(named.stack).Name).toBe('shop-release');
    expect(warningIds(named.stack)).toEqual([]);

    const stack = newStack();
    const pipeline = pipelineIn(stack, { pipelineName: 'shop', environments: [env('staging')] });
    pipeline.buildPipeline();
    (pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyDeletionOverride('Name');
    expect(planOf(stack).pipelineName).toBeUndefined();
    expect(planOf(stack).pipelineNameUnresolved).toBeUndefined();
    expect(pipelineProps(stack).Name).toBeUndefined();
  });

  test("an override that names the pipeline with a token makes the plan's name one set at deploy time; one that deletes a token name, a generated one", () => {
    const overridden = guardedPipeline();
    overridden.cfn.addPropertyOverride('Name', new CfnParameter(overridden.stack, 'PipelineName').valueAsString);
    expect(planOf(overridden.stack)).toMatchObject({ pipelineNameUnresolved: true });
    expect(planOf(overridden.stack).pipelineName).toBeUndefined();

    const stack = newStack();
    const pipeline = pipelineIn(stack, { pipelineName: new CfnParameter(stack, 'PipelineName').valueAsString, environments: [env('staging')] });
    pipeline.buildPipeline();
    (pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyDeletionOverride('Name');
    expect(planOf(stack).pipelineNameUnresolved).toBeUndefined();
  });
});

describe('the pipeline name', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('generatedPipelineName')).map(w => w.entry.data);
  /** An environment of another account whose Lambda deployment names the pipeline's log groups there. */
  const otherAccountFunction = (stack: Stack) => {
    const version = lambda.Version.fromVersionArn(stack, 'Version', 'arn:aws:lambda:eu-west-1:333333333333:function:api:3');
    const alias = lambda.Alias.fromAliasAttributes(stack, 'Alias', { aliasName: 'live', aliasVersion: version });
    return { name: 'api', account: '333333333333', deployments: [DeploymentTarget.lambdaFunction(alias)] };
  };

  test('without pipelineName, a name aws-cdk-lib generates for a reference from another account warns that it comes and goes with that reference', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging'), otherAccountFunction(stack)] });
    expect(pipelineProps(stack).Name).toBe('pipelinestacktackshoppipelineacc8cc4540da83257885');
    expect(warningsOf(stack)).toEqual([
      "The pipeline has no pipelineName and a resource in another account or Region refers to it, so aws-cdk-lib names it 'pipelinestacktackshoppipelineacc8cc4540da83257885'. "
      + 'It keeps that name only while such a resource exists: the change that adds the first one renames the pipeline, the change that removes the last one '
      + 'renames it again, and CloudFormation replaces a renamed pipeline, deleting the old one with its execution history (cdk-delivery history and metrics '
      + "start again). Set pipelineName: 'pipelinestacktackshoppipelineacc8cc4540da83257885' to keep this name whatever the environments become (a pipeline "
      + 'deployed before under a name CloudFormation chose is replaced once either way), or acknowledge this warning. [ack: delivery-pipeline:generatedPipelineName]',
    ]);
  });

  test('setting the generated name keeps the template and silences the warning; an unnamed pipeline that nothing elsewhere refers to does not warn', () => {
    const named = newStack();
    pipelineIn(named, { pipelineName: 'pipelinestacktackshoppipelineacc8cc4540da83257885', environments: [env('staging'), otherAccountFunction(named)] });
    expect(pipelineProps(named).Name).toBe('pipelinestacktackshoppipelineacc8cc4540da83257885');
    expect(warningsOf(named)).toEqual([]);
    const local = newStack();
    pipelineIn(local, { environments: [env('staging')] });
    expect(pipelineProps(local).Name).toBeUndefined();
    expect(warningsOf(local)).toEqual([]);
  });
});
