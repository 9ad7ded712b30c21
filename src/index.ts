// Public API of cdk-delivery-pipeline. Re-exports only; never cli/, graph/ or private/.
export * from './model/release-mode';
export * from './sources/pipeline-source';
export * from './build/build-step';
export * from './build/test-report';
export * from './build/build-cache';
export * from './build/quality-check';
export * from './deploy/deployment-target';
export * from './approval/approval';
export * from './verification/verification';
export * from './verification/deployment-window';
export * from './verification/failure-policy';
export * from './pipeline/environment';
export { PipelineEvent, PipelineNotifications } from './pipeline/notifications';
export * from './pipeline/delivery-pipeline';
