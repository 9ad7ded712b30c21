/**
 * The actions each stage had in the pipeline version a stage run executed, so that a run is judged
 * against its own stage and not against today's, which may have gained actions (a verification
 * added later) or lost some since.
 */
import { GetPipelineStateOutput } from '@aws-sdk/client-codepipeline';
import { CommandContext } from './context';
import { println } from './io';
import { pipelineVersionOf, stageActionNames, StageRun } from './pipeline-model';
import { safeLine } from './terminal';

/** Earlier pipeline versions read at most (`GetPipeline` with `version`), per pipeline and command. */
export const MAX_VERSIONS_READ = 5;

/**
 * The stage structures of one pipeline's versions, read for one command (all the refreshes of a
 * `status --watch` included: a version never changes). The current version's come from
 * `GetPipelineState`, without a call; an earlier version's from one `GetPipeline` call with that
 * version, made only for the runs a caller asks about (`actionsFor`, then `load`), at most
 * MAX_VERSIONS_READ of them, the newest first. A version that cannot be read (access denied,
 * a version CodePipeline no longer keeps) or is over that limit is judged against the current
 * stages, with a warning on stderr.
 */
export class StageStructures {
  /** Action names by stage, per version read; undefined when the version could not be read. */
  private readonly versions = new Map<number, Map<string, string[]> | undefined>();
  /** Versions asked for by actionsFor and not read yet. */
  private readonly wanted = new Set<number>();
  private calls = 0;

  constructor(private readonly ctx: CommandContext, private readonly pipeline: string) {}

  /**
   * The names of the actions `run`'s stage had in the pipeline version the run executed. From
   * `current` (GetPipelineState) when the run executed the current version, or when either version
   * is unknown; from the version read by `load` otherwise. Until `load` has read it (and when it
   * could not be read), from `current`, and the version is noted for `load`. Undefined when
   * neither knows the stage.
   */
  public actionsFor(run: StageRun, current: GetPipelineStateOutput | undefined): string[] | undefined {
    const stage = current?.stageStates?.find((s) => s.stageName === run.stageName);
    const fromCurrent = stage ? stageActionNames(stage) : undefined;
    const version = pipelineVersionOf(run);
    if (version === undefined || current?.pipelineVersion === undefined || version === current.pipelineVersion) return fromCurrent;
    if (!this.versions.has(version)) {
      this.wanted.add(version);
      return fromCurrent;
    }
    return this.versions.get(version)?.get(run.stageName) ?? fromCurrent;
  }

  /**
   * Reads the versions that actionsFor noted since the last call, side by side. True when it
   * learnt something (a version read, or given up): what was judged with the current stages
   * meanwhile should be judged again.
   */
  public async load(): Promise<boolean> {
    const versions = [...this.wanted].filter((v) => !this.versions.has(v)).sort((a, b) => b - a);
    this.wanted.clear();
    if (versions.length === 0) return false;
    const budget = Math.max(0, MAX_VERSIONS_READ - this.calls);
    const skipped = versions.slice(budget);
    for (const version of skipped) this.versions.set(version, undefined);
    if (skipped.length) {
      this.warn(`read ${MAX_VERSIONS_READ} earlier versions of pipeline '${this.pipeline}' already; runs of version${skipped.length > 1 ? 's' : ''} `
        + `${skipped.join(', ')} are judged against its current stages`);
    }
    await Promise.all(versions.slice(0, budget).map(async (version) => {
      this.calls++;
      try {
        const declaration = await this.ctx.api.getPipeline(this.pipeline, version);
        this.versions.set(version, new Map((declaration.stages ?? []).map((s) => [
          s.name ?? '', (s.actions ?? []).map((a) => a.name ?? '').filter((name) => name),
        ])));
      } catch (e) {
        this.versions.set(version, undefined);
        this.warn(`could not read version ${version} of pipeline '${this.pipeline}' (${e instanceof Error ? e.message : String(e)}); `
          + 'its runs are judged against the current stages, which may have gained or lost actions since');
      }
    }));
    return true;
  }

  /**
   * `compute`'s result once every version it asked about is read: computed again after each
   * `load` that learnt something (at most MAX_VERSIONS_READ + 1 times).
   */
  public async settle<T>(compute: () => T): Promise<T> {
    let result = compute();
    while (await this.load()) result = compute();
    return result;
  }

  private warn(message: string): void {
    println(this.ctx.io.stderr, safeLine(`cdk-delivery: warning: ${message}`));
  }
}
