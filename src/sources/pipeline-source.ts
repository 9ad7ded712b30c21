import { Annotations, Fn, Names, Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RefFilter } from './trigger-overlap';
import { ModelContext, SourceModel, SourceProduced, SourceRevision, SourceRole } from '../model/model';
import { SOURCE_ACTION } from '../model/stage-names';
import { useRenamedConnection, withActionRolePolicy } from '../private/action-grants';
import type { Validator } from '../private/validation';
import { described, isResource, isToken, literalName } from '../private/validation';

/** The namespace the source action's variables live in (`#{SourceVariables.CommitId}`). */
export const SOURCE_VARIABLES_NAMESPACE = 'SourceVariables';

/** The variables each kind of source action sets, by kind. */
export const SOURCE_VARIABLES: Record<string, string[]> = {
  GitHub: ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'ConnectionArn', 'FullRepositoryName'],
  CodeCommit: ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'CommitterDate', 'RepositoryName'],
  S3: ['ETag', 'VersionId'],
  ECR: ['ImageDigest', 'ImageTag', 'ImageURI', 'RegistryId', 'RepositoryName'],
};

/** The name of the source action. */
export const SOURCE_ACTION_NAME = SOURCE_ACTION;

/** The pipeline's own source. */
const PRIMARY: SourceRole = { actionName: SOURCE_ACTION_NAME, variablesNamespace: SOURCE_VARIABLES_NAMESPACE, triggersPipeline: true };

/**
 * A revision's description: `before`, the source action's variable `variableName` (as the action
 * gives it), the source's names, `after`.
 */
function revisionOf(role: SourceRole, before: string, variable: string, variableName: string, names: string, after = ''): SourceRevision {
  return {
    description: `${before}${variable}${names}${after}`,
    parts: { before, variable, renderedVariable: `#{${role.variablesNamespace}.${variableName}}`, names, after },
  };
}

/** What the plan says of a source that does not start the pipeline. */
const NO_TRIGGER = 'does not start the pipeline (read when another source starts it)';

/**
 * A V2 push trigger: which pushes start the pipeline.
 *
 * A trigger filters either on branches or on tags (CodePipeline does not combine them in one
 * filter); file paths refine a branch filter.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */
export interface PushTrigger {
  /**
   * Branch glob patterns that start the pipeline.
   *
   * @default - the source branch, when no tag pattern is given
   */
  readonly branchesIncludes?: string[];
  /**
   * Branch glob patterns that never start the pipeline.
   *
   * @default - none
   */
  readonly branchesExcludes?: string[];
  /**
   * Tag glob patterns that start the pipeline (for example `v*`).
   *
   * @default - none
   */
  readonly tagsIncludes?: string[];
  /**
   * Tag glob patterns that never start the pipeline.
   *
   * @default - none
   */
  readonly tagsExcludes?: string[];
  /**
   * File path glob patterns: a push starts the pipeline only if it changes one of them.
   *
   * @default - any path
   */
  readonly filePathsIncludes?: string[];
  /**
   * File path glob patterns: a push that changes only these does not start the pipeline.
   *
   * @default - none
   */
  readonly filePathsExcludes?: string[];
}

/**
 * A V2 pull request trigger: which pull requests start the pipeline.
 *
 * Only a pipeline that releases nothing takes pull request triggers (`ReleaseMode.CONTINUOUS_INTEGRATION`,
 * no environments, no self-update): a pull request's changes are not merged yet. The execution
 * builds, tests and checks the pull request's newest commit.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */
export interface PullRequestTrigger {
  /**
   * Glob patterns of the target branches (the branch a pull request would merge into) whose pull
   * requests start the pipeline.
   *
   * @default - the source branch
   */
  readonly branchesIncludes?: string[];
  /**
   * Glob patterns of target branches whose pull requests never start the pipeline.
   *
   * @default - none
   */
  readonly branchesExcludes?: string[];
  /**
   * File path glob patterns: a pull request starts the pipeline only if it changes one of them.
   *
   * @default - any path
   */
  readonly filePathsIncludes?: string[];
  /**
   * File path glob patterns: a pull request that changes only these does not start the pipeline.
   *
   * @default - none
   */
  readonly filePathsExcludes?: string[];
  /**
   * The pull request events that start the pipeline.
   *
   * @default [GitPullRequestEvent.OPEN, GitPullRequestEvent.UPDATED] (opened, and each new commit)
   */
  readonly events?: codepipeline.GitPullRequestEvent[];
}

