/**
 * Helpers that read CodePipeline API shapes with the conventions of DeliveryPipeline:
 * one stage per environment (named like it), plus `Source`, `Build`, `Checks` and, with
 * `selfUpdate: true`, `UpdatePipeline`.
 */
import {
  ActionExecutionDetail,
  ActionState,
  GetPipelineStateOutput,
  PipelineExecution,
  PipelineExecutionSummary,
  StageState,
} from '@aws-sdk/client-codepipeline';
import { notFound, usageError } from './errors';
import { safeLine, truncate } from './terminal';
import { BEFORE_DEPLOYMENTS_VARIABLE, PIPELINE_STAGES, SOURCE_ACTION } from '../model/stage-names';

/** Stages that are not environments: the ones the constructs create besides the environments. */
export const NON_ENVIRONMENT_STAGES: ReadonlySet<string> = new Set(PIPELINE_STAGES);

/** Action names the constructs give to approvals (any action of category Approval counts too). */
export const APPROVAL_ACTION_NAMES = new Set(['Approve', 'ReviewChangeSet']);

const NAME_PATTERN = /^[A-Za-z0-9.@\-_]{1,100}$/;

/** Pipeline and stage names: 1-100 of letters, digits and `.@-_` (the CodePipeline rule). */
export function validateName(value: string | undefined, what: string): string {
  if (value === undefined || value === '') {
    throw usageError(`missing ${what}`);
  }
  if (!NAME_PATTERN.test(value)) {
    throw usageError(`invalid ${what} '${value}': use 1-100 letters, digits, '.', '@', '-' or '_' (no spaces)`);
  }
  return value;
}

/** The environment stages of a pipeline, in order. */
export function environmentNames(state: GetPipelineStateOutput): string[] {
  const all = (state.stageStates ?? []).map((s) => s.stageName ?? '').filter((n) => n);
  const envs = all.filter((n) => !NON_ENVIRONMENT_STAGES.has(n));
  return envs.length > 0 ? envs : all;
}

/** The stage of environment `env`, or a not-found error listing the valid environments. */
export function findStage(state: GetPipelineStateOutput, env: string, pipeline: string): StageState {
  const stage = (state.stageStates ?? []).find((s) => s.stageName === env);
  if (!stage) {
    const valid = environmentNames(state);
    throw notFound(`unknown environment '${env}' in pipeline '${pipeline}'; environments: ${valid.length ? valid.join(', ') : '(none)'}`);
  }
  return stage;
}

/**
 * The stage of environment `env`, refusing (not found) the pipeline's own stages (`Source`,
 * `Build`, `Checks`, `UpdatePipeline`), which are never measured as environments.
 */
export function findEnvironmentStage(state: GetPipelineStateOutput, env: string, pipeline: string): StageState {
  const stage = findStage(state, env, pipeline);
  if (NON_ENVIRONMENT_STAGES.has(env)) {
    const valid = (state.stageStates ?? []).map((s) => s.stageName ?? '').filter((n) => n && !NON_ENVIRONMENT_STAGES.has(n));
    throw notFound(`'${env}' in pipeline '${pipeline}' is the pipeline's own ${env} stage, not an environment; environments: ${valid.length ? valid.join(', ') : '(none)'}`);
  }
  return stage;
}

/** The approval waiting in a stage (an InProgress action holding a token), if any. */
export function pendingApproval(stage: StageState): ActionState | undefined {
  const waiting = (stage.actionStates ?? []).filter((a) => a.latestExecution?.status === 'InProgress' && a.latestExecution.token);
  return waiting.find((a) => APPROVAL_ACTION_NAMES.has(a.actionName ?? '')) ?? waiting[0];
}

export function isApproval(action: ActionExecutionDetail): boolean {
  const category = action.input?.actionTypeId?.category;
  return category ? category === 'Approval' : APPROVAL_ACTION_NAMES.has(action.actionName ?? '');
}

/** Words of an approval that ran out of time (CodePipeline fails an approval nobody answered within its timeout, 7 days at most). */
const APPROVAL_TIMEOUT = /tim(e|ed)[\s_-]*out|timeout|expired?/i;

/**
 * True for an approval that expired: CodePipeline failed it because nobody answered before its
 * timeout. It failed with an error that says so (`... timed out`, `expired`), or without a
 * principal that answered it (`updatedBy`, which a rejection always has) and without an error that
 * speaks of a rejection.
 */
