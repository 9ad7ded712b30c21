/**
 * The four DORA keys, computed from plain records (no AWS types), so that they can be checked on
 * hand-written histories. Definitions: docs/cli.md#metrics.
 */

/** One run of an environment's stage in one pipeline execution. */
export interface DeploymentRecord {
  readonly pipeline: string;
  readonly environment: string;
  readonly executionId: string;
  /** 'deployment' for a normal execution, 'rollback' for a RollbackStage execution. */
  readonly kind: 'deployment' | 'rollback';
  /**
   * Result of the stage's deployment actions (approvals excluded), Failed too when the alarms watched
   * after them failed the stage. Abandoned = superseded or stopped.
   */
  readonly status: 'Succeeded' | 'Failed' | 'InProgress' | 'Abandoned';
  readonly startTime: Date;
  /** When the stage ended (its last action's last update). */
  readonly endTime?: Date;
  /** Commit time of the revision; undefined when the source does not give it. */
  readonly commitTime?: Date;
  /** Pipeline execution start, used as the change's start when the commit time is unknown. */
  readonly executionStartTime?: Date;
  readonly revision?: string;
  /** CodeDeploy rolled the deployment back automatically, or an alarm stopped it. */
  readonly autoRolledBack?: boolean;
  /**
   * When the run's first failed attempt ended, when an action of the run failed: a run retried
   * (RetryStageExecution) fails when that attempt failed, whether a retry then succeeded (a
   * deployment that succeeded after failing, status Succeeded) or failed again (status Failed); or,
   * for a run whose actions succeeded and whose alarms watched after them failed the stage, when
   * that alarm's rule failed, whether a retry of the stage then succeeded (status Succeeded) or not.
   */
  readonly failedAt?: Date;
  /** A rollback: the execution it restored (`rollbackMetadata.rollbackTargetPipelineExecutionId`), when known. */
  readonly rollbackTarget?: string;
}

export interface DailyPoint {
  /** YYYY-MM-DD (UTC) */
  readonly day: string;
  readonly deployments: number;
  readonly failures: number;
}

export interface LeadTimePoint {
  readonly deployedAt: Date;
  readonly executionId: string;
  readonly leadTimeMs: number;
}

export interface EnvironmentMetrics {
  readonly pipeline: string;
  readonly environment: string;
  readonly windowDays: number;
  /** Successful deployments (rollbacks excluded). */
  readonly deployments: number;
  /** Deployments per day over the window. */
  readonly deploymentsPerDay: number;
  /** Median lead time for changes, ms; undefined without deployments. */
  readonly leadTimeMedianMs?: number;
  readonly leadTimeP90Ms?: number;
  /** Changes that ended in production (successful or failed deployments, rollbacks excluded). */
  readonly changes: number;
  readonly failedChanges: number;
  /** failedChanges / changes; undefined when there was no change. */
  readonly changeFailureRate?: number;
  /** Failure episodes that were restored in the window. */
  readonly restores: number;
  /** Failure episodes still open at the end of the window. */
  readonly openFailures: number;
  readonly timeToRestoreMedianMs?: number;
  readonly timeToRestoreMaxMs?: number;
  readonly daily: DailyPoint[];
  readonly leadTimes: LeadTimePoint[];
}

export interface DoraOptions {
  readonly since: Date;
  readonly until: Date;
  /**
   * The environments of each pipeline, in the order its stages run: each is reported, with zeros
   * when it has no record, in that order (pipelines in this order too). Environments with records
   * but not listed (removed from the pipeline since) follow their pipeline's listed ones.
   */
  readonly environments?: ReadonlyArray<{ readonly pipeline: string; readonly environments: readonly string[] }>;
}

/** Median of a list (mean of the two middle values for an even count). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The rank of each environment of a pipeline in the order its stages run: the mean position of the
 * environment among the stages each execution deployed, by start time (rollbacks, which run one
 * stage, left out). Environments without a deployment come last.
 */
function environmentRanks(records: DeploymentRecord[]): Map<string, number> {
  const byExecution = new Map<string, DeploymentRecord[]>();
  for (const r of records) {
    if (r.kind !== 'deployment') continue;
    const list = byExecution.get(r.executionId) ?? [];
    list.push(r);
    byExecution.set(r.executionId, list);
  }
  const positions = new Map<string, number[]>();
  for (const runs of byExecution.values()) {
    [...runs].sort((a, b) => a.startTime.getTime() - b.startTime.getTime())
      .forEach((r, i) => {
        const list = positions.get(r.environment) ?? [];
        list.push(i);
        positions.set(r.environment, list);
      });
  }
  const ranks = new Map<string, number>();
  for (const [env, list] of positions) ranks.set(env, list.reduce((a, b) => a + b, 0) / list.length);
  return ranks;
}

