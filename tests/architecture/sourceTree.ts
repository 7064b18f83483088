/**
 * The production source tree as data for the architecture tests: every TypeScript file under libs/<name>/src and
 * services/<name>/src that is not a test, and what each imports, resolved to a file. Written by hand (a regular
 * expression over import specifiers and the workspace's own `exports` rule) because the rules need only our own
 * `@planexe/*` and relative imports, and TypeScript's resolver would add seconds for the same answer.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Workspace {
  /** `libs` or `services`. */
  kind: 'libs' | 'services';
  /** Folder name, e.g. `http`. */
  folder: string;
  /** Package name, e.g. `@planexe/http`. */
  name: string;
  dir: string;
}

export interface SourceFile {
  /** Repository-relative path with forward slashes. */
  path: string;
  workspace: Workspace;
  text: string;
  /** Repository-relative paths of the production files it imports (type-only imports included). */
  imports: string[];
  /** The same, without `import type` / `export type` lines: what runs. */
  runtimeImports: string[];
}

export function workspaces(): Workspace[] {
  const out: Workspace[] = [];
  for (const kind of ['libs', 'services'] as const) {
    for (const folder of readdirSync(join(ROOT, kind)).sort()) {
      const pkg = join(ROOT, kind, folder, 'package.json');
      if (!existsSync(pkg)) continue;
      out.push({ kind, folder, name: (JSON.parse(readFileSync(pkg, 'utf8')) as { name: string }).name, dir: join(ROOT, kind, folder) });
    }
  }
  return out;
}

const isTestFile = (p: string) => /\.test\.ts$/.test(p);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts)$/.test(n) && !isTestFile(n) ? [p] : [];
  });
}

const SPECIFIER = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function resolveFile(base: string): string | undefined {
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** Every production source file with its resolved imports of other production files. */
export function productionSources(): SourceFile[] {
  const ws = workspaces();
  const byName = new Map(ws.map((w) => [w.name, w]));
  const rel = (p: string) => relative(ROOT, p).split('\\').join('/');
  const resolveSpecifier = (from: string, spec: string): string | undefined => {
    if (spec.startsWith('.')) return resolveFile(resolve(dirname(from), spec));
    const m = /^(@planexe\/[^/]+)(?:\/(.+))?$/.exec(spec);
    const w = m && byName.get(m[1]);
    if (!w) return undefined;
    // the workspace packages export "." → src/index.ts and "./*" → src/*.ts
    return resolveFile(join(w.dir, 'src', m[2] ?? 'index'));
  };
  return ws.flatMap((w) =>
    walk(join(w.dir, 'src')).map((file) => {
      const text = readFileSync(file, 'utf8');
      const imports: string[] = [];
      const runtimeImports: string[] = [];
      for (const m of text.matchAll(SPECIFIER)) {
        const target = resolveSpecifier(file, m[3] ?? m[4] ?? m[5]);
        if (!target) continue;
        imports.push(rel(target));
        if (!m[2]) runtimeImports.push(rel(target));
      }
      return { path: rel(file), workspace: w, text, imports, runtimeImports };
    }),
  );
}

/** The import circles among the given files (Tarjan's strongly connected components of more than one file, or a self-import). */
export function importCircles(files: SourceFile[], edges: (f: SourceFile) => string[]): string[][] {
  const graph = new Map(files.map((f) => [f.path, edges(f).filter((t) => t !== undefined)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}
