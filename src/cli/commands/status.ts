import { ActionExecutionDetail, GetPipelineStateOutput, PipelineExecutionSummary, RuleExecutionDetail, StageState } from '@aws-sdk/client-codepipeline';
import Table from 'cli-table3';
import pc from 'picocolors';
import { mapLimit } from '../aws';
import { conditionFailure, conditionsChecked, CONDITION_KINDS, failedRuleRuns, stageConditions, StageConditionsStatus, StageRetries } from '../conditions';
import { CommandContext } from '../context';
import { ago, formatDuration, formatTime } from '../duration';
import { CliError, ExitCode } from '../errors';
import { println, useColor } from '../io';
import {
  actionsNotRun, deployedBeforeFailure, deployedBeforeStop, deploymentActions, describeRevision, failureMessage, isApproval,
  isRollbackExecution, isSource, mergeRevisions, NON_ENVIRONMENT_STAGES, pendingApproval, Revision, revisionOfExecution,
  revisionOfSourceAction, revisionOfSummary, stageActionNames, StageRun, stageRuns, validateName,
} from '../pipeline-model';
import { StageStructures } from '../stage-structures';
import { safeLine } from '../terminal';
import { describeFreeze, InboundTransition, inboundTransition } from './freeze';

export interface StatusOptions {
  readonly pipeline: string;
  readonly json?: boolean;
  /** Refresh every this many seconds. */
  readonly watch?: number;
}

export interface PendingApproval {
  readonly actionName: string;
  readonly executionId?: string;
  readonly revision: Revision;
  readonly since?: Date;
}

/** A rollback execution (RollbackStage, or the automatic rollback of a stage that failed). */
export interface RollbackInfo {
  /** The execution whose revision the rollback restores (rollbackMetadata), when CodePipeline gives it. */
  readonly targetExecutionId?: string;
  /** `ManualRollback` or `AutomatedRollback`, when CodePipeline gives it. */
  readonly trigger?: string;
}

/** What `status` knows about one stage. */
export interface EnvironmentStatus {
  readonly name: string;
  readonly environment: boolean;
  /** The stage's latest execution (GetPipelineState); absent when no execution reached the stage yet. */
  readonly latestExecution?: { executionId: string; status?: string };
  /**
   * What runs in the stage; after a rollback, `revision` is the one the rollback restored.
   * `stoppedAfterDeploying`: the run was stopped (StopPipelineExecution) after its deployment
   * actions succeeded, so the stage did not end normally; `notRun` lists the stage's actions it did
   * not run to success (verification, a later run order), when there are any.
   * `approvalAfterDeploying`: an approval of the run (a change-set review of a later wave) was
   * rejected or expired after deployment actions of it succeeded: the stage is partially deployed,
   * read like a stop after deploying, with `notRun`.
   * `failedAfterDeploying`: the stage's latest execution failed after its deployments succeeded (a
   * verification action failed, or the alarms watched after the deployments): the stacks run it,
   * `at` the end of its deployments; `lastFailure` says what failed.
   */
  readonly deployed?: {
    executionId: string;
    revision: Revision;
    at?: Date;
    rollback?: RollbackInfo;
    stoppedAfterDeploying?: boolean;
    notRun?: string[];
    approvalAfterDeploying?: { action: string; decision: 'rejected' | 'expired' };
    failedAfterDeploying?: boolean;
  };
  /**
   * With `rollback`: the stage is being rolled back, to `revision`. With `stopping`: the execution
   * is being stopped (stop and wait): the actions in progress finish, no other starts.
   */
  readonly inProgress?: { executionId: string; revision: Revision; actions: string[]; since?: Date; rollback?: RollbackInfo; stopping?: boolean };
  /**
   * Every execution in progress in the stage, the newest first (one whose run has no action yet,
   * still checking the stage's entry conditions, first): at most the stage's latest
   * (`inProgress`, which it includes), except in PARALLEL execution mode, where several executions
   * run in a stage at once and GetPipelineState shows only the latest. The others are read from the
   * action executions (see fetchStatus): each is in the stage of its newest run, doing what that
   * run's actions do (`actions`: those running; `awaitingApproval`; `actionsDone`: every action of
   * the run ended, and the execution goes on: the stage's success conditions, the bake time, or its
   * way into the next stage).
   */
  readonly inProgressExecutions: InProgressExecution[];
  /** The approval waiting in the stage (the newest, when several executions wait in PARALLEL mode). */
  readonly pendingApproval?: PendingApproval;
  /** Every approval waiting in the stage: at most one, except in PARALLEL mode. */
  readonly pendingApprovals: PendingApproval[];
  readonly lastFailure?: { executionId: string; at?: Date; message?: string };
  /**
   * The stage's latest execution was stopped (StopPipelineExecution) while in it, or is being
   * stopped: what it carried, when the stage last changed and the reason given. The stage runs
   * `deployed`: an earlier release, or this one when it deployed before the stop took effect
   * (`deployed.stoppedAfterDeploying`).
   */
  readonly stopped?: { executionId: string; status: 'Stopped' | 'Stopping'; revision: Revision; at?: Date; reason?: string };
  readonly queued: number;
  /**
   * The stage's inbound transition (GetPipelineState's `inboundTransitionState`); `enabled: false`
   * while the environment is frozen (`cdk-delivery freeze`). Absent for the first stage.
   */
  readonly inboundTransition?: InboundTransition;
  /**
   * The latest run of the stage's conditions, by kind; absent when none ran. GetPipelineState does
   * not say which execution ran them: a kind that did not run for the stage's latest execution
   * (`latestExecution`) shows an earlier execution's run (the success conditions of the release
   * before one whose deployment failed), and one shown in progress while that execution no longer
   * runs is not being checked.
   */
  readonly conditions?: StageConditionsStatus;
  /** The retries of the stage's latest execution, when it was retried. */
  readonly retries?: StageRetries;
}

