/**
 * plan_status throughput and latency at 64 connections: REST and MCP tools/call on a real plan row of the standalone
 * app (rate limits off) on both protocol revisions, beside a minimal Koa anchor, a plain per-request SDK v1 server
 * anchor and a plain SDK v2 `createMcpHandler` anchor (2026-07-28). Each server runs in
 * its own process for the whole benchmark; autocannon drives them from this one in interleaved rounds (Koa, REST,
 * MCP, SDK, Koa, …) and every ratio is the median of the per-round ratios. Every response is checked (kit.ts): one
 * failed, non-2xx, JSON-RPC error or isError answer fails the benchmark and prints no figure.
 *   npm run bench:tools [-- --quick]      (BENCH_SECONDS, BENCH_ROUNDS override)
 * Goals: rest-vs-koa, mcp-vs-koa-2025 (MCP-Protocol-Version 2025-11-25), mcp-vs-koa-2026 (2026-07-28).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchMain, goal, load, measuring, median, QUICK, startNode, verify } from '../../../scripts/bench/kit.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 10));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const CONNECTIONS = 64;
const SERVERS = fileURLToPath(new URL('./benchServers.ts', import.meta.url));

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
const MCP_2026_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'plan_status',
};
/** The 2026-07-28 per-request envelope a v2 client sends on every request (no initialize, no session). */
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
};
const REST_HEADERS = { 'content-type': 'application/json' };
const rest = (planId: string) => JSON.stringify({ tool: 'plan_status', arguments: { plan_id: planId } });
const mcp2026 = (planId: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'plan_status', arguments: { plan_id: planId }, _meta: ENVELOPE } });
const mcp = (planId: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'plan_status', arguments: { plan_id: planId } } });

/** CPU seconds a process has used (utime + stime from /proc; Linux, clock ticks of 10 ms). */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

interface Scenario {
  name: string;
  pid: number;
  port: number;
  path: string;
  body: string;
  headers: Record<string, string>;
  check: (b: string) => boolean;
  /** cpuUs: the server process's CPU per request, µs: what a request costs, whatever else shares the cores */
  runs: { rps: number; p50: number; p99: number; total: number; cpuUs: number }[];
}

