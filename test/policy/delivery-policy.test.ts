import * as path from 'path';
import { App, Aspects, Duration, Fn, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpa from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  Approval, BuildStep, CheckKind, DeliveryPipeline, DeliveryPolicy, DeploymentTarget, DeploymentWindow, FailurePolicy, IPolicyRule, PlanDocument,
  PipelineEvent, PipelineSource, PolicyRule, PolicyViolation, QualityCheck, ReleaseMode, Verification,
} from '../../src';
import { DeliveryPipelineValidationError } from '../../src/private/validation';
import { CONNECTION_ARN, env, errorOf, gitHub, newApp, props } from '../util';

function errorsOf(rules: IPolicyRule[], build: (stack: Stack) => void): string[] {
  const app = newApp();
  // Error annotations make aws-cdk-lib's validation set process.exitCode = 1 (that is how a
  // violation stops `cdk synth`); here the annotations are read instead.
  app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
  const stack = new Stack(app, 'Apps', { env: { account: '111111111111', region: 'eu-west-1' } });
  build(stack);
  Aspects.of(app).add(new DeliveryPolicy({ rules }));
  return Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data as string);
}


/**
 * Synthesizes an app that must fail on error annotations and returns the report: aws-cdk-lib 2.257
 * prints it and sets the exit code, newer versions throw it.
 */
/** A CDK stage of the app whose one stack has a Docker image asset. */
function imagesStage(stack: Stack): Stage {
  const stage = new Stage(stack.node.root, 'Images', { env: { account: '111111111111', region: 'eu-west-1' } });
  const web = new Stack(stage, 'Web');
  const image = new ecrAssets.DockerImageAsset(web, 'Image', { directory: path.join(__dirname, '..', 'deploy', 'docker-asset') });
  new ssm.StringParameter(web, 'ImageUri', { stringValue: image.imageUri });
  return stage;
}

function failedSynthReport(app: App): string {
  const before = process.exitCode;
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    try {
      app.synth();
    } catch (e) {
      return (e as Error).message;
    }
    expect(process.exitCode).toBe(1);
    return errors.mock.calls.flat().join('\n');
  } finally {
    process.exitCode = before;
    errors.mockRestore();
  }
}

