import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/*
 * docs/migrating-from-cdk-pipelines.md maps CDK Pipelines' API (left column) to this library's
 * (middle column) in code spans such as `PipelineSource.gitHub({ repository, branch, connectionArn })`.
 * The two example classes it quotes are compiled and synthesized by migration.test.ts; this turns
 * every code span of the mapping tables into TypeScript and type-checks it against the current API
 * of both libraries, so that a renamed or missing field, factory or class fails here.
 */

const root = path.join(__dirname, '..', '..');
const GUIDE = fs.readFileSync(path.join(root, 'docs', 'migrating-from-cdk-pipelines.md'), 'utf8');

/** Code spans of the guide's table cells that are words, not API names (a CodePipeline action name). */
const NOT_API = new Set(['PublishAssets']);

type Side = 'cdkPipelines' | 'library';

interface Span {
  readonly row: number;
  readonly side: Side;
  readonly text: string;
  /** Whether the span must be checked whole (left and middle columns), or only its `Class.member` names (notes). */
  readonly whole: boolean;
}

/** The code spans of every table row of the "Mapping" section. */
function mappingSpans(): Span[] {
  const section = GUIDE.slice(GUIDE.indexOf('\n## Mapping\n'), GUIDE.indexOf('\n## Switching a deployed pipeline\n'));
  const spans: Span[] = [];
  section.split('\n').forEach((line, row) => {
    if (!line.startsWith('| ') || line.startsWith('|---') || line.startsWith('| CDK Pipelines |')) return;
    const cells = line.split('|').slice(1, -1);
    if (cells.length !== 3) throw new Error(`a row of the mapping tables without 3 cells: ${line}`);
    const codeOf = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map(m => m[1]);
    for (const text of codeOf(cells[0])) spans.push({ row, side: 'cdkPipelines', text, whole: true });
    for (const text of codeOf(cells[1])) spans.push({ row, side: 'library', text, whole: true });
    for (const text of codeOf(cells[2])) spans.push({ row, side: 'library', text, whole: false });
  });
  return spans;
}

const KEYWORDS = new Set(['new', 'true', 'false', 'void']);

/** The values src/index.ts exports (its classes and enums), read without compiling. */
function libraryValues(): Set<string> {
  const index = path.join(root, 'src', 'index.ts');
  const source = ts.createSourceFile(index, fs.readFileSync(index, 'utf8'), ts.ScriptTarget.Latest);
  const out = new Set<string>();
  source.forEachChild(node => {
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const e of node.exportClause.elements) out.add(e.name.text);
    }
  });
  return out;
}

/**
 * One span as TypeScript: the names it uses declared as `any`, `(...)` (any arguments) dropped to a
 * reference, `field?` and `, ...` (optional and omitted fields) dropped, and the field names it
 * gives (a leading `field: `, the keys of its object literals) kept apart, to be checked by name.
 */
function toCode(span: Span, lastClass: string | undefined, values: Set<string>): { code: string; fields: string[]; classOf: string | undefined } {
  let text = span.text;
  if (!span.whole) {
    // notes name this library's API among aws-cdk-lib's: check the `Class.member` of this library's classes
    const members = [...text.matchAll(/(?<![.\w])([A-Z]\w*)\.(\w+)/g)].filter(m => values.has(m[1]));
    return { code: members.map(m => `void ${m[1]}.${m[2]};`).join(' '), fields: [], classOf: lastClass };
  }
  const fields: string[] = [];
  const label = /^(\w+): (.+)$/.exec(text);
  if (label && !text.startsWith('{')) {
    fields.push(label[1]);
    text = label[2];
  }
  if (/^(true|false|\d+|'.*')$/.test(text)) return { code: '', fields, classOf: lastClass };
  if (/^[a-z]\w*$/.test(text)) return { code: '', fields: [...fields, text], classOf: lastClass };
  // a member of the class named just before (`ReleaseMode.CONTINUOUS_INTEGRATION`, `CONTINUOUS_DELIVERY`)
  if (/^[A-Z][A-Z0-9_]+$/.test(text) && lastClass) text = `${lastClass}.${text}`;
  const classOf = /\b([A-Z]\w*)\.\w+/.exec(text)?.[1] ?? lastClass;
  // `[X.a(...), .b(...)]`: factories of the same class
  text = text.replace(/(^|[[,(]\s*)\.(\w+)/g, (_m, before, member) => `${before}${classOf}.${member}`);
  text = text.replace(/new (\w+(?:\.\w+)*)\(\.\.\.\)/g, '$1').replace(/\.\*\(\.\.\.\)/g, '').replace(/(\w+)\(\.\.\.\)/g, '$1');
  // a method named alone is a stage deployment's (`addPre(...)`)
  text = text.replace(/^([a-z]\w*)$/, 'stageDeployment.$1');
  text = text.replace(/,\s*\.\.\.\s*\}/g, ' }').replace(/(\w+)\?(?=\s*[,}])/g, '$1');
  for (const braces of text.matchAll(/\{([^{}]*)\}/g)) {
    for (const entry of braces[1].split(',')) {
      const key = /^\s*(\w+)\s*(:|$)/.exec(entry);
      if (key) fields.push(key[1]);
    }
  }
  return { code: text.startsWith('{') ? `void (${text});` : `void ${text};`, fields, classOf };
}

