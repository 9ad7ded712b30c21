import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';

/**
 * What happens when an environment's stage fails (a deployment, a test or an alarm gate).
 */
export class FailurePolicy {
  /**
   * The stage rolls back to the revision of the last successful execution (CodePipeline stage
   * rollback). CodePipeline only rolls back to an execution that succeeded in the stage and was
   * started since the pipeline's structure last changed: the first failure after a new or changed
   * pipeline stays failed.
   */
  public static readonly ROLLBACK = new FailurePolicy('ROLLBACK');
  /** The stage stays failed until someone retries or a new change arrives. */
  public static readonly FAIL = new FailurePolicy('FAIL');
  /** The stage retries its failed actions once, automatically. */
  public static readonly RETRY = new FailurePolicy('RETRY', codepipeline.RetryMode.FAILED_ACTIONS);

  /** The stage retries automatically, either only its failed actions or all of its actions. */
  public static retry(mode: codepipeline.RetryMode = codepipeline.RetryMode.FAILED_ACTIONS): FailurePolicy {
    return new FailurePolicy('RETRY', mode);
  }

  /** ROLLBACK, FAIL or RETRY. */
  public readonly result: string;
  /** The retry mode of RETRY. */
  public readonly retryMode?: codepipeline.RetryMode;

  private constructor(result: string, retryMode?: codepipeline.RetryMode) {
    this.result = result;
    this.retryMode = retryMode;
  }
}
