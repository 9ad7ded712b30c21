import { Duration, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlanDocument } from '../model/plan-document';
import { AllowedAccountsRule } from './rules/allowed-accounts';
import { AllowedRegionsRule } from './rules/allowed-regions';
import { LogRetentionRule } from './rules/log-retention';
import { MaxParallelDeploymentsRule } from './rules/max-parallel-deployments';
import { MinimumBakeTimeRule } from './rules/minimum-bake-time';
import { NoPrivilegedBuildsRule } from './rules/no-privileged-builds';
import { ProductionRequiresApprovalRule } from './rules/production-requires-approval';
import { ProductionRequiresDeploymentWindowRule } from './rules/production-requires-deployment-window';
import { ProductionRequiresPreProductionRule } from './rules/production-requires-pre-production';
import { ProductionRequiresRollbackRule } from './rules/production-requires-rollback';
import { ProductionRequiresVerificationRule } from './rules/production-requires-verification';
import { RequireCheckRule } from './rules/require-check';
import { RequireNotificationsRule } from './rules/require-notifications';
import { RequireProductionEnvironmentRule } from './rules/require-production-environment';
import { PipelineEvent } from '../pipeline/notifications';
import { RETENTION_DAYS } from '../private/commands-spec';
import { factoryArgumentError, showJson, Validator } from '../private/validation';

/** Options of `PolicyRule.logRetention`: give `minimum`, `maximum` or both. */
export interface LogRetentionRuleOptions {
  /**
   * The shortest retention allowed: logs that never expire comply; with
   * `logs.RetentionDays.INFINITE`, only logs that never expire do.
   *
   * @default - no minimum
   */
  readonly minimum?: logs.RetentionDays;
  /**
   * The longest retention allowed: logs that never expire (the default) do not comply.
   *
   * @default - no maximum
   */
  readonly maximum?: logs.RetentionDays;
}

/** One violation of a policy rule. */
export interface PolicyViolation {
  /**
   * The environment that violates the rule.
   *
   * @default - the pipeline as a whole
   */
  readonly environment?: string;
  /** What is wrong and what to do, in one sentence. */
  readonly message: string;
}

/**
 * A rule a platform team checks across every DeliveryPipeline of an app. Implement it to write
 * your own: `evaluate` receives the pipeline's description (the same plan document
 * `cdk-delivery plan` reads) and returns the violations.
 */
export interface IPolicyRule {
  /** Short id shown in every message, for example `production-requires-approval`. */
  readonly ruleId: string;
  /** The violations of this rule in one pipeline (an empty list when it complies). */
  evaluate(pipeline: PlanDocument): PolicyViolation[];
}

/** Kinds of quality checks, for `PolicyRule.requireCheck`. */
export enum CheckKind {
  /** `QualityCheck.dependencyAudit()` */
  DEPENDENCY_AUDIT = 'dependency-audit',
  /** `QualityCheck.sourceCodeScan()` (Amazon Inspector) */
  SOURCE_CODE_SCAN = 'inspector-source-scan',
  /** `QualityCheck.imageScan()` (Amazon Inspector) */
  IMAGE_SCAN = 'inspector-image-scan',
  /** `QualityCheck.commands()` */
  COMMANDS = 'commands',
}

/**
 * The built-in rules of DeliveryPolicy.
 */
export class PolicyRule {
  /** Every production environment is entered through a person's approval (manual approval or change-set review). */
  public static productionRequiresApproval(): IPolicyRule {
    return new ProductionRequiresApprovalRule();
  }

  /** Every production environment has automated verification (tests or alarms). */
  public static productionRequiresVerification(): IPolicyRule {
    return new ProductionRequiresVerificationRule();
  }

  /** Every pipeline runs a quality check of this kind, for example a dependency audit. */
  public static requireCheck(kind: CheckKind): IPolicyRule {
    return new RequireCheckRule(kind);
  }

  /**
   * Every production environment comes after at least `minimum` environments that are not
   * production (staging, for example), so that every release is deployed, and verified, somewhere
   * else first. A pipeline without production environments complies.
   *
   * @param minimum how many environments that are not production must come before each production environment, 1 to 47
   * @default 1
   */
  public static productionRequiresPreProduction(minimum?: number): IPolicyRule {
    return new ProductionRequiresPreProductionRule(minimum ?? 1);
  }

  /**
   * Every pipeline tells someone (an SNS topic or a Slack channel, `notifications`) about these
   * events.
   *
   * @param events the events that must be notified
   * @default [PipelineEvent.FAILED]
   */
  public static requireNotifications(events?: PipelineEvent[]): IPolicyRule {
    return new RequireNotificationsRule(events);
  }

  /**
   * Every production environment rolls back when it fails: its `onFailure` is
   * `FailurePolicy.ROLLBACK`, the default for production environments. A pipeline in PARALLEL
   * execution mode cannot meet it (CodePipeline does not roll stages back in that mode).
   */
  public static productionRequiresRollback(): IPolicyRule {
    return new ProductionRequiresRollbackRule();
  }

