import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CodeDeployClient,
  BatchGetDeploymentsCommand,
  DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import {
  ActionExecutionDetail,
  CodePipelineClient,
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  GetPipelineStateOutput,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  ListRuleExecutionsCommand,
  OverrideStageConditionCommand,
  OverrideStageConditionInput,
  PipelineDeclaration,
  PipelineExecution,
  PipelineExecutionSummary,
  PutApprovalResultCommand,
  PutApprovalResultInput,
  RetryStageExecutionCommand,
  RuleExecutionDetail,
  RetryStageExecutionInput,
  RollbackStageCommand,
  RollbackStageInput,
  StartPipelineExecutionCommand,
  StartPipelineExecutionInput,
  StopPipelineExecutionCommand,
  StopPipelineExecutionInput,
} from '@aws-sdk/client-codepipeline';
import { BEFORE_REQUEST, fromAwsError, oneLine } from './errors';

/** Options that select the AWS account and region. */
export interface AwsOptions {
  readonly region?: string;
  readonly profile?: string;
}

/** The two SDK clients the CLI uses. */
export interface AwsClients {
  readonly codepipeline: CodePipelineClient;
  readonly codedeploy: CodeDeployClient;
}

/** Default number of attempts per call (first try + retries); AWS_MAX_ATTEMPTS overrides it. */
export const DEFAULT_MAX_ATTEMPTS = 6;

/** A warning of the SDK in one line; the one about two credential sources in plain words. */
export function sdkWarning(message: string): string {
  if (/Multiple credential sources detected/i.test(message)) {
    return 'both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set; the profile is used (set only one of them)';
  }
  return oneLine(message);
}

/**
 * Removes from `env` the AWS settings (`AWS_*` variables) that are set but empty or blank: a CI
 * system often sets `AWS_REGION=` when the variable it copies is unset. The SDK would take an empty
 * `AWS_REGION` as the region (and refuse it: "Region not accepted"), before a profile's region;
 * unset, the chain goes on to the profile, or ends with "no AWS region". Returns the names removed.
 */
export function unsetEmptyAwsSettings(env: Record<string, string | undefined>): string[] {
  const empty = Object.keys(env).filter((name) => name.startsWith('AWS_') && env[name] !== undefined && env[name]!.trim() === '');
  for (const name of empty) delete env[name];
  return empty;
}

/**
 * Creates SDK clients with the standard credential and region chain, adaptive retries and
 * AWS_ENDPOINT_URL support (the SDK reads it itself). The SDK's warnings (otherwise several lines
 * on stderr, e.g. when both AWS_PROFILE and access keys are set) go to `warn` as one line; its
 * per-request info and error logs are not printed (errors are thrown and reported by the CLI).
 * Empty AWS settings in `env` (the process environment) are unset first (unsetEmptyAwsSettings).
 */
export function createClients(options: AwsOptions, env: Record<string, string | undefined>, warn?: (message: string) => void): AwsClients {
  // the SDK reads the process environment itself: `env` is process.env when the command runs
  unsetEmptyAwsSettings(env);
  const parsed = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  const maxAttempts = Number.isFinite(parsed) && parsed > 0 ? parsed : DEFAULT_MAX_ATTEMPTS;
  const ignore = () => undefined;
  const logger = warn && { trace: ignore, debug: ignore, info: ignore, error: ignore, warn: (message: unknown) => warn(sdkWarning(String(message))) };
  const config = {
    retryMode: 'adaptive',
    maxAttempts,
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(logger ? { logger } : {}),
  };
  return {
    codepipeline: new CodePipelineClient(config),
    codedeploy: new CodeDeployClient(config),
  };
}

/** The shared config and credentials files the SDK reads (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
export function sharedConfigFiles(env: Record<string, string | undefined>): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  return {
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
  };
}

/**
 * The profiles of the shared files: `[default]` and `[profile name]` in the config file, `[name]`
 * in the credentials file. Undefined when a file exists but cannot be read.
 */
export function sharedProfiles(env: Record<string, string | undefined>): string[] | undefined {
  const files = sharedConfigFiles(env);
  const sections = (file: string): string[] | undefined => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? [] : undefined;
    }
    return text.split(/\r?\n/)
      .map((line) => /^\s*\[\s*([^\]]*?)\s*\]/.exec(line)?.[1])
      .filter((name): name is string => !!name)
      .map((name) => name.replace(/\s+/g, ' '));
  };
  const config = sections(files.config);
  const credentials = sections(files.credentials);
  if (!config || !credentials) return undefined;
  const names = [
    ...config.flatMap((n) => (n === 'default' ? [n] : n.startsWith('profile ') ? [n.slice('profile '.length)] : [])),
    ...credentials.map((n) => n.replace(/^profile /, '')),
  ];
  return [...new Set(names)];
}