benchMain('tools', async () => {
  const start = async (s: string) => {
    const { child, match } = await startNode(SERVERS, [s], /READY (\d+) (\S+)/);
    return { pid: child.pid!, port: Number(match[1]), planId: match[2] };
  };
  const [koa, planexe, sdk, sdk2] = [await start('koa'), await start('planexe'), await start('sdk'), await start('sdk2')];
  const scenario = (name: string, srv: { pid: number; port: number; planId: string }, path: string, body: (id: string) => string, headers: Record<string, string>, check: (b: string) => boolean): Scenario => ({
    name, pid: srv.pid, port: srv.port, path, body: body(srv.planId), headers, check, runs: [],
  });
  const scenarios = [
    scenario('anchor: Koa + @koa/router, same body/response size', koa, '/mcp/tools/call', rest, REST_HEADERS, verify.rest),
    scenario('PlanExe REST POST /mcp/tools/call plan_status', planexe, '/mcp/tools/call', rest, REST_HEADERS, verify.rest),
    scenario('PlanExe MCP tools/call plan_status (2025-11-25)', planexe, '/mcp', mcp, MCP_HEADERS, verify.mcp),
    scenario('PlanExe MCP tools/call plan_status (2026-07-28)', planexe, '/mcp', mcp2026, MCP_2026_HEADERS, verify.mcp),
    scenario('anchor: plain SDK v1, server+transport per request', sdk, '/mcp', mcp, MCP_HEADERS, verify.mcp),
    scenario('anchor: plain SDK v2 createMcpHandler (2026-07-28)', sdk2, '/mcp', mcp2026, MCP_2026_HEADERS, verify.mcp),
  ];
  const opts = (s: Scenario, duration: number) => ({ url: `http://127.0.0.1:${s.port}${s.path}`, method: 'POST' as const, headers: s.headers, body: s.body, connections: CONNECTIONS, duration });
  for (const s of scenarios) await load(`${s.name} (warm-up)`, opts(s, 2), s.check); // JIT, pools, caches

  const w = measuring();
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of scenarios) {
      const cpuBefore = cpuSeconds(s.pid);
      const r = await load(s.name, opts(s, SECONDS), s.check);
      const cpuUs = ((cpuSeconds(s.pid) - cpuBefore) * 1e6) / r.requests.total;
      s.runs.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, cpuUs });
    }
  }
  const loadMax = w.end();

  const [k, restRow, mcpRow, mcp2026Row, sdkRow, sdk2Row] = scenarios;
  const ratio = (a: Scenario, b: Scenario) => median(a.runs.map((r, i) => r.rps / b.runs[i].rps));
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  console.log(`\nplan_status, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s (medians; every response checked, 0 failed)\n`);
  console.log(`| ${pad('scenario', 52)} | ${pad('req/s', 8)} | ${pad('p50 ms', 6)} | ${pad('p99 ms', 6)} | server CPU µs/req | requests checked |`);
  console.log(`|${'-'.repeat(54)}|${'-'.repeat(10)}|${'-'.repeat(8)}|${'-'.repeat(8)}|-------------------|------------------|`);
  for (const s of scenarios) {
    const m = (f: (r: Scenario['runs'][number]) => number) => median(s.runs.map(f));
    console.log(`| ${pad(s.name, 52)} | ${pad(Math.round(m((r) => r.rps)), 8)} | ${pad(m((r) => r.p50), 6)} | ${pad(m((r) => r.p99), 6)} | ${pad(Math.round(m((r) => r.cpuUs)), 17)} | ${pad(s.runs.reduce((a, r) => a + r.total, 0), 16)} |`);
  }
  const restVsKoa = ratio(restRow, k);
  const mcpVsKoa = ratio(mcpRow, k);
  const mcpVsSdk = ratio(mcpRow, sdkRow);
  const mcp2026VsKoa = ratio(mcp2026Row, k);
  const mcp2026VsSdk2 = ratio(mcp2026Row, sdk2Row);
  console.log(`\nREST / Koa anchor = ${(restVsKoa * 100).toFixed(0)} % (per round: ${restRow.runs.map((r, i) => ((100 * r.rps) / k.runs[i].rps).toFixed(0)).join(', ')})`);
  console.log(`MCP / Koa anchor = ${(mcpVsKoa * 100).toFixed(0)} % (per round: ${mcpRow.runs.map((r, i) => ((100 * r.rps) / k.runs[i].rps).toFixed(0)).join(', ')})`);
  console.log(`MCP 2026-07-28 / Koa anchor = ${(mcp2026VsKoa * 100).toFixed(0)} % (per round: ${mcp2026Row.runs.map((r, i) => ((100 * r.rps) / k.runs[i].rps).toFixed(0)).join(', ')})`);
  console.log(`MCP 2025 / plain per-request SDK v1 anchor = ${mcpVsSdk.toFixed(2)}x; MCP 2026 / plain SDK v2 anchor = ${mcp2026VsSdk2.toFixed(2)}x`);
  // CPU per request does not depend on who else used the cores: the ratio a quiet machine's throughput would show
  const cpuRatio = (a: Scenario, b: Scenario) => median(a.runs.map((r, i) => b.runs[i].cpuUs / r.cpuUs));
  console.log(
    `by server CPU per request (Koa anchor's / this one's): REST ${(cpuRatio(restRow, k) * 100).toFixed(0)} %, MCP 2025 ${(cpuRatio(mcpRow, k) * 100).toFixed(0)} %, ` +
      `MCP 2026 ${(cpuRatio(mcp2026Row, k) * 100).toFixed(0)} %, SDK v1 anchor ${(cpuRatio(sdkRow, k) * 100).toFixed(0)} %, SDK v2 anchor ${(cpuRatio(sdk2Row, k) * 100).toFixed(0)} %`,
  );
  console.log(`1-minute load average during the rounds: max ${loadMax.toFixed(2)}`);
  goal('rest-vs-koa', restVsKoa, loadMax);
  goal('mcp-vs-koa-2025', mcpVsKoa, loadMax);
  goal('mcp-vs-koa-2026', mcp2026VsKoa, loadMax);
});
