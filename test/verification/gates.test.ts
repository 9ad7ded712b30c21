import { Aws, CfnResource, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Approval, DeploymentTarget, DeploymentWindow, FailurePolicy, ReleaseMode, Verification } from '../../src';
import { onlyApiRequiredStars, starSuppressions } from '../../src/private/nag';
import { cronProblem } from '../../src/verification/deployment-window';
import { env, errorOf, flat, nagFindingsAfterSynth, newApp, newStack, pipelineIn, pipelineProps } from '../util';

function alarm(stack: any, name: string): cloudwatch.IAlarm {
  return cloudwatch.Alarm.fromAlarmArn(stack, name, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`);
}

function stage(stack: any, name: string): any {
  return pipelineProps(stack).Stages.find((s: any) => s.Name === name);
}

describe('Verification.alarms', () => {
  test('becomes an on-success condition with one CloudWatchAlarm rule per alarm and the bake time as wait time', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [env('staging', { verification: [Verification.alarms([alarm(stack, 'ErrorRate'), alarm(stack, 'Latency')], { bakeTime: Duration.minutes(30) })] })],
    });
    expect(stage(stack, 'staging').OnSuccess).toEqual({
      Conditions: [{
        Result: 'FAIL',
        Rules: [
          { Name: 'staging.BakeAlarm', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' }, Configuration: { AlarmName: 'ErrorRate', AlarmStates: 'ALARM', WaitTime: '30' } },
          { Name: 'staging.BakeAlarm2', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' }, Configuration: { AlarmName: 'Latency', AlarmStates: 'ALARM', WaitTime: '30' } },
        ],
      }],
    });
  });

  test('the bake time defaults to 10 minutes; in production the failed gate rolls the stage back', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { production: true, verification: [Verification.alarms([alarm(stack, 'ErrorRate')])] })] });
    const s = stage(stack, 'prod');
    expect(s.OnSuccess.Conditions[0].Result).toBe('ROLLBACK');
    expect(s.OnSuccess.Conditions[0].Rules[0].Configuration.WaitTime).toBe('10');
    expect(s.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('the pipeline role may describe exactly the watched alarms', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging', { verification: [Verification.alarms([alarm(stack, 'ErrorRate')])] })] });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const pipelineRolePolicy = Object.entries(policies).find(([id]) => /^ShopPipelineRoleDefaultPolicy/.test(id))![1] as any;
    const statements = flat(pipelineRolePolicy.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:ErrorRate' });
  });

  test('alarm verification satisfies continuous deployment for production', () => {
    const stack = newStack();
    pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('prod', { production: true, verification: [Verification.alarms([alarm(stack, 'ErrorRate')], { bakeTime: Duration.minutes(20) })] })],
    });
    expect(stage(stack, 'prod').OnSuccess.Conditions[0].Rules).toHaveLength(1);
  });
});

describe('DeploymentWindow', () => {
  test('becomes an entry condition with a DeploymentWindow rule', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Paris') })] });
    expect(stage(stack, 'prod').BeforeEntry).toEqual({
      Conditions: [{
        Result: 'FAIL',
        Rules: [{ Name: 'prod.DeploymentWindow', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' }, Configuration: { Cron: '* * 9-16 ? * MON-THU', TimeZone: 'Europe/Paris' } }],
      }],
    });
  });

  test.each(['UTC+05:30', 'UTC-03:00'])('takes the UTC offset form CodePipeline documents (%s)', zone => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', zone) })] });
    expect(stage(stack, 'prod').BeforeEntry.Conditions[0].Rules[0].Configuration).toEqual({ Cron: '* * 9-16 ? * MON-THU', TimeZone: zone });
  });

  test.each(['Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'Etc/UTC', 'Asia/Calcutta'])(
    'takes the current IANA names and their links, which Node lists under older names (%s; regression: refused)', zone => {
      const stack = newStack();
      pipelineIn(stack, { environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', zone) })] });
      expect(stage(stack, 'prod').BeforeEntry.Conditions[0].Rules[0].Configuration.TimeZone).toBe(zone);
    });

  test.each(['UTC+5:30', 'UTC+15:00', 'CST', 'EST5EDT', 'europe/paris', 'Mars/Olympus_Mons'])('refuses a malformed UTC offset, an abbreviation, a name in the wrong case and an unknown zone (%s)', zone => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', zone) })] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').deploymentWindow.timeZone is not a known time zone, got '${zone}'. `
      + "Pass an IANA time zone such as 'Europe/Paris', 'America/New_York' or 'UTC', or a UTC offset such as 'UTC+05:30' (abbreviations such as 'CST' name several zones).");
  });

  test.each([
    ['* * 9-16 ? * MON-THU', undefined],
    ['* 0/15 8-18 ? * MON-FRI 2027', undefined],
    ['* * * L * ?', undefined],
    ['* * 10 ? * 6#3', undefined],
    ['cron(0 9-16 ? * MON-THU *)', "it is written as an EventBridge schedule 'cron(...)'; a deployment window takes the CodePipeline form without 'cron(' and ')' and with a seconds field first"],
    ['0 9-16 ? * MON-THU', 'it has 5 fields; it needs 6 or 7: seconds minutes hours day-of-month month day-of-week [year]'],
    ['0 * 9-16 ? * MON-THU', "the seconds field has '0' (it must be '*')"],
    ['* * 9-25 ? * MON', "the hours field has '25' (allowed: 0-23)"],
    ['* * 9 ? * MON-FUN', "the day-of-week field has 'FUN' (allowed: 1-7 or SUN,MON,TUE,WED,THU,FRI,SAT)"],
    ['* * 9 1 * MON', "day-of-month and day-of-week are both set; one of them must be '?'"],
    ['* * 8-17 ? * ?', "day-of-month and day-of-week are both '?'; exactly one of them must be '?', the other '*' or the days"],
    ['* * 8-17 * * ?', undefined],
    ['* * 8-17 31 2 ?', "the day-of-month field has 31, a day that no month of the month field '2' has (the window would never open on it)"],
    ['* * 8-17 30 FEB ?', "the day-of-month field has 30, a day that no month of the month field 'FEB' has (the window would never open on it)"],
    ['* * 8-17 29 FEB ?', undefined],
    ['* * 8-17 1,31 APR,JUN,SEP,NOV ?', "the day-of-month field has 31, a day that no month of the month field 'APR,JUN,SEP,NOV' has (the window would never open on it)"],
    ['* * 8-17 31 4-7 ?', undefined],
    ['* * 8-17 31 NOV-JAN ?', undefined],
    ['* * 8-17 25-31 4 ?', undefined],
    ['* * 8-17 31 */2 ?', undefined],
    ['* * 8-17 LW 2 ?', undefined],
    // regressions: out of range or never opening, accepted
    ['* * 9 35W * ?', "the day-of-month field has '35W' (allowed: 1-31)"],
    ['* * 9 15W * ?', undefined],
    ['* * 9 L-40 * ?', "the day-of-month field has 'L-40' (allowed: L-1 to L-30)"],
    ['* * 9 L-0 * ?', "the day-of-month field has 'L-0' (allowed: L-1 to L-30)"],
    ['* * 9 L-3 * ?', undefined],
    ['* * 9 ? * 9L', "the day-of-week field has '9L' (allowed: 1-7 or SUN,MON,TUE,WED,THU,FRI,SAT)"],
    ['* * 9 ? * 6L', undefined],
    ['* */0 9 ? * MON', "the minutes field has '*/0' (a step must be 1 to 59)"],
    // regressions: steps Quartz refuses (its CronExpression: "Increment > 60"), accepted
    ['* */60 9-16 ? * MON-FRI', "the minutes field has '*/60' (a step must be 1 to 59)"],
    ['* 0/59 9-16 ? * MON-FRI', undefined],
    ['* * */24 ? * MON-FRI', "the hours field has '*/24' (a step must be 1 to 23)"],
    ['* * 8-17/23 ? * MON-FRI', undefined],
    ['* * 9 1/32 * ?', "the day-of-month field has '1/32' (a step must be 1 to 31)"],
    ['* * 9 1/31 * ?', undefined],
    ['* * 9 ? JAN/13 MON', "the month field has 'JAN/13' (a step must be 1 to 12)"],
    ['* * 9 ? JAN-JUN/12 MON', undefined],
    ['* * 9 ? * MON/8', "the day-of-week field has 'MON/8' (a step must be 1 to 7)"],
    ['* * 9 ? * 1-7/7', undefined],
    ['* * 9 ? * MON 2027/0', "the year field has '2027/0' (a step must be 1 or more)"],
    ['* * 9 ? * MON 2027/500', undefined],
    ['* * 9 ? * MON 1999', `the year field has only years before ${new Date().getUTCFullYear()} ('1999'): the window would never open again`],
    ['* * 9 ? * MON 2020-2022', `the year field has only years before ${new Date().getUTCFullYear()} ('2020-2022'): the window would never open again`],
    ['* * 9 ? * MON 2020-2199', undefined],
    // regressions: steps bypassed the never-opening checks; they are expanded as the cron syntax does
    ['* * 9-16 31/1 FEB ?', "the day-of-month field has '31/1' (day 31), a day that no month of the month field 'FEB' has (the window would never open on it)"],
    ['* * 9-16 30/1 2 ?', "the day-of-month field has '30/1' (days 30, 31), days that no month of the month field '2' has (the window would never open on them)"],
    ['* * 9-16 1,*/31 FEB ?', undefined],
    ['* * 9-16 15/14 FEB ?', undefined],
    ['* * 9-16 31 FEB/12 ?', "the day-of-month field has 31, a day that no month of the month field 'FEB/12' has (the window would never open on it)"],
    ['* * 9-16 31 FEB/5 ?', undefined],
    ['* * 9-16 31 */2 ?', undefined],
    ['* * 9-16 31 APR-JUN/2,SEP-NOV/2 ?', "the day-of-month field has 31, a day that no month of the month field 'APR-JUN/2,SEP-NOV/2' has (the window would never open on it)"],
    ['* * 9-16 31 APR-SEP/2 ?', undefined],
    // a range that ends before it starts wraps around the month's end: 31-1 is the 31st and the 1st
    ['* * 9-16 31-1 FEB ?', undefined],
    ['* * 9 ? * * 2021-2022/1', `the year field has only years before ${new Date().getUTCFullYear()} ('2021-2022/1'): the window would never open again`],
    ['* * 9 ? * * 2020/200', `the year field has only years before ${new Date().getUTCFullYear()} ('2020/200'): the window would never open again`],
    ['* * 9 ? * * 2000-2010/5,2001', `the year field has only years before ${new Date().getUTCFullYear()} ('2000-2010/5,2001'): the window would never open again`],
    // 2020, then 2120: the window does open again, in 2120
    ['* * 9 ? * * 2020/100', undefined],
    ['* * 9 ? * * */2', undefined],
    ['* * 9 ? * * 2030-2020', "the year field has '2030-2020' (a range of years must not end before it starts)"],
  ])('cron %s', (expression, problem) => {
    expect(cronProblem(expression)).toBe(problem);
  });

  test('a step Quartz refuses is refused at synth, naming the field, the expression and the steps allowed', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { deploymentWindow: DeploymentWindow.cron('* */60 9-16 ? * MON-FRI') })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').deploymentWindow.expression is not a deployment window cron expression: the minutes field has '*/60' "
      + "(a step must be 1 to 59), got '* */60 9-16 ? * MON-FRI'. "
      + "Write it as seconds minutes hours day-of-month month day-of-week, for example '* * 9-16 ? * MON-THU' for 09:00-16:59 Monday to Thursday.");
  });
});