/**
 * Computes the metrics of every (pipeline, environment) found in `records`: pipelines in the order
 * they first appear, each one's environments in the order its stages run (then by name).
 */
export function computeDora(records: DeploymentRecord[], options: DoraOptions): EnvironmentMetrics[] {
  const pipelines = new Map<string, Map<string, DeploymentRecord[]>>();
  for (const known of options.environments ?? []) {
    const groups = pipelines.get(known.pipeline) ?? new Map<string, DeploymentRecord[]>();
    for (const env of known.environments) groups.set(env, groups.get(env) ?? []);
    pipelines.set(known.pipeline, groups);
  }
  for (const r of records) {
    const groups = pipelines.get(r.pipeline) ?? new Map<string, DeploymentRecord[]>();
    const list = groups.get(r.environment) ?? [];
    list.push(r);
    groups.set(r.environment, list);
    pipelines.set(r.pipeline, groups);
  }
  return [...pipelines.entries()].flatMap(([pipeline, groups]) => {
    const listed = options.environments?.find((k) => k.pipeline === pipeline)?.environments ?? [];
    const ranks = environmentRanks([...groups.values()].flat());
    const rank = (env: string) => ranks.get(env) ?? Number.POSITIVE_INFINITY;
    const others = [...groups.keys()].filter((env) => !listed.includes(env))
      .sort((a, b) => (rank(a) - rank(b)) || (a < b ? -1 : a > b ? 1 : 0));
    return [...listed, ...others].map((env) => computeEnvironment(groups.get(env)!, options, { pipeline, environment: env }));
  });
}

/**
 * The changes (of `changes`, the window's, in the order they ended) that a rollback undid: those
 * that ended after the run it restored and before it started. The run it restored is the run of
 * the execution its metadata names (`rollbackTarget`), else, without metadata, the latest
 * successful deployment before it of the revision it deployed. A target named but not among the
 * runs read ran before all of them: every change before the rollback is undone. Without a target,
 * and a revision that finds a run before the latest change, the latest change before the rollback is.
 * A rollback that failed undoes only the latest change before it.
 */
function undoneBy(rollback: DeploymentRecord, changes: readonly DeploymentRecord[], records: readonly DeploymentRecord[]): DeploymentRecord[] {
  const before = changes.filter((d) => d.endTime! <= rollback.startTime);
  // a rollback that failed took nothing out of the environment: it only shows that the change then
  // running needed remediation, so it fails that change alone, whatever run it meant to restore
  if (rollback.status !== 'Succeeded') return before.slice(-1);
  const restored = rollback.rollbackTarget !== undefined
    ? records.find((r) => r.kind === 'deployment' && r.executionId === rollback.rollbackTarget && r.endTime)
    : rollback.revision !== undefined
      ? records.filter((r) => r.kind === 'deployment' && r.status === 'Succeeded' && !r.autoRolledBack && r.endTime
        && r.endTime <= rollback.startTime && r.revision === rollback.revision)
        .sort((a, b) => a.endTime!.getTime() - b.endTime!.getTime()).pop()
      : undefined;
  // a revision found on the latest change: CodePipeline never rolls back to what runs, so the rollback
  // restored an earlier run of that revision and took the latest change out
  const current = rollback.rollbackTarget === undefined && restored !== undefined && restored === before[before.length - 1];
  if (restored && !current) return before.filter((d) => d !== restored && d.endTime! > restored.endTime!);
  if (rollback.rollbackTarget !== undefined) return before;
  return before.slice(-1);
}