/** An execution in progress in a stage (EnvironmentStatus.inProgressExecutions). */
export interface InProgressExecution {
  readonly executionId: string;
  readonly revision: Revision;
  /** The actions of the stage running for it. */
  readonly actions: string[];
  /** When its run of the stage started. */
  readonly since?: Date;
  /** An approval of its run waits (listed in `pendingApprovals` too). */
  readonly awaitingApproval?: boolean;
  /** Every action of its run ended; the execution goes on (success conditions, or into the next stage). */
  readonly actionsDone?: boolean;
  /** The execution is being stopped (stop and wait). */
  readonly stopping?: boolean;
  /** A rollback execution, for the stage's latest (`inProgress.rollback`). */
  readonly rollback?: RollbackInfo;
}

export interface PipelineStatus {
  readonly pipeline: string;
  readonly refreshedAt: Date;
  /**
   * Set when the action history read does not reach back to the pipeline's first execution: the
   * start of the oldest action execution read. A stage without `lastFailure` (or without `deployed`)
   * had none since then; older history was not read (`cdk-delivery history --env` reads it).
   */
  readonly historyReadSince?: Date;
  /**
   * Executions in progress in PARALLEL mode that no stage shows: their actions were neither among
   * the pages read nor in the newest page of their own listing (more than PARALLEL_LOOKUPS to read
   * one by one). Absent when there is none.
   */
  readonly executionsNotLocated?: string[];
  readonly environments: EnvironmentStatus[];
}

/** Action executions per ListActionExecutions page (the API maximum). */
const STATUS_PAGE_SIZE = 100;
/** Pages read at most to find what a stage whose latest execution did not succeed has deployed. */
export const STATUS_MAX_PAGES = 10;

/**
 * Executions in progress in PARALLEL mode whose actions the pages read do not list, read one by one
 * (one page of ListActionExecutions filtered on each) per refresh at most.
 */
export const PARALLEL_LOOKUPS = 10;

/** Concurrent look-ups of those executions. */
const PARALLEL_CONCURRENCY = 4;

/** What one status read fetched. */
interface StatusData {
  readonly state: GetPipelineStateOutput;
  readonly byId: Map<string | undefined, PipelineExecutionSummary>;
  readonly actions: ActionExecutionDetail[];
  /** Revisions read with GetPipelineExecution, by execution id. */
  readonly looked: Map<string, Revision>;
  /** The actions a run's stage had in the pipeline version it executed. */
  readonly actionsOf: (run: StageRun) => readonly string[];
  /**
   * By stage, the run of the rule that failed the condition it shows (ListRuleExecutions, RuleRuns),
   * read only when its latest execution does not explain it: an alarm that rolled it back.
   */
  readonly ruleFailures?: Map<string, { readonly executionId: string; readonly at?: Date }>;
  /**
   * By stage name, the runs of the executions in progress in PARALLEL mode that are in the stage
   * (their newest run, by pipeline order), but for those GetPipelineState shows in progress as a
   * stage's latest execution.
   */
  readonly parallelRuns: Map<string, StageRun[]>;
}

/** What runs in a stage: the stage run that deployed it, and how that run ended. */
interface DeployedRun {
  readonly run: StageRun;
  /** The run was stopped (StopPipelineExecution) after its deployment actions succeeded. */
  readonly stopped: boolean;
  /** The actions of the stage that the run did not run to success (approvals aside): cut short by the stop. */
  readonly notRun: string[];
  /** The approval rejected (or expired) after deployment actions of the run succeeded, which ended the stage. */
  readonly approval?: { readonly action: string; readonly decision: 'rejected' | 'expired' };
  /** The stage's latest execution, failed after its deployments succeeded (its verification, or its success conditions). */
  readonly failed?: boolean;
}

/** Statuses of an execution (or a stage's latest execution) being stopped, or stopped. */
const STOPPED = new Set(['Stopped', 'Stopping']);

/**
 * Statuses of an execution (or a stage's latest execution) that ended a stage before its later
 * actions: stopped (or being stopped), or cancelled because the pipeline was updated before the
 * execution completed (CodePipeline starts no further action of it, as after a stop).
 */
const CUT_SHORT = new Set([...STOPPED, 'Cancelled']);


/**
 * The stage run `status` shows as deployed: the newest that succeeded and deployed, or that was
 * stopped after deploying (deployedBeforeStop). Not the run of the stage's latest execution while
 * GetPipelineState says it still runs or failed (its next actions have not started yet), nor a
 * run whose execution was stopped before any deployment action of it succeeded. An execution
 * cancelled by an update of the pipeline (`Cancelled`) is read like a stopped one, without the
 * `stoppedAfterDeploying` mark. A run whose execution was neither stopped nor cancelled ran the
 * whole stage (a superseded execution is replaced between stages, and one that failed elsewhere
 * went on after this stage). A stopped or cancelled run is compared with the actions its stage had
 * in the pipeline version it executed (`actionsOf`, StageStructures).
 */
function deployedRun(stage: StageState, runs: StageRun[], byId: Map<string | undefined, PipelineExecutionSummary>,
  actionsOf: (run: StageRun) => readonly string[]): DeployedRun | undefined {
  const latest = stage.latestExecution;
  for (const r of runs) {
    if (r.stageName !== stage.stageName) continue;
    const isLatest = r.executionId === latest?.pipelineExecutionId;
    // a review rejected (or expired) after a deployment of the run succeeded ends the stage partially deployed, as a stop after deploying does
    if ((r.status === 'Rejected' || r.status === 'Expired') && deployedBeforeStop(r)) {
      const failed = r.approvals.find((a) => a.status === 'Failed');
      return {
        run: r,
        stopped: false,
        notRun: actionsNotRun(r, actionsOf(r)),
        approval: { action: failed?.actionName ?? 'Approval', decision: r.status === 'Expired' ? 'expired' : 'rejected' },
      };
    }
    // the stage's own status says whether its latest run was stopped (or cancelled); an older run's execution status says whether it may have been
    const status = (isLatest ? latest?.status : byId.get(r.executionId)?.status) ?? '';
    const cutShort = CUT_SHORT.has(status);
    // failed after its deployments succeeded (a verification action, the alarms watched after them): the stacks run it
    if (isLatest && latest?.status === 'Failed' && deployedBeforeFailure(r)) return { run: r, stopped: false, notRun: [], failed: true };
    if (isLatest && !cutShort && latest?.status !== 'Succeeded') continue;
    if (!cutShort) {
      // ran the whole stage; an execution older than the lists read, or a stage that changed since: a run that deployed counts
      if (r.status === 'Succeeded' && (deploymentActions(r.work).length > 0 || actionsNotRun(r, stageActionNames(stage)).length === 0)) {
        return { run: r, stopped: false, notRun: [] };
      }
      continue;
    }
    const notRun = actionsNotRun(r, actionsOf(r));
    // marked as stopped only for a stop (StopPipelineExecution); a cancelled run is judged the same way, unmarked
    const stopped = STOPPED.has(status);
    // ran the whole stage before the stop; an older execution stopped in a later stage was not stopped here
    if (r.status === 'Succeeded' && notRun.length === 0) return { run: r, stopped: stopped && isLatest, notRun };
    if (deployedBeforeStop(r)) return { run: r, stopped, notRun };
  }
  return undefined;
}

