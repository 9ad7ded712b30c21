/*
 * The fields of the library's input structs, for the check that refuses a misspelt field
 * (`Validator.noMisspeltFields`). JavaScript callers, and TypeScript callers that pass a variable
 * rather than an object literal, get no compiler error for `productionn: true`: the field would
 * be ignored and the environment deployed without its production gates. A test keeps these lists
 * equal to the interfaces.
 */

const COMMANDS_OPTIONS = ['install', 'environmentVariables', 'secrets', 'buildImage', 'computeType', 'timeout', 'privileged', 'rolePolicyStatements',
  'vpc', 'subnetSelection', 'securityGroups'] as const;

export const STRUCT_FIELDS = {
  DeliveryPipelineProps: ['source', 'additionalSources', 'buildStep', 'checks', 'releaseMode', 'environments', 'executionMode', 'pipelineName', 'artifactBucket',
    'selfUpdate', 'publishAssetsInBuild', 'cdkAssetsLibVersion', 'logRetention', 'notifications', 'dockerCredentials'],
  EnvironmentOptions: ['name', 'production', 'account', 'region', 'approval', 'deployments', 'verification', 'acknowledgeUnverifiedProduction',
    'deploymentWindow', 'blockWhileAlarming', 'blockWhileAlarmingRole', 'onFailure'],
  DeliveryDefaultsProps: ['buildImage', 'assetPublishingBuildImage', 'computeType', 'approvalNotify', 'vpc', 'subnetSelection', 'securityGroups',
    'dockerCredentials', 'logRetention', 'notifications'],
  DeliveryPolicyProps: ['rules'],
  LogRetentionRuleOptions: ['minimum', 'maximum'],
  DockerCredentialOptions: ['usernameField', 'secretField'],
  PipelineNotifications: ['topic', 'slackChannel', 'events'],
  BuildStepProps: [...COMMANDS_OPTIONS, 'commands', 'testReports', 'outputs', 'outputDirectory', 'cache'],
  TestReportOptions: ['baseDirectory'],
  LocalCacheOptions: ['paths', 'dockerLayers'],
  S3CacheOptions: ['prefix', 'paths'],
  QualityCheckCommandsOptions: [...COMMANDS_OPTIONS],
  DependencyAuditOptions: [...COMMANDS_OPTIONS, 'command', 'name'],
  SourceCodeScanOptions: ['name', 'criticalThreshold', 'highThreshold', 'mediumThreshold', 'lowThreshold'],
  ImageScanOptions: ['name', 'imageTag', 'criticalThreshold', 'highThreshold', 'mediumThreshold', 'lowThreshold'],
  VerificationCommandsOptions: [...COMMANDS_OPTIONS, 'env', 'envFromCfnOutputs', 'envFromStackOutputs'],
  AlarmVerificationOptions: ['bakeTime', 'role'],
  AdditionalSource: ['name', 'source', 'directory', 'triggersPipeline'],
  GitHubSourceProps: ['repository', 'branch', 'connectionArn', 'triggers', 'pullRequestTriggers', 'fullClone'],
  PullRequestTrigger: ['branchesIncludes', 'branchesExcludes', 'filePathsIncludes', 'filePathsExcludes', 'events'],
  PushTrigger: ['branchesIncludes', 'branchesExcludes', 'tagsIncludes', 'tagsExcludes', 'filePathsIncludes', 'filePathsExcludes'],
  CodeCommitSourceProps: ['repository', 'branch'],
  S3SourceProps: ['bucket', 'key'],
  EcrSourceProps: ['repository', 'tag'],
  CloudFormationTargetProps: ['stackName', 'templatePath', 'parameterOverrides', 'templateConfiguration', 'account', 'region', 'name', 'deploymentRole', 'deployRole',
    'bootstrapQualifier'],
  DeployCommandsOptions: [...COMMANDS_OPTIONS, 'runAfterDeployments', 'runBeforeDeployments', 'envFromCfnOutputs', 'envFromStackOutputs'],
  CdkStageOptions: ['changeSetReview', 'cloudAssemblyDirectory', 'privilegedAssetPublishing'],
  CodeDeployServerOptions: ['input', 'role', 'name'],
  CodeDeployEcsOptions: ['taskDefinitionTemplate', 'appSpecTemplate', 'containerImage', 'imagePlaceholder', 'role', 'name'],
  EcsRollingOptions: ['imageDefinitionsFile', 'deploymentTimeout', 'role', 'name'],
  LambdaDeployOptions: ['trafficShift', 'alarms', 'input', 'role', 'name'],
  ManualApprovalOptions: ['notify', 'notifyEmails', 'reviewUrl', 'comment', 'timeout', 'approvers'],
} as const;

export type StructName = keyof typeof STRUCT_FIELDS;

/**
 * Other names users give a field: a neighbouring struct's (an ECR source's `tag`, an image scan's
 * `imageTag`), or what other tools call it (CDK Pipelines' `synth`, a `repo` for the source, a
 * CloudFormation target's `template`). Refused like misspellings, since JavaScript would ignore
 * them silently.
 */
const ALIASES: Partial<Record<StructName, Record<string, string>>> = {
  DeliveryPipelineProps: { build: 'buildStep', synth: 'buildStep', repo: 'source', repository: 'source' },
  CloudFormationTargetProps: { template: 'templatePath' },
  ImageScanOptions: { tag: 'imageTag' },
  EcrSourceProps: { imageTag: 'tag' },
  AdditionalSource: { path: 'directory', trigger: 'triggersPipeline' },
};

/** Where the value of another name goes, when it is more than a rename (a repository is a field of the source). */
const ALIAS_HINTS: Partial<Record<StructName, Record<string, string>>> = {
  DeliveryPipelineProps: {
    synth: "the build, cdk synth included, runs in buildStep: BuildStep.commands({ install: ['npm ci'], commands: ['npx cdk synth'] })",
    repo: "the repository is given in source: PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }) (or .codeCommit(), .s3(), .ecr())",
    repository: "the repository is given in source: PipelineSource.gitHub({ repository: 'owner/repo', connectionArn }) (or .codeCommit(), .s3(), .ecr())",
  },
};

/**
 * What the error says of `key` after naming the field meant: for another name of a field (see
 * ALIASES), where its value goes; for a misspelling, that it would be ignored.
 */
export function misspeltFieldHint(key: string, struct: StructName): string {
  const meant = ALIASES[struct]?.[key];
  if (meant === undefined) return 'A misspelt field would be ignored.';
  const where = ALIAS_HINTS[struct]?.[key] ?? `${struct} calls it ${meant}`;
  return `${where.charAt(0).toUpperCase()}${where.slice(1)}; a field under another name would be ignored.`;
}

/** Edit distance between two field names (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The field a given key is most likely a misspelling of, or undefined when the key is not close to
 * any (an unrelated extra field, which is left alone: callers may pass wider objects).
 */
export function misspeltField(key: string, struct: StructName): string | undefined {
  const fields: readonly string[] = STRUCT_FIELDS[struct];
  if (fields.includes(key)) return undefined;
  const alias = ALIASES[struct]?.[key];
  if (alias !== undefined) return alias;
  const lower = key.toLowerCase();
  const sameCase = fields.find(f => f.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const allowed = key.length <= 5 ? 1 : 2;
  let best: { field: string; d: number } | undefined;
  for (const f of fields) {
    const d = distance(lower, f.toLowerCase());
    if (d <= allowed && (!best || d < best.d)) best = { field: f, d };
  }
  return best?.field;
}
