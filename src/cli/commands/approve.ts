import { CommandContext } from '../context';
import { CliError, ExitCode, usageError } from '../errors';
import { println } from '../io';
import {
  describeRevision, findStage, pendingApproval, revisionArgumentProblem, revisionMatches, revisionOfExecution, shortRevision, validateName,
} from '../pipeline-model';
import { safeLine } from '../terminal';
import { StageActionOptions, waitForStage } from './wait';

export interface ApproveOptions extends StageActionOptions {
  readonly decision: 'Approved' | 'Rejected';
  readonly comment?: string;
  /** Full or abbreviated (at least 4 characters) commit id, image digest or S3 version id the approval must be for. */
  readonly revision?: string;
  /** Pipeline execution id the approval must be for. */
  readonly execution?: string;
  readonly yes?: boolean;
}

/** The longest comment CodePipeline accepts (ApprovalResult.summary). */
export const MAX_COMMENT_LENGTH = 512;

/** `cdk-delivery approve|reject <pipeline> --env <name> ...` */
export async function approveCommand(ctx: CommandContext, options: ApproveOptions): Promise<number> {
  const pipeline = validateName(options.pipeline, 'pipeline name');
  const env = validateName(options.env, 'environment name (--env)');
  const verb = options.decision === 'Approved' ? 'approve' : 'reject';
  const revisionProblem = options.revision !== undefined ? revisionArgumentProblem(options.revision) : undefined;
  if (revisionProblem) throw usageError(revisionProblem);
  const commentLength = options.comment === undefined ? 0 : [...options.comment].length;
  if (commentLength > MAX_COMMENT_LENGTH) {
    throw usageError(`--comment is ${commentLength} characters long; CodePipeline accepts at most ${MAX_COMMENT_LENGTH}`);
  }
  if (options.revision !== undefined && options.execution !== undefined) {
    throw usageError('use either --revision or --execution, not both');
  }

  const state = await ctx.api.getPipelineState(pipeline);
  const stage = findStage(state, env, pipeline);
  const approval = pendingApproval(stage);
  const token = approval?.latestExecution?.token;
  if (!approval || !token) {
    throw new CliError(`no pending approval in environment '${env}' of pipeline '${pipeline}'`, ExitCode.NOT_FOUND);
  }
  const executionId = stage.latestExecution?.pipelineExecutionId;
  const execution = executionId ? await ctx.api.getPipelineExecution(pipeline, executionId) : undefined;
  const revision = revisionOfExecution(execution);
  const what = `${describeRevision(revision)} (execution ${executionId ?? 'unknown'})`;

  if (options.execution !== undefined && options.execution !== executionId) {
    throw new CliError(
      `refusing to ${verb}: the approval waiting in '${env}' is for execution ${executionId ?? 'unknown'} (revision ${shortRevision(revision.id)}), not ${options.execution}`,
      ExitCode.NOT_FOUND);
  }
  if (options.revision !== undefined && !revisionMatches(options.revision, revision.id)) {
    throw new CliError(
      `refusing to ${verb}: the approval waiting in '${env}' is for revision ${revision.id ?? 'unknown'} (execution ${executionId ?? 'unknown'}), not ${options.revision}`,
      ExitCode.NOT_FOUND);
  }
  if (options.revision === undefined && options.execution === undefined && !options.yes) {
    if (!ctx.io.stdinIsTTY) {
      throw usageError(`refusing to ${verb} without confirmation: stdin is not a terminal; pass --yes, --revision <sha> or --execution <id>`);
    }
    println(ctx.io.stderr, safeLine(`${approval.actionName} in '${env}' of '${pipeline}' is waiting for ${what}`));
    const ok = await ctx.io.confirm(safeLine(`${verb === 'approve' ? 'Approve' : 'Reject'} ${shortRevision(revision.id)} into ${env}?`));
    if (!ok) {
      println(ctx.io.stderr, 'nothing done');
      return ExitCode.USAGE;
    }
  }

  const answeredAt = await ctx.api.putApprovalResult({
    pipelineName: pipeline,
    stageName: env,
    actionName: approval.actionName,
    token,
    result: {
      status: options.decision,
      summary: options.comment ?? `${options.decision} with cdk-delivery`,
    },
  });
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({
      pipeline,
      environment: env,
      action: approval.actionName,
      decision: options.decision,
      executionId,
      revision: revision.id,
      answeredAt,
    }, null, 2));
  } else {
    println(ctx.io.stdout, safeLine(`${options.decision === 'Approved' ? 'approved' : 'rejected'} ${what} in '${env}' of '${pipeline}'`));
  }
  if (options.wait && executionId) {
    return waitForStage(ctx, pipeline, env, executionId, { timeoutMs: options.timeoutMs });
  }
  return ExitCode.OK;
}
