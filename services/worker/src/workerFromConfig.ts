import { hostname } from 'node:os';
import type { LlmEntry, LlmProfileSettings, WorkerConfig } from '@planexe/config';
import type { Db } from '@planexe/db';
import type { PlanQueue, ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { PlanWorker } from './planWorker.ts';
import type { StepDef } from './engine/stepTypes.ts';
import { PIPELINE_STEPS, expectedFiles } from './pipeline/graph.ts';

/** The config the worker reads: the worker's schema in distributed mode, the standalone one in-process. */
export type WorkerServiceConfig = LlmProfileSettings &
  Pick<
    WorkerConfig,
    | 'PLANEXE_WORKER_ID'
    | 'PLANEXE_WORKER_CONCURRENCY'
    | 'PLANEXE_RUN_DIR'
    | 'PLANEXE_CREDIT_PRICE_CENTS'
    | 'PLANEXE_SUCCESS_PLAN_FEE_USD'
    | 'PLANEXE_WORKER_HEARTBEAT_SECONDS'
    | 'PLANEXE_WORKER_STALE_SECONDS'
    | 'PLANEXE_RECONCILE_SECONDS'
    | 'PLANEXE_WORKER_REAP_SECONDS'
  >;

export interface WorkerAdapters {
  db: Db;
  bus: ProgressBus;
  queue: PlanQueue;
  log: Logger;
  /** Default: the real pipeline. Tests and benchmarks pass synthetic steps. */
  steps?: StepDef[];
}

export interface WorkerRunMode {
  /**
   * The worker shares the process with everything else (standalone): no election among replicas, and a processing
   * plan found at start-up was left by a crash, so it is taken over at once (short stale time and heartbeat).
   */
  inProcess?: boolean;
  /** Local models found at start-up (standalone), added to the baseline profile. */
  localEntries?: LlmEntry[];
  env?: Record<string, string | undefined>;
}

/** The worker id: configured, else the Railway replica, else host and pid (unique per process either way). */
export function workerIdOf(c: Pick<WorkerServiceConfig, 'PLANEXE_WORKER_ID'>, inProcess: boolean, env: Record<string, string | undefined> = process.env): string {
  if (c.PLANEXE_WORKER_ID) return c.PLANEXE_WORKER_ID;
  if (inProcess) return `standalone-${hostname()}-${process.pid}`;
  if (env.RAILWAY_REPLICA_REGION && env.RAILWAY_REPLICA_ID) return `${env.RAILWAY_REPLICA_REGION}_${env.RAILWAY_REPLICA_ID}`;
  return `${hostname()}-${process.pid}`;
}

/** The plan worker wired from config the same way in every run mode (distributed worker main, standalone). */
export function planWorkerFromConfig(c: WorkerServiceConfig, a: WorkerAdapters, mode: WorkerRunMode = {}): PlanWorker {
  const inProcess = mode.inProcess ?? false;
  const steps = a.steps ?? PIPELINE_STEPS;
  return new PlanWorker({
    db: a.db,
    bus: a.bus,
    queue: a.queue,
    log: a.log,
    steps,
    expected: expectedFiles(steps),
    concurrency: c.PLANEXE_WORKER_CONCURRENCY,
    reapAfterSeconds: c.PLANEXE_WORKER_REAP_SECONDS,
    reconcile: { intervalMs: c.PLANEXE_RECONCILE_SECONDS * 1000, elect: !inProcess },
    settings: {
      workerId: workerIdOf(c, inProcess, mode.env ?? process.env),
      runDir: c.PLANEXE_RUN_DIR,
      profiles: c,
      creditPriceCents: c.PLANEXE_CREDIT_PRICE_CENTS,
      successFeeUsd: c.PLANEXE_SUCCESS_PLAN_FEE_USD,
      staleSeconds: inProcess ? 5 : c.PLANEXE_WORKER_STALE_SECONDS,
      heartbeatMs: inProcess ? 2_000 : c.PLANEXE_WORKER_HEARTBEAT_SECONDS * 1000,
      localEntries: mode.localEntries,
      env: mode.env,
    },
  });
}

/**
 * The worker's BullMQ settings: a job never gives up on its plan. A delivery that ends on an outage comes again
 * (1 s doubling to 10 s) for as long as the plan is wanted; only the plan's own failures, written by the runner, end it.
 */
export function workerQueueOptions(c: Pick<WorkerConfig, 'PLANEXE_REDIS_URL' | 'PLANEXE_REDIS_PREFIX' | 'PLANEXE_QUEUE_LOCK_SECONDS'>) {
  return {
    connection: c.PLANEXE_REDIS_URL!,
    prefix: c.PLANEXE_REDIS_PREFIX,
    lockDuration: c.PLANEXE_QUEUE_LOCK_SECONDS * 1000,
    stalledInterval: Math.min(30_000, c.PLANEXE_QUEUE_LOCK_SECONDS * 1000),
    attempts: Number.MAX_SAFE_INTEGER,
    maxStalledCount: Number.MAX_SAFE_INTEGER,
    backoff: { type: 'exponential' as const, delay: 1_000 },
    maxBackoffMs: 10_000,
  };
}