/** Properties of a GitHub (or other CodeConnections) source. */
export interface GitHubSourceProps {
  /**
   * The repository as `owner/repo`, for example `acme/shop`; a GitLab project in a subgroup as
   * `group/subgroup/project`. A token (a parameter's value) is split at its first `/` when
   * CloudFormation resolves it, so it must hold `owner/repo`.
   */
  readonly repository: string;
  /**
   * The branch whose changes start the pipeline (with `triggers`, the branch a manual start reads).
   * One branch name as git takes it (`main`, `release/1.2`), not a pattern nor a full ref
   * (`refs/heads/main`): those are refused at synth; filter branches with `triggers`.
   *
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * ARN of the CodeConnections (CodeStar Connections) connection to GitHub, GitHub Enterprise
   * Server, Bitbucket or GitLab. Create it in the console and complete the handshake once.
   */
  readonly connectionArn: string;
  /**
   * V2 push triggers with branch, tag and file-path filters.
   *
   * @default - every push to `branch` starts the pipeline
   */
  readonly triggers?: PushTrigger[];
  /**
   * V2 pull request triggers: pull requests into the source branch (or the branches given) start
   * the pipeline, which builds, tests and checks them. Pushes keep starting it as `triggers` say.
   *
   * Only for a pipeline that releases nothing (`ReleaseMode.CONTINUOUS_INTEGRATION`: no
   * environments, no self-update), and only on the pipeline's own source; anything else is refused
   * at synth, because it would deploy changes that are not merged. Build pull requests in a
   * pipeline of their own, with `executionMode: codepipeline.ExecutionMode.PARALLEL` so that they
   * do not wait for each other.
   *
   * @default - pull requests do not start the pipeline
   */
  readonly pullRequestTriggers?: PullRequestTrigger[];
  /**
   * Pass a full git clone to the build (so it can run `git describe`, `git log`...) instead of a zip.
   * The source artifact is then a clone reference only CodeBuild can read: a source code scan,
   * and a deployment that takes the source artifact (`DeploymentArtifact.SOURCE`), are refused.
   *
   * @default false
   */
  readonly fullClone?: boolean;
}

/** Properties of a CodeCommit source. */
export interface CodeCommitSourceProps {
  /** The repository. */
  readonly repository: codecommit.IRepository;
  /**
   * The branch whose changes start the pipeline: one branch name as git takes it (`main`,
   * `release/1.2`), not a pattern nor a full ref (`refs/heads/main`), which are refused at synth.
   *
   * @default 'main'
   */
  readonly branch?: string;
}

/** Properties of an S3 source. */
export interface S3SourceProps {
  /** The bucket (it must be versioned). */
  readonly bucket: s3.IBucket;
  /** Key of the zip archive whose new versions start the pipeline. */
  readonly key: string;
}

/** Properties of an ECR source. */
export interface EcrSourceProps {
  /** The repository. */
  readonly repository: ecr.IRepository;
  /**
   * The image tag whose pushes start the pipeline.
   *
   * @default 'latest'
   */
  readonly tag?: string;
}

/**
 * Where changes come from; every change to it starts a pipeline execution.
 */
export abstract class PipelineSource {
  /**
   * A GitHub, GitHub Enterprise Server, Bitbucket or GitLab repository through a CodeConnections
   * connection, with optional V2 push triggers.
   */
  public static gitHub(props: GitHubSourceProps): PipelineSource {
    return new GitHubSource(props);
  }

  /** A CodeCommit repository branch. */
  public static codeCommit(props: CodeCommitSourceProps): PipelineSource {
    return new CodeCommitSource(props);
  }

  /** A zip archive in a versioned S3 bucket. */
  public static s3(props: S3SourceProps): PipelineSource {
    return new S3Source(props);
  }

  /** An image tag in an ECR repository. */
  public static ecr(props: EcrSourceProps): PipelineSource {
    return new EcrSource(props);
  }

  /**
   * Validates the configuration and describes the source, as the pipeline's source or (`role`) as
   * one of its additional sources.
   *
   * @internal
   */
  public abstract _toModel(ctx: ModelContext, role?: SourceRole): SourceModel;
}

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
/** `owner/repo`; GitLab nests projects in groups and subgroups, `group/subgroup/project`. */
const REPOSITORY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
/** A repository written with its host first, `github.com/acme/shop`. */
const HOST = /^(www\.)?(github\.com|gitlab\.com|bitbucket\.org)\//i;

/**
 * A branch name as git takes it (the rules of `git check-ref-format --branch`): the source action
 * matches it literally, so a pattern, a full ref or a name git refuses never starts the pipeline.
 */