describe('blockWhileAlarming', () => {
  test('becomes an entry condition checking the alarms (no wait)', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        blockWhileAlarming: [alarm(stack, 'ProdHealth')],
      })],
    });
    const rules = stage(stack, 'prod').BeforeEntry.Conditions[0].Rules;
    expect(rules.map((r: any) => r.Name)).toEqual(['prod.DeploymentWindow', 'prod.EntryAlarm']);
    expect(rules[1].Configuration).toEqual({ AlarmName: 'ProdHealth', AlarmStates: 'ALARM' });
  });

  test('with a deployment window, a warning says the alarms are not checked again when the window opens', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        blockWhileAlarming: [alarm(stack, 'ProdHealth')],
      })],
    });
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Shop',
      "environments[0] ('prod'): deploymentWindow and blockWhileAlarming are rules of the same entry condition, and CodePipeline does not check the alarms again "
      + 'when the window opens: a change that waited for the window can enter the environment while an alarm is in ALARM. '
      + "Also watch 'ProdHealth' with Verification.alarms (checked after the deployments; in ALARM the stage fails or rolls back). "
      + '[ack: delivery-pipeline:windowWithEntryAlarms]');
  });

  test('an approval inside a stage with entry conditions warns: the window and alarms are checked before it, not when it is answered', () => {
    const stack = newStack();
    pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DELIVERY,
      environments: [env('prod', {
        production: true,
        deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * MON-THU', 'Europe/Paris'),
        blockWhileAlarming: [alarm(stack, 'ProdHealth')],
        verification: [Verification.alarms([alarm(stack, 'ProdHealth2')])],
      })],
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('approvalAfterEntryConditions')).map(w => w.entry.data);
    expect(warnings).toEqual([
      "environments[0] ('prod'): deploymentWindow and blockWhileAlarming are checked when a change enters the stage, before its approval ('Approve'); "
      + 'CodePipeline does not check them again when the approval is answered, so a change approved later deploys at once, even outside the window or '
      + 'while an alarm is in ALARM. Approve inside the window and only while the alarms are OK, and watch the alarms with Verification.alarms '
      + '(checked after the deployments; in ALARM the stage fails or rolls back). [ack: delivery-pipeline:approvalAfterEntryConditions]',
    ]);
    // the approval comes after the entry conditions in the same stage
    const prod = stage(stack, 'prod');
    expect(prod.BeforeEntry.Conditions[0].Rules.map((r: any) => r.RuleTypeId.Provider)).toEqual(['DeploymentWindow', 'CloudWatchAlarm']);
    expect(prod.Actions.find((a: any) => a.ActionTypeId.Category === 'Approval')).toMatchObject({ Name: 'Approve', RunOrder: 1 });
  });

  test.each([
    ['a deployment window', { deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * MON-THU', 'Europe/Paris') },
      "environments[0] ('prod'): deploymentWindow is checked when a change enters the stage, before its approval ('Approve'); CodePipeline does not check it "
      + 'again when the approval is answered, so a change approved later deploys at once, even outside the window. Approve inside the window.'],
    ['entry alarms (regression: "Approve inside the window", with no window)', { blockWhileAlarming: ['ProdHealth'] },
      "environments[0] ('prod'): blockWhileAlarming is checked when a change enters the stage, before its approval ('Approve'); CodePipeline does not check it "
      + 'again when the approval is answered, so a change approved later deploys at once, even while an alarm is in ALARM. Approve only while the alarms are OK, '
      + 'and watch the alarms with Verification.alarms (checked after the deployments; in ALARM the stage fails or rolls back).'],
    ['both', { deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * MON-THU', 'Europe/Paris'), blockWhileAlarming: ['ProdHealth'] },
      "environments[0] ('prod'): deploymentWindow and blockWhileAlarming are checked when a change enters the stage, before its approval ('Approve'); "
      + 'CodePipeline does not check them again when the approval is answered, so a change approved later deploys at once, even outside the window or '
      + 'while an alarm is in ALARM. Approve inside the window and only while the alarms are OK, and watch the alarms with Verification.alarms '
      + '(checked after the deployments; in ALARM the stage fails or rolls back).'],
  ])('the approval warning names only the entry conditions the environment has: %s', (_case, gates, warning) => {
    const stack = newStack();
    const { blockWhileAlarming, ...rest } = gates as { blockWhileAlarming?: string[]; deploymentWindow?: DeploymentWindow };
    pipelineIn(stack, {
      environments: [env('prod', { ...rest, blockWhileAlarming: blockWhileAlarming?.map(n => alarm(stack, n)), approval: Approval.manual() })],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('approvalAfterEntryConditions')).map(w => w.entry.data)).toEqual([
      `${warning} [ack: delivery-pipeline:approvalAfterEntryConditions]`,
    ]);
  });

  test('a change-set review after a deployment window warns that the change sets execute when it is answered; no approval, no warning', () => {
    const reviewed = newStack();
    pipelineIn(reviewed, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        approval: Approval.changeSetReview(),
        deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'shop.template.json' })],
      })],
    });
    expect(Annotations.fromStack(reviewed).findWarning('*', Match.stringLikeRegexp('approvalAfterEntryConditions')).map(w => w.entry.data)).toEqual([
      "environments[0] ('prod'): deploymentWindow is checked when a change enters the stage, before its change-set review ('ReviewChangeSet'); "
      + 'CodePipeline does not check it again when the review is answered, so a change approved later deploys at once, even outside the window. '
      + 'Approve inside the window. [ack: delivery-pipeline:approvalAfterEntryConditions]',
    ]);
    const unattended = newStack();
    pipelineIn(unattended, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('prod', {
        production: true,
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        verification: [Verification.alarms([alarm(unattended, 'ProdHealth')])],
      })],
    });
    expect(Annotations.fromStack(unattended).findWarning('*', Match.stringLikeRegexp('approvalAfterEntryConditions'))).toEqual([]);
  });

  test('no warning when Verification.alarms watch the same alarm imported twice (regression: compared as objects)', () => {
    const stack = newStack();
    const arn = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors';
    pipelineIn(stack, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        blockWhileAlarming: [cloudwatch.Alarm.fromAlarmArn(stack, 'A1', arn)],
        verification: [Verification.alarms([cloudwatch.Alarm.fromAlarmArn(stack, 'A2', arn)])],
      })],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('windowWithEntryAlarms'))).toEqual([]);
  });

  test('no warning when the environment\'s Verification.alarms watch every entry alarm; the ones they do not are named', () => {
    const stack = newStack();
    const health = alarm(stack, 'ProdHealth');
    pipelineIn(stack, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        blockWhileAlarming: [health],
        verification: [Verification.alarms([health], { bakeTime: Duration.minutes(15) })],
      })],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('blockWhileAlarming'))).toEqual([]);

    const other = newStack();
    const [a, b] = [alarm(other, 'ProdHealth'), alarm(other, 'ProdLatency')];
    pipelineIn(other, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        blockWhileAlarming: [a, b],
        verification: [Verification.alarms([a], { bakeTime: Duration.minutes(15) })],
      })],
    });
    const warnings = Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('blockWhileAlarming')).map(w => String(w.entry.data));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Also watch 'ProdLatency' with Verification.alarms");
  });

  test('entry alarms without a deployment window give no warning', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { blockWhileAlarming: [alarm(stack, 'ProdHealth')] })] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('blockWhileAlarming'))).toEqual([]);
  });

  test('a deployment window and 4 alarms fill the one entry condition (5 rules, CodePipeline\'s limit)', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [env('prod', {
        deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-FRI', 'UTC'),
        blockWhileAlarming: ['A', 'B', 'C', 'D'].map(n => alarm(stack, n)),
      })],
    });
    const conditions = stage(stack, 'prod').BeforeEntry.Conditions;
    expect(conditions).toHaveLength(1);
    expect(conditions[0].Rules.map((r: any) => r.Name)).toEqual(['prod.DeploymentWindow', 'prod.EntryAlarm', 'prod.EntryAlarm2', 'prod.EntryAlarm3', 'prod.EntryAlarm4']);
  });
});

