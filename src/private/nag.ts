import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { joinedText, pseudoParameterText } from './intrinsics';
import { isLambdaDeployRole } from './lambda-deploy-roles';
import { crossAccountActionRoles, ecsDeployActionPolicies, hasAliasScopedReplicationKeys, renderedStatements, scopedActionRoleKeys } from '../pipeline/render/replication-keys';

/*
 * cdk-nag suppressions for findings that aws-cdk-lib's own grants cause on resources this library
 * creates. Written as the `cdk_nag` resource metadata cdk-nag reads (the library does not depend
 * on cdk-nag). Each suppression names exactly the findings it covers and why they are acceptable;
 * the README's security section lists them.
 */

interface Suppression {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: Array<string | { regex: string }>;
}

/*
 * The IAM5 findings of the library's policies: every wildcard aws-cdk-lib's grants write, each
 * limited to the pipeline's own resources. One suppression entry per policy, naming exactly these
 * findings, keeps the metadata small (it is repeated on every policy, and the template's 1 MB
 * quota counts it); the README's security section explains each.
 */
const IAM5_REASON = 'Wildcards from aws-cdk-lib\'s grants, each limited to this pipeline\'s own resources: its artifact bucket, '
  + 'key and objects, its CodeBuild log and report groups, the named stack of a change set, keys by alias (kms:ResourceAliases). '
  + 'See the cdk-delivery-pipeline README, Security.';

const IAM5_FINDINGS: Array<string | { regex: string }> = [
  { regex: '/^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\\*$/' },
  { regex: '/^Action::kms:(GenerateDataKey|ReEncrypt)\\*$/' },
  { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):logs:[^:]+:[^:]+:log-group:\\/aws\\/(codebuild|codepipeline)\\/<[A-Za-z0-9]+>:\\*$/' },
  { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):codebuild:[^:]+:[^:]+:report-group\\/<[A-Za-z0-9]+>-\\*$/' },
  { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):cloudformation:[^:]+:[^:]+:stack\\/[A-Za-z][A-Za-z0-9-]*\\/\\*$/' },
];

/*
 * The same log groups, report groups and stacks in a pipeline stack without an explicit region or
 * account (env-agnostic): their ARNs name the region and account as <AWS::Region> and
 * <AWS::AccountId>, which the patterns above (no ':' in a field) do not match.
 */
const REGION = '(<AWS::Region>|[^:<>]+)';
const ACCOUNT = '(<AWS::AccountId>|[^:<>]+)';
const ENV_AGNOSTIC_IAM5_FINDINGS: Array<{ regex: string }> = [
  { regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):logs:${REGION}:${ACCOUNT}:log-group:\\/aws\\/(codebuild|codepipeline)\\/<[A-Za-z0-9]+>:\\*$/` },
  { regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):codebuild:${REGION}:${ACCOUNT}:report-group\\/<[A-Za-z0-9]+>-\\*$/` },
  { regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):cloudformation:${REGION}:${ACCOUNT}:stack\\/[A-Za-z][A-Za-z0-9-]*\\/\\*$/` },
];

/**
 * The read-only action wildcards aws-cdk-lib's CloudFormation stack action (the self-update's
 * SelfMutate) grants its role on the one stack it deploys (only on policies that hold them).
 */
const CFN_STACK_READ_FINDINGS: Array<{ regex: string }> = [{ regex: '/^Action::cloudformation:(DescribeStack|GetTemplate)\\*$/' }];

/**
 * A key granted through its alias: the AWS managed aws/s3 key, or the cross-region replication keys
 * (only on policies whose key/* statements carry the kms:ResourceAliases condition).
 */
const AWS_MANAGED_S3_KEY_FINDING = { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):kms:[^:]+:[^:]+:key\\/\\*$/' };
const ENV_AGNOSTIC_KEY_FINDING = { regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):kms:${REGION}:${ACCOUNT}:key\\/\\*$/` };

/** The actions CodePipeline's Lambda deploy action needs on its function (see deploy/lambda-target.ts). */
const LAMBDA_DEPLOY_ACTION = 'lambda:UpdateFunctionCode';

/**
 * The wildcards of a Lambda deployment's role: the versions and aliases of its one function
 * (`<function ARN>:*`), and the streams of the pipeline's own log groups, which the action writes to.
 */
