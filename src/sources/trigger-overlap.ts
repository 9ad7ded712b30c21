import { isToken } from '../private/validation';

/*
 * Two sources of one Git repository that both start the pipeline start it twice on a push that
 * both watch. Which pushes a source watches: its triggers' push filters (branch or tag patterns,
 * each included unless excluded), else the pushes to its branch. Two sets of patterns share a ref
 * name when the languages of their globs intersect: decided here on an automaton of the two globs,
 * which also yields an example name for the message.
 *
 * CodePipeline's trigger globs: `*` matches characters of one name component (no '/'), `**` any
 * characters, `?` one character of a component, `[...]` one of a set (`[!...]` none of it), `{a,b}`
 * one of the alternatives, `\` escapes. These are Java's PathMatcher globs: in a class, only a
 * leading `!` negates (`[^a]` is the set of `^` and `a`), and `*`, `?` and `\` are themselves.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/syntax-glob.html
 */

/** The pushes of one kind of ref that a push filter lets start the pipeline. */
export interface RefFilter {
  readonly refs: 'branch' | 'tag';
  readonly includes: readonly string[];
  readonly excludes: readonly string[];
}

/** A ref name both filters let start the pipeline, `undetermined` when the patterns cannot be compared here, or undefined when there is none. */
export type FilterOverlap = { readonly refs: 'branch' | 'tag'; readonly name: string } | 'undetermined' | undefined;

/** A character set: the characters listed (or in a range), or, negated, every other character. */
interface CharSet {
  readonly negated: boolean;
  readonly chars: string;
  readonly ranges: ReadonlyArray<readonly [string, string]>;
}

/** One step of a glob: one character of a set, or (star) any number of them. */
interface Token {
  readonly set: CharSet;
  readonly star: boolean;
}

const NOT_SLASH: CharSet = { negated: true, chars: '/', ranges: [] };
const ANY: CharSet = { negated: true, chars: '', ranges: [] };
/** Characters tried, after those the sets name, when a character of two sets is needed: likely in ref names. */
const ALPHABET = 'x1abcdefghijklmnopqrstuvwyz023456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_./+@';
/** More alternatives than this (`{a,b}{c,d}...`) are not compared. */
const MAX_ALTERNATIVES = 64;

function inSet(set: CharSet, c: string): boolean {
  const listed = set.chars.includes(c) || set.ranges.some(([lo, hi]) => lo <= c && c <= hi);
  return set.negated ? !listed : listed;
}

/** A character of both sets, or undefined when they share none (of the characters tried). */
function common(a: CharSet, b: CharSet): string | undefined {
  const named = (s: CharSet) => s.negated ? '' : s.chars + s.ranges.map(([lo, hi]) => lo + hi).join('');
  for (const c of named(a) + named(b) + ALPHABET) {
    if (inSet(a, c) && inSet(b, c)) return c;
  }
  return undefined;
}

/** A glob without alternations as steps, or undefined for one this does not model (an unclosed class). */
function tokens(glob: string): Token[] | undefined {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      out.push({ set: { negated: false, chars: glob[++i], ranges: [] }, star: false });
    } else if (c === '*') {
      const double = glob[i + 1] === '*';
      if (double) i++;
      out.push({ set: double ? ANY : NOT_SLASH, star: true });
    } else if (c === '?') {
      out.push({ set: NOT_SLASH, star: false });
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = glob.slice(i + 1, end);
      // only '!' negates; a leading '^' is a character of the set (Java's PathMatcher globs)
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      let chars = '';
      const ranges: Array<[string, string]> = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && k + 2 < body.length) {
          ranges.push([body[k], body[k + 2]]);
          k += 2;
        } else {
          chars += body[k];
        }
      }
      out.push({ set: { negated, chars, ranges }, star: false });
      i = end;
    } else {
      out.push({ set: { negated: false, chars: c, ranges: [] }, star: false });
    }
  }
  return out;
}

/** The globs a glob with `{a,b}` alternations stands for, or undefined past MAX_ALTERNATIVES or for an unclosed brace. */
function alternatives(glob: string): string[] | undefined {
  let results = [''];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      results = results.map(r => r + c + glob[++i]);
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) return undefined;
      const options = glob.slice(i + 1, end).split(',');
      results = results.flatMap(r => options.map(o => r + o));
      if (results.length > MAX_ALTERNATIVES) return undefined;
      i = end;
    } else {
      results = results.map(r => r + c);
    }
  }
  return results;
}