/**
 * When the profile the SDK uses (`--profile`, else AWS_PROFILE) is in neither shared file: a
 * one-line explanation. Undefined when no profile is selected, it exists, or the files cannot be read.
 */
export function missingProfile(profile: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const name = profile || env.AWS_PROFILE;
  if (!name) return undefined;
  const names = sharedProfiles(env);
  if (!names || names.includes(name)) return undefined;
  const files = sharedConfigFiles(env);
  return `AWS profile '${name}' (${profile ? '--profile' : 'AWS_PROFILE'}) not found in ${files.config} or ${files.credentials}; `
    + `profiles there: ${names.length ? names.join(', ') : '(none)'}`;
}

/** Set on a call's middleware context once its request is about to go on the wire. */
const SENT = Symbol('cdk-delivery.sent');
const MARKER = 'cdkDeliveryBeforeRequestMarker';

/**
 * Marks the errors a client throws before its request is sent (`BEFORE_REQUEST`): those of the
 * credential chain (STS AssumeRole and AssumeRoleWithWebIdentity, SSO GetRoleCredentials, a
 * credential process), of the region or of the endpoint. The SDK resolves the credentials while it
 * serializes and signs the request; the innermost step (deserialize) runs only once it is signed.
 * A client is marked once, however many DeliveryApi use it.
 */
function markErrorsBeforeRequest(client: CodePipelineClient | CodeDeployClient): void {
  // the two clients' stacks differ in their input types only; the middleware reads none
  const stack = client.middlewareStack as unknown as CodePipelineClient['middlewareStack'];
  if (stack.identify().some((entry) => entry.startsWith(`${MARKER}-`))) return;
  stack.add((next, context) => async (args) => {
    (context as unknown as Record<symbol, boolean>)[SENT] = true;
    return next(args);
  }, { step: 'deserialize', name: `${MARKER}-sent`, priority: 'low' });
  stack.add((next, context) => async (args) => {
    try {
      return await next(args);
    } catch (e) {
      if (!(context as unknown as Record<symbol, boolean>)[SENT] && e !== null && typeof e === 'object') {
        Object.defineProperty(e, BEFORE_REQUEST, { value: true });
      }
      throw e;
    }
  }, { step: 'initialize', name: `${MARKER}-errors`, priority: 'high' });
}

/** What an error message names: the pipeline, and the stage or execution the call acts on. */
interface CallContext {
  readonly pipeline?: string;
  readonly stage?: string;
  readonly execution?: string;
}

/** Stop paginating after this many pages, whatever happens (a guard against endless tokens). */
const MAX_PAGES = 1000;

export interface ListOptions {
  /** Stop once items start before this date (lists are newest first). */
  readonly since?: Date;
  /** Page size (the API maximum is 100). */
  readonly pageSize?: number;
  /** Stop after this many pages. */
  readonly maxPages?: number;
  /** Called with each page as it arrives. */
  readonly onPage?: (items: ActionExecutionDetail[]) => void;
  /** Only the action executions of this pipeline execution. */
  readonly pipelineExecutionId?: string;
  /** Stop once this returns (or resolves to) true for the items read so far; asked only while pages remain. */
  readonly stopWhen?: (items: ActionExecutionDetail[]) => boolean | Promise<boolean>;
  /**
   * Warn (on stderr) when the page limit stops the listing while more pages remain. Default: only
   * for the overall limit (MAX_PAGES), not for a `maxPages` the caller chose.
   */
  readonly warnWhenCapped?: boolean;
  /** Called once the listing ends: `more` is true when it stopped with pages left (older items not read). */
  readonly onEnd?: (more: boolean) => void;
}

/** Options of DeliveryApi.listRuleExecutions. */
export interface RuleListOptions {
  /** Only the rule executions of this pipeline execution. */
  readonly pipelineExecutionId?: string;
  /** Pages read at most (default 1). */
  readonly maxPages?: number;
  /** Stop once this returns true for the items read so far; asked only while pages remain. */
  readonly stopWhen?: (items: RuleExecutionDetail[]) => boolean;
}

