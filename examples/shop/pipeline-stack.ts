import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  Approval, BuildCache, BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource,
  QualityCheck, ReleaseMode, TestReport, Verification,
} from '../../src';

/**
 * The shop's delivery pipeline: GitHub → build with tests → dependency audit and source scan →
 * staging (automatic, smoke-tested) → production behind one approval (continuous delivery).
 */
export class ShopPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    const releases = new sns.Topic(this, 'ReleaseApprovals', {
      displayName: 'Shop releases waiting for approval',
      enforceSSL: true,
    });

    this.delivery = new DeliveryPipeline(this, 'Shop', {
      pipelineName: 'shop-delivery',
      source: PipelineSource.gitHub({
        repository: 'acme/shop',
        branch: 'main',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
        triggers: [{ branchesIncludes: ['main'], filePathsExcludes: ['docs/**'] }],
      }),
      buildStep: BuildStep.commands({
        install: ['npm ci'],
        commands: ['npm run build', 'npm test -- --ci --reporters=default --reporters=jest-junit', 'npx cdk synth -q'],
        environmentVariables: { JEST_JUNIT_OUTPUT_DIR: 'test-reports' },
        testReports: [TestReport.junit('test-reports/*.xml')],
        outputs: ['cdk.out/**/*', 'scripts/**/*'],
        cache: BuildCache.local({ paths: ['node_modules/**/*'] }),
      }),
      checks: [
        QualityCheck.dependencyAudit(),
        QualityCheck.sourceCodeScan({ criticalThreshold: 0, highThreshold: 0 }),
      ],
      releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
      environments: [
        {
          name: 'staging',
          deployments: [DeploymentTarget.cloudFormation({
            stackName: 'shop-staging',
            templatePath: 'cdk.out/ShopStaging.template.json',
          })],
          verification: [Verification.commands('SmokeTest', ['bash scripts/smoke.sh'], {
            env: { URL: 'https://staging.shop.example.com' },
          })],
        },
        {
          name: 'prod',
          production: true,
          account: '222222222222',
          approval: Approval.manual({
            notify: releases,
            reviewUrl: 'https://staging.shop.example.com',
            comment: 'Check the staging smoke test and the release notes first.',
            timeout: Duration.days(3),
          }),
          deployments: [DeploymentTarget.cloudFormation({
            stackName: 'shop-prod',
            templatePath: 'cdk.out/ShopProd.template.json',
          })],
          verification: [Verification.commands('SmokeTest', ['bash scripts/smoke.sh'], {
            env: { URL: 'https://shop.example.com' },
          })],
        },
      ],
    });
  }
}
