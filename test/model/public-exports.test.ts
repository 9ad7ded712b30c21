import * as fs from 'fs';
import * as path from 'path';
import * as lib from '../../src';

// The package's TypeScript exports are its jsii API: classes, enums and (type-only) interfaces.
// Helpers that modules share (model builders, constants, describe functions) stay internal, so
// that TypeScript users see the same API as Python, Java, .NET and Go users.

test('the index re-exports named types only, never whole modules', () => {
  const index = fs.readFileSync(path.join(__dirname, '../../src/index.ts'), 'utf8');
  expect(index).not.toMatch(/export \*/);
  expect(index).not.toMatch(/from '\.\/(cli|graph|private)\//);
});

test('every value the package exports is a class or an enum', () => {
  const notTypes = Object.entries(lib)
    .filter(([name, value]) => !/^[A-Z][A-Za-z0-9]*$/.test(name) || !isClassOrEnum(value))
    .map(([name]) => name);
  expect(notTypes).toEqual([]);
  expect(Object.keys(lib)).toEqual(expect.arrayContaining([
    'DeliveryPipeline', 'PipelineSource', 'BuildStep', 'QualityCheck', 'DeploymentTarget',
    'Approval', 'Verification', 'DeploymentWindow', 'ReleaseMode', 'DeliveryPolicy', 'DeliveryDefaults',
  ]));
});

function isClassOrEnum(value: unknown): boolean {
  if (typeof value === 'function') {
    // A class: its source starts with `class`. A helper function does not.
    return Function.prototype.toString.call(value).startsWith('class');
  }
  if (value && typeof value === 'object') {
    // A TypeScript string enum: every member's value is a string.
    return Object.values(value).every((member) => typeof member === 'string');
  }
  return false;
}

test('types only internal members use are not part of the API (regression: BoundCache, returned by the internal _bind only, was exported)', () => {
  const index = fs.readFileSync(path.join(__dirname, '../../src/index.ts'), 'utf8');
  const api = fs.readFileSync(path.join(__dirname, '../../API.md'), 'utf8');
  for (const internal of ['BoundCache']) {
    expect(index).not.toMatch(new RegExp(`\\b${internal}\\b`));
    expect(api).not.toMatch(new RegExp(`\\b${internal}\\b`));
  }
});
