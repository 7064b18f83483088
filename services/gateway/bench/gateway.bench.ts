/**
 * What the gateway costs: REST plan_status through the gateway (auth on with a user key, rate limits on Redis with
 * a limit no run reaches, one proxy hop) against the same call made directly on the tools service (with the headers
 * the gateway would send), at 64 connections. Every server runs in its own process; autocannon drives them from this
 * one. Beside them: the same gateway on the in-memory limiter, and an anchor — a bare node:http proxy hop — for the
 * floor any hop costs here. CPU µs per request of each server process are read from /proc (steadier than req/s on a
 * shared machine). Prints a table; asserts nothing. Needs Postgres and Redis on loopback (libs/testing/src/infra.ts).
 *   npx tsx services/gateway/bench/gateway.bench.ts [seconds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { CALLER_HEADER, INTERNAL_SECRET_HEADER, encodeCaller, issueApiKey } from '@planexe/auth';
import { createUser, insertPlan } from '@planexe/db';
import { createTestPostgresDb, REDIS_URL } from '@planexe/testing/infra';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 64;
const here = fileURLToPath(new URL('.', import.meta.url));
const SECRETS = { PLANEXE_API_KEY_SECRET: 'bench-key-secret', PLANEXE_INTERNAL_SECRET: 'bench-internal-secret' };

const dbh = await createTestPostgresDb();
const user = await createUser(dbh.db, { email: 'bench@example.com', credits: 10 });
const { key, row } = await issueApiKey(dbh.db, user.id, SECRETS.PLANEXE_API_KEY_SECRET, 'bench');
const plan = await insertPlan(dbh.db, { prompt: 'Benchmark plan', userId: user.id, apiKeyId: row.id, parameters: { model_profile: 'baseline' } });
const baseEnv = {
  ...process.env,
  ...SECRETS,
  BENCH_DATABASE_URL: dbh.url,
  PLANEXE_LOG_LEVEL: 'silent',
  PLANEXE_MCP_REQUIRE_AUTH: 'true',
  PLANEXE_REDIS_URL: REDIS_URL,
  PLANEXE_REDIS_PREFIX: `plxbench-${randomBytes(4).toString('hex')}`,
  PLANEXE_MCP_RATE_LIMIT: '1000000000',
  PLANEXE_MCP_RATE_WINDOW_SECONDS: '60',
};
const children: ChildProcess[] = [];

function startServer(scenario: string, env: Record<string, string | undefined>): Promise<[number, ChildProcess]> {
  const child = spawn(process.execPath, ['--import', 'tsx', `${here}benchServers.ts`, scenario], { stdio: ['ignore', 'pipe', 'inherit'], env });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /READY (\d+)/.exec(buf);
      if (m) resolve([Number(m[1]), child]);
    });
    child.on('exit', (c) => reject(new Error(`${scenario} server exited ${c}`)));
  });
}

/**
 * p50/p99 (ms, µs precision) of `n` requests sent one after another on one keep-alive connection: the latency a hop
 * adds by itself, without the queueing that 64 connections on a busy machine add on top.
 */
async function serialLatency(port: number, headers: Record<string, string>, n = 2000): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ tool: 'plan_status', arguments: { plan_id: plan.id } });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ host: '127.0.0.1', port, path: '/mcp/tools/call', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
      });
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 200; i++) await once(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await once());
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n * 0.5)], p99: times[Math.floor(n * 0.99)] };
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  serial?: { p50: number; p99: number };
  /** CPU time per request (µs) of the tools and the gateway process; load on a shared machine moves it less than req/s. */
  toolsCpuUs?: number;
  gatewayCpuUs?: number;
}

