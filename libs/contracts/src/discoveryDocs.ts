/**
 * The documents that describe this server before a client connects, built from the contracts so they cannot drift
 * from what the server is: the SEP-2127 server card (MCP 2026-07-28 discovery, at `GET /mcp/server-card`), the AI
 * catalog that points at it (`/.well-known/ai-catalog.json`), and the MCP Registry entry (`server.json`, schema
 * 2025-12-11; written to the repository by scripts/generateServerJson.ts).
 */
import { SERVER_VERSION } from './instructions.ts';
import { ROUTE } from './routes.ts';

/** The protocol revisions the MCP endpoint serves, newest first. */
export const MCP_PROTOCOL_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'] as const;
/** Of those, the revisions without the initialize handshake: a per-request envelope, headers that must agree with it. */
export const MODERN_MCP_PROTOCOL_VERSIONS: readonly string[] = MCP_PROTOCOL_VERSIONS.filter((v) => v >= '2026');
/** Of those, the 2025-era revisions (initialize handshake, stateless here). */
export const LEGACY_MCP_PROTOCOL_VERSIONS: readonly string[] = MCP_PROTOCOL_VERSIONS.filter((v) => v < '2026');

/** The registry name (reverse DNS of planexe.org, as the registry requires for a domain-verified publisher). */
export const REGISTRY_NAME = 'org.planexe/planexe';
export const DISPLAY_TITLE = 'PlanExe';
/** One line for registries and cards (the registry schema caps it at 100 characters). */
export const SHORT_DESCRIPTION = 'Turns a one-line prompt into a detailed project plan; create, follow and download plans.';
export const WEBSITE_URL = 'https://docs.planexe.org/';
/** The hosted service's MCP endpoint, which the registry entry advertises. */
export const HOSTED_MCP_URL = `https://mcp.planexe.org${ROUTE.mcp.path}`;
export const SERVER_CARD_MEDIA_TYPE = 'application/mcp-server-card+json';
export const SERVER_CARD_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json';
export const REGISTRY_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** The key header a hosted server requires (any of the accepted key headers works; this is the one we document). */
const keyHeader = {
  name: 'X-API-Key',
  description: 'A PlanExe API key (get one at home.planexe.org).',
  isRequired: true,
  isSecret: true,
};

/** The SEP-2127 server card of the server whose MCP endpoint is `mcpUrl`. */
export function serverCard(mcpUrl: string, requireAuth: boolean) {
  return {
    $schema: SERVER_CARD_SCHEMA,
    name: REGISTRY_NAME,
    title: DISPLAY_TITLE,
    description: SHORT_DESCRIPTION,
    version: SERVER_VERSION,
    websiteUrl: WEBSITE_URL,
    remotes: [
      {
        type: 'streamable-http',
        url: mcpUrl,
        supportedProtocolVersions: [...MCP_PROTOCOL_VERSIONS],
        ...(requireAuth ? { headers: [keyHeader] } : {}),
      },
    ],
  };
}

/** `urn:air:{publisher domain}:{name}`: the registry name's namespace turned back into the publisher's domain. */
export const AI_CATALOG_IDENTIFIER = `urn:air:${REGISTRY_NAME.split('/')[0].split('.').reverse().join('.')}:${REGISTRY_NAME.split('/')[1]}`;

/** The AI catalog listing this server's card at `cardUrl`. */
export function aiCatalog(cardUrl: string) {
  return { specVersion: '1.0', entries: [{ identifier: AI_CATALOG_IDENTIFIER, type: SERVER_CARD_MEDIA_TYPE, url: cardUrl }] };
}

/** The MCP Registry entry (server.json) of the hosted service. */
export function registryServerJson() {
  return {
    $schema: REGISTRY_SCHEMA,
    name: REGISTRY_NAME,
    title: DISPLAY_TITLE,
    description: SHORT_DESCRIPTION,
    version: SERVER_VERSION,
    websiteUrl: WEBSITE_URL,
    remotes: [{ type: 'streamable-http', url: HOSTED_MCP_URL, headers: [keyHeader] }],
  };
}
