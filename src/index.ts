// Public API of cdk-delivery-pipeline. Re-exports only.
export {};
