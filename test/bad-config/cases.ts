import { App, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Approval, BuildCache, BuildStep, DeploymentArtifact, DeploymentTarget, DeploymentWindow, FailurePolicy, LambdaTrafficShift, PipelineSource,
  QualityCheck, ReleaseMode, TestReport, Verification,
} from '../../src';
import { CONNECTION_ARN, env } from '../util';

/**
 * Wrong configurations, written as users (including JavaScript and Python callers, who have no
 * TypeScript checks) write them. Each yields one DeliveryPipelineValidationError; `message` is the
 * exact text expected.
 */
export interface BadConfig {
  readonly title: string;
  /** The props, given the pipeline's stack (for resources that must be of its app). */
  readonly props: (pipelineStack: Stack) => any;
  readonly message: string | RegExp;
}

const gh = (p: any) => PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, ...p });
const build = () => BuildStep.commands({ commands: ['npm test'] });
const base = (extra: any = {}) => ({ source: gh({}), buildStep: build(), ...extra });
const cfn = (p: any = {}) => DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 't.json', ...p });
const P = "'PipelineStack/Shop': ";
let alarms = 0;
/** A distinct alarm (the cases build their props outside any stack). */
const ALARM = () => ({ alarmName: `alarm${++alarms}`, alarmArn: `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:alarm${alarms}` }) as unknown as cloudwatch.IAlarm;

/** A stack of the pipeline's account and region to import resources into (the cases build their props outside any stack). */
const importStack = () => new Stack(new App(), 'Imports', { env: { account: '111111111111', region: 'eu-west-1' } });
/** The ECS service shop-web of cluster shop in 111111111111, imported by ARN. */
const webService = () => {
  const scope = importStack();
  return ecs.FargateService.fromFargateServiceAttributes(scope, 'Web', {
    serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/shop/shop-web', cluster: ecs.Cluster.fromClusterArn(scope, 'Cluster', 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop'),
  });
};
/** The ECS blue/green deployment group checkout-prod of application checkout, imported by name. */
const checkoutGroup = () => {
  const scope = importStack();
  return codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(scope, 'Checkout', {
    application: codedeploy.EcsApplication.fromEcsApplicationName(scope, 'App', 'checkout'), deploymentGroupName: 'checkout-prod',
  });
};
/** The alias live of function shop-api (version 7) in 111111111111, imported by ARN. */
const apiAlias = (region = 'eu-west-1') => {
  const scope = importStack();
  const version = lambda.Version.fromVersionArn(scope, 'Version', `arn:aws:lambda:${region}:111111111111:function:shop-api:7`);
  return lambda.Alias.fromAliasAttributes(scope, 'Live', { aliasName: 'live', aliasVersion: version });
};
const fleetOf = (scope: Stack, account: string) => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(scope, 'Fleet', {
  application: codedeploy.ServerApplication.fromServerApplicationArn(scope, 'App', `arn:aws:codedeploy:eu-west-1:${account}:application:shop`),
  deploymentGroupName: 'shop-fleet',
});

