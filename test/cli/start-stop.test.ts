import * as fs from 'fs';
import * as path from 'path';
import {
  CodePipelineClient, ConcurrentPipelineExecutionsLimitExceededException, DuplicatedStopRequestException, GetPipelineCommand,
  GetPipelineExecutionCommand, GetPipelineStateCommand,
  ListActionExecutionsCommand, ListPipelineExecutionsCommand, PipelineExecutionNotFoundException, PipelineExecutionNotStoppableException,
  StartPipelineExecutionCommand, StopPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { action, COMMIT_2, COMMIT_3, execution3, executions, PIPELINE, pipelineState } from './fixtures/pipeline';
import { awsError, cli, minutesAgo } from './helpers';
import { SOURCE_ACTION } from '../../src/model/stage-names';
import { SOURCE_ACTION_NAME } from '../../src/sources/pipeline-source';

const cp = mockClient(CodePipelineClient);
const NEW = '5e1f0c2a-7b3d-4e8f-9a6b-0c1d2e3f4a5b';
const DIGEST = 'sha256:3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a393f2a9c1d8e7b6a5f4e3d2c1b';

/** GetPipeline's answer for a pipeline whose source action uses `provider`. */
function declaration(provider: string, actionName = 'Source') {
  return {
    pipeline: {
      name: PIPELINE,
      roleArn: 'arn:aws:iam::111111111111:role/p',
      pipelineType: 'V2' as const,
      stages: [
        { name: 'Source', actions: [{ name: actionName, actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider, version: '1' } }] },
        { name: 'Build', actions: [{ name: 'Build', actionTypeId: { category: 'Build' as const, owner: 'AWS' as const, provider: 'CodeBuild', version: '1' } }] },
      ],
    },
  };
}

beforeEach(() => {
  cp.reset();
  cp.on(GetPipelineCommand).resolves(declaration('CodeStarSourceConnection'));
  cp.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: NEW });
  cp.on(StopPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-3' });
  cp.on(GetPipelineStateCommand).resolves(pipelineState());
  cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions });
  cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: execution3() });
});

