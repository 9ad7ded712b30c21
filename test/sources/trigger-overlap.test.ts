import { filterOverlap, globMatches, RefFilter } from '../../src/sources/trigger-overlap';

describe('globMatches: CodePipeline trigger globs', () => {
  test.each([
    ['release/*', 'release/1', true],
    ['release/*', 'release/1/hotfix', false], // '*' stays in one name component
    ['release/**', 'release/1/hotfix', true],
    ['*', 'main', true],
    ['*', 'release/1', false],
    ['**', 'release/1', true],
    ['main', 'main', true],
    ['main', 'Main', false],
    ['v?.*', 'v1.2', true],
    ['v?.*', 'v10.2', false],
    ['v[0-9]*', 'v2', true],
    ['v[!0-9]*', 'v2', false],
    // only '!' negates: '^' is a character of the set (Java's PathMatcher globs, regression: read as a negation)
    ['[^a]*', '^x', true],
    ['[^a]*', 'a', true],
    ['[^a]*', 'b', false],
    ['{main,develop}', 'develop', true],
    ['{main,develop}', 'release', false],
    ['feature/\\*', 'feature/*', true],
    ['feature/\\*', 'feature/x', false],
  ])('%s matches %s: %s', (glob, name, matches) => {
    expect(globMatches(glob, name)).toBe(matches);
  });
});

describe('filterOverlap: a ref two push filters both start the pipeline on', () => {
  const branches = (includes: string[], excludes: string[] = []): RefFilter => ({ refs: 'branch', includes, excludes });

  test('a branch and a pattern: the branch when the pattern matches it and no exclude does', () => {
    expect(filterOverlap(branches(['release/*']), branches(['release/1']))).toEqual({ refs: 'branch', name: 'release/1' });
    expect(filterOverlap(branches(['release/1']), branches(['release/*']))).toEqual({ refs: 'branch', name: 'release/1' });
    expect(filterOverlap(branches(['release/*']), branches(['main']))).toBeUndefined();
    expect(filterOverlap(branches(['release/*'], ['release/1']), branches(['release/1']))).toBeUndefined();
    expect(filterOverlap(branches(['main']), branches(['main']))).toEqual({ refs: 'branch', name: 'main' });
  });

  test('two patterns: the shortest name both match, a valid branch name', () => {
    expect(filterOverlap(branches(['release/*']), branches(['release/**']))).toEqual({ refs: 'branch', name: 'release/x' });
    expect(filterOverlap(branches(['v*']), branches(['*-rc']))).toEqual({ refs: 'branch', name: 'v-rc' });
    expect(filterOverlap(branches(['**']), branches(['hotfix/*']))).toEqual({ refs: 'branch', name: 'hotfix/x' });
    expect(filterOverlap(branches(['release/*']), branches(['hotfix/*']))).toBeUndefined();
    expect(filterOverlap(branches(['*']), branches(['release/*']))).toBeUndefined();
  });

  test('branches and tags never overlap; a token leaves it undetermined', () => {
    expect(filterOverlap(branches(['**']), { refs: 'tag', includes: ['**'], excludes: [] })).toBeUndefined();
    expect(filterOverlap({ refs: 'tag', includes: ['v*'], excludes: [] }, { refs: 'tag', includes: ['v1*'], excludes: [] })).toEqual({ refs: 'tag', name: 'v1' });
    expect(filterOverlap(branches(['${Token[TOKEN.1]}']), branches(['main']))).toBe('undetermined');
  });

  test('an exclude that removes the shortest shared name leaves the others: the next one is found (regression: undetermined, and accepted)', () => {
    const tags = (includes: string[], excludes: string[] = []): RefFilter => ({ refs: 'tag', includes, excludes });
    expect(filterOverlap(branches(['release/*'], ['release/x']), branches(['release/*']))).toEqual({ refs: 'branch', name: 'release/1' });
    expect(filterOverlap(tags(['v[0-9]*'], ['v0*']), tags(['v*']))).toEqual({ refs: 'tag', name: 'v1' });
    expect(filterOverlap(tags(['v*']), tags(['v[0-9]*'], ['v0*', 'v1*', 'v[2-8]*']))).toEqual({ refs: 'tag', name: 'v9' });
    expect(filterOverlap(tags(['v?*'], ['v?']), tags(['v*']))).toEqual({ refs: 'tag', name: 'vxx' });
    // excludes that remove every shared name: none
    expect(filterOverlap(tags(['v[0-9]*'], ['v[0-9]*']), tags(['v*']))).toBeUndefined();
    expect(filterOverlap(branches(['release/*'], ['release/*']), branches(['release/**'], ['release/*/**']))).toBeUndefined();
    expect(filterOverlap(branches(['**'], ['*', '**/*']), branches(['**']))).toBeUndefined();
    // a leading '^' in a class is one of its characters, not a negation
    expect(filterOverlap(tags(['[^v]1']), tags(['v1']))).toEqual({ refs: 'tag', name: 'v1' });
    expect(filterOverlap(tags(['[^v]1']), tags(['x1']))).toBeUndefined();
  });
});
