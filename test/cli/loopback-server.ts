/**
 * A loopback HTTP endpoint (127.0.0.1, random port) that speaks the AWS JSON 1.1 protocol for
 * CodePipeline (`X-Amz-Target: CodePipeline_20150709.<Op>`) and CodeDeploy
 * (`CodeDeploy_20141006.<Op>`), with fault injection (throttling, 5xx, access denied), latency
 * and a request log. Used by the end-to-end tests and the metrics benchmark. STS requests (AWS
 * query protocol, `Action=AssumeRole&...`, the credential chain's) are recorded as service `sts`
 * and answer only the faults injected for their action, in STS's XML.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface RecordedRequest {
  readonly service: string;
  readonly operation: string;
  readonly input: any;
  /** The access key id the request was signed with (from its Authorization header). */
  readonly accessKeyId?: string;
  /** The region the request was signed for (the credential scope of its Authorization header). */
  readonly region?: string;
}

export interface Fault {
  readonly status: number;
  /** Error type, e.g. ThrottlingException; default InternalFailure for 5xx. */
  readonly type?: string;
  readonly message?: string;
}

export type Handler = (input: any, request: RecordedRequest) => unknown;

export class AwsError extends Error {
  constructor(public readonly type: string, message: string, public readonly status = 400) {
    super(message);
  }
}

export interface LoopbackOptions {
  /** Delay before each response, ms. */
  readonly latencyMs?: number;
  /** After this many requests, every request fails with a ValidationException (keeps loops bounded). */
  readonly maxRequests?: number;
}

function toWire(value: unknown): string {
  return JSON.stringify(value, function replacer(this: any, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

export class LoopbackAws {
  public readonly requests: RecordedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly alwaysFaults = new Map<string, Fault>();
  private server?: http.Server;
  private latencyMs: number;
  private readonly maxRequests: number;

  constructor(options: LoopbackOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.maxRequests = options.maxRequests ?? 20_000;
  }

  /** Answers `operation` (e.g. 'GetPipelineState') with `handler`. */
  public on(operation: string, handler: Handler): this {
    this.handlers.set(operation, handler);
    return this;
  }

  /** The next requests to `operation` fail with these faults, in order. */
  public failNext(operation: string, ...faults: Fault[]): this {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...faults]);
    return this;
  }

  /** Every request to `operation` fails with `fault`. */
  public failAlways(operation: string, fault: Fault): this {
    this.alwaysFaults.set(operation, fault);
    return this;
  }

  public setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  public count(operation?: string): number {
    return operation ? this.requests.filter((r) => r.operation === operation).length : this.requests.length;
  }

  public inputs(operation: string): any[] {
    return this.requests.filter((r) => r.operation === operation).map((r) => r.input);
  }

  /** Starts listening; returns the endpoint URL (http://127.0.0.1:PORT). */
  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const respond = () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res);
        if (this.latencyMs > 0) setTimeout(respond, this.latencyMs);
        else respond();
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  public get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('loopback server is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  public async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private send(res: http.ServerResponse, status: number, body: unknown, errorType?: string) {
    const payload = toWire(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': `req-${this.requests.length}`,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(payload);
  }

  private sendQueryError(res: http.ServerResponse, status: number, code: string, message: string) {
    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const payload = '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
      + `<Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error><RequestId>req-${this.requests.length}</RequestId></ErrorResponse>`;
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  /** A request of the AWS query protocol (STS): only injected faults are answered. */
  private handleQuery(body: string, res: http.ServerResponse) {
    const params = Object.fromEntries(new URLSearchParams(body));
    const request: RecordedRequest = { service: 'sts', operation: params.Action ?? '', input: params };
    this.requests.push(request);
    const queued = this.faults.get(request.operation);
    const fault = queued?.length ? queued.shift() : this.alwaysFaults.get(request.operation);
    if (fault) {
      const type = fault.type ?? (fault.status >= 500 ? 'InternalFailure' : 'InvalidParameterValue');
      return this.sendQueryError(res, fault.status, type, fault.message ?? `${type} (injected)`);
    }
    return this.sendQueryError(res, 400, 'InvalidAction', `loopback: no handler for ${request.operation}`);
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    if (/^Action=/.test(body)) return this.handleQuery(body, res);
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix, operation] = target.split('.');
    const service = prefix?.startsWith('CodeDeploy') ? 'codedeploy' : 'codepipeline';
    let input: any = {};
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      input = {};
    }
    // Credential=<access key id>/<date>/<region>/<service>/aws4_request
    const scope = /Credential=([^/,\s]+)\/[^/,\s]+\/([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''));
    const request: RecordedRequest = { service, operation: operation ?? '', input, accessKeyId: scope?.[1], region: scope?.[2] };
    this.requests.push(request);
    if (this.requests.length > this.maxRequests) {
      return this.send(res, 400, { __type: 'ValidationException', message: 'loopback: request limit reached' }, 'ValidationException');
    }
    const queued = this.faults.get(request.operation);
    const fault = queued?.length ? queued.shift() : this.alwaysFaults.get(request.operation);
    if (fault) {
      const type = fault.type ?? (fault.status >= 500 ? 'InternalFailure' : 'ValidationException');
      return this.send(res, fault.status, { __type: type, message: fault.message ?? `${type} (injected)` }, type);
    }
    const handler = this.handlers.get(request.operation);
    if (!handler) {
      return this.send(res, 400, { __type: 'UnknownOperationException', message: `loopback: no handler for ${target}` }, 'UnknownOperationException');
    }
    try {
      return this.send(res, 200, handler(input, request) ?? {});
    } catch (e) {
      if (e instanceof AwsError) {
        return this.send(res, e.status, { __type: e.type, message: e.message }, e.type);
      }
      return this.send(res, 500, { __type: 'InternalFailure', message: String(e) }, 'InternalFailure');
    }
  }
}