export function isExpiredApproval(action: ActionExecutionDetail): boolean {
  if (!isApproval(action) || action.status !== 'Failed') return false;
  const error = action.output?.executionResult?.errorDetails;
  const text = `${error?.code ?? ''} ${error?.message ?? ''}`;
  if (APPROVAL_TIMEOUT.test(text)) return true;
  return !action.updatedBy && !/reject/i.test(text);
}

/** The variables namespaces of additional sources' actions: `SourceVariables_<name>`. */
const ADDITIONAL_SOURCE_NAMESPACE = /^SourceVariables_/;

/**
 * True for the action of the pipeline's source: the revision the pipeline delivers. The actions of
 * additional sources (`additionalSources`, their namespace `SourceVariables_<name>`) are not.
 */
export function isSource(action: ActionExecutionDetail): boolean {
  const category = action.input?.actionTypeId?.category;
  const source = category ? category === 'Source' : action.stageName === 'Source';
  return source && !ADDITIONAL_SOURCE_NAMESPACE.test(action.input?.namespace ?? '');
}

/**
 * The revision of the pipeline's source among an execution's revisions, one per source action: the
 * one of the action (or artifact) named `Source`, else the first.
 */
export function primarySourceRevision<T>(revisions: T[] | undefined, nameOf: (revision: T) => string | undefined): T | undefined {
  return revisions?.find((r) => nameOf(r) === SOURCE_ACTION) ?? revisions?.[0];
}

/**
 * The actions of a stage run that change what the environment runs: its deployments (category
 * `Deploy`: CloudFormation, CodeDeploy, ECS, Lambda...), not a CloudFormation change-set
 * preparation (`<stack>.Prepare`, action mode `CHANGE_SET_REPLACE`), which leaves the stack as it
 * is. Approvals, sources, test and invoke actions never are. CodeBuild actions (category `Build`)
 * are deploy scripts or verification commands, which CodePipeline does not tell apart: they count
 * only in a run without any deployment of category `Deploy` (an environment deployed by scripts
 * alone); otherwise they run beside or after the deployments (scripts, `runAfterDeployments`,
 * verification) and a stop that cuts them short leaves the deployments done. A deploy script with
 * `runBeforeDeployments` (its action sets CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS) never is: it runs
 * before anything deploys, and a run that ended after it (stopped, a change-set review rejected,
 * a change set that failed) deployed nothing.
 */
export function deploymentActions(actions: ActionExecutionDetail[]): ActionExecutionDetail[] {
  const category = (a: ActionExecutionDetail) => a.input?.actionTypeId?.category;
  const deploys = actions.filter((a) => !isApproval(a) && (category(a) === 'Deploy' || category(a) === undefined) && !preparesChangeSet(a));
  return deploys.length > 0 ? deploys : actions.filter((a) => category(a) === 'Build' && !runsBeforeDeployments(a));
}

/** True for the action of a deploy script with `runBeforeDeployments`: its `CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS` variable is `true`. */
export function runsBeforeDeployments(action: ActionExecutionDetail): boolean {
  const raw = action.input?.configuration?.EnvironmentVariables;
  if (!raw || !raw.includes(BEFORE_DEPLOYMENTS_VARIABLE)) return false;
  try {
    const variables: unknown = JSON.parse(raw);
    return Array.isArray(variables) && variables.some((v) => v?.name === BEFORE_DEPLOYMENTS_VARIABLE && v?.value === 'true');
  } catch {
    return false;
  }
}

/** CloudFormation action modes that only prepare a change set: the stack does not change. */
const CHANGE_SET_PREPARATION = new Set(['CHANGE_SET_REPLACE', 'CHANGE_SET_CREATE']);

/** A CloudFormation action that prepares a change set (by its action mode, else by the constructs' name `<stack>.Prepare`). */
function preparesChangeSet(action: ActionExecutionDetail): boolean {
  const provider = action.input?.actionTypeId?.provider;
  if (provider !== undefined && provider !== 'CloudFormation') return false;
  const mode = action.input?.configuration?.ActionMode;
  return mode ? CHANGE_SET_PREPARATION.has(mode) : (action.actionName ?? '').endsWith('.Prepare');
}