describe('start', () => {
  test('starts the latest source revision: StartPipelineExecution only, no GetPipeline', async () => {
    const r = await cli(['start', PIPELINE]);
    expect(r.code).toBe(0);
    expect(cp.calls()).toHaveLength(1);
    expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, { name: PIPELINE });
    expect(cp.commandCalls(StartPipelineExecutionCommand)[0].args[0].input.sourceRevisions).toBeUndefined();
    expect(r.stdout).toBe(`started execution ${NEW} of 'shop-pipeline' at the latest source revision\n`);
  });

  test('--revision with a commit id: the source action\'s override is a COMMIT_ID, in lower case', async () => {
    const r = await cli(['start', PIPELINE, '--revision', COMMIT_3.toUpperCase(), '--json']);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineCommand, { name: PIPELINE });
    expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, {
      name: PIPELINE, sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: COMMIT_3 }],
    });
    expect(JSON.parse(r.stdout)).toEqual({
      pipeline: PIPELINE,
      executionId: NEW,
      revision: { actionName: 'Source', type: 'COMMIT_ID', id: COMMIT_3 },
      revisions: [{ actionName: 'Source', type: 'COMMIT_ID', id: COMMIT_3 }],
      latest: [],
    });
    expect(r.stderr).toBe('');
  });

  test.each([
    ['CodeCommit', COMMIT_2, 'COMMIT_ID', COMMIT_2],
    ['ECR', DIGEST, 'IMAGE_DIGEST', DIGEST],
    ['ECR', DIGEST.slice('sha256:'.length).toUpperCase(), 'IMAGE_DIGEST', DIGEST],
    ['S3', '3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQ=', 'S3_OBJECT_VERSION_ID', '3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQ='],
  ])('a %s source takes --revision %s as %s', async (provider, given, revisionType, revisionValue) => {
    cp.on(GetPipelineCommand).resolves(declaration(provider));
    const r = await cli(['start', PIPELINE, '--revision', given]);
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, { sourceRevisions: [{ actionName: 'Source', revisionType, revisionValue }] });
    expect(r.stdout).toBe(`started execution ${NEW} of 'shop-pipeline' at ${revisionValue} (${revisionType})\n`);
  });

  test('an abbreviated commit id is refused (exit 2) after reading the source kind, saying where the full id is', async () => {
    const r = await cli(['start', PIPELINE, '--revision', '3f2a9c1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: --revision: CodePipeline starts from a full commit id (40 hexadecimal characters), got '3f2a9c1'; "
      + "the full id is in 'cdk-delivery status shop-pipeline --json' (.deployed.revision.id) or 'git rev-parse 3f2a9c1'\n");
    expect(cp).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  test('an abbreviated digest is refused (exit 2)', async () => {
    cp.on(GetPipelineCommand).resolves(declaration('ECR'));
    const r = await cli(['start', PIPELINE, '--revision', 'sha256:3f2a9c1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cdk-delivery: --revision: CodePipeline starts from a full image digest \(sha256: and 64 hexadecimal characters\), got 'sha256:3f2a9c1'/);
    expect(cp).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  test('an abbreviated --revision is judged only after GetPipeline: an unreachable endpoint is exit 5, a denied GetPipeline exit 4', async () => {
    // a short hexadecimal value may be an S3 object version id: only the source action's provider tells
    cp.on(GetPipelineCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'Error', $metadata: {} }));
    const unreachable = await cli(['start', PIPELINE, '--revision', '3f2a9c1']);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toBe('cdk-delivery: cannot reach the codepipeline endpoint for GetPipeline (ECONNREFUSED); '
      + 'check AWS_ENDPOINT_URL, --region and the network\n');
    cp.on(GetPipelineCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const denied = await cli(['start', PIPELINE, '--revision', '3f2a9c1']);
    expect(denied.code).toBe(4);
    expect(cp).toHaveReceivedCommandWith(GetPipelineCommand, { name: PIPELINE });
    expect(cp).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  test('a --revision with characters no revision has is refused before any call', async () => {
    const r = await cli(['start', PIPELINE, '--revision', 'main; rm -rf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cdk-delivery: --revision must be a commit id, image digest or S3 version id/);
    expect(cp.calls()).toHaveLength(0);
  });

  test('a source provider without revision override (exit 2), a pipeline without a source action (exit 3)', async () => {
    cp.on(GetPipelineCommand).resolves(declaration('GitHub'));
    const other = await cli(['start', PIPELINE, '--revision', COMMIT_3]);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe("cdk-delivery: --revision: the source action 'Source' of 'shop-pipeline' uses provider GitHub, which takes no revision override "
      + '(CodeStarSourceConnection, CodeCommit, ECR, S3 do)\n');
    cp.on(GetPipelineCommand).resolves({ pipeline: { name: PIPELINE, roleArn: 'r', stages: [] } });
    const none = await cli(['start', PIPELINE, '--revision', COMMIT_3]);
    expect(none.code).toBe(3);
    expect(cp).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  test('the source action of another name is found when it is the only one of its stage', async () => {
    cp.on(GetPipelineCommand).resolves(declaration('CodeCommit', 'Checkout'));
    expect((await cli(['start', PIPELINE, '--revision', COMMIT_3])).code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, { sourceRevisions: [{ actionName: 'Checkout', revisionType: 'COMMIT_ID', revisionValue: COMMIT_3 }] });
  });

  describe('a pipeline with additional sources', () => {
    /** Source (GitHub), Config (CodeCommit) and Assets (S3) in the Source stage, as additionalSources render them. */
    const withAdditional = () => {
      const d = declaration('CodeStarSourceConnection');
      const source = (name: string, provider: string) => ({ name, actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider, version: '1' } });
      (d.pipeline.stages[0].actions as object[]).push(source('Config', 'CodeCommit'), source('Assets', 'S3'));
      return d;
    };
    beforeEach(() => { cp.on(GetPipelineCommand).resolves(withAdditional()); });

    test('--revision Name=id pins an additional source beside the main one; the sources left to their latest revision are named on stderr', async () => {
      const r = await cli(['start', PIPELINE, '--revision', COMMIT_3, '--revision', `Config=${COMMIT_2.toUpperCase()}`]);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, {
        name: PIPELINE,
        sourceRevisions: [
          { actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: COMMIT_3 },
          { actionName: 'Config', revisionType: 'COMMIT_ID', revisionValue: COMMIT_2 },
        ],
      });
      expect(r.stdout).toBe(`started execution ${NEW} of 'shop-pipeline' at ${COMMIT_3} (COMMIT_ID); Config at ${COMMIT_2} (COMMIT_ID)\n`);
      expect(r.stderr).toBe("note: source Assets runs its latest revision, which may be newer than the others': pin it with --revision Assets=<id>\n");
    });

    test('only the main source pinned (regression: the additional sources ran their latest revision, unsaid)', async () => {
      const r = await cli(['start', PIPELINE, '--revision', COMMIT_3, '--json']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, {
        sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: COMMIT_3 }],
      });
      expect(JSON.parse(r.stdout)).toEqual({
        pipeline: PIPELINE,
        executionId: NEW,
        revision: { actionName: 'Source', type: 'COMMIT_ID', id: COMMIT_3 },
        revisions: [{ actionName: 'Source', type: 'COMMIT_ID', id: COMMIT_3 }],
        latest: ['Config', 'Assets'],
      });
      expect(r.stderr).toBe("note: sources Config, Assets run their latest revision, which may be newer than the others': "
        + 'pin them with --revision Config=<id> --revision Assets=<id>\n');
    });

    test('every source pinned, an S3 version id with = in it: no note', async () => {
      const r = await cli(['start', PIPELINE, '--revision', COMMIT_3, '--revision', `Config=${COMMIT_2}`, '--revision', 'Assets=3/L4kqtJl+rmSp=']);
      expect(r.code).toBe(0);
      expect(cp).toHaveReceivedCommandWith(StartPipelineExecutionCommand, {
        sourceRevisions: [
          { actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: COMMIT_3 },
          { actionName: 'Config', revisionType: 'COMMIT_ID', revisionValue: COMMIT_2 },
          { actionName: 'Assets', revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: '3/L4kqtJl+rmSp=' },
        ],
      });
      expect(r.stderr).toBe('');
    });

    test('a name that is no source of the pipeline, or two revisions for one source: exit 2, nothing started', async () => {
      const unknown = await cli(['start', PIPELINE, '--revision', `Cfg=${COMMIT_2}`]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe("cdk-delivery: --revision: 'Cfg' is not a source action of 'shop-pipeline'; its sources are Source, Config, Assets "
        + '(the main one takes a revision without a name)\n');
      const twice = await cli(['start', PIPELINE, '--revision', `Config=${COMMIT_2}`, '--revision', `Config=${COMMIT_3}`]);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toBe(`cdk-delivery: --revision: two revisions for source Config (${COMMIT_2}, ${COMMIT_3}); give one per source\n`);
      const main = await cli(['start', PIPELINE, '--revision', COMMIT_2, '--revision', `Source=${COMMIT_3}`]);
      expect(main.code).toBe(2);
      expect(main.stderr).toBe(`cdk-delivery: --revision: two revisions for source Source (${COMMIT_2}, ${COMMIT_3}); give one per source\n`);
      expect(cp).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
    });
  });

  test('the CLI\'s source action name is the constructs\' SOURCE_ACTION_NAME', () => {
    expect(SOURCE_ACTION).toBe(SOURCE_ACTION_NAME);
  });

  test('exit 4 naming the permission: codepipeline:GetPipeline with --revision, codepipeline:StartPipelineExecution', async () => {
    cp.on(GetPipelineCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const get = await cli(['start', PIPELINE, '--revision', COMMIT_3]);
    expect(get.code).toBe(4);
    expect(get.stderr).toBe("cdk-delivery: access denied: GetPipeline needs the IAM permission codepipeline:GetPipeline (pipeline 'shop-pipeline')\n");
    cp.on(StartPipelineExecutionCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const start = await cli(['start', PIPELINE]);
    expect(start.code).toBe(4);
    expect(start.stderr).toBe("cdk-delivery: access denied: StartPipelineExecution needs the IAM permission codepipeline:StartPipelineExecution (pipeline 'shop-pipeline')\n");
  });

  test('a ValidationException (a revision CodePipeline does not know) is one line, exit 2; throttling exit 5', async () => {
    cp.on(StartPipelineExecutionCommand).rejects(awsError('ValidationException', 'Source revision not found'));
    const bad = await cli(['start', PIPELINE, '--revision', COMMIT_3]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("cdk-delivery: StartPipelineExecution rejected the request: Source revision not found (pipeline 'shop-pipeline')\n");
    cp.on(StartPipelineExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400, 6));
    const throttled = await cli(['start', PIPELINE]);
    expect(throttled.code).toBe(5);
  });
});

describe('start --wait', () => {
  const running = (status: string, extra = {}) => ({ pipelineExecution: { pipelineExecutionId: NEW, status: status as 'InProgress', ...extra } });
  const stateAt = (stage: string) => {
    const s = pipelineState();
    const st = s.stageStates!.find((x) => x.stageName === stage)!;
    st.latestExecution = { pipelineExecutionId: NEW, status: 'InProgress' };
    st.actionStates![0].latestExecution = { status: 'InProgress' };
    return s;
  };

  test('follows the execution to success, saying where it is, and exits 0', async () => {
    cp.on(GetPipelineExecutionCommand)
      .resolvesOnce(running('InProgress')).resolvesOnce(running('InProgress')).resolves(running('Succeeded'));
    cp.on(GetPipelineStateCommand).resolvesOnce(stateAt('Build')).resolvesOnce(stateAt('staging')).resolves(pipelineState());
    const r = await cli(['start', PIPELINE, '--wait'], {}, { pollIntervalMs: 3 });
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: NEW });
    expect(r.io.sleeps).toEqual([3, 3]);
    expect(r.stderr).toBe(`execution ${NEW}: InProgress — in Build (Build)\nexecution ${NEW}: InProgress — in staging (Deploy)\nexecution ${NEW} succeeded\n`);
  });

  test('a failed execution exits 1 naming the stage and action that failed', async () => {
    const failed = pipelineState({ stagingStatus: 'Failed' });
    failed.stageStates![2].latestExecution = { pipelineExecutionId: NEW, status: 'Failed' };
    cp.on(GetPipelineExecutionCommand).resolves(running('Failed'));
    cp.on(GetPipelineStateCommand).resolves(failed);
    const r = await cli(['start', PIPELINE, '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`execution ${NEW} failed in staging: Deploy: stack rollback\n`);
    expect(cp).not.toHaveReceivedCommand(ListActionExecutionsCommand);
  });

  describe('a failed execution whose stage shows another execution since (a newer one entered it)', () => {
    const failedDeploy = (status: string, start: number, message?: string) => action(NEW, 'staging', 'Deploy', 'Deploy', status, start, start - 5,
      message ? { actionExecutionId: `${NEW}-staging-Deploy-${start}`, output: { executionResult: { errorDetails: { code: 'JobFailed', message } } } }
        : { actionExecutionId: `${NEW}-staging-Deploy-${start}` });
    /** staging runs exec-4 now; NEW failed there before it. */
    const newerInStaging = () => {
      const state = pipelineState({ stagingStatus: 'InProgress' });
      state.stageStates![2].latestExecution = { pipelineExecutionId: 'exec-4', status: 'InProgress' };
      state.stageStates![2].actionStates![0].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(1) };
      return state;
    };

    test('names the stage and action from ListActionExecutions filtered on this execution', async () => {
      cp.on(GetPipelineExecutionCommand).resolves(running('Failed', { statusSummary: 'An action failed' }));
      cp.on(GetPipelineStateCommand).resolves(newerInStaging());
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [
          failedDeploy('Failed', 20, 'stack rollback: Resource handler returned message: "Invalid request"'),
          action(NEW, 'Build', 'Build', 'Build', 'Succeeded', 40, 30),
          action(NEW, 'Source', 'Source', 'Source', 'Succeeded', 50, 45),
        ],
      });
      const r = await cli(['start', PIPELINE, '--wait']);
      expect(r.code).toBe(1);
      expect(cp).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
      expect(cp).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: PIPELINE, filter: { pipelineExecutionId: NEW } });
      expect(r.stderr).toBe(`execution ${NEW} failed in staging: Deploy: stack rollback: Resource handler returned message: "Invalid request"\n`);
    });

    test('an action that failed and then succeeded when retried is not the failure: the later one is', async () => {
      cp.on(GetPipelineExecutionCommand).resolves(running('Failed'));
      cp.on(GetPipelineStateCommand).resolves(newerInStaging());
      cp.on(ListActionExecutionsCommand).resolves({
        actionExecutionDetails: [
          action(NEW, 'prod', 'Deploy', 'Deploy', 'Failed', 10, 5, { output: { executionResult: { externalExecutionSummary: 'health check failed' } } }),
          failedDeploy('Succeeded', 20),
          failedDeploy('Failed', 30, 'stack rollback'),
        ],
      });
      const r = await cli(['start', PIPELINE, '--wait']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`execution ${NEW} failed in prod: Deploy: health check failed\n`);
    });

    test('a ListActionExecutions that cannot be read is a warning: still exit 1, with the status summary', async () => {
      cp.on(GetPipelineExecutionCommand).resolves(running('Failed', { statusSummary: 'An action failed' }));
      cp.on(GetPipelineStateCommand).resolves(newerInStaging());
      cp.on(ListActionExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
      const r = await cli(['start', PIPELINE, '--wait']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("cdk-delivery: warning: access denied: ListActionExecutions needs the IAM permission codepipeline:ListActionExecutions (pipeline 'shop-pipeline'); "
        + `cannot tell which action failed execution ${NEW}\n`
        + `execution ${NEW} failed: An action failed\n`);
    });
  });

  test.each([['Stopped'], ['Superseded']])('a %s execution exits 1 with its status summary', async (status) => {
    cp.on(GetPipelineExecutionCommand).resolves(running(status, { statusSummary: 'by a newer one' }));
    const r = await cli(['start', PIPELINE, '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`execution ${NEW} ${status.toLowerCase()}: by a newer one\n`);
  });

  test('an execution not readable yet is waited for; not found 3 times in a row exits 3', async () => {
    cp.on(GetPipelineExecutionCommand)
      .rejectsOnce(new PipelineExecutionNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves(running('Succeeded'));
    const r = await cli(['start', PIPELINE, '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`execution ${NEW}: not readable yet\nexecution ${NEW} succeeded\n`);
    cp.on(GetPipelineExecutionCommand).rejects(new PipelineExecutionNotFoundException({ message: 'not found', $metadata: {} }));
    const gone = await cli(['start', PIPELINE, '--wait']);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe(`execution ${NEW}: not readable yet\ncdk-delivery: execution ${NEW} of pipeline 'shop-pipeline' was not found in 3 polls in a row; stopped waiting for execution ${NEW}: `
      + 'what the command did stays done, do not run it again (see: cdk-delivery status shop-pipeline)\n');
  });

  test('a transport failing while polling, after the start was accepted: same exit code (5), saying that the execution goes on', async () => {
    cp.on(GetPipelineExecutionCommand)
      .resolvesOnce(running('InProgress'))
      .rejects(Object.assign(new Error('read ECONNRESET'), { name: 'Error', $metadata: {} }));
    cp.on(GetPipelineStateCommand).resolves(stateAt('Build'));
    const r = await cli(['start', PIPELINE, '--wait']);
    expect(r.code).toBe(5);
    expect(cp).toHaveReceivedCommandTimes(StartPipelineExecutionCommand, 1);
    expect(cp).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 2);
    expect(r.stdout).toBe(`started execution ${NEW} of 'shop-pipeline' at the latest source revision\n`);
    expect(r.stderr).toBe(`execution ${NEW}: InProgress — in Build (Build)\n`
      + 'cdk-delivery: cannot reach the codepipeline endpoint for GetPipelineExecution (ECONNRESET); check AWS_ENDPOINT_URL, --region and the network; '
      + `stopped waiting for execution ${NEW}, which goes on in CodePipeline: what the command did stays done, do not run it again `
      + '(see: cdk-delivery status shop-pipeline)\n');
  });

  test('access denied while polling keeps exit 4 and says that the stop stays requested', async () => {
    cp.on(GetPipelineStateCommand).resolvesOnce(pipelineState()).rejects(awsError('AccessDeniedException', 'not authorized'));
    const r = await cli(['stop', PIPELINE, '--yes', '--wait']);
    expect(r.code).toBe(4);
    expect(cp).toHaveReceivedCommandTimes(StopPipelineExecutionCommand, 1);
    expect(r.stderr).toBe("cdk-delivery: access denied: GetPipelineState needs the IAM permission codepipeline:GetPipelineState (pipeline 'shop-pipeline'); "
      + 'stopped waiting for execution exec-3, which goes on in CodePipeline: what the command did stays done, do not run it again '
      + '(see: cdk-delivery status shop-pipeline)\n');
  });

  test('--timeout: exit 8 when the execution still runs, never sleeping past the deadline', async () => {
    cp.on(GetPipelineExecutionCommand).resolves(running('InProgress'));
    cp.on(GetPipelineStateCommand).resolves(stateAt('staging'));
    const r = await cli(['start', PIPELINE, '--wait', '--timeout', '12s'], { clockFollowsSleeps: true }, { pollIntervalMs: 5000 });
    expect(r.code).toBe(8);
    expect(r.io.sleeps).toEqual([5000, 5000, 2000]);
    expect(r.stderr).toBe(`execution ${NEW}: InProgress — in staging (Deploy)\n`
      + `execution ${NEW} still in progress after 12s; stopped waiting for execution ${NEW}, which goes on in CodePipeline: `
      + 'what the command did stays done, do not run it again (see: cdk-delivery status shop-pipeline)\n');
  });

  test('Ctrl-C says that the execution goes on; --timeout without --wait is a usage error', async () => {
    cp.on(GetPipelineExecutionCommand).resolves(running('InProgress'));
    const r = await cli(['start', PIPELINE, '--wait'], { interruptOnSleep: true });
    expect(r.stderr).toContain(`execution ${NEW}: stopped waiting (interrupted); what was done stays done and the execution goes on in CodePipeline`);
    expect(r.io.interruptHandlers.size).toBe(0);
    const usage = await cli(['start', PIPELINE, '--timeout', '1h']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('cdk-delivery: --timeout limits --wait: add --wait, or leave --timeout out\n');
  });

  test('uses a spinner on a terminal', async () => {
    cp.on(GetPipelineExecutionCommand).resolves(running('Succeeded'));
    const r = await cli(['start', PIPELINE, '--wait'], { stderrIsTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`✔ execution ${NEW} succeeded`);
  });
});

describe('stop', () => {
  test('stops the execution in progress after confirmation on a terminal (stop and wait)', async () => {
    const r = await cli(['stop', PIPELINE], { stdinIsTTY: true, confirm: async () => true });
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(ListPipelineExecutionsCommand, { pipelineName: PIPELINE, maxResults: 100 });
    expect(cp).toHaveReceivedCommandWith(StopPipelineExecutionCommand, {
      pipelineName: PIPELINE, pipelineExecutionId: 'exec-3', abandon: false, reason: 'Stopped with cdk-delivery',
    });
    expect(r.io.questions).toEqual(['Stop execution exec-3?']);
    expect(r.stderr).toBe("stopping execution exec-3 (3f2a9c1 \"Add gift cards\"; in prod (Approve)) of 'shop-pipeline'; "
      + 'its in-progress actions finish first (stop and wait)\n');
    expect(r.stdout).toBe("stopping execution exec-3 (3f2a9c1 \"Add gift cards\") of 'shop-pipeline': its in-progress actions finish first (stop and wait)\n");
  });

  test('--abandon --reason are sent; the question says what abandon does', async () => {
    const r = await cli(['stop', PIPELINE, '--abandon', '--reason', 'bad release 42'], { stdinIsTTY: true, confirm: async () => true });
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(StopPipelineExecutionCommand, { pipelineExecutionId: 'exec-3', abandon: true, reason: 'bad release 42' });
    expect(r.io.questions).toEqual(['Stop execution exec-3 and abandon its in-progress actions?']);
    expect(r.stdout).toContain(': abandoning its in-progress actions\n');
  });

  test('the default reason sent: "Stopped with cdk-delivery", with --abandon "Stopped with cdk-delivery (abandon)", as the docs and --help say', async () => {
    const wait = await cli(['stop', PIPELINE, '--yes']);
    expect(wait.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(StopPipelineExecutionCommand, {
      pipelineName: PIPELINE, pipelineExecutionId: 'exec-3', abandon: false, reason: 'Stopped with cdk-delivery',
    });
    cp.resetHistory();
    const abandon = await cli(['stop', PIPELINE, '--yes', '--abandon']);
    expect(abandon.code).toBe(0);
    expect(cp).toHaveReceivedCommandTimes(StopPipelineExecutionCommand, 1);
    expect(cp).toHaveReceivedCommandWith(StopPipelineExecutionCommand, {
      pipelineName: PIPELINE, pipelineExecutionId: 'exec-3', abandon: true, reason: 'Stopped with cdk-delivery (abandon)',
    });
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8').replace(/\s+/g, ' ');
    const defaults = 'default `Stopped with cdk-delivery`, or `Stopped with cdk-delivery (abandon)` with `--abandon`';
    expect(doc.split(defaults).length - 1).toBe(2); // the command table (copied into the README) and the stop section
    const help = (await cli(['stop', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('default: "Stopped with cdk-delivery", with --abandon "Stopped with cdk-delivery (abandon)"');
  });

  test('declined on a terminal: nothing stopped, exit 2', async () => {
    const r = await cli(['stop', PIPELINE], { stdinIsTTY: true, confirm: async () => false });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing done\n');
    expect(cp).not.toHaveReceivedCommand(StopPipelineExecutionCommand);
  });

  test('in a script it needs --yes, even with --execution: refused before any call, whatever is in progress', async () => {
    for (const argv of [['stop', PIPELINE], ['stop', PIPELINE, '--execution', 'exec-3'], ['stop', PIPELINE, '--abandon', '--wait']]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('cdk-delivery: refusing to stop without confirmation: stdin is not a terminal; pass --yes\n');
      expect(r.stdout).toBe('');
    }
    // nothing in progress: still the usage error, not a "nothing to stop" read from the pipeline
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    const idle = await cli(['stop', PIPELINE]);
    expect(idle.code).toBe(2);
    expect(idle.stderr).toBe('cdk-delivery: refusing to stop without confirmation: stdin is not a terminal; pass --yes\n');
    expect(cp.calls()).toHaveLength(0);
    cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions });
    const yes = await cli(['stop', PIPELINE, '--yes', '--json']);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout)).toEqual({ pipeline: PIPELINE, executionId: 'exec-3', revision: COMMIT_3, abandon: false, reason: 'Stopped with cdk-delivery' });
  });

  test('several executions in progress (QUEUED, PARALLEL): stops none, lists them with revision and where each is (exit 2)', async () => {
    const waiting = pipelineState();
    waiting.stageStates![3].inboundExecutions = [{ pipelineExecutionId: 'exec-2', status: 'InProgress' }];
    waiting.stageStates![3].inboundTransitionState = { enabled: false, disabledReason: 'freeze' };
    cp.on(GetPipelineStateCommand).resolves(waiting);
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => (e.pipelineExecutionId === 'exec-2' ? { ...e, status: 'InProgress' as const } : e)),
    });
    const r = await cli(['stop', PIPELINE, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: 2 executions of 'shop-pipeline' are in progress: exec-3 (3f2a9c1 \"Add gift cards\"; in prod (Approve)), "
      + 'exec-2 (a1b2c3d "Fix checkout"; waiting to enter prod, frozen); choose one with --execution <id>\n');
    expect(cp).not.toHaveReceivedCommand(StopPipelineExecutionCommand);
    const chosen = await cli(['stop', PIPELINE, '--yes', '--execution', 'exec-3']);
    expect(chosen.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(GetPipelineExecutionCommand, { pipelineName: PIPELINE, pipelineExecutionId: 'exec-3' });
    expect(cp).toHaveReceivedCommandWith(StopPipelineExecutionCommand, { pipelineExecutionId: 'exec-3' });
  });

  test('several executions in progress in SUPERSEDED mode too (a newer one in Build, an older one in prod): stops none, lists both (exit 2)', async () => {
    const state = pipelineState();
    state.stageStates![1] = {
      stageName: 'Build',
      latestExecution: { pipelineExecutionId: 'exec-4', status: 'InProgress' },
      actionStates: [{ actionName: 'Build', latestExecution: { status: 'InProgress', lastStatusChange: minutesAgo(1) } }],
    };
    cp.on(GetPipelineStateCommand).resolves(state);
    const newer = { ...executions[1], pipelineExecutionId: 'exec-4', status: 'InProgress' as const, executionMode: 'SUPERSEDED' as const };
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [newer, { ...executions[0], executionMode: 'SUPERSEDED' as const }, ...executions.slice(1)],
    });
    const r = await cli(['stop', PIPELINE, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cdk-delivery: 2 executions of 'shop-pipeline' are in progress: exec-4 (a1b2c3d \"Fix checkout\"; in Build (Build)), "
      + 'exec-3 (3f2a9c1 "Add gift cards"; in prod (Approve)); choose one with --execution <id>\n');
    expect(cp).not.toHaveReceivedCommand(StopPipelineExecutionCommand);
  });

  /** prod runs exec-3's deployment while the execution is being stopped (stop and wait). */
  const stoppingState = () => {
    const state = pipelineState({ approval: false, prodStatus: 'Stopping' });
    state.stageStates![3].actionStates![1].latestExecution = { status: 'InProgress', lastStatusChange: minutesAgo(5) };
    return state;
  };

  test('nothing in progress: exit 3; one already stopping is named with where it is (regression: named without it)', async () => {
    cp.on(GetPipelineStateCommand).resolves(stoppingState());
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: executions.map((e) => (e.pipelineExecutionId === 'exec-3' ? { ...e, status: 'Stopping' as const } : e)),
    });
    const r = await cli(['stop', PIPELINE, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: nothing to stop: no execution of 'shop-pipeline' is in progress; "
      + 'exec-3 (3f2a9c1 "Add gift cards"; in prod (Deploy), stopping) is already stopping (--abandon --execution <id> abandons its in-progress actions)\n');
    expect(cp).not.toHaveReceivedCommand(StopPipelineExecutionCommand);
  });

  test('an execution being stopped is shown where it is, marked stopping: on the question of --abandon --execution, and while --wait follows it', async () => {
    cp.on(GetPipelineStateCommand).resolves(stoppingState());
    cp.on(GetPipelineExecutionCommand)
      .resolvesOnce({ pipelineExecution: { ...execution3(), status: 'Stopping' } })
      .resolvesOnce({ pipelineExecution: { ...execution3(), status: 'Stopping' } })
      .resolves({ pipelineExecution: { ...execution3(), status: 'Stopped' } });
    const r = await cli(['stop', PIPELINE, '--execution', 'exec-3', '--abandon', '--wait'], { stdinIsTTY: true, confirm: async () => true });
    expect(r.code).toBe(0);
    expect(cp).toHaveReceivedCommandWith(StopPipelineExecutionCommand, { pipelineExecutionId: 'exec-3', abandon: true });
    expect(r.stderr).toBe('stopping execution exec-3 (3f2a9c1 "Add gift cards"; in prod (Deploy), stopping) of \'shop-pipeline\'; '
      + 'abandoning its in-progress actions\n'
      + 'execution exec-3: Stopping — in prod (Deploy), stopping\n'
      + 'execution exec-3 stopped\n');
  });

  test('--execution naming an execution that ended: exit 3 without calling StopPipelineExecution', async () => {
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { ...execution3(), status: 'Succeeded' } });
    const r = await cli(['stop', PIPELINE, '--yes', '--execution', 'exec-3']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("cdk-delivery: nothing to stop: execution exec-3 of 'shop-pipeline' is Succeeded\n");
    expect(cp).not.toHaveReceivedCommand(StopPipelineExecutionCommand);
  });

  test('a --reason over 200 characters is a usage error before any call; an --execution id with spaces too', async () => {
    const long = await cli(['stop', PIPELINE, '--yes', '--reason', 'x'.repeat(201)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toBe('cdk-delivery: --reason is 201 characters long; CodePipeline accepts at most 200\n');
    const bad = await cli(['stop', PIPELINE, '--yes', '--execution', 'exec 3']);
    expect(bad.code).toBe(2);
    expect(cp.calls()).toHaveLength(0);
  });

  test('start at the limit of concurrent executions: exit 1, nothing started, what to do (regression: the exception\'s name only)', async () => {
    cp.on(StartPipelineExecutionCommand).rejects(new ConcurrentPipelineExecutionsLimitExceededException({
      message: 'The pipeline has reached the limit for concurrent pipeline executions.', $metadata: { httpStatusCode: 400 },
    }));
    const r = await cli(['start', PIPELINE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: nothing started: pipeline 'shop-pipeline' runs as many executions at once as CodePipeline allows "
      + '(ConcurrentPipelineExecutionsLimitExceededException: The pipeline has reached the limit for concurrent pipeline executions); '
      + "wait for one to end, or stop one ('cdk-delivery status shop-pipeline' shows them, 'cdk-delivery stop shop-pipeline --execution <id>' stops one)\n");
  });

  test('PipelineExecutionNotStoppableException: exit 1 in one clear line', async () => {
    cp.on(StopPipelineExecutionCommand).rejects(new PipelineExecutionNotStoppableException({ message: 'Unable to stop', $metadata: {} }));
    const r = await cli(['stop', PIPELINE, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cdk-delivery: cannot stop execution exec-3 of 'shop-pipeline': it is no longer in progress (already stopped, or ended); "
      + "run 'cdk-delivery status shop-pipeline' to see the current state\n");
  });

  test('DuplicatedStopRequestException: exit 7, saying that it is already being stopped and what --abandon still does', async () => {
    cp.on(StopPipelineExecutionCommand).rejects(new DuplicatedStopRequestException({ message: 'already stopping', $metadata: {} }));
    const r = await cli(['stop', PIPELINE, '--yes', '--wait']);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe("cdk-delivery: execution exec-3 of 'shop-pipeline' is already being stopped (a stop was requested before); "
      + 'a second stop and wait, or a second abandon, is refused; after a stop and wait, --abandon still abandons its in-progress actions\n');
  });

  test('exit 4 naming codepipeline:StopPipelineExecution; exit 4 naming ListPipelineExecutions when listing is denied', async () => {
    cp.on(StopPipelineExecutionCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const stop = await cli(['stop', PIPELINE, '--yes']);
    expect(stop.code).toBe(4);
    expect(stop.stderr).toBe("cdk-delivery: access denied: StopPipelineExecution needs the IAM permission codepipeline:StopPipelineExecution (pipeline 'shop-pipeline')\n");
    cp.on(ListPipelineExecutionsCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const list = await cli(['stop', PIPELINE, '--yes']);
    expect(list.code).toBe(4);
    expect(list.stderr).toContain('codepipeline:ListPipelineExecutions');
  });

  test('--wait follows the execution until it is Stopped (exit 0); one that ends otherwise exits 1', async () => {
    cp.on(GetPipelineExecutionCommand)
      .resolvesOnce({ pipelineExecution: { ...execution3(), status: 'Stopping' } })
      .resolves({ pipelineExecution: { ...execution3(), status: 'Stopped' } });
    const r = await cli(['stop', PIPELINE, '--yes', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('execution exec-3: Stopping — in prod (Approve)\nexecution exec-3 stopped\n');
    cp.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { ...execution3(), status: 'Succeeded' } });
    const ended = await cli(['stop', PIPELINE, '--yes', '--wait']);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe('execution exec-3 ended Succeeded before it stopped\n');
  });

  test('control characters of a commit message never reach the prompt', async () => {
    cp.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [{
        pipelineExecutionId: 'exec-3',
        status: 'InProgress',
        sourceRevisions: [{ actionName: 'Source', revisionId: COMMIT_3, revisionSummary: JSON.stringify({ CommitMessage: 'x\x1b[2K\u202Ey' }) }],
      }],
    });
    const r = await cli(['stop', PIPELINE], { stdinIsTTY: true, confirm: async () => false });
    expect(r.stderr).toContain('"x\uFFFD[2K\uFFFDy"');
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
  });
});
