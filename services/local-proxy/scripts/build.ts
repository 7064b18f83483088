/**
 * Builds the published form: one ES module, dist/planexe-local-proxy.mjs, with the MCP SDK and everything else
 * bundled, so the package has no dependencies and installs offline from its tarball (`npm pack` runs this).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/planexe-local-proxy.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  logLevel: 'warning',
  // bundled CommonJS dependencies (ajv) call require(); an ES module has none unless we make one
  banner: { js: "import { createRequire as planexeCreateRequire } from 'node:module';\nconst require = planexeCreateRequire(import.meta.url);" },
});
