/**
 * Read latency against the size of the plans table: the table is filled with R synthetic plans (generate_series,
 * one statement; three in four owned by `admin`, the anonymous caller's owner, the rest spread over 1,000 users; 90 %
 * completed, 5 % failed, 5 % stopped; three step files each), analysed, and then plan_status (a distinct plan each
 * time: the tools' status cache never answers), plan_list and an SSE connect (to the first event) are timed one at
 * a time, interleaved, directly on one tools and one stream process of the system. Beside the latencies, EXPLAIN
 * (ANALYZE, BUFFERS) of the very SQL libs/db sends for each (captured through Kysely's query log, not re-spelled).
 * A non-2xx answer or an SSE stream that does not start fails the run.
 */
import net from 'node:net';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { getPlanStatusView, getStatusRows, listPlans, type Database } from '@planexe/db';
import { INTERNAL_SECRET_HEADER } from '@planexe/auth';
import { BenchFailure, expectOk, percentile, verify } from '../kit.ts';

export interface RowsTarget {
  tools: string;
  stream: string;
  databaseUrl: string;
  internalSecret: string;
  requests: number;
}

export interface RowsResult {
  rows: number;
  seedSeconds: number;
  latency: Record<'plan_status' | 'plan_list' | 'sse_connect', { p50: number; p99: number }>;
  plans: Record<'plan_status' | 'plan_list' | 'sse_connect', string>;
}

const WARMUP = 50;

/** Grows the synthetic plans to `total` rows (the new ones older than the ones before), with their files. */
async function seedTo(c: pg.Client, total: number): Promise<void> {
  const have = Number((await c.query<{ n: string }>('select count(*) as n from plans')).rows[0].n);
  if (have > total) throw new BenchFailure(`the plans table already holds ${have} rows, more than ${total}`);
  await c.query(
    `with ins as (
       insert into plans (id, timestamp_created, state, prompt, progress_percentage, steps_total, steps_completed, user_id, parameters,
                          state_version, attempt, last_progress_at)
       select gen_random_uuid(), (now() at time zone 'utc') - make_interval(secs => g),
              (case when g % 20 = 0 then 'failed' when g % 20 = 1 then 'stopped' else 'completed' end)::planstate,
              'Synthetic plan ' || g || ': ' || repeat('open a small bakery in Lisbon within six months. ', 8), 100, 60, 60,
              case when g % 4 <> 3 then 'admin' else 'user-' || (g % 1000) end, '{"model_profile": "baseline"}', 3, 1,
              (now() at time zone 'utc') - make_interval(secs => g)
         from generate_series($1::int, $2::int) g
       returning id)
     insert into plan_files (plan_id, filename, step, content, byte_size, sha256)
       select ins.id, f.name, 'synthetic', convert_to(repeat('x', 200), 'UTF8'), 200, repeat('0', 64)
         from ins cross join (values ('001-1-start_time.json'), ('002-2-plan.md'), ('log.txt')) as f(name)`,
    [have + 1, total],
  );
  await c.query('analyze plans');
  await c.query('analyze plan_files');
}

/** The SQL (and parameters) libs/db sends for plan_status, plan_list and an SSE connect. */
async function capturedQueries(databaseUrl: string, planId: string): Promise<Record<keyof RowsResult['plans'], CompiledQuery>> {
  const seen: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }),
    log: (e) => void (e.level === 'query' && seen.push(e.query)),
  });
  try {
    await getPlanStatusView(db, planId, undefined); // the tools' handler reads in no owner's scope, then checks the owner
    await listPlans(db, 'admin', 10);
    await getStatusRows(db, [planId]); // a stream's first read of a plan it follows
  } finally {
    await db.destroy();
  }
  if (seen.length !== 3) throw new BenchFailure(`expected 3 captured queries, saw ${seen.length}`);
  return { plan_status: seen[0], plan_list: seen[1], sse_connect: seen[2] };
}

async function explain(c: pg.Client, q: CompiledQuery): Promise<string> {
  const r = await c.query(`explain (analyze, buffers) ${q.sql}`, q.parameters as unknown[]);
  return r.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
}

async function toolCall(t: RowsTarget, tool: string, args: Record<string, unknown>): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${t.tools}/mcp/tools/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: t.internalSecret },
    body: JSON.stringify({ tool, arguments: args }),
  });
  const body = await res.text();
  const ms = performance.now() - t0;
  expectOk(tool, res.status, body, verify.rest);
  return ms;
}