function validateBranch(ctx: ModelContext, value: unknown, patterns: string): string {
  const v: Validator = ctx.validator;
  const field = `${ctx.field}.branch`;
  const fix = "Pass the branch name, for example 'main'.";
  if (value === undefined) return 'main';
  if (typeof value !== 'string') v.fail(field, 'must be a string', value, fix);
  if (value.trim() === '') v.fail(field, 'must not be empty', value, fix);
  if (isToken(value)) return value;
  if (/\s/.test(value)) v.fail(field, 'must not contain spaces', value, fix);
  if (/[*?[]/.test(value)) {
    v.fail(field, 'is a pattern, but the source action follows one branch, named exactly (no branch is called that, so the pipeline would never start)',
      value, patterns);
  }
  if (value.startsWith('refs/')) {
    const short = value.replace(/^refs\/(heads\/)?/, '');
    v.fail(field, "is a full ref, but the source action takes the branch's short name (it would follow a branch called that, and never start)", value,
      `Pass '${short}'.`);
  }
  const problem = gitRefProblem(value);
  if (problem) v.fail(field, `is not a branch name git accepts (${problem})`, value, fix);
  return value;
}

/** Why git refuses `name` as a branch name (`git check-ref-format --branch`), or undefined. */
function gitRefProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'it holds a control character';
  const bad = /[~^:\\]/.exec(name);
  if (bad) return `it holds '${bad[0]}'`;
  if (name.includes('..')) return "it holds '..'";
  if (name.includes('@{')) return "it holds '@{'";
  if (name === '@') return "it is '@'";
  if (name.startsWith('-')) return "it starts with '-'";
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return "it starts or ends with '/', or holds '//'";
  if (name.endsWith('.')) return "it ends with '.'";
  if (name.split('/').some(part => part.startsWith('.'))) return "a part of it starts with '.'";
  if (name.split('/').some(part => part.endsWith('.lock'))) return "a part of it ends with '.lock'";
  return undefined;
}

class GitHubSource extends PipelineSource {
  constructor(private readonly props: GitHubSourceProps) {
    super();
  }

  public _toModel(ctx: ModelContext, role: SourceRole = PRIMARY): SourceModel {
    const v: Validator = ctx.validator;
    v.requireObject(ctx.field, this.props, 'Pass { repository, connectionArn, branch? } to PipelineSource.gitHub().');
    v.noMisspeltFields(ctx.field, this.props, 'GitHubSourceProps');
    const repoFix = "Pass the repository as 'owner/repo', for example 'acme/shop' (a GitLab project in a subgroup: 'group/subgroup/project').";
    const repository = v.requireString(`${ctx.field}.repository`, this.props.repository, repoFix);
    if (!isToken(repository) && (!REPOSITORY.test(repository) || HOST.test(repository))) {
      v.fail(`${ctx.field}.repository`, `must look like 'owner/repo'${HOST.test(repository) ? ', without the host' : ''}`, repository, repoFix);
    }
    const branch = validateBranch(ctx, this.props.branch,
      "To start the pipeline on the branches a pattern matches, keep branch (what a manual start reads) and add triggers: [{ branchesIncludes: ['release/*'] }].");
    const arnFix = "Pass the ARN of a CodeConnections connection, like 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123' (create it in the console: Developer Tools > Settings > Connections).";
    const connectionArn = v.requireString(`${ctx.field}.connectionArn`, this.props.connectionArn, arnFix);
    if (!isToken(connectionArn) && !CONNECTION_ARN.test(connectionArn)) {
      v.fail(`${ctx.field}.connectionArn`, 'must be a CodeConnections (CodeStar Connections) connection ARN', connectionArn, arnFix);
    }
    const fullClone = v.optionalBoolean(`${ctx.field}.fullClone`, this.props.fullClone) ?? false;
    if (fullClone && role.additionalField !== undefined) {
      v.fail(`${ctx.field}.fullClone`, 'is true, but only the pipeline\'s source can be passed to the build as a full clone; '
        + 'an additional source reaches the build as a secondary input artifact, the files of the commit', true,
      'Leave fullClone out (the build finds the files in the source\'s directory), or make this repository the pipeline\'s source.');
    }
    const triggers = validateTriggers(ctx, this.props.triggers);
    if (triggers.length > 0 && !role.triggersPipeline) {
      v.fail(`${ctx.field}.triggers`, `filter the pushes that start the pipeline, but ${role.additionalField}.triggersPipeline is false (a change to this source does not start it)`,
        triggers, 'Remove the triggers, or leave triggersPipeline out (true) to start the pipeline on the pushes they filter.');
    }
    const pullRequests = validatePullRequestTriggers(ctx, this.props.pullRequestTriggers);
    if (pullRequests.length > 0 && role.additionalField !== undefined) {
      v.fail(`${ctx.field}.pullRequestTriggers`, "start the pipeline for pull requests, which only the pipeline's own source can do",
        described(`${pullRequests.length} pull request trigger${pullRequests.length === 1 ? '' : 's'}`),
        "Remove them, or give the pipeline's source the pull request triggers.");
    }
    // aws-cdk-lib writes FullRepositoryId as `${owner}/${repo}`: split at the last '/' (GitLab
    // groups nest), or, for a token, at its first '/' when CloudFormation resolves it
    const slash = repository.lastIndexOf('/');
    const [owner, repo] = isToken(repository)
      ? [Fn.select(0, Fn.split('/', repository)), Fn.select(1, Fn.split('/', repository))]
      : [repository.slice(0, slash), repository.slice(slash + 1)];
    const triggerText = !role.triggersPipeline ? [NO_TRIGGER]
      : [...triggers.length === 0 ? [`every push to ${branch}`] : triggers.map(describeTrigger), ...pullRequests.map(t => describePullRequestTrigger(t, branch))];
    // with triggers, an execution runs the commit of the branch or tag the push (or pull request)
    // went to; the action's branch is only what a manual start reads. The source is then named
    // without a branch, and the summary names the refs the triggers start on.
    const refs = startingRefs(triggers, pullRequests, branch);
    const onBranch = refs.length === 1 && refs[0] === branch;
    const names = onBranch ? `${repository}@${branch}` : repository;

    return {
      kind: 'GitHub',
      summary: onBranch ? `${names} (CodeConnections)` : `${names} (CodeConnections, triggers: ${refs.join(', ')})`,
      changeKey: `GitHub ${repository.toLowerCase()}@${branch}`,
      pushes: {
        repository: `GitHub ${repository.toLowerCase()}`,
        filtered: triggers.length > 0,
        filters: triggers.length === 0 ? [{ refs: 'branch', includes: [branch], excludes: [] }] : triggers.map(refFilter(branch)),
      },
      repository: isToken(repository) ? undefined : repository,
      branch,
      triggers: triggerText,
      startsOn: role.triggersPipeline ? refs : [],
      pullRequests: pullRequests.length > 0,
      fullCloneConnectionArn: fullClone ? connectionArn : undefined,
      produce: (_scope: Construct, output: codepipeline.Artifact): SourceProduced => {
        const action = new actions.CodeStarConnectionsSourceAction({
          actionName: role.actionName,
          connectionArn,
          owner,
          repo,
          branch,
          output,
          codeBuildCloneOutput: fullClone,
          variablesNamespace: role.variablesNamespace,
          triggerOnPush: role.triggersPipeline,
        });
        const use = useRenamedConnection(connectionArn);
        return {
          action: withActionRolePolicy(action, use ? [use] : []),
          revision: revisionOf(role, 'commit ', action.variables.commitId, 'CommitId', ` of ${names}`),
          // with pull request filters the trigger configuration replaces the action's push
          // detection, so the pushes to the branch are filtered explicitly too
          triggers: triggers.length === 0 && pullRequests.length === 0 ? undefined : [{
            providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
            gitConfiguration: {
              sourceAction: action,
              pushFilter: (triggers.length > 0 ? triggers : [{ branchesIncludes: [branch] }]).map(t => ({
                branchesIncludes: t.branchesIncludes ?? (t.tagsIncludes || t.tagsExcludes ? undefined : [branch]),
                branchesExcludes: t.branchesExcludes,
                tagsIncludes: t.tagsIncludes,
                tagsExcludes: t.tagsExcludes,
                filePathsIncludes: t.filePathsIncludes,
                filePathsExcludes: t.filePathsExcludes,
              })),
              pullRequestFilter: pullRequests.length === 0 ? undefined : pullRequests.map(t => ({
                branchesIncludes: t.branchesIncludes ?? [branch],
                branchesExcludes: t.branchesExcludes,
                filePathsIncludes: t.filePathsIncludes,
                filePathsExcludes: t.filePathsExcludes,
                events: t.events ?? DEFAULT_PULL_REQUEST_EVENTS,
              })),
            },
          }],
        };
      },
    };
  }
}

