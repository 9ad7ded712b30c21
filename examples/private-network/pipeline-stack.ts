import { Annotations, App, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BuildStep, DeliveryPipeline, DeploymentTarget, DockerCredential, PipelineSource, Verification } from '../../src';

/** The platform team's network: private subnets with a NAT gateway, flow logs on. */
export class NetworkStack extends Stack {
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { All: {} } });
  }
}

/**
 * A container service whose builds and tests live in a private network: the build runs Docker in
 * the VPC, logged in to Docker Hub (no anonymous pull limit) and to the shared account's ECR base
 * images; the site and CDN stacks deploy, then a script invalidates the CDN with the distribution
 * id the CDN stack just output, and the integration tests reach the internal API through the VPC.
 */
export class StorefrontPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps & { readonly vpc: ec2.IVpc }) {
    super(scope, id, props);
    const dockerHub = secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerHub',
      'arn:aws:secretsmanager:eu-west-1:111111111111:secret:storefront/dockerhub-Xb12Cd');
    const baseImages = ecr.Repository.fromRepositoryArn(this, 'BaseImages', 'arn:aws:ecr:eu-west-1:999999999999:repository/base/node');
    const vpc = props.vpc;

    this.delivery = new DeliveryPipeline(this, 'Storefront', {
      source: PipelineSource.gitHub({
        repository: 'acme/storefront',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f',
      }),
      buildStep: BuildStep.commands({
        install: ['npm ci'],
        commands: ['npm test', 'docker build -t storefront .', 'npx cdk synth -q'],
        outputs: ['cdk.out/**/*', 'scripts/**/*'],
        privileged: true,
        vpc,
      }),
      dockerCredentials: [DockerCredential.dockerHub(dockerHub), DockerCredential.ecr([baseImages])],
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'storefront-staging', templatePath: 'cdk.out/StorefrontStaging.template.json' }),
          DeploymentTarget.cloudFormation({ stackName: 'storefront-cdn-staging', templatePath: 'cdk.out/StorefrontCdnStaging.template.json' }),
          DeploymentTarget.commands('InvalidateCdn', ['bash scripts/invalidate-cdn.sh "$DISTRIBUTION"'], {
            runAfterDeployments: true,
            vpc,
            envFromStackOutputs: { DISTRIBUTION: 'storefront-cdn-staging.DistributionId' },
          }),
        ],
        verification: [Verification.commands('Integration', ['bash scripts/integration-tests.sh'], {
          vpc,
          envFromStackOutputs: { API_URL: 'storefront-staging.InternalApiUrl' },
        })],
      }],
    });
    // This pipeline ends in staging: production is released by the storefront's release pipeline.
    Annotations.of(this).acknowledgeWarning('delivery-pipeline:noProductionEnvironment',
      'staging only: production is released by another pipeline');
  }
}

/** The app: the network, then the pipeline whose projects run in it. */
export function storefrontApp(app: App): { network: NetworkStack; pipeline: StorefrontPipelineStack } {
  const env = { account: '111111111111', region: 'eu-west-1' };
  const network = new NetworkStack(app, 'StorefrontNetwork', { env });
  const pipeline = new StorefrontPipelineStack(app, 'StorefrontPipeline', { env, vpc: network.vpc });
  return { network, pipeline };
}
