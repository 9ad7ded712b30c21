import { Annotations, Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ApprovalModel, ModelContext, RenderContext, SourceRevision } from '../model/model';
import { approverOfAnotherAccount, describeGrantee } from '../private/action-grants';
import { refuseSecretInPipelineDefinition } from '../private/commands-spec';
import { APPROVAL_ROLE_ID, uniqueName } from '../private/physical-names';
import { defaultResourceFix, refuseOwnedOfOtherApp, refuseOwnedUnreferable } from '../private/referable';
import { innerPrincipal, refuseOtherStagePrincipal } from '../private/stage-principals';
import { described, isToken, Validator } from '../private/validation';

/** Options of a manual approval. */
export interface ManualApprovalOptions {
  /**
   * SNS topic told when the approval is waiting.
   *
   * @default - the topic of notifyEmails when they are set, else `DeliveryDefaults`' approvalNotify,
   * else no notification
   */
  readonly notify?: sns.ITopic;
  /**
   * Email addresses told when the approval is waiting (a topic is created for them, one per
   * environment, encrypted with the AWS managed key `alias/aws/sns`). Ignored when `notify` is set; when set, `DeliveryDefaults`' approvalNotify does
   * not apply to this approval.
   *
   * @default - none
   */
  readonly notifyEmails?: string[];
  /**
   * A URL the approver should look at (release notes, a dashboard, the staging site).
   *
   * It is written into the pipeline's definition and sent in the approval's notification: one
   * holding a secret (a Secrets Manager or SecureString dynamic reference, or a `SecretValue`
   * token) is refused at synth.
   *
   * @default - none
   */
  readonly reviewUrl?: string;
  /**
   * Text shown to the approver after the line that names the revision being promoted, at most 300
   * characters. The whole text holds at most 500 (CodePipeline's limit): when long repository,
   * branch or environment names would make it longer, the source's names in the revision line are
   * cut, ending in '...'. Like `reviewUrl`, it is written into the pipeline's definition and sent in
   * the approval's notification: one holding a secret is refused at synth.
   *
   * @default - only the revision line
   */
  readonly comment?: string;
  /**
   * Principals who may answer this approval: each is granted `codepipeline:PutApprovalResult` on
   * exactly this approval action, and reading what `cdk-delivery approve` reads to find it and
   * follow it with `--wait` (the pipeline's structure, state, executions, action and rule
   * executions, on the pipeline). When the environment has a `deploymentWindow`,
   * `blockWhileAlarming` or `Verification.alarms`, also `codepipeline:OverrideStageCondition` on its
   * stage and on the pipeline (`cdk-delivery override`), as `grantApprove` grants. They must be of
   * the pipeline's account (CodePipeline has no resource-based policies); one of another account is
   * refused.
   *
   * @default - nobody is granted anything (use `pipeline.grantApprove()` or your own IAM)
   */
  readonly approvers?: iam.IGrantable[];
  /**
   * How long the approval waits before it fails, 5 minutes to 60 days.
   *
   * @default Duration.days(7)
   */
  readonly timeout?: Duration;
}

/** The action name of a manual approval. */
export const APPROVAL_ACTION_NAME = 'Approve';
/** The action name of a change-set review. */
export const CHANGE_SET_REVIEW_ACTION_NAME = 'ReviewChangeSet';

/** Longest `comment` accepted: CodePipeline's custom data holds 500 characters with the revision line. */
export const MAX_COMMENT_LENGTH = 300;

/** Longest approval text (the action's `CustomData`: the revision line and the comment) CodePipeline accepts. */
export const MAX_APPROVAL_TEXT_LENGTH = 500;

/** Ends the names cut from an approval text that would be too long. */
const ELLIPSIS = '...';

/**
 * The approval text: the line naming the revision, then the comment, and its length as CodePipeline
 * counts it (undefined when it holds a token other than the revision's variable: not known at
 * synth). When it would exceed MAX_APPROVAL_TEXT_LENGTH, the revision's names (repository and
 * branch, bucket and key, image repository and tag) are cut, ending in '...', so that it fits, if
 * cutting them is enough.
 */