const LAMBDA_DEPLOY_FINDINGS: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'CodePipeline\'s Lambda deploy action publishes a version of one function and moves its alias (<function ARN>:* is that function\'s versions and aliases), '
    + 'and writes its logs to the streams of this pipeline\'s log groups (/aws/codepipeline/<pipeline> and /<region>/codepipeline/<pipeline>). '
    + 'See the cdk-delivery-pipeline README, Security.',
  applies_to: [
    { regex: `/^Resource::(<[A-Za-z0-9]+\\.Arn>|arn:(<AWS::Partition>|aws[a-z-]*):lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]+):\\*$/` },
    {
      regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):logs:${REGION}:${ACCOUNT}:log-group:\\/(aws|<AWS::Region>|[a-z0-9-]+)\\/codepipeline\\/`
      + '(<[A-Za-z0-9]+>|[A-Za-z0-9.@_-]+):\\*$/',
    },
  ],
};

/**
 * True for the default policy of a Lambda deploy action's role, holding its grant: not for a policy
 * of the user's (a deploy script's rolePolicyStatements granting the same actions stay reported).
 */
function grantsLambdaDeploy(policy: iam.Policy, statements: Statement[]): boolean {
  return isLambdaDeployRole(policy.node.scope)
    && statements.some(st => ([] as string[]).concat(st.Action ?? []).includes(LAMBDA_DEPLOY_ACTION));
}

const API_REQUIRES_STAR: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'Resource "*" where the AWS API has no resource-level permissions: inspector-scan:ScanSbom (Amazon Inspector), '
    + 'ecs:RegisterTaskDefinition (CodeDeploy ECS blue/green), ecr:GetAuthorizationToken (the Docker login to the ECR repositories of dockerCredentials, '
    + 'the image pull of QualityCheck.imageScan); and aws-cdk-lib\'s iam:PassRole for CodeDeploy ECS blue/green, limited by iam:PassedToService to '
    + 'ecs-tasks.amazonaws.com: the action may pass any role of the account that trusts ecs-tasks.amazonaws.com (the task and execution roles '
    + 'are named in the task definition template, read at deploy time). Pass role to the deployment to use a narrower role. '
    + 'See the cdk-delivery-pipeline README, Security.',
  applies_to: ['Resource::*'],
};

/**
 * The Sid of the library's `cloudwatch:DescribeAlarms` grant on Resource "*", made only when an alarm
 * the pipeline's rules or a Lambda deploy action watch is a composite alarm (see
 * verification/verification.ts): only that statement carries the reason below.
 */
export const COMPOSITE_ALARMS_SID = 'DescribeCompositeAlarms';

const COMPOSITE_ALARMS_STAR: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'Resource "*" for cloudwatch:DescribeAlarms only, granted because a watched alarm is a composite alarm: CloudWatch returns information about '
    + 'composite alarms only to a cloudwatch:DescribeAlarms permission scoped to "*", not to one on the alarm\'s ARN (Amazon CloudWatch API Reference, DescribeAlarms). '
    + 'Metric alarms alone are granted by their ARNs. See the cdk-delivery-pipeline README, Security.',
  applies_to: ['Resource::*'],
};

/**
 * The actions aws-cdk-lib's ECS deploy action (an ECS rolling update) grants its role on
 * Resource "*": the permissions CodePipeline's ECS action documents for its role. The library
 * narrows DescribeServices and UpdateService to the service's ARN when it can name it
 * (see pipeline/render/replication-keys.ts, scopeEcsDeployGrants).
 */
const ECS_DEPLOY_ACTIONS = [
  'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks',
  'ecs:RegisterTaskDefinition', 'ecs:TagResource', 'ecs:UpdateService',
];

const ECS_DEPLOY_PASS_ROLE = 'and iam:PassRole limited by iam:PassedToService to ecs-tasks.amazonaws.com and ec2.amazonaws.com. '
  + 'Pass role to DeploymentTarget.ecs to use a narrower role. See the cdk-delivery-pipeline README, Security.';

/** The rolling update's "*" once DescribeServices and UpdateService are on the service's ARN. */
const ECS_DEPLOY_ACTION_STAR: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'Resource "*" as aws-cdk-lib\'s ECS deploy action grants it for an ECS rolling update, for the ECS actions CodePipeline\'s ECS deploy action documents '
    + 'that cannot name the service: DescribeTaskDefinition and RegisterTaskDefinition (no resource-level permissions), DescribeTasks, ListTasks and '
    + 'TagResource (the tasks and the task definition revision the action registers are named at deploy time); DescribeServices and UpdateService are '
    + 'granted on the service\'s ARN only; '
    + ECS_DEPLOY_PASS_ROLE,
  applies_to: ['Resource::*'],
};

/** The rolling update's "*" when the service's ARN cannot be named at synth (an import of another stack, a parameter, the old short ARN format). */
const ECS_DEPLOY_ACTION_STAR_UNNAMED_SERVICE: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'Resource "*" as aws-cdk-lib\'s ECS deploy action grants it for an ECS rolling update: the ECS actions CodePipeline\'s ECS deploy action documents '
    + '(DescribeServices, DescribeTaskDefinition, DescribeTasks, ListTasks, RegisterTaskDefinition, TagResource, UpdateService): the service\'s ARN is not '
    + 'known in its long format (service/<cluster>/<service>) at synth, so DescribeServices and UpdateService stay on "*" too; '
    + ECS_DEPLOY_PASS_ROLE,
  applies_to: ['Resource::*'],
};

/**
 * The policy aws-cdk-lib attaches to the role of a CodeBuild project in a VPC: the EC2 actions
 * CodeBuild documents for creating the build's network interfaces, on Resource "*" as documented
 * (the Describe actions have no resource-level permissions; CodeBuild creates and deletes the
 * interfaces in the subnets the project names, with the role's CreateNetworkInterfacePermission below).
 */
const CODEBUILD_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups', 'ec2:DescribeDhcpOptions', 'ec2:DescribeVpcs',
];

const CODEBUILD_VPC_STAR: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'Resource "*" as aws-cdk-lib grants it to a CodeBuild project in a VPC: the EC2 actions CodeBuild documents for the build\'s network interfaces '
    + '(CreateNetworkInterface, DeleteNetworkInterface, and Describe actions, which have no resource-level permissions). '
    + 'CodeBuild may attach interfaces only in the project\'s subnets (ec2:CreateNetworkInterfacePermission under ec2:Subnet and ec2:AuthorizedService conditions). '
    + 'See the cdk-delivery-pipeline README, Security.',
  applies_to: ['Resource::*'],
};

/** aws-cdk-lib's ec2:CreateNetworkInterfacePermission grant to a CodeBuild project in a VPC, on the account's network interfaces. */
const CODEBUILD_ENI_PERMISSION: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'ec2:CreateNetworkInterfacePermission on the network interfaces of the pipeline\'s account and Region, as aws-cdk-lib grants it to a CodeBuild project in a VPC '
    + '(the interfaces CodeBuild creates have no name known in advance), limited by conditions to the project\'s subnets (ec2:Subnet) and to CodeBuild (ec2:AuthorizedService). '
    + 'See the cdk-delivery-pipeline README, Security.',
  applies_to: [{ regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ec2:${REGION}:${ACCOUNT}:network-interface\\/\\*$/` }],
};