describe('DeliveryPolicy', () => {
  test('productionRequiresApproval names pipeline, environment and rule', () => {
    const errors = errorsOf([PolicyRule.productionRequiresApproval()], stack => {
      new DeliveryPipeline(stack, 'Shop', props({
        releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
        environments: [env('staging'), env('prod', { production: true, verification: [Verification.commands('Smoke', ['./smoke.sh'])] })],
      }));
      new DeliveryPipeline(stack, 'Billing', props({ environments: [env('prod', { production: true })] })); // gets the default approval
    });
    expect(errors).toEqual([
      "[policy production-requires-approval] pipeline 'Apps/Shop': environment 'prod' production is entered without a manual approval (release mode CONTINUOUS_DEPLOYMENT); use ReleaseMode.CONTINUOUS_DELIVERY (continuous deployment allows no manual approval)",
    ]);
  });

  test('productionRequiresVerification accepts tests or alarms', () => {
    const errors = errorsOf([PolicyRule.productionRequiresVerification()], stack => {
      const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'A', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Errors');
      new DeliveryPipeline(stack, 'Tests', props({ environments: [env('prod', { production: true, verification: [Verification.commands('Smoke', ['x'])] })] }));
      new DeliveryPipeline(stack, 'Alarms', props({ environments: [env('prod', { production: true, verification: [Verification.alarms([alarm])] })] }));
      new DeliveryPipeline(stack, 'Neither', props({ environments: [env('prod', { production: true })] }));
    });
    expect(errors).toEqual([
      "[policy production-requires-verification] pipeline 'Apps/Neither': environment 'prod' production has no automated verification; add Verification.commands(...) or Verification.alarms(...)",
    ]);
  });

  test('requireCheck(kind)', () => {
    const errors = errorsOf([PolicyRule.requireCheck(CheckKind.DEPENDENCY_AUDIT)], stack => {
      new DeliveryPipeline(stack, 'Audited', props({ checks: [QualityCheck.dependencyAudit()] }));
      new DeliveryPipeline(stack, 'Linted', props({ checks: [QualityCheck.commands('Lint', ['npm run lint'])] }));
    });
    expect(errors).toEqual([
      "[policy require-check:dependency-audit] pipeline 'Apps/Linted': the pipeline runs no dependency-audit check (its checks: commands); add QualityCheck.dependencyAudit() to checks",
    ]);
  });

  test('requireCheck(CheckKind.IMAGE_SCAN): every pipeline scans its image', () => {
    const errors = errorsOf([PolicyRule.requireCheck(CheckKind.IMAGE_SCAN)], stack => {
      const images = new ecr.Repository(stack, 'Images');
      new DeliveryPipeline(stack, 'Scanned', props({ checks: [QualityCheck.imageScan(images)] }));
      new DeliveryPipeline(stack, 'SourceOnly', props({ checks: [QualityCheck.sourceCodeScan()] }));
    });
    expect(errors).toEqual([
      "[policy require-check:inspector-image-scan] pipeline 'Apps/SourceOnly': the pipeline runs no inspector-image-scan check (its checks: inspector-source-scan); "
        + 'add QualityCheck.imageScan(repository) to checks',
    ]);
  });

  test('productionRequiresRollback: production may not fail or retry instead of rolling back', () => {
    const errors = errorsOf([PolicyRule.productionRequiresRollback()], stack => {
      new DeliveryPipeline(stack, 'Default', props({ environments: [env('staging', { onFailure: FailurePolicy.FAIL }), env('prod', { production: true })] }));
      new DeliveryPipeline(stack, 'Explicit', props({ environments: [env('prod', { production: true, onFailure: FailurePolicy.ROLLBACK })] }));
      new DeliveryPipeline(stack, 'Fails', props({ environments: [env('prod', { production: true, onFailure: FailurePolicy.FAIL })] }));
      new DeliveryPipeline(stack, 'Retries', props({ environments: [env('prod', { production: true, onFailure: FailurePolicy.RETRY })] }));
    });
    expect(errors).toEqual([
      "[policy production-requires-rollback] pipeline 'Apps/Fails': environment 'prod' production does not roll back when it fails (onFailure FAIL); "
        + 'leave onFailure out or set it to FailurePolicy.ROLLBACK',
      "[policy production-requires-rollback] pipeline 'Apps/Retries': environment 'prod' production does not roll back when it fails (onFailure RETRY (FAILED_ACTIONS)); "
        + 'leave onFailure out or set it to FailurePolicy.ROLLBACK',
    ]);
  });

  test('productionRequiresRollback: a pipeline in PARALLEL execution mode cannot meet it, and is told to change the mode', () => {
    const errors = errorsOf([PolicyRule.productionRequiresRollback()], stack => {
      new DeliveryPipeline(stack, 'Parallel', props({ executionMode: codepipeline.ExecutionMode.PARALLEL, environments: [env('prod', { production: true })] }));
      new DeliveryPipeline(stack, 'Superseded', props({ executionMode: codepipeline.ExecutionMode.SUPERSEDED, environments: [env('prod', { production: true })] }));
    });
    expect(errors).toEqual([
      "[policy production-requires-rollback] pipeline 'Apps/Parallel': environment 'prod' production does not roll back when it fails (onFailure FAIL (default)), "
        + 'and cannot in PARALLEL execution mode, where CodePipeline does not roll stages back; set executionMode to ExecutionMode.QUEUED or SUPERSEDED '
        + '(production then rolls back by default), or leave this rule out for this pipeline',
    ]);
  });

  test('minimumBakeTime: production watches its alarms at least that long after deploying', () => {
    const errors = errorsOf([PolicyRule.minimumBakeTime(Duration.minutes(30))], stack => {
      const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Errors');
      const latency = cloudwatch.Alarm.fromAlarmArn(stack, 'Latency', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Latency');
      const bake = (minutes: number, watched = alarm) => [Verification.alarms([watched], { bakeTime: Duration.minutes(minutes) })];
      new DeliveryPipeline(stack, 'Long', props({ environments: [env('staging', { verification: bake(5) }), env('prod', { production: true, verification: bake(45) })] }));
      new DeliveryPipeline(stack, 'Short', props({ environments: [env('prod', { production: true, verification: bake(10) })] }));
      // every alarm gate counts, not only the longest
      new DeliveryPipeline(stack, 'Split', props({ environments: [env('prod', { production: true, verification: [...bake(45), ...bake(1, latency)] })] }));
      new DeliveryPipeline(stack, 'TestsOnly', props({
        environments: [env('prod', { production: true, verification: [Verification.commands('Smoke', ['./smoke.sh'])] })],
      }));
    });
    expect(errors).toEqual([
      "[policy minimum-bake-time:30m] pipeline 'Apps/Short': environment 'prod' production watches its alarms for 10 minutes after deploying, "
        + 'less than the 30 required; use Verification.alarms(alarms, { bakeTime: Duration.minutes(30) })',
      "[policy minimum-bake-time:30m] pipeline 'Apps/Split': environment 'prod' production watches some of its alarms for only 1 minute after deploying, "
        + 'less than the 30 required; use Verification.alarms(alarms, { bakeTime: Duration.minutes(30) })',
      "[policy minimum-bake-time:30m] pipeline 'Apps/TestsOnly': environment 'prod' production watches no alarms after deploying, "
        + 'but needs a bake time of at least 30 minutes; add Verification.alarms(alarms, { bakeTime: Duration.minutes(30) })',
    ]);
  });

  test('minimumBakeTime refuses a duration that is not whole minutes', () => {
    expect(errorOf(() => PolicyRule.minimumBakeTime(Duration.seconds(90)))).toBe(
      'PolicyRule.minimumBakeTime: bakeTime must be a whole number of minutes, 1 or more, got 1 minute 30 seconds. '
      + 'Pass the shortest bake time production may have, for example Duration.minutes(30).');
    expect(errorOf(() => PolicyRule.minimumBakeTime(30 as any))).toBe(
      'PolicyRule.minimumBakeTime: bakeTime must be a Duration, got 30. Pass the shortest bake time production may have, for example Duration.minutes(30).');
  });

  test('productionRequiresDeploymentWindow', () => {
    const errors = errorsOf([PolicyRule.productionRequiresDeploymentWindow()], stack => {
      new DeliveryPipeline(stack, 'Windowed', props({ environments: [env('prod', { production: true, deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'UTC') })] }));
      new DeliveryPipeline(stack, 'Anytime', props({ environments: [env('staging'), env('prod', { production: true })] }));
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[policy production-requires-deployment-window\] pipeline 'Apps\/Anytime': environment 'prod' production can be entered at any time/);
  });

  test('requireProductionEnvironment: a pipeline that deploys and marks no environment production escapes the production rules; it does not escape this one', () => {
    const rules = [PolicyRule.requireProductionEnvironment(), PolicyRule.productionRequiresApproval()];
    const errors = errorsOf(rules, stack => {
      new DeliveryPipeline(stack, 'Marked', props({ environments: [env('staging'), env('prod', { production: true })] }));
      new DeliveryPipeline(stack, 'Unmarked', props({ releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('staging'), env('live')] }));
      new DeliveryPipeline(stack, 'One', props({ releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('live')] }));
      new DeliveryPipeline(stack, 'Builds', props());
    });
    expect(errors).toEqual([
      "[policy require-production-environment] pipeline 'Apps/Unmarked': deploys to 'staging', 'live' but marks none of them production, "
        + 'so no production rule applies to it; mark the environment that serves users production: true',
      "[policy require-production-environment] pipeline 'Apps/One': deploys to 'live' but does not mark it production, "
        + 'so no production rule applies to it; mark the environment that serves users production: true',
    ]);
    expect(PolicyRule.requireProductionEnvironment().ruleId).toBe('require-production-environment');
  });

  test('noPrivilegedBuilds finds the build, checks, deployments and tests that run privileged', () => {
    const errors = errorsOf([PolicyRule.noPrivilegedBuilds()], stack => {
      new DeliveryPipeline(stack, 'Docker', {
        source: gitHub(),
        buildStep: BuildStep.commands({ commands: ['docker build .'], privileged: true }),
        environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Push', ['docker push'], { privileged: true })] }],
      });
    });
    expect(errors).toEqual([
      "[policy no-privileged-builds] pipeline 'Apps/Docker': the build runs a privileged (Docker) CodeBuild environment; remove privileged: true or build images outside this pipeline",
      "[policy no-privileged-builds] pipeline 'Apps/Docker': environment 'staging' 'Push' runs a privileged (Docker) CodeBuild environment; remove privileged: true or build images outside this pipeline",
    ]);
  });

  test('noPrivilegedBuilds names the Docker image assets of a CDK stage, not a privileged: true nobody set (regression: misleading fix)', () => {
    const errors = errorsOf([PolicyRule.noPrivilegedBuilds()], stack => {
      const stage = imagesStage(stack);
      new DeliveryPipeline(stack, 'Web', props({ environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    });
    expect(errors).toEqual([
      "[policy no-privileged-builds] pipeline 'Apps/Web': environment 'staging' 'Images' has Docker image assets, which the pipeline publishes from a privileged (Docker) CodeBuild environment; "
      + 'build and push the images outside this pipeline (ecs.ContainerImage.fromEcrRepository) instead of Docker image assets',
    ]);
  });

  test('noPrivilegedBuilds says why a build that publishes Docker image assets runs privileged (regression: "remove privileged: true" nobody set)', () => {
    const errors = errorsOf([PolicyRule.noPrivilegedBuilds()], stack => {
      const stage = imagesStage(stack);
      new DeliveryPipeline(stack, 'Web', props({ publishAssetsInBuild: true, environments: [{ name: 'staging', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    });
    expect(errors).toEqual([
      "[policy no-privileged-builds] pipeline 'Apps/Web': the build runs a privileged (Docker) CodeBuild environment to publish the CDK stages' Docker image assets "
      + '(publishAssetsInBuild); build and push the images outside this pipeline (ecs.ContainerImage.fromEcrRepository) instead of Docker image assets, '
      + 'and leave privileged: true off the build',
      "[policy no-privileged-builds] pipeline 'Apps/Web': environment 'staging' 'Images' has Docker image assets, which the pipeline publishes from a privileged (Docker) CodeBuild environment; "
      + 'build and push the images outside this pipeline (ecs.ContainerImage.fromEcrRepository) instead of Docker image assets',
    ]);
  });

  test('allowedAccounts checks the pipeline and every environment', () => {
    const errors = errorsOf([PolicyRule.allowedAccounts(['111111111111', '222222222222'])], stack => {
      new DeliveryPipeline(stack, 'Shop', props({ environments: [env('staging'), env('prod', { account: '222222222222' }), env('dr', { account: '999999999999' })] }));
    });
    expect(errors).toEqual([
      "[policy allowed-accounts] pipeline 'Apps/Shop': environment 'dr' deploys to account 999999999999, which is not one of 111111111111, 222222222222; deploy to one of them",
    ]);
  });

  test('allowedAccounts checks the accounts of the targets and refuses token accounts (regression: a target of another account, or a token, passed)', () => {
    const errors = errorsOf([PolicyRule.allowedAccounts(['111111111111', '222222222222'])], stack => {
      const group = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
        application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', 'arn:aws:codedeploy:eu-west-1:999999999999:application:shop'),
        deploymentGroupName: 'shop-fleet',
      });
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [
          { name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'shop.json', account: '999999999999' })] },
          { name: 'fleet', deployments: [DeploymentTarget.codeDeployServer(group)] },
          { name: 'dr', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-dr', templatePath: 'shop.json', account: Fn.importValue('DrAccount') })] },
          env('other', { account: Fn.importValue('OtherAccount') }),
          // allowed: the target's account is the environment's, or another allowed one
          { name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'shop.json', account: '111111111111' })] },
        ],
      }));
    });
    const unknown = 'an account that is a token, unknown at synth, so it cannot be checked against 111111111111, 222222222222; pass the account id as a literal string';
    expect(errors).toEqual([
      "[policy allowed-accounts] pipeline 'Apps/Shop': environment 'staging' 'shop' deploys to account 999999999999, which is not one of 111111111111, 222222222222; deploy to one of them",
      "[policy allowed-accounts] pipeline 'Apps/Shop': environment 'fleet' 'shop-fleet' deploys to account 999999999999, which is not one of 111111111111, 222222222222; deploy to one of them",
      `[policy allowed-accounts] pipeline 'Apps/Shop': environment 'dr' 'shop-dr' deploys to ${unknown}`,
      `[policy allowed-accounts] pipeline 'Apps/Shop': environment 'other' deploys to ${unknown}`,
    ]);
  });

  test('allowedAccounts checks the account of a CDK stage\'s stacks when the pipeline\'s stack names none', () => {
    const app = newApp();
    app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
    const stack = new Stack(app, 'Apps', { env: { region: 'eu-west-1' } });
    const stage = new Stage(app, 'Prod', { env: { account: '999999999999', region: 'eu-west-1' } });
    new ssm.StringParameter(new Stack(stage, 'Service'), 'Setting', { stringValue: 'x' });
    new DeliveryPipeline(stack, 'Shop', props({ environments: [{ name: 'prod', deployments: [DeploymentTarget.cdkStage(stage)] }] }));
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.allowedAccounts(['111111111111'])] }));
    app.synth();
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data)).toEqual([
      "[policy allowed-accounts] pipeline 'Apps/Shop': the pipeline's stack has no explicit account, so its account cannot be checked against 111111111111; give the stack env: { account }",
      "[policy allowed-accounts] pipeline 'Apps/Shop': environment 'prod' 'Prod' deploys to account 999999999999, which is not one of 111111111111; deploy to one of them",
    ]);
  });

  test('allowedRegions checks the pipeline, every environment and the region of a CloudFormation target', () => {
    const errors = errorsOf([PolicyRule.allowedRegions(['eu-west-1', 'eu-central-1'])], stack => {
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [
          env('staging'), // the pipeline's region
          env('prod', { region: 'eu-central-1' }),
          env('dr', { region: 'us-east-1' }),
          { name: 'edge', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-cdn', templatePath: 'cdn.json', region: 'us-east-1' })] },
          // allowed: the target's region is another allowed one
          { name: 'eu', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-eu', templatePath: 'eu.json', region: 'eu-central-1' })] },
        ],
      }));
    });
    expect(errors).toEqual([
      "[policy allowed-regions] pipeline 'Apps/Shop': environment 'dr' deploys to region us-east-1, which is not one of eu-west-1, eu-central-1; deploy to one of them",
      "[policy allowed-regions] pipeline 'Apps/Shop': environment 'edge' 'shop-cdn' deploys to region us-east-1, which is not one of eu-west-1, eu-central-1; deploy to one of them",
    ]);
  });

  test('allowedRegions and noPrivilegedBuilds see where a custom action runs and its privileged project (regression: both passed it)', () => {
    const errors = errorsOf([PolicyRule.allowedRegions(['eu-west-1']), PolicyRule.noPrivilegedBuilds()], stack => {
      const project = new codebuild.PipelineProject(stack, 'Dind', { environment: { privileged: true } });
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [{
          name: 'staging',
          deployments: [
            DeploymentTarget.fromActionFactory('Cdn', {
              produceAction: (_s, o) => new cpa.CloudFormationCreateUpdateStackAction({
                actionName: o.actionName, runOrder: o.runOrder, stackName: 'cdn', templatePath: o.buildArtifact.atPath('cdn.json'), adminPermissions: false, region: 'us-east-1',
              }),
            }),
            DeploymentTarget.fromActionFactory('Docker', {
              produceAction: (_s, o) => new cpa.CodeBuildAction({ actionName: o.actionName, runOrder: o.runOrder, project, input: o.buildArtifact }),
            }),
          ],
        }],
      }));
    });
    expect(errors).toEqual([
      "[policy allowed-regions] pipeline 'Apps/Shop': environment 'staging' 'Cdn' deploys to region us-east-1, which is not one of eu-west-1; deploy to one of them",
      "[policy no-privileged-builds] pipeline 'Apps/Shop': environment 'staging' 'Docker' runs a privileged (Docker) CodeBuild environment; remove privileged: true or build images outside this pipeline",
    ]);
  });

  test('allowedRegions refuses a pipeline outside the regions, or whose stack names no region', () => {
    const app = newApp();
    app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
    const virginia = new Stack(app, 'Virginia', { env: { account: '111111111111', region: 'us-east-1' } });
    const agnostic = new Stack(app, 'Agnostic');
    new DeliveryPipeline(virginia, 'Shop', props());
    new DeliveryPipeline(agnostic, 'Shop', props());
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.allowedRegions(['eu-west-1'])] }));
    app.synth();
    const errors = [virginia, agnostic].flatMap(s => Annotations.fromStack(s).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data));
    expect(errors).toEqual([
      "[policy allowed-regions] pipeline 'Virginia/Shop': the pipeline is in region us-east-1, which is not one of eu-west-1; create the pipeline's stack in one of them",
      "[policy allowed-regions] pipeline 'Agnostic/Shop': the pipeline's stack has no explicit region, so its region cannot be checked against eu-west-1; give the stack env: { region }",
    ]);
  });

  test('the plan gives the region of a target that deploys to another region than its environment, for rules such as allowedRegions', () => {
    let described: PlanDocument | undefined;
    errorsOf([{ ruleId: 'acme:read', evaluate: p => { described = p; return []; } }], stack => {
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [{
          name: 'prod',
          region: 'eu-central-1',
          deployments: [
            DeploymentTarget.cloudFormation({ stackName: 'shop-cdn', templatePath: 'cdn.json', region: 'us-east-1' }),
            DeploymentTarget.cloudFormation({ stackName: 'shop-eu', templatePath: 'eu.json', region: 'eu-central-1' }),
            DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'shop.json' }),
          ],
        }],
      }));
    });
    expect(described!.environments[0].deployments.map(d => [d.name, d.region])).toEqual([['shop-cdn', 'us-east-1'], ['shop-eu', undefined], ['shop', undefined]]);
  });

  test('productionRequiresPreProduction: production comes after an environment that is not production', () => {
    const errors = errorsOf([PolicyRule.productionRequiresPreProduction()], stack => {
      new DeliveryPipeline(stack, 'Staged', props({ environments: [env('staging'), env('prod', { production: true }), env('prod-us', { production: true })] }));
      new DeliveryPipeline(stack, 'Direct', props({ environments: [env('prod', { production: true }), env('dev')] }));
      new DeliveryPipeline(stack, 'Integration', props()); // no environment: nothing reaches production
      new DeliveryPipeline(stack, 'Internal', props({ environments: [env('dev'), env('test')] })); // no production environment
    });
    expect(errors).toEqual([
      "[policy production-requires-pre-production] pipeline 'Apps/Direct': environment 'prod' production is deployed without a pre-production environment first: "
      + "no environment that is not production comes before it; add one before it (for example { name: 'staging', deployments: [...] }), "
      + 'so that every release is deployed and verified there first',
    ]);
  });

  test('productionRequiresPreProduction(minimum) counts the environments before each production environment', () => {
    const errors = errorsOf([PolicyRule.productionRequiresPreProduction(2)], stack => {
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [env('staging'), env('prod-eu', { production: true }), env('canary'), env('prod-us', { production: true })],
      }));
      new DeliveryPipeline(stack, 'Billing', props({ environments: [env('dev'), env('staging'), env('prod', { production: true })] }));
    });
    expect(errors).toEqual([
      "[policy production-requires-pre-production:2] pipeline 'Apps/Shop': environment 'prod-eu' production is deployed without 2 pre-production environments first: "
      + "only 1 environment that is not production comes before it ('staging'); add one before it (for example { name: 'staging', deployments: [...] }), "
      + 'so that every release is deployed and verified there first',
    ]);
  });

  test('productionRequiresPreProduction names the environments found when more than one but too few come first', () => {
    const errors = errorsOf([PolicyRule.productionRequiresPreProduction(4)], stack => {
      new DeliveryPipeline(stack, 'Shop', props({ environments: [env('dev'), env('staging'), env('prod', { production: true })] }));
    });
    expect(errors).toEqual([
      "[policy production-requires-pre-production:4] pipeline 'Apps/Shop': environment 'prod' production is deployed without 4 pre-production environments first: "
      + "only 2 environments that are not production come before it ('dev', 'staging'); add 2 before it (for example { name: 'staging', deployments: [...] }), "
      + 'so that every release is deployed and verified there first',
    ]);
  });

  test('maxParallelDeployments', () => {
    const errors = errorsOf([PolicyRule.maxParallelDeployments(2)], stack => {
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [{ name: 'prod', approval: Approval.manual(), deployments: [0, 1, 2].map(i => DeploymentTarget.commands(`D${i}`, ['x'])) }],
      }));
    });
    expect(errors).toEqual([
      "[policy max-parallel-deployments:2] pipeline 'Apps/Shop': environment 'prod' deploys 3 at once (D0, D1, D2), more than 2; split the targets over several "
      + 'environments, or make the stacks of a CDK stage depend on each other (addDependency) so they deploy in turn',
    ]);
  });

  test('maxParallelDeployments counts the independent stacks of one CDK stage, not stacks that deploy in turn, nor approvals, change sets and tests', () => {
    const withStage = (dependent: boolean) => errorsOf([PolicyRule.maxParallelDeployments(2)], stack => {
      const stage = new Stage(stack.node.root as App, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
      const stacks = ['A', 'B', 'C'].map(n => {
        const s = new Stack(stage, n, { stackName: `shop-${n.toLowerCase()}` });
        new ssm.StringParameter(s, 'P', { stringValue: 'x' });
        return s;
      });
      if (dependent) {
        stacks[1].addDependency(stacks[0]);
        stacks[2].addDependency(stacks[1]);
      }
      new DeliveryPipeline(stack, 'Shop', props({
        environments: [{
          name: 'prod',
          production: true,
          approval: Approval.changeSetReview(),
          deployments: [DeploymentTarget.cdkStage(stage)],
          verification: [Verification.commands('Smoke', ['./smoke.sh']), Verification.commands('Load', ['./load.sh'])],
        }],
      }));
    });
    expect(withStage(false)).toEqual([
      "[policy max-parallel-deployments:2] pipeline 'Apps/Shop': environment 'prod' deploys 3 at once (shop-a.Deploy, shop-b.Deploy, shop-c.Deploy), more than 2; "
      + 'split the targets over several environments, or make the stacks of a CDK stage depend on each other (addDependency) so they deploy in turn',
    ]);
    expect(withStage(true)).toEqual([]);
  });

  test('maxParallelDeployments refuses a pipeline in PARALLEL execution mode, whose executions deploy to one environment at once (regression: it passed)', () => {
    const errors = errorsOf([PolicyRule.maxParallelDeployments(1)], stack => {
      new DeliveryPipeline(stack, 'Parallel', props({ executionMode: codepipeline.ExecutionMode.PARALLEL, environments: [env('staging'), env('prod', { production: true })] }));
      new DeliveryPipeline(stack, 'Superseded', props({ executionMode: codepipeline.ExecutionMode.SUPERSEDED, environments: [env('staging'), env('prod', { production: true })] }));
      // a pipeline that deploys nothing, such as one that builds pull requests, may run in parallel
      new DeliveryPipeline(stack, 'PullRequests', props({ executionMode: codepipeline.ExecutionMode.PARALLEL }));
    });
    expect(errors).toEqual([
      "[policy max-parallel-deployments:1] pipeline 'Apps/Parallel': runs in PARALLEL execution mode, where executions do not wait for each other: "
      + "any number of changes can deploy to 'staging', 'prod' at once, more than 1; set executionMode to ExecutionMode.QUEUED or SUPERSEDED "
      + '(one execution at a time in each environment)',
    ]);
  });

  test('a platform team writes its own rule by implementing IPolicyRule', () => {
    class NoMainBranchInCi implements IPolicyRule {
      public readonly ruleId = 'acme:source-branch';
      public evaluate(pipeline: PlanDocument): PolicyViolation[] {
        return pipeline.source.branch === 'main' ? [] : [{ message: `builds branch ${pipeline.source.branch}; ACME pipelines build main` }];
      }
    }
    const errors = errorsOf([new NoMainBranchInCi()], stack => {
      new DeliveryPipeline(stack, 'Shop', props());
      new DeliveryPipeline(stack, 'Experiment', props({ source: PipelineSource.gitHub({ repository: 'acme/shop', branch: 'develop', connectionArn: CONNECTION_ARN }) }));
    });
    expect(errors).toEqual(["[policy acme:source-branch] pipeline 'Apps/Experiment': builds branch develop; ACME pipelines build main"]);
  });

  test('requireNotifications: a pipeline without notifications, or without one of the events, is refused; the plan names its notifications', () => {
    let described: PlanDocument | undefined;
    const errors = errorsOf([PolicyRule.requireNotifications([PipelineEvent.FAILED, PipelineEvent.APPROVAL_NEEDED])], stack => {
      const topic = new sns.Topic(stack, 'Releases');
      new DeliveryPipeline(stack, 'Silent', props());
      new DeliveryPipeline(stack, 'Partial', props({ notifications: { topic, events: [PipelineEvent.FAILED] } }));
      const told = new DeliveryPipeline(stack, 'Told', props({ notifications: { topic } }));
      described = told.describe();
    });
    expect(errors).toEqual([
      "[policy require-notifications:FAILED,APPROVAL_NEEDED] pipeline 'Apps/Silent': tells nobody about FAILED, APPROVAL_NEEDED; "
      + 'add notifications: { topic, events: [PipelineEvent.FAILED, PipelineEvent.APPROVAL_NEEDED] }',
      "[policy require-notifications:FAILED,APPROVAL_NEEDED] pipeline 'Apps/Partial': tells nobody about APPROVAL_NEEDED (its notifications: FAILED); "
      + 'add them to notifications.events: [PipelineEvent.FAILED, PipelineEvent.APPROVAL_NEEDED]',
    ]);
    expect(described!.notifications).toEqual({ events: ['APPROVAL_NEEDED', 'FAILED'], targets: ['sns'] });
    expect(errorOf(() => PolicyRule.requireNotifications([]))).toBe(
      'PolicyRule.requireNotifications: events must be one or more PipelineEvent values, got []. Use, for example, [PipelineEvent.FAILED, PipelineEvent.APPROVAL_NEEDED], or leave it out for FAILED.');
    expect(PolicyRule.requireNotifications().ruleId).toBe('require-notifications:FAILED');
  });

  test('a platform rule reads the source repository from the plan (GitHub owner/name, CodeCommit and ECR names; none for S3)', () => {
    class AcmeRepositoriesOnly implements IPolicyRule {
      public readonly ruleId = 'acme:repositories';
      public evaluate(pipeline: PlanDocument): PolicyViolation[] {
        const repo = pipeline.source.repository;
        return repo !== undefined && repo.startsWith('acme/') ? [] : [{ message: `builds ${repo ?? pipeline.source.summary}, outside the acme organisation` }];
      }
    }
    const errors = errorsOf([new AcmeRepositoriesOnly()], stack => {
      new DeliveryPipeline(stack, 'Shop', props());
      new DeliveryPipeline(stack, 'Fork', props({ source: PipelineSource.gitHub({ repository: 'someone/shop', connectionArn: CONNECTION_ARN }) }));
    });
    expect(errors).toEqual(["[policy acme:repositories] pipeline 'Apps/Fork': builds someone/shop, outside the acme organisation"]);
  });

  test('a platform rule reads what starts executions from the plan, not only the branch a manual start reads (regression: the README\'s main-only rule passed V2 triggers on other branches)', () => {
    class OnlyMainBranch implements IPolicyRule {
      public readonly ruleId = 'acme:only-main';
      public evaluate(pipeline: PlanDocument): PolicyViolation[] {
        const startsOn = pipeline.source.startsOn ?? [];
        if (startsOn.length === 1 && startsOn[0] === 'main') {
          return [];
        }
        return [{ message: `releases from ${startsOn.join(', ')}; ACME releases from main only` }];
      }
    }
    const gitHubWith = (extra: object) => PipelineSource.gitHub({ repository: 'acme/shop', branch: 'main', connectionArn: CONNECTION_ARN, ...extra });
    const errors = errorsOf([new OnlyMainBranch()], stack => {
      new DeliveryPipeline(stack, 'Main', props());
      new DeliveryPipeline(stack, 'MainPaths', props({ source: gitHubWith({ triggers: [{ branchesIncludes: ['main'], filePathsIncludes: ['src/**'] }] }) }));
      new DeliveryPipeline(stack, 'Features', props({ source: gitHubWith({ triggers: [{ branchesIncludes: ['feature/*'] }] }) }));
      new DeliveryPipeline(stack, 'Tags', props({ source: gitHubWith({ triggers: [{ branchesIncludes: ['main'] }, { tagsIncludes: ['v*'] }] }) }));
    });
    expect(errors).toEqual([
      "[policy acme:only-main] pipeline 'Apps/Features': releases from feature/*; ACME releases from main only",
      "[policy acme:only-main] pipeline 'Apps/Tags': releases from main, tags v*; ACME releases from main only",
    ]);
  });

  test('fails clearly without rules, or with a rule that is not one', () => {
    expect(errorOf(() => new DeliveryPolicy({ rules: [] }))).toBe(
      "'DeliveryPolicy': rules must be a non-empty array of IPolicyRule, got an array of 0. Pass, for example, [PolicyRule.productionRequiresApproval()].");
    expect(errorOf(() => new DeliveryPolicy(undefined as any))).toBe(
      "'DeliveryPolicy': props must be an object, got undefined. Pass { rules: [PolicyRule.productionRequiresApproval(), ...] }.");
    expect(errorOf(() => new DeliveryPolicy({ rules: [PolicyRule.noPrivilegedBuilds(), {} as any] }))).toBe(
      "'DeliveryPolicy': rules[1] must implement IPolicyRule (a non-empty ruleId and an evaluate method), got an object. "
      + 'Use a PolicyRule factory such as PolicyRule.productionRequiresApproval(), or a class that implements IPolicyRule.');
    expect(errorOf(() => PolicyRule.maxParallelDeployments(0))).toBe(
      'PolicyRule.maxParallelDeployments: max must be a whole number of 1 or more, got 0. Pass the most targets one environment may deploy at once, for example 5.');
    expect(errorOf(() => PolicyRule.allowedAccounts(['12']))).toBe(
      'PolicyRule.allowedAccounts: accounts must be one or more 12-digit account ids, got ["12"]. Pass [\'111111111111\', ...].');
    // regression: an empty list allowed no account, and every pipeline failed with "which is not one of "
    expect(errorOf(() => PolicyRule.allowedAccounts([]))).toBe(
      'PolicyRule.allowedAccounts: accounts must be one or more 12-digit account ids, got []. Pass [\'111111111111\', ...].');
    expect(errorOf(() => PolicyRule.allowedRegions(['eu-west-1', 'Europe']))).toBe(
      'PolicyRule.allowedRegions: regions must be one or more region codes, got ["eu-west-1","Europe"]. Pass [\'eu-west-1\', \'eu-central-1\', ...].');
    expect(PolicyRule.allowedRegions(['eusc-de-east-1', 'us-gov-west-1', 'cn-north-1']).ruleId).toBe('allowed-regions'); // regression: the sovereign cloud's code was refused
    expect(errorOf(() => PolicyRule.allowedRegions([]))).toBe(
      'PolicyRule.allowedRegions: regions must be one or more region codes, got []. Pass [\'eu-west-1\', \'eu-central-1\', ...].');
    for (const minimum of [0, 1.5, 48]) {
      expect(errorOf(() => PolicyRule.productionRequiresPreProduction(minimum))).toBe(
        "PolicyRule.productionRequiresPreProduction: minimum must be a whole number from 1 to 47 (CodePipeline's 50 stages, less Source, Build and production), "
        + `got ${minimum}. Pass how many environments must come before production, for example 1 (staging).`);
    }
    // regression: a construct, a BigInt or NaN ended in a TypeError from JSON.stringify, or read "got null"
    expect(errorOf(() => PolicyRule.allowedRegions([new Stack() as any]))).toBe(
      "PolicyRule.allowedRegions: regions must be one or more region codes, got an array of 1. Pass ['eu-west-1', 'eu-central-1', ...].");
    expect(errorOf(() => PolicyRule.maxParallelDeployments(BigInt(3) as any))).toBe(
      'PolicyRule.maxParallelDeployments: max must be a whole number of 1 or more, got 3n. Pass the most targets one environment may deploy at once, for example 5.');
    expect(errorOf(() => PolicyRule.maxParallelDeployments(NaN))).toBe(
      'PolicyRule.maxParallelDeployments: max must be a whole number of 1 or more, got NaN. Pass the most targets one environment may deploy at once, for example 5.');
    expect(errorOf(() => PolicyRule.minimumBakeTime(new Stack() as any))).toMatch(/^PolicyRule\.minimumBakeTime: bakeTime must be a Duration, got a Stack\./); // named by its jsii type, not by its class (renamed on newer aws-cdk-lib)
    // regression: an unknown kind (JavaScript caller) asked every pipeline for a check that cannot exist
    expect(errorOf(() => PolicyRule.requireCheck('audit' as any))).toBe(
      'PolicyRule.requireCheck: kind must be a CheckKind, got "audit". Use CheckKind.DEPENDENCY_AUDIT, SOURCE_CODE_SCAN, IMAGE_SCAN or COMMANDS.');
  });

  test.each([
    ['PolicyRule.minimumBakeTime', 'bakeTime', () => PolicyRule.minimumBakeTime(Duration.seconds(90))],
    ['PolicyRule.allowedAccounts', 'accounts', () => PolicyRule.allowedAccounts([])],
    ['PolicyRule.allowedRegions', 'regions', () => PolicyRule.allowedRegions(['EU'])],
    ['PolicyRule.productionRequiresPreProduction', 'minimum', () => PolicyRule.productionRequiresPreProduction(0)],
    ['PolicyRule.maxParallelDeployments', 'max', () => PolicyRule.maxParallelDeployments(0)],
    ['PolicyRule.requireCheck', 'kind', () => PolicyRule.requireCheck('audit' as any)],
    ['PolicyRule.requireNotifications', 'events', () => PolicyRule.requireNotifications([])],
    ['PolicyRule.logRetention', 'options', () => PolicyRule.logRetention({})],
    ['PolicyRule.logRetention', 'maximum', () => PolicyRule.logRetention({ maximum: logs.RetentionDays.INFINITE })],
    ['DeliveryPolicy', 'rules', () => new DeliveryPolicy({ rules: [] })],
  ])('%s: a bad argument is a DeliveryPipelineValidationError naming the factory or class where a construct path would be', (factory, field, fn) => {
    let error: any;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeliveryPipelineValidationError);
    expect(error.name).toBe('DeliveryPipelineValidationError');
    expect({ constructPath: error.constructPath, field: error.field }).toEqual({ constructPath: factory, field });
  });

  test.each([
    ['returns no array', () => undefined, "rules[0] ('acme:broken') must return an array of PolicyViolation from evaluate, got undefined. Return [] when the pipeline complies, or [{ message }] for each violation."],
    ['returns a violation without message', () => [{ environment: 'prod' }],
      "rules[0] ('acme:broken') violation [0] must be a PolicyViolation (a non-empty message, an optional environment name), got an object. "
      + "Return { message: 'what is wrong and what to do' }, with environment: '<name>' for a violation of one environment."],
    ['names an environment the pipeline does not have', () => [{ message: 'no', environment: 'prd' }],
      "rules[0] ('acme:broken') violation [0].environment names an environment the pipeline does not have, got 'prd'. Name one of its environments (it has none), "
      + 'or leave environment out.'],
    ['throws', (p: any) => p.source.nope.branch,
      "rules[0] ('acme:broken') failed while evaluating the pipeline: TypeError: Cannot read properties of undefined (reading 'branch'). "
      + 'Fix the rule (its evaluate method threw), or remove it from the DeliveryPolicy.'],
  ])('fails naming the pipeline and the rule when a custom rule %s (JavaScript caller; regression: a TypeError at synth)', (_case, evaluate, message) => {
    const app = newApp();
    const stack = new Stack(app, 'Apps', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props());
    Aspects.of(app).add(new DeliveryPolicy({ rules: [{ ruleId: 'acme:broken', evaluate } as any] }));
    expect(errorOf(() => app.synth())).toBe(`'Apps/Shop': DeliveryPolicy ${message}`);
  });

  test('PolicyRule.logRetention with only maximum INFINITE is refused: it would check nothing', () => {
    expect(errorOf(() => PolicyRule.logRetention({ maximum: logs.RetentionDays.INFINITE }))).toBe(
      'PolicyRule.logRetention: maximum allows every retention when it is logs.RetentionDays.INFINITE and minimum is left out, so the rule would check nothing, '
      + 'got INFINITE (9999). '
      + 'Pass { minimum?, maximum? } as logs.RetentionDays, for example { maximum: logs.RetentionDays.ONE_YEAR }.');
  });

  test('each rule reads its own copy of the plan: a rule that changes it misleads none after it (regression: sorted or emptied for all)', () => {
    const sorts: IPolicyRule = { ruleId: 'acme:inventory', evaluate: p => { p.environments.sort((a, b) => a.name.localeCompare(b.name)); return []; } };
    const empties: IPolicyRule = { ruleId: 'acme:report', evaluate: p => { p.environments.splice(0); return []; } };
    expect(errorsOf([sorts, PolicyRule.productionRequiresPreProduction()], stack => {
      new DeliveryPipeline(stack, 'Shop', props({ environments: [env('staging'), env('prod', { production: true })] }));
    })).toEqual([]);
    expect(errorsOf([empties, PolicyRule.productionRequiresVerification()], stack => {
      new DeliveryPipeline(stack, 'Shop', props({ environments: [env('prod', { production: true })] }));
    })).toEqual([expect.stringContaining("[policy production-requires-verification] pipeline 'Apps/Shop': environment 'prod'")]);
  });

  test('a violation fails the synthesis, as cdk synth reports it', () => {
    const app = newApp();
    const stack = new Stack(app, 'Apps', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('prod', { production: true, acknowledgeUnverifiedProduction: true })] }));
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresVerification()] }));
    const expected = "[policy production-requires-verification] pipeline 'Apps/Shop': environment 'prod' production has no automated verification";
    expect(failedSynthReport(app)).toContain(expected);
  });

  test('an environment added by an aspect after the policy checked the pipeline is refused (regression: it escaped the rules)', () => {
    const app = newApp();
    const stack = new Stack(app, 'Apps', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pipeline = new DeliveryPipeline(stack, 'Shop', props({ environments: [env('staging')] }));
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresDeploymentWindow()] }));
    Aspects.of(app).add({ visit: node => { if (node === pipeline) pipeline.addEnvironment(env('prod', { production: true })); } });
    expect(errorOf(() => app.synth())).toBe("'Apps/Shop': addEnvironment: cannot add environments after the pipeline was built "
      + '(by buildPipeline(), grantApprove(), grantOperate(), grantRead() or grantArtifactsRead(), by a DeliveryPolicy that checked it, or just before synthesis, when every pipeline is built); add every environment first.');
  });

  test('unrelated constructs are ignored', () => {
    const errors = errorsOf([PolicyRule.productionRequiresApproval()], stack => {
      new codebuild.PipelineProject(stack, 'Other');
    });
    expect(errors).toEqual([]);
  });
});