/** utime + stime of a process in µs (Linux /proc; undefined elsewhere). */
function cpuMicros(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

let toolsProcess: ChildProcess | undefined;

async function run(name: string, port: number, headers: Record<string, string>, gateway?: ChildProcess): Promise<Row> {
  const opts = {
    url: `http://127.0.0.1:${port}/mcp/tools/call`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ tool: 'plan_status', arguments: { plan_id: plan.id } }),
    connections: CONNECTIONS,
  };
  await autocannon({ ...opts, duration: 2 }); // warm-up (JIT, pools, key cache)
  const serial = await serialLatency(port, headers);
  const before = [cpuMicros(toolsProcess?.pid), cpuMicros(gateway?.pid)];
  const r = await autocannon({ ...opts, duration: SECONDS });
  const after = [cpuMicros(toolsProcess?.pid), cpuMicros(gateway?.pid)];
  const per = (i: number) => (before[i] !== undefined && after[i] !== undefined ? (after[i]! - before[i]!) / r.requests.total : undefined);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, serial, toolsCpuUs: per(0), gatewayCpuUs: per(1) };
}

const rows: Row[] = [];
try {
  const [toolsPort, tools] = await startServer('tools', baseEnv);
  toolsProcess = tools;
  const direct = { [INTERNAL_SECRET_HEADER]: SECRETS.PLANEXE_INTERNAL_SECRET, [CALLER_HEADER]: encodeCaller({ kind: 'user', owner: user.id, userId: user.id, apiKeyId: row.id, user: null }) };
  rows.push(await run('direct: tools service (internal secret + caller headers)', toolsPort, direct));
  const gwEnv = { ...baseEnv, BENCH_TOOLS_URL: `http://127.0.0.1:${toolsPort}` };
  const [gatewayPort, gateway] = await startServer('gateway', gwEnv);
  rows.push(await run('gateway: user key, Redis limiter, proxy hop', gatewayPort, { 'x-api-key': key }, gateway));
  gateway.kill('SIGKILL');
  const [memoryPort, memory] = await startServer('gateway', { ...gwEnv, BENCH_LIMITER: 'memory' });
  rows.push(await run('gateway: user key, in-memory limiter (breakdown)', memoryPort, { 'x-api-key': key }, memory));
  memory.kill('SIGKILL');
  const [anchorPort, anchor] = await startServer('anchor', { ...gwEnv, BENCH_CALLER: direct[CALLER_HEADER] });
  rows.push(await run('anchor: bare node:http proxy hop (no edge, no Koa)', anchorPort, { 'x-api-key': key }, anchor));
} finally {
  for (const c of children) c.kill('SIGKILL');
  await dbh.close();
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
console.log(`\nREST plan_status, ${CONNECTIONS} connections, ${SECONDS} s each (node ${process.version})\n`);
console.log(`| ${pad('scenario', 56)} | ${pad('req/s', 8)} | ${pad('p50 ms', 6)} | ${pad('p99 ms', 6)} | errors | 1-conn p50/p99 ms | CPU µs/req tools | CPU µs/req gateway |`);
console.log(`|${'-'.repeat(58)}|${'-'.repeat(10)}|${'-'.repeat(8)}|${'-'.repeat(8)}|--------|-------------------|------------------|--------------------|`);
const us = (v: number | undefined) => (v === undefined ? '-' : Math.round(v));
for (const r of rows) {
  const serial = r.serial ? `${r.serial.p50.toFixed(2)} / ${r.serial.p99.toFixed(2)}` : '-';
  console.log(`| ${pad(r.name, 56)} | ${pad(Math.round(r.rps), 8)} | ${pad(r.p50, 6)} | ${pad(r.p99, 6)} | ${pad(r.errors, 6)} | ${pad(serial, 17)} | ${pad(us(r.toolsCpuUs), 16)} | ${pad(us(r.gatewayCpuUs), 18)} |`);
}
const [direct, viaGateway] = rows;
console.log(`\ngateway / direct throughput = ${((viaGateway.rps / direct.rps) * 100).toFixed(0)} % (goal >= 40 %)`);
console.log(`added p50 = ${(viaGateway.p50 - direct.p50).toFixed(1)} ms (goal <= 2 ms), added p99 = ${(viaGateway.p99 - direct.p99).toFixed(1)} ms at ${CONNECTIONS} connections`);
if (direct.serial && viaGateway.serial) {
  console.log(`added p50 = ${(viaGateway.serial.p50 - direct.serial.p50).toFixed(2)} ms, added p99 = ${(viaGateway.serial.p99 - direct.serial.p99).toFixed(2)} ms one request at a time`);
}
