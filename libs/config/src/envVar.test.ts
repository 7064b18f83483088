import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadServiceConfig, ConfigError, bindPort, postgresUrl, renderEnvTable, ENV_TABLE_BEGIN, ENV_TABLE_END, serviceSchemas } from '../src/index.ts';

describe('service env schemas', () => {
  it('applies the spec defaults', () => {
    const c = loadServiceConfig('tools', {});
    expect(c.PLANEXE_MCP_REQUIRE_AUTH).toBe(true);
    expect(c.PLANEXE_MCP_HTTP_HOST).toBe('127.0.0.1');
    expect(bindPort(c)).toBe(8001);
    expect(c.PLANEXE_DOWNLOAD_TOKEN_TTL).toBe(900);
    expect(c.PLANEXE_MCP_RATE_LIMIT).toBe(60);
    expect(c.PLANEXE_DEDUP_WINDOW_SECONDS).toBe(600);
    expect(c.PLANEXE_MCP_MAX_BODY_BYTES).toBe(1_048_576);
  });

  it('PORT wins over PLANEXE_MCP_HTTP_PORT; booleans accept the spec spellings', () => {
    const c = loadServiceConfig('tools', { PORT: '9000', PLANEXE_MCP_HTTP_PORT: '8500', PLANEXE_MCP_REQUIRE_AUTH: ' OFF ' });
    expect(bindPort(c)).toBe(9000);
    expect(c.PLANEXE_MCP_REQUIRE_AUTH).toBe(false);
  });

  it.each([
    ['PLANEXE_MCP_HTTP_PORT', 'eighty'],
    ['PLANEXE_MCP_REQUIRE_AUTH', 'maybe'],
    ['PLANEXE_SSE_POLL_INTERVAL', 'fast'],
    ['PLANEXE_MCP_PUBLIC_BASE_URL', 'not a url'],
    ['PLANEXE_LOG_LEVEL', 'loud'],
    ['PORT', '70000'],
  ])('a bad %s stops start-up with a message naming it', (name, value) => {
    const schema = name.startsWith('PLANEXE_SSE') ? 'standalone' : 'tools';
    expect(() => loadServiceConfig(schema, { [name]: value })).toThrowError(ConfigError);
    expect(() => loadServiceConfig(schema, { [name]: value })).toThrowError(new RegExp(name));
  });

  it('never echoes a secret in the error', () => {
    try {
      loadServiceConfig('tools', { SQLALCHEMY_DATABASE_URI: 'postgresql://u:supersecret@h/db', PLANEXE_POSTGRES_PORT: 'x' });
    } catch (e) {
      expect(String(e)).not.toContain('supersecret');
    }
  });

  it('builds the Postgres URL from SQLALCHEMY_DATABASE_URI or the parts', () => {
    expect(postgresUrl(loadServiceConfig('tools', { SQLALCHEMY_DATABASE_URI: 'postgresql+psycopg2://a:b@h:1/d' }))).toBe('postgresql://a:b@h:1/d');
    expect(postgresUrl(loadServiceConfig('tools', { PLANEXE_POSTGRES_HOST: 'db', PLANEXE_POSTGRES_PASSWORD: 'p@ss' }))).toBe('postgresql://planexe:p%40ss@db:5432/planexe');
    expect(postgresUrl(loadServiceConfig('tools', {}))).toBeUndefined();
  });

  it('every spec variable of the tools service is in its schema', () => {
    const spec = readFileSync(fileURLToPath(new URL('../../../docs/spec/config.md', import.meta.url)), 'utf8').split('## 2.')[0];
    const names = [...spec.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(25);
    const ours = new Set([...Object.keys(serviceSchemas.tools), ...Object.keys(serviceSchemas.standalone)]);
    expect(names.filter((n) => !ours.has(n))).toEqual([]);
  });

  it('the README env table is generated from the schemas and is not stale (run `npm run docs:env`)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const a = readme.indexOf(ENV_TABLE_BEGIN);
    const b = readme.indexOf(ENV_TABLE_END);
    expect(a).toBeGreaterThan(-1);
    expect(readme.slice(a + ENV_TABLE_BEGIN.length, b).trim()).toBe(renderEnvTable().trim());
  });
});
