/* global URL */
/**
 * Builds the plan view (an MCP App) into one HTML document: the TypeScript in src/ bundled and minified by esbuild
 * into one inline script, src/view.css minified into one inline style, both pinned by their SHA-256 in the
 * document's Content-Security-Policy, so nothing else can run or style it and nothing leaves it (connect-src is
 * 'none': the view talks only to its host, by postMessage). Used by scripts/build.mjs (production bundle) and, on
 * first use, by services/tools/src/planAppHtml.ts under tsx and vitest.
 */
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const src = new URL('./src/', import.meta.url);
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** @returns {Promise<string>} the document */
export async function buildViewHtml() {
  const [bundle, cssSource, template] = await Promise.all([
    build({
      entryPoints: [new URL('main.ts', src).pathname],
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2022',
      platform: 'browser',
      write: false,
      legalComments: 'none',
      logLevel: 'warning',
    }),
    readFile(new URL('view.css', src), 'utf8'),
    readFile(new URL('view.html', src), 'utf8'),
  ]);
  const script = bundle.outputFiles[0].text.trim();
  const style = (await transform(cssSource, { loader: 'css', minify: true })).code.trim();
  // esbuild escapes "</script" inside strings; a literal one would end the inline script early
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error('the view bundle contains a closing tag');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return template
    .replace('%CSP%', () => csp)
    .replace('%STYLE%', () => style)
    .replace('%SCRIPT%', () => script);
}