export function approvalText(lead: (revision: string) => string, revision: SourceRevision, comment: string | undefined): ApprovalText {
  const r = revision.parts;
  const text = (variable: string, names: string) => {
    const line = lead(`${r.before}${variable}${names}${r.after}`);
    return comment ? `${line} ${comment}` : line;
  };
  const measured = text(r.renderedVariable, r.names);
  if (isToken(measured)) return { text: text(r.variable, r.names), length: undefined };
  const keep = r.names.length - (measured.length - MAX_APPROVAL_TEXT_LENGTH) - ELLIPSIS.length;
  if (measured.length <= MAX_APPROVAL_TEXT_LENGTH || keep < 0) return { text: text(r.variable, r.names), length: measured.length };
  const names = `${r.names.slice(0, keep)}${ELLIPSIS}`;
  return { text: text(r.variable, names), length: text(r.renderedVariable, names).length };
}

/** An approval's text (see approvalText). */
export interface ApprovalText {
  readonly text: string;
  /** Its length as rendered; undefined when not known at synth. */
  readonly length: number | undefined;
}

/**
 * A person's decision gate in front of an environment.
 */
export abstract class Approval {
  /** A manual approval before the environment's deployments: one person pushes the button. */
  public static manual(options: ManualApprovalOptions = {}): Approval {
    return new ManualApproval(options ?? {}, 'manual-approval');
  }

  /**
   * A manual approval between creating and executing the environment's CloudFormation change
   * sets, so the approver reviews exactly what will change. Needs a CloudFormation target.
   */
  public static changeSetReview(options: ManualApprovalOptions = {}): Approval {
    return new ManualApproval(options ?? {}, 'change-set-review');
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext, environmentName: string, addedByDefault: boolean): ApprovalModel;

  /**
   * How the user wrote it, for messages.
   *
   * @internal
   */
  public abstract _describe(): string;
}

class ManualApproval extends Approval {
  constructor(private readonly options: ManualApprovalOptions, private readonly kind: 'manual-approval' | 'change-set-review') {
    super();
  }

  public _describe(): string {
    return this.kind === 'manual-approval' ? 'Approval.manual()' : 'Approval.changeSetReview()';
  }

