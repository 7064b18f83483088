import type { PlanJob } from '@planexe/contracts';
import type { JobContext, JobState, PlanQueue } from '../ports.ts';
import { planJobId } from '../jobId.ts';

interface Entry {
  job: PlanJob;
  redeliveries: number;
}

/**
 * In-process FIFO queue for standalone mode. A failed handler's job is redelivered up to `maxRedeliveries` times;
 * at start-up standalone re-feeds it from Postgres (pending plans, and processing plans a crash left behind).
 */
export class MemoryQueue implements PlanQueue {
  private waiting: Entry[] = [];
  private activeKeys = new Set<string>();
  private handler?: (job: PlanJob, ctx: JobContext) => Promise<void>;
  private concurrency = 1;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: { maxRedeliveries?: number; redeliveryDelayMs?: number } = {}) {}

  private static key(job: PlanJob) {
    return planJobId(job);
  }

  async jobState(job: PlanJob): Promise<JobState> {
    const k = MemoryQueue.key(job);
    if (this.activeKeys.has(k)) return 'running';
    return this.waiting.some((e) => MemoryQueue.key(e.job) === k) ? 'queued' : 'absent';
  }

  async enqueue(job: PlanJob): Promise<void> {
    if (this.closed) throw new Error('queue closed');
    const k = MemoryQueue.key(job);
    if (this.activeKeys.has(k) || this.waiting.some((e) => MemoryQueue.key(e.job) === k)) return;
    this.waiting.push({ job, redeliveries: 0 });
    this.pump();
  }

  async process(handler: (job: PlanJob, ctx: JobContext) => Promise<void>, opts: { concurrency: number }): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, opts.concurrency);
    this.pump();
  }

  private pump() {
    while (this.handler && !this.closed && this.activeKeys.size < this.concurrency && this.waiting.length) {
      const entry = this.waiting.shift()!;
      const k = MemoryQueue.key(entry.job);
      this.activeKeys.add(k);
      const h = this.handler;
      void (async () => {
        try {
          await h(entry.job, { redeliveries: entry.redeliveries });
        } catch {
          if (!this.closed && entry.redeliveries < (this.opts.maxRedeliveries ?? 3)) {
            await new Promise((r) => setTimeout(r, this.opts.redeliveryDelayMs ?? 1000));
            this.waiting.push({ job: entry.job, redeliveries: entry.redeliveries + 1 });
          }
        } finally {
          this.activeKeys.delete(k);
          this.pump();
          if (!this.activeKeys.size && !this.waiting.length) this.idleWaiters.splice(0).forEach((f) => f());
        }
      })();
    }
  }

  async counts() {
    return { waiting: this.waiting.length, active: this.activeKeys.size };
  }

  /** Resolves when nothing is waiting or running (tests). */
  idle(): Promise<void> {
    if (!this.activeKeys.size && !this.waiting.length) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting = [];
  }
}