/**
 * True when an execution among `items` went through the pipeline without running `stage`: it ran
 * the pipeline's source (a rollback execution runs one stage, no source), no action of `stage`, and
 * it succeeded or ran a stage after `stage` (`order`: the stages in pipeline order). `stage` did
 * not exist in the pipeline version it ran (the pipelines of DeliveryPipeline skip no stage), so
 * every run of the stage is newer than it: older history holds no deployment of the stage (a stage
 * removed and added again starts over).
 */
function wentThroughWithout(stage: string, items: ActionExecutionDetail[], byId: Map<string | undefined, PipelineExecutionSummary>,
  order: string[]): boolean {
  const later = new Set(order.slice(order.indexOf(stage) + 1));
  const stagesRun = new Map<string, Set<string>>();
  const started = new Set<string>();
  for (const a of items) {
    const id = a.pipelineExecutionId ?? '';
    const stages = stagesRun.get(id) ?? new Set<string>();
    stages.add(a.stageName ?? '');
    stagesRun.set(id, stages);
    if (isSource(a)) started.add(id);
  }
  return [...started].some((id) => {
    const stages = stagesRun.get(id)!;
    return !stages.has(stage) && (byId.get(id)?.status === 'Succeeded' || [...stages].some((s) => later.has(s)));
  });
}

/**
 * Reads the status of every stage with three API calls, whatever the number of environments:
 * GetPipelineState, one page of ListPipelineExecutions and one page of ListActionExecutions. When a
 * stage whose latest execution did not succeed has no deployed run in that page, the action
 * executions are read on, page after page from where the last one ended, up to STATUS_MAX_PAGES
 * pages in all, until every such stage has one or the pages read reach back before the stage
 * existed (wentThroughWithout: an execution went through the pipeline without it). When a stage
 * shows a rollback whose revision none of these list (its target is older than the pages read),
 * GetPipelineExecution reads the target: one call per such rollback. A run stopped in an earlier
 * pipeline version than the current one is compared with that version's stage: one GetPipeline
 * per such version, read once per command (`structures`, kept across `--watch` refreshes). A
 * stage showing a failed condition that its latest execution did not fail (an alarm that rolled it
 * back) costs ListRuleExecutions pages, read once per command (`rules`, RuleRuns). In PARALLEL
 * mode, an execution in progress whose actions the pages read do not list costs one filtered
 * ListActionExecutions page, at most PARALLEL_LOOKUPS per refresh (inProgressInParallel).
 *
 * The last failure of a stage is taken from what was read for the rest, and no more pages are
 * read to find one: a stage that never failed would make every refresh (`--watch`) read all
 * STATUS_MAX_PAGES pages, ten times the calls of a status, for a failure that is older than the
 * last page of action history, which `history --env` shows in full. When the history read stops
 * short of the first execution, `historyReadSince` says how far back it reaches, and the table
 * says "none in the last <duration>" instead of implying that the stage never failed.
 */
export async function fetchStatus(ctx: CommandContext, pipeline: string,
  structures: StageStructures = new StageStructures(ctx, pipeline), rules: RuleRuns = new RuleRuns(ctx, pipeline)): Promise<PipelineStatus> {
  let more = false;
  const onEnd = (m: boolean) => { more = m; };
  const reading = ctx.api.getPipelineState(pipeline);
  const listing = ctx.api.listPipelineExecutions(pipeline, { maxPages: 1 });
  // Stages whose latest execution did not succeed show the newest deployed run. With many
  // environments or several executions in flight, it can be older than one page: read on, from
  // where the pages read end, while a stage still lacks one and existed before what was read.
  const missing = async (items: ActionExecutionDetail[]) => {
    const [state, executions] = await Promise.all([reading, listing]);
    const byId = new Map(executions.map((e) => [e.pipelineExecutionId, e]));
    const stages = state.stageStates ?? [];
    const order = stages.map((s) => s.stageName ?? '');
    const runs = stageRuns(items);
    const actionsOf = (run: StageRun) => structures.actionsFor(run, state) ?? [];
    return structures.settle(() => stages.filter((s) => s.latestExecution?.pipelineExecutionId && s.latestExecution.status !== 'Succeeded'
      && !deployedRun(s, runs, byId, actionsOf) && !wentThroughWithout(s.stageName ?? '', items, byId, order)));
  };
  const [state, executions, actions] = await Promise.all([
    reading,
    listing,
    // a page may hold fewer items than asked for and still have more after it: the token decides
    ctx.api.listActionExecutions(pipeline, {
      maxPages: STATUS_MAX_PAGES, pageSize: STATUS_PAGE_SIZE, stopWhen: async (items) => (await missing(items)).length === 0, onEnd,
    }),
  ]);
  const byId = new Map(executions.map((e) => [e.pipelineExecutionId, e]));
  const { parallelRuns, notLocated } = await inProgressInParallel(ctx, pipeline, state, executions, actions);
  const data: StatusData = {
    state,
    byId,
    actions,
    looked: new Map(),
    actionsOf: (run) => structures.actionsFor(run, state) ?? [],
    ruleFailures: await rules.failures(state),
    parallelRuns,
  };
  let environments = await structures.settle(() => (state.stageStates ?? []).map((s) => stageStatus(s, data)));
  // The revision of an execution older than the pages read (its source action and summary not
  // among them), or of a rollback, which runs no source action: read the execution (a rollback's
  // target) when no list gave it. At most two calls per environment, usually none.
  const unknown = new Set<string>();
  for (const env of environments) {
    for (const shown of [env.deployed, env.inProgress, env.stopped]) {
      if (shown && !shown.revision.id) unknown.add(('rollback' in shown ? shown.rollback?.targetExecutionId : undefined) ?? shown.executionId);
    }
  }
  if (unknown.size > 0) {
    await Promise.all([...unknown].map(async (id) => {
      // an execution older than CodePipeline's history shows without its revision
      const execution = await ctx.api.findPipelineExecution(pipeline, id);
      if (execution) data.looked.set(id, revisionOfExecution(execution));
    }));
    environments = (state.stageStates ?? []).map((s) => stageStatus(s, data));
  }
  const starts = actions.map((a) => a.startTime?.getTime()).filter((t): t is number => t !== undefined);
  return {
    pipeline,
    refreshedAt: ctx.io.now(),
    historyReadSince: more && starts.length ? new Date(Math.min(...starts)) : undefined,
    ...(notLocated.length ? { executionsNotLocated: notLocated } : {}),
    environments,
  };
}