/**
 * Thin wrapper over the SDK calls the CLI makes: counts calls, follows nextToken on every list
 * call and turns SDK errors into one-line CliErrors.
 */
export class DeliveryApi {
  /** Number of API calls sent, by operation. */
  public readonly calls: Record<string, number> = {};

  /**
   * @param warn receives one-line warnings (a listing stopped by its page limit while more pages
   * remained); the CLI prints them on stderr
   */
  constructor(
    public readonly clients: AwsClients,
    private readonly warn: (message: string) => void = () => undefined,
    /** Says when the selected profile does not exist (asked only when credentials or the region are missing). */
    private readonly profileProblem?: () => string | undefined,
    /** The AWS profile selected (--profile, else AWS_PROFILE), named when its credentials cannot be obtained. */
    private readonly profile?: string,
  ) {
    markErrorsBeforeRequest(clients.codepipeline);
    markErrorsBeforeRequest(clients.codedeploy);
  }

  /**
   * True (with a warning) when a list call returns a page token it returned before: following it
   * would read the same pages again, forever. The items already read are kept (without repeats).
   */
  private repeated(operation: string, pipeline: string, tokens: Set<string>, nextToken: string | undefined): boolean {
    if (nextToken === undefined) return false;
    if (tokens.has(nextToken)) {
      this.warn(`${operation} of '${pipeline}' returned a page token it had returned before; stopped reading there`);
      return true;
    }
    tokens.add(nextToken);
    return false;
  }

  private capped(operation: string, pipeline: string, pages: number, nextToken: string | undefined, options: ListOptions) {
    if (nextToken && (options.warnWhenCapped ?? options.maxPages === undefined)) {
      this.warn(`stopped reading ${operation} of '${pipeline}' after ${pages} pages; older items are left out`);
    }
  }

  /**
   * Reads the pages of a list call, following nextToken, up to `maxPages`: the items not met before
   * (by `idOf`), in order. Stops at the last page, at a page token met before, or when `stop`
   * (given the page's new items and all so far) says so. Returns the items, the pages read and the
   * token left unread.
   */
  private async pages<T>(operation: string, pipeline: string, maxPages: number,
    send: (nextToken: string | undefined) => Promise<{ readonly items?: T[]; readonly nextToken?: string }>,
    idOf: (item: T) => string | undefined,
    stop?: (pageItems: T[], items: T[]) => boolean | Promise<boolean>,
    onPage?: (pageItems: T[]) => void): Promise<{ items: T[]; pages: number; nextToken?: string }> {
    const items: T[] = [];
    const ids = new Set<string>();
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    let page = 0;
    for (; page < maxPages; page++) {
      const out = await send(nextToken);
      const pageItems = (out.items ?? []).filter((item) => { const id = idOf(item); return !id || !ids.has(id); });
      pageItems.forEach((item) => { const id = idOf(item); if (id) ids.add(id); });
      items.push(...pageItems);
      onPage?.(pageItems);
      if (this.repeated(operation, pipeline, tokens, out.nextToken)) break;
      nextToken = out.nextToken;
      if (!nextToken || await stop?.(pageItems, items)) break;
    }
    return { items, pages: page, nextToken };
  }

  public get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  public async getPipelineState(pipeline: string): Promise<GetPipelineStateOutput> {
    return this.cp('GetPipelineState', { pipeline }, () =>
      this.clients.codepipeline.send(new GetPipelineStateCommand({ name: pipeline })));
  }

  public async getPipelineExecution(pipeline: string, pipelineExecutionId: string): Promise<PipelineExecution> {
    const out = await this.cp('GetPipelineExecution', { pipeline }, () =>
      this.clients.codepipeline.send(new GetPipelineExecutionCommand({ pipelineName: pipeline, pipelineExecutionId })));
    return out.pipelineExecution ?? { pipelineExecutionId };
  }

  /**
   * The execution, or undefined when CodePipeline no longer has it (PipelineExecutionNotFound: its
   * history keeps about 12 months), for callers that only enrich what they show with it.
   */
  public async findPipelineExecution(pipeline: string, pipelineExecutionId: string): Promise<PipelineExecution | undefined> {
    const out = await this.cp('GetPipelineExecution', { pipeline }, () =>
      this.clients.codepipeline.send(new GetPipelineExecutionCommand({ pipelineName: pipeline, pipelineExecutionId }))
        .catch((e: unknown) => {
          if ((e as { name?: string })?.name === 'PipelineExecutionNotFoundException') return undefined;
          throw e;
        }));
    return out === undefined ? undefined : out.pipelineExecution ?? { pipelineExecutionId };
  }

