import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as fc from 'fast-check';
import {
  Approval, BuildStep, DeploymentTarget, DeploymentWindow, DockerCredential, EnvironmentOptions, FailurePolicy, LambdaTrafficShift, PipelineSource,
  QualityCheck, ReleaseMode, TestReport, Verification,
} from '../../src';
import { CONNECTION_ARN } from '../util';

/*
 * Generators for the whole configuration space: mostly valid values, with a steady share of the
 * mistakes users make (bad names, empty lists, contradicting modes, out-of-range numbers).
 */

/** Picks a good value, or (in the mistakes space) now and then a bad one. */
function either<T>(mistakes: boolean, good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return mistakes ? fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad }) : good;
}

const validName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._@-]{0,15}$/);
const actionName = (m: boolean) => either(m, validName,
  fc.constantFrom('', 'has space', 'x'.repeat(101), 'Build', 'Approve', 'Source', 'Checks'));

const stackName = (m: boolean) => either(m, fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  fc.constantFrom('under_score', '1starts-with-digit', ''));

const account = (m: boolean) => either(m, fc.constantFrom(undefined, undefined, undefined, '111111111111', '222222222222'),
  fc.constantFrom('1234', 'not-an-account'));

const source = (m: boolean) => fc.record({
  repository: either(m, fc.constant('acme/shop'), fc.constantFrom('shop', '', 'github.com/acme/shop')),
  branch: either(m, fc.constantFrom(undefined, 'main', 'release/1.x'), fc.constantFrom('', 'a b')),
  connectionArn: either(m, fc.constant(CONNECTION_ARN), fc.constant('arn:aws:s3:::bucket')),
  withTrigger: fc.boolean(),
  // pull requests: valid only in a pipeline that releases nothing, so mostly refused with environments
  pullRequests: fc.option(either<any[]>(m, fc.constantFrom<any[]>([{}], [{ branchesIncludes: ['main'], events: ['OPEN'] }]),
    fc.constantFrom<any[]>([], [{ events: [] }], [{ events: ['MERGED'] }], [{ branchIncludes: ['main'] }])), { freq: 4, nil: undefined }),
}).map(s => PipelineSource.gitHub({
  repository: s.repository,
  branch: s.branch,
  connectionArn: s.connectionArn,
  triggers: s.withTrigger ? [{ filePathsExcludes: ['docs/**'] }] : undefined,
  pullRequestTriggers: s.pullRequests as any,
}));

const buildStep = (m: boolean) => fc.record({
  commands: either(m, fc.array(fc.constantFrom('npm ci', 'npm test', 'make'), { minLength: 1, maxLength: 3 }), fc.constant([] as string[])),
  report: fc.option(either(m, fc.constant('reports/*.xml'), fc.constant('')), { nil: undefined }),
  timeoutMinutes: fc.option(either(m, fc.constantFrom(30, 120), fc.constantFrom(1, 3000, 5.5)), { nil: undefined }),
  privileged: fc.option(fc.boolean(), { nil: undefined }),
}).map(b => BuildStep.commands({
  commands: b.commands,
  testReports: b.report === undefined ? undefined : [TestReport.junit(b.report)],
  timeout: b.timeoutMinutes === undefined ? undefined : Duration.minutes(b.timeoutMinutes),
  privileged: b.privileged,
}));

const check = (m: boolean) => fc.oneof(
  fc.constant(QualityCheck.dependencyAudit()),
  either(m, fc.integer({ min: 0, max: 3 }), fc.constant(-1)).map(n => QualityCheck.sourceCodeScan({ highThreshold: n })),
  actionName(m).map(n => QualityCheck.commands(n, ['npm run lint'])),
  fc.option(either(m, fc.constantFrom('v1.2.3', '#{SourceVariables.CommitId}'), fc.constantFrom('v 1', '')), { nil: undefined })
    .map(tag => QualityCheck.imageScan(appImages, { imageTag: tag })),
);

