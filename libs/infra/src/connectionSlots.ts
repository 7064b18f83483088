import { randomBytes } from 'node:crypto';
import type { Limits } from './ports.ts';

export interface SlotOptions {
  /** Concurrent streams per client address (PLANEXE_SSE_MAX_CONNECTIONS). */
  maxPerClient: number;
  /** Concurrent streams server-wide (PLANEXE_SSE_MAX_TOTAL_CONNECTIONS); across all replicas with shared Limits. */
  maxTotal: number;
  /** A slot whose holder stopped renewing it (a crashed replica) stops counting after this long. Default 15 s. */
  leaseMs?: number;
  /** How often every held slot is renewed. Default 5 s (a lease survives two missed renewals). */
  renewEveryMs?: number;
  /** The longest a stream holds its slot (the maximum stream age): a lease at least this long is never renewed. */
  maxHoldMs?: number;
  /** Group name prefix, so tests and deployments can share one Redis. Default `sse:`. */
  groupPrefix?: string;
  onError?: (err: unknown) => void;
}

export type Reservation = { ok: true; holder: string } | { ok: false; message: string };

interface Held {
  clientGroup: string;
  bucket: number;
}

/** Renewals are spread over the renew period in this many slices, so 15,000 slots never renew in one burst. */
const BUCKETS = 20;
const RENEW_CONCURRENCY = 64;

/**
 * Connection caps as leased slots of the Limits port: one holder per stream in a server-wide group and in its
 * client's group. With RedisLimits the groups are shared by every replica; leases are renewed while the stream is
 * open, so the slots of a replica that died without releasing them stop counting within one lease.
 */
export class ConnectionSlots {
  readonly totalGroup: string;
  private readonly prefix: string;
  private readonly instance = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly held = new Map<string, Held>();
  private readonly buckets: Set<string>[] = Array.from({ length: BUCKETS }, () => new Set());
  private readonly timer: NodeJS.Timeout;
  private tickNo = 0;
  private renewing = false;
  readonly leaseMs: number;

  constructor(
    private readonly limits: Limits,
    private readonly opts: SlotOptions,
  ) {
    this.prefix = opts.groupPrefix ?? 'sse:';
    this.totalGroup = `${this.prefix}total`;
    this.leaseMs = opts.leaseMs ?? 15_000;
    const renewEvery = opts.renewEveryMs ?? 5_000;
    // standalone passes a lease longer than any stream: its slots die with the process, renewing buys nothing
    const needsRenewal = opts.maxHoldMs === undefined || this.leaseMs < opts.maxHoldMs + renewEvery;
    this.timer = setInterval(() => void this.renewBucket(), Math.max(1, Math.floor(renewEvery / BUCKETS)));
    this.timer.unref();
    if (!needsRenewal) clearInterval(this.timer);
  }

  clientGroup(client: string): string {
    return `${this.prefix}client:${client}`;
  }

  /** Reserves a slot in the server-wide group (checked first, spec §5), then in the client's. */
  async reserve(client: string): Promise<Reservation> {
    const holder = `${this.instance}:${(this.seq++).toString(36)}`;
    const clientGroup = this.clientGroup(client);
    if (!(await this.limits.acquireSlot(this.totalGroup, holder, this.opts.maxTotal, this.leaseMs))) {
      return { ok: false, message: `Server-wide SSE connection limit (${this.opts.maxTotal}) reached` };
    }
    let ok = false;
    try {
      ok = await this.limits.acquireSlot(clientGroup, holder, this.opts.maxPerClient, this.leaseMs);
    } finally {
      if (!ok) await this.limits.releaseSlot(this.totalGroup, holder).catch((e) => this.opts.onError?.(e));
    }
    if (!ok) return { ok: false, message: `Per-client SSE connection limit (${this.opts.maxPerClient}) reached` };
    const bucket = this.seq % BUCKETS;
    this.held.set(holder, { clientGroup, bucket });
    this.buckets[bucket].add(holder);
    return { ok: true, holder };
  }

  async release(holder: string): Promise<void> {
    const h = this.held.get(holder);
    if (!h) return;
    this.held.delete(holder);
    this.buckets[h.bucket].delete(holder);
    await Promise.all([
      this.limits.releaseSlot(this.totalGroup, holder),
      this.limits.releaseSlot(h.clientGroup, holder),
    ]).catch((e) => this.opts.onError?.(e));
  }

  /** Slots this process holds. */
  get size(): number {
    return this.held.size;
  }

  /** Stops renewing (held slots then expire unless released). */
  stop(): void {
    clearInterval(this.timer);
  }

  private async renewBucket(): Promise<void> {
    // a slow round delays the next bucket instead of skipping it
    if (this.renewing) return;
    const bucket = this.buckets[this.tickNo++ % BUCKETS];
    if (!bucket.size) return;
    this.renewing = true;
    try {
      const holders = [...bucket];
      for (let i = 0; i < holders.length; i += RENEW_CONCURRENCY) {
        await Promise.all(
          holders.slice(i, i + RENEW_CONCURRENCY).flatMap((holder) => {
            const h = this.held.get(holder);
            if (!h) return [];
            return [this.limits.renewSlot(this.totalGroup, holder, this.leaseMs), this.limits.renewSlot(h.clientGroup, holder, this.leaseMs)];
          }),
        ).catch((e) => this.opts.onError?.(e));
      }
    } finally {
      this.renewing = false;
    }
  }
}