  /** Lists pipeline executions, newest first, following nextToken. */
  public async listPipelineExecutions(pipeline: string, options: ListOptions = {}): Promise<PipelineExecutionSummary[]> {
    const maxPages = Math.min(options.maxPages ?? MAX_PAGES, MAX_PAGES);
    const { items, pages, nextToken } = await this.pages('ListPipelineExecutions', pipeline, maxPages,
      async (token) => {
        const out = await this.cp('ListPipelineExecutions', { pipeline }, () =>
          this.clients.codepipeline.send(new ListPipelineExecutionsCommand({
            pipelineName: pipeline, maxResults: options.pageSize ?? 100, nextToken: token,
          })));
        return { items: out.pipelineExecutionSummaries, nextToken: out.nextToken };
      },
      (e) => e.pipelineExecutionId,
      (pageItems) => {
        const last = pageItems[pageItems.length - 1];
        return !!(options.since && last?.startTime && last.startTime < options.since);
      });
    if (pages === maxPages) this.capped('ListPipelineExecutions', pipeline, pages, nextToken, options);
    return options.since ? items.filter((e) => !e.startTime || e.startTime >= options.since!) : items;
  }

  /** Lists action executions, newest first, following nextToken. */
  public async listActionExecutions(pipeline: string, options: ListOptions = {}): Promise<ActionExecutionDetail[]> {
    const maxPages = Math.min(options.maxPages ?? MAX_PAGES, MAX_PAGES);
    const { items, pages, nextToken } = await this.pages('ListActionExecutions', pipeline, maxPages,
      async (token) => {
        const out = await this.cp('ListActionExecutions', { pipeline }, () =>
          this.clients.codepipeline.send(new ListActionExecutionsCommand({
            pipelineName: pipeline,
            maxResults: options.pageSize ?? 100,
            nextToken: token,
            ...(options.pipelineExecutionId ? { filter: { pipelineExecutionId: options.pipelineExecutionId } } : {}),
          })));
        return { items: out.actionExecutionDetails, nextToken: out.nextToken };
      },
      (a) => a.actionExecutionId,
      async (pageItems, all) => {
        const last = pageItems[pageItems.length - 1];
        return !!(options.since && last?.startTime && last.startTime < options.since) || !!await options.stopWhen?.(all);
      },
      options.onPage);
    if (pages === maxPages) this.capped('ListActionExecutions', pipeline, pages, nextToken, options);
    options.onEnd?.(!!nextToken);
    return options.since ? items.filter((e) => !e.startTime || e.startTime >= options.since!) : items;
  }

  public async putApprovalResult(input: PutApprovalResultInput): Promise<Date | undefined> {
    const out = await this.cp('PutApprovalResult', { pipeline: input.pipelineName, stage: input.stageName }, () =>
      this.clients.codepipeline.send(new PutApprovalResultCommand(input)));
    return out.approvedAt;
  }

  /**
   * Rule executions of the pipeline, or of one of its executions (`pipelineExecutionId`): which
   * execution each rule of a stage condition ran for. Pages of 100, following nextToken, up to
   * `maxPages` (default 1) and until `stopWhen` returns true for the items read so far. CodePipeline
   * does not document their order: callers match them by id or sort them by time.
   */
  public async listRuleExecutions(pipeline: string, options: RuleListOptions = {}): Promise<RuleExecutionDetail[]> {
    const { items } = await this.pages('ListRuleExecutions', pipeline, Math.min(options.maxPages ?? 1, MAX_PAGES),
      async (token) => {
        const out = await this.cp('ListRuleExecutions', { pipeline, execution: options.pipelineExecutionId }, () =>
          this.clients.codepipeline.send(new ListRuleExecutionsCommand({
            pipelineName: pipeline,
            maxResults: 100,
            nextToken: token,
            ...(options.pipelineExecutionId ? { filter: { pipelineExecutionId: options.pipelineExecutionId } } : {}),
          })));
        return { items: out.ruleExecutionDetails, nextToken: out.nextToken };
      },
      (r) => r.ruleExecutionId,
      (_page, all) => !!options.stopWhen?.(all));
    return items;
  }

