import * as fc from 'fast-check';
import { computeDora, computeEnvironment, DeploymentRecord, median, percentile } from '../../src/cli/dora';

const since = new Date('2026-11-01T00:00:00Z');
const until = new Date('2026-11-11T00:00:00Z'); // a 10-day window
const MIN = 60_000;

function rec(
  executionId: string, status: DeploymentRecord['status'], start: string, end: string | undefined,
  extra: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    pipeline: 'shop',
    environment: 'prod',
    executionId,
    kind: 'deployment',
    status,
    startTime: new Date(`2026-${start}:00Z`),
    endTime: end ? new Date(`2026-${end}:00Z`) : undefined,
    ...extra,
  };
}
const at = (s: string) => new Date(`2026-${s}:00Z`);

describe('DORA keys on hand-written histories', () => {
  test('deployments, a failure and its fix, a superseded and a running execution', () => {
    const m = computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30', { commitTime: at('11-02T08:00') }), // lead 2h30
      rec('e2', 'Failed', '11-03T10:00', '11-03T10:20', { commitTime: at('11-03T07:00') }), // failure at 10:20
      rec('e3', 'Succeeded', '11-03T11:00', '11-03T11:40', { commitTime: at('11-03T09:00') }), // lead 2h40, restores after 80 min
      rec('e4', 'Succeeded', '11-05T09:00', '11-05T09:30', { commitTime: at('11-04T21:30') }), // lead 12h
      rec('e5', 'Abandoned', '11-06T09:00', '11-06T09:05'), // superseded: not counted
      rec('e6', 'InProgress', '11-10T23:00', undefined), // running: not counted
    ], { since, until });
    expect(m.windowDays).toBe(10);
    expect(m.deployments).toBe(3);
    expect(m.deploymentsPerDay).toBeCloseTo(0.3, 10);
    expect(m.leadTimeMedianMs).toBe(160 * MIN);
    expect(m.leadTimeP90Ms).toBe(720 * MIN);
    expect(m.changes).toBe(4);
    expect(m.failedChanges).toBe(1);
    expect(m.changeFailureRate).toBe(0.25);
    expect(m.restores).toBe(1);
    expect(m.openFailures).toBe(0);
    expect(m.timeToRestoreMedianMs).toBe(80 * MIN);
    expect(m.daily).toHaveLength(11);
    expect(m.daily.filter((d) => d.deployments || d.failures)).toEqual([
      { day: '2026-11-02', deployments: 1, failures: 0 },
      { day: '2026-11-03', deployments: 1, failures: 1 },
      { day: '2026-11-05', deployments: 1, failures: 0 },
    ]);
    expect(m.leadTimes.map((l) => l.executionId)).toEqual(['e1', 'e3', 'e4']);
  });

  test('a rollback marks the deployment it undid as failed and restores in its own duration', () => {
    const m = computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30', { commitTime: at('11-02T10:00') }), // lead 30 min
      rec('e2', 'Succeeded', '11-04T10:00', '11-04T10:30', { commitTime: at('11-04T09:00') }), // lead 90 min, rolled back
      rec('r1', 'Succeeded', '11-04T12:00', '11-04T12:15', { kind: 'rollback' }),
    ], { since, until });
    expect(m.deployments).toBe(2);
    expect(m.changes).toBe(2);
    expect(m.failedChanges).toBe(1);
    expect(m.changeFailureRate).toBe(0.5);
    expect(m.leadTimeMedianMs).toBe(60 * MIN);
    expect(m.restores).toBe(1);
    expect(m.timeToRestoreMedianMs).toBe(15 * MIN);
  });

  test('a rollback after a failed change restores the last good one and undoes nothing that succeeded (regression: both counted as failed)', () => {
    const m = computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30'),
      rec('e2', 'Failed', '11-04T10:00', '11-04T10:20'), // the failure: the episode starts here
      rec('r1', 'Succeeded', '11-04T10:25', '11-04T10:40', { kind: 'rollback', rollbackTarget: 'e1' }),
    ], { since, until });
    expect(m).toMatchObject({
      deployments: 1, changes: 2, failedChanges: 1, changeFailureRate: 0.5, restores: 1, openFailures: 0, timeToRestoreMedianMs: 20 * MIN,
    });
    expect(m.daily.filter((d) => d.failures)).toEqual([{ day: '2026-11-04', deployments: 0, failures: 1 }]);
  });

  test('a rollback to the latest change undoes nothing; without a known target, the latest change, when it succeeded, is undone', () => {
    const history = (target?: string) => computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30'),
      rec('e2', 'Succeeded', '11-04T10:00', '11-04T10:30'),
      rec('r1', 'Succeeded', '11-04T12:00', '11-04T12:15', { kind: 'rollback', ...(target ? { rollbackTarget: target } : {}) }),
    ], { since, until });
    expect(history('e2').failedChanges).toBe(0); // a rollback to what runs (CodePipeline refuses it; a record may still say so)
    expect(history('e1').failedChanges).toBe(1);
    expect(history().failedChanges).toBe(1);
  });

  test('a rollback undoes every change after the run it restores: a second rollback, to an older run, undoes the change the first restored', () => {
    const history = (r2: Partial<DeploymentRecord>) => computeEnvironment([
      rec('ea', 'Succeeded', '11-02T10:00', '11-02T10:30', { revision: 'a' }),
      rec('eb', 'Succeeded', '11-03T10:00', '11-03T10:30', { revision: 'b' }),
      rec('ec', 'Succeeded', '11-04T10:00', '11-04T10:30', { revision: 'c' }),
      rec('r1', 'Succeeded', '11-04T12:00', '11-04T12:15', { kind: 'rollback', rollbackTarget: 'eb', revision: 'b' }), // undoes ec
      rec('r2', 'Succeeded', '11-05T09:00', '11-05T09:20', { kind: 'rollback', ...r2 }), // back to ea: undoes eb
    ], { since, until });
    for (const r2 of [{ rollbackTarget: 'ea', revision: 'a' }, { revision: 'a' }]) {
      const m = history(r2);
      expect(m).toMatchObject({ deployments: 3, changes: 3, failedChanges: 2, restores: 2, openFailures: 0, timeToRestoreMedianMs: 17.5 * MIN });
      expect(m.timeToRestoreMaxMs).toBe(20 * MIN);
      expect(m.daily.filter((d) => d.failures)).toEqual([
        { day: '2026-11-04', deployments: 1, failures: 1 },
        { day: '2026-11-05', deployments: 0, failures: 1 },
      ]);
    }
    // without a target or a revision, the latest change before it, already undone: nothing more (as before)
    expect(history({}).failedChanges).toBe(1);
  });

  test('a failed rollback to an older run fails only the latest change before it: it took nothing out of the environment '
    + '(regression: every change after its target counted as failed)', () => {
    const m = computeEnvironment([
      rec('ea', 'Succeeded', '11-02T10:00', '11-02T10:30'),
      rec('eb', 'Succeeded', '11-03T10:00', '11-03T10:30'),
      rec('ec', 'Succeeded', '11-04T10:00', '11-04T10:30'),
      rec('r1', 'Failed', '11-04T12:00', '11-04T12:10', { kind: 'rollback', rollbackTarget: 'ea' }),
      rec('ed', 'Succeeded', '11-04T13:00', '11-04T13:30'),
    ], { since, until });
    // ec failed when the rollback started; ed's success restores
    expect(m).toMatchObject({ changes: 4, failedChanges: 1, restores: 1, openFailures: 0, timeToRestoreMedianMs: 90 * MIN });
  });

  test('one rollback past two changes undoes both; a target older than every run read undoes every change before the rollback', () => {
    const history = (target: string) => computeEnvironment([
      rec('ea', 'Succeeded', '11-02T10:00', '11-02T10:30'),
      rec('eb', 'Succeeded', '11-03T10:00', '11-03T10:30'),
      rec('ec', 'Failed', '11-04T10:00', '11-04T10:20'),
      rec('ed', 'Succeeded', '11-04T11:00', '11-04T11:30'),
      rec('r1', 'Succeeded', '11-04T12:00', '11-04T12:15', { kind: 'rollback', rollbackTarget: target }),
    ], { since, until });
    // to ea: eb and ed undone, ec failed already; the episode from ec's failure ends with ed's success, another starts at the rollback
    expect(history('ea')).toMatchObject({ changes: 4, failedChanges: 3, restores: 2, openFailures: 0 });
    expect(history('e0')).toMatchObject({ changes: 4, failedChanges: 4, restores: 2 });
    expect(history('eb')).toMatchObject({ changes: 4, failedChanges: 2 });
  });

  test('a deployment fixed by a retry is a failed change, a deployment, and restores when the retry succeeds (regression: 0 deployments, never restored)', () => {
    const m = computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30', { commitTime: at('11-02T09:00') }),
      rec('e2', 'Succeeded', '11-04T10:00', '11-04T11:10', { commitTime: at('11-04T09:00'), failedAt: at('11-04T10:20') }),
    ], { since, until });
    expect(m).toMatchObject({
      deployments: 2, changes: 2, failedChanges: 1, changeFailureRate: 0.5, restores: 1, openFailures: 0, timeToRestoreMedianMs: 50 * MIN,
    });
    expect(m.leadTimes.map((l) => [l.executionId, l.leadTimeMs])).toEqual([['e1', 90 * MIN], ['e2', 130 * MIN]]);
    expect(m.daily.filter((d) => d.deployments || d.failures)).toEqual([
      { day: '2026-11-02', deployments: 1, failures: 0 },
      { day: '2026-11-04', deployments: 1, failures: 1 },
    ]);
  });

  test('a CodeDeploy automatic rollback counts as a failed change, restored by the next deployment', () => {
    const m = computeEnvironment([
      rec('e0', 'Succeeded', '11-01T10:00', '11-01T10:30'),
      rec('e1', 'Failed', '11-02T10:00', '11-02T10:30', { autoRolledBack: true }),
      rec('e2', 'Succeeded', '11-02T14:00', '11-02T14:30'),
    ], { since, until });
    expect(m.deployments).toBe(2);
    expect(m.failedChanges).toBe(1);
    expect(m.changeFailureRate).toBeCloseTo(1 / 3, 10);
    expect(m.timeToRestoreMedianMs).toBe(4 * 60 * MIN);
  });

  test('a commit dated after its deployment (clock skew) is no start: the execution\'s start is (regression: a negative lead time shown as days)', () => {
    const m = computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30', { commitTime: at('11-02T12:00'), executionStartTime: at('11-02T09:50') }),
    ], { since, until });
    expect(m.leadTimes.map((l) => l.leadTimeMs)).toEqual([40 * MIN]);
  });

  test('without commit time, lead time starts at the pipeline execution', () => {
    const m = computeEnvironment([
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30', { executionStartTime: at('11-02T09:00') }),
    ], { since, until });
    expect(m.leadTimeMedianMs).toBe(90 * MIN);
  });

  test('no deployments: zero frequency and no rates', () => {
    const empty = computeEnvironment([], { since, until });
    expect(empty).toMatchObject({ deployments: 0, deploymentsPerDay: 0, changes: 0, failedChanges: 0, restores: 0, openFailures: 0 });
    expect(empty.changeFailureRate).toBeUndefined();
    expect(empty.leadTimeMedianMs).toBeUndefined();
    expect(empty.timeToRestoreMedianMs).toBeUndefined();
    expect(computeDora([], { since, until })).toEqual([]);
    const onlySuperseded = computeEnvironment([rec('e1', 'Abandoned', '11-02T10:00', '11-02T10:10')], { since, until });
    expect(onlySuperseded.changes).toBe(0);
  });

  test('only failures: 100% change failure rate, one open failure episode', () => {
    const m = computeEnvironment([
      rec('e1', 'Failed', '11-02T10:00', '11-02T10:20'),
      rec('e2', 'Failed', '11-03T10:00', '11-03T10:20'),
    ], { since, until });
    expect(m.deployments).toBe(0);
    expect(m.changeFailureRate).toBe(1);
    expect(m.restores).toBe(0);
    expect(m.openFailures).toBe(1);
    expect(m.timeToRestoreMedianMs).toBeUndefined();
  });

  test('two failures in a row are one episode, restored from the first failure', () => {
    const m = computeEnvironment([
      rec('e1', 'Failed', '11-02T10:00', '11-02T10:20'),
      rec('e2', 'Failed', '11-02T11:00', '11-02T11:20'),
      rec('e3', 'Succeeded', '11-02T12:00', '11-02T12:20'),
    ], { since, until });
    expect(m.restores).toBe(1);
    expect(m.timeToRestoreMedianMs).toBe(120 * MIN);
  });

  test('runs that started before the window are left out; environments are kept apart', () => {
    const metrics = computeDora([
      rec('old', 'Succeeded', '10-30T10:00', '10-30T10:30'),
      rec('e1', 'Succeeded', '11-02T10:00', '11-02T10:30'),
      { ...rec('s1', 'Succeeded', '11-02T09:00', '11-02T09:10'), environment: 'staging' },
      { ...rec('s2', 'Succeeded', '11-02T09:30', '11-02T09:40'), environment: 'staging' },
    ], { since, until });
    expect(metrics.map((m) => [m.environment, m.deployments])).toEqual([['prod', 1], ['staging', 2]]);
  });

  test('median and percentile', () => {
    expect(median([])).toBeUndefined();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
  });

  test('property: rates stay within bounds and deployments never exceed changes', () => {
    const statuses: DeploymentRecord['status'][] = ['Succeeded', 'Failed', 'InProgress', 'Abandoned'];
    const arb = fc.array(fc.record({
      offsetMin: fc.integer({ min: 0, max: 10 * 24 * 60 - 60 }),
      durationMin: fc.integer({ min: 1, max: 59 }),
      status: fc.constantFrom(...statuses),
      rollback: fc.boolean(),
      auto: fc.boolean(),
    }), { maxLength: 40 });
    fc.assert(fc.property(arb, (rows) => {
      const records = rows.map((r, i) => ({
        pipeline: 'p',
        environment: 'prod',
        executionId: `e${i}`,
        kind: r.rollback ? 'rollback' as const : 'deployment' as const,
        status: r.status,
        autoRolledBack: r.auto,
        startTime: new Date(since.getTime() + r.offsetMin * MIN),
        endTime: new Date(since.getTime() + (r.offsetMin + r.durationMin) * MIN),
      }));
      const m = computeEnvironment(records, { since, until });
      expect(m.deployments).toBeLessThanOrEqual(m.changes);
      expect(m.failedChanges).toBeLessThanOrEqual(m.changes);
      if (m.changeFailureRate !== undefined) {
        expect(m.changeFailureRate).toBeGreaterThanOrEqual(0);
        expect(m.changeFailureRate).toBeLessThanOrEqual(1);
      }
      expect(m.openFailures).toBeLessThanOrEqual(1);
      expect(m.daily.reduce((a, d) => a + d.deployments, 0)).toBe(m.deployments);
    }), { numRuns: 200 });
  });
});