/** Paginates `items` the way the AWS list calls do (nextToken = offset). `pageSize` overrides maxResults. */
export function paginate<T>(items: T[], input: { maxResults?: number; nextToken?: string }, pageSize?: number): { page: T[]; nextToken?: string } {
  const offset = input.nextToken ? Number(input.nextToken) : 0;
  const size = Math.min(pageSize ?? input.maxResults ?? 100, input.maxResults ?? 100);
  const page = items.slice(offset, offset + size);
  return { page, nextToken: offset + size < items.length ? String(offset + size) : undefined };
}

export interface FakeHistoryOptions {
  readonly pipeline: string;
  readonly executions: number;
  /** Time of the newest execution. */
  readonly end: Date;
  /** Time between executions, ms. */
  readonly intervalMs: number;
  /** Environment stages after Source and Build. */
  readonly environments?: string[];
  /** Every n-th execution fails in the last environment. */
  readonly failEvery?: number;
  /** Environments with a manual approval named Approve. */
  readonly approvalIn?: string[];
  /** Deploy with CodeDeploy (adds deployment ids and BatchGetDeployments answers). */
  readonly codeDeploy?: boolean;
}

export interface FakeHistory {
  /** Newest first, like ListPipelineExecutions. */
  readonly executions: any[];
  /** Newest first, like ListActionExecutions. */
  readonly actions: any[];
  readonly deployments: Map<string, any>;
}