const ARTIFACT_BUCKET_ACCESS_LOGS: Suppression = {
  id: 'AwsSolutions-S1',
  reason: 'The artifact bucket holds transient pipeline artifacts written only by the pipeline\'s roles. Its object-level requests are recorded only if '
    + 'a CloudTrail trail logs S3 data events (not logged by default). Pass artifactBucket to use a bucket with server access logs.',
};

const REPLICATION_BUCKET_ACCESS_LOGS: Suppression = {
  id: 'AwsSolutions-S1',
  reason: 'The cross-region replication bucket (aws-cdk-lib\'s support stack) holds copies of the pipeline\'s transient artifacts, written only by the pipeline\'s roles. '
    + 'Its object-level requests are recorded only if a CloudTrail trail logs S3 data events in its Region (not logged by default).',
};

/** The read actions aws-cdk-lib's artifact grant (bucket.grantRead) gives an action role in another account. */
const ARTIFACT_READ_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];

const CROSS_ACCOUNT_ARTIFACT_READS_REASON = 'CodePipeline\'s action role in the target account reads the artifacts of this pipeline: '
  + 'aws-cdk-lib\'s read grant (GetObject*, GetBucket*, List*) on the pipeline\'s artifact bucket (or its replication bucket in the action\'s region) and its objects only '
  + '(artifact objects have generated keys). '
  + 'See the cdk-delivery-pipeline README, Security.';

