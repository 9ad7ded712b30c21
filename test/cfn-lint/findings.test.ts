import * as fs from 'fs';
import * as path from 'path';
import { applyIgnores, Finding, IgnoreEntry, parseCfnLintJson, validateIgnores } from './findings';

// The filter of `npx projen cfn-lint` (test/cfn-lint/run.ts), without cfn-lint: what it ignores,
// what it keeps, and which ignore entries it calls stale.

const REASON = 'a reason long enough to say why this is not a defect';

function finding(rule: string, extra: Partial<Finding> = {}): Finding {
  return { file: 'integ/x.snapshot/Stack.template.json', rule, level: 'Error', message: 'm', line: 1, column: 1, path: '', ...extra };
}

describe('parseCfnLintJson', () => {
  test('reads rule, file, message, position and the resource of cfn-lint --format json', () => {
    const out = JSON.stringify([{
      Filename: 'a.template.json',
      Level: 'Error',
      Message: 'Prefer using Fn::Sub over Fn::Join with an empty delimiter',
      Location: { Start: { LineNumber: 557, ColumnNumber: 10 }, Path: ['Resources', 'Pipeline', 'Properties', 'Stages', 2] },
      Rule: { Id: 'E3703' },
    }, {
      Filename: 'b.template.json',
      Level: 'Error',
      Message: "'Resources' is a required property",
      Location: { Start: { LineNumber: 1, ColumnNumber: 1 }, Path: [] },
      Rule: { Id: 'E1001' },
    }]);
    expect(parseCfnLintJson(out)).toEqual([
      {
        file: 'a.template.json',
        rule: 'E3703',
        level: 'Error',
        message: 'Prefer using Fn::Sub over Fn::Join with an empty delimiter',
        line: 557,
        column: 10,
        resource: 'Pipeline',
        path: 'Resources/Pipeline/Properties/Stages/2',
      },
      { file: 'b.template.json', rule: 'E1001', level: 'Error', message: "'Resources' is a required property", line: 1, column: 1, resource: undefined, path: '' },
    ]);
  });

  test('refuses output that is not cfn-lint findings', () => {
    expect(() => parseCfnLintJson('{}')).toThrow(/JSON array/);
    expect(() => parseCfnLintJson('[{"Message":"x"}]')).toThrow(/finding #0 has no Rule.Id/);
    expect(() => parseCfnLintJson('Traceback (most recent call last)')).toThrow();
  });
});

describe('validateIgnores', () => {
  test('the committed ignore.json is valid', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(__dirname, 'ignore.json'), 'utf8'));
    expect(validateIgnores(raw)).toEqual([]);
  });

  test('an entry needs a rule id and a reason of substance', () => {
    expect(validateIgnores([{ rule: 'E3703' }])).toEqual([expect.stringMatching(/entry #0 \(E3703\): 'reason' is required/)]);
    expect(validateIgnores([{ rule: 'E3703', reason: 'quirk' }])).toEqual([expect.stringMatching(/'reason' is required/)]);
    expect(validateIgnores([{ rule: 'E37', reason: REASON }])).toEqual([expect.stringMatching(/'rule' must be a cfn-lint rule id/)]);
  });

  test('matches are regular expressions, and a misspelt field is refused rather than ignoring more', () => {
    expect(validateIgnores([{ rule: 'W3005', resource: '(', reason: REASON }])).toEqual([expect.stringMatching(/'resource' is not a regular expression/)]);
    expect(validateIgnores([{ rule: 'W3005', resorce: 'Pipeline', reason: REASON }])).toEqual([expect.stringMatching(/unknown field 'resorce'/)]);
    expect(validateIgnores({ rule: 'W3005' })).toEqual(['ignore.json must be a JSON array of entries']);
  });
});

describe('applyIgnores', () => {
  const entries: IgnoreEntry[] = [
    { rule: 'E3703', message: '^Prefer using Fn::Sub', reason: REASON },
    { rule: 'W3010', file: 'Network\\.template\\.json$', reason: REASON },
    { rule: 'W3005', resource: '^Pipeline', reason: REASON },
    { rule: 'E2533', reason: REASON },
  ];

  test('an entry ignores a finding only when the rule and every match it gives agree', () => {
    const kept = [
      finding('E3703', { message: "'Build' is not one of ['Source']" }), // a real E3703
      finding('W3010', { file: 'integ/x.snapshot/Pipeline.template.json' }),
      finding('W3005', { resource: 'Handler' }),
      finding('W3005'), // no resource at all
      finding('E3002'),
    ];
    const ignored = [
      finding('E3703', { message: 'Prefer using Fn::Sub over Fn::Join with an empty delimiter' }),
      finding('W3010', { file: 'integ/x.snapshot/Network.template.json' }),
      finding('W3005', { resource: 'PipelineA6CBAD3A' }),
    ];
    const result = applyIgnores([...kept, ...ignored], entries);
    expect(result.remaining).toEqual(kept);
    expect(result.counts).toEqual([1, 1, 1, 0]);
  });

  test('an entry that ignores nothing is stale', () => {
    expect(applyIgnores([finding('E3703', { message: 'Prefer using Fn::Sub' })], entries).stale.map(e => e.rule)).toEqual(['W3010', 'W3005', 'E2533']);
    expect(applyIgnores([], []).stale).toEqual([]);
  });
});
