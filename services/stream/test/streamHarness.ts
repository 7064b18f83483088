import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { EventSource } from 'eventsource';
import { sql } from 'kysely';
import { insertPlan, STATUS_COLUMNS, toSnapshot, type Db, type PlanStateDb } from '@planexe/db';
import { MemoryBus, MemoryLimits, NatsBus, RedisLimits, type Limits, type ProgressBus } from '@planexe/infra';
import {
  createTestPostgresDb,
  createTestPgliteDb,
  natsAvailable,
  NATS_URL,
  postgresAvailable,
  redisAvailable,
  REDIS_URL,
} from '@planexe/testing/infra';
import { createStreamService, type StreamOptions, type StreamService } from '../src/streamService.ts';
import { createStreamApp, createStreamListener } from '../src/streamApp.ts';

export const FAST: StreamOptions = {
  pollIntervalSeconds: 0.2,
  heartbeatIntervalSeconds: 20,
  maxDurationSeconds: 3600,
  // the cap tests set their own; the rest open many streams from 127.0.0.1
  maxConnections: 100,
  maxTotalConnections: 1000,
};

export type Combo = 'embedded' | 'distributed';

/** `embedded` (PGlite, MemoryBus, MemoryLimits) always; `distributed` (Postgres, NATS, Redis) when all are reachable. */
export async function combos(): Promise<Combo[]> {
  const [pg, redis, nats] = await Promise.all([postgresAvailable(), redisAvailable(), natsAvailable()]);
  return pg && redis && nats ? ['embedded', 'distributed'] : ['embedded'];
}

export async function distributedAvailable(): Promise<boolean> {
  return (await combos()).includes('distributed');
}

export interface Infra {
  db: Db;
  bus: ProgressBus;
  limits: Limits;
  /** The Redis key prefix / NATS namespace of this infra (distributed only). */
  prefix: string;
  /** The Postgres URL of the test database (distributed only), for child processes. */
  dbUrl?: string;
  close(): Promise<void>;
}

export const randomPrefix = () => `planexe-t-${randomBytes(5).toString('hex')}`;

export async function createInfra(combo: Combo): Promise<Infra> {
  const prefix = randomPrefix();
  if (combo === 'embedded') {
    const dbh = await createTestPgliteDb();
    const bus = new MemoryBus();
    const limits = new MemoryLimits();
    return { db: dbh.db, bus, limits, prefix, close: async () => void (await Promise.all([bus.close(), limits.close(), dbh.close()])) };
  }
  const dbh = await createTestPostgresDb();
  const bus = await NatsBus.connect({ servers: NATS_URL, namespace: prefix });
  const limits = new RedisLimits({ connection: REDIS_URL, keyPrefix: `${prefix}:` });
  return { db: dbh.db, bus, limits, prefix, dbUrl: dbh.url, close: async () => void (await Promise.all([bus.close(), limits.close(), dbh.close()])) };
}

export async function createPlan(db: Db): Promise<string> {
  const row = await insertPlan(db, { prompt: `sse test ${randomBytes(4).toString('hex')}`, userId: 'admin', apiKeyId: null, parameters: {} });
  return row.id;
}

/** What the worker does: one conditional write (version + 1), then publish the whole snapshot. */
export async function setPlan(
  db: Db,
  bus: ProgressBus | null,
  id: string,
  patch: { state?: PlanStateDb; progress_percentage?: number; progress_message?: string | null },
): Promise<number> {
  const row = await db
    .updateTable('plans')
    .set({ ...patch, state_version: sql`state_version + 1` as any })
    .where('id', '=', id)
    .returning(STATUS_COLUMNS)
    .executeTakeFirstOrThrow();
  const snap = toSnapshot(row);
  if (bus) await bus.publishSnapshot(snap);
  return snap.version;
}

export interface StreamServer {
  url: string;
  port: number;
  server: Server;
  service: StreamService;
  planUrl(id: string): string;
  close(): Promise<void>;
}

export async function startStreamServer(
  deps: { db: Db; bus: ProgressBus; limits: Limits },
  opts: StreamOptions,
  configure?: (s: Server) => void,
  /** `koa`: the middleware behind a Koa app (standalone); `node`: the node:http listener the stream process runs. */
  mount: 'koa' | 'node' = 'koa',
): Promise<StreamServer> {
  const service = createStreamService(deps, opts);
  const server = createServer(mount === 'koa' ? createStreamApp(service).callback() : createStreamListener(service));
  configure?.(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    server,
    service,
    planUrl: (id) => `${url}/sse/plan/${id}`,
    close: async () => {
      await service.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface Received {
  type: string;
  data: any;
  id: string;
  at: number;
}

/** A real EventSource (the `eventsource` package) that records every named event. */
export class SseClient {
  readonly events: Received[] = [];
  readonly es: EventSource;
  /** Connection failures (non-200 answers carry `code`). */
  readonly failures: { code?: number; message?: string }[] = [];
  opens = 0;
  private waiters = new Set<() => void>();

  constructor(url: string, o: { lastEventId?: string; fetch?: typeof fetch; closeOnEnd?: boolean } = {}) {
    const base = o.fetch ?? fetch;
    let first = true;
    this.es = new EventSource(url, {
      fetch: (input, init) => {
        const headers = { ...(init?.headers as Record<string, string>) };
        if (first && o.lastEventId !== undefined) headers['Last-Event-ID'] = o.lastEventId;
        first = false;
        return base(input, { ...init, headers });
      },
    });
    this.es.addEventListener('open', () => {
      this.opens++;
      this.notify();
    });
    for (const type of ['status', 'heartbeat', 'complete', 'error']) {
      this.es.addEventListener(type, (e: any) => {
        if (type === 'error' && typeof e.data !== 'string') {
          this.failures.push({ code: e.code, message: e.message });
        } else {
          this.events.push({ type, data: JSON.parse(e.data), id: e.lastEventId, at: performance.now() });
          if (o.closeOnEnd !== false && (type === 'complete' || type === 'error')) this.es.close();
        }
        this.notify();
      });
    }
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  of(type: string): Received[] {
    return this.events.filter((e) => e.type === type);
  }

  private notify() {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `pred` holds (checked after every event); rejects after `timeoutMs`. */
  until(pred: (c: SseClient) => boolean, timeoutMs = 10_000): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred(this)) return;
        clearTimeout(t);
        this.waiters.delete(check);
        resolve();
      };
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out; events so far: ${JSON.stringify(this.events.map((e) => [e.type, e.data]))} failures: ${JSON.stringify(this.failures)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Until the stream's last event (`complete`/`error`) or a refused connection. */
  ended(timeoutMs = 10_000): Promise<void> {
    return this.until((c) => c.events.some((e) => e.type === 'complete' || e.type === 'error') || c.es.readyState === 2, timeoutMs);
  }

  close(): void {
    this.es.close();
  }
}

export interface RawStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Everything received so far, byte-exact. */
  text(): string;
  done: Promise<void>;
  close(): void;
}

/** A plain HTTP reader for wire-level checks (first chunk, comments, 429 body). */
export function rawStream(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('error', () => {}); // a killed server resets the socket
      res.on('data', (c: string) => (body += c));
      const done = new Promise<void>((r) => {
        res.on('end', () => r());
        res.on('close', () => r());
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: () => body, done, close: () => req.destroy() });
    });
    req.on('error', (e) => reject(e));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