const CROSS_ACCOUNT_KEY_READS_REASON = 'CodePipeline\'s action role in the target account decrypts the artifacts of this pipeline: '
  + 'kms:Decrypt and kms:DescribeKey on the keys of the pipeline\'s account in the action\'s region (the artifact key\'s generated id cannot be referenced '
  + 'from a stack of another account); only the artifact key\'s (replication key\'s) policy grants this role. '
  + 'See the cdk-delivery-pipeline README, Security.';

const FLEET_INSTANCE_KEY_READS: Suppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'aws-cdk-lib grants the instances of a CodeDeploy EC2 fleet of this app the pipeline\'s artifacts in another account or Region: '
    + 'kms:Decrypt and kms:DescribeKey on Resource "*" for the artifact key (or the replication key of the fleet\'s Region), whose generated id '
    + 'cannot be referenced from this stack; among other accounts\' keys only that key\'s policy names this role. The role is the app\'s, '
    + 'so its policy is not rewritten. See the cdk-delivery-pipeline README, Security.',
  applies_to: ['Resource::*'],
};

function suppress(resource: CfnResource, suppressions: Suppression[]): void {
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: Suppression[] } | undefined)?.rules_to_suppress ?? [];
  const all = [...existing];
  for (const s of suppressions) {
    if (!all.some(e => JSON.stringify(e) === JSON.stringify(s))) all.push(s);
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: all });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A statement of a rendered policy document, as far as the checks below read it. */
type Statement = { Sid?: string; Action?: string | string[]; Resource?: unknown; Condition?: any };

/** True when the statement applies to Resource "*". */
function onStar(st: Statement): boolean {
  return st.Resource === '*' || (Array.isArray(st.Resource) && st.Resource.includes('*'));
}

/** True for the library's grant of cloudwatch:DescribeAlarms alone on Resource "*", for composite alarms. */
function describesAllAlarms(st: Statement): boolean {
  const actions = ([] as string[]).concat(st.Action ?? []);
  return st.Sid === COMPOSITE_ALARMS_SID && onStar(st) && st.Condition === undefined && actions.length === 1 && actions[0] === 'cloudwatch:DescribeAlarms';
}

/**
 * The suppressions of the policy's statements on Resource "*": the composite alarms' DescribeAlarms,
 * and one of the other kinds above. cdk-nag reports every "*" of a policy as one finding
 * (`Resource::*`), so a suppression is added only when each statement on "*" is of a kind that is.
 */
export function starSuppressions(statements: Statement[], others: (rest: Statement[]) => Suppression | undefined): Suppression[] {
  const alarms = statements.some(describesAllAlarms);
  const rest = alarms ? statements.filter(st => !describesAllAlarms(st)) : statements;
  const other = others(rest);
  if (!alarms) return other ? [other] : [];
  if (other) return [other, COMPOSITE_ALARMS_STAR];
  return rest.some(onStar) ? [] : [COMPOSITE_ALARMS_STAR];
}

/** True when every statement on Resource "*" is one the AWS API requires (see API_REQUIRES_STAR). */
export function onlyApiRequiredStars(statements: Statement[]): boolean {
  const stars = statements.filter(onStar);
  return stars.length > 0 && stars.every(s => ([] as string[]).concat(s.Action ?? []).every(a =>
    a.startsWith('inspector-scan:')
    || a === 'ecs:RegisterTaskDefinition'
    || a === 'ecr:GetAuthorizationToken'
    || (a === 'iam:PassRole' && passesToEcsTasksOnly(s.Condition))));
}

/**
 * True when a condition limits `iam:PassRole` to passing roles to ECS tasks: it tests
 * `iam:PassedToService` for equality with `ecs-tasks.amazonaws.com` alone (aws-cdk-lib writes
 * `StringEqualsIfExists`). IAM ANDs a condition's operators and keys, so others beside it only
 * narrow it further; a negated operator (`StringNotEquals`: every service but ECS tasks), or another
 * service in the list, would not be that limit.
 */
