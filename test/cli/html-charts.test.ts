import { barChart, COUNT_AXIS, DURATION_AXIS, durationTick, lineChart } from '../../src/cli/html';

const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-11-20T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The y tick labels of a chart (left of the plot), bottom to top, and the height of each gridline (its y). */
function ticks(svg: string): { labels: string[]; lines: string[] } {
  return {
    labels: [...svg.matchAll(/<text x="32" [^>]*text-anchor="end">([^<]*)</g)].map((m) => m[1]),
    lines: [...svg.matchAll(/<line [^>]*y1="([^"]*)"/g)].map((m) => m[1]),
  };
}

/** A lead time chart of these lead times, one deployment a day. */
function leadTimes(...ms: number[]): string {
  return lineChart('lt', 'Lead time trend', ms.map((y, i) => ({ x: new Date(FROM.getTime() + (i + 1) * DAY), y })), FROM, TO, DURATION_AXIS, '#000');
}

describe('lead time chart', () => {
  test.each([
    // regression: "0h, 0.1h, 0.3h" for gridlines at 0.125h and 0.25h
    [[12 * MINUTE, 13.2 * MINUTE], ['0', '10m', '20m']],
    // regression: "0h, 0.0h, 0.1h"
    [[2.4 * MINUTE, 3 * MINUTE], ['0', '2m', '4m']],
    [[18 * MINUTE, 24 * MINUTE], ['0', '15m', '30m']],
    [[40 * MINUTE], ['0', '30m', '1h']],
    [[5 * HOUR], ['0', '3h', '6h']],
    [[20 * HOUR], ['0', '12h', '1d']],
    [[25 * HOUR], ['0', '1d', '2d']],
    [[3 * DAY + HOUR], ['0', '2d', '4d']],
    [[11 * DAY], ['0', '10d', '20d']],
    // regression: a largest lead time of exactly 10 days (or 9 to 10 days) read "0, 10d, 20d"
    [[10 * DAY], ['0', '5d', '10d']],
    [[9.5 * DAY], ['0', '5d', '10d']],
    [[10 * MINUTE], ['0', '5m', '10m']],
    [[10 * MINUTE + 1000], ['0', '10m', '20m']],
    [[45 * 1000], ['0', '30s', '1m']],
  ])('lead times %p are labelled exactly: %p', (values, labels) => {
    expect(ticks(leadTimes(...values)).labels).toEqual(labels);
  });

  test('each label names the value of its gridline: the middle one is half way up', () => {
    const { lines } = ticks(leadTimes(12 * MINUTE, 13.2 * MINUTE));
    // plot from y=154 (0) to y=10 (the top)
    expect(lines).toEqual(['154.0', '82.0', '10.0']);
  });

  test('tooltips give each lead time to the second or minute (regression: 12 minutes shown as "0.2h", 3 minutes as "0.1h"), '
    + 'and when it was deployed in UTC, saying so (regression: "2026-11-02T00:00", read as local time)', () => {
    const svg = leadTimes(12 * MINUTE, 3 * MINUTE + 20_000, 2 * DAY + 5 * HOUR);
    expect([...svg.matchAll(/<title>([^<]*)</g)].map((m) => m[1])).toEqual([
      '2026-11-02 00:00 UTC: 12m 00s',
      '2026-11-03 00:00 UTC: 3m 20s',
      '2026-11-04 00:00 UTC: 2d 5h',
    ]);
  });

  test('without deployments, the axis reads 0 to 1h and the chart says so', () => {
    const svg = leadTimes();
    expect(ticks(svg).labels).toEqual(['0', '30m', '1h']);
    expect(svg).toContain('no deployments');
  });
});

describe('bar chart of counts', () => {
  const bars = (...values: number[]) => barChart('b', 'Deployments per day', values.map((value, i) => ({ label: `2026-11-0${i + 1}`, value })), '#000');

  test.each([
    [[0], ['0', '1', '2']],
    [[1], ['0', '1', '2']],
    // regression: "0, 2.5, 5"
    [[3], ['0', '2', '4']],
    [[5, 1], ['0', '3', '6']],
    [[9], ['0', '5', '10']],
    [[11], ['0', '10', '20']],
    [[45], ['0', '30', '60']],
    // regression: a largest count of a power of ten doubled the axis ("0, 10, 20" for 10)
    [[10], ['0', '5', '10']],
    [[100], ['0', '50', '100']],
    [[101], ['0', '100', '200']],
    [[1000], ['0', '500', '1000']],
  ])('a largest count of %p has whole-number ticks: %p', (values, labels) => {
    expect(ticks(bars(...values)).labels).toEqual(labels);
  });

  test('the count axis keeps the middle tick whole for every largest count up to 1,000', () => {
    for (let max = 0; max <= 1000; max++) {
      const top = COUNT_AXIS.top(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(Number.isInteger(top / 2)).toBe(true);
    }
  });

  test.each([[10, 10], [100, 100], [1000, 1000], [1001, 2000], [2, 2], [8, 8], [81, 100]])(
    'the count axis top for a largest count of %p is %p: the smallest 2, 4, 6, 8 or 10 times a power of ten that holds it', (max, top) => {
      expect(COUNT_AXIS.top(max)).toBe(top);
    });
});

describe('durationTick', () => {
  test.each([
    [0, '0'], [30_000, '30s'], [MINUTE, '1m'], [15 * MINUTE, '15m'], [90 * MINUTE, '90m'], [HOUR, '1h'], [12 * HOUR, '12h'], [DAY, '1d'], [36 * HOUR, '36h'],
  ])('%p ms is %p', (ms, label) => {
    expect(durationTick(ms)).toBe(label);
  });

  test('every duration axis top and its middle are labelled exactly, from 1 second to 400 days', () => {
    for (let ms = 1000; ms <= 400 * DAY; ms = Math.ceil(ms * 1.07)) {
      const top = DURATION_AXIS.top(ms);
      expect(top).toBeGreaterThanOrEqual(ms);
      for (const tick of [top, top / 2]) {
        const label = durationTick(tick);
        const [, n, unit] = /^(\d+)([smhd])$/.exec(label)!;
        expect(Number(n) * { s: 1000, m: MINUTE, h: HOUR, d: DAY }[unit as 's']).toBe(tick);
      }
    }
  });
});