/**
 * The refs a push trigger starts the pipeline on, as it is rendered: tags (every tag unless some are
 * included), or branches (the source branch unless some are included).
 */
function refFilter(branch: string): (t: PushTrigger) => RefFilter {
  return t => t.tagsIncludes || t.tagsExcludes
    ? { refs: 'tag', includes: t.tagsIncludes ?? ['**'], excludes: t.tagsExcludes ?? [] }
    : { refs: 'branch', includes: t.branchesIncludes ?? [branch], excludes: t.branchesExcludes ?? [] };
}

/**
 * The refs whose pushes (or pull requests) start the pipeline, as the plan names them: branch
 * patterns, `tags <patterns>`, `pull requests into <patterns>`. Just `[branch]` when only pushes to
 * the source branch do.
 */
function startingRefs(triggers: PushTrigger[], pullRequests: PullRequestTrigger[], branch: string): string[] {
  const refs: string[] = [];
  const add = (r: string) => { if (!refs.includes(r)) refs.push(r); };
  if (triggers.length === 0) add(branch);
  for (const t of triggers) {
    if (t.tagsIncludes || t.tagsExcludes) add(`tags ${(t.tagsIncludes ?? ['*']).join(', ')}`);
    else (t.branchesIncludes ?? [branch]).forEach(add);
  }
  for (const t of pullRequests) add(`pull requests into ${(t.branchesIncludes ?? [branch]).join(', ')}`);
  return refs;
}

function describeTrigger(t: PushTrigger): string {
  const parts: string[] = [];
  if (t.tagsIncludes || t.tagsExcludes) {
    parts.push(`push of tags ${(t.tagsIncludes ?? ['*']).join(', ')}`);
    if (t.tagsExcludes) parts.push(`except tags ${t.tagsExcludes.join(', ')}`);
  } else {
    parts.push(`push to ${(t.branchesIncludes ?? ['the source branch']).join(', ')}`);
    if (t.branchesExcludes) parts.push(`except branches ${t.branchesExcludes.join(', ')}`);
  }
  if (t.filePathsIncludes) parts.push(`changing ${t.filePathsIncludes.join(', ')}`);
  if (t.filePathsExcludes) parts.push(`ignoring ${t.filePathsExcludes.join(', ')}`);
  return parts.join(', ');
}