/** Time from the request to the stream's first event (raw socket: no client library's own buffering in the figure). */
function sseConnect(stream: string, planId: string): Promise<number> {
  const u = new URL(stream);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(Number(u.port), u.hostname);
    let buf = '';
    s.setEncoding('utf8');
    s.setTimeout(30_000, () => (s.destroy(), reject(new BenchFailure(`SSE ${planId}: no event in 30 s`))));
    s.on('error', (e) => reject(new BenchFailure(`SSE ${planId}: ${e.message}`)));
    s.on('data', (d: string) => {
      buf += d;
      if (!buf.includes('\nevent: ')) return;
      const ms = performance.now() - t0;
      s.destroy();
      if (!buf.startsWith('HTTP/1.1 200')) return reject(new BenchFailure(`SSE ${planId}: ${buf.split('\r\n', 1)[0]}`));
      resolve(ms);
    });
    s.write(`GET /sse/plan/${planId} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

const used = new Set<string>();

export async function rowsAt(t: RowsTarget, total: number, fresh: boolean): Promise<RowsResult> {
  const c = new pg.Client({ connectionString: t.databaseUrl });
  await c.connect();
  try {
    // the burst and fan-out plans go: the table holds exactly the synthetic plans
    if (fresh) await c.query('truncate plans cascade');
    const s0 = performance.now();
    await seedTo(c, total);
    const seedSeconds = (performance.now() - s0) / 1000;
    const n = WARMUP + t.requests;
    const ids = (
      await c.query<{ id: string }>(`select id from plans where user_id = 'admin' and state = 'completed' and id <> all($1::uuid[]) order by random() limit $2`, [[...used], n])
    ).rows.map((r) => r.id);
    if (ids.length < n) throw new BenchFailure(`only ${ids.length} unread completed admin plans for ${n} distinct plan_status calls`);
    ids.forEach((id) => used.add(id));
    const lat = { plan_status: [] as number[], plan_list: [] as number[], sse_connect: [] as number[] };
    for (let i = 0; i < n; i++) {
      const status = await toolCall(t, 'plan_status', { plan_id: ids[i] });
      const list = await toolCall(t, 'plan_list', { limit: 10 });
      const sse = await sseConnect(t.stream, ids[(i + 1) % n]);
      if (i < WARMUP) continue;
      lat.plan_status.push(status);
      lat.plan_list.push(list);
      lat.sse_connect.push(sse);
    }
    const q = await capturedQueries(t.databaseUrl, ids[0]);
    const pct = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
    return {
      rows: total,
      seedSeconds,
      latency: { plan_status: pct(lat.plan_status), plan_list: pct(lat.plan_list), sse_connect: pct(lat.sse_connect) },
      plans: { plan_status: await explain(c, q.plan_status), plan_list: await explain(c, q.plan_list), sse_connect: await explain(c, q.sse_connect) },
    };
  } finally {
    await c.end();
  }
}

/** How a plan reads plans: the scan nodes on it, and whether any is sequential. */
const scansOfPlans = (plan: string) => {
  const nodes = [...plan.matchAll(/(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)? (?:using (\S+) )?on (\S+)/g)].map(
    (m) => `${m[1]}${m[2] ? ` ${m[2]}` : ''} on ${m[3]}`,
  );
  return [...new Set(nodes)].join('; ');
};
const execMs = (plan: string) => /Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? '?';

export function rowsTable(rows: RowsResult[], requests: number): string {
  const lines = [
    `| plans in the table | request | p50 | p99 | query execution (EXPLAIN ANALYZE) | how it reads |`,
    '|---:|---|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    for (const k of ['plan_status', 'plan_list', 'sse_connect'] as const) {
      lines.push(
        `| ${r.rows.toLocaleString('en-US')} | ${k.replace('_', ' ')} | ${r.latency[k].p50.toFixed(1)} ms | ${r.latency[k].p99.toFixed(1)} ms | ${execMs(r.plans[k])} ms | ${scansOfPlans(r.plans[k])} |`,
      );
    }
  }
  lines.push('', `(${requests} of each, one at a time, interleaved, after ${WARMUP} warm-up rounds; seeding took ${rows.map((r) => `${r.seedSeconds.toFixed(1)} s`).join(', ')})`);
  for (const r of rows) {
    for (const k of ['plan_status', 'plan_list', 'sse_connect'] as const) {
      lines.push('', `<details><summary>${k}, ${r.rows.toLocaleString('en-US')} plans: EXPLAIN (ANALYZE, BUFFERS)</summary>`, '', '```', r.plans[k], '```', '', '</details>');
    }
  }
  return lines.join('\n');
}

/** True when any measured query reads the plans table sequentially. */
export const seqScans = (rows: RowsResult[]) => rows.some((r) => Object.values(r.plans).some((p) => /Seq Scan on plans/.test(p)));