function passesToEcsTasksOnly(condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object') return false;
  return ['StringEquals', 'StringEqualsIfExists'].some(operator => {
    const test = (condition as Record<string, Record<string, unknown> | undefined>)[operator];
    const services = test === undefined ? [] : ([] as unknown[]).concat(test['iam:PassedToService'] ?? []);
    return services.length === 1 && services[0] === 'ecs-tasks.amazonaws.com';
  });
}

/**
 * True when every statement on Resource "*" is one the AWS API requires, or one aws-cdk-lib's ECS
 * deploy action grants (and at least one is the latter).
 */
export function onlyEcsDeployActionStars(statements: Statement[]): boolean {
  return ecsDeployStarSuppression(statements) !== undefined;
}

/**
 * The suppression of a rolling update's statements on Resource "*" (see onlyEcsDeployActionStars):
 * its reason names exactly the ECS actions on "*", with or without DescribeServices and UpdateService.
 */
export function ecsDeployStarSuppression(statements: Statement[]): Suppression | undefined {
  const isEcsDeploy = (st: Statement) => {
    const actions = ([] as string[]).concat(st.Action ?? []);
    if (actions.length > 0 && actions.every(a => ECS_DEPLOY_ACTIONS.includes(a)) && st.Condition === undefined) return true;
    // iam:PassRole only under the one condition aws-cdk-lib writes: StringEqualsIfExists on iam:PassedToService
    const condition = st.Condition ?? {};
    const test = condition.StringEqualsIfExists ?? {};
    const passedTo = ([] as unknown[]).concat(test['iam:PassedToService'] ?? []);
    return actions.length === 1 && actions[0] === 'iam:PassRole'
      && Object.keys(condition).length === 1 && Object.keys(test).length === 1
      && passedTo.length > 0 && passedTo.every(p => p === 'ecs-tasks.amazonaws.com' || p === 'ec2.amazonaws.com');
  };
  const stars = statements.filter(onStar);
  if (!stars.some(isEcsDeploy) || !stars.every(st => isEcsDeploy(st) || onlyApiRequiredStars([st]))) return undefined;
  const serviceOnStar = stars.some(st => ([] as string[]).concat(st.Action ?? []).some(a => a === 'ecs:DescribeServices' || a === 'ecs:UpdateService'));
  return serviceOnStar ? ECS_DEPLOY_ACTION_STAR_UNNAMED_SERVICE : ECS_DEPLOY_ACTION_STAR;
}

/**
 * True for the policy aws-cdk-lib attaches to the role of a CodeBuild project in a VPC
 * (`<project>/PolicyDocument`), which holds only its network-interface grant: the same actions on
 * "*" in another policy (a statement of the user's) are not that grant.
 */
function isCodeBuildVpcPolicy(policy: iam.Policy): boolean {
  return policy.node.id === 'PolicyDocument' && policy.node.scope instanceof codebuild.Project;
}

/** True when every statement on Resource "*" is aws-cdk-lib's grant to a CodeBuild project in a VPC (and there is one). */
export function onlyCodeBuildVpcStars(statements: Statement[]): boolean {
  const stars = statements.filter(onStar);
  return stars.length > 0 && stars.every(st => st.Condition === undefined
    && ([] as string[]).concat(st.Action ?? []).every(a => CODEBUILD_VPC_ACTIONS.includes(a)));
}

/** True when a statement is aws-cdk-lib's ec2:CreateNetworkInterfacePermission grant, conditioned on CodeBuild and subnets. */
function grantsCodeBuildEniPermission(statements: Statement[]): boolean {
  return statements.some(st => {
    const actions = ([] as string[]).concat(st.Action ?? []);
    const equals = st.Condition?.StringEquals ?? {};
    return actions.length === 1 && actions[0] === 'ec2:CreateNetworkInterfacePermission'
      && equals['ec2:AuthorizedService'] === 'codebuild.amazonaws.com' && equals['ec2:Subnet'] !== undefined;
  });
}

/** The statements of a policy's document, rendered once for all the checks. */
function statementsOf(policy: iam.Policy): Statement[] {
  return renderedStatements(policy);
}

/** True when a statement allows cloudformation:DescribeStack* or GetTemplate* on a named stack. */
function grantsCfnStackReads(statements: Statement[]): boolean {
  return statements.some(st => ([] as string[]).concat(st.Action ?? [])
    .some(a => a === 'cloudformation:DescribeStack*' || a === 'cloudformation:GetTemplate*'));
}

