import type { PlanJob, PlanSnapshot, StopSignal } from '@planexe/contracts';

export interface JobContext {
  /** How many times this job was delivered before (0 on the first delivery). */
  redeliveries: number;
}

export type JobState = 'queued' | 'running' | 'absent';

/** The plan-run queue: one job per plan attempt. Carries signals only; Postgres is the source of truth. */
export interface PlanQueue {
  /**
   * Enqueues a run; a second enqueue of the same (plan_id, attempt, generation) while it is waiting or active is a
   * no-op. Throws DependencyUnavailable when the queue's store does not answer in time.
   */
  enqueue(job: PlanJob): Promise<void>;
  /** Where the job of this (plan_id, attempt, generation) is: waiting (or delayed) for a worker, running, or gone. */
  jobState(job: PlanJob): Promise<JobState>;
  /** Starts consuming. A handler that throws leaves the job to be retried by the adapter's redelivery rule. */
  process(handler: (job: PlanJob, ctx: JobContext) => Promise<void>, opts: { concurrency: number }): Promise<void>;
  /** Waiting + active job counts. */
  counts(): Promise<{ waiting: number; active: number }>;
  close(): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;

/** Progress events (whole-state snapshots) and stop signals. */
export interface ProgressBus {
  publishSnapshot(snapshot: PlanSnapshot): Promise<void>;
  subscribeSnapshots(planId: string, onSnapshot: (s: PlanSnapshot) => void): Promise<Unsubscribe>;
  publishStop(signal: StopSignal): Promise<void>;
  /** Every stop signal of every plan (workers filter by the plans they run). */
  subscribeStops(onStop: (s: StopSignal) => void): Promise<Unsubscribe>;
  /**
   * A message for one replica of a service (`replica`: a token of letters, digits, `-`, `_`), e.g. a client's answer
   * to a server-to-client request that the replica holding the call must deliver. At most once, no ordering.
   */
  publishToReplica(replica: string, message: unknown): Promise<void>;
  /** The messages published to `replica` (the subscriber is that replica). */
  subscribeReplica(replica: string, onMessage: (message: unknown) => void): Promise<Unsubscribe>;
  /** False while the transport is disconnected (subscribers then fall back to polling). */
  isConnected(): boolean;
  close(): Promise<void>;
}

export interface ConsumeResult {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until the budget refills enough for this request. */
  resetMs: number;
}

/** Distributed rate limits and connection caps. */
export interface Limits {
  /** Takes `points` from `key`'s budget of `limit` per `windowSeconds`. Refused requests take nothing. */
  consume(key: string, points: number, limit: number, windowSeconds: number): Promise<ConsumeResult>;
  /** Reserves a slot in `group` (at most `cap` holders); slots of a holder that vanished expire after `leaseMs`. */
  acquireSlot(group: string, holder: string, cap: number, leaseMs: number): Promise<boolean>;
  /** Extends a held slot's lease. */
  renewSlot(group: string, holder: string, leaseMs: number): Promise<void>;
  releaseSlot(group: string, holder: string): Promise<void>;
  slotCount(group: string): Promise<number>;
  close(): Promise<void>;
}