/** Names a span's code uses as values, to declare: not after a dot, not a key with a value, not in quotes. */
function freeNames(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.replace(/'[^']*'/g, "''").matchAll(/(^|[^.\w'])([a-z]\w*)\b(?!\s*:)/g)) {
    if (!KEYWORDS.has(m[2])) names.add(m[2]);
  }
  return [...names];
}

/** The classes a span's code names (`ShellStep`, `DeliveryPipeline`), not in quotes nor after a dot. */
function classNames(code: string): string[] {
  return [...new Set([...code.replace(/'[^']*'/g, "''").matchAll(/(?<![.\w])([A-Z]\w*)\b/g)].map(m => m[1]))];
}

const RECEIVERS: Record<Side, Record<string, string>> = {
  cdkPipelines: { pipeline: 'pipelines.CodePipeline', wave: 'pipelines.Wave', stageDeployment: 'pipelines.StageDeployment' },
  library: { pipeline: 'lib.DeliveryPipeline' },
};

/** The property names of the exported interfaces of a module, their bases' included. */
function interfaceFields(checker: ts.TypeChecker, module: ts.Symbol): Set<string> {
  const out = new Set<string>();
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.declarations?.some(ts.isExportSpecifier) || symbol.declarations?.some(ts.isNamespaceImport)
      ? checker.getAliasedSymbol(symbol) : symbol;
    if (!target.declarations?.some(ts.isInterfaceDeclaration)) continue;
    for (const p of checker.getDeclaredTypeOfSymbol(target).getProperties()) out.add(p.name);
  }
  return out;
}

interface Checked {
  /** The compiler's messages, each after the span it is about. */
  readonly errors: string[];
  /** The field names each side's spans give, and the fields of each side's interfaces. */
  readonly fields: Record<Side, { named: string[]; known: Set<string> }>;
}

/** Type-checks the spans against aws-cdk-lib/pipelines (left column) and this library (the others). */
function check(spans: Span[]): Checked {
  const file = path.join(root, 'test', 'examples', '__migration-guide-names.ts');
  const lines: string[] = [
    "import * as pipelines from 'aws-cdk-lib/pipelines';",
    "import * as lib from '../../src';",
  ];
  const owner: Array<Span | undefined> = lines.map(() => undefined);
  const named: Record<Side, string[]> = { cdkPipelines: [], library: [] };
  const values = libraryValues();
  let lastClass: string | undefined;
  let lastRow = -1;
  for (const span of spans) {
    if (span.row !== lastRow) lastClass = undefined;
    lastRow = span.row;
    if (NOT_API.has(span.text)) continue;
    const { code, fields, classOf } = toCode(span, lastClass, values);
    lastClass = classOf;
    named[span.side].push(...fields);
    if (!code) continue;
    const module = span.side === 'library' ? 'lib' : 'pipelines';
    // `pipelines.X` on the left is X of aws-cdk-lib/pipelines, as a bare X is
    const body = code.replace(/\bpipelines\.(?=[A-Z])/g, '');
    const imports = classNames(body).map(c => `const ${c} = ${module}.${c};`).join(' ');
    const declared = freeNames(body).map(n => `const ${n}: ${RECEIVERS[span.side][n] ?? 'any'} = undefined as any;`).join(' ');
    lines.push(`{ ${imports} ${declared} ${body} }`);
    owner.push(span);
  }
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    // as tsconfig.json compiles src/
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    experimentalDecorators: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) =>
    (path.resolve(name) === file ? ts.createSourceFile(name, source, version, true) : getSourceFile(name, version, ...rest));
  const program = ts.createProgram([file], options, host);
  const probe = program.getSourceFile(file)!;
  const errors = ts.getPreEmitDiagnostics(program, probe).map(d => {
    const line = d.file === probe && d.start !== undefined ? probe.getLineAndCharacterOfPosition(d.start).line : -1;
    return `${owner[line]?.text ?? `(line ${line})`}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  const checker = program.getTypeChecker();
  const moduleOf = (i: number) => checker.getSymbolAtLocation((probe.statements[i] as ts.ImportDeclaration).moduleSpecifier)!;
  return {
    errors,
    fields: {
      cdkPipelines: { named: named.cdkPipelines, known: interfaceFields(checker, moduleOf(0)) },
      library: { named: named.library, known: interfaceFields(checker, moduleOf(1)) },
    },
  };
}

describe('docs/migrating-from-cdk-pipelines.md: the names of the mapping tables', () => {
  const spans = mappingSpans();
  let checked: Checked;
  // one type-check of every span (aws-cdk-lib's declarations take a while to load)
  beforeAll(() => {
    checked = check(spans);
  });

  test('every code span of the tables compiles against the current API of aws-cdk-lib/pipelines and of this library', () => {
    expect(spans.length).toBeGreaterThan(100);
    expect(checked.errors).toEqual([]);
  });

  test('every field the left column names is a field of CDK Pipelines\' props', () => {
    const { named, known } = checked.fields.cdkPipelines;
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter(f => !known.has(f))).toEqual([]);
  });

  test('every field the middle column names is a field of this library\'s props', () => {
    const { named, known } = checked.fields.library;
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter(f => !known.has(f))).toEqual([]);
  });
});
