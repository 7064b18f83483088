#!/usr/bin/env node
/**
 * The production build: one ESM bundle per deployable, `dist/<name>/main.js` with its source map, run by plain
 * `node --enable-source-maps` (no TypeScript loader at run time).
 *
 * Entries are found, not listed: every `services/<name>/src/main.ts`, plus the fake LLM (`dist/fake-llm`, load tests
 * only) and the admin CLI (`dist/admin`). Workspace code (@planexe/*) is bundled; every other package stays an
 * import of node_modules, so native add-ons, wasm files and packages that read their own files keep working. The fake
 * LLM alone bundles its few dependencies too, so its image needs no node_modules.
 *
 * Why a bundle rather than `tsc -b` per package: measured on this repository (README, "Production build"), the
 * bundle builds in about a second instead of half a minute, and starts faster (one module to load instead of
 * hundreds); it needs no declaration emit or project references, and the sources keep importing each other with
 * `.ts` extensions as vitest and the type checker see them.
 */
import { build } from 'esbuild';
import { performance } from 'node:perf_hooks';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildViewHtml } from '../services/tools/app/buildView.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outRoot = join(root, 'dist');

const entries = Object.fromEntries(
  readdirSync(join(root, 'services'))
    .filter((name) => existsSync(join(root, 'services', name, 'src', 'main.ts')))
    .map((name) => [name, join(root, 'services', name, 'src', 'main.ts')]),
);
entries['fake-llm'] = join(root, 'libs', 'testing', 'src', 'fakeLlmMain.ts');

/** Bare imports other than the workspace's own packages stay imports of node_modules. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@planexe/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * Code that finds files next to its source (`new URL('../migrations/', import.meta.url)`: SQL migrations, LLM profiles,
 * llms.txt, swagger-ui's assets) keeps finding them: in a bundle `import.meta.url` is the bundle's URL, so each use is
 * replaced by the URL its source file had, expressed relative to the bundle. The image keeps those files in place.
 */
function sourceUrls(outdir) {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(outdir, args.path).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * The plan view (an MCP App) is built once here and inlined: the bundle's planAppHtml.ts returns the finished
 * document instead of building it with esbuild at run time (the image has no esbuild).
 */
function planAppHtml(html) {
  return {
    name: 'plan-app-html',
    setup(b) {
      b.onLoad({ filter: /[\\/]services[\\/]tools[\\/]src[\\/]planAppHtml\.ts$/ }, () => ({
        contents: `export const loadPlanAppHtml = async () => ${JSON.stringify(html)};\n`,
        loader: 'ts',
      }));
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

const t0 = performance.now();
rmSync(outRoot, { recursive: true, force: true });
const viewHtml = planAppHtml(await buildViewHtml());
const results = await Promise.all([
  ...Object.entries(entries).map(([name, entry]) => {
    const outdir = join(outRoot, name);
    const plugins = name === 'fake-llm' ? [sourceUrls(outdir)] : [viewHtml, externalPackages, sourceUrls(outdir)];
    return build({ ...common, entryPoints: { main: entry }, outdir, plugins, metafile: true });
  }),
  build({
    ...common,
    stdin: {
      contents: "import { runAdmin } from './services/gateway/src/cli/admin.ts';\nprocess.exitCode = await runAdmin(process.argv.slice(2));\n",
      resolveDir: root,
      sourcefile: 'admin-entry.ts',
      loader: 'ts',
    },
    outfile: join(outRoot, 'admin', 'main.js'),
    plugins: [viewHtml, externalPackages, sourceUrls(join(outRoot, 'admin'))],
    metafile: true,
  }),
]);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const names = [...Object.keys(entries), 'admin'];
const sizes = results.map((r, i) => {
  const js = Object.entries(r.metafile.outputs).find(([f]) => f.endsWith('main.js'));
  return `${names[i]} ${kib(js[1].bytes)}`;
});
console.log(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${sizes.join(', ')}`);