export function isCodeDeploy(action: ActionExecutionDetail): boolean {
  const provider = action.input?.actionTypeId?.provider ?? '';
  return action.input?.actionTypeId?.category === 'Deploy' && provider.startsWith('CodeDeploy');
}

/**
 * True for an execution of RollbackStage (execution type `ROLLBACK`, trigger `ManualRollback` /
 * `AutomatedRollback`, or rollback metadata).
 */
export function isRollbackExecution(e: PipelineExecutionSummary | PipelineExecution | undefined): boolean {
  const t = e?.trigger?.triggerType;
  return e?.executionType === 'ROLLBACK' || t === 'ManualRollback' || t === 'AutomatedRollback' ||
    !!e?.rollbackMetadata?.rollbackTargetPipelineExecutionId;
}

/** A source revision in plain words. */
export interface Revision {
  readonly id?: string;
  readonly message?: string;
  readonly author?: string;
  /** Commit time, when the source provider gives it. */
  readonly time?: Date;
  readonly url?: string;
}

/** First 7 characters of a commit id (S3 version ids and image digests are shortened the same way). */
export function shortRevision(id: string | undefined): string {
  if (!id) return '—';
  const bare = id.replace(/^sha256:/, '');
  return /^[0-9a-f]{8,}$/i.test(bare) ? bare.slice(0, 7) : bare.slice(0, 12);
}

/** Reads `CommitMessage` (and an author, when present) from a revision summary (plain or JSON). */
export function parseRevisionSummary(summary: string | undefined): { message?: string; author?: string } {
  if (!summary) return {};
  const trimmed = summary.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>;
      const str = (k: string) => (typeof parsed[k] === 'string' ? (parsed[k] as string) : undefined);
      return {
        message: str('CommitMessage') ?? str('commitMessage') ?? str('Message'),
        author: str('AuthorDisplayName') ?? str('AuthorName') ?? str('Author') ?? str('author'),
      };
    } catch {
      return { message: trimmed };
    }
  }
  return { message: trimmed };
}

/** The source revision of an execution summary (ListPipelineExecutions): the `Source` action's, else the first. */
export function revisionOfSummary(summary: PipelineExecutionSummary | undefined): Revision {
  const rev = primarySourceRevision(summary?.sourceRevisions, (r) => r.actionName);
  if (!rev) return {};
  return { id: rev.revisionId, url: rev.revisionUrl, ...parseRevisionSummary(rev.revisionSummary) };
}

/** The source revision of an execution (GetPipelineExecution): the artifact `Source`'s, else the first. */
export function revisionOfExecution(execution: PipelineExecution | undefined): Revision {
  const rev = primarySourceRevision(execution?.artifactRevisions, (r) => r.name);
  if (!rev) return {};
  return { id: rev.revisionId, url: rev.revisionUrl, time: rev.created, ...parseRevisionSummary(rev.revisionSummary) };
}

/** The revision a source action produced, from its output variables (CommitId, CommitMessage, AuthorDate...). */
export function revisionOfSourceAction(action: ActionExecutionDetail | undefined): Revision {
  if (!action) return {};
  const vars = action.output?.outputVariables ?? {};
  const date = vars.CommitterDate ?? vars.AuthorDate;
  const time = date ? new Date(date) : undefined;
  return {
    id: vars.CommitId ?? vars.ImageDigest ?? vars.VersionId ?? action.output?.executionResult?.externalExecutionId,
    message: vars.CommitMessage,
    author: vars.AuthorDisplayName ?? vars.AuthorName ?? vars.AuthorEmail,
    time: time && !isNaN(time.getTime()) ? time : undefined,
  };
}

/** Merges revision facts from several places; earlier arguments win. */
export function mergeRevisions(...revisions: Revision[]): Revision {
  const out: { -readonly [K in keyof Revision]: Revision[K] } = {};
  for (const r of revisions) {
    for (const k of Object.keys(r) as (keyof Revision)[]) {
      if (out[k] === undefined && r[k] !== undefined) {
        (out as Record<string, unknown>)[k] = r[k];
      }
    }
  }
  return out;
}

