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
 * one of the alternatives, `\` escapes.
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
      const negated = body.startsWith('!') || body.startsWith('^');
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

const GLOB_CHARS = /[*?[{\\]/;

/**
 * A ref name both filters let start the pipeline (included, not excluded), exactly when one side's
 * includes are names (no glob characters); otherwise the first name two of their includes share,
 * `undetermined` when that name is excluded (another might not be) or a pattern is a token.
 */
export function filterOverlap(a: RefFilter, b: RefFilter): FilterOverlap {
  if (a.refs !== b.refs) return undefined;
  if ([...a.includes, ...a.excludes, ...b.includes, ...b.excludes].some(isToken)) return 'undetermined';
  const lets = (f: RefFilter, name: string) => {
    const included = f.includes.map(g => globMatches(g, name));
    const excluded = f.excludes.map(g => globMatches(g, name));
    if (excluded.includes(true)) return false;
    if (included.includes(true)) return excluded.includes(undefined) ? undefined : true;
    return included.includes(undefined) ? undefined : false;
  };
  let undetermined = false;
  // one side names its refs: each of them is the answer or not
  for (const [names, other] of [[a, b], [b, a]] as const) {
    if (names.includes.some(g => GLOB_CHARS.test(g))) continue;
    for (const name of names.includes) {
      const both = [lets(names, name), lets(other, name)];
      if (both.every(x => x === true)) return { refs: a.refs, name };
      if (both.includes(undefined)) undetermined = true;
    }
    return undetermined ? 'undetermined' : undefined;
  }
  // both sides have patterns: the first name two of them share
  for (const ga of a.includes.flatMap(g => alternatives(g) ?? [undefined])) {
    for (const gb of b.includes.flatMap(g => alternatives(g) ?? [undefined])) {
      const ta = ga === undefined ? undefined : tokens(ga);
      const tb = gb === undefined ? undefined : tokens(gb);
      if (ta === undefined || tb === undefined) {
        undetermined = true;
        continue;
      }
      const name = commonName(ta, tb);
      if (name === undefined) continue;
      if (lets(a, name) === true && lets(b, name) === true) return { refs: a.refs, name };
      undetermined = true;
    }
  }
  return undetermined ? 'undetermined' : undefined;
}