/**
 * The shortest ref name two globs both match, or undefined when they match none in common. Names
 * are git's: not empty, no empty component (no leading, trailing or doubled '/').
 */
function commonName(a: Token[], b: Token[]): string | undefined {
  // a state is (step of a, step of b, whether the next character starts a component); a star is
  // left without a character, or consumes one and stays
  type State = readonly [number, number, boolean];
  const key = ([i, j, s]: State) => `${i},${j},${s ? 1 : 0}`;
  const start: State = [0, 0, true];
  const parents = new Map<string, { readonly from: string; readonly c: string } | undefined>([[key(start), undefined]]);
  const queue: State[] = [start];
  const visit = (state: State, from: string, c: string) => {
    const k = key(state);
    if (parents.has(k)) return;
    parents.set(k, { from, c });
    queue.push(state);
  };
  while (queue.length > 0) {
    const state = queue.shift()!;
    const [i, j, atStart] = state;
    const here = key(state);
    if (i === a.length && j === b.length && !atStart) {
      let name = '';
      for (let p = parents.get(here); p !== undefined; p = parents.get(p.from)) name = p.c + name;
      return name;
    }
    if (i < a.length && a[i].star) visit([i + 1, j, atStart], here, '');
    if (j < b.length && b[j].star) visit([i, j + 1, atStart], here, '');
    if (i === a.length || j === b.length) continue;
    const next: State = [a[i].star ? i : i + 1, b[j].star ? j : j + 1, false];
    const c = common(withoutSlash(a[i].set), withoutSlash(b[j].set));
    if (c !== undefined) visit(next, here, c);
    if (!atStart && inSet(a[i].set, '/') && inSet(b[j].set, '/')) visit([next[0], next[1], true], here, '/');
  }
  return undefined;
}

