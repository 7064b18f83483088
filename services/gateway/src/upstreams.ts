/**
 * The replicas behind one internal service, as the gateway sees them: a list of base URLs (one per replica), or one
 * URL naming a load-balanced address (a Kubernetes Service), where a new connection may land on another pod.
 *
 * Written here rather than taken from a library: what the proxy needs is a round-robin pick that skips replicas
 * that just refused a connection, and one rule for when a failed request may be sent again elsewhere; the
 * balancing proxies on npm (http-proxy and its forks) either lack the retry rule or are unmaintained.
 */

export interface UpstreamPoolOptions {
  /** A replica that refused a connection is skipped for this long (ms), unless every replica is. Default 5 s. */
  downForMs?: number;
  now?: () => number;
}

export class UpstreamPool {
  readonly targets: URL[];
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(
    baseUrls: string | readonly string[],
    private readonly o: UpstreamPoolOptions = {},
  ) {
    const list = (typeof baseUrls === 'string' ? baseUrls.split(',') : [...baseUrls]).map((u) => u.trim()).filter(Boolean);
    if (!list.length) throw new Error('UpstreamPool: at least one upstream URL is required');
    this.targets = list.map((u) => new URL(u));
  }

  /** How many tries one request gets: every replica once; a single load-balanced address twice. */
  get maxTries(): number {
    return Math.max(2, this.targets.length);
  }

  /** The next replica in turn that is not marked down and not in `tried` (a single address is always returned). */
  pick(tried: ReadonlySet<URL>): URL | undefined {
    if (this.targets.length === 1) return this.targets[0];
    const now = (this.o.now ?? Date.now)();
    const n = this.targets.length;
    let fallback: URL | undefined;
    for (let i = 0; i < n; i++) {
      const t = this.targets[(this.next + i) % n];
      if (tried.has(t)) continue;
      if ((this.downUntil.get(t.href) ?? 0) > now) {
        fallback ??= t;
        continue;
      }
      this.next = (this.next + i + 1) % n;
      return t;
    }
    // every untried replica is marked down: try one anyway (it may be back)
    return fallback;
  }

  markDown(t: URL): void {
    this.downUntil.set(t.href, (this.o.now ?? Date.now)() + (this.o.downForMs ?? 5_000));
  }
}

/** The connection was never made: nothing reached the upstream, so any request may go to another one. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** The connection broke before an answer: the upstream may have acted, so only idempotent requests are resent. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a request that failed with `err` before any answer may be sent to another upstream. `resendable`: its
 * body is in memory (or it has none), so it can be sent again.
 */
export function mayRetryElsewhere(method: string, err: NodeJS.ErrnoException, resendable: boolean): boolean {
  if (!resendable || !err.code) return false;
  if (NOT_CONNECTED.has(err.code)) return true;
  return BROKEN.has(err.code) && IDEMPOTENT.has(method.toUpperCase());
}

/** A connect failure says the replica is down; skip it for a while. */
export function isDownSignal(err: NodeJS.ErrnoException): boolean {
  return err.code !== undefined && NOT_CONNECTED.has(err.code);
}