/** Where inProgressInParallel found the executions in progress in PARALLEL mode. */
interface ParallelRuns {
  /** By stage name, the newest run of each execution in progress in it. */
  readonly parallelRuns: Map<string, StageRun[]>;
  /** The executions in progress whose actions were not found. */
  readonly notLocated: string[];
}

/**
 * Where the executions in progress in PARALLEL mode are, beyond the stages' latest executions
 * (GetPipelineState shows one execution per stage). The executions are those of the page of
 * ListPipelineExecutions read (the newest 100) in progress (or being stopped) in PARALLEL mode
 * (each execution's `executionMode`); each is in the stage of its newest run (by pipeline order)
 * among the action executions read. One whose actions the pages read do not list (an approval that
 * has waited long, with many executions since) costs one ListActionExecutions page filtered on it
 * (its newest 100 action executions), at most PARALLEL_LOOKUPS per refresh, 4 at a time; the others
 * are `notLocated`. An execution GetPipelineState shows in progress as a stage's latest execution is
 * shown there (`inProgress`), not again. Other modes: no call, no run.
 */
async function inProgressInParallel(ctx: CommandContext, pipeline: string, state: GetPipelineStateOutput,
  executions: PipelineExecutionSummary[], actions: ActionExecutionDetail[]): Promise<ParallelRuns> {
  const parallelRuns = new Map<string, StageRun[]>();
  const shownByState = new Set((state.stageStates ?? [])
    .filter((s) => s.latestExecution?.status === 'InProgress' || s.latestExecution?.status === 'Stopping')
    .map((s) => s.latestExecution?.pipelineExecutionId));
  const running = executions.filter((e) => e.executionMode === 'PARALLEL' && (e.status === 'InProgress' || e.status === 'Stopping')
    && e.pipelineExecutionId && !shownByState.has(e.pipelineExecutionId)).map((e) => e.pipelineExecutionId!);
  if (running.length === 0) return { parallelRuns, notLocated: [] };
  const listed = new Set(actions.map((a) => a.pipelineExecutionId));
  const unlisted = running.filter((id) => !listed.has(id));
  const read = await mapLimit(unlisted.slice(0, PARALLEL_LOOKUPS), PARALLEL_CONCURRENCY,
    (id) => ctx.api.listActionExecutions(pipeline, { pipelineExecutionId: id, maxPages: 1 }));
  const wanted = new Set(running);
  const own = [...actions, ...read.flat()].filter((a) => wanted.has(a.pipelineExecutionId ?? ''));
  const order = (state.stageStates ?? []).map((s) => s.stageName ?? '');
  const newest = new Map<string, StageRun>();
  for (const run of stageRuns(own)) {
    const known = newest.get(run.executionId);
    if (!known || order.indexOf(run.stageName) > order.indexOf(known.stageName)) newest.set(run.executionId, run);
  }
  for (const run of newest.values()) parallelRuns.set(run.stageName, [...parallelRuns.get(run.stageName) ?? [], run]);
  return { parallelRuns, notLocated: running.filter((id) => !newest.has(id)) };
}

/** Pages of ListRuleExecutions (100 rule runs each) one refresh of `status` reads at most. */
export const STATUS_RULE_PAGES = 3;

/** The run of a rule that failed: the execution it failed, and when. */
interface FailedRuleRun {
  readonly executionId: string;
  readonly at?: Date;
}

/**
 * The execution that a failed condition of a stage failed, read with ListRuleExecutions only when
 * a stage shows a failed condition while its latest execution did not fail: the alarm watched after
 * the deployments that rolled it back (the rollback execution is then the latest), whose execution
 * GetPipelineState does not name. Otherwise no call. The failed rules' runs are matched by id
 * (GetPipelineState's `ruleExecutionId`), not by the order of the list, which CodePipeline does not
 * document; pages are read until each such stage has its run, up to STATUS_RULE_PAGES. A run's
 * execution never changes: one found is kept for the command (every refresh of `--watch`). Access
 * denied (a grant of an earlier version of this library, without `codepipeline:ListRuleExecutions`)
 * is a warning, once, after which the last failure is the action history's, with no more calls.
 */
export class RuleRuns {
  /** By ruleExecutionId. */
  private readonly found = new Map<string, FailedRuleRun>();
  private denied = false;

  constructor(private readonly ctx: CommandContext, private readonly pipeline: string) {}

