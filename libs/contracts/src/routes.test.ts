import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchRoute, openApiPath, routePath, spanName, urls, ROUTE } from './routes.ts';

const id = (method: string, path: string) => {
  const m = matchRoute(method, path);
  return m.kind === 'route' ? m.route.id : m.kind;
};

describe('route matching: once, exactly', () => {
  it.each([
    ['GET', '/', 'root'],
    ['POST', '/mcp', 'mcp'],
    ['POST', '/mcp/', 'mcp'],
    ['GET', '/mcp', 'mcp_stream'],
    ['HEAD', '/mcp/', 'mcp'],
    ['GET', '/mcp/tools', 'mcp_tools'],
    ['POST', '/mcp/tools/call', 'mcp_tools_call'],
    ['GET', '/sse/plan/abc', 'sse_plan'],
    ['GET', '/download/a%20b/run.zip', 'download'],
    ['GET', '/examples/x/report.html', 'example_file'],
    ['GET', '/.well-known/mcp/server-card.json', 'server_card'],
    ['GET', '/mcp/server-card', 'mcp_server_card'],
    ['HEAD', '/.well-known/ai-catalog.json', 'ai_catalog'],
  ])('%s %s → %s', (method, path, want) => expect(id(method, path)).toBe(want));

  it.each([
    '/MCP',
    '/Mcp/',
    '/MCP/tools/call',
    '/mcp/TOOLS/CALL',
    '//mcp',
    '/mcp//tools',
    '/mcp/./tools',
    '/mcp/%2e/tools',
    '/mcp%2ftools',
    '/%6dcp',
    '/mcp/tools/',
    '/mcp.',
    '/mcp;',
    '/mcp/tools/call;',
    '/mcpx',
    '/downloads',
    '/download/x',
    '/download/x/',
    '/download/a/b/c',
    '/download/../x',
    '/download/a/..',
    '/download/a/.',
    '/download/%2e%2e/x',
    '/download/a/%2E%2e%2Fx',
    '/download/a/x%5cy',
    '/download/a/x\\y',
    '/download/a/x%00',
    '/download/a/%ZZ',
    '/sse/plan/a%2fb',
    '/healthcheck/',
    'healthcheck',
    '',
  ])('%s matches no route', (path) => expect(id('GET', path)).toBe('none'));

  it('a known path with another method: 405 with the methods of every route on it; OPTIONS is answered with them', () => {
    expect(matchRoute('PROPFIND', '/healthcheck')).toMatchObject({ kind: 'method', allow: 'GET, HEAD, OPTIONS' });
    expect(matchRoute('PUT', '/mcp/')).toMatchObject({ kind: 'method', allow: 'POST, HEAD, DELETE, GET, OPTIONS' });
    expect(matchRoute('OPTIONS', '/mcp/tools/call')).toMatchObject({ kind: 'options', allow: 'POST, OPTIONS' });
    expect(matchRoute('GET', '/mcp/tools/call')).toMatchObject({ kind: 'method' });
  });

  it('parameters are decoded once, never to a separator', () => {
    expect(matchRoute('GET', '/download/a%20b/run.zip')).toMatchObject({ params: { plan_id: 'a b', filename: 'run.zip' } });
    expect(matchRoute('GET', '/sse/plan/%252f')).toMatchObject({ params: { plan_id: '%2f' } });
  });

  it('URL builders, OpenAPI paths and span names come from the same patterns', () => {
    expect(urls.sse('https://h/', 'p1')).toBe('https://h/sse/plan/p1');
    expect(urls.download('https://h', 'p1', 'report.html', '123.abc')).toBe('https://h/download/p1/report.html?token=123.abc');
    expect(urls.example('https://h', 'p1', 'run.zip')).toBe('https://h/examples/p1/run.zip');
    expect(urls.mcp('http://127.0.0.1:8001')).toBe('http://127.0.0.1:8001/mcp');
    expect(routePath('download', { plan_id: 'a/b', filename: 'run.zip' })).toBe('/download/a%2Fb/run.zip');
    expect(openApiPath('download')).toBe('/download/{plan_id}/{filename}');
    expect(spanName('GET', ROUTE.sse_plan)).toBe('GET /sse/plan/:plan_id');
    expect(spanName('GET', undefined)).toBe('GET unmatched');
  });
});

describe('no second spelling of a public path', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
    }
  };
  for (const top of ['libs', 'services']) {
    for (const pkg of readdirSync(join(root, top))) {
      const src = join(root, top, pkg, 'src');
      try {
        if (statSync(src).isDirectory()) walk(src);
      } catch {
        // a package without src
      }
    }
  }

  it('production source spells /download/, /sse/plan/ and /mcp only in libs/contracts/src/routes.ts (comments aside)', () => {
    const offenders: string[] = [];
    for (const f of files) {
      const rel = relative(root, f);
      // libs/config only describes variables in prose (its descriptions name the paths for the README's env table)
      if (rel === join('libs', 'contracts', 'src', 'routes.ts') || rel.startsWith(join('libs', 'config'))) continue;
      const code = readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      const body = code
        .replace(/^\s*(import|export)\b[^;]*from\s+['"][^'"]+['"];?$/gm, '')
        // other parties' URLs (a JSON schema's home) are not our paths
        .replace(/https:\/\/glama\.ai\/[^'"`\s]*/g, '')
        // media types (application/mcp-server-card+json) are not paths
        .replace(/application\/mcp-[\w+.-]+/g, '');
      // in a string literal or template: right after the quote or an interpolation, or inside a URL
      if (/(?:['"`}]|[\w.-])\/(?:mcp\b(?!\.js)|download\/|sse\/plan\/)/.test(body)) {
        offenders.push(rel);
      }
    }
    expect(files.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
