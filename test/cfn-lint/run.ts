/**
 * `npx projen cfn-lint`: lints the CloudFormation templates of the integ apps and the example apps
 * (test/cfn-lint/apps.ts) with cfn-lint, the Python one (1.x; the npm package of that name is
 * another tool, with a stale resource specification). Informational rules included.
 *
 * Findings are filtered through test/cfn-lint/ignore.json, whose every entry names a rule, may
 * narrow it to files, resources or messages, and says why it is not a defect. Exits 1 when a
 * finding remains, when an entry ignored nothing (stale) or when an app is missing from apps.ts;
 * exits 2 when cfn-lint is not installed or does not work (including when it no longer reports
 * the known defect of test/cfn-lint/canary.template.json).
 *
 * Environment: CFN_LINT, the cfn-lint command (default `cfn-lint` on the PATH).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CFN_LINT_APPS, CfnLintApp } from './apps';
import { applyIgnores, Finding, formatFinding, IgnoreEntry, parseCfnLintJson, validateIgnores } from './findings';

const root = path.resolve(__dirname, '..', '..');
const here = path.relative(root, __dirname);
const cfnLint = process.env.CFN_LINT || 'cfn-lint';
const outRoot = path.join(root, '.tmp', 'cfn-lint');
/** a template with one known defect: cfn-lint must report exactly this rule on it, or it is not working */
const CANARY = path.join(here, 'canary.template.json');
const CANARY_RULE = 'E3002';

interface Template {
  /** path relative to the repository root */
  readonly file: string;
  /** the region of the stack's environment, when the stack has one */
  readonly region?: string;
}

/** the cfn-lint processes still running: a failure ends them */
const running = new Set<ChildProcess>();

function fail(code: number, message: string): never {
  console.error(`cfn-lint check: ${message}`);
  for (const child of running) child.kill();
  process.exit(code);
}

const NOT_INSTALLED = 'cfn-lint is not installed: install the Python cfn-lint 1.x (pip install cfn-lint, or pipx install cfn-lint) '
  + 'or set CFN_LINT to its path. The npm package named cfn-lint is a different, outdated tool.';

/** Fails at once when the cfn-lint command is on no PATH directory (without starting it: that takes seconds). */
function requireCfnLint(): void {
  const dirs = cfnLint.includes(path.sep) ? [''] : (process.env.PATH ?? '').split(path.delimiter).filter(d => d);
  for (const dir of dirs) {
    try {
      fs.accessSync(path.join(dir, cfnLint), fs.constants.X_OK);
      return;
    } catch {
      // not in this directory
    }
  }
  fail(2, `cannot run '${cfnLint}' (not found). ${NOT_INSTALLED}`);
}

/** `cfn-lint x.y.z`, for the messages of a failure (it costs a start of cfn-lint: not on success). */
function versionOf(): string {
  const r = spawnSync(cfnLint, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : cfnLint;
}

/** Runs cfn-lint; resolves with its stdout, rejects with a message when it cannot start or fails. */
function cfnLintProcess(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cfnLint, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => stdout += d);
    child.stderr.on('data', d => stderr += d);
    child.on('error', err => {
      running.delete(child);
      reject(new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? `cannot run '${cfnLint}' (not found). ${NOT_INSTALLED}` : err.message));
    });
    child.on('close', code => {
      running.delete(child);
      if (code === 0) resolve(stdout);
      // a shell's "command not found", or pyenv's shim when the active Python has no cfn-lint
      else if (code === 127) reject(new Error(`'${cfnLint}' exited with 127 (${stderr.trim()}). ${NOT_INSTALLED}`));
      else reject(new Error(`'${cfnLint} ${args.slice(0, 6).join(' ')} ...' exited with ${code}:\n${stderr}${stdout}`.trim()));
    });
  });
}