const DEFAULT_PULL_REQUEST_EVENTS = [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED];
const PULL_REQUEST_EVENT_WORDS: Record<string, string> = { OPEN: 'opened', UPDATED: 'updated', CLOSED: 'closed' };

function describePullRequestTrigger(t: PullRequestTrigger, branch: string): string {
  const words = (t.events ?? DEFAULT_PULL_REQUEST_EVENTS).map(e => PULL_REQUEST_EVENT_WORDS[e]);
  const parts = [`pull request into ${(t.branchesIncludes ?? [branch]).join(', ')} ${words.join(' or ')}`];
  if (t.branchesExcludes) parts.push(`except into ${t.branchesExcludes.join(', ')}`);
  if (t.filePathsIncludes) parts.push(`changing ${t.filePathsIncludes.join(', ')}`);
  if (t.filePathsExcludes) parts.push(`ignoring ${t.filePathsExcludes.join(', ')}`);
  return parts.join(', ');
}

function validatePullRequestTriggers(ctx: ModelContext, value: unknown): PullRequestTrigger[] {
  const v: Validator = ctx.validator;
  const triggers = validateFilters(v, `${ctx.field}.pullRequestTriggers`, value, 'pull request', 'PullRequestTrigger',
    'Leave pullRequestTriggers out when pull requests should not start the pipeline.', ['branchesIncludes', 'branchesExcludes', 'filePathsIncludes', 'filePathsExcludes']);
  triggers.forEach((t, i) => {
    const f = `${ctx.field}.pullRequestTriggers[${i}]`;
    const prEvents = (t as PullRequestTrigger).events;
    if (prEvents !== undefined) {
      const fix = 'Pass some of GitPullRequestEvent.OPEN, UPDATED and CLOSED (from aws-cdk-lib/aws-codepipeline), or leave events out for OPEN and UPDATED.';
      if (!Array.isArray(prEvents) || prEvents.length === 0) v.fail(`${f}.events`, 'must be a non-empty array of pull request events', prEvents, fix);
      prEvents.forEach((e, j) => {
        if (!Object.keys(PULL_REQUEST_EVENT_WORDS).includes(e as string)) v.fail(`${f}.events[${j}]`, 'must be a GitPullRequestEvent', e, fix);
        if (prEvents.indexOf(e) !== j) v.fail(`${f}.events[${j}]`, 'repeats an event', e, 'Name each event once.');
      });
    }
  });
  return triggers as PullRequestTrigger[];
}

/**
 * A list of V2 git filters (push or pull request): 1 to 3 objects, each checked for misspelt
 * fields, with glob lists of 1 to 8 patterns of 1 to 255 characters (CodePipeline's quotas).
 */
function validateFilters(
  v: Validator, field: string, value: unknown, what: string, struct: 'PushTrigger' | 'PullRequestTrigger', emptyFix: string, lists: readonly string[],
): object[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    v.fail(field, `must be an array of ${what} triggers`, value, what === 'push'
      ? 'Pass [{ branchesIncludes: [...] }] or leave it out.' : 'Pass [{ branchesIncludes: [\'main\'] }] or leave it out.');
  }
  if (value.length === 0) v.fail(field, 'must not be empty', value, emptyFix);
  if (value.length > 3) v.fail(field, `may hold at most 3 ${what} filters (CodePipeline quota)`, value, 'Merge the patterns into fewer triggers.');
  value.forEach((t, i) => {
    const f = `${field}[${i}]`;
    v.requireObject(f, t, 'Pass an object such as { branchesIncludes: [\'main\'] }.');
    v.noMisspeltFields(f, t, struct === 'PushTrigger' ? 'PushTrigger' : 'PullRequestTrigger');
    for (const key of lists) {
      const list = v.optionalStringArray(`${f}.${key}`, (t as any)[key], 'Pass glob patterns such as \'release/*\'.');
      if (list && list.length === 0) v.fail(`${f}.${key}`, 'must not be empty', list, 'Leave it out instead.');
      if (list && list.length > 8) v.fail(`${f}.${key}`, 'may hold at most 8 patterns (CodePipeline quota)', list, 'Use broader glob patterns.');
      list?.forEach((pattern, j) => {
        if (!isToken(pattern) && pattern.length > 255) {
          v.fail(`${f}.${key}[${j}]`, `is ${pattern.length} characters long, and CodePipeline takes patterns of at most 255`, pattern,
            'Use a shorter glob pattern (a * matches any run of characters).');
        }
      });
    }
  });
  return value;
}

