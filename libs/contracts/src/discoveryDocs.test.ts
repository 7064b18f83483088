/**
 * The registry entry (server.json) is what libs/contracts says, and valid against the registry's schema 2025-12-11,
 * checked offline against the copy in libs/contracts/schemas (byte-identical to
 * https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json: the pinned sha256 below is the
 * published file's).
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AI_CATALOG_IDENTIFIER, aiCatalog, MCP_PROTOCOL_VERSIONS, REGISTRY_SCHEMA, registryServerJson, serverCard, SERVER_CARD_SCHEMA } from './discoveryDocs.ts';

const SCHEMA_FILE = new URL('../schemas/registry-server.2025-12-11.schema.json', import.meta.url);
const SCHEMA_SHA256 = '3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0';
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
}

describe('MCP Registry entry (server.json, schema 2025-12-11)', () => {
  it('the schema copy is the published file', () => {
    const bytes = readFileSync(SCHEMA_FILE);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(SCHEMA_SHA256);
    expect(JSON.parse(bytes.toString('utf8')).$id).toBe(REGISTRY_SCHEMA);
  });

  it('the committed server.json is the generated one (npm run registry:server-json)', () => {
    const committed = readFileSync(new URL('../../../server.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(registryServerJson(), null, 2)}\n`);
  });

  it('validates, with a description of at most 100 characters; the validator refuses what the registry would', () => {
    const validate = validator();
    const entry = registryServerJson();
    expect(validate(entry), JSON.stringify(validate.errors)).toBe(true);
    expect(entry.description.length).toBeLessThanOrEqual(100);
    expect(entry.$schema).toBe(REGISTRY_SCHEMA);
    expect(validate({ ...entry, description: 'x'.repeat(101) })).toBe(false);
    expect(validate({ ...entry, name: 'planexe' })).toBe(false);
    expect(validate({ ...entry, remotes: [{ type: 'streamable-http', url: 'not a url' }] })).toBe(false);
  });
});

describe('SEP-2127 server card and AI catalog', () => {
  it('names the endpoint, both protocol eras and, when auth is on, the key header', () => {
    const card = serverCard('https://example.org/mcp', true);
    expect(card.$schema).toBe(SERVER_CARD_SCHEMA);
    expect(card.remotes[0]).toMatchObject({ type: 'streamable-http', url: 'https://example.org/mcp' });
    expect(card.remotes[0].supportedProtocolVersions).toEqual(expect.arrayContaining(['2026-07-28', '2025-11-25']));
    expect(card.remotes[0].supportedProtocolVersions).toEqual([...MCP_PROTOCOL_VERSIONS]);
    expect(card.remotes[0].headers).toEqual([expect.objectContaining({ name: 'X-API-Key', isRequired: true, isSecret: true })]);
    expect(serverCard('http://127.0.0.1:8001/mcp', false).remotes[0]).not.toHaveProperty('headers');
    // a card and the registry entry describe the same server
    const { $schema: _a, remotes: _r, ...cardIdentity } = card;
    const { $schema: _b, remotes: _s, ...entryIdentity } = registryServerJson();
    expect(cardIdentity).toEqual(entryIdentity);
  });

  it('the catalog lists the card by its media type, under the publisher domain', () => {
    expect(AI_CATALOG_IDENTIFIER).toBe('urn:air:planexe.org:planexe');
    expect(aiCatalog('https://example.org/mcp/server-card')).toEqual({
      specVersion: '1.0',
      entries: [{ identifier: AI_CATALOG_IDENTIFIER, type: 'application/mcp-server-card+json', url: 'https://example.org/mcp/server-card' }],
    });
  });
});