/** Lints templates, one cfn-lint per region of their stacks (the environment-agnostic ones join the first). */
async function lint(templates: readonly Template[], extra: readonly string[] = []): Promise<Finding[]> {
  const byRegion = new Map<string | undefined, string[]>();
  for (const t of [...templates].sort((a, b) => (a.region ? 0 : 1) - (b.region ? 0 : 1))) {
    const region = t.region ?? [...byRegion.keys()][0];
    byRegion.set(region, [...byRegion.get(region) ?? [], t.file]);
  }
  if (byRegion.size === 0) {
    if (extra.length === 0) return []; // no template: cfn-lint would read one from stdin
    byRegion.set(undefined, []);
  }
  [...byRegion.values()][0].push(...extra);
  const runs = [...byRegion].map(async ([region, files]) => {
    const args = ['--format', 'json', '--include-checks', 'I', '--non-zero-exit-code', 'none'];
    if (region) args.push('--regions', region);
    return parseCfnLintJson(await cfnLintProcess([...args, '--', ...files]));
  });
  return (await Promise.all(runs)).flat();
}

function loadIgnores(): IgnoreEntry[] {
  const file = path.join(__dirname, 'ignore.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(1, `cannot read ${path.relative(root, file)}: ${(err as Error).message}`);
  }
  const errors = validateIgnores(raw);
  if (errors.length > 0) fail(1, errors.join('\n'));
  return raw as IgnoreEntry[];
}

/** Every integ app must have an entry, and every examples/ folder be covered by one. */
function checkCoverage(apps: readonly CfnLintApp[]): void {
  const problems: string[] = [];
  const covered = new Set<string>();
  const listed = new Set(apps.map(a => a.name));
  for (const app of apps) {
    const sources = 'snapshot' in app ? [app.name] : 'appFile' in app ? [app.appFile] : [];
    for (const source of sources) {
      const text = fs.readFileSync(path.join(root, source), 'utf8');
      for (const m of text.matchAll(/from '(?:\.\.\/)+examples\/([\w-]+)\//g)) covered.add(m[1]);
      const own = /^examples\/([\w-]+)\//.exec(source);
      if (own) covered.add(own[1]);
    }
    if ('examples' in app) app.examples.forEach(e => covered.add(e));
    if ('snapshot' in app && !fs.existsSync(path.join(root, app.snapshot, 'manifest.json'))) {
      problems.push(`${app.name}: no integ snapshot at ${app.snapshot} (run npx projen integ:update)`);
    }
  }
  for (const f of fs.readdirSync(path.join(root, 'integ')).filter(n => /^integ\..*\.ts$/.test(n)).sort()) {
    if (!listed.has(`integ/${f}`)) problems.push(`integ/${f} is not listed in ${here}/apps.ts`);
  }
  for (const d of fs.readdirSync(path.join(root, 'examples'), { withFileTypes: true }).filter(e => e.isDirectory())) {
    if (!covered.has(d.name)) problems.push(`examples/${d.name} is linted by no app of ${here}/apps.ts (add its app, or an integ app that imports it)`);
  }
  if (problems.length > 0) fail(1, problems.join('\n'));
}

/** The templates of a cloud assembly and of its nested assemblies (CDK stages), from the manifests. */
function templatesOf(dir: string): Template[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const out: Template[] = [];
  const regions = new Set<string | undefined>();
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
      const usable = region && region !== 'unknown-region' ? region : undefined;
      regions.add(usable);
      out.push({ file: path.relative(root, path.join(dir, artifact.properties.templateFile)), region: usable });
    } else if (artifact.type === 'cdk:cloud-assembly') {
      out.push(...templatesOf(path.join(dir, artifact.properties.directoryName)));
    }
  }
  // nested stacks' templates are assets of their parent, not artifacts of the manifest
  const region = regions.size === 1 ? [...regions][0] : undefined;
  for (const f of fs.readdirSync(dir).filter(n => n.endsWith('.nested.template.json'))) {
    out.push({ file: path.relative(root, path.join(dir, f)), region });
  }
  return out;
}