function sha(i: number): string {
  let h = (i + 1) * 2654435761;
  let out = '';
  for (let k = 0; k < 5; k++) {
    h = (h * 1103515245 + 12345) % 4294967296;
    out += Math.floor(h).toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

/** A deterministic history: each execution commits 30 min before it starts, and each stage takes 10 min. */
export function fakeHistory(options: FakeHistoryOptions): FakeHistory {
  const envs = options.environments ?? ['staging', 'prod'];
  const executions: any[] = [];
  const actions: any[] = [];
  const deployments = new Map<string, any>();
  for (let i = 0; i < options.executions; i++) {
    const start = new Date(options.end.getTime() - (options.executions - 1 - i) * options.intervalMs);
    const id = `exec-${String(i).padStart(5, '0')}`;
    const commit = sha(i);
    const failing = options.failEvery !== undefined && (i + 1) % options.failEvery === 0;
    let t = start.getTime();
    const step = 10 * 60_000;
    const act = (stageName: string, actionName: string, category: string, provider: string, status: string, extra: any = {}) => {
      const a = {
        pipelineExecutionId: id,
        actionExecutionId: `${id}-${stageName}-${actionName}`,
        stageName,
        actionName,
        startTime: new Date(t),
        lastUpdateTime: new Date(t + step),
        status,
        input: { actionTypeId: { category, owner: 'AWS', provider, version: '1' } },
        output: { executionResult: {}, outputVariables: {} },
        ...extra,
      };
      actions.push(a);
      t += step;
      return a;
    };
    act('Source', 'Source', 'Source', 'CodeStarSourceConnection', 'Succeeded', {
      output: { outputVariables: { CommitId: commit, CommitMessage: `Change ${i}`, AuthorDate: new Date(start.getTime() - 30 * 60_000).toISOString() } },
    });
    act('Build', 'Build', 'Build', 'CodeBuild', 'Succeeded');
    let status = 'Succeeded';
    envs.forEach((env, e) => {
      if (status !== 'Succeeded') return;
      if (options.approvalIn?.includes(env)) {
        act(env, 'Approve', 'Approval', 'Manual', 'Succeeded', {
          updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice',
          output: { executionResult: { externalExecutionSummary: `ok ${i}` } },
        });
      }
      const fail = failing && e === envs.length - 1;
      const deploymentId = `d-${String(i).padStart(5, '0')}${e}`;
      act(env, 'Deploy', 'Deploy', options.codeDeploy ? 'CodeDeploy' : 'CloudFormation', fail ? 'Failed' : 'Succeeded', {
        output: {
          executionResult: {
            externalExecutionId: options.codeDeploy ? deploymentId : undefined,
            errorDetails: fail ? { code: 'JobFailed', message: 'deployment failed' } : undefined,
          },
        },
      });
      if (options.codeDeploy) {
        deployments.set(deploymentId, {
          deploymentId,
          status: fail ? 'Failed' : 'Succeeded',
          ...(fail ? { rollbackInfo: { rollbackDeploymentId: `${deploymentId}-rb`, rollbackMessage: 'auto rollback' } } : {}),
        });
      }
      if (fail) status = 'Failed';
    });
    executions.push({
      pipelineExecutionId: id,
      status,
      startTime: start,
      lastUpdateTime: new Date(t),
      trigger: { triggerType: 'WebhookV2', triggerDetail: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc' },
      sourceRevisions: [{ actionName: 'Source', revisionId: commit, revisionSummary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: `Change ${i}` }) }],
    });
  }
  executions.reverse();
  actions.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  return { executions, actions, deployments };
}

/** Installs list/get handlers serving `history` for `pipeline` (and GetPipelineState with its stages). */
export function serveHistory(server: LoopbackAws, pipeline: string, history: FakeHistory, pageSize?: number): void {
  const known = (name: string) => {
    if (name !== pipeline) throw new AwsError('PipelineNotFoundException', `Account does not have a pipeline with name '${name}'`);
  };
  server.on('ListPipelineExecutions', (input) => {
    known(input.pipelineName);
    const { page, nextToken } = paginate(history.executions, input, pageSize);
    return { pipelineExecutionSummaries: page, nextToken };
  });
  server.on('ListActionExecutions', (input) => {
    known(input.pipelineName);
    const items = input.filter?.pipelineExecutionId
      ? history.actions.filter((a) => a.pipelineExecutionId === input.filter.pipelineExecutionId)
      : history.actions;
    const { page, nextToken } = paginate(items, input, pageSize);
    return { actionExecutionDetails: page, nextToken };
  });
  // the stages, in the order the oldest execution ran them (metrics reads them with GetPipelineState)
  const stages: string[] = [];
  for (const a of [...history.actions].reverse()) {
    if (!stages.includes(a.stageName)) stages.push(a.stageName);
  }
  server.on('GetPipelineState', (input) => {
    known(input.name);
    return { pipelineName: pipeline, stageStates: stages.map((stageName) => ({ stageName })) };
  });
  server.on('BatchGetDeployments', (input) => ({
    deploymentsInfo: (input.deploymentIds ?? []).map((id: string) => history.deployments.get(id)).filter((d: unknown) => d),
  }));
}