  /** OverrideStageCondition: the stage's entry conditions (or success conditions) let the execution through. */
  public async overrideStageCondition(input: OverrideStageConditionInput): Promise<void> {
    await this.cp('OverrideStageCondition', { pipeline: input.pipelineName, stage: input.stageName, execution: input.pipelineExecutionId }, () =>
      this.clients.codepipeline.send(new OverrideStageConditionCommand(input)));
  }

  public async retryStageExecution(input: RetryStageExecutionInput): Promise<string | undefined> {
    const out = await this.cp('RetryStageExecution', { pipeline: input.pipelineName, stage: input.stageName }, () =>
      this.clients.codepipeline.send(new RetryStageExecutionCommand(input)));
    return out.pipelineExecutionId;
  }

  public async rollbackStage(input: RollbackStageInput): Promise<string | undefined> {
    const out = await this.cp('RollbackStage', { pipeline: input.pipelineName, stage: input.stageName }, () =>
      this.clients.codepipeline.send(new RollbackStageCommand(input)));
    return out.pipelineExecutionId;
  }

  /**
   * The pipeline's structure (GetPipeline): its stages and actions, type and execution mode; those
   * of an earlier `version` when one is given (CodePipeline keeps the versions of about a year).
   */
  public async getPipeline(pipeline: string, version?: number): Promise<PipelineDeclaration> {
    const out = await this.cp('GetPipeline', { pipeline }, () =>
      this.clients.codepipeline.send(new GetPipelineCommand({ name: pipeline, ...(version !== undefined ? { version } : {}) })));
    return out.pipeline ?? { name: pipeline, roleArn: undefined, stages: undefined };
  }

  /** Freezes a stage: DisableStageTransition of its inbound transition (executions wait before it). */
  public async disableInboundTransition(pipeline: string, stage: string, reason: string): Promise<void> {
    await this.cp('DisableStageTransition', { pipeline, stage }, () =>
      this.clients.codepipeline.send(new DisableStageTransitionCommand({ pipelineName: pipeline, stageName: stage, transitionType: 'Inbound', reason })));
  }

  /** Unfreezes a stage: EnableStageTransition of its inbound transition. */
  public async enableInboundTransition(pipeline: string, stage: string): Promise<void> {
    await this.cp('EnableStageTransition', { pipeline, stage }, () =>
      this.clients.codepipeline.send(new EnableStageTransitionCommand({ pipelineName: pipeline, stageName: stage, transitionType: 'Inbound' })));
  }

  public async startPipelineExecution(input: StartPipelineExecutionInput): Promise<string | undefined> {
    const out = await this.cp('StartPipelineExecution', { pipeline: input.name }, () =>
      this.clients.codepipeline.send(new StartPipelineExecutionCommand(input)));
    return out.pipelineExecutionId;
  }

  public async stopPipelineExecution(input: StopPipelineExecutionInput): Promise<string | undefined> {
    const out = await this.cp('StopPipelineExecution', { pipeline: input.pipelineName, execution: input.pipelineExecutionId }, () =>
      this.clients.codepipeline.send(new StopPipelineExecutionCommand(input)));
    return out.pipelineExecutionId;
  }

  /** BatchGetDeployments in batches of 25 (the API limit), at most `concurrency` at a time. */
  public async batchGetDeployments(deploymentIds: string[], concurrency = 4): Promise<DeploymentInfo[]> {
    const batches: string[][] = [];
    for (let i = 0; i < deploymentIds.length; i += 25) {
      batches.push(deploymentIds.slice(i, i + 25));
    }
    const results = await mapLimit(batches, concurrency, (batch) => this.batchGetDeploymentsOnce(batch));
    return results.flat();
  }

  public async batchGetDeploymentsOnce(deploymentIds: string[]): Promise<DeploymentInfo[]> {
    const out = await this.call('codedeploy', 'BatchGetDeployments', {}, () =>
      this.clients.codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds })));
    return out.deploymentsInfo ?? [];
  }

  private async cp<T>(operation: string, ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    return this.call('codepipeline', operation, ctx, fn);
  }

  private async call<T>(service: string, operation: string, ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    try {
      return await fn();
    } catch (e) {
      const error = fromAwsError(e, { service, operation, ...ctx, missingProfile: this.profileProblem, profile: this.profile });
      const name = (e as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string') error.awsErrorName = name;
      throw error;
    }
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; keeps the order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