let aliasCount = 0;
/** A Lambda deployment of an imported alias, in the pipeline's account or another one, with or without alarms. */
const lambdaTarget = (m: boolean) => fc.record({
  account: either(m, fc.constant('111111111111'), fc.constantFrom('222222222222', '333333333333')),
  shift: either(m,
    fc.constantFrom(
      LambdaTrafficShift.allAtOnce(), LambdaTrafficShift.canary(10, Duration.minutes(5)), LambdaTrafficShift.linear(20, Duration.minutes(3)),
    ),
    fc.constantFrom(LambdaTrafficShift.canary(0, Duration.minutes(5)), LambdaTrafficShift.linear(1, Duration.minutes(30)))),
  alarms: either(m, fc.array(alarm, { maxLength: 2 }), fc.array(alarm, { minLength: 11, maxLength: 11 })),
}).map(t => {
  const n = ++aliasCount;
  const version = lambda.Version.fromVersionArn(fixtures, `Version${n}`, `arn:aws:lambda:eu-west-1:${t.account}:function:fn${n}:1`);
  const alias = lambda.Alias.fromAliasAttributes(fixtures, `Alias${n}`, { aliasName: 'live', aliasVersion: version });
  // the generated alarms are of the pipeline's account: CodePipeline watches those of the function's
  const alarms = t.alarms.length > 0 && (t.account === '111111111111' || t.alarms.length > 10) ? t.alarms : undefined;
  return DeploymentTarget.lambdaFunction(alias, { trafficShift: t.shift, alarms });
});

const target = (m: boolean) => fc.oneof(
  { weight: 2, arbitrary: stackName(m).map(s => DeploymentTarget.cloudFormation({ stackName: s, templatePath: `cdk.out/${s}.template.json` })) },
  { weight: 2, arbitrary: actionName(m).map(n => DeploymentTarget.commands(n, ['./deploy.sh'])) },
  { weight: 1, arbitrary: lambdaTarget(m) },
);

const approval = (m: boolean) => fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.option(either(m, fc.constantFrom(60, 10080), fc.constantFrom(1, 100000, 7.5)), { nil: undefined })
      .map(t => Approval.manual({ timeout: t === undefined ? undefined : Duration.minutes(t) })),
  },
  { weight: 1, arbitrary: fc.constant(Approval.changeSetReview()) },
);

let alarmCount = 0;
/** A structural alarm: the library reads only its name and ARN. */
const alarm = fc.constant(null).map(() => {
  const name = `alarm${++alarmCount}`;
  return { alarmName: name, alarmArn: `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}` } as unknown as cloudwatch.IAlarm;
});

/** Stack-output references: '<stack>.<output>' of a stack the environment may or may not deploy, or malformed ones. */
const outputRefs = (m: boolean) => fc.dictionary(
  either(m, fc.constantFrom('URL', 'API_URL', 'QUEUE'), fc.constantFrom('1X', 'A-B', 'URL')),
  either(m, stackName(false).map(s => `${s}.Url`), fc.constantFrom('Url', '.Url', 'shop.Api-Url', '', 'x'.repeat(2000))),
  { maxKeys: 2 },
);

const verification = (m: boolean) => fc.oneof(
  actionName(m).map(n => Verification.commands(n, ['./smoke.sh'])),
  fc.record({ name: actionName(m), refs: outputRefs(m) }).map(a => Verification.commands(a.name, ['./smoke.sh'], { envFromStackOutputs: a.refs })),
  fc.record({
    alarms: either(m, fc.array(alarm, { minLength: 1, maxLength: 2 }), fc.array(alarm, { minLength: 0, maxLength: 6 })),
    bake: fc.option(either(m, fc.constantFrom(1, 10, 60), fc.constantFrom(0, 2000, 1.5)), { nil: undefined }),
  }).map(a => Verification.alarms(a.alarms, { bakeTime: a.bake === undefined ? undefined : Duration.minutes(a.bake) })),
);

const window = (m: boolean) => fc.option(
  either(m,
    fc.constantFrom('* * 9-16 ? * MON-THU', '* 0/30 8-18 ? * MON-FRI', '* * * L * ?'),
    fc.constantFrom('cron(0 9 ? * MON *)', '0 * 9 ? * MON', '* * 9 1 * MON'),
  ).map(c => DeploymentWindow.cron(c, 'Europe/Paris')),
  { nil: undefined },
);

