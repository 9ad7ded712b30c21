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
  DeployCommandsOptions: [...COMMANDS_OPTIONS, 'runAfterDeployments', 'envFromCfnOutputs', 'envFromStackOutputs'],
  CdkStageOptions: ['changeSetReview', 'cloudAssemblyDirectory', 'privilegedAssetPublishing'],
  CodeDeployServerOptions: ['input', 'role', 'name'],
  CodeDeployEcsOptions: ['taskDefinitionTemplate', 'appSpecTemplate', 'containerImage', 'imagePlaceholder', 'role', 'name'],
  EcsRollingOptions: ['imageDefinitionsFile', 'deploymentTimeout', 'role', 'name'],
  LambdaDeployOptions: ['trafficShift', 'alarms', 'input', 'role', 'name'],
  ManualApprovalOptions: ['notify', 'notifyEmails', 'reviewUrl', 'comment', 'timeout', 'approvers'],
} as const;

export type StructName = keyof typeof STRUCT_FIELDS;

/**
 * Names of a field in a neighbouring struct that users carry over (an ECR source's `tag`, an image
 * scan's `imageTag`): refused like misspellings, since JavaScript would ignore them silently.
 */
const ALIASES: Partial<Record<StructName, Record<string, string>>> = {
  ImageScanOptions: { tag: 'imageTag' },
  EcrSourceProps: { imageTag: 'tag' },
  AdditionalSource: { path: 'directory', trigger: 'triggersPipeline' },
};

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