/** Synthesizes an app that has no snapshot into .tmp/cfn-lint/<its name>; returns the directory. */
function synthesize(app: Exclude<CfnLintApp, { snapshot: string }>): string {
  const outdir = path.join(outRoot, app.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, ''));
  if ('appFile' in app) {
    // the example's own app.ts, which writes to CDK_OUTDIR
    process.env.CDK_OUTDIR = outdir;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- running the app is loading its module
    require(path.join(root, app.appFile));
    delete process.env.CDK_OUTDIR;
  } else {
    app.synth(outdir);
  }
  return outdir;
}

function templatesOfApp(app: CfnLintApp, dir: string): Template[] {
  const found = templatesOf(dir);
  if (found.length === 0) fail(1, `${app.name}: its cloud assembly has no stack`);
  console.log(`${app.name}: ${found.length} template${found.length === 1 ? '' : 's'}`);
  return found;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  requireCfnLint();
  const ignores = loadIgnores();
  checkCoverage(CFN_LINT_APPS);

  // cfn-lint takes seconds to start (about 2.5 s of CPU) and lint: it starts on the committed
  // snapshots (and the canary) before the other apps are synthesized, which runs on the other core
  const snapshotTemplates = CFN_LINT_APPS.flatMap(app => 'snapshot' in app ? templatesOfApp(app, path.join(root, app.snapshot)) : []);
  const snapshotFindings = lint(snapshotTemplates, [CANARY]);
  snapshotFindings.catch(() => undefined); // read below, after the synthesis

  fs.rmSync(outRoot, { recursive: true, force: true });
  const synthesizedTemplates = CFN_LINT_APPS.flatMap(app => 'snapshot' in app ? [] : templatesOfApp(app, synthesize(app)));
  const templates = [...snapshotTemplates, ...synthesizedTemplates];

  let findings: Finding[];
  try {
    findings = [...await snapshotFindings, ...await lint(synthesizedTemplates)];
  } catch (err) {
    fail(2, `cfn-lint did not run: ${(err as Error).message}`);
  }

  const canary = findings.filter(f => f.file === CANARY);
  if (canary.length !== 1 || canary[0].rule !== CANARY_RULE) {
    fail(2, `${versionOf()} is not working as expected: on ${CANARY} it must report exactly ${CANARY_RULE}, it reported `
      + `${canary.length === 0 ? 'nothing' : canary.map(formatFinding).join('; ')}`);
  }
  findings = findings.filter(f => f.file !== CANARY);

  const { remaining, counts, stale } = applyIgnores(findings, ignores);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`cfn-lint: ${templates.length} templates of ${CFN_LINT_APPS.length} apps, ${findings.length} findings, `
    + `${findings.length - remaining.length} ignored by ${here}/ignore.json (${counts.join(' + ')}), ${remaining.length} remaining (${seconds} s)`);
  for (const f of remaining) console.log(`  ${formatFinding(f)}`);
  for (const e of stale) {
    console.log(`  stale ignore entry (matches nothing, remove it): ${JSON.stringify({ ...e, reason: undefined })}`);
  }
  const problems = [
    ...remaining.length > 0 ? [`${remaining.length} finding(s) not ignored: fix the template (or the library) or, when it is `
      + `not a defect, add an entry with a reason to ${here}/ignore.json`] : [],
    ...stale.length > 0 ? [`${stale.length} stale ignore entr${stale.length === 1 ? 'y' : 'ies'}: remove ${stale.length === 1 ? 'it' : 'them'} from ${here}/ignore.json`] : [],
  ];
  if (problems.length > 0) fail(1, `${versionOf()}: ${problems.join('; ')}.`);
  console.log('cfn-lint: no findings beyond the ignored ones');
}

main().catch(err => fail(2, (err as Error).stack ?? String(err)));
