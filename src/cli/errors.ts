/**
 * Exit codes and one-line errors of the `cdk-delivery` command.
 */

/** Exit codes that scripts can rely on (documented in docs/cli.md). */
export enum ExitCode {
  /** The command did what was asked. */
  OK = 0,
  /** The watched stage failed or was rejected, or CodePipeline refused the operation. */
  FAILED = 1,
  /** Bad usage: unknown command or flag, bad value, missing confirmation. */
  USAGE = 2,
  /** Pipeline, environment, approval or cloud assembly not found. */
  NOT_FOUND = 3,
  /** The caller lacks an IAM permission. */
  ACCESS_DENIED = 4,
  /** Still throttled (or the service still failing) after the SDK's retries. */
  THROTTLED = 5,
  /** No AWS credentials, credentials expired or invalid or not obtainable (STS, SSO refused the credential chain), no region or one that is no region name. */
  NO_CREDENTIALS = 6,
  /** The approval token expired or the approval was already answered; `stop`: the execution is already being stopped. */
  APPROVAL_ANSWERED = 7,
  /** `--wait --timeout`: the stage was still running when the time ran out (it goes on in CodePipeline). */
  TIMED_OUT = 8,
  /** Ctrl-C while `--wait` followed a stage (what the command did stays done; the stage goes on). */
  INTERRUPTED = 130,
}

/** An error the CLI prints as one line before exiting with `exitCode`. */
export class CliError extends Error {
  /** The name of the AWS error it words (`StageNotRetryableException`), when it comes from an AWS call. */
  public awsErrorName?: string;

  constructor(message: string, public readonly exitCode: ExitCode) {
    super(oneLine(message));
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}

export function notFound(message: string): CliError {
  return new CliError(message, ExitCode.NOT_FOUND);
}

/** Collapses whitespace so that every message fits on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Context used to word an AWS error. */
export interface AwsErrorContext {
  /** IAM service prefix: 'codepipeline' or 'codedeploy'. */
  readonly service: string;
  /** API operation, e.g. 'GetPipelineState'. */
  readonly operation: string;
  readonly pipeline?: string;
  readonly stage?: string;
  /** The pipeline execution the call acts on (StopPipelineExecution). */
  readonly execution?: string;
  /**
   * Asked when no credentials or no region were found: a one-line explanation when the selected
   * AWS profile does not exist (the SDK only says that no provider gave credentials).
   */
  readonly missingProfile?: () => string | undefined;
  /** The AWS profile selected (--profile, else AWS_PROFILE), named when the credentials cannot be obtained. */
  readonly profile?: string;
}

const THROTTLING = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded',
  'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'LimitExceededException',
]);
const ACCESS_DENIED = new Set([
  'AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'NotAuthorized',
]);
/** The credentials themselves are refused (expired session, unknown key, bad signature): no IAM policy fixes that. */
const BAD_CREDENTIALS = new Set([
  'ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidSignatureException',
  'InvalidClientTokenId', 'SignatureDoesNotMatch', 'TokenRefreshRequired',
]);

/**
 * Set (true) on an error an SDK client threw before sending its request: the credential chain
 * (STS, SSO, a credential process) failed, or the region or endpoint could not be resolved. An
 * error from a service there is that of the credential chain's own request, not of the call.
 */
export const BEFORE_REQUEST: unique symbol = Symbol('cdk-delivery.beforeRequest');

interface AwsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  Code?: string;
  code?: string;
}

