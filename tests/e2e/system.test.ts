import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { natsAvailable, postgresAvailable, redisAvailable } from '@planexe/testing/infra';
import { startSystem, type System } from '../harness/system.ts';
import { startOtlpReceiver } from '../harness/otlpReceiver.ts';
import { connectModernClient, payloadOf } from '../harness/testServer.ts';
import { runAgentFlow } from './agentFlowSteps.ts';

const ready = (await postgresAvailable()) && (await redisAvailable()) && (await natsAvailable());

describe.skipIf(!ready)('the distributed system: separate processes, two of everything', () => {
  let sys: System;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let client: Client;
  let rr: typeof fetch;
  let db: pg.Client;
  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    sys = await startSystem({ basePort: 9400, llmLatencyMs: 40, otlpEndpoint: otlp.url });
    // round-robin over both gateways, per request: no session affinity anywhere
    let n = 0;
    rr = (input, init) => {
      const u = new URL(String(input instanceof Request ? input.url : input));
      const target = new URL(sys.gateways[n++ % 2]);
      u.host = target.host;
      return fetch(u, init);
    };
    client = new Client({ name: 'system-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${sys.gateways[0]}/mcp`), { fetch: rr }));
    db = new pg.Client({ connectionString: sys.databaseUrl });
    await db.connect();
  }, 240_000);
  afterAll(async () => {
    await client?.close().catch(() => {});
    await db?.end().catch(() => {});
    await sys?.stop();
    await otlp?.close();
  });
  const call = async (name: string, args: Record<string, unknown> = {}) => payloadOf(await client.callTool({ name, arguments: args }));

  it('runs the agent flow across both gateways, streams through both stream replicas, survives a worker SIGKILL, and traces one plan end to end', async () => {
    expect((await client.listTools()).tools).toHaveLength(11);
    const created = await call('plan_create', { prompt: 'Open a community tool library in Aarhus with 400,000 DKK within nine months.' });
    const id = created.plan_id as string;

    const streams = sys.gateways.map((g) => {
      const es = new EventSource(`${g}/sse/plan/${id}`);
      const seen: string[] = [];
      const done = new Promise<string>((resolve) => {
        es.addEventListener('status', () => seen.push('status'));
        es.addEventListener('complete', (e) => {
          seen.push('complete');
          es.close();
          resolve(JSON.parse((e as MessageEvent).data).state);
        });
      });
      return { es, seen, done };
    });

    // kill the worker that runs the plan, mid-plan
    let victim: string | null = null;
    for (let i = 0; i < 300 && !victim; i++) {
      const r = await db.query('select claimed_by, (select count(*) from plan_files where plan_id = $1)::int as n from plans where id = $1', [id]);
      if (r.rows[0]?.claimed_by && r.rows[0].n >= 10) victim = r.rows[0].claimed_by;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(victim).toMatch(/^worker-/);
    sys.kill(victim!, 'SIGKILL');
    const persistedAtKill = (await db.query('select filename from plan_files where plan_id = $1', [id])).rows.map((r) => r.filename);

    let status: any;
    const t0 = Date.now();
    do {
      await new Promise((res) => setTimeout(res, 500));
      status = await call('plan_status', { plan_id: id });
      if (Date.now() - t0 > 120_000) throw new Error(`plan stuck: ${status.state} ${status.progress_percentage}`);
    } while (status.state !== 'completed');
    const row = (await db.query('select claimed_by from plans where id = $1', [id])).rows[0];
    expect(row.claimed_by).not.toBe(victim);
    // files persisted before the kill were not produced again
    const rewritten = (await db.query('select filename from plan_files where plan_id = $1 and updated_at > (select max(updated_at) from plan_files where plan_id = $1 and filename = any($2))', [id, persistedAtKill])).rows.map((r) => r.filename);
    for (const f of persistedAtKill) expect(rewritten).not.toContain(f);

    expect(await Promise.all(streams.map((s) => s.done))).toEqual(['completed', 'completed']);

    const info = await call('plan_file_info', { plan_id: id });
    const res = await fetch(info.download_url.replace(/^https?:\/\/[^/]+/, sys.gateways[1]));
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);

    // one trace spans gateway, tools, worker and stream
    let services = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const byTrace = new Map<string, Set<string>>();
      for (const s of otlp.spans) byTrace.set(s.traceId, (byTrace.get(s.traceId) ?? new Set()).add(s.service));
      services = [...byTrace.values()].reduce((best, cur) => (cur.size > best.size ? cur : best), new Set<string>());
      if (['planexe-gateway', 'planexe-tools', 'planexe-worker', 'planexe-stream'].every((x) => services.has(x))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...services].sort()).toEqual(expect.arrayContaining(['planexe-gateway', 'planexe-tools', 'planexe-worker', 'planexe-stream']));
  }, 240_000);

  it('an SDK v2 client speaking 2026-07-28 runs the agent flow through both gateways, round-robin per request', async () => {
    const modern = await connectModernClient(`${sys.gateways[0]}/mcp`, { fetch: rr });
    try {
      expect(modern.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      await runAgentFlow(modern, {
        prompt: `Open a community repair café in Aarhus within six months (2026-07-28) ${Date.now()}`,
        timeoutMs: 150_000,
        rebase: (url) => url.replace(/^https?:\/\/[^/]+/, sys.gateways[1]),
      });
    } finally {
      await modern.close();
    }
  }, 200_000);
});