/** Computes the metrics of one environment of one pipeline. */
export function computeEnvironment(
  records: DeploymentRecord[], options: DoraOptions, names?: { readonly pipeline: string; readonly environment: string },
): EnvironmentMetrics {
  const windowMs = Math.max(1, options.until.getTime() - options.since.getTime());
  const windowDays = windowMs / 86_400_000;
  // Only finished runs that started in the window count; superseded/stopped ones (Abandoned) never do.
  const runs = records
    .filter((r) => r.startTime >= options.since && r.startTime <= options.until)
    .filter((r) => (r.status === 'Succeeded' || r.status === 'Failed') && r.endTime)
    .sort((a, b) => a.endTime!.getTime() - b.endTime!.getTime());

  const deployments = runs.filter((r) => r.kind === 'deployment' && r.status === 'Succeeded' && !r.autoRolledBack);
  const changes = runs.filter((r) => r.kind === 'deployment');

  // A change failed when its stage failed (a failed attempt that a retry then fixed included),
  // CodeDeploy rolled it back / an alarm stopped it, or a rollback of the environment undid it.
  const failed = new Set<DeploymentRecord>(changes.filter((r) => r.status === 'Failed' || r.autoRolledBack || r.failedAt));
  const failureTime = new Map<DeploymentRecord, number>();
  for (const r of failed) failureTime.set(r, (r.failedAt ?? r.endTime!).getTime());
  for (const rollback of runs.filter((r) => r.kind === 'rollback')) {
    // a rollback undoes every change that succeeded after the run it restores: after a failed change
    // (the usual automated rollback) it restores the last good one and undoes nothing more; a second
    // rollback, to an older run, undoes the change the first one restored too
    for (const undone of undoneBy(rollback, changes, records)) {
      if (deployments.includes(undone) && !failed.has(undone)) {
        failed.add(undone);
        failureTime.set(undone, rollback.startTime.getTime());
      }
    }
  }

  // Failure episodes: from the first failure while healthy to the next healthy state (a successful
  // deployment or rollback; a retried deployment restores at its success what its failure broke).
  const events: { t: number; kind: 'fail' | 'ok' }[] = [];
  for (const [, t] of failureTime) events.push({ t, kind: 'fail' });
  for (const r of runs) {
    if (r.status === 'Succeeded' && !r.autoRolledBack) events.push({ t: r.endTime!.getTime(), kind: 'ok' });
  }
  events.sort((a, b) => a.t - b.t || (a.kind === 'fail' ? -1 : 1));
  const restoreTimes: number[] = [];
  let openSince: number | undefined;
  for (const e of events) {
    if (e.kind === 'fail' && openSince === undefined) openSince = e.t;
    if (e.kind === 'ok' && openSince !== undefined && e.t > openSince) {
      restoreTimes.push(e.t - openSince);
      openSince = undefined;
    }
  }

  const leadTimes: LeadTimePoint[] = deployments.map((d) => {
    // a commit dated after its deployment (a committer's clock ahead) is no start: the execution's start is
    const start = [d.commitTime, d.executionStartTime, d.startTime].find((t) => t !== undefined && t.getTime() <= d.endTime!.getTime());
    return { deployedAt: d.endTime!, executionId: d.executionId, leadTimeMs: start ? d.endTime!.getTime() - start.getTime() : 0 };
  });
  const leadValues = leadTimes.map((l) => l.leadTimeMs);

  const days = new Map<string, { deployments: number; failures: number }>();
  for (let t = options.since.getTime(); t <= options.until.getTime(); t += 86_400_000) {
    days.set(dayOf(new Date(t)), { deployments: 0, failures: 0 });
  }
  days.set(dayOf(options.until), days.get(dayOf(options.until)) ?? { deployments: 0, failures: 0 });
  for (const d of deployments) {
    const k = days.get(dayOf(d.endTime!));
    if (k) k.deployments++;
  }
  for (const [, t] of failureTime) {
    const k = days.get(dayOf(new Date(t)));
    if (k) k.failures++;
  }

  const first = records[0];
  return {
    pipeline: names?.pipeline ?? first?.pipeline ?? '',
    environment: names?.environment ?? first?.environment ?? '',
    windowDays: Math.round(windowDays * 100) / 100,
    deployments: deployments.length,
    deploymentsPerDay: deployments.length / windowDays,
    leadTimeMedianMs: median(leadValues),
    leadTimeP90Ms: percentile(leadValues, 90),
    changes: changes.length,
    failedChanges: failed.size,
    changeFailureRate: changes.length ? failed.size / changes.length : undefined,
    restores: restoreTimes.length,
    openFailures: openSince !== undefined ? 1 : 0,
    timeToRestoreMedianMs: median(restoreTimes),
    timeToRestoreMaxMs: restoreTimes.length ? Math.max(...restoreTimes) : undefined,
    daily: [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, v]) => ({ day, ...v })),
    leadTimes,
  };
}
