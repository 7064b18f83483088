/**
 * The k6 scenarios of deploy/k6, run locally with autocannon and eventsource (k6 is not installable here), against
 * the distributed system (`--target system`: 2 gateways, 2 tools, 2 streams, 1 artifacts, 2 workers as processes)
 * or the single-process standalone app (`--target standalone`). Prints one table; asserts nothing.
 *   npx tsx deploy/load/harness.ts --target system
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { EventSource } from 'eventsource';
import { startFakeLlm } from '@planexe/testing';
import { startSystem } from '../../tests/harness/system.ts';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';

const { values } = parseArgs({ options: { target: { type: 'string', default: 'system' }, agents: { type: 'string', default: '10' }, sse: { type: 'string', default: '500' }, seconds: { type: 'string', default: '10' } } });
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

async function target(): Promise<{ urls: string[]; stop: () => Promise<void> }> {
  if (values.target === 'system') {
    const sys = await startSystem({ basePort: 9600, llmLatencyMs: 20, extraEnv: { PLANEXE_SSE_MAX_CONNECTIONS: '100000', PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: '100000' } });
    return { urls: sys.gateways, stop: () => sys.stop() };
  }
  const fake = await startFakeLlm({ latencyMs: 20 });
  const cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
  const port = 9650;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/standalone/src/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, PORT: String(port), PLANEXE_DATA_DIR: mkdtempSync(join(tmpdir(), 'planexe-load-')), PLANEXE_CONFIG_PATH: cfg, FAKE_LLM_KEY: 'k', PLANEXE_MCP_RATE_LIMIT: '0', PLANEXE_LOG_LEVEL: 'warn', PLANEXE_SSE_MAX_CONNECTIONS: '100000', PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: '100000' },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (await fetch(`${url}/healthcheck`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { urls: [url], stop: async () => { child.kill('SIGTERM'); await fake.close(); } };
}

const call = async (base: string, tool: string, args: Record<string, unknown>) => {
  const t0 = performance.now();
  const res = await fetch(`${base}/mcp/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tool, arguments: args }) });
  const body = (await res.json()) as any;
  return { ms: performance.now() - t0, ok: res.ok && !body.error, payload: body.content?.[0]?.text ? JSON.parse(body.content[0].text) : null };
};

const t = await target();
const rows: string[][] = [];
try {
  // 1. agent flow
  const create: number[] = [];
  const status: number[] = [];
  let errors = 0;
  let completed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Number(values.agents) }, async (_, i) => {
      const base = t.urls[i % t.urls.length];
      const c = await call(base, 'plan_create', { prompt: `Load agent ${i} ${Date.now()}: a repair café in Utrecht with 20,000 EUR.` });
      create.push(c.ms);
      if (!c.ok) return void errors++;
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const s = await call(t.urls[(i + 1) % t.urls.length], 'plan_status', { plan_id: c.payload.plan_id });
        status.push(s.ms);
        if (!s.ok) errors++;
        if (s.payload?.state === 'completed') break;
        if (s.payload?.state === 'failed' || s.payload?.state === 'stopped') return void errors++;
      }
      const info = await call(base, 'plan_file_info', { plan_id: c.payload.plan_id });
      const dl = await fetch(info.payload.download_url.replace(/^https?:\/\/[^/]+/, base));
      const bytes = (await dl.arrayBuffer()).byteLength;
      if (dl.ok && bytes === info.payload.download_size) completed++;
      else errors++;
    }),
  );
  rows.push(['agent flow', `${values.agents} agents, ${completed} completed in ${((performance.now() - t0) / 1000).toFixed(1)} s`, `create p50/p99 ${pct(create, 50).toFixed(0)}/${pct(create, 99).toFixed(0)} ms; status p50/p99 ${pct(status, 50).toFixed(0)}/${pct(status, 99).toFixed(0)} ms`, String(errors)]);

  // 2. status polling at 64 connections
  const probe = await call(t.urls[0], 'plan_create', { prompt: `Polling target ${Date.now()}: a bakery in Porto.` });
  const results = await Promise.all(
    t.urls.map((u) =>
      autocannon({ url: `${u}/mcp/tools/call`, method: 'POST', connections: Math.round(64 / t.urls.length), duration: Number(values.seconds), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tool: 'plan_status', arguments: { plan_id: probe.payload.plan_id } }) }),
    ),
  );
  const rps = results.reduce((s, r) => s + r.requests.average, 0);
  rows.push(['status polling', `${Math.round(rps)} req/s (64 connections over ${t.urls.length} gateway(s))`, `p50/p99 ${Math.max(...results.map((r) => r.latency.p50))}/${Math.max(...results.map((r) => r.latency.p99))} ms`, String(results.reduce((s, r) => s + r.errors + r.non2xx, 0))]);

  // 3. SSE fan-out on one plan until complete
  const plan = await call(t.urls[0], 'plan_create', { prompt: `SSE fan-out ${Date.now()}: a neighbourhood festival in Ghent.` });
  const first: number[] = [];
  let complete = 0;
  let sseErrors = 0;
  const n = Number(values.sse);
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<void>((resolve) => {
        const started = performance.now();
        const es = new EventSource(`${t.urls[i % t.urls.length]}/sse/plan/${plan.payload.plan_id}`);
        let got = false;
        const mark = () => {
          if (!got) first.push(performance.now() - started);
          got = true;
        };
        es.addEventListener('status', mark);
        es.addEventListener('complete', () => {
          mark();
          complete++;
          es.close();
          resolve();
        });
        es.addEventListener('error', () => {
          sseErrors++;
          es.close();
          resolve();
        });
        setTimeout(() => (es.close(), resolve()), 180_000).unref();
      }),
    ),
  );
  rows.push(['SSE fan-out', `${n} connections held, ${complete} saw complete (${((performance.now() - t1) / 1000).toFixed(1)} s)`, `first event p50/p99 ${pct(first, 50).toFixed(0)}/${pct(first, 99).toFixed(0)} ms`, String(sseErrors)]);
} finally {
  await t.stop();
}
console.log(`\nLocal load harness — target: ${values.target} (node ${process.version})\n`);
console.log('| scenario | volume | latency | errors |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
process.exit(0);
