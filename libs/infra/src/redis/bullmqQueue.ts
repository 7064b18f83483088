import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { PlanJob } from '@planexe/contracts';
import type { JobContext, JobState, PlanQueue } from '../ports.ts';
import { DependencyUnavailable } from '../dependencyErrors.ts';
import { planJobId } from '../jobId.ts';

export { planJobId };

export interface BullMqQueueOptions {
  /**
   * A Redis URL, or a factory for the ioredis client the queue side uses. The queue owns (and on close quits)
   * every client it makes; the worker side runs on a duplicate with `maxRetriesPerRequest: null`.
   */
  connection: string | (() => Redis);
  /** Redis key prefix; tests isolate with a random one. Default `planexe`. */
  prefix?: string;
  /** Queue name (no `:`). Default `plan-runs`. */
  queueName?: string;
  /**
   * How long a worker's job lock lives without renewal (ms). Default 5 min. BullMQ renews it every
   * lockDuration/2 while the handler runs, so long steps are fine; the large value only matters when the event
   * loop is blocked, where a short lock would make a live worker's job look stalled and run twice.
   */
  lockDuration?: number;
  /** How often workers look for stalled jobs (ms). Default 30 s. A dead worker's job is back within ~lockDuration + stalledInterval. */
  stalledInterval?: number;
  /** Stalls (dead workers) a job survives before it is failed for good. Default 2. */
  maxStalledCount?: number;
  /** Deliveries of a job whose handler throws (the first included). Default 3. */
  attempts?: number;
  /** Wait before a failed handler's job is delivered again. Default exponential from 10 s. */
  backoff?: { type: 'fixed' | 'exponential'; delay: number };
  /**
   * Caps the exponential backoff (ms): delays grow from `backoff.delay` up to this and stay there, so a job with
   * a very large `attempts` keeps retrying at a steady pace (a worker waiting out a Postgres outage). Unset: no cap.
   */
  maxBackoffMs?: number;
  /** enqueue() and isLive() give up after this long (ms) with DependencyUnavailable. Default 1.5 s. */
  commandTimeoutMs?: number;
  /** close() waits this long (ms) for running handlers before it gives up on them (they are then redelivered
   * elsewhere once their lock expires). Default 10 s. */
  closeGraceMs?: number;
  /** Connection and worker errors (they never throw out of the queue). Default: ignored. */
  onError?: (err: Error) => void;
  /** Called (on the worker that notices) when a job is failed for good: out of attempts or stalled too often. */
  onGiveUp?: (job: PlanJob, reason: string) => void;
}

/**
 * PlanQueue on BullMQ (Redis). One job per plan attempt, id `planJobId(job)`. A duplicate enqueue while the job is
 * waiting, active or waiting to be retried is a no-op; finished jobs are removed, so the same attempt can be
 * enqueued again later (harmless: the worker's conditional claim in Postgres decides whether anything runs).
 * A killed worker's job is redelivered by the stalled-job check of any live worker.
 */
export class BullMqQueue implements PlanQueue {
  readonly prefix: string;
  readonly queueName: string;
  private readonly client: Redis;
  private workerClient?: Redis;
  private readonly queue: Queue<PlanJob>;
  private worker?: Worker<PlanJob>;
  private readonly running = new Set<Promise<void>>();
  private closing?: Promise<void>;