  public _toModel(ctx: ModelContext, environmentName: string, addedByDefault: boolean): ApprovalModel {
    const v: Validator = ctx.validator;
    const o = this.options;
    v.requireObject(ctx.field, o, 'Pass an options object, for example Approval.manual({ notify: topic }).');
    v.noMisspeltFields(ctx.field, o, 'ManualApprovalOptions');
    const comment = v.optionalString(`${ctx.field}.comment`, o.comment, 'Pass the text the approver should read.');
    // the comment and the link are the action's configuration (CustomData, ExternalEntityLink), and the approval's notification carries both
    refuseSecretInPipelineDefinition(v, `${ctx.field}.comment`, comment,
      "Keep secrets out of the approval's text, which CodePipeline also sends in the approval's notification (customData): "
      + "put what the approver needs behind reviewUrl, on a page that asks for the approver's own credentials.");
    if (comment && comment.length > MAX_COMMENT_LENGTH) {
      v.fail(`${ctx.field}.comment`, `must be at most ${MAX_COMMENT_LENGTH} characters (CodePipeline shows 500 with the revision line)`,
        described(`${comment.length} characters`), 'Shorten it and put the details behind reviewUrl.');
    }
    const reviewUrl = v.optionalString(`${ctx.field}.reviewUrl`, o.reviewUrl, "Pass an https URL such as 'https://shop.example.com/release-notes'.");
    refuseSecretInPipelineDefinition(v, `${ctx.field}.reviewUrl`, reviewUrl,
      "Link a page that asks for the approver's own credentials instead of a URL that carries a secret, which CodePipeline also sends in the "
      + "approval's notification (externalEntityLink).");
    if (reviewUrl && !/^https?:\/\/\S+$/.test(reviewUrl) && !reviewUrl.startsWith('${Token')) {
      v.fail(`${ctx.field}.reviewUrl`, 'must be an http(s) URL', reviewUrl, "Pass a URL such as 'https://shop.example.com/release-notes'.");
    }
    if (reviewUrl && !isToken(reviewUrl) && reviewUrl.length > 1000) {
      v.fail(`${ctx.field}.reviewUrl`, 'must be at most 1000 characters (CodePipeline\'s limit for an action configuration value)',
        described(`${reviewUrl.length} characters`), 'Link a shorter URL, for example a page that holds the details.');
    }
    const notifyEmails = v.optionalStringArray(`${ctx.field}.notifyEmails`, o.notifyEmails, "Pass addresses such as ['releases@example.com'].");
    for (const email of notifyEmails ?? []) {
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) v.fail(`${ctx.field}.notifyEmails`, 'holds an address that is not an email address', email, 'Pass addresses such as releases@example.com.');
    }
    (notifyEmails ?? []).forEach((email, i) => {
      const first = notifyEmails!.findIndex(e => e.toLowerCase() === email.toLowerCase());
      if (first !== i) v.fail(`${ctx.field}.notifyEmails[${i}]`, `is the address of notifyEmails[${first}] again`, email, 'Name each address once.');
    });
    v.optionalTopic(`${ctx.field}.notify`, o.notify);
    const timeout = o.timeout;
    if (timeout !== undefined) {
      v.durationMinutes(`${ctx.field}.timeout`, timeout, {
        min: 5, max: 86400, limits: 'whole minutes from 5 minutes to 60 days (CodePipeline\'s limits for a manual approval)', example: 'Duration.days(3)',
      });
    }
    if (o.approvers !== undefined) {
      if (!Array.isArray(o.approvers)) v.fail(`${ctx.field}.approvers`, 'must be an array of iam.IGrantable', o.approvers, 'Pass roles or users, for example [releaseManagersRole].');
      o.approvers.forEach((a, i) => {
        if (!a || typeof a !== 'object' || !(a as any).grantPrincipal || typeof (a as any).grantPrincipal.addToPrincipalPolicy !== 'function') {
          v.fail(`${ctx.field}.approvers[${i}]`, 'must be an iam.IGrantable (a role, user or group)', a, 'Pass roles or users, for example [releaseManagersRole].');
        }
        // a principal adapter (PrincipalWithConditions, SessionTagsPrincipal) passes its statements to the role inside
        if (a.grantPrincipal instanceof iam.PrincipalBase && !(a.grantPrincipal instanceof iam.PrincipalWithConditions)
          && !(a.grantPrincipal instanceof iam.SessionTagsPrincipal)) {
          v.fail(`${ctx.field}.approvers[${i}]`, 'is a principal that holds no IAM policy (a service, account or ARN principal), so the grant would allow nothing',
            described(describeGrantee(a)), 'Pass roles or users, for example iam.Role.fromRoleArn(this, \'ReleaseManagers\', \'arn:aws:iam::111111111111:role/release-managers\').');
        }
        refuseOwnedOfOtherApp(v, `${ctx.field}.approvers[${i}]`, innerPrincipal(a.grantPrincipal), 'a principal');
        const other = ctx.pipelineAccount !== undefined ? approverOfAnotherAccount(a, ctx.pipelineAccount) : undefined;
        if (other !== undefined) {
          v.fail(`${ctx.field}.approvers[${i}]`,
            `is a principal of account ${other}, which cannot answer an approval of a pipeline in account ${ctx.pipelineAccount} (CodePipeline has no resource-based policies, so the grant would allow nothing)`,
            described(describeGrantee(a)), `Pass a role of account ${ctx.pipelineAccount} that the approvers of account ${other} may assume.`);
        }
        refuseOtherStagePrincipal(v, `${ctx.field}.approvers[${i}]`, a.grantPrincipal, 'a principal', 'grant', arn =>
          `Pass the role imported by its ARN, in any stack: iam.Role.fromRoleArn(this, 'Approvers', '${arn}'); the pipeline then grants it in its own stack `
          + '(the role must exist when the pipeline\'s stack is deployed).');
      });
    }
    const actionName = this.kind === 'manual-approval' ? APPROVAL_ACTION_NAME : CHANGE_SET_REVIEW_ACTION_NAME;
    // the approval's own settings win over DeliveryDefaults: its topic, else its emails' topic, else the default
    const ownEmails = notifyEmails !== undefined && notifyEmails.length > 0 ? notifyEmails : undefined;
    const notify = o.notify ?? (ownEmails ? undefined : v.defaults.approvalNotify as sns.ITopic | undefined);
    const notifyField = o.notify ? `${ctx.field}.notify` : 'DeliveryDefaults.approvalNotify';
    if (notify) {
      refuseOwnedUnreferable(v, notifyField, notify, 'an SNS topic', o.notify
        ? "Create the topic in the pipeline's stack (or another stack of its account and Region), or import it there by ARN with "
          + "sns.Topic.fromTopicArn(pipelineStack, 'Approvals', 'arn:aws:sns:...')."
        : defaultResourceFix('topic', "sns.Topic.fromTopicArn(platformStack, 'Approvals', 'arn:aws:sns:<pipeline Region>:...')", 'approvalNotify'));
    }
    const namedRole = notify !== undefined && otherAccountTopic(ctx, notifyField, notify);
    const who = notify || ownEmails ? ' (approvers notified)' : '';
    const summary = this.kind === 'manual-approval'
      ? `manual approval before deploying to ${environmentName}${who}`
      : `manual review of the CloudFormation change sets before they execute${who}`;
    return {
      kind: this.kind,
      actionName,
      summary: addedByDefault ? `${summary} — added by default (continuous delivery)` : summary,
      addedByDefault,
      approvers: o.approvers ?? [],
      namedRole,
      produce: (rc: RenderContext): codepipeline.IAction => {
        const { text, length } = approvalText(rev => this.kind === 'manual-approval'
          ? `Approve to promote ${rev} to ${environmentName}.`
          : `Review the change sets of ${environmentName} for ${rev}.`, rc.sourceRevision, comment);
        if (length !== undefined && length > MAX_APPROVAL_TEXT_LENGTH) {
          v.fail(`${ctx.field}.comment`, `makes the approval text of environment '${environmentName}' longer than CodePipeline's `
            + `${MAX_APPROVAL_TEXT_LENGTH} characters, even with the source's names cut`,
          described(`${length} characters`), 'Shorten the comment, and put the details behind reviewUrl.');
        }
        return new actions.ManualApprovalAction({
          actionName: rc.actionName,
          runOrder: rc.runOrder,
          notificationTopic: notify ?? (ownEmails ? emailTopic(rc.scope, ownEmails) : undefined),
          externalEntityLink: reviewUrl,
          role: rc.approvalRole(),
          additionalInformation: text,
          timeout,
        });
      },
    };
  }
}

