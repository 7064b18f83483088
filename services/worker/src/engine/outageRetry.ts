import { setTimeout as sleep } from 'node:timers/promises';
import { isDependencyDown } from '@planexe/infra';

export interface OutageRetryOptions {
  /** Gives up (throwing its reason) when aborted: the worker is shutting down or the run was stopped. */
  signal: AbortSignal;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called once per failed try while the dependency is down. */
  onOutage?: (err: unknown, tries: number) => void;
}

/**
 * Runs `fn` until it succeeds or fails for a reason other than a dependency being down. A write that decides a
 * plan's progress or fate (a step's outputs, the final state) waits out a Postgres outage instead of failing the
 * plan; any other error is thrown at once.
 */
export async function retryWhileDown<T>(fn: () => Promise<T>, o: OutageRetryOptions): Promise<T> {
  let delay = o.firstDelayMs ?? 500;
  for (let tries = 1; ; tries++) {
    try {
      return await fn();
    } catch (err) {
      if (!isDependencyDown(err) || o.signal.aborted) throw err;
      o.onOutage?.(err, tries);
      await sleep(delay, undefined, { signal: o.signal }).catch(() => {
        throw o.signal.reason ?? err;
      });
      delay = Math.min(o.maxDelayMs ?? 5_000, delay * 2);
    }
  }
}