/** `abc1234 "Fix checkout" (alice)` */
export function describeRevision(rev: Revision, maxMessage = 50): string {
  if (!rev.id && !rev.message) return '—';
  const parts = [safeLine(shortRevision(rev.id))];
  if (rev.message) {
    const first = safeLine(rev.message.split(/\r?\n/)[0]);
    parts.push(`"${truncate(first, maxMessage)}"`);
  }
  if (rev.author) parts.push(`(${safeLine(rev.author)})`);
  return parts.join(' ');
}

/** Characters of a revision id: commit ids, ECR digests (`sha256:...`), S3 version ids. */
const REVISION_CHARS = /^[A-Za-z0-9._+/=:-]+$/;
const HEX = /^[0-9a-f]+$/i;

/** A revision id without its `sha256:` prefix (ECR digests). */
function bareRevision(id: string): string {
  return id.replace(/^sha256:/i, '');
}

/**
 * Checks a `--revision` value: a commit id, an ECR digest (with or without `sha256:`) or an S3
 * version id, in full or abbreviated to at least 4 characters (without the `sha256:` prefix).
 * Returns an error message, or undefined when the value is usable.
 */
export function revisionArgumentProblem(value: string): string | undefined {
  if (!REVISION_CHARS.test(value)) {
    return `--revision must be a commit id, image digest or S3 version id (letters, digits and . _ + / = : -), got '${value}'`;
  }
  if (bareRevision(value).length < 4) {
    return `--revision must be at least 4 characters of a commit id or image digest (after 'sha256:'), got '${value}'`;
  }
  return undefined;
}

/**
 * True when `prefix` abbreviates `id` (or equals it). A `sha256:` prefix is ignored on both sides;
 * at least 4 characters must remain. Hex ids (commits, digests) compare in any case; other ids (S3
 * version ids) are case-sensitive.
 */
export function revisionMatches(prefix: string, id: string | undefined): boolean {
  if (!id) return false;
  const given = bareRevision(prefix);
  const actual = bareRevision(id);
  if (given.length < 4) return false;
  return HEX.test(given) && HEX.test(actual)
    ? actual.toLowerCase().startsWith(given.toLowerCase())
    : actual.startsWith(given);
}

/** Status of one stage in one pipeline execution, from its action executions. */
/** `Rejected`: an approval of the run was rejected; `Expired`: nobody answered it in time (and none was rejected). */
export type StageRunStatus = 'Succeeded' | 'Failed' | 'InProgress' | 'Abandoned' | 'Rejected' | 'Expired';

/** One stage of one pipeline execution, rebuilt from ListActionExecutions. */
export interface StageRun {
  readonly executionId: string;
  readonly stageName: string;
  readonly status: StageRunStatus;
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** All actions of the run, retried attempts included, newest first. */
  readonly actions: ActionExecutionDetail[];
  /** The latest attempt of each approval. */
  readonly approvals: ActionExecutionDetail[];
  /** The latest attempt of each action other than approvals (deployments, verification...). */
  readonly work: ActionExecutionDetail[];
  /**
   * True when an action failed and was retried (RetryStageExecution runs it again in the same
   * pipeline execution): the run's status is the result of the retry.
   */
  readonly failedBeforeRetry: boolean;
}

function statusOf(actions: ActionExecutionDetail[]): StageRunStatus {
  const has = (s: string) => actions.some((a) => a.status === s);
  if (has('Failed')) return 'Failed';
  if (has('InProgress')) return 'InProgress';
  if (has('Abandoned')) return 'Abandoned';
  // a status this CLI does not know (one AWS adds later) is no success: the run neither deployed nor failed
  return actions.every((a) => a.status === 'Succeeded') ? 'Succeeded' : 'Abandoned';
}

/**
 * The status of a stage run from the latest attempt of each of its actions: that of its work
 * (deployments, verification...), unless none of the work failed or still runs and an approval of
 * the run failed or waits. A rejected (or expired) approval ends the stage: the work after it never
 * runs, and the work before it (a `<stack>.Prepare`, the stacks of an earlier level) delivered no
 * release, so the run is `Rejected` (`Expired` when every approval that failed ran out of time),
 * never `Succeeded`; one with an approval waiting (a change-set review after `<stack>.Prepare`) is
 * `InProgress`.
 */