/**
 * The topic of `notifyEmails` when no topic is given: one per environment (its `scope`), however
 * many review waves a change-set review has; aws-cdk-lib would create one per approval action, and
 * each address would get one confirmation mail per wave. It accepts publishing over TLS only, like
 * the topics the README's examples create, and is encrypted at rest with the AWS managed key
 * `alias/aws/sns`: its only publisher is the approvals' role, of the topic's account, which that
 * key's policy lets use it through SNS (it cannot let AWS services publish, and none does here).
 * A customer managed key would cost a key per pipeline; pass your own topic (`notify`) for one.
 */
function emailTopic(scope: Construct, emails: string[]): sns.ITopic {
  const existing = scope.node.tryFindChild('ApprovalTopic');
  if (existing) return existing as sns.Topic;
  const masterKey = kms.Alias.fromAliasName(scope, 'ApprovalTopicKey', 'alias/aws/sns');
  const topic = new sns.Topic(scope, 'ApprovalTopic', { enforceSSL: true, masterKey });
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
  return topic;
}

/** The account a topic or key is of, when known at synth: its ARN's, else its stack's. */
function accountOf(resource: sns.ITopic | kms.IKey, arn: string): string | undefined {
  if (!Token.isUnresolved(arn)) return arn.split(':')[4] || undefined;
  const account = Resource.isOwnedResource(resource) ? Stack.of(resource).account : resource.env.account;
  return Token.isUnresolved(account) ? undefined : account;
}

/** The key behind an alias, or the key itself. */
function keyBehind(key: kms.IKey): kms.IKey {
  // an alias imported by name has no key to tell (its aliasTargetKey throws)
  const target = Resource.isOwnedResource(key) ? (key as Partial<kms.IAlias>).aliasTargetKey : undefined;
  return target !== undefined && target !== key ? keyBehind(target) : key;
}

/**
 * True when an approval topic, or its key, is of another account than the pipeline's: the
 * approvals' role publishes to it, and the topic's (or key's) policy there must allow the role, by
 * its ARN, so the role is given a name (see uniqueName). A key defined in a stack of the app gets
 * the statement from aws-cdk-lib; the policies of a topic or key imported by ARN cannot be changed
 * here, and a warning names the statements their owner must add.
 */
