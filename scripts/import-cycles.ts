/**
 * Fails when the project's modules import each other in a circle. The graph is the TypeScript
 * compiler's: each file's import/export declarations resolved with the project's tsconfig. Type-only
 * imports are left out (they vanish from the emitted code, so they cannot make a load-order cycle).
 * Usage: `npx tsx scripts/import-cycles.ts [dir ...]` (default: the tsconfig's files); exit 1 on a cycle.
 */
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

function loadProject(): ts.ParsedCommandLine {
  const file = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
  if (!file) throw new Error('no tsconfig.json');
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, dirname(file));
}

/** True when the declaration brings in values at run time (not `import type`, not only `type` names). */
function isRuntime(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return false;
    const named = node.exportClause;
    return !(named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
  }
  const clause = node.importClause;
  if (!clause) return true; // a side-effect import
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.length === 0 || !bindings.elements.every((e) => e.isTypeOnly);
}

function importsOf(file: string, options: ts.CompilerOptions): string[] {
  const source = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const node of source.statements) {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier) continue;
    if (!isRuntime(node) || !ts.isStringLiteral(node.moduleSpecifier)) continue;
    const resolved = ts.resolveModuleName(node.moduleSpecifier.text, file, options, ts.sys).resolvedModule;
    if (resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.endsWith('.d.ts')) out.push(resolve(resolved.resolvedFileName));
  }
  return out;
}

/** Every elementary cycle found by a depth-first walk (each reported once, from its first file). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

function main() {
  const project = loadProject();
  const dirs = process.argv.slice(2).map((d) => resolve(d));
  const files = project.fileNames.map((f) => resolve(f)).filter((f) => !f.endsWith('.d.ts') && (dirs.length === 0 || dirs.some((d) => f.startsWith(`${d}/`))));
  const graph = new Map(files.map((f) => [f, importsOf(f, project.options)]));
  const cycles = findCycles(graph);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.map((f) => relative(root, f)).join(' -> ')}`);
  console.log(`${graph.size} modules, ${cycles.length} import cycle(s)`);
  process.exit(cycles.length > 0 ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