  /**
   * Every production environment watches CloudWatch alarms for at least `bakeTime` after it
   * deploys (`Verification.alarms(alarms, { bakeTime })`), so that a bad release is caught before
   * the next change reaches it.
   *
   * @param bakeTime the shortest bake time allowed, in whole minutes
   */
  public static minimumBakeTime(bakeTime: Duration): IPolicyRule {
    const fix = 'Pass the shortest bake time production may have, for example Duration.minutes(30).';
    if (!(bakeTime instanceof Duration)) {
      throw factoryArgumentError('PolicyRule.minimumBakeTime', 'bakeTime', `bakeTime must be a Duration, got ${showJson(bakeTime)}. ${fix}`);
    }
    if (Token.isUnresolved(bakeTime.toString())) {
      throw factoryArgumentError('PolicyRule.minimumBakeTime', 'bakeTime', `bakeTime must be known at synth, got a token. ${fix}`);
    }
    const minutes = bakeTime.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      throw factoryArgumentError('PolicyRule.minimumBakeTime', 'bakeTime', `bakeTime must be a whole number of minutes, 1 or more, got ${bakeTime.toHumanString()}. ${fix}`);
    }
    return new MinimumBakeTimeRule(minutes);
  }

  /**
   * Every pipeline keeps its CodeBuild logs (build, checks, deploy scripts, tests, asset
   * publishing) for a retention within bounds: at least `minimum` (an audit requirement), at most
   * `maximum` (data minimisation, cost). Pipelines set it with `logRetention`, or a platform team
   * once for all with `DeliveryDefaults`; without it, CodeBuild's logs never expire.
   */
  public static logRetention(options: LogRetentionRuleOptions): IPolicyRule {
    const fix = 'Pass { minimum?, maximum? } as logs.RetentionDays, for example { maximum: logs.RetentionDays.ONE_YEAR }.';
    if (!options || typeof options !== 'object') {
      throw factoryArgumentError('PolicyRule.logRetention', 'options', `options must be an object, got ${showJson(options)}. ${fix}`);
    }
    new Validator('PolicyRule.logRetention').noMisspeltFields('options', options, 'LogRetentionRuleOptions');
    for (const field of ['minimum', 'maximum'] as const) {
      const value = options[field];
      if (value !== undefined && !RETENTION_DAYS.includes(value)) {
        throw factoryArgumentError('PolicyRule.logRetention', field, `${field} must be a logs.RetentionDays, got ${showJson(value)}. ${fix}`);
      }
    }
    if (options.minimum === undefined && options.maximum === undefined) {
      throw factoryArgumentError('PolicyRule.logRetention', 'options', `give minimum, maximum or both, got neither. ${fix}`);
    }
    if (options.minimum === undefined && options.maximum === logs.RetentionDays.INFINITE) {
      throw factoryArgumentError('PolicyRule.logRetention', 'maximum',
        `maximum allows every retention when it is logs.RetentionDays.INFINITE and minimum is left out, so the rule would check nothing, got INFINITE (9999). ${fix}`);
    }
    if (options.minimum !== undefined && options.maximum !== undefined && options.minimum > options.maximum) {
      throw factoryArgumentError('PolicyRule.logRetention', 'options', `minimum (${options.minimum} days) is longer than maximum (${options.maximum} days), which no pipeline can meet. ${fix}`);
    }
    return new LogRetentionRule(options.minimum, options.maximum);
  }

  /**
   * Every pipeline that deploys has a production environment (`production: true`). The
   * `productionRequires*` rules and `minimumBakeTime` check production environments only, so a
   * pipeline that marks none escapes them all; this rule closes that gap. A pipeline without
   * environments (continuous integration) complies.
   */
  public static requireProductionEnvironment(): IPolicyRule {
    return new RequireProductionEnvironmentRule();
  }

  /** Every production environment has a deployment window. */
  public static productionRequiresDeploymentWindow(): IPolicyRule {
    return new ProductionRequiresDeploymentWindowRule();
  }

  /**
   * No CodeBuild project runs privileged (Docker-in-Docker): the build, checks, deploy commands and
   * tests, the publishing of a CDK stage's Docker image assets, and a CodeBuild project of the app
   * that a `fromActionFactory` target's action runs.
   */
  public static noPrivilegedBuilds(): IPolicyRule {
    return new NoPrivilegedBuildsRule();
  }

  /**
   * Pipelines, environments and deployment targets deploy only to these accounts.
   *
   * Checked: the pipeline's stack, each environment's account, and a target's own account when it
   * differs (a CloudFormation target's `account`, a CodeDeploy deployment group, ECS service or Lambda
   * function of another account, the stacks of a CDK stage, and the account a `fromActionFactory`
   * target's action runs in, as aws-cdk-lib places it: its `role`'s account, else that of the resource
   * it acts on, else its `account`). An account that is a token cannot be checked at synth and is a
   * violation. Deploy commands count as deploying to their environment's account: what their
   * commands reach is not known at synth.
   */
  public static allowedAccounts(accounts: string[]): IPolicyRule {
    return new AllowedAccountsRule(accounts);
  }

  /**
   * Pipelines, environments and deployment targets are only in these regions (data residency).
   *
   * Checked: the pipeline's stack (where its artifacts and build logs are), each environment's
   * region, a CloudFormation target's own `region`, and the region a `fromActionFactory` target's
   * action runs in (that of the resource it acts on, else its `region`). A pipeline stack without an
   * explicit region cannot be checked at synth and is a violation. Deploy commands count as
   * deploying to their environment's region: what their commands reach is not known at synth.
   */
  public static allowedRegions(regions: string[]): IPolicyRule {
    return new AllowedRegionsRule(regions);
  }

  /**
   * No environment changes more than `max` things at once: deploy actions that run in parallel in
   * its stage (the targets, and the stacks of a CDK stage that do not depend on each other).
   * Approvals, change-set creation and verification tests do not count. A pipeline in PARALLEL
   * execution mode that deploys to environments cannot meet it (its executions do not wait for each
   * other, so any number of changes can deploy to one environment at once).
   */
  public static maxParallelDeployments(max: number): IPolicyRule {
    return new MaxParallelDeploymentsRule(max);
  }

  private constructor() {}
}
