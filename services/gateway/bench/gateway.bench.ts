/**
 * What the gateway costs: REST plan_status through the gateway (auth on with a user key, rate limits on Redis with
 * a budget no run can reach, one proxy hop) against the same call made directly on the tools service (with the
 * headers the gateway would send), at 64 connections, and one request at a time. Beside them: an anchor — a bare
 * node:http proxy hop — for the floor any hop costs here, and (full run only) the gateway on the in-memory limiter.
 * Every server runs in its own process for the whole benchmark; rounds are interleaved (direct, gateway, hop, …) and
 * each ratio is the median of the per-round ratios. CPU µs per request of each server process come from /proc.
 * Every response is checked (kit.ts): any failure prints no figure and exits non-zero.
 * Needs Postgres and Redis on loopback (libs/testing/src/infra.ts).
 *   npm run bench:gateway [-- --quick]      (BENCH_SECONDS, BENCH_ROUNDS override)
 *   BENCH_CPU_PROF=<dir>: the gateway runs under --cpu-prof and writes its profile there when the rounds end
 *   (read the top frames with `tsx scripts/bench/topFrames.ts <dir>/*.cpuprofile`).
 * Goals: gateway-vs-direct, gateway-cpu-vs-hop, gateway-added-p50.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CALLER_HEADER, INTERNAL_SECRET_HEADER, encodeCaller, issueApiKey } from '@planexe/auth';
import { createUser, insertPlan } from '@planexe/db';
import { createTestPostgresDb, REDIS_URL } from '@planexe/testing/infra';
import { benchMain, expectOk, goal, load, measuring, median, percentile, QUICK, startNode, stopChild, verify } from '../../../scripts/bench/kit.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 10));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const SERIAL = QUICK ? 500 : 2000;
const CONNECTIONS = 64;
const SERVERS = fileURLToPath(new URL('./benchServers.ts', import.meta.url));
const SECRETS = { PLANEXE_API_KEY_SECRET: 'bench-key-secret', PLANEXE_INTERNAL_SECRET: 'bench-internal-secret' };

/** utime + stime of a process in µs (Linux /proc). */
function cpuMicros(pid: number | undefined): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks (USER_HZ = 100)
}

interface Scenario {
  name: string;
  port: number;
  headers: Record<string, string>;
  /** the proxy process in front of the tools service, if any */
  proxy?: ChildProcess;
  runs: { rps: number; p50: number; p99: number; total: number; serialP50: number; serialP99: number; toolsCpuUs: number; proxyCpuUs?: number }[];
}

