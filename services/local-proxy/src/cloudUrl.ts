import { MCP_PATH, REST_BRIDGE_PATHS, urls } from '@planexe/contracts';

/**
 * Where the proxy connects when PLANEXE_URL is unset: the local server `npm start` runs. (Upstream defaulted to a
 * placeholder host that does not exist; a default that works with no set-up is what a newcomer needs.)
 */
export const DEFAULT_URL = urls.mcp('http://127.0.0.1:8001');

export interface CloudUrls {
  /** `<base>/mcp`: JSON-RPC endpoint; the REST bridge is `<mcp>/tools/call`. */
  mcp: string;
  /** `<base>`: where downloads are served (urls.download of @planexe/contracts). */
  download: string;
}

/**
 * PLANEXE_URL normalised as spec/tools.md §9.3 says: trimmed, query and fragment dropped, a trailing
 * `/mcp/tools/call`, `/mcp/tools`, `/tools/call` or `/tools` removed, `/mcp` appended when missing.
 */
export function normaliseCloudUrl(raw: string | undefined): CloudUrls {
  const text = (raw ?? '').trim() || DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`PLANEXE_URL is not a URL: ${JSON.stringify(text)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`PLANEXE_URL must be http(s): ${JSON.stringify(text)}`);
  if (u.username || u.password) throw new Error('PLANEXE_URL must not carry credentials: put the key in PLANEXE_MCP_API_KEY');
  let path = u.pathname.replace(/\/+$/, '');
  // the REST bridge's paths, and the same relative to a base that already ends in the MCP path
  const bridgeTails = REST_BRIDGE_PATHS.map((p) => p.slice(MCP_PATH.length));
  for (const suffix of [...REST_BRIDGE_PATHS, ...bridgeTails]) {
    if (path.endsWith(suffix)) {
      path = path.slice(0, -suffix.length).replace(/\/+$/, '');
      break;
    }
  }
  if (!path.endsWith(MCP_PATH)) path += MCP_PATH;
  const mcp = `${u.origin}${path}`;
  return { mcp, download: mcp.slice(0, -MCP_PATH.length) };
}

/** A server on this machine: `npm start` has authentication off there, and then refuses keys it has not issued. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
