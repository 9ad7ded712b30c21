import {
  ApprovalAlreadyCompletedException, CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand, GetPipelineStateCommand,
  InvalidApprovalTokenException, ListActionExecutionsCommand, ListPipelineExecutionsCommand, ListRuleExecutionsCommand, PutApprovalResultCommand,
  StageNotFoundException,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { action, actionExecutions, COMMIT_2, COMMIT_3, execution3, executions, PIPELINE, pipelineState, TOKEN, waitingApproval } from './fixtures/pipeline';
import { awsError, cli, minutesAgo, NOW } from './helpers';

const cp = mockClient(CodePipelineClient);

beforeEach(() => {
  cp.reset();
  cp.on(GetPipelineStateCommand).resolves(pipelineState());
  cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: execution3() });
  cp.on(PutApprovalResultCommand).resolves({ approvedAt: new Date('2026-11-20T12:00:01Z') });
});

describe('approve', () => {
  test('answers the pending approval with its token when the abbreviated revision matches', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', '3F2A9C1', '--comment', 'release 42']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineStateCommand, { name: PIPELINE });
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-3' });
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, {
      pipelineName: PIPELINE,
      stageName: 'prod',
      actionName: 'Approve',
      token: TOKEN,
      result: { status: 'Approved', summary: 'release 42' },
    });
    expect(r.stdout).toContain('approved 3f2a9c1 "Add gift cards" (execution exec-3)');
  });

  test('accepts the full commit id and --execution', async () => {
    expect((await cli(['approve', PIPELINE, '--env', 'prod', '--revision', COMMIT_3])).code).toBe(0);
    expect((await cli(['approve', PIPELINE, '--env', 'prod', '--execution', 'exec-3'])).code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 2);
  });

  test('refuses when the waiting approval is for another revision, naming both', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', 'deadbeef']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(COMMIT_3);
    expect(r.stderr).toContain('not deadbeef');
    expect(r.stderr).toMatch(/^cdk-delivery: refusing to approve/);
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test('refuses when the waiting approval is for another execution', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--execution', 'exec-9']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('is for execution exec-3 (revision 3f2a9c1), not exec-9');
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test.each(['', 'exec 3'])('an --execution that is no execution id (%j) is a usage error before any call (regression: taken as a confirmation)', async (id) => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--execution', id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cdk-delivery: .*execution id \(--execution\)/);
    expect(cp).not.toHaveReceivedCommand(GetPipelineStateCommand);
  });

  test('rejects revisions shorter than 4 characters as a usage error', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', '3f2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('at least 4 characters');
    expect(cp.calls()).toHaveLength(0);
  });

  test('a --comment longer than 512 characters is a usage error before any call', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--comment', 'x'.repeat(513)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cdk-delivery: --comment is 513 characters long; CodePipeline accepts at most 512\n');
    expect(cp.calls()).toHaveLength(0);
    // 512 characters (here 512 emoji, 1,024 UTF-16 code units) are sent
    const max = '🚀'.repeat(512);
    expect((await cli(['reject', PIPELINE, '--env', 'prod', '--yes', '--comment', max])).code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, { result: { status: 'Rejected', summary: max } });
  });

  test('refuses without --yes when stdin is not a terminal, before any call', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cdk-delivery: refusing to approve without confirmation: stdin is not a terminal; pass --yes, --revision <sha> or --execution <id>\n');
    expect(cp.calls()).toHaveLength(0);
  });

  test('asks for confirmation on a terminal and approves on yes', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => true });
    expect(r.code).toBe(0);
    expect(r.io.questions).toEqual(['Approve 3f2a9c1 into prod?']);
    expect(r.stderr).toContain('waiting for 3f2a9c1 "Add gift cards" (execution exec-3)');
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 1);
  });

  test('does nothing when the confirmation is declined', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing done');
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test('--yes skips the question', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes'], { stdinIsTTY: true, confirm: async () => false });
    expect(r.code).toBe(0);
    expect(r.io.questions).toEqual([]);
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 1);
  });

  test('reject sends Rejected', async () => {
    const r = await cli(['reject', PIPELINE, '--env', 'prod', '--yes', '--comment', 'not today']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, { result: { status: 'Rejected', summary: 'not today' }, token: TOKEN });
    expect(r.stdout).toContain('rejected 3f2a9c1');
  });

  test('--json prints the answer', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ pipeline: PIPELINE, environment: 'prod', decision: 'Approved', executionId: 'exec-3', revision: COMMIT_3 });
  });

  test('exit 3 when no approval is pending', async () => {
    cp.on(GetPipelineStateCommand).resolves(pipelineState({ approval: false }));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: no pending approval in environment 'prod' of pipeline '${PIPELINE}'\n`);
  });

  describe('exit 3 when no approval is pending in a frozen environment: the message says why, and what lets the change in', () => {
    const frozen = (waiting: string[]) => {
      const state = pipelineState({ approval: false, prodStatus: 'Succeeded' });
      state.stageStates![3] = {
        ...state.stageStates![3],
        inboundTransitionState: {
          enabled: false, disabledReason: 'Change freeze until Jan 2', lastChangedBy: 'arn:aws:sts::111111111111:assumed-role/Release/alice', lastChangedAt: minutesAgo(120),
        },
        inboundExecutions: waiting.map((id) => ({ pipelineExecutionId: id, status: 'InProgress' as const })),
      };
      return state;
    };

    test('an execution waiting before it (regression: only "no pending approval", while its approval comes once unfrozen)', async () => {
      cp.on(GetPipelineStateCommand).resolves(frozen(['exec-4']));
      const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`cdk-delivery: no pending approval in environment 'prod' of pipeline '${PIPELINE}': it is frozen ("Change freeze until Jan 2" by alice, `
        + `2h 00m ago) and execution exec-4 waits before it; unfreeze it to let that execution in (cdk-delivery unfreeze ${PIPELINE} --env prod)\n`);
      expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
    });

    test('no execution waiting before it', async () => {
      cp.on(GetPipelineStateCommand).resolves(frozen([]));
      const r = await cli(['reject', PIPELINE, '--env', 'prod', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`cdk-delivery: no pending approval in environment 'prod' of pipeline '${PIPELINE}': it is frozen ("Change freeze until Jan 2" by alice, `
        + `2h 00m ago), so no execution enters it until it is unfrozen (cdk-delivery unfreeze ${PIPELINE} --env prod)\n`);
    });
  });

  test('exit 3 on an unknown environment, listing the valid ones', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'production', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("unknown environment 'production' in pipeline 'shop-pipeline'; environments: staging, prod");
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test('exit 3 on StageNotFoundException', async () => {
    cp.on(PutApprovalResultCommand).rejects(new StageNotFoundException({ message: 'stage gone', $metadata: {} }));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("environment 'prod' not found in pipeline 'shop-pipeline'");
  });

  test('exit 7 when the token expired', async () => {
    cp.on(PutApprovalResultCommand).rejects(new InvalidApprovalTokenException({ message: 'bad token', $metadata: {} }));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('the approval token is no longer valid');
  });

  test('exit 7 when the approval was already answered', async () => {
    cp.on(PutApprovalResultCommand).rejects(new ApprovalAlreadyCompletedException({ message: 'done', $metadata: {} }));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('already answered');
  });

  test('exit 4 naming codepipeline:PutApprovalResult when access is denied', async () => {
    cp.on(PutApprovalResultCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('needs the IAM permission codepipeline:PutApprovalResult');
  });

  test('missing --env is a usage error', async () => {
    const r = await cli(['approve', PIPELINE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--env <name>' not specified");
  });
});

describe('approve --wait', () => {
  /** GetPipeline's answer: the prod stage's actions with their run orders. */
  const declaration = (actions: [string, number][]) => ({
    pipeline: {
      name: PIPELINE,
      roleArn: 'arn:aws:iam::111111111111:role/p',
      stages: [{
        name: 'prod',
        actions: actions.map(([name, runOrder]) => ({
          name, runOrder, actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CloudFormation', version: '1' },
        })),
      }],
    },
  });
  const after = (prodStatus: string, deploy: string, message?: string) => {
    const s = pipelineState({ approval: false, prodStatus });
    const prod = s.stageStates![3];
    prod.actionStates![1].latestExecution = {
      status: deploy as 'Failed', lastStatusChange: new Date('2026-11-20T12:00:30Z'), errorDetails: message ? { code: 'JobFailed', message } : undefined,
    };
    return s;
  };

  test('an action the execution has not reached yet shows as not started, not with the state of an earlier execution', async () => {
    const answered = () => {
      const s = pipelineState({ approval: false, prodStatus: 'InProgress' });
      // the approval was answered at 12:00:01 (PutApprovalResult's approvedAt); Deploy last ran in an earlier execution, and failed there
      s.stageStates![3].actionStates![0].latestExecution = { status: 'Succeeded', lastStatusChange: new Date('2026-11-20T12:00:01Z') };
      s.stageStates![3].actionStates![1].latestExecution = {
        status: 'Failed', lastStatusChange: new Date('2026-11-19T09:00:00Z'), errorDetails: { code: 'JobFailed', message: 'old failure' },
      };
      return s;
    };
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState())
      .resolvesOnce(answered())
      .resolves(after('Succeeded', 'Succeeded'));
    cp.on(GetPipelineCommand).resolves(declaration([['Approve', 1], ['Deploy', 2]]));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { pollIntervalMs: 3 });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('prod: InProgress — Approve Succeeded, Deploy not started\n');
    expect(r.stderr).not.toContain('old failure');
    expect(r.stderr).toContain('prod succeeded');
  });

  test('an action of an earlier run order (a change set prepared before the review) shows its state, though it changed before the answer', async () => {
    const reviewed = () => {
      const s = pipelineState({ approval: false, prodStatus: 'InProgress' });
      s.stageStates![3].actionStates = [
        { actionName: 'shop-prod.Prepare', latestExecution: { status: 'Succeeded', lastStatusChange: new Date('2026-11-20T11:59:00Z') } },
        { actionName: 'ReviewChangeSet', latestExecution: { status: 'Succeeded', lastStatusChange: new Date('2026-11-20T12:00:01Z') } },
        { actionName: 'shop-prod.Deploy', latestExecution: { status: 'InProgress', lastStatusChange: new Date('2026-11-20T12:00:05Z') } },
      ];
      return s;
    };
    const waiting = pipelineState();
    waiting.stageStates![3].actionStates![0].actionName = 'ReviewChangeSet';
    cp.on(GetPipelineStateCommand).resolvesOnce(waiting).resolvesOnce(reviewed()).resolves(after('Succeeded', 'Succeeded'));
    cp.on(GetPipelineCommand).resolves(declaration([['shop-prod.Prepare', 1], ['shop-prod.Deploy', 3], ['ReviewChangeSet', 2]]));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { pollIntervalMs: 3 });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('prod: InProgress — shop-prod.Prepare Succeeded, ReviewChangeSet Succeeded, shop-prod.Deploy InProgress\n');
  });

  test('when the pipeline cannot be read (GetPipeline refused), every action is shown as GetPipelineState gives it', async () => {
    const s = pipelineState({ approval: false, prodStatus: 'InProgress' });
    s.stageStates![3].actionStates![1].latestExecution = { status: 'Succeeded', lastStatusChange: new Date('2026-11-19T09:00:00Z') };
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolvesOnce(s).resolves(after('Succeeded', 'Succeeded'));
    cp.on(GetPipelineCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: codepipeline:GetPipeline'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { pollIntervalMs: 3 });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('prod: InProgress — Approve Succeeded, Deploy Succeeded\n');
  });

  test('a second approval of the stage (ReviewChangeSet after Approve) that waits: the progress says so, with the command that answers it '
    + '(regression: followed silently)', async () => {
    const twoApprovals = (review: 'InProgress' | 'Succeeded', deploy?: 'InProgress' | 'Succeeded') => {
      const s = pipelineState({ approval: false, prodStatus: deploy === 'Succeeded' ? 'Succeeded' : 'InProgress' });
      s.stageStates![3].actionStates = [
        { actionName: 'Approve', latestExecution: { status: 'Succeeded', lastStatusChange: new Date('2026-11-20T12:00:01Z') } },
        { actionName: 'api.Prepare', latestExecution: { status: 'Succeeded', lastStatusChange: new Date('2026-11-20T12:00:10Z') } },
        {
          actionName: 'ReviewChangeSet',
          latestExecution: review === 'InProgress'
            ? { status: 'InProgress', token: 'token-review', lastStatusChange: new Date('2026-11-20T12:00:11Z') }
            : { status: 'Succeeded', lastStatusChange: new Date('2026-11-20T12:05:00Z') },
        },
        { actionName: 'api.Deploy', latestExecution: deploy ? { status: deploy, lastStatusChange: new Date('2026-11-20T12:06:00Z') } : undefined },
      ];
      return s;
    };
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState())
      .resolvesOnce(twoApprovals('InProgress'))
      .resolvesOnce(twoApprovals('InProgress'))
      .resolvesOnce(twoApprovals('Succeeded', 'InProgress'))
      .resolves(twoApprovals('Succeeded', 'Succeeded'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { pollIntervalMs: 3 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('prod: waiting for approval ReviewChangeSet (cdk-delivery approve shop-pipeline --env prod --execution exec-3)\n'
      + 'prod: InProgress — Approve Succeeded, api.Prepare Succeeded, ReviewChangeSet Succeeded, api.Deploy InProgress\n'
      + 'prod: Succeeded — Approve Succeeded, api.Prepare Succeeded, ReviewChangeSet Succeeded, api.Deploy Succeeded\n'
      + 'prod succeeded\n');
  });

  test('polls the stage to success, printing progress lines, and exits 0', async () => {
    cp.on(GetPipelineStateCommand)
      .resolvesOnce(pipelineState())
      .resolvesOnce(after('InProgress', 'InProgress'))
      .resolvesOnce(after('InProgress', 'InProgress'))
      .resolves(after('Succeeded', 'Succeeded'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { pollIntervalMs: 3 });
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 4);
    expect(r.io.sleeps).toEqual([3, 3]);
    expect(r.stderr).toContain('prod: InProgress — Approve Succeeded, Deploy InProgress');
    expect(r.stderr.match(/prod: InProgress/g)).toHaveLength(1);
    expect(r.stderr).toContain('prod succeeded');
  });

  test('Ctrl-C while waiting says that the answer stays given and the stage goes on', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(after('InProgress', 'InProgress'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], { interruptOnSleep: true });
    expect(r.stderr).toBe('prod: InProgress — Approve Succeeded, Deploy InProgress\n'
      + 'prod: stopped waiting (interrupted); what was done stays done and the stage goes on in CodePipeline (cdk-delivery status shop-pipeline)\n'
      + 'cdk-delivery: unexpected error: process exited with 130\n');
    expect(r.io.interruptHandlers.size).toBe(0);
  });

  test('a wait that ends leaves no Ctrl-C handler behind', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(after('Succeeded', 'Succeeded'));
    const done = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(done.code).toBe(0);
    expect(done.io.interruptHandlers.size).toBe(0);
  });

  test('exits 1 when the stage fails', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(after('Failed', 'Failed', 'canary alarm'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('prod failed: Deploy: canary alarm');
  });

  test('--timeout: exit 8 when the stage is still running after it, the approval stays answered', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(after('InProgress', 'InProgress'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait', '--timeout', '1m'], { clockFollowsSleeps: true }, { pollIntervalMs: 25_000 });
    expect(r.code).toBe(8);
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 1);
    expect(r.io.sleeps).toEqual([25_000, 25_000, 10_000]);
    expect(r.stderr).toContain('prod still in progress after 1m 00s; stopped waiting for execution exec-3, which goes on in CodePipeline: '
      + 'what the command did stays done, do not run it again (see: cdk-delivery status shop-pipeline)\n');
  });

  test('uses a spinner on a terminal', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(after('Succeeded', 'Succeeded'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], { stderrIsTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('prod succeeded');
    expect(r.stderr).toContain('✔');
  });

  test('control characters of a commit message never reach the confirmation prompt or the terminal', async () => {
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        ...execution3(),
        artifactRevisions: [{ revisionId: 'feedbeef'.repeat(5), revisionSummary: JSON.stringify({ CommitMessage: 'Harmless\r\x1b[2K\x1b[31mrevision 0badc0d "First release"', AuthorDisplayName: 'eve\x1b]0;x\x07' }) }],
      },
    });
    const r = await cli(['approve', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "Approve in 'prod' of 'shop-pipeline' is waiting for feedbee \"Harmless\uFFFD\uFFFD[2K\uFFFD[31mrevision 0badc0d \"First release\"\" (eve\uFFFD]0;x\uFFFD) (execution exec-3)\n"
      + 'nothing done\n');
    expect(r.io.questions).toEqual(['Approve feedbee into prod?']);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test('Unicode direction controls of a commit message are replaced: they would reorder what the prompt shows', async () => {
    cp.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: { ...execution3(), artifactRevisions: [{ revisionId: 'feedbeef'.repeat(5), revisionSummary: JSON.stringify({ CommitMessage: 'fix \u202Egnp.exe\u202C \u2066a\u2069 \u200Fb' }) }] },
    });
    const r = await cli(['approve', PIPELINE, '--env', 'prod'], { stdinIsTTY: true, confirm: async () => false });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"fix \uFFFDgnp.exe\uFFFD \uFFFDa\uFFFD \uFFFDb"');
    expect(r.stderr).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
  });

  test('control characters of a revision id and of an error message are replaced in one-line errors', async () => {
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { ...execution3(), artifactRevisions: [{ revisionId: 'abcd\x1b[2Kef' }] } });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', 'beef']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      "cdk-delivery: refusing to approve: the approval waiting in 'prod' is for revision abcd\uFFFD[2Kef (execution exec-3), not beef\n");
  });
});

describe('approve --revision with image digests and S3 version ids', () => {
  const DIGEST = 'sha256:3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a393f2a9c1d8e7b6a5f4e3d2c1b';
  const VERSION_ID = '3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQ=';
  const waitingFor = (revisionId: string) =>
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { ...execution3(), artifactRevisions: [{ name: 'Source', revisionId }] } });

  test('an ECR digest matches in full, without sha256:, or abbreviated as status shows it', async () => {
    waitingFor(DIGEST);
    for (const given of [DIGEST, DIGEST.slice('sha256:'.length), '3f2a9c1', 'sha256:3F2A']) {
      const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', given]);
      expect({ given, code: r.code, stderr: r.stderr }).toEqual({ given, code: 0, stderr: '' });
    }
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 4);
  });

  test('"sha256" alone is no longer a prefix of every digest', async () => {
    waitingFor(DIGEST);
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', 'sha256']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: refusing to approve: the approval waiting in 'prod' is for revision ${DIGEST} (execution exec-3), not sha256\n`);
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test.each([['sha256:'], ['sha256:3f2'], ['3f2'], ['3f2a 9c1'], ['3f2a;rm']])('--revision %s is a usage error before any call', async (given) => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', given]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cdk-delivery: --revision must be /);
    expect(cp.calls()).toHaveLength(0);
  });

  test('an S3 version id matches case-sensitively, with + / = in it', async () => {
    waitingFor(VERSION_ID);
    expect((await cli(['approve', PIPELINE, '--env', 'prod', '--revision', VERSION_ID])).code).toBe(0);
    expect((await cli(['approve', PIPELINE, '--env', 'prod', '--revision', '3/L4kqtJ'])).code).toBe(0);
    const other = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', '3/l4KQTj']);
    expect(other.code).toBe(3);
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 2);
  });

  test('the documented script (status --json, then approve --revision) works for an ECR source', async () => {
    const ecrSource = (a: typeof actionExecutions[number]) => (a.stageName === 'Source' && a.pipelineExecutionId === 'exec-3'
      ? {
        ...a,
        input: { actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider: 'ECR', version: '1' } },
        output: { outputVariables: { ImageDigest: DIGEST, ImageTag: 'latest', RepositoryName: 'shop' }, executionResult: { externalExecutionId: DIGEST } },
      }
      : a);
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => (e.pipelineExecutionId === 'exec-3'
        ? { ...e, sourceRevisions: [{ actionName: 'Source', revisionId: DIGEST, revisionSummary: 'Image tag: latest' }] } : e)),
    });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions.map(ecrSource) });
    waitingFor(DIGEST);
    const status = await cli(['status', PIPELINE, '--json']);
    // jq -r '.environments[] | select(.name == "staging") | .deployed.revision.id'
    const sha = JSON.parse(status.stdout).environments.find((e: { name: string }) => e.name === 'staging').deployed.revision.id;
    expect(sha).toBe(DIGEST);
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', sha, '--comment', 'tested in staging']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("approved 3f2a9c1 (execution exec-3) in 'prod' of 'shop-pipeline'\n");
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, { token: TOKEN, result: { status: 'Approved', summary: 'tested in staging' } });
  });
});