function otherAccountTopic(ctx: ModelContext, field: string, topic: sns.ITopic): boolean {
  const v = ctx.validator;
  const scope = ctx.pipelineScope ?? v.pipeline;
  const pipelineAccount = scope ? Stack.of(scope).account : undefined;
  const ours = pipelineAccount !== undefined && !Token.isUnresolved(pipelineAccount) ? pipelineAccount : undefined;
  const key = topic.masterKey ? keyBehind(topic.masterKey) : undefined;
  refuseOwnedOfOtherApp(v, `${field}.masterKey`, topic.masterKey, 'a KMS key');
  if (ours === undefined || scope === undefined) return false;
  const topicAccount = accountOf(topic, topic.topicArn);
  const keyAccount = key ? accountOf(key, key.keyArn) : undefined;
  const otherTopic = topicAccount !== undefined && topicAccount !== ours;
  const otherKey = keyAccount !== undefined && keyAccount !== ours;
  if (!otherTopic && !otherKey) return false;
  const pipelineStack = Stack.of(scope);
  const roleName = uniqueName(scope, APPROVAL_ROLE_ID);
  const keyOfApp = key !== undefined && Resource.isOwnedResource(key);
  if (Token.isUnresolved(roleName) && keyOfApp && otherKey) {
    v.fail(`${field}`, `is encrypted with key '${key.node.path}' of account ${keyAccount}, not the pipeline's (${ours}): its key policy must name the approvals' role, `
      + `whose name is known only when it deploys, as the pipeline's stack '${pipelineStack.node.path}' names no Region`, key.node.path,
    `Give stack '${pipelineStack.node.path}' an env with its Region, or encrypt the topic with a key of account ${ours}.`);
  }
  if (keyOfApp && !otherTopic) return true;
  const partition = [topic.topicArn, key?.keyArn].map(a => a !== undefined && !Token.isUnresolved(a) ? a.split(':')[1] : undefined).find(p => p) ?? 'aws';
  const role = Token.isUnresolved(roleName)
    ? `'${scope.node.path}/${APPROVAL_ROLE_ID}' (its ARN is known when it deploys)`
    : `arn:${partition}:iam::${ours}:role/${roleName}`;
  const principal = Token.isUnresolved(roleName) ? '<the role\'s ARN>' : role;
  const keyStatement = `{ "Effect": "Allow", "Principal": { "AWS": "${principal}" }, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*" }`;
  const keyName = key && !Token.isUnresolved(key.keyArn) ? `key ${key.keyArn}` : `key '${key?.node.path}'`;
  let message: string;
  if (otherTopic) {
    const topicName = Token.isUnresolved(topic.topicArn) ? 'an imported topic' : `topic ${topic.topicArn}`;
    message = `${field} is ${topicName} of account ${topicAccount}, not the pipeline's (${ours}): the approvals' role ${role} publishes to it, `
      + 'which only the topic\'s owner can allow. Add this statement to the topic policy: '
      + `{ "Effect": "Allow", "Principal": { "AWS": "${principal}" }, "Action": "sns:Publish", "Resource": "${Token.isUnresolved(topic.topicArn) ? '<the topic\'s ARN>' : topic.topicArn}" }`;
    if (key === undefined) {
      message += '. If the topic is encrypted, its key policy must also allow the role kms:Decrypt and kms:GenerateDataKey*, and the role\'s own policy must name the key: '
        + "import the topic with sns.Topic.fromTopicAttributes(this, 'Approvals', { topicArn, keyArn }) so that the pipeline grants it.";
    } else if (otherKey && !keyOfApp) {
      message += `, and this statement to the policy of its ${keyName}: ${keyStatement}.`;
    } else {
      message += '.';
    }
  } else {
    message = `${field} is encrypted with ${keyName} of account ${keyAccount}, not the pipeline's (${ours}): the approvals' role ${role} publishes to the topic, `
      + `which only the key's owner can allow. Add this statement to the key policy: ${keyStatement}.`;
  }
  Annotations.of(scope).addWarningV2('delivery-pipeline:otherAccountApprovalTopic', `${message} Otherwise the approvers are never told.`);
  return true;
}