/** Turns an error thrown by an AWS SDK call into a one-line CliError with the right exit code. */
export function fromAwsError(error: unknown, ctx: AwsErrorContext): CliError {
  if (error instanceof CliError) {
    return error;
  }
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? e.Code ?? e.code ?? 'Error';
  const message = oneLine(String(e.message ?? error));
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const what = ctx.pipeline ? ` (pipeline '${ctx.pipeline}'${ctx.stage ? `, environment '${ctx.stage}'` : ''})` : '';

  const credentialsMissing = name === 'CredentialsProviderError' || /could not load credentials|credential is missing|no credentials/i.test(message);
  // the SDK refuses a region that is no hostname label: `Region not accepted: region="eu west 1" is not a valid hostname component.`
  const refusedRegion = /region not accepted: region="([^"]*)"/i.exec(message)?.[1];
  const regionMissing = /region is missing|unresolved region|invalid region/i.test(message) || refusedRegion?.trim() === '';
  if (credentialsMissing || regionMissing) {
    // a profile that does not exist (--profile nope) is the cause of both
    const profile = /profile .* could not be found|ProfileNotFound/i.test(`${name} ${message}`) ? message.replace(/\.$/, '') : ctx.missingProfile?.();
    if (profile) {
      return new CliError(`${profile}; check --profile and AWS_PROFILE`, ExitCode.NO_CREDENTIALS);
    }
  }
  if (credentialsMissing && /expired|\bSSO\b/i.test(message)) {
    // the credentials exist but cannot be used (an SSO session that expired, or never logged in): the SDK says which
    return new CliError(`AWS credentials expired or not usable: ${message.replace(/\.$/, '')}; renew them (for SSO: aws sso login), `
      + 'or check AWS_PROFILE / --profile', ExitCode.NO_CREDENTIALS);
  }
  if (credentialsMissing) {
    return new CliError(
      'no AWS credentials: set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance/container role is available',
      ExitCode.NO_CREDENTIALS);
  }
  if (regionMissing) {
    return new CliError('no AWS region: pass --region, set AWS_REGION, or set a region in your profile', ExitCode.NO_CREDENTIALS);
  }
  if (refusedRegion !== undefined || /region not accepted/i.test(message)) {
    return new CliError(`AWS region not accepted: '${refusedRegion ?? '?'}' is not a region name (such as eu-west-1); `
      + 'check --region, AWS_REGION and the region of your profile', ExitCode.NO_CREDENTIALS);
  }
  const beforeRequest = !!(error as { [BEFORE_REQUEST]?: boolean } | undefined)?.[BEFORE_REQUEST];
  if (beforeRequest && (THROTTLING.has(name) || status === 429)) {
    // STS answers Throttling with HTTP 400: a busy credential provider, not a refusal; the call was never sent
    return new CliError(`throttled: the credential provider's request was throttled (${name}): ${message.replace(/\.$/, '')}; `
      + 'no call was sent; try again later', ExitCode.THROTTLED);
  }
  if (beforeRequest && status !== undefined && status < 500) {
    // STS (AssumeRole, AssumeRoleWithWebIdentity) or SSO (GetRoleCredentials) refused the credential
    // chain's request: the call itself was never sent, so no permission of it is in question
    const profile = ctx.profile ? ` for profile '${ctx.profile}'` : '';
    return new CliError(`could not obtain AWS credentials${profile}: the credential provider's request was refused (${name}): `
      + `${message.replace(/\.$/, '')}; check the role the profile assumes (role_arn) and its trust policy, `
      + 'and the source credentials (source_profile, web identity token, SSO session); renew them if they expired (for SSO: aws sso login)', ExitCode.NO_CREDENTIALS);
  }
  if (name === 'PipelineNotFoundException') {
    return notFound(`pipeline '${ctx.pipeline ?? '?'}' not found (${ctx.operation}): check the name, --region and --profile`);
  }
  if (name === 'StageNotFoundException') {
    return notFound(`environment '${ctx.stage ?? '?'}' not found in pipeline '${ctx.pipeline ?? '?'}'`);
  }
  if (name === 'PipelineExecutionNotFoundException' || name === 'ActionNotFoundException' || name === 'DeploymentDoesNotExistException') {
    return notFound(`${ctx.operation}: ${message}${what}`);
  }
  if (name === 'ConditionNotOverridableException') {
    return new CliError(`CodePipeline refused to override the condition of '${ctx.stage ?? '?'}' in '${ctx.pipeline ?? '?'}' `
      + `(ConditionNotOverridableException: ${message.replace(/\.$/, '')}); run 'cdk-delivery status ${ctx.pipeline ?? '<pipeline>'}' to see the current state`,
    ExitCode.FAILED);
  }
  if (name === 'NotLatestPipelineExecutionException' && ctx.operation === 'OverrideStageCondition') {
    // RetryStageExecution's (a later execution failed in the stage) stays a refusal (exit 1), as before
    return new CliError(`execution ${ctx.execution ?? '?'} is no longer the latest in '${ctx.stage ?? '?'}' of '${ctx.pipeline ?? '?'}' (${ctx.operation}); `
      + `run 'cdk-delivery status ${ctx.pipeline ?? '<pipeline>'}' to see the current state`, ExitCode.NOT_FOUND);
  }
  if (name === 'ConflictException' && ctx.service === 'codepipeline') {
    // CodePipeline: "the pipeline is busy handling ongoing activities. Try again later." Nothing was done: transient, as a throttle
    return new CliError(`CodePipeline is busy with pipeline '${ctx.pipeline ?? '?'}' (${ctx.operation}${ctx.stage ? `, environment '${ctx.stage}'` : ''}: `
      + `${name}: ${message.replace(/\.$/, '')}): nothing was done; try again in a minute ('cdk-delivery status ${ctx.pipeline ?? '<pipeline>'}' shows what is running)`,
    ExitCode.THROTTLED);
  }
  if (name === 'ConcurrentPipelineExecutionsLimitExceededException') {
    return new CliError(`nothing started: pipeline '${ctx.pipeline ?? '?'}' runs as many executions at once as CodePipeline allows `
      + `(${name}: ${message.replace(/\.$/, '')}); wait for one to end, or stop one ('cdk-delivery status ${ctx.pipeline ?? '<pipeline>'}' shows them, `
      + `'cdk-delivery stop ${ctx.pipeline ?? '<pipeline>'} --execution <id>' stops one)`, ExitCode.FAILED);
  }
  if (name === 'InvalidApprovalTokenException') {
    return new CliError(
      `the approval token is no longer valid${what}: the approval expired or was answered by someone else; run 'cdk-delivery status' to see the current state`,
      ExitCode.APPROVAL_ANSWERED);
  }
  if (name === 'ApprovalAlreadyCompletedException') {
    return new CliError(`the approval was already answered${what}; run 'cdk-delivery status' to see the current state`, ExitCode.APPROVAL_ANSWERED);
  }
  if (name === 'PipelineExecutionNotStoppableException') {
    return new CliError(
      `cannot stop execution ${ctx.execution ?? '?'} of '${ctx.pipeline ?? '?'}': it is no longer in progress (already stopped, or ended); `
      + `run 'cdk-delivery status ${ctx.pipeline ?? '<pipeline>'}' to see the current state`,
      ExitCode.FAILED);
  }
  if (name === 'DuplicatedStopRequestException') {
    return new CliError(
      `execution ${ctx.execution ?? '?'} of '${ctx.pipeline ?? '?'}' is already being stopped (a stop was requested before); `
      + 'a second stop and wait, or a second abandon, is refused; after a stop and wait, --abandon still abandons its in-progress actions',
      ExitCode.APPROVAL_ANSWERED);
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new CliError(
      `AWS credentials expired or invalid: ${ctx.service} refused them for ${ctx.operation} (${name}); `
      + 'renew them (for SSO: aws sso login), or check AWS_PROFILE / --profile',
      ExitCode.NO_CREDENTIALS);
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new CliError(
      `access denied: ${ctx.operation} needs the IAM permission ${ctx.service}:${ctx.operation}${what}`,
      ExitCode.ACCESS_DENIED);
  }
  if (THROTTLING.has(name) || status === 429) {
    return new CliError(
      `throttled: ${ctx.service}:${ctx.operation} was still throttled after ${attempts ?? 'several'} attempts; try again later or raise AWS_MAX_ATTEMPTS`,
      ExitCode.THROTTLED);
  }
  if (status !== undefined && status >= 500) {
    return new CliError(
      `service error: ${ctx.service}:${ctx.operation} failed with HTTP ${status} after ${attempts ?? 'several'} attempts (${name}); try again later`,
      ExitCode.THROTTLED);
  }
  const network = /ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/.exec(message);
  if (network || name === 'TimeoutError') {
    return new CliError(
      `cannot reach the ${ctx.service} endpoint for ${ctx.operation} (${network ? network[0] : name}); check AWS_ENDPOINT_URL, --region and the network`,
      ExitCode.THROTTLED);
  }
  if (name === 'ValidationException' || name === 'InvalidNextTokenException') {
    return new CliError(`${ctx.operation} rejected the request: ${message}${what}`, ExitCode.USAGE);
  }
  return new CliError(`${ctx.operation} failed${what}: ${name}: ${message}`, ExitCode.FAILED);
}
