import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopbackUrl } from './cloudUrl.ts';

/** Clients whose configuration `--print-config` knows (spec/clients.md). */
export const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'lm-studio', 'codex'] as const;
export type ClientName = (typeof CLIENTS)[number];

export const PACKAGE = '@planexe/local-proxy';
const KEY_PLACEHOLDER = '<your pex_… key from https://home.planexe.org/>';

/** How an MCP client starts the proxy. */
export interface Launch {
  command: string;
  args: string[];
}

/** The published form: npx fetches the package from the npm registry. */
export const NPX_LAUNCH: Launch = { command: 'npx', args: ['-y', PACKAGE] };

/** This installation's own command file (bin/ beside src/ in a checkout, beside dist/ in the package). */
export const OWN_BIN = fileURLToPath(new URL('../bin/planexe-local-proxy.mjs', import.meta.url));

/**
 * The command that starts the proxy that is running now: `npx -y @planexe/local-proxy` when npx started it
 * (its copy lives in npx's cache, which may be cleaned), else this node and this installation's bin file —
 * which works from a clone and from a tarball before anything is published.
 */
export function currentLaunch(bin = OWN_BIN, node = process.execPath): Launch {
  return bin.includes(`${sep}_npx${sep}`) ? NPX_LAUNCH : { command: node, args: [bin] };
}

interface Setup {
  url: string;
  path?: string;
  launch: Launch;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * One client's snippet. API keys are never printed: placeholders or the client's own secret mechanism. A server
 * on this machine gets no key at all: with authentication off (the `npm start` default) it refuses every key
 * but a user key from its own database, and a fresh one has none.
 */
export function configSnippet(client: ClientName, s: Setup): string {
  const { command, args } = s.launch;
  const withKey = !isLoopbackUrl(s.url);
  const env = (key: string) => ({
    PLANEXE_URL: s.url,
    ...(withKey ? { PLANEXE_MCP_API_KEY: key } : {}),
    ...(s.path ? { PLANEXE_PATH: s.path } : {}),
  });
  switch (client) {
    case 'claude-desktop':
      return (
        '# Claude Desktop — claude_desktop_config.json (macOS ~/Library/Application Support/Claude/, Windows %APPDATA%\\Claude\\, Linux ~/.config/Claude/)\n' +
        json({ mcpServers: { planexe: { command, args, env: env(KEY_PLACEHOLDER) } } })
      );
    case 'claude-code':
      return (
        `# Claude Code — .mcp.json in the project${withKey ? ' (the key is read from your shell environment: export PLANEXE_MCP_API_KEY=…)' : ''}\n` +
        json({ mcpServers: { planexe: { type: 'stdio', command, args, env: env('${PLANEXE_MCP_API_KEY}') } } })
      );
    case 'cursor':
      return '# Cursor — ~/.cursor/mcp.json or .cursor/mcp.json\n' + json({ mcpServers: { planexe: { command, args, env: env('${env:PLANEXE_MCP_API_KEY}') } } });
    case 'vscode':
      return (
        `# VS Code — .vscode/mcp.json${withKey ? ' (asks for the key once and stores it as a secret)' : ''}\n` +
        json({
          servers: { planexe: { type: 'stdio', command, args, env: env('${input:planexe-key}') } },
          ...(withKey ? { inputs: [{ type: 'promptString', id: 'planexe-key', password: true, description: 'PlanExe API key' }] } : {}),
        })
      );
    case 'lm-studio':
      return '# LM Studio — Program → Install → Edit mcp.json\n' + json({ mcpServers: { planexe: { command, args, env: env(KEY_PLACEHOLDER) } } });
    case 'codex': {
      const lines = [
        '# Codex CLI — ~/.codex/config.toml',
        '[mcp_servers.planexe]',
        `command = ${JSON.stringify(command)}`,
        `args = ${JSON.stringify(args)}`,
        '',
        '[mcp_servers.planexe.env]',
        ...Object.entries(env(KEY_PLACEHOLDER)).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
      ];
      return lines.join('\n');
    }
  }
}

/** Every snippet (or one), for the command that runs now, with the other way to start the proxy in a note. */
export function printConfig(which: string | undefined, s: Setup): { text: string; ok: boolean } {
  if (which && !(CLIENTS as readonly string[]).includes(which)) return { text: `unknown client "${which}"; one of: ${CLIENTS.join(', ')}\n`, ok: false };
  const list = which ? [which as ClientName] : [...CLIENTS];
  const viaNpx = s.launch.command === NPX_LAUNCH.command;
  const notes = [
    '# PlanExe local proxy: MCP client configuration',
    `# Server: ${s.url}` + (isLoopbackUrl(s.url)
      ? ' (this machine: no key; `npm start` has authentication off and refuses keys it has not issued. If you turned it on, add PLANEXE_MCP_API_KEY to env.)'
      : ' (set PLANEXE_URL to use another). Keys go in the environment (PLANEXE_MCP_API_KEY), never on a command line.'),
    viaNpx
      ? '# From a clone of the repository instead: "command": "node", "args": ["<clone>/services/local-proxy/bin/planexe-local-proxy.mjs"].'
      : `# This runs the copy at ${s.launch.args[0]}. Once ${PACKAGE} is published to npm, "command": "npx", "args": ["-y", "${PACKAGE}"] works anywhere.`,
    '',
  ];
  return { text: notes.join('\n') + list.map((c) => configSnippet(c, s)).join('\n\n') + '\n', ok: true };
}