  /** By stage name, the run of the failed condition it shows; undefined when no stage needs one. */
  public async failures(state: GetPipelineStateOutput): Promise<Map<string, FailedRuleRun> | undefined> {
    const wanted = (state.stageStates ?? [])
      .filter((s) => s.latestExecution?.status !== 'Failed' && conditionFailure(s.stageName ?? '', stageConditions(s)) !== undefined)
      .map((s) => ({ stage: s.stageName ?? '', rules: failedRuleRuns(s) }))
      .filter((w) => w.rules.length > 0);
    if (wanted.length === 0) return undefined;
    const known = (w: typeof wanted[number]) => w.rules.some((r) => r.ruleExecutionId && this.found.has(r.ruleExecutionId));
    const unknown = wanted.filter((w) => !known(w));
    const byName = new Map<string, FailedRuleRun>();
    if (unknown.length > 0 && !this.denied) {
      const ids = new Set(unknown.flatMap((w) => w.rules.map((r) => r.ruleExecutionId)).filter((id): id is string => !!id));
      let runs: RuleExecutionDetail[] = [];
      try {
        runs = await this.ctx.api.listRuleExecutions(this.pipeline, {
          maxPages: STATUS_RULE_PAGES,
          // a stage whose rules GetPipelineState gives without ids does not make it read on
          stopWhen: (items) => unknown.every((w) => w.rules.every((r) => !r.ruleExecutionId)
            || items.some((i) => i.ruleExecutionId && w.rules.some((r) => r.ruleExecutionId === i.ruleExecutionId))),
        });
      } catch (e) {
        if (!(e instanceof CliError) || e.exitCode !== ExitCode.ACCESS_DENIED) throw e;
        this.denied = true;
        println(this.ctx.io.stderr, safeLine(`cdk-delivery: warning: ${e.message}; the last failure of ${unknown.map((w) => w.stage).join(', ')} `
          + 'is the one in the action history, not the failed condition that rolled it back (grantRead, grantOperate and grantApprove '
          + 'of this version of cdk-delivery-pipeline include that permission: deploy the pipeline\'s stack again)'));
      }
      const time = (r: RuleExecutionDetail) => (r.lastUpdateTime ?? r.startTime)?.getTime() ?? 0;
      for (const r of runs) {
        if (r.ruleExecutionId && ids.has(r.ruleExecutionId) && r.pipelineExecutionId) {
          this.found.set(r.ruleExecutionId, { executionId: r.pipelineExecutionId, at: r.lastUpdateTime ?? r.startTime });
        }
      }
      // without ids (not seen from CodePipeline): the newest failed run of the stage's failed rules, by time
      for (const w of unknown.filter((u) => u.rules.every((r) => !r.ruleExecutionId))) {
        const names = new Set(w.rules.map((r) => r.ruleName));
        const newest = runs.filter((r) => r.stageName === w.stage && r.status === 'Failed' && names.has(r.ruleName ?? '') && r.pipelineExecutionId)
          .sort((a, b) => time(b) - time(a))[0];
        if (newest) byName.set(w.stage, { executionId: newest.pipelineExecutionId!, at: newest.lastUpdateTime ?? newest.startTime });
      }
    }
    for (const w of wanted) {
      const run = w.rules.map((r) => r.ruleExecutionId && this.found.get(r.ruleExecutionId)).find((x): x is FailedRuleRun => !!x);
      if (run) byName.set(w.stage, run);
    }
    return byName;
  }
}