function validateTriggers(ctx: ModelContext, value: unknown): PushTrigger[] {
  const v: Validator = ctx.validator;
  const field = `${ctx.field}.triggers`;
  const triggers = validateFilters(v, field, value, 'push', 'PushTrigger', 'Leave triggers out to start on every push to the branch.',
    ['branchesIncludes', 'branchesExcludes', 'tagsIncludes', 'tagsExcludes', 'filePathsIncludes', 'filePathsExcludes']) as PushTrigger[];
  triggers.forEach((t, i) => {
    const f = `${field}[${i}]`;
    const hasTags = t.tagsIncludes !== undefined || t.tagsExcludes !== undefined;
    const hasBranches = t.branchesIncludes !== undefined || t.branchesExcludes !== undefined;
    if (hasTags && hasBranches) {
      v.failPlain(f, 'filters on both tags and branches; CodePipeline takes one or the other in a push filter. Split it into two triggers.');
    }
    if (hasTags && (t.filePathsIncludes || t.filePathsExcludes)) {
      v.failPlain(f, 'filters on tags and file paths; CodePipeline applies file paths to branch pushes only. Remove the file paths or filter on branches.');
    }
  });
  return triggers;
}

class CodeCommitSource extends PipelineSource {
  constructor(private readonly props: CodeCommitSourceProps) {
    super();
  }

  public _toModel(ctx: ModelContext, role: SourceRole = PRIMARY): SourceModel {
    const v: Validator = ctx.validator;
    v.requireObject(ctx.field, this.props, 'Pass { repository, branch? } to PipelineSource.codeCommit().');
    v.noMisspeltFields(ctx.field, this.props, 'CodeCommitSourceProps');
    const repository = this.props.repository;
    if (!isResource(repository, 'repositoryName')) {
      v.fail(`${ctx.field}.repository`, 'must be a codecommit.IRepository', repository, 'Pass codecommit.Repository.fromRepositoryName(this, \'Repo\', \'shop\') or a new Repository.');
    }
    refuseOtherAccount(ctx, 'repository', 'a CodeCommit repository', repository.env?.account, (repository as any).repositoryArn ?? repository.repositoryName,
      'its push events reach only the event bus of that account, where no rule starts the pipeline',
      `mirror the repository into account ${ctx.pipelineAccount}.`);
    refuseOtherRegion(ctx, 'repository', 'a CodeCommit repository', repository.env?.region, (repository as any).repositoryArn ?? repository.repositoryName,
      'mirror the repository into {region} and pass that one.');
    const branch = validateBranch(ctx, this.props.branch,
      'Pass one branch name: a CodeCommit source follows one branch (a GitHub, Bitbucket or GitLab source through CodeConnections takes triggers with patterns).');
    const literal = literalName(repository, repository.repositoryName);
    const name = literal ?? 'CodeCommit repository';
    return {
      kind: 'CodeCommit',
      summary: `${name}@${branch} (CodeCommit)`,
      changeKey: `CodeCommit ${literal ?? repository.repositoryName}@${branch}`,
      repository: literal,
      branch,
      triggers: [role.triggersPipeline ? `every push to ${branch} (EventBridge)` : NO_TRIGGER],
      startsOn: role.triggersPipeline ? [branch] : [],
      produce: (_scope, output) => {
        const props: actions.CodeCommitSourceActionProps = {
          actionName: role.actionName,
          repository,
          branch,
          output,
          variablesNamespace: role.variablesNamespace,
        };
        const action = role.additionalField === undefined ? new actions.CodeCommitSourceAction(props)
          : new AdditionalCodeCommitSourceAction(props, role.triggersPipeline);
        return { action, revision: revisionOf(role, 'commit ', action.variables.commitId, 'CommitId', ` of ${name}@${branch}`) };
      },
    };
  }
}

class S3Source extends PipelineSource {
  constructor(private readonly props: S3SourceProps) {
    super();
  }