benchMain('gateway', async () => {
  const dbh = await createTestPostgresDb();
  try {
    const user = await createUser(dbh.db, { email: 'bench@example.com', credits: 10 });
    const { key, row } = await issueApiKey(dbh.db, user.id, SECRETS.PLANEXE_API_KEY_SECRET, 'bench');
    const plan = await insertPlan(dbh.db, { prompt: 'Benchmark plan', userId: user.id, apiKeyId: row.id, parameters: { model_profile: 'baseline' } });
    const body = JSON.stringify({ tool: 'plan_status', arguments: { plan_id: plan.id } });
    const baseEnv = {
      ...process.env,
      ...SECRETS,
      BENCH_DATABASE_URL: dbh.url,
      PLANEXE_LOG_LEVEL: 'silent',
      PLANEXE_MCP_REQUIRE_AUTH: 'true',
      PLANEXE_REDIS_URL: REDIS_URL,
      PLANEXE_REDIS_PREFIX: `plxbench-${randomBytes(4).toString('hex')}`,
      // the limiter runs on every request (that is what is measured) with a budget no run can spend
      PLANEXE_MCP_RATE_LIMIT: '1000000000',
      PLANEXE_MCP_RATE_WINDOW_SECONDS: '60',
    };
    const start = async (scenario: string, env: NodeJS.ProcessEnv) => {
      const { child, match } = await startNode(SERVERS, [scenario], /READY (\d+)/, { env });
      return { child, port: Number(match[1]) };
    };
    const tools = await start('tools', baseEnv);
    const direct = { [INTERNAL_SECRET_HEADER]: SECRETS.PLANEXE_INTERNAL_SECRET, [CALLER_HEADER]: encodeCaller({ kind: 'user', owner: user.id, userId: user.id, apiKeyId: row.id, user: null }) };
    const gwEnv = { ...baseEnv, BENCH_TOOLS_URL: `http://127.0.0.1:${tools.port}` };
    const prof = process.env.BENCH_CPU_PROF;
    const gateway = prof
      ? await (async () => {
          const { child, match } = await startNode(SERVERS, ['gateway'], /READY (\d+)/, { env: gwEnv, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] });
          return { child, port: Number(match[1]) };
        })()
      : await start('gateway', gwEnv);
    const hop = await start('anchor', { ...gwEnv, BENCH_CALLER: direct[CALLER_HEADER] });
    const scenarios: Scenario[] = [
      { name: 'direct: tools service (internal secret + caller headers)', port: tools.port, headers: direct, runs: [] },
      { name: 'gateway: user key, Redis limiter, proxy hop', port: gateway.port, headers: { 'x-api-key': key }, proxy: gateway.child, runs: [] },
      { name: 'anchor: bare node:http proxy hop (no edge, no Koa)', port: hop.port, headers: { 'x-api-key': key }, proxy: hop.child, runs: [] },
    ];
    if (!QUICK) {
      const memory = await start('gateway', { ...gwEnv, BENCH_LIMITER: 'memory' });
      scenarios.push({ name: 'gateway: user key, in-memory limiter (breakdown)', port: memory.port, headers: { 'x-api-key': key }, proxy: memory.child, runs: [] });
    }

    /** p50/p99 (ms) of requests sent one after another on one keep-alive connection: what a hop adds without queueing. */
    async function serialLatency(s: Scenario, n: number): Promise<{ p50: number; p99: number }> {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const once = () =>
        new Promise<number>((resolve, reject) => {
          const t0 = process.hrtime.bigint();
          const req = http.request(
            { host: '127.0.0.1', port: s.port, path: '/mcp/tools/call', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...s.headers } },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (text += c));
              res.on('end', () => {
                const ms = Number(process.hrtime.bigint() - t0) / 1e6;
                try {
                  expectOk(`${s.name} (one at a time)`, res.statusCode, text, verify.rest);
                  resolve(ms);
                } catch (e) {
                  reject(e);
                }
              });
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      try {
        for (let i = 0; i < 100; i++) await once(); // warm-up
        const times: number[] = [];
        for (let i = 0; i < n; i++) times.push(await once());
        return { p50: percentile(times, 50), p99: percentile(times, 99) };
      } finally {
        agent.destroy();
      }
    }

    const opts = (s: Scenario, duration: number) => ({ url: `http://127.0.0.1:${s.port}/mcp/tools/call`, method: 'POST' as const, headers: { 'content-type': 'application/json', ...s.headers }, body, connections: CONNECTIONS, duration });
    for (const s of scenarios) await load(`${s.name} (warm-up)`, opts(s, 2), verify.rest); // JIT, pools, key cache

    const w = measuring();
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        const before = [cpuMicros(tools.child.pid), s.proxy ? cpuMicros(s.proxy.pid) : 0];
        const r = await load(s.name, opts(s, SECONDS), verify.rest);
        const after = [cpuMicros(tools.child.pid), s.proxy ? cpuMicros(s.proxy.pid) : 0];
        const serial = await serialLatency(s, SERIAL);
        s.runs.push({
          rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, serialP50: serial.p50, serialP99: serial.p99,
          toolsCpuUs: (after[0] - before[0]) / r.requests.total,
          proxyCpuUs: s.proxy ? (after[1] - before[1]) / r.requests.total : undefined,
        });
      }
    }
    const loadMax = w.end();
    if (prof) await stopChild(gateway.child); // SIGTERM: the process exits and writes its profile

    const pad = (s: string | number, n: number) => String(s).padEnd(n);
    console.log(`\nREST plan_status, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s + ${SERIAL} requests one at a time (medians; every response checked, 0 failed)\n`);
    console.log(`| ${pad('scenario', 56)} | ${pad('req/s', 8)} | ${pad('p50 ms', 6)} | ${pad('p99 ms', 6)} | 1-conn p50/p99 ms | CPU µs/req tools | CPU µs/req proxy | checked |`);
    console.log(`|${'-'.repeat(58)}|${'-'.repeat(10)}|${'-'.repeat(8)}|${'-'.repeat(8)}|-------------------|------------------|------------------|---------|`);
    for (const s of scenarios) {
      const m = (f: (r: Scenario['runs'][number]) => number) => median(s.runs.map(f));
      const proxy = s.proxy ? Math.round(m((r) => r.proxyCpuUs!)) : '-';
      console.log(
        `| ${pad(s.name, 56)} | ${pad(Math.round(m((r) => r.rps)), 8)} | ${pad(m((r) => r.p50), 6)} | ${pad(m((r) => r.p99), 6)} | ${pad(`${m((r) => r.serialP50).toFixed(2)} / ${m((r) => r.serialP99).toFixed(2)}`, 17)} | ${pad(Math.round(m((r) => r.toolsCpuUs)), 16)} | ${pad(proxy, 16)} | ${pad(s.runs.reduce((a, r) => a + r.total, 0) + ROUNDS * SERIAL, 7)} |`,
      );
    }
    const [d, g, h] = scenarios;
    const perRound = (f: (i: number) => number) => median(d.runs.map((_, i) => f(i)));
    const vsDirect = perRound((i) => g.runs[i].rps / d.runs[i].rps);
    const cpuVsHop = perRound((i) => g.runs[i].proxyCpuUs! / h.runs[i].proxyCpuUs!);
    const added = perRound((i) => g.runs[i].serialP50 - d.runs[i].serialP50);
    const hopAdded = perRound((i) => h.runs[i].serialP50 - d.runs[i].serialP50);
    console.log(`\ngateway / direct throughput = ${(vsDirect * 100).toFixed(0)} % (per round: ${g.runs.map((r, i) => ((100 * r.rps) / d.runs[i].rps).toFixed(0)).join(', ')})`);
    console.log(`gateway CPU per request / bare hop's = ${cpuVsHop.toFixed(2)}x (per round: ${g.runs.map((r, i) => (r.proxyCpuUs! / h.runs[i].proxyCpuUs!).toFixed(2)).join(', ')})`);
    console.log(`added p50 one request at a time: gateway ${added.toFixed(2)} ms, bare hop ${hopAdded.toFixed(2)} ms`);
    console.log(`1-minute load average during the rounds: max ${loadMax.toFixed(2)}`);
    goal('gateway-vs-direct', vsDirect, loadMax);
    goal('gateway-cpu-vs-hop', cpuVsHop, loadMax);
    goal('gateway-added-p50', added, loadMax);
  } finally {
    await dbh.close();
  }
});
