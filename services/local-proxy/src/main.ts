import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { MCP_PATH, urls } from '@planexe/contracts';
import catalog from './cloudCatalog.json' with { type: 'json' };
import { CloudClient } from './cloudClient.ts';
import { DEFAULT_URL, isLoopbackUrl, normaliseCloudUrl } from './cloudUrl.ts';
import { currentLaunch, printConfig } from './printConfig.ts';
import { createProxyServerFactory } from './proxyServer.ts';

const HELP = `planexe-local-proxy — PlanExe as a local (stdio) MCP server, with plan_download

Usage:
  planexe-local-proxy                      run the MCP server on stdin/stdout (what MCP clients start)
  planexe-local-proxy --print-config [client]
                                           print configuration for ${'claude-desktop, claude-code, cursor, vscode, lm-studio, codex'}
  planexe-local-proxy --help | --version

Environment:
  PLANEXE_URL           PlanExe server, e.g. ${urls.mcp('https://mcp.planexe.org')} (normalised to end in ${MCP_PATH});
                        default ${DEFAULT_URL}, the local server of \`npm start\`
  PLANEXE_MCP_API_KEY   your API key (sent as X-API-Key to that server only; never pass it as an argument);
                        leave it unset for a server with authentication off (it refuses keys it has not issued)
  PLANEXE_PATH          where plan_download saves files (default: the working directory)
  PLANEXE_LOG_LEVEL     info (default) | warn | silent; logs go to stderr
`;

type Env = Record<string, string | undefined>;

function stderrLogger(level: string | undefined) {
  const min = level === 'silent' ? 3 : level === 'warn' || level === 'error' ? 2 : 1;
  return (lvl: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}) => {
    if ((lvl === 'warn' ? 2 : 1) < min) return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: lvl, service: 'planexe-local-proxy', msg, ...fields }) + '\n');
  };
}

/** The CLI. Returns the exit code; in server mode resolves when stdin closes. */
export async function runLocalProxy(argv: string[], env: Env): Promise<number> {
  if (argv.some((a) => /key|token|secret/i.test(a))) {
    process.stderr.write('planexe-local-proxy: secrets are read from the environment only (PLANEXE_MCP_API_KEY): command lines show in process lists.\n');
    return 2;
  }
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`${catalog.serverVersion}\n`);
    return 0;
  }
  let urls;
  try {
    urls = normaliseCloudUrl(env.PLANEXE_URL);
  } catch (e) {
    process.stderr.write(`planexe-local-proxy: ${(e as Error).message}\n`);
    return 2;
  }
  if (argv[0] === '--print-config') {
    const out = printConfig(argv[1], { url: urls.mcp, path: env.PLANEXE_PATH, launch: currentLaunch() });
    (out.ok ? process.stdout : process.stderr).write(out.text);
    return out.ok ? 0 : 2;
  }
  if (argv.length) {
    process.stderr.write(`planexe-local-proxy: unknown arguments: ${argv.join(' ')}\n\n${HELP}`);
    return 2;
  }
  const log = stderrLogger(env.PLANEXE_LOG_LEVEL);
  if (!env.PLANEXE_URL?.trim()) log('info', `PLANEXE_URL is not set: using the local server ${DEFAULT_URL}`);
  // a server on this machine (`npm start`) has authentication off by default: no key is the normal case there
  if (!env.PLANEXE_MCP_API_KEY && !isLoopbackUrl(urls.mcp)) log('warn', 'PLANEXE_MCP_API_KEY is not set: only the open tools will work on a server that requires keys');
  const client = new CloudClient({ urls, apiKey: env.PLANEXE_MCP_API_KEY?.trim() || undefined });
  const closed = new Promise<void>((resolve) => process.stdin.once('end', () => resolve()));
  const handle = serveStdio(createProxyServerFactory({ client, planexePath: env.PLANEXE_PATH, log }), {
    onerror: (err) => log('warn', 'stdio transport error', { err: err.message }),
  });
  log('info', 'planexe local proxy ready', { url: urls.mcp, key: env.PLANEXE_MCP_API_KEY ? 'set' : 'unset' });
  await closed;
  await handle.close().catch(() => {});
  return 0;
}
