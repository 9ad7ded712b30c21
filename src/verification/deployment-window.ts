import { ModelContext, WindowModel } from '../model/model';
import { isToken, Validator } from '../private/validation';

const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';
const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';

/**
 * One field of a CodePipeline cron expression: its name, numeric range, the largest step Quartz
 * (whose cron syntax CodePipeline's takes) accepts in it, and extra characters.
 */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Quartz's CronExpression refuses a greater increment ("Increment > 60 : 75"); none for years. */
  readonly maxStep?: number;
  readonly names?: string;
  readonly special: RegExp;
}

const FIELDS: CronField[] = [
  { name: 'seconds', min: 0, max: 0, special: /^\*$/ },
  { name: 'minutes', min: 0, max: 59, maxStep: 59, special: /^$/ },
  { name: 'hours', min: 0, max: 23, maxStep: 23, special: /^$/ },
  { name: 'day-of-month', min: 1, max: 31, maxStep: 31, special: /^(\?|L(-([1-9]|[12]\d|30))?|([1-9]|[12]\d|3[01])W|LW)$/ },
  { name: 'month', min: 1, max: 12, maxStep: 12, names: MONTHS, special: /^$/ },
  { name: 'day-of-week', min: 1, max: 7, maxStep: 7, names: DAYS, special: /^(\?|[1-7]?L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)L)$/ },
  { name: 'year', min: 1970, max: 2199, special: /^$/ },
];
const [, , , DAY_OF_MONTH, MONTH, , YEAR] = FIELDS;

/** Returns a problem with one cron field, or undefined. */
function fieldProblem(field: CronField, value: string): string | undefined {
  if (field.special.test(value)) return undefined;
  if (field.name === 'seconds') return `the seconds field has '${value}' (it must be '*')`;
  for (const part of value.split(',')) {
    if (field.name === 'day-of-month' && /^L-\d+$/.test(part)) return `the day-of-month field has '${part}' (allowed: L-1 to L-30)`;
    const m = part.match(/^(\*|[A-Z0-9]+(-[A-Z0-9]+)?)(\/\d+)?$/);
    if (!m) return `the ${field.name} field has '${part}'`;
    const step = m[3] === undefined ? undefined : Number(m[3].slice(1));
    if (step !== undefined && (step === 0 || (field.maxStep !== undefined && step > field.maxStep))) {
      return `the ${field.name} field has '${part}' (a step must be ${field.maxStep !== undefined ? `1 to ${field.maxStep}` : '1 or more'})`;
    }
    if (m[1] === '*') continue;
    const atoms = m[1].split('-');
    for (const atom of atoms) {
      const n = /^\d+$/.test(atom) ? Number(atom) : field.names ? field.names.split('|').indexOf(atom) + field.min : NaN;
      if (Number.isNaN(n) || n < field.min || n > field.max || (field.names && !/^\d+$/.test(atom) && !field.names.split('|').includes(atom))) {
        return `the ${field.name} field has '${atom}' (allowed: ${field.min}-${field.max}${field.names ? ` or ${field.names.replace(/\|/g, ',')}` : ''})`;
      }
    }
    // other ranges wrap around the field's end (NOV-FEB); Quartz refuses a range of years that would
    if (field.name === 'year' && atoms.length === 2 && Number(atoms[1]) < Number(atoms[0])) {
      return `the year field has '${m[1]}' (a range of years must not end before it starts)`;
    }
  }
  return undefined;
}

