import type { PlanJob } from '@planexe/contracts';
import type { Db } from '@planexe/db';
import type { PlanQueue, ProgressBus, Unsubscribe } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { PlanRunner, type RunnerSettings } from './engine/planRunner.ts';
import type { StepDef } from './engine/stepTypes.ts';
import { Reconciler } from './reconciler.ts';

export interface PlanWorkerOptions {
  db: Db;
  bus: ProgressBus;
  queue: PlanQueue;
  log: Logger;
  steps: StepDef[];
  expected: string[];
  settings: RunnerSettings;
  concurrency: number;
  /** processing plans with no heartbeat for this long are failed (recoverable) by the reaper; 0 disables it. */
  reapAfterSeconds: number;
  reapIntervalMs?: number;
  /**
   * The reconciler that re-feeds the queue from Postgres (pending plans without a job, processing plans with a stale
   * heartbeat): a pass at start and every `intervalMs`. `elect`: one process per pass via an advisory lock.
   */
  reconcile?: { intervalMs: number; elect: boolean };
}

/** A queue consumer that runs plans, listens for stop signals and reaps runs whose worker died. */
export class PlanWorker {
  readonly runner: PlanRunner;
  private offStops?: Unsubscribe;
  private reaper?: NodeJS.Timeout;
  readonly reconciler?: Reconciler;

  constructor(private readonly o: PlanWorkerOptions) {
    this.runner = new PlanRunner({ db: o.db, bus: o.bus, log: o.log, steps: o.steps, expected: o.expected, settings: o.settings });
    if (o.reconcile) {
      this.reconciler = new Reconciler({ db: o.db, queue: o.queue, log: o.log, staleSeconds: o.settings.staleSeconds, ...o.reconcile });
    }
  }

  async start(): Promise<void> {
    this.offStops = await this.o.bus.subscribeStops((s) => this.runner.stop(s.plan_id, s.attempt));
    await this.o.queue.process((job: PlanJob) => this.runner.run(job), { concurrency: this.o.concurrency });
    if (this.o.reapAfterSeconds > 0) {
      this.reaper = setInterval(() => void this.reap(), this.o.reapIntervalMs ?? 60_000);
      this.reaper.unref();
    }
    this.reconciler?.start();
    this.o.log.info({ worker_id: this.o.settings.workerId, concurrency: this.o.concurrency }, 'worker started');
  }

  async reap(): Promise<number> {
    try {
      const rows = await this.runner.store.reapStale(this.o.reapAfterSeconds);
      for (const r of rows) this.o.log.warn({ plan_id: r.id }, 'reaped a processing plan whose worker stopped responding');
      return rows.length;
    } catch (e) {
      this.o.log.error({ err: String(e) }, 'reaper failed');
      return 0;
    }
  }

  /** Stops taking jobs and aborts running ones (their jobs are redelivered and another worker takes over). */
  async stop(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    await this.reconciler?.stop();
    await this.offStops?.();
    this.runner.abortAll();
  }
}
