import {
  CodeDeployClient,
  BatchGetDeploymentsCommand,
  DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import {
  ActionExecutionDetail,
  CodePipelineClient,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  GetPipelineStateOutput,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PipelineExecution,
  PipelineExecutionSummary,
  PutApprovalResultCommand,
  PutApprovalResultInput,
  RetryStageExecutionCommand,
  RetryStageExecutionInput,
  RollbackStageCommand,
  RollbackStageInput,
} from '@aws-sdk/client-codepipeline';
import { fromAwsError } from './errors';

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

/**
 * Creates SDK clients with the standard credential and region chain, adaptive retries and
 * AWS_ENDPOINT_URL support (the SDK reads it itself).
 */
export function createClients(options: AwsOptions, env: Record<string, string | undefined>): AwsClients {
  const parsed = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  const maxAttempts = Number.isFinite(parsed) && parsed > 0 ? parsed : DEFAULT_MAX_ATTEMPTS;
  const config = {
    retryMode: 'adaptive',
    maxAttempts,
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  return {
    codepipeline: new CodePipelineClient(config),
    codedeploy: new CodeDeployClient(config),
  };
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
  /** Stop once this returns true for the items read so far. */
  readonly stopWhen?: (items: ActionExecutionDetail[]) => boolean;
  /**
   * Warn (on stderr) when the page limit stops the listing while more pages remain. Default: only
   * for the overall limit (MAX_PAGES), not for a `maxPages` the caller chose.
   */
  readonly warnWhenCapped?: boolean;
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
  constructor(public readonly clients: AwsClients, private readonly warn: (message: string) => void = () => undefined) {}

  private capped(operation: string, pipeline: string, pages: number, nextToken: string | undefined, options: ListOptions) {
    if (nextToken && (options.warnWhenCapped ?? options.maxPages === undefined)) {
      this.warn(`stopped reading ${operation} of '${pipeline}' after ${pages} pages; older items are left out`);
    }
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

  /** Lists pipeline executions, newest first, following nextToken. */
  public async listPipelineExecutions(pipeline: string, options: ListOptions = {}): Promise<PipelineExecutionSummary[]> {
    const items: PipelineExecutionSummary[] = [];
    let nextToken: string | undefined;
    const maxPages = Math.min(options.maxPages ?? MAX_PAGES, MAX_PAGES);
    let page = 0;
    for (; page < maxPages; page++) {
      const out = await this.cp('ListPipelineExecutions', { pipeline }, () =>
        this.clients.codepipeline.send(new ListPipelineExecutionsCommand({
          pipelineName: pipeline,
          maxResults: options.pageSize ?? 100,
          nextToken,
        })));
      const pageItems = out.pipelineExecutionSummaries ?? [];
      items.push(...pageItems);
      nextToken = out.nextToken;
      const last = pageItems[pageItems.length - 1];
      if (!nextToken || (options.since && last?.startTime && last.startTime < options.since)) {
        break;
      }
    }
    if (page === maxPages) this.capped('ListPipelineExecutions', pipeline, page, nextToken, options);
    return options.since ? items.filter((e) => !e.startTime || e.startTime >= options.since!) : items;
  }

  /** Lists action executions, newest first, following nextToken. */
  public async listActionExecutions(pipeline: string, options: ListOptions = {}): Promise<ActionExecutionDetail[]> {
    const items: ActionExecutionDetail[] = [];
    let nextToken: string | undefined;
    const maxPages = Math.min(options.maxPages ?? MAX_PAGES, MAX_PAGES);
    let page = 0;
    for (; page < maxPages; page++) {
      const out = await this.cp('ListActionExecutions', { pipeline }, () =>
        this.clients.codepipeline.send(new ListActionExecutionsCommand({
          pipelineName: pipeline,
          maxResults: options.pageSize ?? 100,
          nextToken,
          ...(options.pipelineExecutionId ? { filter: { pipelineExecutionId: options.pipelineExecutionId } } : {}),
        })));
      const pageItems = out.actionExecutionDetails ?? [];
      items.push(...pageItems);
      options.onPage?.(pageItems);
      nextToken = out.nextToken;
      const last = pageItems[pageItems.length - 1];
      if (!nextToken || (options.since && last?.startTime && last.startTime < options.since) || options.stopWhen?.(items)) {
        break;
      }
    }
    if (page === maxPages) this.capped('ListActionExecutions', pipeline, page, nextToken, options);
    return options.since ? items.filter((e) => !e.startTime || e.startTime >= options.since!) : items;
  }

  public async putApprovalResult(input: PutApprovalResultInput): Promise<Date | undefined> {
    const out = await this.cp('PutApprovalResult', { pipeline: input.pipelineName, stage: input.stageName }, () =>
      this.clients.codepipeline.send(new PutApprovalResultCommand(input)));
    return out.approvedAt;
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

  private async cp<T>(operation: string, ctx: { pipeline?: string; stage?: string }, fn: () => Promise<T>): Promise<T> {
    return this.call('codepipeline', operation, ctx, fn);
  }

  private async call<T>(service: string, operation: string, ctx: { pipeline?: string; stage?: string }, fn: () => Promise<T>): Promise<T> {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    try {
      return await fn();
    } catch (e) {
      throw fromAwsError(e, { service, operation, ...ctx });
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