function onlyAliasScopedKeyStar(statements: Statement[]): boolean {
  const keyStar = statements.filter(s => JSON.stringify(s.Resource ?? '').includes(':key/*'));
  return keyStar.length > 0 && keyStar.every(s => JSON.stringify(s.Condition ?? {}).includes('kms:ResourceAliases'));
}

/**
 * The finding id of the objects of the pipeline's artifact bucket (`<bucket ARN>/*`), exactly as
 * cdk-nag names it: the library's own bucket or the user's `artifactBucket`, never another bucket
 * (a wildcard on a bucket of the user's stays reported). Undefined when it cannot be resolved here.
 */
function artifactObjectsFinding(stack: Stack, bucket: s3.IBucket): string | undefined {
  try {
    return `Resource::${flattenAsNag(stack.resolve(bucket.arnForObjects('*')))}`;
  } catch {
    return undefined;
  }
}

/**
 * Adds the suppressions to the library's own policies under `root` and, when the library created
 * it (`ownsArtifactBucket`), to the artifact bucket.
 */
export function addNagSuppressions(
  root: IConstruct, artifactBucket: s3.IBucket, ownsArtifactBucket: boolean,
  replicationBucketNames: string[] = [], replicationBuckets: s3.IBucket[] = [], pipeline?: codepipeline.Pipeline,
): void {
  // aws-cdk-lib's ECS deploy grant is in the policies of its ECS deploy actions' roles only: the same actions on "*" elsewhere are a statement of the user's
  const ecsDeployPolicies = new Set(pipeline ? ecsDeployActionPolicies(pipeline).map(found => found.policy) : []);
  // the objects of the cross-region replication buckets (aws-cdk-lib's support stacks), by their generated names
  const replicationObjects = replicationBucketNames.map(name => ({
    regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):s3:::${escapeRegExp(name)}\\/\\*$/`,
  }));
  const stack = Stack.of(root);
  const artifactObjects = artifactObjectsFinding(stack, artifactBucket);
  const envAgnostic = Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account);
  for (const c of root.node.findAll()) {
    if (c instanceof iam.Policy) {
      const cfn = c.node.defaultChild as CfnResource | undefined;
      if (!cfn) continue;
      const statements = statementsOf(c);
      const findings = [
        ...(artifactObjects ? [artifactObjects] : []),
        ...IAM5_FINDINGS,
        ...(envAgnostic ? ENV_AGNOSTIC_IAM5_FINDINGS : []),
        ...(grantsCfnStackReads(statements) ? CFN_STACK_READ_FINDINGS : []),
        ...(onlyAliasScopedKeyStar(statements) || hasAliasScopedReplicationKeys(c)
          ? [AWS_MANAGED_S3_KEY_FINDING, ...(envAgnostic ? [ENV_AGNOSTIC_KEY_FINDING] : [])]
          : []),
        ...replicationObjects,
      ];
      const list: Suppression[] = [{ id: 'AwsSolutions-IAM5', reason: IAM5_REASON, applies_to: findings }];
      list.push(...starSuppressions(statements, rest => {
        if (onlyApiRequiredStars(rest)) return API_REQUIRES_STAR;
        const ecsDeploy = ecsDeployPolicies.has(c) ? ecsDeployStarSuppression(rest) : undefined;
        if (ecsDeploy) return ecsDeploy;
        return isCodeBuildVpcPolicy(c) && onlyCodeBuildVpcStars(rest) ? CODEBUILD_VPC_STAR : undefined;
      }));
      if (grantsCodeBuildEniPermission(statements)) list.push(CODEBUILD_ENI_PERMISSION);
      if (grantsLambdaDeploy(c, statements)) list.push(LAMBDA_DEPLOY_FINDINGS);
      suppress(cfn, list);
    }
  }
  if (ownsArtifactBucket) {
    const cfn = artifactBucket.node.defaultChild as CfnResource | undefined;
    if (cfn) suppress(cfn, [ARTIFACT_BUCKET_ACCESS_LOGS]);
  }
  // the replication buckets of aws-cdk-lib's cross-region support stacks (one per region)
  for (const bucket of replicationBuckets) {
    const cfn = bucket.node.defaultChild;
    if (cfn instanceof CfnResource) suppress(cfn, [REPLICATION_BUCKET_ACCESS_LOGS]);
  }
}

/**
 * The AwsSolutions-IAM5 findings of a statement that is exactly aws-cdk-lib's artifact read grant to
 * an action role in another account: read actions only, on one of the pipeline's buckets and its
 * objects (ARNs as the role's stack renders them), without condition. Empty for any other statement.
 */
function artifactReadFindings(st: Statement, resolve: (x: unknown) => unknown, buckets: s3.IBucket[]): string[] {
  const actions = ([] as string[]).concat(st.Action ?? []);
  if (st.Condition !== undefined || actions.length === 0 || !actions.every(a => ARTIFACT_READ_ACTIONS.includes(a))) return [];
  // as literals, or as Fn::Join with the partition in an app without @aws-cdk/core:enablePartitionLiterals
  const resources = ([] as unknown[]).concat(resolve(st.Resource) ?? []).map(r => JSON.stringify(r));
  for (const bucket of buckets) {
    const bucketArn = resolve(bucket.bucketArn);
    const objects = resolve(bucket.arnForObjects('*'));
    if (!isFlattenable(bucketArn) || !isFlattenable(objects)) continue;
    const [bucketJson, objectsJson] = [JSON.stringify(bucketArn), JSON.stringify(objects)];
    if (resources.length > 0 && resources.every(r => r === bucketJson || r === objectsJson)) {
      return [...actions.map(a => `Action::${a}`), ...(resources.includes(objectsJson) ? [`Resource::${flattenAsNag(objects)}`] : [])];
    }
  }
  return [];
}

/**
 * Marks the finding of aws-cdk-lib's grant on an S3 cache's objects (`Cache.bucket` grants the
 * project read and write on `<bucket>/*`) on the project role's policy: the cache archives have
 * keys CodeBuild generates, in that one bucket. Only that resource, named exactly as cdk-nag names
 * it; the grant's action wildcards are the ones the library's IAM5 entry already lists.
 */
export function suppressCacheBucketFindings(project: IConstruct & { role?: iam.IRole }, bucket: s3.IBucket): void {
  const policy = project.role?.node.tryFindChild('DefaultPolicy');
  const cfn = policy instanceof iam.Policy ? policy.node.defaultChild : undefined;
  if (!(cfn instanceof CfnResource)) return;
  let objects: unknown;
  try {
    objects = Stack.of(project).resolve(bucket.arnForObjects('*'));
  } catch {
    return;
  }
  if (!isFlattenable(objects) && !isOwnAttribute(objects)) return;
  suppress(cfn, [{
    id: 'AwsSolutions-IAM5',
    reason: 'aws-cdk-lib\'s grant on the objects of the build\'s S3 cache bucket (BuildCache.s3): CodeBuild writes its cache archives under keys it generates; '
      + 'only that bucket. See the cdk-delivery-pipeline README, Security.',
    applies_to: [`Resource::${flattenAsNag(objects)}`],
  }]);
}

/** A join of strings and `Fn::GetAtt`s of the same template (an owned bucket's ARN), which cdk-nag names `<Logical.Arn>`. */
function isOwnAttribute(value: unknown): boolean {
  const join = (value as Record<string, unknown> | undefined)?.['Fn::Join'];
  return Array.isArray(join) && Array.isArray(join[1]) && join[1].every(item => isFlattenable(item)
    || (typeof item === 'object' && item !== null && Object.keys(item).length === 1 && Array.isArray((item as Record<string, unknown>)['Fn::GetAtt'])));
}

/** True for a string, a `{ Ref }` or an `Fn::Join` of those: a name cdk-nag shows without a generated id of another template. */
function isFlattenable(value: unknown): boolean {
  return joinedText(value, pseudoParameterText) !== undefined;
}

/**
 * A resolved value as cdk-nag names it in a finding's id (its flattenCfnReference): a join is joined,
 * `{ Ref: X }` is `<X>`, `Fn::GetAtt` is `<X.Attr>`, `${X}` of a string (`Fn::Sub`) is `<X>`, an
 * import is its export's name, and anything else is its JSON.
 */
function flattenAsNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const v = value as Record<string, any>;
  if (v['Fn::Join']) {
    const [delimiter, items] = v['Fn::Join'] as [string, unknown[]];
    return items.map(flattenAsNag).join(delimiter);
  }
  if (v['Fn::Sub']) return flattenAsNag(v['Fn::Sub']);
  if (v['Fn::GetAtt']) {
    const [resource, attribute] = v['Fn::GetAtt'] as unknown[];
    return `<${flattenAsNag(resource)}.${flattenAsNag(attribute)}>`;
  }
  if (v['Fn::ImportValue']) return flattenAsNag(v['Fn::ImportValue']);
  if (v.Ref) return `<${flattenAsNag(v.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * Adds the suppressions to the policies of the action roles aws-cdk-lib created for this pipeline in
 * other accounts' stacks: only the findings of its artifact read grant, named exactly. Their other
 * findings stay reported, among them `Resource::*` of aws-cdk-lib's grant on the artifact key
 * (kms:Decrypt and kms:DescribeKey on every key: the identity policy also allows the keys of the
 * target account whose key policy delegates to IAM; pass `role` to use a narrower role).
 */
export function addCrossAccountActionRoleSuppressions(pipeline: codepipeline.Pipeline): void {
  const buckets = [pipeline.artifactBucket, ...Object.values(pipeline.crossRegionSupport).map(s => s.replicationBucket)];
  for (const role of crossAccountActionRoles(pipeline)) {
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof iam.Policy)) continue;
    const cfn = policy.node.defaultChild;
    if (!(cfn instanceof CfnResource)) continue;
    const stack = Stack.of(policy);
    // as the template renders them: the kms grant on "*" narrowed to the keys of the pipeline's account
    const statements = statementsOf(policy);
    const findings = [...new Set(statements.flatMap(st => artifactReadFindings(st, x => stack.resolve(x), buckets)))];
    if (findings.length > 0) suppress(cfn, [{ id: 'AwsSolutions-IAM5', reason: CROSS_ACCOUNT_ARTIFACT_READS_REASON, applies_to: findings.sort() }]);
    const keys = scopedActionRoleKeys(policy);
    if (keys) suppress(cfn, [{ id: 'AwsSolutions-IAM5', reason: CROSS_ACCOUNT_KEY_READS_REASON, applies_to: [`Resource::${keys}`] }]);
    // aws-cdk-lib's grants on "*" of a CodeDeploy ECS blue/green or an ECS rolling update, as for the role in the pipeline's account,
    // and the composite alarms' DescribeAlarms
    const stars = starSuppressions(statements, others => {
      if (onlyApiRequiredStars(others)) return API_REQUIRES_STAR;
      return ecsDeployStarSuppression(others);
    });
    if (stars.length > 0) suppress(cfn, stars);
    if (grantsLambdaDeploy(policy, statements)) suppress(cfn, [LAMBDA_DEPLOY_FINDINGS]);
  }
}

/** True when the statements on Resource "*" are all aws-cdk-lib's key read grant (kms:Decrypt and kms:DescribeKey, no condition), and there is one. */
function onlyKeyReadStars(statements: Statement[]): boolean {
  const stars = statements.filter(onStar);
  return stars.length > 0 && stars.every(st => st.Condition === undefined
    && ([] as string[]).concat(st.Action ?? []).every(a => a === 'kms:Decrypt' || a === 'kms:DescribeKey'));
}

/**
 * Adds the suppression of aws-cdk-lib's key read grant on Resource "*" to the instance roles of the
 * Auto Scaling groups of the CodeDeploy EC2 groups of this app that the pipeline deploys (aws-cdk-lib
 * grants them the artifacts when the action binds), when it is the only "*" of their policy.
 */
export function addFleetInstanceRoleSuppressions(groups: unknown[]): void {
  for (const group of groups) {
    const asgs = (group as { autoScalingGroups?: unknown[] } | undefined)?.autoScalingGroups ?? [];
    for (const asg of asgs) {
      const role = (asg as { role?: unknown }).role;
      if (!(role instanceof iam.Role)) continue;
      const policy = role.node.tryFindChild('DefaultPolicy');
      if (!(policy instanceof iam.Policy)) continue;
      const cfn = policy.node.defaultChild;
      if (cfn instanceof CfnResource && onlyKeyReadStars(statementsOf(policy))) suppress(cfn, [FLEET_INSTANCE_KEY_READS]);
    }
  }
}
