/**
 * The pure part of the cfn-lint check (test/cfn-lint/run.ts): reading cfn-lint's JSON findings,
 * validating test/cfn-lint/ignore.json, and filtering the findings through it. No I/O here, so
 * test/cfn-lint/findings.test.ts covers it without cfn-lint installed.
 */

/** One finding, as cfn-lint's `--format json` prints it (the fields this check reads). */
export interface Finding {
  /** the template's path as given to cfn-lint (relative to the repository root) */
  readonly file: string;
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** the logical id when the finding is inside `Resources`, else undefined */
  readonly resource?: string;
  /** the finding's path in the template, e.g. `Resources/Pipeline/Properties/Stages/2` */
  readonly path: string;
}

/** One entry of ignore.json. */
export interface IgnoreEntry {
  /** a cfn-lint rule id, e.g. `E3703` */
  readonly rule: string;
  /** a regular expression the template's path (relative to the repository root) must match */
  readonly file?: string;
  /** a regular expression the resource's logical id must match */
  readonly resource?: string;
  /** a regular expression the finding's message must match */
  readonly message?: string;
  /** why the finding is not a defect of this project's templates (required) */
  readonly reason: string;
}

const ENTRY_FIELDS = ['rule', 'file', 'resource', 'message', 'reason'];
const MIN_REASON = 30;

/** Parses cfn-lint's `--format json` output. Throws when it is not that format. */
export function parseCfnLintJson(stdout: string): Finding[] {
  const raw: unknown = JSON.parse(stdout);
  if (!Array.isArray(raw)) throw new Error('cfn-lint --format json did not print a JSON array');
  return raw.map((f: any, i) => {
    if (typeof f?.Rule?.Id !== 'string' || typeof f?.Filename !== 'string' || typeof f?.Message !== 'string') {
      throw new Error(`cfn-lint finding #${i} has no Rule.Id, Filename or Message: ${JSON.stringify(f).slice(0, 200)}`);
    }
    const segments: unknown[] = Array.isArray(f.Location?.Path) ? f.Location.Path : [];
    return {
      file: f.Filename,
      rule: f.Rule.Id,
      level: String(f.Level ?? ''),
      message: f.Message,
      line: Number(f.Location?.Start?.LineNumber ?? 0),
      column: Number(f.Location?.Start?.ColumnNumber ?? 0),
      resource: segments[0] === 'Resources' && typeof segments[1] === 'string' ? segments[1] : undefined,
      path: segments.map(String).join('/'),
    };
  });
}

/**
 * Validates the parsed ignore.json: an array of entries, each with a rule id, a reason of
 * substance, optional regular expressions that compile, and no other field. Returns the errors.
 */
export function validateIgnores(raw: unknown): string[] {
  if (!Array.isArray(raw)) return ['ignore.json must be a JSON array of entries'];
  const errors: string[] = [];
  raw.forEach((e: any, i) => {
    const at = `ignore.json entry #${i}${typeof e?.rule === 'string' ? ` (${e.rule})` : ''}`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      errors.push(`${at}: must be an object`);
      return;
    }
    for (const key of Object.keys(e)) {
      if (!ENTRY_FIELDS.includes(key)) errors.push(`${at}: unknown field '${key}' (fields: ${ENTRY_FIELDS.join(', ')})`);
    }
    if (typeof e.rule !== 'string' || !/^[EWI]\d{4}$/.test(e.rule)) errors.push(`${at}: 'rule' must be a cfn-lint rule id like E3703`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < MIN_REASON) {
      errors.push(`${at}: 'reason' is required: say in at least ${MIN_REASON} characters why this is not a defect`);
    }
    for (const key of ['file', 'resource', 'message']) {
      if (e[key] === undefined) continue;
      if (typeof e[key] !== 'string') {
        errors.push(`${at}: '${key}' must be a string (a regular expression)`);
        continue;
      }
      try {
        new RegExp(e[key]);
      } catch (err) {
        errors.push(`${at}: '${key}' is not a regular expression: ${(err as Error).message}`);
      }
    }
  });
  return errors;
}

/** Whether an entry ignores a finding: same rule, and every match the entry gives matches. */
export function matches(entry: IgnoreEntry, finding: Finding): boolean {
  if (entry.rule !== finding.rule) return false;
  if (entry.file !== undefined && !new RegExp(entry.file).test(finding.file)) return false;
  if (entry.resource !== undefined && (finding.resource === undefined || !new RegExp(entry.resource).test(finding.resource))) return false;
  if (entry.message !== undefined && !new RegExp(entry.message).test(finding.message)) return false;
  return true;
}

export interface FilterResult {
  /** the findings no entry ignores */
  readonly remaining: Finding[];
  /** how many findings each entry ignored, in the order of the entries */
  readonly counts: number[];
  /** the entries that ignored nothing (stale: remove them) */
  readonly stale: IgnoreEntry[];
}

/** Filters findings through the entries, counting what each entry ignored. */
export function applyIgnores(findings: readonly Finding[], entries: readonly IgnoreEntry[]): FilterResult {
  const counts = entries.map(() => 0);
  const remaining: Finding[] = [];
  for (const f of findings) {
    let ignored = false;
    entries.forEach((e, i) => {
      if (matches(e, f)) {
        counts[i]++;
        ignored = true;
      }
    });
    if (!ignored) remaining.push(f);
  }
  return { remaining, counts, stale: entries.filter((_, i) => counts[i] === 0) };
}

/** One line per finding: `file:line:column: RULE (level) message [resource]`. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.rule} (${f.level}) ${f.message}${f.resource ? ` [${f.resource}]` : ''}`;
}
