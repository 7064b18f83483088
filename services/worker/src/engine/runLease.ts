import { heartbeatRun, heartbeatWorker, insertEvent, RunSuperseded, type ClaimResult, type PlanStore, type RunKey } from '@planexe/db';
import type { Logger } from '@planexe/telemetry';

export interface LeaseSettings {
  workerId: string;
  /** A processing plan whose heartbeat is older than this may be taken over by a redelivered job. */
  staleSeconds: number;
  heartbeatMs: number;
}

export type ClaimedRow = Extract<ClaimResult, { claimed: true }>['row'];

/**
 * This worker's hold on one run attempt: the claim (pending → processing, or the takeover of a run whose worker
 * stopped beating), the heartbeat that keeps it, and the abort that ends the run's work once the plan is no longer
 * ours (stopped, retried, taken over) or the worker shuts down.
 */
export class RunLease {
  readonly controller = new AbortController();
  private beat?: NodeJS.Timeout;

  private constructor(
    private readonly store: PlanStore,
    private readonly s: LeaseSettings,
    readonly key: RunKey,
    readonly row: ClaimedRow,
  ) {}

  /**
   * Claims the run, or returns undefined when this job has nothing to do: a plan held by a live worker needs
   * nothing from it (if that worker dies, the reconciler re-feeds it). An outage throws: the job is delivered
   * again with backoff until the database answers.
   */
  static async claim(store: PlanStore, s: LeaseSettings, log: Logger, key: RunKey): Promise<RunLease | undefined> {
    const claim = await store.claim(key, s.workerId, s.staleSeconds);
    if (claim.claimed) return new RunLease(store, s, key, claim.row);
    log.info({ plan_id: key.planId, reason: claim.reason }, 'job skipped');
    return undefined;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts the heartbeat; a beat that finds the run no longer ours aborts it. Liveness writes are best effort. */
  async start(): Promise<void> {
    const { db } = this.store;
    const { key, s } = this;
    this.beat = setInterval(() => {
      heartbeatRun(db, key, s.workerId)
        .then((mine) => {
          if (!mine) this.controller.abort(new RunSuperseded(key.planId));
        })
        .catch(() => {});
      heartbeatWorker(db, s.workerId, key.planId).catch(() => {});
    }, s.heartbeatMs);
    this.beat.unref();
    await heartbeatWorker(db, s.workerId, key.planId).catch(() => {});
    await insertEvent(db, 'TASK_PROCESSING', 'Pending -> Processing', { task_id: key.planId, worker_id: s.workerId, attempt: key.attempt }).catch(() => {});
  }

  /** Ends the heartbeat and tells the workers table this worker is free. */
  async release(): Promise<void> {
    clearInterval(this.beat);
    await heartbeatWorker(this.store.db, this.s.workerId, null).catch(() => {});
  }
}
