/**
 * `npm run bench:scale [-- --quick] [-- --only burst,fanout,rows]`: how cost grows with load (issue 18, "Scale").
 * One distributed system (tests/harness/system.ts: 2 gateways, 2 tools, 2 streams, artifacts, 2 workers, the fake
 * LLM at 1 ms per call) on the shared Postgres (a database of its own) and on a Redis and a NATS of its own, so
 * their counters hold this run's traffic only. Three parts, each at two sizes so that the growth shows:
 *   burst  — N plan_create (100 in flight), until every plan completed (burst.ts): 100 and 1,000 plans (quick: 10 and 50)
 *   fanout — S SSE subscribers of one plan across the two stream processes (fanout.ts): 1,000 and 10,000
 *            (quick: 100 and 500)
 *   rows   — plan_status, plan_list and SSE connect with R plans in the database, and the query plans
 *            (rows.ts): 1,000 and 100,000 (quick: 1,000 and 10,000)
 * Prints markdown tables and the load average. A failed request, a lost plan or a missed delivery prints no
 * figure for its part and makes the run exit 1 (scripts/bench/kit.ts).
 * Sizes can be overridden: BENCH_SCALE_PLANS=100,1000 BENCH_SCALE_SUBSCRIBERS=… BENCH_SCALE_ROWS=…
 */
import { loadavg } from 'node:os';
import { PG_ADMIN_URL } from '@planexe/testing/infra';
import { startSystem, type System } from '../../../tests/harness/system.ts';
import { benchMain, BenchFailure, loadText, measuring, QUICK } from '../kit.ts';
import { startOwnInfra, type OwnInfra } from './meters.ts';
import { burst, burstTable, type BurstResult } from './burst.ts';
import { fanout, fanoutTable, type FanoutResult } from './fanout.ts';
import { rowsAt, rowsTable, seqScans, type RowsResult } from './rows.ts';

const sizes = (env: string | undefined, full: number[], quick: number[]) => (env ? env.split(',').map(Number) : QUICK ? quick : full);
const PLANS = sizes(process.env.BENCH_SCALE_PLANS, [100, 1_000], [10, 50]);
const SUBSCRIBERS = sizes(process.env.BENCH_SCALE_SUBSCRIBERS, [1_000, 10_000], [100, 500]);
const ROWS = sizes(process.env.BENCH_SCALE_ROWS, [1_000, 100_000], [1_000, 10_000]);
const BURST_TIMEOUT_S = Number(process.env.BENCH_SCALE_BURST_TIMEOUT ?? (QUICK ? 900 : 3_600));
const LLM_LATENCY_MS = 1;
const PUBLISHES = Number(process.env.BENCH_SCALE_PUBLISHES ?? (QUICK ? 20 : 40));
const SPACING_MS = Number(process.env.BENCH_SCALE_SPACING ?? 1_000);
const REQUESTS = Number(process.env.BENCH_SCALE_REQUESTS ?? (QUICK ? 100 : 400));

const onlyArg = process.argv.find((a, i) => process.argv[i - 1] === '--only' || a.startsWith('--only='));
const only = onlyArg?.replace(/^--only=/, '').split(',');
const wanted = (part: string) => !only || only.includes(part);

const out: string[] = [];
const note = (s: string) => (out.push(s), console.log(s));
const failures: string[] = [];
/** One measurement: a BenchFailure is noted (that size prints no figure) and fails the run at the end, after the other parts ran. */
async function attempt<T>(what: string, measure: () => Promise<T>): Promise<T | undefined> {
  const w = measuring();
  try {
    return await measure();
  } catch (e) {
    if (!(e instanceof BenchFailure)) throw e;
    failures.push(`${what}: ${e.message}`);
    console.log(`[scale] ${what} FAILED: ${e.message}`);
    return undefined;
  } finally {
    console.log(`[scale] ${what}: max 1-min load ${w.end().toFixed(2)}`);
  }
}
const push = <T,>(xs: T[], x: T | undefined) => void (x !== undefined && xs.push(x));

benchMain('scale', async () => {
  const started = new Date().toISOString();
  let infra: OwnInfra | undefined;
  let sys: System | undefined;
  try {
    infra = await startOwnInfra();
    sys = await startSystem({
      basePort: 9900,
      startTimeoutMs: 300_000,
      llmLatencyMs: LLM_LATENCY_MS,
      quiet: true,
      infra: { pgAdminUrl: PG_ADMIN_URL, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl },
      extraEnv: { PLANEXE_SSE_MAX_CONNECTIONS: '1000000', PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: '1000000', PLANEXE_LOG_LEVEL: 'error' },
    });
    const database = new URL(sys.databaseUrl).pathname.slice(1);
    console.log(`[scale] system up (database ${database}); load average ${loadText()}`);
    note(`## Scale (${QUICK ? '--quick' : 'full'}) — ${started}, node ${process.version}, load average at start ${loadText()}\n`);

    if (wanted('burst')) {
      const rows: BurstResult[] = [];
      for (const n of PLANS) {
        const target = {
          gateways: sys.gateways, adminUrl: PG_ADMIN_URL, databaseUrl: sys.databaseUrl, database, infra,
          workerPids: sys.procs.filter((p) => p.service === 'worker').map((p) => p.child.pid!), fake: sys.fake, timeoutS: BURST_TIMEOUT_S,
        };
        push(rows, await attempt(`burst of ${n} plans`, () => burst(target, n, `${n}-${Date.now()}`)));
      }
      note(`### Plan burst: 2 workers (concurrency 2 each), fake LLM at ${LLM_LATENCY_MS} ms per call; load average after ${loadText()}\n`);
      if (rows.length) note(burstTable(rows) + '\n');
    }

    if (wanted('fanout')) {
      const rows: FanoutResult[] = [];
      const target = {
        streams: sys.streams,
        streamPids: sys.procs.filter((p) => p.service === 'stream').map((p) => p.child.pid!),
        databaseUrl: sys.databaseUrl,
        natsUrl: infra.natsUrl,
        namespace: sys.env.PLANEXE_NATS_NAMESPACE,
        publishes: PUBLISHES,
        spacingMs: SPACING_MS,
      };
      for (const n of SUBSCRIBERS) push(rows, await attempt(`fan-out to ${n} subscribers`, () => fanout(target, n)));
      note(`### SSE fan-out: one plan, subscribers split over 2 stream processes, published on NATS every ${SPACING_MS} ms; load average after ${loadText()}\n`);
      if (rows.length) note(fanoutTable(rows, PUBLISHES) + '\n');
    }

    if (wanted('rows')) {
      const rows: RowsResult[] = [];
      const target = { tools: sys.tools[0], stream: sys.streams[0], databaseUrl: sys.databaseUrl, internalSecret: sys.env.PLANEXE_INTERNAL_SECRET, requests: REQUESTS };
      for (const [i, n] of ROWS.entries()) push(rows, await attempt(`reads with ${n} plans`, () => rowsAt(target, n, i === 0)));
      note(`### Reads against the table size: one tools and one stream process, direct; load average after ${loadText()}\n`);
      if (rows.length) note(rowsTable(rows, REQUESTS) + '\n');
      if (seqScans(rows)) note('**A measured query reads the plans table sequentially: see the plans above.**\n');
    }
  } finally {
    await sys?.stop();
    await infra?.stop();
  }
  if (failures.length) {
    note(`No figure for:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    throw new BenchFailure(`${failures.length} measurement(s) failed`);
  }
  console.log(`[scale] done; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
});