function stageStatus(stage: StageState, data: StatusData): EnvironmentStatus {
  const { byId, actions, looked } = data;
  const name = stage.stageName ?? '';
  const sources = new Map<string, ActionExecutionDetail>();
  for (const a of actions) {
    if (isSource(a) && a.pipelineExecutionId && !sources.has(a.pipelineExecutionId)) sources.set(a.pipelineExecutionId, a);
  }
  const rollbackOf = (id: string): RollbackInfo | undefined => {
    const summary = byId.get(id);
    return isRollbackExecution(summary)
      ? { targetExecutionId: summary?.rollbackMetadata?.rollbackTargetPipelineExecutionId, trigger: summary?.trigger?.triggerType }
      : undefined;
  };
  const ownRevision = (id: string) =>
    mergeRevisions(revisionOfSourceAction(sources.get(id)), revisionOfSummary(byId.get(id)), looked.get(id) ?? {});
  // A rollback execution runs no source action: it deploys the revision of the execution it rolls back to.
  const revisionOf = (id: string) => {
    const target = rollbackOf(id)?.targetExecutionId;
    return target ? mergeRevisions(ownRevision(target), ownRevision(id)) : ownRevision(id);
  };
  const withRollback = (id: string) => {
    const rollback = rollbackOf(id);
    return rollback ? { rollback } : {};
  };
  const runs = stageRuns(actions).filter((r) => r.stageName === name);
  const latest = stage.latestExecution;
  const latestId = latest?.pipelineExecutionId;
  const lastChange = (stage.actionStates ?? [])
    .map((a) => a.latestExecution?.lastStatusChange?.getTime() ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);

  let deployed: EnvironmentStatus['deployed'];
  if (latestId && latest?.status === 'Succeeded') {
    const at = lastChange ? new Date(lastChange) : undefined;
    deployed = { executionId: latestId, revision: revisionOf(latestId), at, ...withRollback(latestId) };
  } else {
    const found = deployedRun(stage, runs, byId, data.actionsOf);
    if (found) {
      const { run, stopped, notRun, approval: ended, failed } = found;
      // failed after deploying: deployed when its deployments ended, not when what failed after them did
      const deploymentsEnd = Math.max(0, ...deploymentActions(run.work).map((a) => a.lastUpdateTime?.getTime() ?? 0));
      deployed = {
        executionId: run.executionId,
        revision: revisionOf(run.executionId),
        at: failed && deploymentsEnd ? new Date(deploymentsEnd) : run.endTime,
        ...withRollback(run.executionId),
        ...(stopped ? { stoppedAfterDeploying: true, ...(notRun.length ? { notRun } : {}) } : {}),
        ...(ended ? { approvalAfterDeploying: ended, ...(notRun.length ? { notRun } : {}) } : {}),
        ...(failed ? { failedAfterDeploying: true } : {}),
      };
    }
  }

  const approval = pendingApproval(stage);
  let pendingApprovals: PendingApproval[] = approval ? [{
    actionName: approval.actionName ?? 'Approve',
    executionId: latestId,
    revision: latestId ? revisionOf(latestId) : {},
    since: approval.latestExecution?.lastStatusChange,
  }] : [];
  if (!approval) {
    // PARALLEL mode: GetPipelineState holds no token, and several executions may wait in the stage
    const seen = new Set<string>();
    pendingApprovals = actions
      .filter((a) => a.stageName === name && a.status === 'InProgress' && isApproval(a) && a.pipelineExecutionId &&
        byId.get(a.pipelineExecutionId)?.executionMode === 'PARALLEL' && !seen.has(a.pipelineExecutionId) && seen.add(a.pipelineExecutionId))
      .map((a) => ({ actionName: a.actionName ?? 'Approve', executionId: a.pipelineExecutionId, revision: revisionOf(a.pipelineExecutionId!), since: a.startTime }));
    // and those of executions read one by one (inProgressInParallel), whose actions the pages did not list
    for (const run of data.parallelRuns.get(name) ?? []) {
      const waiting = run.approvals.find((a) => a.status === 'InProgress');
      if (waiting && !seen.has(run.executionId) && seen.add(run.executionId)) {
        const revision = revisionOf(run.executionId);
        pendingApprovals.push({ actionName: waiting.actionName ?? 'Approve', executionId: run.executionId, revision, since: waiting.startTime });
      }
    }
    pendingApprovals.sort((a, b) => (b.since?.getTime() ?? 0) - (a.since?.getTime() ?? 0));
  }
  let inProgress: EnvironmentStatus['inProgress'];
  // an execution being stopped (stop and wait) still runs the actions in progress
  if (latestId && (latest?.status === 'InProgress' || latest?.status === 'Stopping')) {
    const waitingHere = new Set(pendingApprovals.filter((p) => p.executionId === latestId).map((p) => p.actionName));
    const running = (stage.actionStates ?? [])
      .filter((a) => a.latestExecution?.status === 'InProgress' && a !== approval && !waitingHere.has(a.actionName ?? ''))
      .map((a) => a.actionName ?? '?');
    const run = runs.find((r) => r.executionId === latestId);
    inProgress = {
      executionId: latestId,
      revision: revisionOf(latestId),
      actions: running,
      since: run?.startTime,
      ...withRollback(latestId),
      ...(latest.status === 'Stopping' ? { stopping: true } : {}),
    };
  }

  // every execution in progress in the stage: the latest (GetPipelineState), and in PARALLEL mode the others
  const inProgressExecutions: InProgressExecution[] = [
    ...(inProgress ? [{
      executionId: inProgress.executionId,
      revision: inProgress.revision,
      actions: inProgress.actions,
      since: inProgress.since,
      ...(pendingApprovals.some((p) => p.executionId === inProgress!.executionId) ? { awaitingApproval: true } : {}),
      ...(inProgress.stopping ? { stopping: true } : {}),
      ...(inProgress.rollback ? { rollback: inProgress.rollback } : {}),
    }] : []),
    ...(data.parallelRuns.get(name) ?? []).map((run): InProgressExecution => {
      const latestAttempts = [...run.work, ...run.approvals];
      const awaiting = run.approvals.some((a) => a.status === 'InProgress');
      const done = latestAttempts.length > 0 && latestAttempts.every((a) => a.status === 'Succeeded');
      return {
        executionId: run.executionId,
        revision: revisionOf(run.executionId),
        actions: run.work.filter((a) => a.status === 'InProgress').map((a) => a.actionName ?? '?'),
        since: run.startTime,
        ...(awaiting ? { awaitingApproval: true } : {}),
        ...(done ? { actionsDone: true } : {}),
        ...(byId.get(run.executionId)?.status === 'Stopping' ? { stopping: true } : {}),
      };
    }),
  ].sort((a, b) => (b.since?.getTime() ?? Number.MAX_SAFE_INTEGER) - (a.since?.getTime() ?? Number.MAX_SAFE_INTEGER));

  const conditions = stageConditions(stage);
  let lastFailure: EnvironmentStatus['lastFailure'];
  if (latestId && latest?.status === 'Failed') {
    const failed = (stage.actionStates ?? []).find((a) => a.latestExecution?.status === 'Failed');
    // no action failed: a condition did (an entry alarm in ALARM, an alarm watched after the deployments)
    const condition = failed ? undefined : conditionFailure(name, conditions);
    lastFailure = {
      executionId: latestId,
      at: failed?.latestExecution?.lastStatusChange ?? condition?.at,
      message: failed
        ? `${failed.actionName}${failed.latestExecution?.errorDetails?.message ? `: ${failed.latestExecution.errorDetails.message}` : ''}`
        : condition?.message,
    };
  } else {
    // a failure that a retry (RetryStageExecution) then fixed counts: the stage failed then
    const run = runs.find((r) => r.status === 'Failed' || r.failedBeforeRetry);
    const at = run?.status === 'Failed' ? run.endTime : run?.actions.find((a) => a.status === 'Failed')?.lastUpdateTime;
    if (run) lastFailure = { executionId: run.executionId, at, message: failureMessage(run.actions) };
    // a condition that failed a later run, whose actions all succeeded: an alarm watched after the
    // deployments that rolled the stage back (the rollback is now the latest execution)
    const condition = conditionFailure(name, conditions);
    const ruleRun = data.ruleFailures?.get(name);
    if (condition && ruleRun && (!lastFailure || (ruleRun.at?.getTime() ?? 0) > (lastFailure.at?.getTime() ?? 0))) {
      lastFailure = { executionId: ruleRun.executionId, at: ruleRun.at ?? condition.at, message: condition.message };
    }
  }

  const retried = retries(stage);
  let stopped: EnvironmentStatus['stopped'];
  if (latestId && (latest?.status === 'Stopped' || latest?.status === 'Stopping')) {
    stopped = {
      executionId: latestId,
      status: latest.status,
      revision: revisionOf(latestId),
      at: lastChange ? new Date(lastChange) : undefined,
      reason: byId.get(latestId)?.stopTrigger?.reason,
    };
  }

  return {
    name,
    environment: !NON_ENVIRONMENT_STAGES.has(name),
    latestExecution: latestId ? { executionId: latestId, status: latest?.status } : undefined,
    deployed,
    inProgress,
    inProgressExecutions,
    pendingApproval: pendingApprovals[0],
    pendingApprovals,
    lastFailure,
    stopped,
    queued: stage.inboundExecutions?.length ?? (stage.inboundExecution ? 1 : 0),
    inboundTransition: inboundTransition(stage),
    ...(conditions ? { conditions } : {}),
    ...(retried ? { retries: retried } : {}),
  };
}

