import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Approval } from '../approval/approval';
import { DeploymentTarget } from '../deploy/deployment-target';
import { DeploymentWindow } from '../verification/deployment-window';
import { FailurePolicy } from '../verification/failure-policy';
import { Verification } from '../verification/verification';

/**
 * One environment a change moves through: one CodePipeline stage holding
 * [approval] → deployments (in parallel) → verification.
 */
export interface EnvironmentOptions {
  /**
   * Name of the environment and of its CodePipeline stage (1 to 100 characters from
   * `A-Za-z0-9.@-_`); `cdk-delivery approve --env <name>` uses it.
   */
  readonly name: string;
  /**
   * Whether this environment is production; the release mode decides how it is gated.
   *
   * @default false
   */
  readonly production?: boolean;
  /**
   * AWS account of the environment. With it, a CDK stage whose stacks name another account is
   * refused; without it, each CDK stage deploys to the account its stacks name, so one environment
   * can deploy stages of several accounts in parallel (a wave).
   *
   * @default - the pipeline's account, for targets that name none
   */
  readonly account?: string;
  /**
   * AWS region of the environment, a literal such as 'us-east-1' (a token is refused unless it is the
   * pipeline stack's own region: a cross-region action needs an artifact store the pipeline creates
   * at synth). With it, a CDK stage whose stacks name another region is refused; without it, each
   * CDK stage deploys to the region its stacks name, so one environment can deploy stages of several
   * regions in parallel (a wave).
   *
   * @default - the pipeline's region, for targets that name none
   */
  readonly region?: string;
  /**
   * A person's gate before the deployments.
   *
   * @default - none; under continuous delivery a production environment gets `Approval.manual()`
   */
  readonly approval?: Approval;
  /** What the environment deploys, in parallel. At least one. */
  readonly deployments: DeploymentTarget[];
  /**
   * Automated checks after the deployments (tests).
   *
   * @default - none
   */
  readonly verification?: Verification[];
  /**
   * Under continuous deployment, accept a production environment without automated verification.
   *
   * @default false
   */
  readonly acknowledgeUnverifiedProduction?: boolean;
  /**
   * Entry condition: the environment is entered only inside this window; changes wait outside it.
   *
   * @default - any time
   */
  readonly deploymentWindow?: DeploymentWindow;
  /**
   * Entry condition: a change is not promoted into the environment while one of these alarms is in
   * ALARM (at most 5, or 4 with a `deploymentWindow`: both are rules of the stage's one entry
   * condition, which CodePipeline caps at 5 rules).
   *
   * @default - no alarm is checked on entry
   */
  readonly blockWhileAlarming?: cloudwatch.IAlarm[];
  /**
   * Role CodePipeline assumes to read the `blockWhileAlarming` alarms when they live in another
   * account than the pipeline (a role in that account that trusts the pipeline account and may
   * `cloudwatch:DescribeAlarms`, on `*` for a composite alarm). Every alarm is read with it, in its
   * account: alarms of another account than the role's are refused.
   *
   * @default - the pipeline's role, granted `cloudwatch:DescribeAlarms` on exactly these alarms (on
   * `*` when one is a composite alarm of the app)
   */
  readonly blockWhileAlarmingRole?: iam.IRole;
  /**
   * What happens when the environment's stage fails (a deployment, a test or an alarm gate).
   *
   * @default FailurePolicy.ROLLBACK for production environments (FailurePolicy.FAIL in PARALLEL
   * execution mode, where CodePipeline cannot roll back), FailurePolicy.FAIL otherwise
   */
  readonly onFailure?: FailurePolicy;
}