describe('FailurePolicy', () => {
  test('ROLLBACK is the default for production, nothing for other environments', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true })] });
    expect(stage(stack, 'staging').OnFailure).toBeUndefined();
    expect(stage(stack, 'prod').OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('RETRY with a retry mode, and FAIL to opt out of the production default', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [
        env('staging', { onFailure: FailurePolicy.retry(codepipeline.RetryMode.ALL_ACTIONS) }),
        env('qa', { onFailure: FailurePolicy.RETRY }),
        env('prod', { production: true, onFailure: FailurePolicy.FAIL }),
      ],
    });
    expect(stage(stack, 'staging').OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: 'ALL_ACTIONS' } });
    expect(stage(stack, 'qa').OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: 'FAILED_ACTIONS' } });
    expect(stage(stack, 'prod').OnFailure).toBeUndefined();
  });

  test('in PARALLEL execution mode production does not default to rollback (CodePipeline cannot roll back there)', () => {
    const stack = newStack();
    pipelineIn(stack, { executionMode: codepipeline.ExecutionMode.PARALLEL, environments: [env('prod', { production: true })] });
    expect(stage(stack, 'prod').OnFailure).toBeUndefined();
  });
});

test('the same alarm in two Verification.alarms of one environment is refused (two rules of the 5, and the shorter bake time adds nothing)', () => {
  const stack = newStack();
  const a = alarm(stack, 'ErrorRate');
  expect(errorOf(() => pipelineIn(stack, {
    environments: [env('prod', {
      verification: [Verification.alarms([a]), Verification.commands('Smoke', ['true']), Verification.alarms([alarm(stack, 'Latency'), a], { bakeTime: Duration.minutes(60) })],
    })],
  }))).toBe("'PipelineStack/Shop': environments[0] ('prod').verification[2].alarms[1] is also watched by verification[0]; two gates on one alarm take two "
    + "of the on-success condition's 5 rules and the shorter bake time adds nothing, got ErrorRate. Watch each alarm in one Verification.alarms, with the "
    + 'longest bake time you need.');
});