  constructor(private readonly opts: BullMqQueueOptions) {
    this.prefix = opts.prefix ?? 'planexe';
    this.queueName = opts.queueName ?? 'plan-runs';
    // commands of the producer side fail fast while Redis is down instead of queueing for ~20 retries
    this.client = typeof opts.connection === 'string' ? new Redis(opts.connection, { maxRetriesPerRequest: 1 }) : opts.connection();
    this.client.on('error', this.reportError);
    this.queue = new Queue<PlanJob>(this.queueName, {
      connection: this.client,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: opts.attempts ?? 3,
        backoff: opts.maxBackoffMs ? { type: 'capped', delay: opts.backoff?.delay ?? 1_000 } : (opts.backoff ?? { type: 'exponential', delay: 10_000 }),
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.queue.on('error', this.reportError);
  }

  private readonly reportError = (err: Error) => {
    this.opts.onError?.(err);
  };

  async enqueue(job: PlanJob): Promise<void> {
    if (this.closing) throw new Error('queue closed');
    const data: PlanJob = { plan_id: job.plan_id, attempt: job.attempt };
    if (job.generation) data.generation = job.generation;
    if (job.trace) data.trace = { ...job.trace };
    await this.withTimeout('enqueue', this.queue.add('plan-run', data, { jobId: planJobId(job) }));
  }

  async jobState(job: PlanJob): Promise<JobState> {
    const state = await this.withTimeout('job state', this.queue.getJobState(planJobId(job)));
    if (state === 'active') return 'running';
    return ['waiting', 'delayed', 'prioritized', 'waiting-children'].includes(state) ? 'queued' : 'absent';
  }

  /** A Redis command that has not answered in time is reported as the dependency being down. */
  private async withTimeout<T>(what: string, p: Promise<T>): Promise<T> {
    const ms = this.opts.commandTimeoutMs ?? 1_500;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DependencyUnavailable('redis', `queue ${what}: Redis did not answer in ${ms} ms`)), ms);
    });
    p.catch(() => {}); // a late failure after the timeout won must not become an unhandled rejection
    try {
      return await Promise.race([p, timeout]);
    } catch (e) {
      throw e instanceof DependencyUnavailable ? e : new DependencyUnavailable('redis', `queue ${what}: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  async process(handler: (job: PlanJob, ctx: JobContext) => Promise<void>, opts: { concurrency: number }): Promise<void> {
    if (this.closing) throw new Error('queue closed');
    if (this.worker) throw new Error('process() was already called on this queue');
    this.workerClient = this.client.duplicate({ maxRetriesPerRequest: null });
    this.workerClient.on('error', this.reportError);
    const worker = new Worker<PlanJob>(
      this.queueName,
      (job: Job<PlanJob>) => this.track(handler(job.data, { redeliveries: BullMqQueue.redeliveries(job) })),
      {
        connection: this.workerClient,
        prefix: this.prefix,
        concurrency: Math.max(1, opts.concurrency),
        lockDuration: this.opts.lockDuration ?? 5 * 60_000,
        stalledInterval: this.opts.stalledInterval ?? 30_000,
        maxStalledCount: this.opts.maxStalledCount ?? 2,
        autorun: true,
        ...(this.opts.maxBackoffMs
          ? { settings: { backoffStrategy: (attemptsMade: number) => Math.min(this.opts.maxBackoffMs!, (this.opts.backoff?.delay ?? 1_000) * 2 ** Math.max(0, attemptsMade - 1)) } }
          : {}),
      },
    );
    worker.on('error', this.reportError);
    worker.on('failed', (job, err) => {
      if (!job || !this.opts.onGiveUp) return;
      const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) this.opts.onGiveUp({ ...job.data }, err.message);
    });
    this.worker = worker;
    await worker.waitUntilReady();
  }

  /** Deliveries before this one: every start counts (handler failures and stalls alike). */
  private static redeliveries(job: Job<PlanJob>): number {
    const started = job.attemptsStarted ?? 0;
    return Math.max(0, started - 1, job.attemptsMade + job.stalledCounter);
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    const done = () => this.running.delete(p);
    p.then(done, done);
    return p;
  }

  async counts(): Promise<{ waiting: number; active: number }> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0 };
  }

  /**
   * Stops taking jobs, waits up to `closeGraceMs` for running handlers, then closes worker, queue and Redis
   * connections. A handler still running after the grace period is abandoned: its lock is no longer renewed and
   * the job is redelivered to another worker after it expires. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      await worker.pause(true).catch(this.reportError);
      if (this.running.size) {
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((r) => (timer = setTimeout(r, this.opts.closeGraceMs ?? 10_000)));
        await Promise.race([Promise.allSettled([...this.running]), grace]);
        clearTimeout(timer);
      }
      await worker.close(true).catch(this.reportError);
    }
    await this.queue.close().catch(this.reportError);
    await Promise.all([quit(this.client), this.workerClient && quit(this.workerClient)]);
  }
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}
