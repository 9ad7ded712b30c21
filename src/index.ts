// Public API of cdk-delivery-pipeline: exactly the jsii API (classes, enums, interfaces).
// Named re-exports only, so module-internal helpers stay internal; never cli/, graph/ or private/.
export { ReleaseMode } from './model/release-mode';
export { PipelineSource } from './sources/pipeline-source';
export type { CodeCommitSourceProps, EcrSourceProps, GitHubSourceProps, PullRequestTrigger, PushTrigger, S3SourceProps } from './sources/pipeline-source';
export type { AdditionalSource } from './sources/additional-source';
export { BuildStep } from './build/build-step';
export type { BuildStepProps } from './build/build-step';
export { TestReport } from './build/test-report';
export type { TestReportOptions } from './build/test-report';
export { BuildCache } from './build/build-cache';
export { BuildSecret } from './build/build-secret';
export type { LocalCacheOptions, S3CacheOptions } from './build/build-cache';
export { QualityCheck } from './build/quality-check';
export type { DependencyAuditOptions, ImageScanOptions, QualityCheckCommandsOptions, SourceCodeScanOptions } from './build/quality-check';
export { DockerCredential } from './build/docker-credential';
export type { DockerCredentialOptions } from './build/docker-credential';
export { DeploymentTarget } from './deploy/deployment-target';
export type {
  CloudFormationTargetProps,
  DeployCommandsOptions,
  IDeliveryActionFactory,
  ProduceActionOptions,
} from './deploy/deployment-target';
export { DeploymentArtifact } from './deploy/codedeploy-targets';
export type { CodeDeployEcsOptions, CodeDeployServerOptions, EcsRollingOptions } from './deploy/codedeploy-targets';
export type { CdkStageOptions } from './deploy/cdk-stage';
export { LambdaTrafficShift } from './deploy/lambda-target';
export type { LambdaDeployOptions } from './deploy/lambda-target';
export { Approval } from './approval/approval';
export type { ManualApprovalOptions } from './approval/approval';
export { Verification } from './verification/verification';
export type { AlarmVerificationOptions, VerificationCommandsOptions } from './verification/verification';
export { DeploymentWindow } from './verification/deployment-window';
export { FailurePolicy } from './verification/failure-policy';
export type { EnvironmentOptions } from './pipeline/environment';
export { PipelineEvent } from './pipeline/notifications';
export type { PipelineNotifications } from './pipeline/notifications';
export { DeliveryDefaults } from './policy/delivery-defaults';
export type { DeliveryDefaultsProps } from './policy/delivery-defaults';
export { CheckKind, PolicyRule } from './policy/policy-rule';
export type { IPolicyRule, LogRetentionRuleOptions, PolicyViolation } from './policy/policy-rule';
export { DeliveryPolicy } from './policy/delivery-policy';
export type { DeliveryPolicyProps } from './policy/delivery-policy';
export type {
  PlanAction,
  PlanDocument,
  PlanEnvironment,
  PlanGate,
  PlanAdditionalSource,
  PlanNotifications,
  PlanSource,
  PlanStage,
  PlanStageAction,
} from './model/plan-document';
export { DeliveryPipeline } from './pipeline/delivery-pipeline';
export type { DeliveryPipelineProps } from './pipeline/delivery-pipeline';