describe('DeliveryPolicy across the app', () => {
  test('a pipeline in a nested Stage is checked by the policy added to the app (regression: aspects stop at a Stage, so it escaped every rule)', () => {
    const app = newApp();
    app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
    const outer = new Stage(app, 'Team');
    const inner = new Stage(outer, 'Delivery');
    const stack = new Stack(inner, 'Apps', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ environments: [env('prod', { production: true })] }));
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresVerification()] }));
    Aspects.of(outer).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresDeploymentWindow()] }));
    app.synth();
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data)).toEqual([
      "[policy production-requires-verification] pipeline 'Team/Delivery/Apps/Shop': environment 'prod' production has no automated verification; add Verification.commands(...) or Verification.alarms(...)",
      "[policy production-requires-deployment-window] pipeline 'Team/Delivery/Apps/Shop': environment 'prod' production can be entered at any time; add deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', '<time zone>')",
    ]);
  });

  test('a policy added to a nested Stage itself, or to the app for a pipeline outside any nested stage, reports each violation once', () => {
    const app = newApp();
    app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
    const stage = new Stage(app, 'Delivery');
    const nested = new Stack(stage, 'Apps', { env: { account: '111111111111', region: 'eu-west-1' } });
    const top = new Stack(app, 'Top', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(nested, 'Shop', props({ environments: [env('prod', { production: true })] }));
    new DeliveryPipeline(top, 'Billing', props({ environments: [env('prod', { production: true })] }));
    Aspects.of(stage).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresVerification()] }));
    Aspects.of(app).add(new DeliveryPolicy({ rules: [PolicyRule.productionRequiresDeploymentWindow()] }));
    app.synth();
    const errors = (s: Stack) => Annotations.fromStack(s).findError('*', Match.stringLikeRegexp('.*')).map(m => (m.entry.data as string).split(':')[0]);
    expect(errors(nested)).toEqual(['[policy production-requires-verification] pipeline \'Delivery/Apps/Shop\'', '[policy production-requires-deployment-window] pipeline \'Delivery/Apps/Shop\'']);
    expect(errors(top)).toEqual(['[policy production-requires-deployment-window] pipeline \'Top/Billing\'']);
  });

  describe('a pipeline in a stage another pipeline deploys (regression: the stage was synthesized when the deploying pipeline was configured, '
    + 'so a policy added afterwards never checked it)', () => {
    const E1 = { account: '111111111111', region: 'eu-west-1' };
    const errorsIn = (stack: Stack) => Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*')).map(m => m.entry.data as string);
    const rule = PolicyRule.requireCheck(CheckKind.DEPENDENCY_AUDIT);
    const teamPipeline = (stack: Stack) => new DeliveryPipeline(stack, 'Shop', props({ environments: [env('staging')] }));
    const seed = (app: App, stage: Stage) => {
      const stack = new Stack(app, 'Seed', { env: E1 });
      new DeliveryPipeline(stack, 'Seed', props({
        environments: [{ name: 'pipelines', deployments: [DeploymentTarget.cdkStage(stage)] }],
        buildStep: BuildStep.commands({ commands: ['npm test'] }),
        checks: [QualityCheck.dependencyAudit()],
      }));
      return stack;
    };
    const violation = (pipelinePath: string) => `[policy require-check:dependency-audit] pipeline '${pipelinePath}': the pipeline runs no dependency-audit check (its checks: none); `
      + 'add QualityCheck.dependencyAudit() to checks';

    test('policy added after the deploying pipeline: reported on the deploying pipeline, naming the inner one', () => {
      const app = newApp();
      app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
      const teams = new Stage(app, 'Teams', { env: E1 });
      const team = new Stack(teams, 'ShopPipelineStack');
      teamPipeline(team);
      const seedStack = seed(app, teams);
      Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
      app.synth();
      expect(errorsIn(seedStack)).toEqual([violation('Teams/ShopPipelineStack/Shop')
        + " (reported on 'Seed/Seed', which deploys stage 'Teams': a stage is synthesized when the pipeline deploying it is configured, "
        + 'and this one was before this DeliveryPolicy was added)']);
      expect(errorsIn(team)).toEqual([]);
    });

    test('policy added first: reported on the inner pipeline itself, once', () => {
      const app = newApp();
      app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
      Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
      const teams = new Stage(app, 'Teams', { env: E1 });
      const team = new Stack(teams, 'ShopPipelineStack');
      teamPipeline(team);
      const seedStack = seed(app, teams);
      app.synth();
      expect(errorsIn(team)).toEqual([violation('Teams/ShopPipelineStack/Shop')]);
      expect(errorsIn(seedStack)).toEqual([]);
    });

    test('a violation fails app.synth() (aws-cdk-lib validation)', () => {
      const app = newApp();
      const teams = new Stage(app, 'Teams', { env: E1 });
      teamPipeline(new Stack(teams, 'ShopPipelineStack'));
      seed(app, teams);
      Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
      expect(failedSynthReport(app)).toContain("pipeline 'Teams/ShopPipelineStack/Shop'");
    });

    test('nested: a pipeline in a stage deployed by a pipeline of a stage the seed deploys is reported on the seed pipeline, naming the chain', () => {
      const app = newApp();
      app.node.setContext(cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, false);
      const teams = new Stage(app, 'Teams', { env: E1 });
      const product = new Stage(app, 'Product', { env: E1 });
      const productStack = new Stack(product, 'ProductPipelineStack');
      new DeliveryPipeline(productStack, 'Product', props({ environments: [env('staging')] }));
      const team = new Stack(teams, 'ShopPipelineStack');
      new DeliveryPipeline(team, 'Shop', props({
        environments: [{ name: 'pipelines', deployments: [DeploymentTarget.cdkStage(product)] }],
        checks: [QualityCheck.dependencyAudit()],
      }));
      const seedStack = seed(app, teams);
      Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
      app.synth();
      expect(errorsIn(seedStack)).toEqual([violation('Product/ProductPipelineStack/Product')
        + " (reported on 'Seed/Seed', which deploys stage 'Teams', whose pipeline 'Teams/ShopPipelineStack/Shop' deploys stage 'Product': a stage is synthesized when the pipeline deploying it is configured, "
        + 'and this one was before this DeliveryPolicy was added)']);
      expect(errorsIn(team)).toEqual([]);
      expect(errorsIn(productStack)).toEqual([]);
    });

    test('an environment added to a pipeline of a stage another pipeline already deploys names that pipeline (regression: it blamed buildPipeline() and grants nobody called)', () => {
      const app = newApp();
      Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
      const teams = new Stage(app, 'Teams', { env: E1 });
      const shop = teamPipeline(new Stack(teams, 'ShopPipelineStack'));
      seed(app, teams);
      expect(errorOf(() => shop.addEnvironment(env('prod', { production: true })))).toBe(
        "'Teams/ShopPipelineStack/Shop': addEnvironment: cannot add environments after the pipeline was built: its stage 'Teams' was synthesized "
        + "when 'Seed/Seed', which deploys it (DeploymentTarget.cdkStage), was configured, and that pipeline deploys the stage's templates of that moment. "
        + "Add every environment of this pipeline before 'Seed/Seed' deploys its stage (in new DeliveryPipeline(...), or the addEnvironment that deploys the stage).");
    });

    test('a stage synthesized early that no pipeline of the policy\'s stage deploys: the library\'s error', () => {
      const app = newApp();
      const teams = new Stage(app, 'Teams', { env: E1 });
      teamPipeline(new Stack(teams, 'ShopPipelineStack'));
      teams.synth();
      Aspects.of(app).add(new DeliveryPolicy({ rules: [rule] }));
      expect(errorOf(() => app.synth())).toBe("'Teams/ShopPipelineStack/Shop': stage 'Teams' was synthesized before the DeliveryPolicy added to '<app>' "
        + "was added, and no pipeline there deploys it, so the policy's violations of this pipeline cannot be reported: "
        + `${violation('Teams/ShopPipelineStack/Shop')}. Add the DeliveryPolicy before creating the stage, or fix the violations.`);
    });
  });
});