function runStatus(work: ActionExecutionDetail[], approvals: ActionExecutionDetail[]): StageRunStatus {
  const workStatus = work.length > 0 ? statusOf(work) : undefined;
  if (workStatus === 'Failed' || workStatus === 'InProgress') return workStatus;
  const failed = approvals.filter((a) => a.status === 'Failed');
  if (failed.length > 0) return failed.every(isExpiredApproval) ? 'Expired' : 'Rejected';
  if (approvals.some((a) => a.status === 'InProgress')) return 'InProgress';
  return workStatus ?? statusOf(approvals);
}

/** Groups action executions into stage runs, newest first. */
export function stageRuns(actions: ActionExecutionDetail[]): StageRun[] {
  const groups = new Map<string, ActionExecutionDetail[]>();
  for (const a of actions) {
    const key = `${a.pipelineExecutionId}\u0000${a.stageName}`;
    const list = groups.get(key) ?? [];
    list.push(a);
    groups.set(key, list);
  }
  const runs: StageRun[] = [];
  for (const list of groups.values()) {
    // A retried stage (RetryStageExecution) runs its failed actions again in the same pipeline
    // execution: each action's latest attempt decides the run's status.
    const newestFirst = [...list].sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
    const seen = new Set<string>();
    const latest = newestFirst.filter((a) => !seen.has(a.actionName ?? '') && !!seen.add(a.actionName ?? ''));
    const approvals = latest.filter(isApproval);
    const work = latest.filter((a) => !isApproval(a));
    const status = runStatus(work, approvals);
    const starts = list.map((a) => a.startTime?.getTime()).filter((t): t is number => t !== undefined);
    const ends = list.map((a) => a.lastUpdateTime?.getTime()).filter((t): t is number => t !== undefined);
    runs.push({
      executionId: list[0].pipelineExecutionId ?? '',
      stageName: list[0].stageName ?? '',
      status,
      startTime: starts.length ? new Date(Math.min(...starts)) : undefined,
      endTime: status === 'InProgress' || !ends.length ? undefined : new Date(Math.max(...ends)),
      actions: list,
      approvals,
      work,
      failedBeforeRetry: list.some((a) => a.status === 'Failed' && !latest.includes(a)),
    });
  }
  return runs.sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
}

/** The names of a stage's actions (GetPipelineState: the pipeline's current structure). */
export function stageActionNames(stage: StageState): string[] {
  return (stage.actionStates ?? []).map((a) => a.actionName ?? '').filter((name) => name);
}

/** The pipeline version a stage run executed (ListActionExecutions gives it for each action execution). */
export function pipelineVersionOf(run: StageRun): number | undefined {
  return run.actions.find((a) => a.pipelineVersion !== undefined)?.pipelineVersion;
}

/**
 * The actions of a stage (`stageActions`, their names) that a stage run did not run to success,
 * approvals aside. A run whose started actions all succeeded can still have stopped before its
 * later actions: an execution stopped with "stop and wait" while its approval waited ends the stage
 * once the approval is answered, without starting the deployment after it (likewise between run
 * orders, e.g. after `<stack>.Prepare`). Empty when the stage lists no actions.
 */
export function actionsNotRun(run: StageRun, stageActions: readonly string[]): string[] {
  const approvals = new Set(run.approvals.map((a) => a.actionName ?? ''));
  const succeeded = new Set(run.work.filter((a) => a.status === 'Succeeded').map((a) => a.actionName ?? ''));
  return stageActions.filter((name) => name && !APPROVAL_ACTION_NAMES.has(name) && !approvals.has(name) && !succeeded.has(name));
}

/**
 * Execution statuses that end a stage before its later actions: stopped, or cancelled (CodePipeline
 * cancels an execution when the pipeline is updated before it completes; it starts no further action).
 */
const CUT_SHORT = new Set(['Stopped', 'Cancelled']);

/** Execution statuses that can leave a stage half run: stopped or cancelled, being stopped, or still running. */
const HALF_RUN_POSSIBLE = new Set([...CUT_SHORT, 'Stopping', 'InProgress']);

/**
 * True when a run's result depends on the actions its stage had: every action it started
 * succeeded (its approvals included: a run with a rejected or expired approval is `Rejected` or
 * `Expired`), and its execution was stopped, cancelled by an update of the pipeline, or still runs,
 * so it may have ended (or not yet gone on) before its stage's later actions. A run of an execution
 * that succeeded ran the whole stage, one that failed with every action of this stage succeeded
 * failed in a later stage, and a superseded one was replaced between stages.
 */