describe('order of the environments', () => {
  test('each pipeline\'s environments come in the order its stages run, whatever ran last', () => {
    // newest first, as the CLI reads them: the newest execution reached prod, an older one stopped in staging,
    // and a rollback of prod ran alone
    const records: DeploymentRecord[] = [
      rec('rb', 'Succeeded', '11-05T12:00', '11-05T12:10', { kind: 'rollback' }),
      rec('e3', 'Succeeded', '11-05T10:40', '11-05T10:50'),
      rec('e3', 'Succeeded', '11-05T10:20', '11-05T10:30', { environment: 'staging' }),
      rec('e3', 'Succeeded', '11-05T10:00', '11-05T10:10', { environment: 'dev' }),
      rec('e2', 'Failed', '11-04T10:20', '11-04T10:30', { environment: 'staging' }),
      rec('e2', 'Succeeded', '11-04T10:00', '11-04T10:10', { environment: 'dev' }),
      rec('b1', 'Succeeded', '11-04T09:00', '11-04T09:10', { pipeline: 'billing', environment: 'prod' }),
      rec('b1', 'Succeeded', '11-04T08:00', '11-04T08:10', { pipeline: 'billing', environment: 'beta' }),
    ];
    const order = computeDora(records, { since, until }).map((m) => `${m.pipeline}/${m.environment}`);
    expect(order).toEqual(['shop/dev', 'shop/staging', 'shop/prod', 'billing/beta', 'billing/prod']);
    // the same records in another order give the same report
    expect(computeDora([...records].reverse(), { since, until }).map((m) => `${m.pipeline}/${m.environment}`))
      .toEqual(['billing/beta', 'billing/prod', 'shop/dev', 'shop/staging', 'shop/prod']);
  });
});
