import { asReconcileLeader, bumpTakeoverGeneration, scanForReconcile, type Db, type ReconcileCandidate } from '@planexe/db';
import { planJobId, type PlanQueue } from '@planexe/infra';
import { meters, type Logger } from '@planexe/telemetry';

export interface ReconcilerOptions {
  db: Db;
  queue: PlanQueue;
  log: Logger;
  /** A processing plan whose heartbeat is older than this is re-fed (another worker takes it over). */
  staleSeconds: number;
  /** Pass period (ms). */
  intervalMs: number;
  /** Elect one process per pass with an advisory lock (distributed). Standalone is one process: false. */
  elect: boolean;
  /** How long a pending plan whose job was seen queued is not asked about again (ms). Default 12 passes. */
  recheckMs?: number;
}

export interface ReconcileReport {
  /** Plans found without a live job: pending with no job, processing with a stale heartbeat. */
  stranded: number;
  /** Of those, re-enqueued under a new takeover generation. */
  refed: number;
  oldestPendingSeconds: number;
  queue: { waiting: number; active: number };
}

/**
 * Makes Postgres the only thing that must survive: every pass re-enqueues each pending plan whose job the queue
 * lost (Redis restarted empty, FLUSHALL, an enqueue that failed during an outage) and each processing plan whose
 * worker stopped sending heartbeats. A re-feed takes the next takeover generation first, so its job id is new and
 * the queue cannot swallow it as a duplicate of a stale record; the worker's conditional claim decides who runs.
 * A failed pass (a dependency down) is logged and tried again next period; it never throws out of the timer.
 */
export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport | undefined>;
  readonly totals = { passes: 0, stranded: 0, refed: 0, failures: 0, jobStateChecks: 0 };
  /**
   * Pending plans whose job this process saw queued, by job id, until when they need no asking. Without it every
   * pass asks the queue about every pending plan: a backlog of N plans drained over N/k passes cost O(N²) queue
   * commands (issue 18's scale run: 1,682 Redis commands per plan at 1,000 plans). The queue's own counts guard
   * the memory: when it holds fewer jobs than plans remembered as queued, it lost jobs (Redis restarted empty,
   * FLUSHALL) and every plan is asked about again in that same pass.
   */
  private readonly seenQueued = new Map<string, number>();

  constructor(private readonly o: ReconcilerOptions) {}

  start(): void {
    void this.pass();
    this.timer = setInterval(() => void this.pass(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass (or the one already under way). Resolves undefined when another process is the leader or it failed. */
  pass(): Promise<ReconcileReport | undefined> {
    this.running ??= this.runPass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runPass(): Promise<ReconcileReport | undefined> {
    try {
      const report = await asReconcileLeader(this.o.db, this.o.elect, () => this.reconcile());
      if (!report) return undefined;
      this.totals.passes++;
      this.totals.stranded += report.stranded;
      this.totals.refed += report.refed;
      meters.queueDepth(report.queue.waiting, report.queue.active);
      meters.oldestPendingAge(report.oldestPendingSeconds);
      if (report.stranded) this.o.log.warn({ stranded: report.stranded, refed: report.refed }, 'reconciler re-fed plans the queue had lost');
      return report;
    } catch (e) {
      this.totals.failures++;
      this.o.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'reconcile pass failed; next pass retries');
      return undefined;
    }
  }

  /**
   * Keeps only remembered plans still pending at their attempt and generation; forgets all of them when the queue
   * holds fewer jobs than that (it lost some: each remembered plan is asked about again).
   */
  private forgetAllBut(candidates: ReconcileCandidate[], counts: { waiting: number; active: number }): void {
    const pending = new Set(candidates.filter((c) => c.state === 'pending').map((c) => planJobId(jobOf(c))));
    for (const key of this.seenQueued.keys()) if (!pending.has(key)) this.seenQueued.delete(key);
    if (this.seenQueued.size > counts.waiting + counts.active) this.seenQueued.clear();
  }

  private async reconcile(): Promise<ReconcileReport> {
    const { db, queue } = this.o;
    const scan = await scanForReconcile(db, this.o.staleSeconds);
    const now = Date.now();
    this.forgetAllBut(scan.candidates, await queue.counts());
    let stranded = 0;
    let refed = 0;
    for (const c of scan.candidates) {
      const key = planJobId(jobOf(c));
      if (c.state === 'pending' && (this.seenQueued.get(key) ?? 0) > now) continue;
      const state = await queue.jobState(jobOf(c));
      this.totals.jobStateChecks++;
      // a waiting job is still coming; a running one is live for a pending plan (its worker is claiming it), while a
      // stale processing plan's running job belongs to a worker presumed dead
      if (state === 'queued' && c.state === 'pending') this.seenQueued.set(key, now + (this.o.recheckMs ?? 12 * this.o.intervalMs));
      if (state === 'queued' || (state === 'running' && c.state === 'pending')) continue;
      stranded++;
      meters.reconcilerStranded(c.state, 1);
      const generation = await bumpTakeoverGeneration(db, c);
      if (generation === undefined) continue;
      await queue.enqueue({ plan_id: c.id, attempt: c.attempt, generation });
      refed++;
      meters.reconcilerRefed(c.state, 1);
      this.o.log.info({ plan_id: c.id, attempt: c.attempt, generation, was: c.state }, 'plan re-fed to the queue');
    }
    return { stranded, refed, oldestPendingSeconds: scan.oldestPendingSeconds, queue: await queue.counts() };
  }
}

function jobOf(c: ReconcileCandidate) {
  return { plan_id: c.id, attempt: c.attempt, generation: c.generation };
}