describe('alarms in another account or region', () => {
  const foreign = (stack: any) => cloudwatch.Alarm.fromAlarmArn(stack, 'ProdErrors', 'arn:aws:cloudwatch:us-east-1:222222222222:alarm:ProdErrors');

  test('fails without a role to read them, naming the alarm and the fix', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([foreign(stack)])] })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').verification[0].alarms[0] is an alarm of account 222222222222, which the pipeline (account 111111111111) cannot read with its own role, got 'arn:aws:cloudwatch:us-east-1:222222222222:alarm:ProdErrors'. Pass a role in that account that trusts the pipeline account and may cloudwatch:DescribeAlarms (role: iam.Role.fromRoleArn(...)).");
  });

  test('in a pipeline stack that names no account or region, an alarm of a literal account or region is refused (its rule would look it up wherever the pipeline runs)', () => {
    const agnostic = new Stack(newApp(), 'AgnosticStack');
    expect(errorOf(() => pipelineIn(agnostic, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('prod', { production: true, blockWhileAlarming: [foreign(agnostic)] })],
    }))).toBe("'AgnosticStack/Shop': environments[0] ('prod').blockWhileAlarming[0] is an alarm in account 222222222222, us-east-1, but the pipeline's stack "
      + 'names no account or region, so its rule would look the alarm up in whatever account and region the pipeline runs in, got '
      + "'arn:aws:cloudwatch:us-east-1:222222222222:alarm:ProdErrors'. Give the pipeline's stack env: { account: '222222222222', region: 'us-east-1' } "
      + '(the account and region the pipeline runs in).');
    // region only: the account is read with the role given
    const regionOnly = new Stack(newApp(), 'RegionOnly', { env: { account: '111111111111' } });
    const role = iam.Role.fromRoleArn(regionOnly, 'Reader', 'arn:aws:iam::222222222222:role/alarm-reader');
    expect(errorOf(() => pipelineIn(regionOnly, {
      environments: [env('prod', { verification: [Verification.alarms([foreign(regionOnly)], { role })] })],
    }))).toBe("'RegionOnly/Shop': environments[0] ('prod').verification[0].alarms[0] is an alarm in us-east-1, but the pipeline's stack names no region, "
      + "so its rule would look the alarm up in whatever region the pipeline runs in, got 'arn:aws:cloudwatch:us-east-1:222222222222:alarm:ProdErrors'. "
      + "Give the pipeline's stack env: { account: '111111111111', region: 'us-east-1' } (the account and region the pipeline runs in).");
    // an alarm of the pipeline's own stack is referred to: nothing to refuse
    const own = new Stack(newApp(), 'Own');
    const errors = new cloudwatch.Alarm(own, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    expect(() => pipelineIn(own, { environments: [env('prod', { blockWhileAlarming: [errors] })] })).not.toThrow();
  });

  test('with a role, the rule runs with it in the alarm\'s region; the pipeline role may assume exactly that role', () => {
    const stack = newStack();
    const reader = iam.Role.fromRoleArn(stack, 'Reader', 'arn:aws:iam::222222222222:role/alarm-reader');
    const prodErrors = foreign(stack);
    pipelineIn(stack, {
      environments: [env('prod', {
        verification: [Verification.alarms([prodErrors], { role: reader })],
        blockWhileAlarming: [prodErrors],
        blockWhileAlarmingRole: reader,
      })],
    });
    const rule = stage(stack, 'prod').OnSuccess.Conditions[0].Rules[0];
    expect(rule).toMatchObject({ Name: 'prod.BakeAlarm', RoleArn: 'arn:aws:iam::222222222222:role/alarm-reader', Region: 'us-east-1' });
    expect(stage(stack, 'prod').BeforeEntry.Conditions[0].Rules[0]).toMatchObject({ RoleArn: 'arn:aws:iam::222222222222:role/alarm-reader' });
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /^ShopPipelineRoleDefaultPolicy/.test(id))![1] as any;
    const statements = flat(policy.Properties.PolicyDocument.Statement);
    const assume = statements.filter((s: any) => s.Action === 'sts:AssumeRole').flatMap((s: any) => [].concat(s.Resource));
    expect(assume).toContain('arn:aws:iam::222222222222:role/alarm-reader');
    expect(statements.filter((s: any) => [].concat(s.Action).includes('cloudwatch:DescribeAlarms' as never))).toEqual([]);
  });
});

