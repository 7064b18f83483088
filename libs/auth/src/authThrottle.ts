import type { KeyDirectory } from './keyDirectory.ts';

/** The part of the Limits port the throttle uses (Redis in distributed mode: every replica counts together). */
export interface FailureCounter {
  consume(key: string, points: number, limit: number, windowSeconds: number): Promise<{ allowed: boolean; remaining: number; resetMs: number }>;
}

export interface FailedAuthThrottleOptions {
  /** Failed authentications an address may have per window before it is throttled. Default 20. */
  limit?: number;
  windowSeconds?: number;
}

/**
 * Failed authentication, throttled per client address. Every wrong key an address presents counts against it on the
 * Limits port; past the limit, a key from that address is looked up only when the directory of existing keys has
 * its hash, so guessing costs the guesser (429 with Retry-After) and not the database, while a valid key — from a
 * client behind the same proxy as a guesser — is never refused.
 */
export class FailedAuthThrottle {
  readonly limit: number;
  readonly windowSeconds: number;

  constructor(
    private readonly counter: FailureCounter,
    private readonly directory: KeyDirectory,
    o: FailedAuthThrottleOptions = {},
  ) {
    this.limit = o.limit ?? 20;
    this.windowSeconds = o.windowSeconds ?? 60;
  }

  private key = (address: string) => `authfail:${address}`;

  /** Whether a lookup of `hash` for `address` may go to the database; when not, how long until it may. */
  async admit(address: string, hash: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
    const r = await this.counter.consume(this.key(address), 0, this.limit, this.windowSeconds);
    if (r.remaining > 0) return { ok: true };
    if (await this.directory.mayExist(hash)) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(r.resetMs / 1000)) };
  }

  async failed(address: string): Promise<void> {
    await this.counter.consume(this.key(address), 1, this.limit, this.windowSeconds);
  }
}
