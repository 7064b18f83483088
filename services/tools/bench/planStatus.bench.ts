/**
 * plan_status throughput and latency at 64 connections: REST and MCP tools/call on a real plan row, beside a
 * minimal Koa anchor and a plain per-request SDK server anchor. Each server runs in its own process; autocannon
 * drives it from this one. Prints a table; asserts nothing.
 *   npx tsx services/tools/bench/planStatus.bench.ts [seconds]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 64;
const here = fileURLToPath(new URL('.', import.meta.url));

async function startServer(scenario: string): Promise<{ port: number; planId: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `${here}benchServers.ts`, scenario], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /READY (\d+) (\S+)/.exec(buf);
      if (m) resolve({ port: Number(m[1]), planId: m[2], stop: () => child.kill('SIGKILL') });
    });
    child.on('exit', (c) => reject(new Error(`${scenario} server exited ${c}`)));
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rest = (planId: string) => JSON.stringify({ tool: 'plan_status', arguments: { plan_id: planId } });
const mcp = (planId: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'plan_status', arguments: { plan_id: planId } } });

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function run(name: string, scenario: string, path: string, body: (id: string) => string, headers: Record<string, string>): Promise<Row> {
  const s = await startServer(scenario);
  try {
    const opts = { url: `http://127.0.0.1:${s.port}${path}`, method: 'POST' as const, headers, body: body(s.planId), connections: CONNECTIONS };
    await autocannon({ ...opts, duration: 2 }); // warm-up
    const r = await autocannon({ ...opts, duration: SECONDS });
    return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
  } finally {
    s.stop();
  }
}

const rows: Row[] = [];
rows.push(await run('anchor: Koa + @koa/router, same body/response size', 'koa', '/mcp/tools/call', rest, { 'content-type': 'application/json' }));
rows.push(await run('PlanExe REST POST /mcp/tools/call plan_status', 'planexe', '/mcp/tools/call', rest, { 'content-type': 'application/json' }));
rows.push(await run('anchor: plain SDK, new server+transport per request', 'sdk', '/mcp', mcp, MCP_HEADERS));
rows.push(await run('PlanExe MCP tools/call plan_status', 'planexe', '/mcp', mcp, MCP_HEADERS));

const pad = (s: string | number, n: number) => String(s).padEnd(n);
console.log(`\nplan_status, ${CONNECTIONS} connections, ${SECONDS} s each (node ${process.version})\n`);
console.log(`| ${pad('scenario', 52)} | ${pad('req/s', 8)} | ${pad('p50 ms', 6)} | ${pad('p99 ms', 6)} | errors |`);
console.log(`|${'-'.repeat(54)}|${'-'.repeat(10)}|${'-'.repeat(8)}|${'-'.repeat(8)}|--------|`);
for (const r of rows) console.log(`| ${pad(r.name, 52)} | ${pad(Math.round(r.rps), 8)} | ${pad(r.p50, 6)} | ${pad(r.p99, 6)} | ${r.errors} |`);
const [koa, restRow, sdk, mcpRow] = rows;
console.log(`\nREST / Koa anchor = ${((restRow.rps / koa.rps) * 100).toFixed(0)} % (goal >= 50 %)`);
console.log(`MCP / plain-SDK anchor = ${(mcpRow.rps / sdk.rps).toFixed(1)}x (goal >= 3x)`);