describe('a role of another account than the alarms it reads', () => {
  const arnOf = (account: string, name: string) => `arn:aws:cloudwatch:eu-west-1:${account}:alarm:${name}`;
  const alarmOf = (stack: Stack, account: string, name: string) => cloudwatch.Alarm.fromAlarmArn(stack, name, arnOf(account, name));
  const reader = (stack: Stack) => iam.Role.fromRoleArn(stack, 'Reader', 'arn:aws:iam::222222222222:role/alarm-reader');
  const P = "'PipelineStack/Shop': environments[0] ('prod')";

  // an imported alarm of the pipeline stack's account may be one imported by name, whose ARN takes that account
  const BY_NAME_HINT = ' An alarm imported by name (cloudwatch.Alarm.fromAlarmName) takes the account of the stack it is imported into (111111111111): '
    + "if it is an alarm of account 222222222222, import it with its real account, cloudwatch.Alarm.fromAlarmArn(this, 'errors', "
    + "'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:errors').";

  test.each([
    ['of the pipeline\'s account', '111111111111', BY_NAME_HINT],
    ['of a third account', '333333333333', ''],
  ])('Verification.alarms: an alarm %s beside the role\'s is refused, naming both accounts (regression: read with the role, in its account)', (_case, account, hint) => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { verification: [Verification.alarms([alarmOf(stack, '222222222222', 'web-5xx'), alarmOf(stack, account, 'errors')], { role: reader(stack) })] })],
    }))).toBe(`${P}.verification[0].alarms[1] is an alarm of account ${account}, but verification[0].role is a role of account 222222222222: `
      + `the rule reads the alarm with that role, so it would look the alarm up in account 222222222222, got '${arnOf(account, 'errors')}'. `
      + "Split the alarms by account: one Verification.alarms per account, each with a role of that account (alarms of the pipeline's account need none)."
      + hint);
  });

  test('an alarm imported by name into the pipeline\'s stack, with a role of another account: the error says to import it with fromAlarmArn and its real account', () => {
    const stack = newStack();
    const errors = cloudwatch.Alarm.fromAlarmName(stack, 'errors', 'errors');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { verification: [Verification.alarms([errors], { role: reader(stack) })] })],
    }))).toBe(`${P}.verification[0].alarms[0] is an alarm of account 111111111111, but verification[0].role is a role of account 222222222222: `
      + `the rule reads the alarm with that role, so it would look the alarm up in account 222222222222, got '${arnOf('111111111111', 'errors')}'. `
      + "Split the alarms by account: one Verification.alarms per account, each with a role of that account (alarms of the pipeline's account need none)."
      + BY_NAME_HINT);
  });

  test('blockWhileAlarming: an alarm of another account than blockWhileAlarmingRole\'s is refused', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { blockWhileAlarming: [alarmOf(stack, '111111111111', 'errors')], blockWhileAlarmingRole: reader(stack) })],
    }))).toBe(`${P}.blockWhileAlarming[0] is an alarm of account 111111111111, but blockWhileAlarmingRole is a role of account 222222222222: `
      + `the rule reads the alarm with that role, so it would look the alarm up in account 222222222222, got '${arnOf('111111111111', 'errors')}'. `
      + 'blockWhileAlarming reads all its alarms with blockWhileAlarmingRole: pass alarms of account 222222222222 only, and watch the others with '
      + 'Verification.alarms and a role of their account.' + BY_NAME_HINT);
  });

  test('a role of the app is of its stack\'s account; an alarm of the pipeline\'s own stack is of the pipeline\'s', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const roles = new Stack(app, 'Roles', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new iam.Role(roles, 'Reader', { roleName: 'alarm-reader', assumedBy: new iam.AccountPrincipal('111111111111') });
    const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([errors], { role })] })] }))).toMatch(
      /^'PipelineStack\/Shop': environments\[0\] \('prod'\)\.verification\[0\]\.alarms\[0\] is an alarm of account 111111111111, but verification\[0\]\.role is a role of account 222222222222: .*, got PipelineStack\/Errors\. Split the alarms by account/);
  });

  test('alarms and role of one account are taken, and so is a role whose account is not known at synth', () => {
    const stack = newStack();
    const agnostic = new Stack(stack.node.root as any, 'Roles');
    const unknown = new iam.Role(agnostic, 'Reader', { roleName: 'alarm-reader-333', assumedBy: new iam.AccountPrincipal('111111111111') });
    pipelineIn(stack, {
      environments: [env('prod', {
        blockWhileAlarming: [alarmOf(stack, '222222222222', 'web-5xx')],
        blockWhileAlarmingRole: reader(stack),
        verification: [Verification.alarms([alarmOf(stack, '333333333333', 'errors')], { role: unknown })],
      })],
    });
    expect(stage(stack, 'prod').BeforeEntry.Conditions[0].Rules[0]).toMatchObject({ RoleArn: 'arn:aws:iam::222222222222:role/alarm-reader' });
    expect(flat(stage(stack, 'prod').OnSuccess.Conditions[0].Rules[0].RoleArn)).toMatch(/:role\/alarm-reader-333$/);
  });
});

