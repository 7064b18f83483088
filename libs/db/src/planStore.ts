import type { PlanSnapshot } from '@planexe/contracts';
import type { Db } from './connect.ts';
import { insertPlan, resumePlan, retryPlan, stopPlan, type InsertPlanInput, type PlanStatusRow } from './plans.ts';
import { claimRun, finishRun, persistStep, reapStaleRuns, writeProgress, type FinalArtifacts, type Outcome, type Progress, type RunKey } from './runs.ts';
import { toSnapshot } from './snapshot.ts';

/**
 * What a plan store announces its writes through, passed in by the service that owns the store, so this library
 * depends on no transport and no cache.
 */
export interface PlanStorePorts {
  /** Where snapshots go (the progress bus). */
  snapshots: { publishSnapshot(snapshot: PlanSnapshot): Promise<void> };
  /** This process's cache of plan_status rows, if it keeps one. */
  statusCache?: { invalidate(planId: string): void };
  /** A snapshot that could not be published; the row is written and stays the truth. */
  onPublishFailed(planId: string, err: unknown): void;
}

/**
 * The plan and run writes that change what a client sees, each followed by its announcement. Events are whole-state
 * snapshots: every write below returns the row it wrote, and `announce` turns that row into the one snapshot event
 * and drops the cached status, here and nowhere else. The database row is the truth; a publish that fails is
 * reported and never fails the write (subscribers also poll while the bus is away), and a database error is thrown
 * as it is, so callers keep their outage handling (SERVICE_UNAVAILABLE, a run that waits for Postgres).
 */
export class PlanStore {
  constructor(
    readonly db: Db,
    private readonly ports: PlanStorePorts,
  ) {}

  /** Invalidates the cache first: a reader that runs while the event is on its way must read the new row. */
  private async announce(row: PlanStatusRow | undefined): Promise<void> {
    if (!row) return;
    this.ports.statusCache?.invalidate(row.id);
    try {
      await this.ports.snapshots.publishSnapshot(toSnapshot(row));
    } catch (e) {
      this.ports.onPublishFailed(row.id, e);
    }
  }

  private async announced<T extends PlanStatusRow | undefined>(row: T): Promise<T> {
    await this.announce(row);
    return row;
  }

  /** plan_create: a new pending plan. */
  async create(input: InsertPlanInput) {
    return this.announced(await insertPlan(this.db, input));
  }

  /** plan_stop: pending/processing → stopped. */
  async stop(id: string) {
    const r = await stopPlan(this.db, id);
    if (r.stopped) await this.announce(r.row);
    return r;
  }

  /** plan_retry: failed/stopped → pending from scratch. */
  async retry(id: string, p: Parameters<typeof retryPlan>[2]) {
    const r = await retryPlan(this.db, id, p);
    if (r.ok) await this.announce(r.row);
    return r;
  }

  /** plan_resume: failed/stopped → pending keeping the persisted steps. */
  async resume(id: string, p: Parameters<typeof resumePlan>[2]) {
    const r = await resumePlan(this.db, id, p);
    if (r.ok) await this.announce(r.row);
    return r;
  }

  /** A worker claims a run: pending → processing, or the takeover of a stale processing run. */
  async claim(k: RunKey, workerId: string, staleSeconds: number) {
    const r = await claimRun(this.db, k, workerId, staleSeconds);
    if (r.claimed) await this.announce(r.row);
    return r;
  }

  /** A finished step's files and progress. */
  async persistStep(k: RunKey, step: string, files: Record<string, Uint8Array>, p: Progress, workerId: string) {
    return this.announced(await persistStep(this.db, k, step, files, p, workerId));
  }

  /** Progress between steps (after an LLM attempt). */
  async progress(k: RunKey, p: Progress, workerId: string) {
    return this.announced(await writeProgress(this.db, k, p, workerId));
  }

  /** The run's last write (completed, failed, or the partial artifacts of a stopped run); undefined when superseded. */
  async finish(k: RunKey, outcome: Outcome, a: FinalArtifacts) {
    return this.announced(await finishRun(this.db, k, outcome, a));
  }

  /** Gives up on runs whose worker stopped showing life: failed, recoverable. */
  async reapStale(staleSeconds: number) {
    const rows = await reapStaleRuns(this.db, staleSeconds);
    for (const r of rows) await this.announce(r);
    return rows;
  }
}