const environment = (m: boolean): fc.Arbitrary<EnvironmentOptions> => fc.record({
  name: actionName(m),
  production: fc.boolean(),
  account: account(m),
  approval: approval(m),
  deployments: either(m, fc.array(target(m), { minLength: 1, maxLength: 3 }), fc.constant([])),
  verification: fc.array(verification(m), { maxLength: 2 }),
  acknowledgeUnverifiedProduction: fc.boolean(),
  deploymentWindow: window(m),
  blockWhileAlarming: fc.option(fc.array(alarm, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  onFailure: fc.constantFrom(undefined, FailurePolicy.ROLLBACK, FailurePolicy.FAIL, FailurePolicy.RETRY),
});

/** Imported resources the generated configurations refer to by literal ARN (no reference across apps). */
const fixtures = new Stack(new App(), 'FuzzFixtures', { env: { account: '111111111111', region: 'eu-west-1' } });
const hubSecret = secretsmanager.Secret.fromSecretCompleteArn(fixtures, 'Hub', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:hub-AbCdEf');
const baseImages = ecr.Repository.fromRepositoryArn(fixtures, 'Base', 'arn:aws:ecr:eu-west-1:999999999999:repository/base');
const appImages = ecr.Repository.fromRepositoryArn(fixtures, 'App', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop');

const dockerCredentials = (m: boolean) => fc.option(either<DockerCredential[]>(m,
  fc.constantFrom<DockerCredential[]>(
    [DockerCredential.dockerHub(hubSecret)],
    [DockerCredential.ecr([baseImages])],
    [DockerCredential.dockerHub(hubSecret), DockerCredential.customRegistry('ghcr.io', hubSecret), DockerCredential.ecr([baseImages])],
  ),
  fc.constantFrom<DockerCredential[]>(
    [DockerCredential.dockerHub(hubSecret), DockerCredential.dockerHub(hubSecret)],
    [DockerCredential.ecr([])],
    [DockerCredential.customRegistry('https://ghcr.io', hubSecret)],
    [DockerCredential.dockerHub(hubSecret, { secretField: 'a:b' })],
  ),
), { nil: undefined });

const additionalSources = (m: boolean) => fc.option(fc.array(fc.record({
  name: either(m, fc.constantFrom('Config', 'Lib', 'Scripts_2'), fc.constantFrom('', 'has-dash', 'Source', 'BuildOutput', 'x'.repeat(90))),
  repository: fc.constantFrom('acme/config', 'acme/lib', 'acme/shop'),
  directory: fc.option(either(m, fc.constantFrom('config', 'vendor/lib'), fc.constantFrom('/abs', '../up', 'a//b', '')), { nil: undefined }),
  triggersPipeline: fc.option(fc.boolean(), { nil: undefined }),
}).map(a => ({
  name: a.name,
  source: PipelineSource.gitHub({ repository: a.repository, connectionArn: CONNECTION_ARN }),
  directory: a.directory,
  triggersPipeline: a.triggersPipeline,
})), { maxLength: m ? 6 : 3 }), { freq: 3, nil: undefined });

const releaseMode = fc.constantFrom(
  undefined, ReleaseMode.CONTINUOUS_INTEGRATION, ReleaseMode.CONTINUOUS_DELIVERY, ReleaseMode.CONTINUOUS_DEPLOYMENT,
);

const props = (m: boolean) => fc.record({
  executionMode: fc.constantFrom(
    undefined, codepipeline.ExecutionMode.QUEUED, codepipeline.ExecutionMode.SUPERSEDED, codepipeline.ExecutionMode.PARALLEL,
  ),
  source: source(m),
  buildStep: buildStep(m),
  checks: fc.option(fc.array(check(m), { maxLength: 3 }), { nil: undefined }),
  releaseMode,
  environments: fc.array(environment(m), { maxLength: 4 }),
  dockerCredentials: dockerCredentials(m),
  additionalSources: additionalSources(m),
  // a log group per CodeBuild project when set; 45 and '365' are not RetentionDays
  logRetention: fc.option(either(m, fc.constantFrom(logs.RetentionDays.ONE_WEEK, logs.RetentionDays.ONE_YEAR, logs.RetentionDays.INFINITE),
    fc.constantFrom(45 as logs.RetentionDays, '365' as unknown as logs.RetentionDays)), { freq: 3, nil: undefined }),
});

/** Half the cases use only well-formed values (so the mode rules decide), half mix in mistakes. */
export const pipelineProps = fc.oneof(props(false), props(true));