describe('approve --wait', () => {
  beforeEach(() => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
  });

  test('a Skipped stage ends the wait: exit 1 with one line', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState())
      .resolves({ stageStates: [{ stageName: 'prod', latestExecution: { pipelineExecutionId: 'exec-3', status: 'Skipped' } }] });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { maxRefreshes: 30 });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('prod: Skipped\nprod skipped (the stage did not run)\n');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 2);
  });

  test('a stage removed from the pipeline ends the wait: exit 3', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves({ stageStates: [{ stageName: 'Source' }] });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { maxRefreshes: 30 });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: environment 'prod' is no longer in pipeline 'shop-pipeline'; stopped waiting for execution exec-3: "
      + 'what the command did stays done, do not run it again (see: cdk-delivery status shop-pipeline)\n');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 2);
  });

  test('a stage that shows no execution for 3 polls ends the wait: exit 3', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves({ stageStates: [{ stageName: 'prod' }] });
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actionExecutions });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait'], {}, { maxRefreshes: 30 });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('prod: InProgress — execution exec-3\n'
      + "cdk-delivery: environment 'prod' of pipeline 'shop-pipeline' shows no execution any more (was the pipeline updated?); "
      + 'stopped waiting for execution exec-3: what the command did stays done, do not run it again (see: cdk-delivery status shop-pipeline)\n');
    expect(cp).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1 + 3);
  });
});

