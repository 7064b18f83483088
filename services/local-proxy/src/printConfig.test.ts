import { describe, it, expect } from 'vitest';
import { CLIENTS, currentLaunch, NPX_LAUNCH, printConfig } from './printConfig.ts';

const local = { command: '/opt/node/bin/node', args: ['/home/me/PlanExe/services/local-proxy/bin/planexe-local-proxy.mjs'] };

describe('--print-config', () => {
  it('starts this copy (node + its bin), or the npx form when npx started it from its cache', () => {
    expect(currentLaunch('/home/me/PlanExe/services/local-proxy/bin/planexe-local-proxy.mjs', '/opt/node/bin/node')).toEqual(local);
    expect(currentLaunch('/home/me/.npm/_npx/0a1b/node_modules/@planexe/local-proxy/bin/planexe-local-proxy.mjs', '/opt/node/bin/node')).toEqual(NPX_LAUNCH);
  });

  it.each(CLIENTS)('%s: a local server gets no key (it refuses any); a hosted one a placeholder, never a literal key', (client) => {
    const here = printConfig(client, { url: 'http://127.0.0.1:8001/mcp', launch: local });
    expect(here.ok).toBe(true);
    expect(here.text).not.toContain('PLANEXE_MCP_API_KEY"');
    expect(here.text).not.toMatch(/PLANEXE_MCP_API_KEY = /);
    expect(here.text).toContain(local.args[0]);
    const hosted = printConfig(client, { url: 'https://mcp.planexe.org/mcp', launch: NPX_LAUNCH });
    expect(hosted.text).toMatch(/PLANEXE_MCP_API_KEY"?\s*[:=]\s*"(<your pex_… key|\$\{)/);
    expect(hosted.text).toContain('@planexe/local-proxy');
    expect(hosted.text).toContain('From a clone of the repository instead');
    for (const t of [here.text, hosted.text]) expect(t).not.toMatch(/railway|pex_[A-Za-z0-9]{8,}/i);
  });

  it('refuses an unknown client with the list of known ones', () => {
    expect(printConfig('emacs', { url: 'http://127.0.0.1:8001/mcp', launch: local })).toEqual({ ok: false, text: `unknown client "emacs"; one of: ${CLIENTS.join(', ')}\n` });
  });
});