/** Checks a CodePipeline DeploymentWindow cron expression; returns a problem or undefined. */
export function cronProblem(expression: string): string | undefined {
  if (/^cron\(/.test(expression.trim())) {
    return "it is written as an EventBridge schedule 'cron(...)'; a deployment window takes the CodePipeline form without 'cron(' and ')' and with a seconds field first";
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    return `it has ${fields.length} fields; it needs 6 or 7: seconds minutes hours day-of-month month day-of-week [year]`;
  }
  for (let i = 0; i < fields.length; i++) {
    const problem = fieldProblem(FIELDS[i], fields[i].toUpperCase());
    if (problem) return problem;
  }
  if (fields[3] !== '?' && fields[5] !== '?') {
    return "day-of-month and day-of-week are both set; one of them must be '?'";
  }
  if (fields[3] === '?' && fields[5] === '?') {
    return "day-of-month and day-of-week are both '?'; exactly one of them must be '?', the other '*' or the days";
  }
  return missingDayProblem(fields[3], fields[4].toUpperCase()) ?? pastYearProblem(fields[6]);
}

/**
 * The values one part of a field names (`*`, a value or a range, each with an optional `/step`), as
 * Quartz's CronExpression expands them: a step counts from the part's first value to the end of its
 * range, or to the field's end when the part names no range (`31/1` is the 31st only); a range that
 * ends before it starts wraps around the field's end (`NOV-FEB`, `30-2`). The part was checked by
 * fieldProblem (a year range that wraps is refused there, as Quartz refuses it).
 */
function partValues(field: CronField, part: string): number[] {
  const [range, stepText] = part.split('/');
  const step = stepText === undefined ? 1 : Number(stepText);
  const value = (atom: string) => /^\d+$/.test(atom) ? Number(atom) : field.names!.split('|').indexOf(atom) + field.min;
  const [first, last] = range.split('-');
  const from = first === '*' ? field.min : value(first);
  const to = last !== undefined ? value(last) : first === '*' || stepText !== undefined ? field.max : from;
  const size = field.max - field.min + 1;
  const span = to >= from ? to - from : to - from + size;
  const values: number[] = [];
  for (let k = 0; k <= span; k += step) values.push((from - field.min + k) % size + field.min);
  return values;
}

/** A year field whose years are all in the past (`2019`, `2020-2022`, `2021-2022/1`), which the window would never open in. */
function pastYearProblem(year: string | undefined): string | undefined {
  if (year === undefined) return undefined;
  const latest = Math.max(...year.split(',').flatMap(part => partValues(YEAR, part)));
  const now = new Date().getUTCFullYear();
  return latest < now ? `the year field has only years before ${now} ('${year}'): the window would never open again` : undefined;
}

/** The longest each month gets (February: 29, in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A part of the day-of-month field whose days none of the months has (`31` in `FEB` or `4,6`, `30`
 * or `30/1` in `FEB`), which the window would never open on; undefined when there is none. Days,
 * ranges (`25-31` in April opens up to the month's end) and steps are expanded as the cron syntax
 * does, and so are the months; `L` and `W` days, which name days the month has, are not checked.
 */
function missingDayProblem(dayOfMonth: string, month: string): string | undefined {
  if (!/^[\d,\-/*]+$/.test(dayOfMonth)) return undefined;
  const months = new Set(month.split(',').flatMap(part => partValues(MONTH, part)));
  const longest = Math.max(...[...months].map(m => MONTH_DAYS[m - 1]));
  for (const part of dayOfMonth.split(',')) {
    const days = partValues(DAY_OF_MONTH, part);
    if (days.some(d => d <= longest)) continue;
    if (!part.includes('/')) {
      return `the day-of-month field has ${days[0]}, a day that no month of the month field '${month}' has (the window would never open on it)`;
    }
    const one = days.length === 1;
    return `the day-of-month field has '${part}' (day${one ? '' : 's'} ${days.join(', ')}), ${one ? 'a day' : 'days'} that no month of the month field `
      + `'${month}' has (the window would never open on ${one ? 'it' : 'them'})`;
  }
  return undefined;
}

let timeZones: Set<string> | undefined;
function knownTimeZone(zone: string): boolean {
  // CodePipeline also takes UTC with an offset, such as UTC+05:30 or UTC-03:00
  if (zone === 'UTC' || /^UTC[+-](0\d|1[0-4]):[0-5]\d$/.test(zone)) return true;
  if (!timeZones) {
    const supported = (Intl as any).supportedValuesOf?.('timeZone') as string[] | undefined;
    timeZones = new Set(supported ?? []);
  }
  if (timeZones.has(zone)) return true;
  // The list holds ICU's canonical ids, often the older names (Asia/Calcutta, Europe/Kiev): the
  // current IANA names (Asia/Kolkata, Europe/Kyiv) and other links are known to the time-zone
  // database too. Only names written as IANA writes them, Area/Location with capitals, are taken:
  // not abbreviations (CST names several zones) nor names in the wrong case.
  if (!/^[A-Z][A-Za-z_-]*(\/[A-Z][A-Za-z0-9_+-]*)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * When an environment may be entered: a V2 stage entry condition with a DeploymentWindow rule.
 * Changes wait outside the window.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html
 */
export abstract class DeploymentWindow {
  /**
   * A window given as a CodePipeline cron expression (`seconds minutes hours day-of-month month
   * day-of-week [year]`, seconds always `*`, exactly one of day-of-month and day-of-week `?`) in an
   * IANA time zone.
   *
   * @example DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'Europe/Paris') // Monday to Thursday, 09:00-16:59
   * @param expression for example `* * 9-16 ? * MON-THU` (every minute of 09:00-16:59, Monday to Thursday)
   * @param timeZone an IANA time zone such as `Europe/Paris`, or `UTC` with an offset such as `UTC+05:30`; default `UTC`
   */
  public static cron(expression: string, timeZone: string = 'UTC'): DeploymentWindow {
    return new CronWindow(expression, timeZone);
  }

  /** @internal */
  public abstract _toModel(ctx: ModelContext): WindowModel;
}

class CronWindow extends DeploymentWindow {
  constructor(private readonly expression: string, private readonly timeZone: string) {
    super();
  }

  public _toModel(ctx: ModelContext): WindowModel {
    const v: Validator = ctx.validator;
    const fix = "Write it as seconds minutes hours day-of-month month day-of-week, for example '* * 9-16 ? * MON-THU' for 09:00-16:59 Monday to Thursday.";
    const expression = v.requireString(`${ctx.field}.expression`, this.expression, fix);
    if (!isToken(expression)) {
      const problem = cronProblem(expression);
      if (problem) v.fail(`${ctx.field}.expression`, `is not a deployment window cron expression: ${problem}`, expression, fix);
    }
    const zoneFix = "Pass an IANA time zone such as 'Europe/Paris', 'America/New_York' or 'UTC', or a UTC offset such as 'UTC+05:30' (abbreviations such as 'CST' name several zones).";
    const timeZone = v.requireString(`${ctx.field}.timeZone`, this.timeZone, zoneFix);
    if (!isToken(timeZone) && !knownTimeZone(timeZone)) v.fail(`${ctx.field}.timeZone`, 'is not a known time zone', timeZone, zoneFix);
    return { expression: expression.trim(), timeZone, summary: `deployment window: ${expression.trim()} (${timeZone})` };
  }
}