describe('approve in PARALLEL execution mode (GetPipelineState holds no token)', () => {
  // exec-5 and exec-4 both wait for the prod approval; staging's approval of exec-6 is another stage's
  const waiting = waitingApproval;
  const parallelState = () => {
    const state = pipelineState();
    const prod = state.stageStates![3];
    prod.latestExecution = { pipelineExecutionId: 'exec-5', status: 'InProgress' };
    prod.actionStates![0].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(5) };
    return state;
  };
  const parallelExecution = (id: string, commit: string, message: string) => ({
    pipelineExecution: {
      pipelineExecutionId: id,
      status: 'InProgress' as const,
      executionMode: 'PARALLEL' as const,
      artifactRevisions: [{ revisionId: commit, revisionSummary: JSON.stringify({ CommitMessage: message }) }],
    },
  });

  beforeEach(() => {
    cp.on(GetPipelineStateCommand).resolves(parallelState());
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [waiting('exec-6', 'staging', 1), waiting('exec-5', 'prod', 5), waiting('exec-4', 'prod', 20)],
    });
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-5' }).resolves(parallelExecution('exec-5', COMMIT_3, 'Add gift cards'));
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-4' }).resolves(parallelExecution('exec-4', COMMIT_2, 'Fix checkout'));
  });

  test('with several executions waiting, it answers none and lists them (exit 2)', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: 2 executions wait for approval in 'prod' of 'shop-pipeline' (PARALLEL mode): "
      + 'exec-5 (3f2a9c1 "Add gift cards"), exec-4 (a1b2c3d "Fix checkout"); choose one with --execution <id>\n');
    expect(cp).not.toHaveReceivedCommand(PutApprovalResultCommand);
  });

  test('--revision answers the approval of that revision, with the token ListActionExecutions gives', async () => {
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--revision', 'a1b2c3d', '--comment', 'hotfix']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 1);
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, {
      pipelineName: PIPELINE, stageName: 'prod', actionName: 'Approve', token: 'ext-exec-4', result: { status: 'Approved', summary: 'hotfix' },
    });
    expect(r.stdout).toBe("approved a1b2c3d \"Fix checkout\" (execution exec-4) in 'prod' of 'shop-pipeline'\n");
  });

  test('--execution answers that execution\'s approval; one naming no waiting execution is refused (exit 3)', async () => {
    const r = await cli(['reject', PIPELINE, '--env', 'prod', '--execution', 'exec-5', '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, { token: 'ext-exec-5', result: { status: 'Rejected', summary: 'Rejected with cdk-delivery' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ executionId: 'exec-5', revision: COMMIT_3, decision: 'Rejected' });
    const other = await cli(['approve', PIPELINE, '--env', 'prod', '--execution', 'exec-6']);
    expect(other.code).toBe(3);
    expect(other.stderr).toBe("cdk-delivery: refusing to approve: no approval waiting in 'prod' is for execution exec-6; "
      + 'waiting: exec-5 (3f2a9c1 "Add gift cards"), exec-4 (a1b2c3d "Fix checkout")\n');
    expect(cp).toHaveReceivedCommandTimes(PutApprovalResultCommand, 1);
  });

  test('a single waiting execution is answered like in the other modes', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [waiting('exec-5', 'prod', 5)] });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(PutApprovalResultCommand, { token: 'ext-exec-5' });
  });

  test('--wait follows the approved execution past its approval: the deployment after it decides', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [waiting('exec-4', 'prod', 20)] });
    const approved = { ...waiting('exec-4', 'prod', 20), status: 'Succeeded' as const };
    const deploy = (status: 'InProgress' | 'Succeeded') => ({
      pipelineExecutionId: 'exec-4',
      stageName: 'prod',
      actionName: 'Deploy',
      status,
      startTime: minutesAgo(2),
      lastUpdateTime: minutesAgo(1),
      input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CodeDeploy', version: '1' } },
    });
    cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-4' } })
      .resolvesOnce({ actionExecutionDetails: [approved] })
      .resolvesOnce({ actionExecutionDetails: [deploy('InProgress'), approved] })
      .resolves({ actionExecutionDetails: [deploy('Succeeded'), approved] });
    const exec4 = parallelExecution('exec-4', COMMIT_2, 'Fix checkout');
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-4' })
      .resolvesOnce(exec4).resolvesOnce(exec4)
      .resolves({ pipelineExecution: { ...exec4.pipelineExecution, status: 'Succeeded' } });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--execution', 'exec-4', '--wait']);
    expect(r.code).toBe(0);
    // the approval alone succeeded is not the stage's success
    expect(r.stderr).toBe('prod: InProgress — execution exec-4\nprod succeeded\n');
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1 + 3);
  });

  test('--wait in PARALLEL mode: a second approval of the execution that waits is named, with the command that answers it', async () => {
    cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [waiting('exec-4', 'prod', 20)] });
    const approved = { ...waiting('exec-4', 'prod', 20), status: 'Succeeded' as const };
    const review = (status: 'InProgress' | 'Succeeded') => ({ ...waiting('exec-4', 'prod', 1), actionName: 'ReviewChangeSet', status });
    cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-4' } })
      .resolvesOnce({ actionExecutionDetails: [review('InProgress'), approved] })
      .resolves({ actionExecutionDetails: [review('Succeeded'), approved] });
    const exec4 = parallelExecution('exec-4', COMMIT_2, 'Fix checkout');
    cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-4' })
      .resolvesOnce(exec4)
      .resolves({ pipelineExecution: { ...exec4.pipelineExecution, status: 'Succeeded' } });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--execution', 'exec-4', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('prod: waiting for approval ReviewChangeSet (cdk-delivery approve shop-pipeline --env prod --execution exec-4)\nprod succeeded\n');
  });

  test.each([
    ['rejected', { updatedBy: 'arn:aws:sts::111111111111:assumed-role/Release/carol', output: { executionResult: { externalExecutionSummary: 'drops the orders table' } } },
      'prod rejected: ReviewChangeSet: drops the orders table'],
    ['expired', { output: { executionResult: { errorDetails: { code: 'JobFailed', message: 'Approval timed out' } } } }, 'prod expired: ReviewChangeSet: Approval timed out'],
  ])('--wait: a change-set review %s after App.Prepare ends the wait, exit 1 naming it (regression: "prod abandoned: execution exec-4 is Failed")',
    async (_decision, answer, line) => {
      cp.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [waiting('exec-4', 'prod', 20)] });
      const approved = { ...waiting('exec-4', 'prod', 20), status: 'Succeeded' as const };
      const prepare = {
        ...waiting('exec-4', 'prod', 3),
        actionName: 'App.Prepare',
        status: 'Succeeded' as const,
        input: { actionTypeId: { category: 'Deploy' as const, owner: 'AWS' as const, provider: 'CloudFormation', version: '1' }, configuration: { ActionMode: 'CHANGE_SET_REPLACE' } },
      };
      const review = { ...waiting('exec-4', 'prod', 1), actionName: 'ReviewChangeSet' };
      cp.on(ListActionExecutionsCommand, { filter: { pipelineExecutionId: 'exec-4' } })
        .resolvesOnce({ actionExecutionDetails: [review, prepare, approved] })
        .resolves({ actionExecutionDetails: [{ ...review, status: 'Failed', ...answer }, prepare, approved] });
      const exec4 = parallelExecution('exec-4', COMMIT_2, 'Fix checkout');
      cp.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-4' })
        .resolvesOnce(exec4)
        .resolves({ pipelineExecution: { ...exec4.pipelineExecution, status: 'Failed' } });
      const r = await cli(['approve', PIPELINE, '--env', 'prod', '--execution', 'exec-4', '--wait']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`prod: waiting for approval ReviewChangeSet (cdk-delivery approve shop-pipeline --env prod --execution exec-4)\n${line}\n`);
    });

  test('--wait: an alarm watched after the deployment that failed the execution, and rolled prod back, is named (regression: "prod abandoned: execution exec-3 is Failed")', async () => {
    const rolledBack = pipelineState({ approval: false });
    rolledBack.stageStates![3] = {
      stageName: 'prod',
      latestExecution: { pipelineExecutionId: 'rb-1', status: 'InProgress', type: 'ROLLBACK' },
      actionStates: [{ actionName: 'Approve' }, { actionName: 'Deploy', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(1) } }],
      onSuccessConditionState: {
        latestExecution: { status: 'Failed' },
        conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Failed', summary: 'shop-prod-errors is in ALARM' } }] }],
      },
    };
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(rolledBack);
    cp.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'arn:aws:iam::111111111111:role/p', stages: [] } });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [action('exec-3', 'prod', 'Deploy', 'Deploy', 'Succeeded', 3, 2), action('exec-3', 'prod', 'Approve', 'Approval', 'Succeeded', 30, 4)],
    });
    cp.on(GetPipelineExecutionCommand).resolvesOnce({ pipelineExecution: execution3() }).resolves({ pipelineExecution: { ...execution3(), status: 'Failed' } });
    cp.on(ListRuleExecutionsCommand, { filter: { pipelineExecutionId: 'exec-3' } }).resolves({
      ruleExecutionDetails: [{
        stageName: 'prod',
        ruleName: 'prod.BakeAlarm',
        status: 'Failed',
        pipelineExecutionId: 'exec-3',
        output: { executionResult: { externalExecutionSummary: 'shop-prod-errors is in ALARM' } },
      }],
    });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('prod failed: success conditions failed: BakeAlarm (shop-prod-errors is in ALARM); rolled back by execution rb-1\n');
    expect(cp).toHaveReceivedCommandWith(ListRuleExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: 'exec-3' } });
  });

  /** exec-3 deployed prod (its actions succeeded, the last 2 minutes ago) and then failed; prod now shows `latest`. */
  const failedAfterProd = (latest: { pipelineExecutionId: string; status: 'InProgress'; type?: 'ROLLBACK' }, extraStage?: object) => {
    const after = pipelineState({ approval: false });
    after.stageStates![3] = {
      stageName: 'prod',
      latestExecution: latest,
      actionStates: [{ actionName: 'Approve' }, { actionName: 'Deploy', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(1) } }],
      onSuccessConditionState: {
        latestExecution: { status: 'Failed' },
        conditionStates: [{ ruleStates: [{ ruleName: 'prod.BakeAlarm', latestExecution: { status: 'Failed' } }, { ruleName: 'prod.LatencyAlarm', latestExecution: { status: 'Succeeded' } }] }],
      },
    };
    if (extraStage) after.stageStates!.push(extraStage);
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).resolves(after);
    cp.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'arn:aws:iam::111111111111:role/p', stages: [] } });
    cp.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [action('exec-3', 'prod', 'Deploy', 'Deploy', 'Succeeded', 3, 2), action('exec-3', 'prod', 'Approve', 'Approval', 'Succeeded', 30, 4)],
    });
    cp.on(GetPipelineExecutionCommand).resolvesOnce({ pipelineExecution: execution3() }).resolves({ pipelineExecution: { ...execution3(), status: 'Failed' } });
  };
  const summary = (text: string) => ({ executionResult: { externalExecutionSummary: text } });

  test('--wait names each rule whose newest run for the execution failed, once, whatever the order of the list', async () => {
    failedAfterProd({ pipelineExecutionId: 'rb-1', status: 'InProgress', type: 'ROLLBACK' });
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [
        // the bake alarm failed twice (before and after a retry of the stage), the newest listed last
        { stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(40), output: summary('first alarm') },
        // the latency alarm failed before the retry and then passed
        { stageName: 'prod', ruleName: 'prod.LatencyAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(40), output: summary('slow') },
        { stageName: 'prod', ruleName: 'prod.LatencyAlarm', status: 'Succeeded', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(1) },
        { stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', lastUpdateTime: minutesAgo(1), output: summary('shop-prod-errors is in ALARM') },
      ],
    });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('prod failed: success conditions failed: BakeAlarm (shop-prod-errors is in ALARM); rolled back by execution rb-1\n');
  });

  test('--wait: the entry alarm of a later environment failed the execution after prod was done: prod succeeded (not "abandoned")', async () => {
    failedAfterProd({ pipelineExecutionId: 'exec-4', status: 'InProgress' }, {
      stageName: 'prod-eu',
      latestExecution: { pipelineExecutionId: 'exec-3', status: 'Failed' },
      beforeEntryConditionState: { latestExecution: { status: 'Failed' }, conditionStates: [{ ruleStates: [{ ruleName: 'prod-eu.EntryAlarm', latestExecution: { status: 'Failed' } }] }] },
    });
    cp.on(ListRuleExecutionsCommand).resolves({
      ruleExecutionDetails: [
        { stageName: 'prod-eu', ruleName: 'prod-eu.EntryAlarm', status: 'Failed', pipelineExecutionId: 'exec-3', startTime: minutesAgo(1), lastUpdateTime: minutesAgo(1) },
        { stageName: 'prod', ruleName: 'prod.BakeAlarm', status: 'Succeeded', pipelineExecutionId: 'exec-3', startTime: minutesAgo(2), lastUpdateTime: minutesAgo(1) },
      ],
    });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('prod succeeded\n');
  });

  test('--wait: ListRuleExecutions denied (a grant of an earlier version) is a warning; the stage is reported as before, exit 1', async () => {
    failedAfterProd({ pipelineExecutionId: 'rb-1', status: 'InProgress', type: 'ROLLBACK' });
    cp.on(ListRuleExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform codepipeline:ListRuleExecutions'));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: warning: access denied: ListRuleExecutions needs the IAM permission codepipeline:ListRuleExecutions (pipeline 'shop-pipeline'); "
      + 'cannot tell which condition failed execution exec-3\n'
      + 'prod abandoned: execution exec-3 is Failed\n');
  });

  test('other modes: no token means no pending approval, without listing action executions', async () => {
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { ...execution3(), executionMode: 'QUEUED' } });
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cdk-delivery: no pending approval in environment 'prod' of pipeline '${PIPELINE}'\n`);
    expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
  });
});

describe('approve in PARALLEL mode on a busy pipeline', () => {
  test('reads at most 20 pages of action executions for the waiting approvals, and says so', async () => {
    const state = pipelineState();
    state.stageStates![3].latestExecution = { pipelineExecutionId: 'exec-5', status: 'InProgress' };
    state.stageStates![3].actionStates![0].latestExecution = { status: 'InProgress', lastStatusChange: NOW };
    cp.on(GetPipelineStateCommand).resolves(state);
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { ...execution3(), pipelineExecutionId: 'exec-5', executionMode: 'PARALLEL' } });
    let n = 0;
    cp.on(ListActionExecutionsCommand).callsFake(() => ({
      actionExecutionDetails: [{ pipelineExecutionId: 'exec-x', stageName: 'Build', actionName: 'Build', status: 'Succeeded', startTime: NOW }],
      nextToken: `more-${++n}`,
    }));
    const r = await cli(['approve', PIPELINE, '--env', 'prod', '--yes']);
    expect(r.code).toBe(3);
    expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 20);
    expect(r.stderr).toBe("cdk-delivery: warning: stopped reading ListActionExecutions of 'shop-pipeline' after 20 pages; older items are left out\n"
      + "cdk-delivery: no pending approval in environment 'prod' of pipeline 'shop-pipeline'\n");
  });
});
