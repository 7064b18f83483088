/** The `mcpServers` JSON most clients accept, for the start-up banner and the README. */
export function clientSnippet(url: string, withKey = false): string {
  const entry: Record<string, unknown> = { url: url.endsWith('/') ? url : `${url}/` };
  if (withKey) entry.headers = { 'X-API-Key': '${env:PLANEXE_MCP_API_KEY}' };
  return JSON.stringify({ mcpServers: { planexe: entry } }, null, 2);
}