  public _toModel(ctx: ModelContext, role: SourceRole = PRIMARY): SourceModel {
    const v: Validator = ctx.validator;
    v.requireObject(ctx.field, this.props, 'Pass { bucket, key } to PipelineSource.s3().');
    v.noMisspeltFields(ctx.field, this.props, 'S3SourceProps');
    const bucket = this.props.bucket;
    if (!isResource(bucket, 'bucketName')) {
      v.fail(`${ctx.field}.bucket`, 'must be an s3.IBucket', bucket, 'Pass a versioned s3.Bucket or s3.Bucket.fromBucketName(...).');
    }
    // a bucket of the app says whether it is versioned (an imported one does not)
    const cfnBucket = bucket.node?.defaultChild;
    if (cfnBucket instanceof s3.CfnBucket && !Token.isUnresolved(cfnBucket.versioningConfiguration)) {
      const status = (cfnBucket.versioningConfiguration as s3.CfnBucket.VersioningConfigurationProperty | undefined)?.status;
      if (status !== 'Enabled') {
        v.fail(`${ctx.field}.bucket`, 'is not versioned (CodePipeline\'s S3 source reads the versions of the object)', bucket.node.path,
          "Create the bucket with versioned: true, for example new s3.Bucket(this, 'Source', { versioned: true }).");
      }
    }
    refuseOtherAccount(ctx, 'bucket', 'an S3 bucket', bucket.env?.account, bucket.bucketName,
      'the source action would run as a role of that account, which the pipeline does not set up',
      `have the archive copied to a versioned bucket of account ${ctx.pipelineAccount}.`);
    refuseOtherRegion(ctx, 'bucket', 'an S3 bucket', bucket.env?.region, bucket.bucketName,
      'have the archive copied (S3 replication) to a versioned bucket in {region} and pass that one.');
    const key = v.requireString(`${ctx.field}.key`, this.props.key, "Pass the object key of the zip archive, for example 'source/shop.zip'.");
    // S3 keys are taken as written: '/source/shop.zip' is another object than 'source/shop.zip'
    if (!isToken(key) && key.startsWith('/')) {
      v.fail(`${ctx.field}.key`, "starts with '/', which S3 keeps as part of the key (the source action would wait for an object that is not there)", key,
        `Drop the leading '/': '${key.replace(/^\/+/, '')}'.`);
    }
    const where = Token.isUnresolved(bucket.bucketName) ? key : `s3://${bucket.bucketName}/${key}`;
    return {
      kind: 'S3',
      summary: `${where} (S3)`,
      changeKey: `S3 ${bucket.bucketName}/${key}`,
      // the object key is what starts executions, as a branch does for a repository
      branch: key,
      triggers: [role.triggersPipeline ? `new version of ${key} (polling)` : NO_TRIGGER],
      startsOn: role.triggersPipeline ? [key] : [],
      produce: (_scope, output) => {
        const action = new actions.S3SourceAction({
          actionName: role.actionName,
          bucket,
          bucketKey: key,
          output,
          variablesNamespace: role.variablesNamespace,
          // polling (aws-cdk-lib's default) like the pipeline's source; NONE: read at the start of executions only
          ...(role.triggersPipeline ? {} : { trigger: actions.S3Trigger.NONE }),
        });
        return { action, revision: revisionOf(role, 'version ', action.variables.versionId, 'VersionId', ` of ${where}`) };
      },
    };
  }
}

class EcrSource extends PipelineSource {
  constructor(private readonly props: EcrSourceProps) {
    super();
  }

  public _toModel(ctx: ModelContext, role: SourceRole = PRIMARY): SourceModel {
    const v: Validator = ctx.validator;
    v.requireObject(ctx.field, this.props, 'Pass { repository, tag? } to PipelineSource.ecr().');
    if (!role.triggersPipeline) {
      v.fail(`${role.additionalField}.triggersPipeline`, 'is false, but a push of the image tag always starts the pipeline for an ECR source '
        + '(aws-cdk-lib\'s ECR source action creates the EventBridge rule that starts it, and cannot leave it out)', false,
      'Leave triggersPipeline out, or pull the image in the build (docker pull, with rolePolicyStatements allowing it) instead of adding it as a source.');
    }
    v.noMisspeltFields(ctx.field, this.props, 'EcrSourceProps');
    const repository = this.props.repository;
    if (!isResource(repository, 'repositoryName')) {
      v.fail(`${ctx.field}.repository`, 'must be an ecr.IRepository', repository, 'Pass an ecr.Repository or ecr.Repository.fromRepositoryName(...).');
    }
    const tag = v.optionalString(`${ctx.field}.tag`, this.props.tag, "Pass the image tag, for example 'latest'.") ?? 'latest';
    if (!isToken(tag) && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/.test(tag)) {
      v.fail(`${ctx.field}.tag`, 'is not an image tag', tag, "Use letters, digits, '_', '.' and '-', starting with a letter, a digit or '_', for example 'latest' or 'release-1.2'.");
    }
    const literal = literalName(repository, repository.repositoryName);
    const name = literal ?? 'ECR repository';
    const otherAccount = otherAccountOf(ctx, repository.env?.account);
    refuseOtherRegion(ctx, 'repository', 'an ECR repository', repository.env?.region, (repository as any).repositoryArn ?? repository.repositoryName,
      'replicate the repository into {region} (ECR replication) and pass the replica.');
    return {
      kind: 'ECR',
      summary: `${name}:${tag} (ECR)`,
      changeKey: `ECR ${literal ?? repository.repositoryName}:${tag}`,
      repository: literal,
      branch: tag,
      triggers: [`push of image tag ${tag}`],
      startsOn: [tag],
      produce: (scope, output) => {
        const props: actions.EcrSourceActionProps = {
          actionName: role.actionName,
          repository,
          imageTag: tag,
          output,
          variablesNamespace: role.variablesNamespace,
        };
        const action = otherAccount ? new OtherAccountEcrSourceAction(props, otherAccount) : new actions.EcrSourceAction(props);
        if (otherAccount) {
          Annotations.of(scope).addWarningV2('delivery-pipeline:otherAccountEcrSource',
            `${ctx.field}.repository '${name}' is in account ${otherAccount}, the pipeline in account ${ctx.pipelineAccount}: `
            + `ECR sends its push events to the default event bus of account ${otherAccount} only, so a push starts the pipeline only when `
            + `that account forwards them (an EventBridge rule there whose target is the default event bus of account ${ctx.pipelineAccount}, `
            + `whose resource policy allows account ${otherAccount} to put events). The repository's policy must also allow account `
            + `${ctx.pipelineAccount} ecr:DescribeImages (and pulling, for the deployments). The pipeline's rule accepts events of account ${otherAccount} only.`);
        }
        return { action, revision: revisionOf(role, 'image ', action.variables.imageDigest, 'ImageDigest', ` (${name}:${tag}`, ')') };
      },
    };
  }
}