/** The retries of the stage's latest execution, when it was retried. */
function retries(stage: StageState): StageRetries | undefined {
  const m = stage.retryStageMetadata;
  if (!m || (!m.autoStageRetryAttempt && !m.manualStageRetryAttempt)) return undefined;
  return {
    ...(m.autoStageRetryAttempt ? { automatic: m.autoStageRetryAttempt } : {}),
    ...(m.manualStageRetryAttempt ? { manual: m.manualStageRetryAttempt } : {}),
    ...(m.latestRetryTrigger ? { latestTrigger: m.latestRetryTrigger } : {}),
  };
}

/** Most actions named in a cell: more would only wrap (and wrapping long cells is slow), `--json` lists them all. */
const MAX_ACTIONS_SHOWN = 3;

/** The actions running in a stage, for a table cell: the first few, then how many more. */
function runningActions(actions: string[]): string {
  const more = actions.length - MAX_ACTIONS_SHOWN;
  return more > 0 ? `${actions.slice(0, MAX_ACTIONS_SHOWN).join(', ')} +${more} more` : actions.join(', ');
}

/** What a stage in progress does, for a table cell: its running actions, or what it waits for; `(stopping)` while it is being stopped. */
function inProgressDoing(inProgress: NonNullable<EnvironmentStatus['inProgress']>, approvalWaits: boolean, checking?: string): string {
  const doing = safeLine(runningActions(inProgress.actions)) || (approvalWaits ? 'awaiting approval' : checking ?? (inProgress.stopping ? '' : 'waiting'));
  if (!inProgress.stopping) return doing;
  return doing ? `${doing} (stopping)` : 'stopping';
}

/** Most other executions in progress shown in a stage's cell (PARALLEL mode); `--json` lists them all. */
const MAX_OTHERS_SHOWN = 3;

/**
 * The executions in progress in a stage besides its latest (PARALLEL mode), for the in-progress
 * cell: each one's revision, what it does and since when its run of the stage started; then how many
 * more.
 */
function otherExecutions(env: EnvironmentStatus, now: Date): string | undefined {
  const others = env.inProgressExecutions.filter((e) => e.executionId !== env.inProgress?.executionId);
  if (others.length === 0) return undefined;
  const lines = others.slice(0, MAX_OTHERS_SHOWN).map((e) => {
    const doing = safeLine(runningActions(e.actions)) || (e.awaitingApproval ? 'awaiting approval' : e.actionsDone ? 'actions done' : 'waiting');
    return `${describeRevision(e.revision, 16)}
${doing}${e.stopping ? ' (stopping)' : ''}, started ${ago(e.since, now)}`;
  });
  const more = others.length - MAX_OTHERS_SHOWN;
  return [...lines, ...(more > 0 ? [`+${more} more in progress`] : [])].join('\n');
}