export function mayBeHalfRun(run: StageRun, executionStatus: string | undefined): boolean {
  return run.status === 'Succeeded' && HALF_RUN_POSSIBLE.has(executionStatus ?? '');
}

/**
 * True for a stage run that deployed though it ended early (stopped, or ended by a rejected or
 * expired approval): no action of it failed, every deployment action that ran succeeded, and at
 * least one did (approvals, change-set preparations and test actions are no deployment). "Stop and
 * wait" lets the deployment in progress finish, and a change-set review of a later wave is rejected
 * after the earlier waves deployed: the stack then runs the run's revision, whatever later actions
 * (verification, a next run order) did not run. A run that ended before any deployment action
 * succeeded (while its approval waited, or after `<stack>.Prepare`) deployed nothing.
 */
export function deployedBeforeStop(run: StageRun): boolean {
  return !run.work.some((a) => a.status === 'Failed') && deployedBeforeFailure(run);
}

/**
 * True for a stage run whose deployments all succeeded, at least one of them, whatever failed after
 * them (a verification action, or the alarms watched after the deployments): the stacks run its
 * revision. A deployment that failed (CloudFormation rolled the stack back, CodeDeploy rolled back)
 * left the environment as it was.
 */
export function deployedBeforeFailure(run: StageRun): boolean {
  const deployments = deploymentActions(run.work);
  return deployments.length > 0 && deployments.every((a) => a.status === 'Succeeded');
}

/**
 * The result of a stage run, as `history --env` and `metrics` report it. A run whose
 * started actions all succeeded but that did not run every action its stage had (`stageActions`:
 * those of the pipeline version the run executed, see StageStructures), approvals aside, while its
 * execution was stopped, cancelled or still runs, delivered nothing: an execution stopped with "stop
 * and wait" (or cancelled by an update of the pipeline) while an approval waited, or between run
 * orders (after `<stack>.Prepare`, before `<stack>.Deploy`), leaves it `Abandoned`; one still
 * running (or being stopped) between them leaves it `InProgress`. Without `stageActions` (a stage
 * the pipeline no longer has), the run's own status. A run whose approval was rejected (or expired)
 * after a deployment action of it succeeded (a change-set review of a later wave) is partially
 * deployed, read like a stop after deploying: `Abandoned`; only one rejected before any deployment
 * succeeded, which delivered nothing, is `Rejected` (`Expired`). A run whose actions all succeeded
 * while its stage still runs it (`stage`, GetPipelineState: its latest execution, `InProgress` or
 * `Stopping`) is `InProgress`: the alarms watched after the deployments (the stage's success
 * conditions) may still fail it, or a later run order has not started yet.
 */
export function stageRunResult(run: StageRun, executionStatus: string | undefined, stageActions: readonly string[] | undefined,
  stage?: StageState): StageRunStatus {
  if ((run.status === 'Rejected' || run.status === 'Expired') && deployedBeforeStop(run)) return 'Abandoned';
  if (run.status === 'Succeeded' && stillRuns(run, stage)) return 'InProgress';
  if (!mayBeHalfRun(run, executionStatus) || !stageActions || actionsNotRun(run, stageActions).length === 0) return run.status;
  return CUT_SHORT.has(executionStatus ?? '') ? 'Abandoned' : 'InProgress';
}

/** True when GetPipelineState's `stage` still runs `run`: its latest execution is the run's, in progress or being stopped. */
function stillRuns(run: StageRun, stage: StageState | undefined): boolean {
  const latest = stage?.latestExecution;
  return latest?.pipelineExecutionId === run.executionId && (latest.status === 'InProgress' || latest.status === 'Stopping');
}

/** The principal that answered an approval, shortened: `arn:aws:sts::1:assumed-role/R/alice` -> `alice`. */
export function shortPrincipal(arn: string | undefined): string {
  if (!arn) return '—';
  const slash = arn.lastIndexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}

/** The first error message of a failed run or action. */
export function failureMessage(actions: ActionExecutionDetail[]): string | undefined {
  const failed = actions.find((a) => a.status === 'Failed');
  if (!failed) return undefined;
  const err = failed.output?.executionResult?.errorDetails;
  const text = err?.message ?? failed.output?.executionResult?.externalExecutionSummary;
  return `${failed.actionName}${text ? `: ${text}` : ''}`;
}