/**
 * The ECR source action for a repository of another account: aws-cdk-lib's rule matches the
 * repository by name only, so a repository of the same name in the pipeline's account would start
 * the pipeline too; the rule also filters on the repository's account.
 */
class OtherAccountEcrSourceAction extends actions.EcrSourceAction {
  constructor(props: actions.EcrSourceActionProps, private readonly repositoryAccount: string) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = super.bound(scope, stage, options);
    const rule = scope.node.tryFindChild(`${Names.nodeUniqueId(stage.pipeline.node)}SourceEventRule`);
    if (rule instanceof events.Rule) rule.addEventPattern({ account: [this.repositoryAccount] });
    return config;
  }
}

/**
 * The CodeCommit source action of an additional source: aws-cdk-lib names the EventBridge rule that
 * starts the pipeline after the pipeline and the branch, so two sources of one repository and branch
 * would create the same construct. The rule is created here instead, named after the action (unique
 * in the stage), beside aws-cdk-lib's `<pipeline>EventRule` / `<pipeline>-<branch>-EventRule`.
 */
class AdditionalCodeCommitSourceAction extends actions.CodeCommitSourceAction {
  constructor(private readonly sourceProps: actions.CodeCommitSourceActionProps, private readonly startsPipeline: boolean) {
    super({ ...sourceProps, trigger: actions.CodeCommitTrigger.NONE });
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = super.bound(scope, stage, options);
    if (this.startsPipeline) {
      const pipeline = stage.pipeline;
      this.sourceProps.repository.onCommit(`${Names.nodeUniqueId(pipeline.node)}Source${this.sourceProps.actionName}EventRule`, {
        target: new targets.CodePipeline(pipeline),
        branches: [this.sourceProps.branch!],
        crossStackScope: pipeline,
      });
    }
    return config;
  }
}

/**
 * A CodeCommit repository or S3 bucket of another account than the pipeline's. aws-cdk-lib would
 * render its source action with a role in that account (a support stack) and needs a customer
 * managed artifact key the pipeline does not create for a source; it stops with an error about a
 * `crossAccountKeys` option DeliveryPipeline does not have. Refused here with what to do instead.
 */
function refuseOtherAccount(
  ctx: ModelContext, field: string, what: string, account: string | undefined, value: string, why: string, fix: string,
): void {
  const other = otherAccountOf(ctx, account);
  if (other === undefined) return;
  ctx.validator.fail(`${ctx.field}.${field}`,
    `is ${what} of account ${other}, but the pipeline's stack is in account ${ctx.pipelineAccount}, and a source in another account is not supported (${why})`, value,
    `Deploy the pipeline's stack in account ${other}, or ${fix}`);
}

/**
 * A CodeCommit repository, S3 bucket or ECR repository in another region than the pipeline's:
 * CodePipeline runs source actions in the pipeline's region only (aws-cdk-lib refuses a CodeCommit
 * or S3 one with an error that names neither field nor fix, and renders an ECR one without its
 * region, so the action would read a repository of that name in the pipeline's region).
 */
function refuseOtherRegion(ctx: ModelContext, field: string, what: string, region: string | undefined, value: string, fix: string): void {
  const pipelineRegion = ctx.pipelineRegion;
  const unknown = (r: string | undefined) => r === undefined || Token.isUnresolved(r);
  if (unknown(region) || unknown(pipelineRegion) || region === pipelineRegion) return;
  ctx.validator.fail(`${ctx.field}.${field}`,
    `is ${what} in region ${region}, but the pipeline's stack is in region ${pipelineRegion}, and CodePipeline runs source actions in the pipeline's region only`, value,
    `Deploy the pipeline's stack in ${region}, or ${fix.replace('{region}', pipelineRegion!)}`);
}

/** The source's account when it is known to differ from the pipeline's (both literal), else undefined. */
function otherAccountOf(ctx: ModelContext, account: string | undefined): string | undefined {
  const pipelineAccount = ctx.pipelineAccount;
  if (account === undefined || Token.isUnresolved(account) || pipelineAccount === undefined || Token.isUnresolved(pipelineAccount)) return undefined;
  return account === pipelineAccount ? undefined : account;
}