/** Renders the status as a table (one row per stage). */
export function renderStatus(status: PipelineStatus, now: Date, color: boolean): string {
  const c = pc.createColors(color);
  const table = new Table({
    head: ['stage', 'deployed', 'in progress', 'pending approval', 'last failure'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [12, 42, 30, 28, 34],
  });
  // with history left unread, "none" is only as far back as the history read
  const none = status.historyReadSince ? c.dim(`none in the last ${formatDuration(now.getTime() - status.historyReadSince.getTime())}`) : undefined;
  const rolledBackTo = (rollback: RollbackInfo) => (rollback.targetExecutionId ? ` (execution ${safeLine(shortExecution(rollback.targetExecutionId))})` : '');
  for (const env of status.environments) {
    const deployed = env.deployed;
    const inProgress = env.inProgress;
    // a frozen environment: executions wait before it (cdk-delivery freeze)
    const frozen = env.inboundTransition?.enabled === false ? c.magenta(describeFreeze(env.inboundTransition, now, 40)) : undefined;
    // a change waiting for the deployment window, alarms watched after the deployments (bake time): only
    // while the stage's latest execution runs (otherwise a condition shown in progress is an earlier run's)
    const checking = inProgress ? conditionsChecked(env.name, env.conditions, now) : undefined;
    const doing = inProgress ? inProgressDoing(inProgress, env.pendingApproval !== undefined, checking) : undefined;
    const automaticRetry = inProgress && env.retries?.latestTrigger === 'AutomatedStageRetry' ? '\nretried automatically' : '';
    const inProgressCell = inProgress
      ? c.cyan(`${inProgress.rollback ? 'rolling back to ' : ''}${describeRevision(inProgress.revision, 16)}`
        + `${inProgress.rollback ? rolledBackTo(inProgress.rollback) : ''}\n`
        + `${doing}${checking && doing !== checking && !doing?.startsWith(checking) ? `\n${checking}` : ''}${automaticRetry}`) +
        (env.queued ? `\n+${env.queued} queued` : '')
      : (env.queued ? `${env.queued} queued` : undefined);
    // PARALLEL mode: the other executions in the stage
    const others = otherExecutions(env, now);
    // a condition of the deployed run overridden (OverrideStageCondition): the window or the bake time was skipped
    const overridden = deployed && deployed.executionId === env.latestExecution?.executionId
      ? CONDITION_KINDS.filter(([kind]) => env.conditions?.[kind]?.status === 'Overridden').map(([, label]) => `${label} overridden`)
      : [];
    // the latest release stopped in the stage (stop and wait, or abandon): what runs is still `deployed`,
    // unless that release deployed before the stop took effect (then it is `deployed`, marked)
    const stoppedHere = env.stopped?.executionId === deployed?.executionId ? env.stopped : undefined;
    const stoppedAfterDeploying = deployed?.stoppedAfterDeploying
      ? c.yellow(`${stoppedHere?.status === 'Stopping' ? 'being stopped' : 'stopped'} after deploying`
        + `${stoppedHere?.reason ? ` (${safeLine(stoppedHere.reason)})` : ''}`
        + `${deployed.notRun?.length ? `\nnot run: ${safeLine(runningActions(deployed.notRun))}` : ''}`)
      : deployed?.approvalAfterDeploying
        ? c.yellow(`${safeLine(deployed.approvalAfterDeploying.action)} ${deployed.approvalAfterDeploying.decision} after deploying`
          + `${deployed.notRun?.length ? `\nnot run: ${safeLine(runningActions(deployed.notRun))}` : ''}`)
        : deployed?.failedAfterDeploying ? c.yellow('failed after deploying') : undefined;
    const stopped = env.stopped && !stoppedHere
      ? c.yellow(`${env.stopped.status === 'Stopping' ? 'being stopped' : 'stopped'}: ${describeRevision(env.stopped.revision, 16)}\n`
        + `${ago(env.stopped.at, now)}${env.stopped.reason ? ` (${safeLine(env.stopped.reason)})` : ''}`)
      : undefined;
    table.push([
      env.environment ? c.bold(safeLine(env.name)) : safeLine(env.name),
      [deployed
        ? `${describeRevision(deployed.revision, 28)}\n${ago(deployed.at, now)}` + (deployed.rollback ? `\nrolled back to it${rolledBackTo(deployed.rollback)}` : '')
        : (env.latestExecution ? none : undefined) ?? (stopped ? undefined : c.dim('nothing yet')), stoppedAfterDeploying, stopped,
      overridden.length > 0 ? c.yellow(overridden.join(', ')) : undefined]
        .filter((x) => x !== undefined).join('\n'),
      [frozen, inProgressCell, others === undefined ? undefined : c.cyan(others)].filter((x) => x !== undefined).join('\n') || '—',
      env.pendingApproval
        ? c.yellow(`${safeLine(env.pendingApproval.actionName)} ${describeRevision(env.pendingApproval.revision, 12)}\nwaiting ${ago(env.pendingApproval.since, now).replace(/ ago$/, '')}`
          + (env.pendingApprovals.length > 1 ? `\n+${env.pendingApprovals.length - 1} more waiting` : ''))
        : '—',
      env.lastFailure ? c.red(`${ago(env.lastFailure.at, now)}\n${safeLine(env.lastFailure.message)}`) : none ?? '—',
    ]);
  }
  const notLocated = status.executionsNotLocated?.length
    ? `\n${c.dim(`${status.executionsNotLocated.length} more execution${status.executionsNotLocated.length > 1 ? 's' : ''} in progress not located: `
      + `${status.executionsNotLocated.map(shortExecution).map(safeLine).join(', ')} (--json lists them; cdk-delivery history shows them)`)}`
    : '';
  return `${c.bold(status.pipeline)} — ${formatTime(status.refreshedAt)}\n${table.toString()}${notLocated}`;
}

/** The first 8 characters of an execution id (a UUID), as `history` shows it. */
function shortExecution(id: string): string {
  return id.slice(0, 8);
}

function toJson(status: PipelineStatus): unknown {
  return status;
}

/** Refreshes in a row that `--watch` lets fail (throttled, or the service failing) before it gives up. */
const MAX_FAILED_REFRESHES = 10;

/** `cdk-delivery status <pipeline> [--watch [seconds]] [--json]` */
export async function statusCommand(ctx: CommandContext, options: StatusOptions): Promise<number> {
  validateName(options.pipeline, 'pipeline name');
  const color = useColor(ctx.io);
  let failedRefreshes = 0;
  let shown = false;
  // the stages of earlier pipeline versions, read once for every refresh
  const structures = new StageStructures(ctx, options.pipeline);
  // the executions failed conditions failed, read once for every refresh
  const rules = new RuleRuns(ctx, options.pipeline);
  for (let refresh = 1; ; refresh++) {
    let status: PipelineStatus;
    try {
      status = await fetchStatus(ctx, options.pipeline, structures, rules);
      failedRefreshes = 0;
    } catch (e) {
      // --watch rides out an outage (still throttled or failing after the SDK's retries), from its first refresh on
      const passing = options.watch && e instanceof CliError && e.exitCode === ExitCode.THROTTLED;
      if (!passing || ++failedRefreshes > MAX_FAILED_REFRESHES) throw e;
      println(ctx.io.stderr, safeLine(`cdk-delivery: warning: refresh failed (${(e as CliError).message})`
        + `${shown ? '' : '; no status could be read yet'}; trying again in ${options.watch} s`));
      if (ctx.maxRefreshes !== undefined && refresh >= ctx.maxRefreshes) return ExitCode.OK;
      await ctx.io.sleep(options.watch! * 1000);
      continue;
    }
    shown = true;
    if (options.json) {
      println(ctx.io.stdout, JSON.stringify(toJson(status), null, options.watch ? 0 : 2));
    } else {
      if (options.watch && ctx.io.stdout.isTTY) ctx.io.stdout.write('\x1b[2J\x1b[H');
      println(ctx.io.stdout, renderStatus(status, ctx.io.now(), color));
    }
    if (!options.watch || (ctx.maxRefreshes !== undefined && refresh >= ctx.maxRefreshes)) {
      return ExitCode.OK;
    }
    await ctx.io.sleep(options.watch * 1000);
  }
}