export const BAD_CONFIGS: BadConfig[] = [
  // --- sources
  {
    title: 'GitHub repository not owner/repo',
    props: () => base({ source: gh({ repository: 'shop' }) }),
    message: `${P}source.repository must look like 'owner/repo', got 'shop'. Pass the repository as 'owner/repo', for example 'acme/shop' (a GitLab project in a subgroup: 'group/subgroup/project').`,
  },
  {
    // regression: accepted; the build's output would be read from outside its working directory
    title: 'build output directory outside the source',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm run build'], outputDirectory: '../dist' }) }),
    message: `${P}buildStep.outputDirectory must be a directory inside the build's working directory: relative, without '..', '\\', quotes or '$', `
      + "got '../dist'. Pass a directory such as 'dist' or 'infra/cdk.out'.",
  },
  {
    // regression: accepted; the action ran in account 333333333333 while the plan said 222222222222
    title: 'CloudFormation deploy role of another account than the stack\'s',
    props: () => base({
      environments: [{
        name: 'prod',
        deployments: [cfn({
          account: '222222222222', deployRole: iam.Role.fromRoleArn(importStack(), 'Deployer', 'arn:aws:iam::333333333333:role/deployer'),
        })],
      }],
    }),
    message: `${P}environments[0] ('prod').deployments[0].deployRole is in account 333333333333, but the stack deploys to account 222222222222 `
      + "(CodePipeline runs the action in the account of the role it assumes), got 'arn:aws:iam::333333333333:role/deployer'. "
      + "Pass a role of account 222222222222, or set the target's account to '333333333333'.",
  },
  {
    title: 'CloudFormation execution role of another account than the pipeline\'s, for a stack in the pipeline\'s account',
    props: () => base({
      environments: [{
        name: 'prod',
        deployments: [cfn({
          deploymentRole: iam.Role.fromRoleArn(importStack(), 'Exec', 'arn:aws:iam::333333333333:role/cfn-exec'),
        })],
      }],
    }),
    message: `${P}environments[0] ('prod').deployments[0].deploymentRole is in account 333333333333, but the stack deploys to account 111111111111 (the pipeline's) `
      + "(CloudFormation uses an execution role of the stack's own account), got 'arn:aws:iam::333333333333:role/cfn-exec'. "
      + "Pass a role of account 111111111111, or set the environment's account to '333333333333'.",
  },
  {
    // regression: rendered the role cdk-my qual-deploy-role-..., which cdk bootstrap never creates
    title: 'bootstrap qualifier cdk bootstrap would refuse',
    props: () => base({ environments: [{ name: 'staging', deployments: [cfn({ bootstrapQualifier: 'my qual' })] }] }),
    message: `${P}environments[0] ('staging').deployments[0].bootstrapQualifier is not a CDK bootstrap qualifier (letters, digits, '_' and '-', 1 to 10 characters), `
      + "got 'my qual'. Pass the qualifier used with 'cdk bootstrap --qualifier', for example 'hnb659fds' (the default).",
  },
  {
    // regression: a string where the options object goes was ignored (JavaScript and Python callers)
    title: 'options given as a string',
    props: () => base({ environments: [env('staging', { verification: [Verification.commands('Smoke', ['./smoke.sh'], 'URL=https://x' as any)] })] }),
    message: `${P}environments[0] ('staging').verification[0] takes an object of VerificationCommandsOptions fields, got 'URL=https://x'. `
      + 'Pass { ... } with the fields of VerificationCommandsOptions, or leave it out.',
  },
  {
    title: 'test report options given as a string',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm test'], testReports: [TestReport.junit('reports/*.xml', 'reports' as any)] }) }),
    message: `${P}buildStep.testReports[0] takes an object of TestReportOptions fields, got 'reports'. Pass { ... } with the fields of TestReportOptions, or leave it out.`,
  },
  {
    title: 'GitHub repository given with its host',
    props: () => base({ source: gh({ repository: 'github.com/acme/shop' }) }),
    message: `${P}source.repository must look like 'owner/repo', without the host, got 'github.com/acme/shop'. `
      + "Pass the repository as 'owner/repo', for example 'acme/shop' (a GitLab project in a subgroup: 'group/subgroup/project').",
  },
  {
    title: 'GitHub repository given as a URL',
    props: () => base({ source: gh({ repository: 'https://github.com/acme/shop' }) }),
    message: `${P}source.repository must look like 'owner/repo', got 'https://github.com/acme/shop'. Pass the repository as 'owner/repo', for example 'acme/shop' (a GitLab project in a subgroup: 'group/subgroup/project').`,
  },
  {
    title: 'empty branch',
    props: () => base({ source: gh({ branch: '' }) }),
    message: `${P}source.branch must not be empty, got ''. Pass the branch name, for example 'main'.`,
  },
  {
    title: 'branch with a space',
    props: () => base({ source: gh({ branch: 'feature x' }) }),
    message: `${P}source.branch must not contain spaces, got 'feature x'. Pass the branch name, for example 'main'.`,
  },
  {
    // regression: accepted, and the pipeline never started (the action matches the branch literally)
    title: 'branch given as a glob pattern',
    props: () => base({ source: gh({ branch: 'release/*' }) }),
    message: `${P}source.branch is a pattern, but the source action follows one branch, named exactly (no branch is called that, so the pipeline would never start), `
      + "got 'release/*'. To start the pipeline on the branches a pattern matches, keep branch (what a manual start reads) and add triggers: [{ branchesIncludes: ['release/*'] }].",
  },
  {
    title: 'CodeCommit branch given as a glob pattern',
    props: () => base({ source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(importStack(), 'Repo', 'shop'), branch: 'feature-[ab]' }) }),
    message: `${P}source.branch is a pattern, but the source action follows one branch, named exactly (no branch is called that, so the pipeline would never start), `
      + "got 'feature-[ab]'. Pass one branch name: a CodeCommit source follows one branch (a GitHub, Bitbucket or GitLab source through CodeConnections takes triggers with patterns).",
  },
  {
    // regression: accepted, and the action followed a branch called refs/heads/main
    title: 'branch given as a full ref',
    props: () => base({ source: gh({ branch: 'refs/heads/main' }) }),
    message: `${P}source.branch is a full ref, but the source action takes the branch's short name (it would follow a branch called that, and never start), `
      + "got 'refs/heads/main'. Pass 'main'.",
  },
  {
    title: 'CodeCommit branch given as a full ref',
    props: () => base({ source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(importStack(), 'Repo', 'shop'), branch: 'refs/heads/trunk' }) }),
    message: `${P}source.branch is a full ref, but the source action takes the branch's short name (it would follow a branch called that, and never start), `
      + "got 'refs/heads/trunk'. Pass 'trunk'.",
  },
  ...([
    ['release..1', "it holds '..'"],
    ['fix:1', "it holds ':'"],
    ['main~1', "it holds '~'"],
    ['main^', "it holds '^'"],
    ['a\\b', "it holds '\\'"],
    ['main@{1}', "it holds '@{'"],
    ['feature/', "it starts or ends with '/', or holds '//'"],
    ['main.lock', "a part of it ends with '.lock'"],
    ['release/.hidden', "a part of it starts with '.'"],
    ['-main', "it starts with '-'"],
    ['main\u0007', 'it holds a control character'],
  ] as const).map(([branch, problem]) => ({
    title: `branch git refuses: ${JSON.stringify(branch)}`,
    props: () => base({ source: gh({ branch }) }),
    message: `${P}source.branch is not a branch name git accepts (${problem}), got '${branch}'. Pass the branch name, for example 'main'.`,
  })),
  {
    // regression: accepted, and CodePipeline refused the trigger at deploy time
    title: 'trigger pattern longer than CodePipeline takes',
    props: () => base({ source: gh({ triggers: [{ branchesIncludes: ['main'], filePathsIncludes: ['src/**', `services/${'a'.repeat(250)}/**`] }] }) }),
    message: `${P}source.triggers[0].filePathsIncludes[1] is 262 characters long, and CodePipeline takes patterns of at most 255, `
      + `got 'services/${'a'.repeat(108)}...'. Use a shorter glob pattern (a * matches any run of characters).`,
  },
  {
    title: 'tag pattern of 256 characters',
    props: () => base({ source: gh({ triggers: [{ tagsIncludes: ['v'.repeat(256)] }] }) }),
    message: `${P}source.triggers[0].tagsIncludes[0] is 256 characters long, and CodePipeline takes patterns of at most 255, `
      + `got '${'v'.repeat(117)}...'. Use a shorter glob pattern (a * matches any run of characters).`,
  },
  {
    title: 'connection ARN of another service',
    props: () => base({ source: gh({ connectionArn: 'arn:aws:iam::111111111111:role/github' }) }),
    message: `${P}source.connectionArn must be a CodeConnections (CodeStar Connections) connection ARN, got 'arn:aws:iam::111111111111:role/github'. Pass the ARN of a CodeConnections connection, like 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123' (create it in the console: Developer Tools > Settings > Connections).`,
  },
  {
    title: 'connection ARN missing (JavaScript caller)',
    props: () => base({ source: PipelineSource.gitHub({ repository: 'acme/shop' } as any) }),
    message: `${P}source.connectionArn must be a string, got undefined. Pass the ARN of a CodeConnections connection, like 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123' (create it in the console: Developer Tools > Settings > Connections).`,
  },
  {
    title: 'trigger filtering on tags and branches at once',
    props: () => base({ source: gh({ triggers: [{ tagsIncludes: ['v*'], branchesIncludes: ['main'] }] }) }),
    message: `${P}source.triggers[0] filters on both tags and branches; CodePipeline takes one or the other in a push filter. Split it into two triggers.`,
  },
  {
    title: 'source given as a plain object (JavaScript caller)',
    props: () => base({ source: { repository: 'acme/shop' } }),
    message: `${P}source must be a PipelineSource, got an object. Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().`,
  },
  {
    title: 'source missing',
    props: () => ({ buildStep: build() }),
    message: `${P}source must be a PipelineSource, got undefined. Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().`,
  },
  {
    // regression: CodePipeline's S3 source needs object versions; the bucket was accepted as it was
    title: 'S3 source bucket of the app without versioning',
    props: () => base({ source: PipelineSource.s3({ bucket: new s3.Bucket(importStack(), 'Source'), key: 'source/shop.zip' }) }),
    message: `${P}source.bucket is not versioned (CodePipeline's S3 source reads the versions of the object), got 'Imports/Source'. Create the bucket with versioned: true, for example new s3.Bucket(this, 'Source', { versioned: true }).`,
  },
  {
    // regression: aws-cdk-lib stopped at synth asking for a crossAccountKeys option DeliveryPipeline does not have
    title: 'CodeCommit source repository of another account',
    props: () => base({ source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryArn(importStack(), 'Repo', 'arn:aws:codecommit:eu-west-1:222222222222:shop') }) }),
    message: `${P}source.repository is a CodeCommit repository of account 222222222222, but the pipeline's stack is in account 111111111111, `
      + 'and a source in another account is not supported (its push events reach only the event bus of that account, where no rule starts the pipeline), '
      + "got 'arn:aws:codecommit:eu-west-1:222222222222:shop'. Deploy the pipeline's stack in account 222222222222, or mirror the repository into account 111111111111.",
  },
  {
    title: 'S3 source bucket of another account',
    props: () => base({ source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketAttributes(importStack(), 'Sources', { bucketName: 'acme-sources', account: '222222222222' }), key: 'shop.zip' }) }),
    message: `${P}source.bucket is an S3 bucket of account 222222222222, but the pipeline's stack is in account 111111111111, `
      + 'and a source in another account is not supported (the source action would run as a role of that account, which the pipeline does not set up), '
      + "got 'acme-sources'. Deploy the pipeline's stack in account 222222222222, or have the archive copied to a versioned bucket of account 111111111111.",
  },
  {
    // regression: aws-cdk-lib's SourceActionMustBeSameRegion error, naming neither field nor fix
    title: 'CodeCommit source repository of another region',
    props: () => base({ source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryArn(importStack(), 'Repo', 'arn:aws:codecommit:us-east-1:111111111111:shop') }) }),
    message: `${P}source.repository is a CodeCommit repository in region us-east-1, but the pipeline's stack is in region eu-west-1, `
      + "and CodePipeline runs source actions in the pipeline's region only, got 'arn:aws:codecommit:us-east-1:111111111111:shop'. "
      + "Deploy the pipeline's stack in us-east-1, or mirror the repository into eu-west-1 and pass that one.",
  },
  {
    // regression: the action read a repository of that name in the pipeline's region
    title: 'ECR source repository of another region',
    props: () => base({ source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryArn(importStack(), 'Images', 'arn:aws:ecr:us-east-1:111111111111:repository/shop') }) }),
    message: `${P}source.repository is an ECR repository in region us-east-1, but the pipeline's stack is in region eu-west-1, `
      + "and CodePipeline runs source actions in the pipeline's region only, got 'arn:aws:ecr:us-east-1:111111111111:repository/shop'. "
      + "Deploy the pipeline's stack in us-east-1, or replicate the repository into eu-west-1 (ECR replication) and pass the replica.",
  },
  {
    title: 'ECR image tag with a space',
    props: () => base({ source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(importStack(), 'Images', 'shop'), tag: 'release 1' }) }),
    message: `${P}source.tag is not an image tag, got 'release 1'. Use letters, digits, '_', '.' and '-', starting with a letter, a digit or '_', for example 'latest' or 'release-1.2'.`,
  },
  // --- additional sources
  {
    title: 'additionalSources not an array',
    props: () => base({ additionalSources: { name: 'Config', source: gh({}) } }),
    message: `${P}additionalSources must be an array of AdditionalSource, got an object. Pass [{ name: 'Config', source: PipelineSource.gitHub({ repository: 'acme/shop-config', connectionArn }) }], or leave it out.`,
  },
  {
    title: 'additionalSources given as a PipelineSource',
    props: () => base({ additionalSources: gh({ repository: 'acme/shop-config' }) }),
    message: `${P}additionalSources must be an array of AdditionalSource, got a single PipelineSource. Wrap it in an object with a name, in an array: [{ name: 'Config', source }].`,
  },
  {
    title: 'an additional source that is a PipelineSource, not an AdditionalSource',
    props: () => base({ additionalSources: [gh({ repository: 'acme/shop-config' })] }),
    message: `${P}additionalSources[0] must be an AdditionalSource, got a PipelineSource. Wrap it in an object with a name: { name: 'Config', source }.`,
  },
  {
    title: 'an additional source that is not an object',
    props: () => base({ additionalSources: ['acme/shop-config'] }),
    message: `${P}additionalSources[0] must be an object, got 'acme/shop-config'. Pass { name: 'Config', source: PipelineSource.gitHub({ ... }) }.`,
  },
  {
    title: 'additional source without a name',
    props: () => base({ additionalSources: [{ source: gh({ repository: 'acme/shop-config' }) }] }),
    message: `${P}additionalSources[0].name must be a string, got undefined. Use 1 to 84 letters, digits and underscores, for example 'Config' or 'DeployScripts'.`,
  },
  {
    title: 'additional source without a source',
    props: () => base({ additionalSources: [{ name: 'Config' }] }),
    message: `${P}additionalSources[0] ('Config').source must be a PipelineSource, got undefined. Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().`,
  },
  {
    title: 'additional source name with a dash',
    props: () => base({ additionalSources: [{ name: 'shop-config', source: gh({ repository: 'acme/shop-config' }) }] }),
    message: `${P}additionalSources[0].name may only hold letters, digits and underscores (it names the source action, its artifact, whose directory the build reads from $CODEBUILD_SRC_DIR_<name>, and its variables namespace), got 'shop-config'. Use 1 to 84 letters, digits and underscores, for example 'Config' or 'DeployScripts'.`,
  },
  {
    title: 'additional source name too long for its variables namespace',
    props: () => base({ additionalSources: [{ name: 'C'.repeat(85), source: gh({ repository: 'acme/shop-config' }) }] }),
    message: `${P}additionalSources[0].name must be at most 84 characters (its variables namespace SourceVariables_<name> may be 100), got '${'C'.repeat(85)}'. Use 1 to 84 letters, digits and underscores, for example 'Config' or 'DeployScripts'.`,
  },
  {
    title: 'additional source named like the pipeline\'s source',
    props: () => base({ additionalSources: [{ name: 'source', source: gh({ repository: 'acme/shop-config' }) }] }),
    message: `${P}additionalSources[0].name is the name of the pipeline's own source action and artifact 'Source', got 'source'. Give each additional source its own name, for example 'Config'.`,
  },
  {
    title: 'additional source named like the build output',
    props: () => base({ additionalSources: [{ name: 'BuildOutput', source: gh({ repository: 'acme/shop-config' }) }] }),
    message: `${P}additionalSources[0].name is the name of the pipeline's own build output artifact 'BuildOutput', got 'BuildOutput'. Give each additional source its own name, for example 'Config'.`,
  },
  {
    title: 'two additional sources of one name (ignoring case)',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }) }, { name: 'CONFIG', source: gh({ repository: 'acme/b' }) }] }),
    message: `${P}additionalSources[1].name duplicates the name of additionalSources[0] ('Config') (names of additional sources must be unique, ignoring case), got 'CONFIG'. Give each additional source its own name, for example 'Config'.`,
  },
  {
    title: 'additional source named like the report of a source code scan',
    props: () => base({ checks: [QualityCheck.sourceCodeScan()], additionalSources: [{ name: 'SourceCodeScanReport', source: gh({ repository: 'acme/a' }) }] }),
    message: `${P}additionalSources[0] ('SourceCodeScanReport').name is the name of the report artifact of checks[0] ('SourceCodeScan'), a source code scan, got 'SourceCodeScanReport'. Give the additional source another name.`,
  },
  {
    title: 'additional source named like the report of an image scan',
    props: () => base({
      checks: [QualityCheck.imageScan(ecr.Repository.fromRepositoryArn(new Stack(), 'Images', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop'))],
      additionalSources: [{ name: 'ImageScanReport', source: gh({ repository: 'acme/a' }) }],
    }),
    message: `${P}additionalSources[0] ('ImageScanReport').name is the name of the report artifact of checks[0] ('ImageScan'), an image scan, got 'ImageScanReport'. Give the additional source another name.`,
  },
  {
    title: 'additional source directory absolute',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: '/etc/shop' }] }),
    message: `${P}additionalSources[0] ('Config').directory must be relative to the pipeline's source, not absolute, got '/etc/shop'. Pass a path relative to the pipeline's source, such as 'config' or 'vendor/shop-lib'.`,
  },
  {
    title: 'additional source directory outside the source',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: '../config' }] }),
    message: `${P}additionalSources[0] ('Config').directory must stay inside the pipeline's source (no '..'), got '../config'. Pass a path relative to the pipeline's source, such as 'config' or 'vendor/shop-lib'.`,
  },
  {
    title: 'additional source directory empty',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: '' }] }),
    message: `${P}additionalSources[0] ('Config').directory must not be empty, got ''. Pass a path relative to the pipeline's source, such as 'config' or 'vendor/shop-lib'.`,
  },
  {
    title: 'additional source directory with a trailing slash',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: 'config/' }] }),
    message: `${P}additionalSources[0] ('Config').directory must not have empty or '.' segments, got 'config/'. Pass a path relative to the pipeline's source, such as 'config' or 'vendor/shop-lib'.`,
  },
  {
    title: 'additional source directory with a space',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: 'shop config' }] }),
    message: `${P}additionalSources[0] ('Config').directory may only hold letters, digits, '.', '_', '-' and '/' between segments, got 'shop config'. Pass a path relative to the pipeline's source, such as 'config' or 'vendor/shop-lib'.`,
  },
  {
    // regression: accepted; the build then ran ln -s "$CODEBUILD_SRC_DIR_Config" '-cfg' and failed with "ln: invalid option -- 'c'"
    title: 'additional source directory starting with a dash',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: '-cfg' }] }),
    message: `${P}additionalSources[0] ('Config').directory has a segment that starts with '-' ('-cfg'), which the commands that place the source (mkdir, ln) `
      + "and the build's own commands would read as an option, got '-cfg'. Start each segment with a letter, digit, '.' or '_', for example 'cfg'.",
  },
  {
    // regression: accepted; the build then ran mkdir -p '-v' and failed
    title: 'additional source directory with a parent starting with a dash',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: '-v/shop-lib' }] }),
    message: `${P}additionalSources[0] ('Config').directory has a segment that starts with '-' ('-v'), which the commands that place the source (mkdir, ln) `
      + "and the build's own commands would read as an option, got '-v/shop-lib'. Start each segment with a letter, digit, '.' or '_', for example 'v/shop-lib'.",
  },
  {
    title: 'two additional sources in one directory',
    props: () => base({
      additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: 'config' }, { name: 'More', source: gh({ repository: 'acme/b' }), directory: 'config' }],
    }),
    message: `${P}additionalSources[1] ('More').directory is also the directory of additionalSources[0] ('Config') (each additional source needs a directory of its own), got 'config'. Give the sources separate directories, for example 'config-2'.`,
  },
  {
    title: 'an additional source\'s default directory is another\'s directory',
    props: () => base({
      additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: 'Lib' }, { name: 'Lib', source: gh({ repository: 'acme/b' }) }],
    }),
    message: `${P}additionalSources[1] ('Lib').directory is also the directory of additionalSources[0] ('Config') (each additional source needs a directory of its own), got 'Lib'. Give the sources separate directories, for example 'Lib-2'.`,
  },
  {
    title: 'an additional source in another\'s directory',
    props: () => base({
      additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directory: 'config' }, { name: 'Prod', source: gh({ repository: 'acme/b' }), directory: 'config/prod' }],
    }),
    message: `${P}additionalSources[1] ('Prod').directory is inside the directory 'config' of additionalSources[0] ('Config') (one source's files would land in the other's), got 'config/prod'. Give the sources separate directories, for example 'config-2'.`,
  },
  {
    title: 'too many additional sources',
    props: () => base({ additionalSources: ['A', 'B', 'C', 'D', 'E'].map(name => ({ name, source: gh({ repository: `acme/${name}` }) })) }),
    message: `${P}additionalSources may hold at most 4 sources (a CodeBuild action takes at most 5 input artifacts: the pipeline's source and 4 more), got 5 sources. Combine repositories (a Git submodule, or one repository for shared configuration), or fetch the rest in the build commands.`,
  },
  {
    title: 'additional source field misspelt',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), directroy: 'config' }] }),
    message: `${P}additionalSources[0] ('Config').directroy is not a field of AdditionalSource, got 'config'. Did you mean 'directory'? A misspelt field would be ignored.`,
  },
  {
    title: 'additionalSources misspelt',
    props: () => base({ additionalSource: [{ name: 'Config', source: gh({ repository: 'acme/a' }) }] }),
    message: `${P}additionalSource is not a field of DeliveryPipelineProps, got an array of 1. Did you mean 'additionalSources'? A misspelt field would be ignored.`,
  },
  {
    title: 'triggersPipeline not a boolean',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a' }), triggersPipeline: 'no' }] }),
    message: `${P}additionalSources[0] ('Config').triggersPipeline must be true or false, got 'no'. Pass a boolean.`,
  },
  {
    title: 'push triggers on an additional source that does not start the pipeline',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a', triggers: [{ branchesIncludes: ['main'] }] }), triggersPipeline: false }] }),
    message: `${P}additionalSources[0] ('Config').source.triggers filter the pushes that start the pipeline, but additionalSources[0] ('Config').triggersPipeline is false (a change to this source does not start it), got an array of 1. Remove the triggers, or leave triggersPipeline out (true) to start the pipeline on the pushes they filter.`,
  },
  {
    title: 'an additional source as a full clone',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'acme/a', fullClone: true }) }] }),
    message: `${P}additionalSources[0] ('Config').source.fullClone is true, but only the pipeline's source can be passed to the build as a full clone; an additional source reaches the build as a secondary input artifact, the files of the commit, got true. Leave fullClone out (the build finds the files in the source's directory), or make this repository the pipeline's source.`,
  },
  {
    title: 'an ECR additional source that would not start the pipeline',
    props: () => base({ additionalSources: [{ name: 'Base', source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(importStack(), 'Images', 'base') }), triggersPipeline: false }] }),
    message: `${P}additionalSources[0] ('Base').triggersPipeline is false, but a push of the image tag always starts the pipeline for an ECR source (aws-cdk-lib's ECR source action creates the EventBridge rule that starts it, and cannot leave it out), got false. Leave triggersPipeline out, or pull the image in the build (docker pull, with rolePolicyStatements allowing it) instead of adding it as a source.`,
  },
  {
    title: 'an additional source\'s own source is misconfigured',
    props: () => base({ additionalSources: [{ name: 'Config', source: gh({ repository: 'shop-config' }) }] }),
    message: `${P}additionalSources[0] ('Config').source.repository must look like 'owner/repo', got 'shop-config'. Pass the repository as 'owner/repo', for example 'acme/shop' (a GitLab project in a subgroup: 'group/subgroup/project').`,
  },
  // --- build
  {
    // regression: said only that buildStep was missing
    title: 'build step named build, as in CDK Pipelines sketches',
    props: () => ({ source: gh({}), build: build() }),
    message: `${P}build is not a field of DeliveryPipelineProps, got a BuildStep. Did you mean 'buildStep'? DeliveryPipelineProps calls it buildStep; `
      + 'a field under another name would be ignored.',
  },
  {
    title: 'build step missing',
    props: () => ({ source: gh({}) }),
    message: `${P}buildStep must be a BuildStep, got undefined. Use BuildStep.commands({ commands: ['npm ci', 'npm test'] }).`,
  },
  {
    title: 'build commands given as one string',
    props: () => base({ buildStep: BuildStep.commands({ commands: 'npm test' as any }) }),
    message: `${P}buildStep.commands must be an array of strings, got 'npm test'. Pass the build commands, for example ['npm ci', 'npm test'].`,
  },
  {
    title: 'no build commands',
    props: () => base({ buildStep: BuildStep.commands({ commands: [] }) }),
    message: `${P}buildStep.commands must not be empty, got an array of 0. Pass the build commands, for example ['npm ci', 'npm test'].`,
  },
  {
    title: 'test report glob empty',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm test'], testReports: [TestReport.junit('')] }) }),
    message: `${P}buildStep.testReports[0] must not be an empty glob, got ''. Pass a glob of the report files, for example TestReport.junit('test-reports/*.xml').`,
  },
  {
    title: 'test report given as a string',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm test'], testReports: ['reports/*.xml' as any] }) }),
    message: `${P}buildStep.testReports[0] must be a TestReport, got 'reports/*.xml'. Use TestReport.junit('reports/*.xml').`,
  },
  {
    title: 'build timeout beyond CodeBuild\'s 36 hours',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], timeout: Duration.hours(48) }) }),
    message: `${P}buildStep.timeout must be whole minutes from 5 to 2160 (CodeBuild's limits), got 2880 minutes. Pass a Duration such as Duration.minutes(60).`,
  },
  {
    // regression: aws-cdk-lib's own ValidationError ("x86-64 images do not support Lambda compute types"), without construct or field
    title: 'Lambda compute type with a container image',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], computeType: codebuild.ComputeType.LAMBDA_1GB }) }),
    message: `${P}buildStep.computeType does not fit the build environment (CodeBuild: x86-64 images do not support Lambda compute types), got image aws/codebuild/standard:7.0, compute BUILD_LAMBDA_1GB. `
      + 'Choose a compute type the image supports: Lambda images run on codebuild.ComputeType.LAMBDA_* without privileged mode, other images on SMALL, MEDIUM, LARGE or X2_LARGE.',
  },
  {
    title: 'Lambda image in privileged mode',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, privileged: true }) }),
    message: `${P}buildStep.privileged does not fit the build environment (CodeBuild: Lambda compute type does not support privileged mode), got image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20, compute BUILD_LAMBDA_1GB, privileged. `
      + 'Choose a compute type the image supports: Lambda images run on codebuild.ComputeType.LAMBDA_* without privileged mode, other images on SMALL, MEDIUM, LARGE or X2_LARGE.',
  },
  {
    // regression: aws-cdk-lib's "Cannot specify timeout for Lambda compute"
    title: 'Lambda image with a timeout',
    props: () => base({ checks: [QualityCheck.commands('Lint', ['npm run lint'], { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, timeout: Duration.minutes(10) })] }),
    message: `${P}checks[0].timeout cannot be set with a Lambda build image (CodeBuild fixes the time limit of Lambda compute), got 10 minutes. Leave timeout out, or use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0.`,
  },
  {
    // regression: aws-cdk-lib's "Cannot specify cache for Lambda compute"
    title: 'Lambda image with a build cache',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, cache: BuildCache.local() }) }),
    message: /^'PipelineStack\/Shop': buildStep\.cache cannot be used with a Lambda build image \(CodeBuild has no cache for Lambda compute\), got local cache.*\. Leave cache out, or use a container image such as codebuild\.LinuxBuildImage\.STANDARD_7_0\.$/,
  },
  {
    title: 'build rolePolicyStatements given as one statement, not an array',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], rolePolicyStatements: new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }) as any }) }),
    message: /^'PipelineStack\/Shop': buildStep\.rolePolicyStatements must be an array of iam\.PolicyStatement, got .*\. Pass \[new iam\.PolicyStatement\(\{ actions: \['s3:PutObject'\], resources: \[bucket\.arnForObjects\('\*'\)\] \}\)\]\.$/,
  },
  {
    title: 'deploy script rolePolicyStatements holding a plain object (JavaScript caller)',
    props: () => base({ environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], { rolePolicyStatements: [{ Action: 'sts:AssumeRole', Resource: '*' } as any] })] }] }),
    message: `${P}environments[0] ('staging').deployments[0].rolePolicyStatements[0] must be an iam.PolicyStatement, got an object. Pass [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] })].`,
  },
  {
    title: 'verification rolePolicyStatements with a principal (a resource policy statement)',
    props: () => base({
      environments: [{
        name: 'staging',
        deployments: [cfn()],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], {
          rolePolicyStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shop/*'], principals: [new iam.AccountRootPrincipal()] })],
        })],
      }],
    }),
    message: /^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.verification\[0\]\.rolePolicyStatements\[0\] is not valid in a role's policy \(A PolicyStatement used in an identity-based policy cannot specify any IAM principals\.\), got \{"Action":"s3:GetObject","Effect":"Allow","Principal":\{"AWS":"<token>"\},"Resource":"arn:aws:s3:::shop\/\*"\}\. Give the statement actions and resources, and no principals: the project's role is the principal\.$/,
  },
  {
    // regression: aws-cdk-lib's own error ("cannot be converted into a whole number of minutes") came out of the CodeBuild project
    title: 'build timeout with a fraction of a minute',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], timeout: Duration.seconds(330) }) }),
    message: `${P}buildStep.timeout must be whole minutes from 5 to 2160 (CodeBuild's limits), got 5.5 minutes. Pass a Duration such as Duration.minutes(60).`,
  },
  {
    title: 'build timeout as a number of minutes (JavaScript caller)',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], timeout: 30 as any }) }),
    message: `${P}buildStep.timeout must be a Duration, got 30. Pass Duration.minutes(60).`,
  },
  {
    title: 'environment variable value not a string',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], environmentVariables: { PORT: 8080 as any } }) }),
    message: `${P}buildStep.environmentVariables.PORT must be a string, got 8080. Pass plain string values, for example { NODE_ENV: 'test' }; pass secrets in secrets (BuildSecret).`,
  },
  {
    title: 'docker layer cache without privileged build',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['docker build .'], cache: BuildCache.local({ dockerLayers: true }) }) }),
    message: `${P}buildStep.cache caches Docker layers but the build is not privileged, got dockerLayers: true. Set privileged: true on the build, or drop dockerLayers.`,
  },
  // --- checks
  {
    title: 'threshold below 0',
    props: () => base({ checks: [QualityCheck.sourceCodeScan({ highThreshold: -1 })] }),
    message: `${P}checks[0].highThreshold must be a whole number of findings, 0 or more, got -1. Pass 0 to fail on any high finding, or a higher number to tolerate some.`,
  },
  {
    title: 'threshold not a whole number',
    props: () => base({ checks: [QualityCheck.sourceCodeScan({ criticalThreshold: 0.5 })] }),
    message: `${P}checks[0].criticalThreshold must be a whole number of findings, 0 or more, got 0.5. Pass 0 to fail on any critical finding, or a higher number to tolerate some.`,
  },
  {
    title: 'check name with a space',
    props: () => base({ checks: [QualityCheck.commands('Unit tests', ['npm test'])] }),
    message: `${P}checks[0].name contains characters CodePipeline rejects in a check name, got 'Unit tests'. Use 1 to 100 characters from A-Z, a-z, 0-9, '.', '@', '-' and '_' for the check name.`,
  },
  {
    title: 'check name longer than 100 characters',
    props: () => base({ checks: [QualityCheck.commands('L'.repeat(101), ['lint'])] }),
    message: `${P}checks[0].name must be at most 100 characters (CodePipeline's limit for a check name), got '${'L'.repeat(101)}'. Use 1 to 100 characters from A-Z, a-z, 0-9, '.', '@', '-' and '_' for the check name.`,
  },
  {
    title: 'two checks with the same name',
    props: () => base({ checks: [QualityCheck.dependencyAudit(), QualityCheck.dependencyAudit()] }),
    message: `${P}checks has two checks named 'DependencyAudit' (action names must be unique in a stage), got 'DependencyAudit'. Give each check its own name.`,
  },
  {
    title: 'image scan tag from an additional source\'s variable its kind does not set',
    props: () => base({
      additionalSources: [{ name: 'Cfg', source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(importStack(), 'Cfg', 'shop-config'), key: 'cfg.zip' }), triggersPipeline: false }],
      checks: [QualityCheck.imageScan(ecr.Repository.fromRepositoryArn(importStack(), 'Repo', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop'), { imageTag: '#{SourceVariables_Cfg.CommitId}' })],
    }),
    message: `${P}checks[0].imageTag names #{SourceVariables_Cfg.CommitId}, a variable that additional source's S3 source does not set (it sets ETag, VersionId), got '#{SourceVariables_Cfg.CommitId}'. Use one of its variables, or a literal tag.`,
  },
  {
    title: 'image scan tag from a namespace no additional source has',
    props: () => base({
      checks: [QualityCheck.imageScan(ecr.Repository.fromRepositoryArn(importStack(), 'Repo', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop'), { imageTag: '#{SourceVariables_Nope.CommitId}' })],
    }),
    message: `${P}checks[0].imageTag names #{SourceVariables_Nope.CommitId}, but no additional source has the namespace SourceVariables_Nope, got '#{SourceVariables_Nope.CommitId}'. Use #{SourceVariables.<variable>}: the pipeline has no additional sources.`,
  },
  {
    title: 'S3 source key with a leading slash',
    props: () => base({ source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(importStack(), 'Drops', 'shop-drops'), key: '/source/shop.zip' }) }),
    message: `${P}source.key starts with '/', which S3 keeps as part of the key (the source action would wait for an object that is not there), got '/source/shop.zip'. Drop the leading '/': 'source/shop.zip'.`,
  },
  {
    title: 'S3 cache prefix with a leading slash',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm test'], cache: BuildCache.s3(s3.Bucket.fromBucketName(importStack(), 'Cache', 'shop-cache'), { prefix: '/cache/', paths: ['node_modules/**/*'] }) }) }),
    message: `${P}buildStep.cache.prefix starts with '/', which S3 keeps as part of the key ('<bucket>//cache/...'), got '/cache/'. Drop the leading '/': 'cache/'.`,
  },
  {
    title: 'a source code scan of an ECR source (its artifact is imageDetail.json)',
    props: () => base({
      source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryArn(importStack(), 'Repo', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop') }),
      checks: [QualityCheck.sourceCodeScan()],
    }),
    message: `${P}checks[0] is an Amazon Inspector source code scan, but the pipeline's source is an ECR source, whose artifact holds only imageDetail.json, got check 'SourceCodeScan'. Scan the image with QualityCheck.imageScan(repository) instead.`,
  },
  {
    title: 'an environment variable with CodeBuild\'s reserved prefix',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm test'], environmentVariables: { CODEBUILD_SRC_DIR: 'x' } }) }),
    message: `${P}buildStep.environmentVariables has a name that starts with CODEBUILD_, a prefix CodeBuild reserves for its own variables, got 'CODEBUILD_SRC_DIR'. Give the variable another name.`,
  },
  {
    title: 'a source code scan of a full clone (only CodeBuild reads a clone reference)',
    props: () => base({ source: gh({ fullClone: true }), checks: [QualityCheck.sourceCodeScan()] }),
    message: `${P}checks[0] is an Amazon Inspector source code scan, which reads the source artifact, but source.fullClone makes that artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, got check 'SourceCodeScan'. Leave fullClone out, or scan the code in CodeBuild with QualityCheck.commands(), which clones the repository.`,
  },
  {
    title: 'six test reports (CodeBuild takes five report groups per project)',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['npm test'], testReports: [1, 2, 3, 4, 5, 6].map(i => TestReport.junit(`reports/${i}/*.xml`)) }) }),
    message: `${P}buildStep.testReports may hold at most 5 reports (CodeBuild's limit of report groups per project), got 6 reports. Combine reports of one format into one, with a glob that matches all their files (TestReport.junit('reports/**/*.xml')).`,
  },
  {
    title: 'dependency audit command given as a list (JavaScript)',
    props: () => base({ checks: [QualityCheck.dependencyAudit({ command: ['pip install pip-audit', 'pip-audit'] as any })] }),
    message: `${P}checks[0].command must be a string, got an array of 2. Pass one command string; join several with '&&', for example 'pip install pip-audit && pip-audit', or use QualityCheck.commands('DependencyAudit', [...]).`,
  },
  {
    title: 'dependency audit command empty',
    props: () => base({ checks: [QualityCheck.dependencyAudit({ command: ' ' })] }),
    message: `${P}checks[0].command must not be empty, got ' '. Pass the audit's command, for example 'npm audit --audit-level=high'.`,
  },
  {
    title: 'checks given as a single check',
    props: () => base({ checks: QualityCheck.dependencyAudit() }),
    message: `${P}checks must be an array of QualityCheck, got a single QualityCheck. Wrap it in an array: [QualityCheck.dependencyAudit()].`,
  },
  // --- environments
  {
    title: 'duplicate environment names',
    props: () => base({ environments: [env('staging'), env('staging')] }),
    message: `${P}environments[1] ('staging').name duplicates the name of environments[0] ('staging') (environment names must be unique, ignoring case), got 'staging'. Give each environment its own name.`,
  },
  {
    title: 'environment names differing only in case',
    props: () => base({ environments: [env('Prod'), env('prod')] }),
    message: `${P}environments[1] ('prod').name duplicates the name of environments[0] ('Prod') (environment names must be unique, ignoring case), got 'prod'. Give each environment its own name.`,
  },
  {
    title: 'environment name CodePipeline rejects',
    props: () => base({ environments: [env('prod eu')] }),
    message: `${P}environments[0].name contains characters CodePipeline rejects in an environment name, got 'prod eu'. Use 1 to 100 characters from A-Z, a-z, 0-9, '.', '@', '-' and '_' for the environment name.`,
  },
  {
    title: 'environment name taken by the pipeline',
    props: () => base({ environments: [env('build')] }),
    message: `${P}environments[0] ('build').name is the name of the pipeline's own 'Build' stage, got 'build'. Choose another environment name, for example 'staging'.`,
  },
  {
    title: 'environment name as a token',
    props: () => base({ environments: [env(Token.asString({ Ref: 'EnvName' }))] }),
    message: /^'PipelineStack\/Shop': environments\[0\]\.name must be a literal \(CodePipeline needs the environment name at synth time\), got '\$\{Token\[TOKEN\.\d+\]\}'\. Pass a plain string, not a token\.$/,
  },
  {
    title: 'no deployments in an environment',
    props: () => base({ environments: [{ name: 'staging', deployments: [] }] }),
    message: `${P}environments[0] ('staging').deployments must hold at least one deployment target (an environment that deploys nothing is not an environment), got an array of 0. Add a DeploymentTarget, or remove the environment.`,
  },
  {
    title: 'deployments missing (JavaScript caller)',
    props: () => base({ environments: [{ name: 'staging' }] }),
    message: `${P}environments[0] ('staging').deployments must be an array of DeploymentTarget, got undefined. Pass at least one target, for example [DeploymentTarget.cloudFormation({ stackName, templatePath })].`,
  },
  {
    title: 'account id as a number (JavaScript caller)',
    props: () => base({ environments: [env('prod', { account: 222222222222 as any })] }),
    message: `${P}environments[0] ('prod').account must be a string, got 222222222222. Pass a 12-digit account id such as '111111111111'.`,
  },
  {
    title: 'account id too short',
    props: () => base({ environments: [env('prod', { account: '2222' })] }),
    message: `${P}environments[0] ('prod').account must be a 12-digit AWS account id, got '2222'. Pass the account id as a string, for example '111111111111'.`,
  },
  {
    title: 'region misspelt',
    props: () => base({ environments: [env('prod', { region: 'eu-west' })] }),
    message: `${P}environments[0] ('prod').region is not an AWS region name, got 'eu-west'. Pass a region such as 'eu-west-1'.`,
  },
  {
    title: 'region imported from another stack (a token)',
    props: () => base({ environments: [env('prod', { region: Fn.importValue('ProdRegion') })] }),
    message: `${P}environments[0] ('prod').region must be a region known at synth (a cross-region action needs an artifact store in its region, which the pipeline creates for the regions it knows at synth), got a token. Pass the region as a literal such as 'eu-west-1', or leave region out to deploy in the pipeline's region.`,
  },
  {
    title: 'CloudFormation target region misspelt',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ region: 'us-east' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].region is not an AWS region name, got 'us-east'. Pass a region such as 'eu-west-1'.`,
  },
  {
    title: 'environments under CONTINUOUS_INTEGRATION',
    props: () => base({ releaseMode: ReleaseMode.CONTINUOUS_INTEGRATION, environments: [env('a'), env('b')] }),
    message: `${P}environments must be empty under ReleaseMode.CONTINUOUS_INTEGRATION (a CI pipeline releases nothing), got 2 environments. Remove the environments, or choose ReleaseMode.CONTINUOUS_DELIVERY or CONTINUOUS_DEPLOYMENT.`,
  },
  {
    title: 'release mode as a string in the wrong case (JavaScript caller)',
    props: () => base({ releaseMode: 'continuous-delivery' }),
    message: `${P}releaseMode must be a ReleaseMode, got 'continuous-delivery'. Use ReleaseMode.CONTINUOUS_INTEGRATION, CONTINUOUS_DELIVERY or CONTINUOUS_DEPLOYMENT.`,
  },
  {
    title: 'change-set review under continuous deployment',
    props: () => base({ releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [{ name: 'prod', approval: Approval.changeSetReview(), deployments: [cfn()] }] }),
    message: `${P}environments[0] ('prod').approval is a manual approval, which ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides; automated checks do), got Approval.changeSetReview(). Remove the approval and gate the environment with verification, or use ReleaseMode.CONTINUOUS_DELIVERY.`,
  },
  {
    title: 'unverified production under continuous deployment',
    props: () => base({ releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('prod', { production: true })] }),
    message: `${P}environments[0] ('prod').verification is empty, but under ReleaseMode.CONTINUOUS_DEPLOYMENT a production environment needs automated verification, got no verification. Add Verification.commands(...) or Verification.alarms(...), or set acknowledgeUnverifiedProduction: true to accept the risk.`,
  },
  {
    title: 'change-set review without a CloudFormation target',
    props: () => base({ environments: [env('prod', { approval: Approval.changeSetReview() })] }),
    message: `${P}environments[0] ('prod').approval is Approval.changeSetReview(), but the environment has no CloudFormation target whose change set could be reviewed, got deployments of kinds commands. Use Approval.manual(), or add a DeploymentTarget.cloudFormation() or DeploymentTarget.cdkStage().`,
  },
  {
    title: 'approval timeout below 5 minutes',
    props: () => base({ environments: [env('prod', { approval: Approval.manual({ timeout: Duration.minutes(1) }) })] }),
    message: `${P}environments[0] ('prod').approval.timeout must be whole minutes from 5 minutes to 60 days (CodePipeline's limits for a manual approval), got 1 minutes. Pass a Duration such as Duration.days(3).`,
  },
  {
    title: 'approval timeout above 60 days',
    props: () => base({ environments: [env('prod', { approval: Approval.manual({ timeout: Duration.days(90) }) })] }),
    message: `${P}environments[0] ('prod').approval.timeout must be whole minutes from 5 minutes to 60 days (CodePipeline's limits for a manual approval), got 129600 minutes. Pass a Duration such as Duration.days(3).`,
  },
  {
    // regression: aws-cdk-lib's own error ("cannot be converted into a whole number of minutes") came out of the approval action
    title: 'approval timeout with a fraction of a minute',
    props: () => base({ environments: [env('prod', { approval: Approval.manual({ timeout: Duration.seconds(330) }) })] }),
    message: `${P}environments[0] ('prod').approval.timeout must be whole minutes from 5 minutes to 60 days (CodePipeline's limits for a manual approval), got 5.5 minutes. Pass a Duration such as Duration.days(3).`,
  },
  {
    title: 'approval review URL longer than an action configuration value may be',
    props: () => base({ environments: [env('prod', { approval: Approval.manual({ reviewUrl: `https://shop.example.com/${'r'.repeat(1000)}` }) })] }),
    message: `${P}environments[0] ('prod').approval.reviewUrl must be at most 1000 characters (CodePipeline's limit for an action configuration value), got 1025 characters. Link a shorter URL, for example a page that holds the details.`,
  },
  {
    title: 'approval review URL not a URL',
    props: () => base({ environments: [env('prod', { approval: Approval.manual({ reviewUrl: 'staging.example.com' }) })] }),
    message: `${P}environments[0] ('prod').approval.reviewUrl must be an http(s) URL, got 'staging.example.com'. Pass a URL such as 'https://shop.example.com/release-notes'.`,
  },
  {
    title: 'approval given as a string',
    props: () => base({ environments: [env('prod', { approval: 'manual' as any })] }),
    message: `${P}environments[0] ('prod').approval must be an Approval, got 'manual'. Use Approval.manual() or Approval.changeSetReview().`,
  },
  {
    title: 'deployment named like the approval',
    props: () => base({ environments: [{ name: 'prod', approval: Approval.manual(), deployments: [DeploymentTarget.commands('Approve', ['x'])] }] }),
    message: `${P}environments[0] ('prod') has two actions named 'Approve' (names of deployments and verification must be unique in an environment and 'Approve' is the approval's name), got 'Approve'. Rename one of them.`,
  },
  {
    title: 'deployment and verification with the same name',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.commands('Smoke', ['x'])], verification: [Verification.commands('Smoke', ['y'])] }] }),
    message: `${P}environments[0] ('prod') has two actions named 'Smoke' (names of deployments and verification must be unique in an environment), got 'Smoke'. Rename one of them.`,
  },
  {
    title: 'deploy script named like a CloudFormation target\'s stack (their actions differ, their constructs would not)',
    props: () => base({
      environments: [{
        name: 'prod',
        deployments: [
          DeploymentTarget.commands('shop-api', ['./migrate.sh']),
          DeploymentTarget.cloudFormation({ stackName: 'shop-api', templatePath: 'cdk.out/shop-api.template.json' }),
        ],
      }],
    }),
    message: `${P}environments[0] ('prod').deployments[1] is named 'shop-api' like deployments[0] (deployments and verification need distinct names in an environment; `
      + "a CloudFormation target is named after its stack), got 'shop-api'. Rename one of them: give the script or test another name, "
      + "or the CloudFormation target a name of its own (name: 'shop-api-stack').",
  },
  {
    title: 'verification named like a CloudFormation target',
    props: () => base({
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.cloudFormation({ stackName: 'Smoke', templatePath: 'cdk.out/Smoke.template.json' })],
        verification: [Verification.commands('Smoke', ['./smoke.sh'])],
      }],
    }),
    message: /environments\[0\] \('prod'\)\.verification\[0\] is named 'Smoke' like deployments\[0\]/,
  },
  {
    title: 'CloudFormation stack name with an underscore',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ stackName: 'shop_prod' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].stackName is not a valid CloudFormation stack name, got 'shop_prod'. Use 1 to 128 characters: letters, digits and '-', starting with a letter, for example 'shop-staging'.`,
  },
  {
    title: 'CloudFormation deploy role given as an ARN string (JavaScript caller)',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ deployRole: 'arn:aws:iam::111111111111:role/deployer' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].deployRole must be an iam.IRole, got 'arn:aws:iam::111111111111:role/deployer'. Pass iam.Role.fromRoleArn(this, 'DeployRole', 'arn:aws:iam::111111111111:role/...').`,
  },
  {
    title: 'publishAssetsInBuild as a string (JavaScript caller)',
    props: () => base({ publishAssetsInBuild: 'yes', environments: [{ name: 'prod', deployments: [cfn()] }] }),
    message: `${P}publishAssetsInBuild must be true or false, got 'yes'. Pass a boolean.`,
  },
  {
    title: 'selfUpdate as a string (JavaScript caller)',
    props: () => base({ selfUpdate: 'true', environments: [{ name: 'prod', deployments: [cfn()] }] }),
    message: `${P}selfUpdate must be true or false, got 'true'. Pass a boolean.`,
  },
  {
    title: 'CloudFormation template path naming a directory',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ templatePath: 'cdk.out/' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].templatePath names a directory, but the action reads one file, got 'cdk.out/'. Pass the file's path, such as 'template.yaml'.`,
  },
  {
    title: 'CloudFormation template path absolute',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ templatePath: '/cdk.out/Shop.template.json' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].templatePath must be a relative path inside the build output, got '/cdk.out/Shop.template.json'. Pass a path such as 'template.yaml'; the library prefixes the build artifact itself.`,
  },
  {
    title: 'CloudFormation template path written with backslashes',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ templatePath: 'cdk.out\\Shop.template.json' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].templatePath separates directories with '\\', but CodePipeline reads paths inside the build artifact with '/' only, got 'cdk.out\\Shop.template.json'. Pass 'cdk.out/Shop.template.json'.`,
  },
  {
    title: 'ECS blue/green task definition template outside the build output',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(checkoutGroup(), { taskDefinitionTemplate: '../taskdef.json', appSpecTemplate: 'appspec.yaml' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].taskDefinitionTemplate must be a relative path inside the build output, got '../taskdef.json'. Pass a path such as 'taskdef.json'; the library prefixes the build artifact itself.`,
  },
  {
    title: 'ECS blue/green AppSpec template as an absolute path',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployEcs(checkoutGroup(), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: '/appspec.yaml' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].appSpecTemplate must be a relative path inside the build output, got '/appspec.yaml'. Pass a path such as 'appspec.yaml'; the library prefixes the build artifact itself.`,
  },
  {
    title: 'ECS blue/green image from the source of a pipeline without an ECR source',
    props: () => base({
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.codeDeployEcs(checkoutGroup(), { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml', containerImage: DeploymentArtifact.SOURCE })],
      }],
    }),
    message: `${P}environments[0] ('prod').deployments[0].containerImage takes the image from an imageDetail.json in the source artifact, which only an ECR source writes, but the pipeline's source is a GitHub source, got DeploymentArtifact.SOURCE. Use PipelineSource.ecr({ repository }) as the pipeline's source, or DeploymentArtifact.BUILD_OUTPUT with the build writing imageDetail.json ({"ImageURI": "<the image URI>"}) at the root of its output.`,
  },
  {
    title: 'ECS image definitions file written with backslashes',
    props: () => {
      const service = webService();
      return base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service, { imageDefinitionsFile: 'out\\imagedefinitions.json' })] }] });
    },
    message: `${P}environments[0] ('prod').deployments[0].imageDefinitionsFile separates directories with '\\', but CodePipeline reads paths inside the build artifact with '/' only, got 'out\\imagedefinitions.json'. Pass 'out/imagedefinitions.json'.`,
  },
  {
    title: 'ECS image definitions file as an absolute path',
    props: () => {
      const service = webService();
      return base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service, { imageDefinitionsFile: '/imagedefinitions.json' })] }] });
    },
    message: `${P}environments[0] ('prod').deployments[0].imageDefinitionsFile must be a relative path inside the build output, got '/imagedefinitions.json'. Pass a path such as 'imagedefinitions.json'; the library prefixes the build artifact itself.`,
  },
  {
    title: 'parameter overrides too large for CodePipeline',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ parameterOverrides: { Big: 'x'.repeat(1000) } })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].parameterOverrides must render to at most 1000 characters (CodePipeline action configuration limit), got 1010 characters. Move values into a template configuration file in the build output: templateConfiguration: 'params/prod.json'.`,
  },
  {
    title: 'template configuration path leaving the build output',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ templateConfiguration: '../params/prod.json' })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].templateConfiguration must be a relative path inside the build output, got '../params/prod.json'. `
      + "Pass a path such as 'params/prod.json'; the library prefixes the build artifact itself.",
  },
  {
    title: 'the same stack deployed by two environments into one account and region',
    props: () => base({ environments: [{ name: 'staging', deployments: [cfn()] }, { name: 'prod', deployments: [cfn()] }] }),
    message: `${P}environments[1] ('prod').deployments[0].stackName deploys the same stack into the same account and region (111111111111/eu-west-1) as environments[0] ('staging'), got 'shop'. Give each environment its own stack name (for example with the environment as suffix), account or region.`,
  },
  {
    title: 'the same stack deployed by two targets of one environment',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn({ name: 'api' }), cfn({ name: 'web' })] }] }),
    message: `${P}environments[0] ('prod').deployments[1].stackName deploys stack 'shop' into 111111111111/eu-west-1, which deployments[0] ('api') of the same environment deploys too (both would create and execute the change set 'cdk-delivery-pipeline' of that stack, in parallel), got 'shop'. Deploy each stack with one target: remove one of the two, or give it another stack name, account or region.`,
  },
  {
    title: 'the same CodeDeploy deployment group deployed by two targets of one environment',
    props: () => {
      const fleet = fleetOf(importStack(), '111111111111');
      return base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleet), DeploymentTarget.codeDeployServer(fleet, { name: 'again' })] }] });
    },
    message: `${P}environments[0] ('prod').deployments[1].deploymentGroup deploys to deployment group 'shop-fleet' of application 'shop', which deployments[0] ('shop-fleet') of the same environment deploys to too (the two actions run in parallel, and CodeDeploy refuses a deployment to a group while another one is in progress), got 'shop-fleet'. Deploy each deployment group with one target: remove one of the two.`,
  },
  {
    title: 'the same ECS service updated by two rolling-update targets of one environment',
    props: () => {
      const service = webService();
      return base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.ecs(service), DeploymentTarget.ecs(service, { name: 'Again', imageDefinitionsFile: 'b.json' })] }] });
    },
    message: `${P}environments[0] ('prod').deployments[1].service updates ECS service 'shop-web', which deployments[0] ('shop-web') of the same environment updates too (the two rolling updates would run in parallel, each replacing the task definition of the other), got 'shop-web'. Deploy each service with one target: remove one of the two.`,
  },
  {
    // regression: accepted; staging deployed the production fleet before anyone approved
    title: 'the same CodeDeploy deployment group deployed from a staging and a production environment',
    props: () => base({
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.codeDeployServer(fleetOf(importStack(), '111111111111'))] },
        { name: 'prod', production: true, deployments: [DeploymentTarget.codeDeployServer(fleetOf(importStack(), '111111111111'))] },
      ],
    }),
    message: `${P}environments[1] ('prod').deployments[0].deploymentGroup deploys to deployment group 'shop-fleet' of application 'shop' (111111111111/eu-west-1), which environments[0] ('staging') deploys to too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') (its approval, its entry conditions, the checks in between) are passed, got 'shop-fleet'. Give each environment a deployment group of its own, or deploy this one from one environment only.`,
  },
  {
    title: 'the same ECS service updated from a staging and a production environment',
    props: () => {
      const service = webService();
      return base({ environments: [{ name: 'staging', deployments: [DeploymentTarget.ecs(service)] }, { name: 'prod', production: true, deployments: [DeploymentTarget.ecs(service)] }] });
    },
    message: `${P}environments[1] ('prod').deployments[0].service updates ECS service 'shop-web' of cluster 'shop' (111111111111/eu-west-1), which environments[0] ('staging') updates too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') (its approval, its entry conditions, the checks in between) are passed, got 'shop-web'. Give each environment an ECS service of its own, or deploy this one from one environment only.`,
  },
  {
    title: 'the same Lambda alias moved from a staging and a production environment',
    props: () => base({
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.lambdaFunction(apiAlias())] },
        { name: 'prod', production: true, deployments: [DeploymentTarget.lambdaFunction(apiAlias())] },
      ],
    }),
    message: `${P}environments[1] ('prod').deployments[0].alias moves alias 'live' of Lambda function 'shop-api' (111111111111/eu-west-1), which environments[0] ('staging') moves too: each change would reach it in environments[0] ('staging'), before the gates of environments[1] ('prod') (its approval, its entry conditions, the checks in between) are passed, got 'shop-api:live'. Give each environment a Lambda alias of its own, or deploy this one from one environment only.`,
  },
  {
    // regression: accepted; every deployment failed, CodeDeploy cannot read a clone reference
    title: 'a CodeDeploy revision taken from the source artifact of a fullClone source',
    props: () => base({
      source: gh({ fullClone: true }),
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleetOf(importStack(), '111111111111'), { input: DeploymentArtifact.SOURCE })] }],
    }),
    message: `${P}environments[0] ('prod').deployments[0].input takes the revision CodeDeploy deploys from the source artifact, but source.fullClone makes that artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, so every deployment would fail, got DeploymentArtifact.SOURCE. Use DeploymentArtifact.BUILD_OUTPUT (the build can put the files in its output), or leave fullClone out.`,
  },
  {
    title: 'a Lambda function\'s code taken from the source artifact of a fullClone source',
    props: () => base({ source: gh({ fullClone: true }), environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(apiAlias(), { input: DeploymentArtifact.SOURCE })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].input takes the function's code from the source artifact, but source.fullClone makes that artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, so every deployment would fail, got DeploymentArtifact.SOURCE. Use DeploymentArtifact.BUILD_OUTPUT (the build can put the files in its output), or leave fullClone out.`,
  },
  {
    // regression: accepted; an ECR source's artifact has no appspec.yml
    title: 'a CodeDeploy revision taken from the source artifact of an ECR source',
    props: () => base({
      source: PipelineSource.ecr({ repository: ecr.Repository.fromRepositoryName(importStack(), 'Images', 'shop') }),
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleetOf(importStack(), '111111111111'), { input: DeploymentArtifact.SOURCE })] }],
    }),
    message: `${P}environments[0] ('prod').deployments[0].input takes the CodeDeploy revision (an appspec.yml at its root) from the source artifact, but the pipeline's source is an ECR source, whose artifact holds only imageDetail.json, got DeploymentArtifact.SOURCE. Use DeploymentArtifact.BUILD_OUTPUT with a build that writes the revision (appspec.yml and the files it names), or a source that holds the revision.`,
  },
  {
    title: 'Lambda canary of 0 percent',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(apiAlias(), { trafficShift: LambdaTrafficShift.canary(0, Duration.minutes(5)) })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].trafficShift.percent must be a whole percent from 1 to 99, got 0. Pass for example LambdaTrafficShift.canary(10, Duration.minutes(5)).`,
  },
  {
    title: 'Lambda traffic shift given as the strategy name (JavaScript)',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(apiAlias(), { trafficShift: 'Linear10PercentEvery1Minute' as any })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].trafficShift must be a LambdaTrafficShift, got 'Linear10PercentEvery1Minute'. Use LambdaTrafficShift.allAtOnce(), .canary(10, Duration.minutes(5)) or .linear(10, Duration.minutes(1)).`,
  },
  {
    title: 'Lambda deployment watching 11 alarms',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(apiAlias(), { alarms: [...Array(11).keys()].map(() => ALARM()) })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].alarms may hold at most 10 alarms (CodePipeline's limit for a Lambda deployment), got 11 alarms. Combine the alarms into a composite alarm (cloudwatch.CompositeAlarm).`,
  },
  {
    title: 'the same Lambda function deployed by two targets of one environment',
    props: () => {
      const alias = apiAlias();
      return base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(alias), DeploymentTarget.lambdaFunction(alias, { name: 'Again' })] }] });
    },
    message: `${P}environments[0] ('prod').deployments[1].alias deploys Lambda function 'shop-api', which deployments[0] ('shop-api') of the same environment deploys too (the two deployments would run in parallel, each publishing a version and moving the alias), got 'shop-api'. Deploy each function with one target: remove one of the two.`,
  },
  {
    title: 'Lambda function of another region than its environment',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.lambdaFunction(apiAlias('us-east-1'))] }] }),
    message: `${P}environments[0] ('prod').deployments[0].alias is an alias of a function in region us-east-1, but environment 'prod' deploys to eu-west-1, got 'us-east-1'. Import the function from eu-west-1, or set the environment's region to us-east-1.`,
  },
  {
    title: 'deployment given as a plain object',
    props: () => base({ environments: [{ name: 'prod', deployments: [{ stackName: 'shop' }] }] }),
    message: `${P}environments[0] ('prod').deployments[0] must be a DeploymentTarget, got an object. Use DeploymentTarget.cloudFormation(), .commands() or .fromActionFactory().`,
  },
  {
    title: 'ECS service of another account imported by name (aws-cdk-lib puts it in the importing stack\'s account)',
    props: () => {
      const scope = importStack();
      const cluster = ecs.Cluster.fromClusterArn(scope, 'Cluster', 'arn:aws:ecs:eu-west-1:222222222222:cluster/shop');
      const service = ecs.FargateService.fromFargateServiceAttributes(scope, 'Web', { cluster, serviceName: 'shop-web' });
      return base({ environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.ecs(service)] }] });
    },
    message: `${P}environments[0] ('prod').deployments[0].service is in account 111111111111 (the account of the stack that imports it), but its cluster is in account 222222222222, got '111111111111'. Import the service with its ARN, for example FargateService.fromFargateServiceAttributes(this, 'Service', { serviceArn: 'arn:aws:ecs:eu-west-1:222222222222:service/shop/shop-web', cluster }).`,
  },
  {
    title: 'CodeDeploy group in the pipeline account for an environment of another account',
    props: () => base({ environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.codeDeployServer(fleetOf(importStack(), '111111111111'))] }] }),
    message: `${P}environments[0] ('prod').deployments[0].deploymentGroup is in account 111111111111, but environment 'prod' deploys to account 222222222222, got '111111111111'. Import the deployment group from account 222222222222 (fromServerDeploymentGroupAttributes with an application ARN of that account), or set the environment's account to 111111111111.`,
  },
  {
    title: 'CodeDeploy group in a stack that names no environment (an env-agnostic service stack)',
    props: pipelineStack => base({
      environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(new codedeploy.ServerDeploymentGroup(new Stack(pipelineStack.node.root, 'Service'), 'Fleet'))] }],
    }),
    message: `${P}environments[0] ('prod').deployments[0].deploymentGroup is in a stack that names no account or region, so the pipeline (account 111111111111, eu-west-1) `
      + "cannot tell whether deploying to it crosses accounts or regions, got stack 'Service'. Give that stack env: { account: '111111111111', region: 'eu-west-1' }, "
      + 'or import the deployment group with ServerDeploymentGroup.fromServerDeploymentGroupAttributes(...) in a stack that names its account and region.',
  },
  {
    title: 'CodeDeploy action role of another account than the group\'s',
    props: () => {
      const scope = importStack();
      const role = iam.Role.fromRoleArn(scope, 'Role', 'arn:aws:iam::333333333333:role/shop-deploy');
      return base({ environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.codeDeployServer(fleetOf(scope, '222222222222'), { role })] }] });
    },
    message: `${P}environments[0] ('prod').deployments[0].role is in account 333333333333, but the deployment group is in account 222222222222 (CodePipeline deploys in the account of the role it assumes), got '333333333333'. Pass a role of account 222222222222 that trusts the pipeline account.`,
  },
  {
    title: 'CodeDeploy action role given as an ARN string (JavaScript caller)',
    props: () => base({ environments: [{ name: 'prod', deployments: [DeploymentTarget.codeDeployServer(fleetOf(importStack(), '111111111111'), { role: 'arn:aws:iam::111111111111:role/shop-deploy' as any })] }] }),
    message: `${P}environments[0] ('prod').deployments[0].role must be an iam.IRole, got 'arn:aws:iam::111111111111:role/shop-deploy'. Pass a role of the deployment group's account that trusts the pipeline account, for example iam.Role.fromRoleArn(this, 'DeployRole', 'arn:aws:iam::222222222222:role/shop-deploy').`,
  },
  {
    title: 'verification commands empty',
    props: () => base({ environments: [{ name: 'prod', deployments: [cfn()], verification: [Verification.commands('Smoke', [])] }] }),
    message: `${P}environments[0] ('prod').verification[0].commands must not be empty, got an array of 0. Pass the test commands, for example ['curl -fsS $URL/health'].`,
  },
  {
    title: 'more environments than the 50-stage quota allows',
    props: () => base({ checks: [QualityCheck.dependencyAudit()], environments: Array.from({ length: 48 }, (_, i) => env(`env${i}`)) }),
    message: `${P}environments must fit CodePipeline's quota of 50 stages per pipeline (the pipeline's own 3 stages, Source, Build and Checks, leave room for at most 47 environments), got 48 environments. Split the environments over two pipelines, or deploy several targets per environment.`,
  },
  {
    title: 'more environments than the 50-stage quota allows with checks and selfUpdate',
    props: () => base({ checks: [QualityCheck.dependencyAudit()], selfUpdate: true, environments: Array.from({ length: 47 }, (_, i) => env(`env${i}`)) }),
    message: `${P}environments must fit CodePipeline's quota of 50 stages per pipeline (the pipeline's own 4 stages, Source, Build, Checks and UpdatePipeline, leave room for at most 46 environments), got 47 environments. Split the environments over two pipelines, or deploy several targets per environment.`,
  },
  {
    title: 'deployment window written as an EventBridge schedule',
    props: () => base({ environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('cron(0 9-16 ? * MON-THU *)', 'Europe/Paris') })] }),
    message: `${P}environments[0] ('prod').deploymentWindow.expression is not a deployment window cron expression: it is written as an EventBridge schedule 'cron(...)'; a deployment window takes the CodePipeline form without 'cron(' and ')' and with a seconds field first, got 'cron(0 9-16 ? * MON-THU *)'. Write it as seconds minutes hours day-of-month month day-of-week, for example '* * 9-16 ? * MON-THU' for 09:00-16:59 Monday to Thursday.`,
  },
  {
    title: 'deployment window with both day fields \'?\'',
    props: () => base({ environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * ?', 'UTC') })] }),
    message: `${P}environments[0] ('prod').deploymentWindow.expression is not a deployment window cron expression: day-of-month and day-of-week are both '?'; exactly one of them must be '?', the other '*' or the days, got '* * 8-17 ? * ?'. Write it as seconds minutes hours day-of-month month day-of-week, for example '* * 9-16 ? * MON-THU' for 09:00-16:59 Monday to Thursday.`,
  },
  {
    title: 'deployment window on a day its month does not have (31 February)',
    props: () => base({ environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 8-17 31 2 ?', 'UTC') })] }),
    message: `${P}environments[0] ('prod').deploymentWindow.expression is not a deployment window cron expression: the day-of-month field has 31, a day that no month of the month field '2' has (the window would never open on it), got '* * 8-17 31 2 ?'. Write it as seconds minutes hours day-of-month month day-of-week, for example '* * 9-16 ? * MON-THU' for 09:00-16:59 Monday to Thursday.`,
  },
  {
    title: 'deployment window in an unknown time zone',
    props: () => base({ environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Pariss') })] }),
    message: `${P}environments[0] ('prod').deploymentWindow.timeZone is not a known time zone, got 'Europe/Pariss'. Pass an IANA time zone such as 'Europe/Paris', 'America/New_York' or 'UTC', or a UTC offset such as 'UTC+05:30' (abbreviations such as 'CST' name several zones).`,
  },
  {
    title: 'deployment window given as a string',
    props: () => base({ environments: [env('prod', { deploymentWindow: '* * 9-16 ? * MON-THU' as any })] }),
    message: `${P}environments[0] ('prod').deploymentWindow must be a DeploymentWindow, got '* * 9-16 ? * MON-THU'. Use DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Paris').`,
  },
  {
    title: 'alarm verification bake time of zero',
    props: () => base({ environments: [env('prod', { verification: [Verification.alarms([ALARM()], { bakeTime: Duration.seconds(0) })] })] }),
    message: `${P}environments[0] ('prod').verification[0].bakeTime must be a whole number of minutes from 1 minute to 24 hours, got 0 minutes. Pass a Duration such as Duration.minutes(30).`,
  },
  {
    title: 'alarm verification without alarms',
    props: () => base({ environments: [env('prod', { verification: [Verification.alarms([])] })] }),
    message: `${P}environments[0] ('prod').verification[0].alarms must hold at least one alarm, got an array of 0. Pass CloudWatch alarms, for example [errorRateAlarm, latencyAlarm] (cloudwatch.Alarm or cloudwatch.Alarm.fromAlarmArn).`,
  },
  {
    title: 'the same alarm twice in one alarm verification',
    props: () => {
      const errors = { alarmName: 'shop-errors', alarmArn: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors' } as unknown as cloudwatch.IAlarm;
      return base({ environments: [env('prod', { verification: [Verification.alarms([errors, ALARM(), errors])] })] });
    },
    message: `${P}environments[0] ('prod').verification[0].alarms[2] is the same alarm as alarms[0], got shop-errors. Name each alarm once.`,
  },
  {
    title: 'alarm names given instead of alarms',
    props: () => base({ environments: [env('prod', { blockWhileAlarming: ['ErrorRate' as any] })] }),
    message: `${P}environments[0] ('prod').blockWhileAlarming[0] must be a cloudwatch.IAlarm, got 'ErrorRate'. Pass CloudWatch alarms, for example [errorRateAlarm, latencyAlarm] (cloudwatch.Alarm or cloudwatch.Alarm.fromAlarmArn).`,
  },
  {
    title: 'more than 5 alarms watched in one environment',
    props: () => base({ environments: [env('prod', { verification: [Verification.alarms([ALARM(), ALARM(), ALARM()]), Verification.alarms([ALARM(), ALARM(), ALARM()])] })] }),
    message: `${P}environments[0] ('prod').verification watches more than 5 alarms (CodePipeline allows 5 rules in a condition), got 6 alarms. Combine the alarms into a composite alarm (cloudwatch.CompositeAlarm).`,
  },
  {
    title: 'a deployment window and 5 entry alarms: 6 rules in the one entry condition',
    props: () => base({
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Paris'),
        blockWhileAlarming: [ALARM(), ALARM(), ALARM(), ALARM(), ALARM()],
      })],
    }),
    message: `${P}environments[0] ('prod').blockWhileAlarming with the deployment window needs more than 5 rules in the entry condition (CodePipeline allows one entry condition of at most 5 rules), got 6 rules: the deployment window and 5 alarms. Pass at most 4 alarms beside a deployment window, or combine them into a composite alarm (cloudwatch.CompositeAlarm).`,
  },
  {
    title: 'rollback in PARALLEL execution mode',
    props: () => base({ executionMode: codepipeline.ExecutionMode.PARALLEL, environments: [env('prod', { onFailure: FailurePolicy.ROLLBACK })] }),
    message: `${P}environments[0] ('prod').onFailure is FailurePolicy.ROLLBACK, which CodePipeline does not support in PARALLEL execution mode, got FailurePolicy.ROLLBACK. Use FailurePolicy.FAIL or RETRY, or the QUEUED or SUPERSEDED execution mode.`,
  },
  {
    title: 'failure policy given as a string',
    props: () => base({ environments: [env('prod', { onFailure: 'ROLLBACK' as any })] }),
    message: `${P}environments[0] ('prod').onFailure must be a FailurePolicy, got 'ROLLBACK'. Use FailurePolicy.ROLLBACK, FailurePolicy.FAIL, FailurePolicy.RETRY or FailurePolicy.retry(mode).`,
  },
  {
    // regression: the mode went into the template as it was, for CloudFormation to refuse
    title: 'retry mode given as a string CodePipeline does not know',
    props: () => base({ environments: [env('prod', { onFailure: FailurePolicy.retry('ALL' as any) })] }),
    message: `${P}environments[0] ('prod').onFailure has a retry mode CodePipeline does not know, got 'ALL'. Use FailurePolicy.retry(codepipeline.RetryMode.FAILED_ACTIONS) or FailurePolicy.retry(codepipeline.RetryMode.ALL_ACTIONS).`,
  },
  {
    // regression: a TypeError (grantReadWrite is not a function) from inside aws-cdk-lib
    title: 'artifact bucket given as a bucket name (JavaScript caller)',
    props: () => base({ artifactBucket: 'acme-pipeline-artifacts' }),
    message: `${P}artifactBucket must be an s3.IBucket, got 'acme-pipeline-artifacts'. Pass an s3.Bucket or s3.Bucket.fromBucketName(this, 'Artifacts', 'my-bucket'), or leave it out for an encrypted bucket of the pipeline's own.`,
  },
  {
    // regression: a TypeError (reading 'defaultChild') from Resource.isOwnedResource
    title: 'artifact bucket given as a plain object with a bucket ARN (JavaScript caller)',
    props: () => base({ artifactBucket: { bucketName: 'artifacts', bucketArn: 'arn:aws:s3:::artifacts', grantReadWrite: () => undefined } as any }),
    message: `${P}artifactBucket must be an s3.IBucket, got an object. Pass an s3.Bucket or s3.Bucket.fromBucketName(this, 'Artifacts', 'my-bucket'), or leave it out for an encrypted bucket of the pipeline's own.`,
  },
  {
    title: 'pipeline name with a slash',
    props: () => base({ pipelineName: 'shop/delivery' }),
    message: `${P}pipelineName is not a name CodePipeline accepts, got 'shop/delivery'. Use 1 to 100 characters from A-Z, a-z, 0-9, '.', '@', '-' and '_', for example 'shop-delivery'.`,
  },
  {
    title: 'compute type misspelt (JavaScript caller)',
    props: () => base({ buildStep: BuildStep.commands({ commands: ['make'], computeType: 'LARGE' as codebuild.ComputeType }) }),
    message: `${P}buildStep.computeType must be a codebuild.ComputeType, got 'LARGE'. Use codebuild.ComputeType.SMALL, MEDIUM, LARGE or X2_LARGE.`,
  },
  {
    // regression: the field was ignored and prod deployed without the production approval
    title: 'field name misspelt (JavaScript caller, or a variable of a wider type)',
    props: () => base({ environments: [env('staging'), env('prod', { Production: true } as any)] }),
    message: `${P}environments[1] ('prod').Production is not a field of EnvironmentOptions, got true. Did you mean 'production'? A misspelt field would be ignored.`,
  },
  {
    title: 'bake time misspelt',
    props: () => base({ environments: [env('prod', { production: true, verification: [Verification.alarms([ALARM()], { bakeTme: Duration.minutes(30) } as any)] })] }),
    message: `${P}environments[0] ('prod').verification[0].bakeTme is not a field of AlarmVerificationOptions, got a Duration. Did you mean 'bakeTime'? A misspelt field would be ignored.`,
  },
  // --- aws-cdk-lib objects where they do not belong: named as users import them (regression: 'got a Bucket2', aws-cdk-lib's bundled class name)
  {
    title: 'an s3.Bucket given as the source',
    props: (stack) => base({ source: new s3.Bucket(stack, 'Releases', { versioned: true }) }),
    message: `${P}source must be a PipelineSource, got an s3.Bucket. Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().`,
  },
  {
    title: 'an iam.Role given as a deployment',
    props: (stack) => base({ environments: [{ name: 'prod', deployments: [new iam.Role(stack, 'Deployer', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') })] }] }),
    message: `${P}environments[0] ('prod').deployments[0] must be a DeploymentTarget, got an iam.Role. Use DeploymentTarget.cloudFormation(), .commands() or .fromActionFactory().`,
  },
  {
    title: 'a cloudwatch.Alarm given as the notifications topic',
    props: (stack) => base({
      notifications: {
        topic: new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 }),
      },
    }),
    message: `${P}notifications.topic must be an sns.ITopic, got a cloudwatch.Alarm. Pass an sns.Topic or sns.Topic.fromTopicArn(...).`,
  },
  {
    // regression: 'got an s3.BucketBase' (the first class with a public name: its base class)
    title: 'an imported bucket given as the source, named as the class it imports, with its ARN',
    props: (stack) => base({ source: s3.Bucket.fromBucketName(stack, 'Imported', 'shop-releases') }),
    message: `${P}source must be a PipelineSource, got an imported s3.Bucket ('arn:aws:s3:::shop-releases'). Use PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }), .codeCommit(), .s3() or .ecr().`,
  },
  {
    // regression: 'got a Approval'
    title: 'an Approval given as a verification',
    props: () => base({ environments: [env('prod', { production: true, verification: [Approval.manual()] as any })] }),
    message: `${P}environments[0] ('prod').verification[0] must be a Verification, got an Approval. Use Verification.commands('smoke', ['curl -fsS $URL/health']) or Verification.alarms([...]).`,
  },
];