describe('a role that is not a role', () => {
  test.each([
    ['Verification.alarms', (errors: any) => ({ verification: [Verification.alarms([errors], { role: 'reader' as any })] }), 'verification[0].role'],
    ['blockWhileAlarmingRole', (errors: any) => ({ blockWhileAlarming: [errors], blockWhileAlarmingRole: 'reader' as any }), 'blockWhileAlarmingRole'],
  ])('%s: the error names the field as written (regression: blockWhileAlarming.role, a field that does not exist)', (_case, extra, field) => {
    const stack = newStack();
    const errorsAlarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors');
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', extra(errorsAlarm))] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').${field} must be an iam.IRole, got 'reader'. `
      + "Pass iam.Role.fromRoleArn(this, 'AlarmReader', 'arn:aws:iam::222222222222:role/alarm-reader').");
  });
});

describe('alarms of stacks of the app outside the pipeline\'s stack', () => {
  const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' });
  const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
  /** An app with the pipeline's stack and an alarm in a stack of `env` (or of a CDK stage), named or not. */
  function setup(where: { env?: { account?: string; region?: string }; stage?: boolean }, alarmName?: string) {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const parent = where.stage ? new Stage(app, 'Prod', { env: where.env }) : app;
    const monitoring = new Stack(parent, 'Monitoring', { env: where.stage ? undefined : where.env });
    const errors = new cloudwatch.Alarm(monitoring, 'Errors', { alarmName, metric, threshold: 1, evaluationPeriods: 1 });
    return { app, stack, errors };
  }
  const rulesOf = (stack: Stack) => {
    const prod = stage(stack, 'prod');
    return [...prod.BeforeEntry.Conditions[0].Rules, ...prod.OnSuccess.Conditions[0].Rules];
  };
  const describeAlarms = (stack: Stack) => {
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /^ShopPipelineRoleDefaultPolicy/.test(id))![1] as any;
    return flat(policy.Properties.PolicyDocument.Statement).filter((st: any) => st.Action === 'cloudwatch:DescribeAlarms').flatMap((st: any) => [].concat(st.Resource));
  };

  test('an alarm of another region is watched there, by its name (regression: the rules ran in the pipeline\'s region)', () => {
    const { stack, errors } = setup({ env: { account: '111111111111', region: 'us-east-1' } }, 'edge-errors');
    pipelineIn(stack, { environments: [env('prod', { region: 'us-east-1', blockWhileAlarming: [errors], verification: [Verification.alarms([errors])] })] });
    for (const rule of rulesOf(stack)) {
      expect(rule).toMatchObject({ Region: 'us-east-1', Configuration: { AlarmName: 'edge-errors', AlarmStates: 'ALARM' } });
    }
    // the entry and the bake rules read the same alarm: one grant
    expect(describeAlarms(stack)).toEqual(['arn:aws:cloudwatch:us-east-1:111111111111:alarm:edge-errors']);
  });

  test('an alarm of another account without a role is refused (regression: a grant that allowed nothing)', () => {
    const { stack, errors } = setup({ env: { account: '222222222222', region: 'eu-west-1' } }, 'web-5xx');
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { account: '222222222222', verification: [Verification.alarms([errors])] })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').verification[0].alarms[0] is an alarm of account 222222222222, which the pipeline (account 111111111111) "
      + "cannot read with its own role, got 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-5xx'. "
      + 'Pass a role in that account that trusts the pipeline account and may cloudwatch:DescribeAlarms (role: iam.Role.fromRoleArn(...)).');
  });

  test('an alarm of another region with a generated name is refused (regression: aws-cdk-lib\'s "Cannot use resource ... in a cross-environment fashion")', () => {
    const { stack, errors } = setup({ env: { account: '111111111111', region: 'us-east-1' } });
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([errors])] })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').verification[0].alarms[0] is an alarm of stack 'Monitoring', in another account or region than the pipeline's, "
      + "which the pipeline's stack cannot refer to, and its name is generated, got 'Monitoring/Errors'. "
      + "Give the alarm an alarmName (new cloudwatch.Alarm(this, 'Errors', { alarmName: 'shop-prod-errors', ... })), or import it with "
      + "cloudwatch.Alarm.fromAlarmArn(this, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-errors').");
  });

  test('an alarm of a CDK stage the pipeline deploys is watched by its name (regression: "dependency cannot cross stage boundaries")', () => {
    const { app, stack, errors } = setup({ stage: true, env: PIPELINE_ENV }, 'prod-errors');
    pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([errors])], blockWhileAlarming: [errors] })] });
    app.synth();
    for (const rule of rulesOf(stack)) {
      expect(rule.Configuration.AlarmName).toBe('prod-errors');
      expect(rule.Region).toBeUndefined();
    }
    expect(describeAlarms(stack)).toEqual(['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:prod-errors']);
  });

  test('an alarm of a CDK stage with a generated name is refused', () => {
    const { stack, errors } = setup({ stage: true, env: PIPELINE_ENV });
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([errors])] })] }))).toMatch(
      /^'PipelineStack\/Shop': environments\[0\] \('prod'\)\.verification\[0\]\.alarms\[0\] is an alarm of stack 'Prod\/Monitoring', in CDK stage 'Prod', not the pipeline's, which the pipeline's stack cannot refer to, and its name is generated, got 'Prod\/Monitoring\/Errors'\. Give the alarm an alarmName /);
  });

  test('an alarm of a CDK stage whose alarmName is built from a token is refused as such (regression: "its name is generated")', () => {
    const { stack, errors } = setup({ stage: true, env: PIPELINE_ENV }, `${Aws.STACK_NAME}-errors`);
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([errors])] })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').verification[0].alarms[0] is an alarm of stack 'Prod/Monitoring', in CDK stage 'Prod', not the pipeline's, "
      + "which the pipeline's stack cannot refer to, and its alarmName contains a token, so the name is known only when that stack deploys, "
      + "got 'Prod/Monitoring/Errors'. Give the alarm an alarmName that is a literal string (alarmName: 'shop-prod-errors', not built from a token such as "
      + "Aws.STACK_NAME), or import it with cloudwatch.Alarm.fromAlarmArn(this, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-errors').");
  });

  test('an alarm of another stack in the pipeline\'s account and region is referred to as before', () => {
    const { app, stack, errors } = setup({ env: PIPELINE_ENV });
    pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([errors])] })] });
    app.synth();
    const rule = stage(stack, 'prod').OnSuccess.Conditions[0].Rules[0];
    expect(rule.Region).toBeUndefined();
    // a cross-stack reference (Fn::ImportValue; Fn::GetStackOutput in newer aws-cdk-lib)
    expect(JSON.stringify(rule.Configuration.AlarmName)).toMatch(/Fn::ImportValue|Fn::GetStackOutput/);
  });
});

describe('composite alarms', () => {
  const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' });
  /** Two metric alarms of the stack and a composite alarm of both. */
  function alarms(stack: Stack) {
    const errors = new cloudwatch.Alarm(stack, 'Errors', { alarmName: 'shop-errors', metric, threshold: 1, evaluationPeriods: 1 });
    const latency = new cloudwatch.Alarm(stack, 'Latency', { alarmName: 'shop-latency', metric, threshold: 5, evaluationPeriods: 1 });
    const health = new cloudwatch.CompositeAlarm(stack, 'Health', { compositeAlarmName: 'shop-health', alarmRule: cloudwatch.AlarmRule.anyOf(errors, latency) });
    return { errors, latency, health };
  }
  /** The pipeline role's cloudwatch:DescribeAlarms statements, as synthesized. */
  const describeAlarms = (stack: Stack) => {
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => /^ShopPipelineRoleDefaultPolicy/.test(id))![1] as any;
    return flat(policy.Properties.PolicyDocument.Statement).filter((st: any) => [].concat(st.Action).includes('cloudwatch:DescribeAlarms' as never));
  };

  test('metric alarms alone: the pipeline role may describe exactly those alarms', () => {
    const stack = newStack();
    const { errors, latency } = alarms(stack);
    pipelineIn(stack, { environments: [env('prod', { blockWhileAlarming: [errors], verification: [Verification.alarms([latency])] })] });
    expect(describeAlarms(stack)).toEqual([{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: ['<ErrorsFA5270DE.Arn>', '<Latency2EF2A010.Arn>'] }]);
  });

  test.each([
    ['Verification.alarms', (health: cloudwatch.IAlarm) => ({ verification: [Verification.alarms([health])] })],
    ['blockWhileAlarming', (health: cloudwatch.IAlarm) => ({ blockWhileAlarming: [health] })],
  ])('%s with a composite alarm: the pipeline role may describe every alarm, as CloudWatch requires (regression: its ARN only)', (_case, gate) => {
    const stack = newStack();
    const { health } = alarms(stack);
    pipelineIn(stack, { environments: [env('prod', gate(health))] });
    expect(describeAlarms(stack)).toEqual([{ Sid: 'DescribeCompositeAlarms', Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' }]);
  });

  test('a composite alarm of a CDK stage, watched by its name, is recognised too', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    const { health } = alarms(new Stack(prod, 'Monitoring'));
    pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([health])] })] });
    expect(stage(stack, 'prod').OnSuccess.Conditions[0].Rules[0].Configuration.AlarmName).toBe('shop-health');
    expect(describeAlarms(stack)).toEqual([{ Sid: 'DescribeCompositeAlarms', Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' }]);
  });

  test('an imported alarm cannot be told to be composite: it is granted by its ARN', () => {
    const stack = newStack();
    const imported = cloudwatch.CompositeAlarm.fromCompositeAlarmArn(stack, 'Health', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-health');
    pipelineIn(stack, { environments: [env('prod', { verification: [Verification.alarms([imported])] })] });
    expect(describeAlarms(stack)).toEqual([{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-health' }]);
  });

  test('cdk-nag finds nothing: the "*" carries the reason CloudWatch gives', () => {
    const stack = newStack();
    const { health } = alarms(stack);
    pipelineIn(stack, { environments: [env('prod', { blockWhileAlarming: [health], verification: [Verification.alarms([health])] })] });
    expect(nagFindingsAfterSynth(stack).filter(f => f.path.startsWith('PipelineStack/Shop/'))).toEqual([]);
    const policy = stack.node.findAll().find(c => c.node.path === 'PipelineStack/Shop/Pipeline/Role/DefaultPolicy/Resource') as CfnResource;
    expect(policy.getMetadata('cdk_nag').rules_to_suppress).toContainEqual({
      id: 'AwsSolutions-IAM5',
      reason: 'Resource "*" for cloudwatch:DescribeAlarms only, granted because a watched alarm is a composite alarm: CloudWatch returns information about '
        + 'composite alarms only to a cloudwatch:DescribeAlarms permission scoped to "*", not to one on the alarm\'s ARN (Amazon CloudWatch API Reference, DescribeAlarms). '
        + 'Metric alarms alone are granted by their ARNs. See the cdk-delivery-pipeline README, Security.',
      applies_to: ['Resource::*'],
    });
  });

  test('the "*" of DescribeAlarms is suppressed only when every other "*" of the policy is of a kind that is', () => {
    const describe = { Sid: 'DescribeCompositeAlarms', Action: 'cloudwatch:DescribeAlarms', Resource: '*' };
    const ids = (statements: any[]) => starSuppressions(statements, rest => onlyApiRequiredStars(rest) ? { id: 'api', reason: '' } : undefined)
      .map(s => s.id === 'api' ? 'api' : s.reason.split(',')[0]);
    const composite = 'Resource "*" for cloudwatch:DescribeAlarms only';
    expect(ids([describe, { Action: 'cloudwatch:DescribeAlarms', Resource: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-errors' }])).toEqual([composite]);
    expect(ids([describe, { Action: 'ecr:GetAuthorizationToken', Resource: '*' }])).toEqual(['api', composite]);
    // a "*" of another kind: cdk-nag reports the policy's one Resource::* finding
    expect(ids([describe, { Action: 's3:ListAllMyBuckets', Resource: '*' }])).toEqual([]);
    expect(ids([{ ...describe, Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'] }])).toEqual([]);
    // a statement of the user's (a project's rolePolicyStatements) is not the library's grant
    expect(ids([{ Action: 'cloudwatch:DescribeAlarms', Resource: '*' }])).toEqual([]);
    expect(ids([{ ...describe, Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }])).toEqual([]);
    expect(ids([{ Action: 'ecr:GetAuthorizationToken', Resource: '*' }])).toEqual(['api']);
  });
});

describe('the environment\'s alarms on its CodeDeploy groups', () => {
  test('an alarm of another account than the group\'s is not added to it, and the plan says so (regression: a cross-environment error)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const service = new Stack(app, 'Service', { env: { account: '222222222222', region: 'eu-west-1' } });
    const application = new codedeploy.ServerApplication(service, 'App', { applicationName: 'shop' });
    const fleet = new codedeploy.ServerDeploymentGroup(service, 'Fleet', { application, deploymentGroupName: 'shop-fleet' });
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' });
    const local = new cloudwatch.Alarm(service, 'Local', { alarmName: 'shop-5xx', metric, threshold: 1, evaluationPeriods: 1 });
    const reader = iam.Role.fromRoleArn(stack, 'Reader', 'arn:aws:iam::222222222222:role/alarm-reader');
    const pipeline = pipelineIn(stack, {
      environments: [env('prod', {
        account: '222222222222',
        deployments: [DeploymentTarget.codeDeployServer(fleet)],
        verification: [Verification.alarms([local], { role: reader }), Verification.alarms([alarm(stack, 'PipelineErrors')])],
      })],
    });
    app.synth();
    // CodeDeploy watches the alarm of its own account only
    const [group] = Object.values(Template.fromStack(service).findResources('AWS::CodeDeploy::DeploymentGroup')) as any[];
    expect(group.Properties.AlarmConfiguration).toEqual({ Alarms: [{ Name: { Ref: expect.stringMatching(/^Local/) } }], Enabled: true });
    expect(pipeline.describe().environments[0].deployments[0].details).toEqual(expect.arrayContaining([
      "the environment's 1 of 2 alarms added to the deployment group: CodeDeploy stops and rolls back when one fires",
      '1 alarm of another account, region or CDK stage not added to the deployment group (CodeDeploy watches alarms of its own account and region)',
    ]));
  });
});

describe('alarm names in the plan', () => {
  test('an alarm with a generated name is shown by its construct path, a named one by its name', () => {
    const stack = newStack();
    const generated = new cloudwatch.Alarm(stack, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    const pipeline = pipelineIn(stack, {
      environments: [env('staging', {
        blockWhileAlarming: [generated],
        verification: [Verification.alarms([generated, alarm(stack, 'Latency')], { bakeTime: Duration.minutes(30) })],
      })],
    });
    pipeline.buildPipeline();
    const gates = pipeline._plan!.environments[0].gates.map(g => g.summary);
    expect(gates).toContain('not entered while in ALARM: PipelineStack/Errors');
    expect(gates).toContain('after deploying, alarms watched for 30 min: PipelineStack/Errors, Latency; in ALARM → fail');
  });

  test('an alarm of the app given an alarmName is shown by that name (regression: by its construct path)', () => {
    const stack = newStack();
    const named = new cloudwatch.Alarm(stack, 'Errors', {
      alarmName: 'shop-errors', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    const pipeline = pipelineIn(stack, { environments: [env('staging', { verification: [Verification.alarms([named], { bakeTime: Duration.minutes(30) })] })] });
    expect(pipeline.describe().environments[0].gates).toEqual([expect.objectContaining({
      summary: 'after deploying, alarms watched for 30 min: shop-errors; in ALARM → fail', alarms: ['shop-errors'],
    })]);
  });
});

describe('environment settings that would do nothing', () => {
  test('blockWhileAlarmingRole without blockWhileAlarming is refused', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { blockWhileAlarmingRole: iam.Role.fromRoleArn(stack, 'Reader', 'arn:aws:iam::222222222222:role/alarm-reader') })],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').blockWhileAlarmingRole is the role that reads the alarms of blockWhileAlarming, but blockWhileAlarming "
      + 'is not given (the role would do nothing), got a role. Pass blockWhileAlarming: [alarm, ...] with it, or leave the role out.');
  });

  test('acknowledgeUnverifiedProduction on an environment that is not production is not shown as an acknowledgement', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging', { acknowledgeUnverifiedProduction: true }), env('prod', { production: true })] });
    expect(pipeline.describe().environments.map(e => e.unverifiedAcknowledged)).toEqual([false, false]);
  });
});