/** The set without '/'. */
function withoutSlash(set: CharSet): CharSet {
  if (set.negated) return set.chars.includes('/') ? set : { ...set, chars: `${set.chars}/` };
  return { negated: false, chars: set.chars.replace(/\//g, ''), ranges: set.ranges.filter(([lo, hi]) => !(lo <= '/' && '/' <= hi)) };
}

/** True when the glob matches the name, undefined when the glob cannot be compared here. */
export function globMatches(glob: string, name: string): boolean | undefined {
  const literal = [...name].map(c => ({ set: { negated: false, chars: c, ranges: [] }, star: false }));
  const globs = alternatives(glob);
  if (globs === undefined) return undefined;
  let known = true;
  for (const g of globs) {
    const t = tokens(g);
    if (t === undefined) {
      known = false;
      continue;
    }
    if (commonName(t, literal) !== undefined) return true;
  }
  return known ? false : undefined;
}

/** Characters git refuses in a ref name (and '/', which separates its components). */
const NOT_IN_REF_NAMES = '/~^:?*[\\\x7f';
/** More states than this in the search for a shared ref name leave the pair undetermined. */
const MAX_STATES = 20_000;

/** A glob as steps, with which side it belongs to and whether it includes or excludes. */
interface Glob {
  readonly side: 0 | 1;
  readonly include: boolean;
  readonly steps: Token[];
}

/** The positions of a glob reachable without a character from these (a star may match nothing). */
function closure(steps: Token[], positions: Iterable<number>): Set<number> {
  const out = new Set<number>();
  const stack = [...positions];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    if (p < steps.length && steps[p].star) stack.push(p + 1);
  }
  return out;
}

/** The positions after one character. */
function advance(steps: Token[], positions: Set<number>, c: string): Set<number> {
  const next: number[] = [];
  for (const p of positions) {
    if (p === steps.length) continue;
    const step = steps[p];
    if (!inSet(c === '/' ? step.set : withoutSlash(step.set), c)) continue;
    next.push(step.star ? p : p + 1);
  }
  return closure(steps, next);
}

/**
 * One character of each class of characters the globs tell apart: every character a set names, the
 * ends of its ranges, and for each stretch between them one character, preferring those likely in
 * ref names (a wildcard's `v1` rather than `v0` when `v0*` is excluded). Exact: two characters of
 * one class are matched by the same steps.
 */
function representatives(globs: Glob[]): string[] {
  const bounds = new Set<number>([0x21, 0x7f]);
  for (const g of globs) {
    for (const { set } of g.steps) {
      for (const c of set.chars) bounds.add(c.charCodeAt(0)).add(c.charCodeAt(0) + 1);
      for (const [lo, hi] of set.ranges) bounds.add(lo.charCodeAt(0)).add(hi.charCodeAt(0) + 1);
    }
  }
  const sorted = [...bounds].filter(b => b >= 0x21 && b <= 0x7f).sort((x, y) => x - y);
  const out: string[] = [];
  for (let k = 0; k + 1 < sorted.length; k++) {
    const [lo, hi] = [sorted[k], sorted[k + 1]];
    const nice = [...ALPHABET].find(c => c !== '/' && c.charCodeAt(0) >= lo && c.charCodeAt(0) < hi);
    out.push(nice ?? String.fromCharCode(lo));
  }
  // the likely characters first, so that the example name reads as one; never one git refuses in a ref name
  return [...new Set([...ALPHABET].filter(c => out.includes(c)).concat(out))].filter(c => !NOT_IN_REF_NAMES.includes(c));
}

/**
 * The shortest valid ref name (not empty, no empty component) that, for each side, an include
 * matches and no exclude does; undefined when there is none, `undetermined` past MAX_STATES. Decided
 * on the product of all the globs' automata, the excludes' tracked as sets of positions.
 */
function sharedName(globs: Glob[]): string | undefined | 'undetermined' {
  const chars = representatives(globs);
  type State = { readonly positions: Array<Set<number>>; readonly atStart: boolean };
  const key = (st: State) => `${st.atStart ? 1 : 0}|${st.positions.map(p => [...p].sort((x, y) => x - y).join(',')).join(';')}`;
  const accepts = (st: State) => !st.atStart && ([0, 1] as const).every(side =>
    globs.some((g, k) => g.side === side && g.include && st.positions[k].has(g.steps.length))
    && !globs.some((g, k) => g.side === side && !g.include && st.positions[k].has(g.steps.length)));
  // a side none of whose includes can still match is a dead end
  const alive = (st: State) => ([0, 1] as const).every(side => globs.some((g, k) => g.side === side && g.include && st.positions[k].size > 0));
  const start: State = { positions: globs.map(g => closure(g.steps, [0])), atStart: true };
  const seen = new Set([key(start)]);
  const queue: Array<[State, string]> = [[start, '']];
  while (queue.length > 0) {
    const [state, name] = queue.shift()!;
    if (accepts(state)) return name;
    for (const c of state.atStart ? chars : [...chars, '/']) {
      const next: State = { positions: globs.map((g, k) => advance(g.steps, state.positions[k], c)), atStart: c === '/' };
      if (!alive(next)) continue;
      const k = key(next);
      if (seen.has(k)) continue;
      if (seen.size >= MAX_STATES) return 'undetermined';
      seen.add(k);
      queue.push([next, name + c]);
    }
  }
  return undefined;
}

/**
 * A ref name both filters let start the pipeline (an include of each matches it, no exclude of
 * either does): the shortest such name, found on the automaton of all their globs, so an exclude
 * that removes one shared name (`v0*` beside `v[0-9]*` and `v*`) does not hide another (`v1`).
 * Undefined when they share none; `undetermined` when a pattern is a token or a glob cannot be
 * compared here (an unclosed class or brace, too many alternatives) and might decide it.
 */
export function filterOverlap(a: RefFilter, b: RefFilter): FilterOverlap {
  if (a.refs !== b.refs) return undefined;
  if ([...a.includes, ...a.excludes, ...b.includes, ...b.excludes].some(isToken)) return 'undetermined';
  const globs: Glob[] = [];
  let unmodelledInclude = false;
  let unmodelledExclude = false;
  ([a, b] as const).forEach((f, side) => {
    for (const [patterns, include] of [[f.includes, true], [f.excludes, false]] as const) {
      for (const pattern of patterns) {
        const steps = (alternatives(pattern) ?? [undefined]).map(g => g === undefined ? undefined : tokens(g));
        if (steps.some(t => t === undefined)) {
          if (include) unmodelledInclude = true;
          else unmodelledExclude = true;
          continue;
        }
        for (const t of steps) globs.push({ side: side as 0 | 1, include, steps: t! });
      }
    }
  });
  const name = sharedName(globs);
  if (name === 'undetermined') return name;
  if (name !== undefined) return unmodelledExclude ? 'undetermined' : { refs: a.refs, name };
  return unmodelledInclude ? 'undetermined' : undefined;
}
