/**
 * The CLI transpiled once for the end-to-end suite, the way ts-node's transpile-only mode does it
 * (the same compiler options, no type check), into a folder of the project's `.tmp/`. Spawning
 * `node main.js` then takes a fraction of a second instead of loading the TypeScript compiler
 * into every child process.
 *
 * The folder sits inside the project so that the child resolves `node_modules` and finds the
 * package's own `package.json` (for `--version`) by walking up, as the installed package does.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

/** Transpiles src/cli and the model files it reads; returns the folder and the entry point. */
export function transpileCli(): { readonly dir: string; readonly main: string } {
  const parent = path.join(ROOT, '.tmp');
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'cli-e2e-'));
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.dev.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const compilerOptions: ts.CompilerOptions = { ...options, noEmit: false, declaration: false, sourceMap: false, inlineSourceMap: false };
  const pending = [path.join(ROOT, 'src', 'cli', 'main.ts')];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = fs.readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, { compilerOptions, fileName: file });
    const target = path.join(dir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out.outputText);
    // follow the relative imports (type-only ones are erased, and following them is harmless)
    for (const m of source.matchAll(/(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const base = path.resolve(path.dirname(file), m[1]);
      const next = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
      if (!next) throw new Error(`transpileCli: cannot find the module '${m[1]}' imported by ${path.relative(ROOT, file)}`);
      pending.push(next);
    }
  }
  return { dir, main: path.join(dir, 'src', 'cli', 'main.js') };
}
