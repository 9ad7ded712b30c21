import { usageError } from './errors';

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses durations like `90m`, `12h`, `30d`, `2w` into milliseconds; anything else is a usage error. */
export function parseDuration(text: string, flag = '--since'): number {
  const m = /^(\d{1,6})([smhdw])$/.exec(String(text).trim());
  if (!m || Number(m[1]) === 0) {
    throw usageError(`${flag}: invalid duration '${text}'; use a positive number followed by s, m, h, d or w (e.g. 30d, 12h)`);
  }
  return Number(m[1]) * UNITS[m[2]];
}

/**
 * How far back `--since` may reach. CodePipeline keeps about 12 months of execution history, so a
 * longer window only makes longer (and slower) output.
 */
export const MAX_SINCE_DAYS = 400;

/** Parses `--since` like parseDuration, refusing more than MAX_SINCE_DAYS (usage error). */
export function parseSince(text: string): number {
  const ms = parseDuration(text, '--since');
  if (ms > MAX_SINCE_DAYS * UNITS.d) {
    throw usageError(`--since: '${text}' is too far back; at most ${MAX_SINCE_DAYS}d (CodePipeline keeps about 12 months of execution history)`);
  }
  return ms;
}

/** Formats milliseconds as a short human duration: `45s`, `12m`, `3h 05m`, `2d 4h`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !isFinite(ms)) {
    return '—';
  }
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

/** `2026-11-22 09:14 UTC` */
export function formatTime(date: Date | undefined): string {
  if (!date) return '—';
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** `3h 05m ago` */
export function ago(date: Date | undefined, now: Date): string {
  if (!date) return '—';
  return `${formatDuration(now.getTime() - date.getTime())} ago`;
}
