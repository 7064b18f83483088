import { fileURLToPath } from 'node:url';

/** Clients whose configuration `--print-config` knows (spec/clients.md). */
export const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'lm-studio', 'codex'] as const;
export type ClientName = (typeof CLIENTS)[number];

const PACKAGE = '@planexe/local-proxy';
const KEY_PLACEHOLDER = '<your pex_… key from https://home.planexe.org/>';

interface Setup {
  url: string;
  path?: string;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** One client's snippet. API keys are never printed: placeholders or the client's own secret mechanism. */
export function configSnippet(client: ClientName, s: Setup): string {
  const args = ['-y', PACKAGE];
  const env = (key: string) => ({ PLANEXE_URL: s.url, PLANEXE_MCP_API_KEY: key, ...(s.path ? { PLANEXE_PATH: s.path } : {}) });
  switch (client) {
    case 'claude-desktop':
      return (
        '# Claude Desktop — claude_desktop_config.json (macOS ~/Library/Application Support/Claude/, Windows %APPDATA%\\Claude\\, Linux ~/.config/Claude/)\n' +
        json({ mcpServers: { planexe: { command: 'npx', args, env: env(KEY_PLACEHOLDER) } } })
      );
    case 'claude-code':
      return (
        '# Claude Code — .mcp.json in the project (the key is read from your shell environment: export PLANEXE_MCP_API_KEY=…)\n' +
        json({ mcpServers: { planexe: { type: 'stdio', command: 'npx', args, env: env('${PLANEXE_MCP_API_KEY}') } } })
      );
    case 'cursor':
      return '# Cursor — ~/.cursor/mcp.json or .cursor/mcp.json\n' + json({ mcpServers: { planexe: { command: 'npx', args, env: env('${env:PLANEXE_MCP_API_KEY}') } } });
    case 'vscode':
      return (
        '# VS Code — .vscode/mcp.json (asks for the key once and stores it as a secret)\n' +
        json({
          servers: { planexe: { type: 'stdio', command: 'npx', args, env: env('${input:planexe-key}') } },
          inputs: [{ type: 'promptString', id: 'planexe-key', password: true, description: 'PlanExe API key' }],
        })
      );
    case 'lm-studio':
      return '# LM Studio — Program → Install → Edit mcp.json\n' + json({ mcpServers: { planexe: { command: 'npx', args, env: env(KEY_PLACEHOLDER) } } });
    case 'codex': {
      const lines = [
        '# Codex CLI — ~/.codex/config.toml',
        '[mcp_servers.planexe]',
        'command = "npx"',
        `args = ${JSON.stringify(args)}`,
        '',
        '[mcp_servers.planexe.env]',
        `PLANEXE_URL = ${JSON.stringify(s.url)}`,
        `PLANEXE_MCP_API_KEY = ${JSON.stringify(KEY_PLACEHOLDER)}`,
        ...(s.path ? [`PLANEXE_PATH = ${JSON.stringify(s.path)}`] : []),
      ];
      return lines.join('\n');
    }
  }
}

/** Every snippet (or one), with how to run a checkout instead of the published package. */
export function printConfig(which: string | undefined, s: Setup): { text: string; ok: boolean } {
  if (which && !(CLIENTS as readonly string[]).includes(which)) return { text: `unknown client "${which}"; one of: ${CLIENTS.join(', ')}\n`, ok: false };
  const list = which ? [which as ClientName] : [...CLIENTS];
  const bin = fileURLToPath(new URL('../bin/planexe-local-proxy.mjs', import.meta.url));
  const notes = [
    '# PlanExe local proxy: MCP client configuration',
    '# Keys go in the environment (PLANEXE_MCP_API_KEY), never on a command line.',
    `# From a source checkout instead of npm: command "node", args ["${bin}"].`,
    '',
  ];
  return { text: notes.join('\n') + list.map((c) => configSnippet(c, s)).join('\n\n') + '\n', ok: true };
}
