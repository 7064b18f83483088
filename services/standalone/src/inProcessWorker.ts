import type { StandaloneConfig } from '@planexe/config';
import type { LlmEntry } from '@planexe/config';
import type { Db } from '@planexe/db';
import type { PlanQueue, ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { PlanWorker, type StepDef } from '@planexe/worker';
import { hostname } from 'node:os';

/** The worker inside the standalone process, on the in-process queue and bus. */
export async function startInProcessWorker(o: {
  db: Db;
  bus: ProgressBus;
  queue: PlanQueue;
  log: Logger;
  config: StandaloneConfig;
  steps: StepDef[];
  expected: string[];
  localEntries?: LlmEntry[];
  env?: Record<string, string | undefined>;
}): Promise<PlanWorker> {
  const c = o.config;
  const worker = new PlanWorker({
    db: o.db,
    bus: o.bus,
    queue: o.queue,
    log: o.log,
    steps: o.steps,
    expected: o.expected,
    concurrency: c.PLANEXE_WORKER_CONCURRENCY,
    reapAfterSeconds: c.PLANEXE_WORKER_REAP_SECONDS,
    // one process: no election; the reconciler re-feeds plans a crash left processing once their heartbeat is stale
    reconcile: { intervalMs: c.PLANEXE_RECONCILE_SECONDS * 1000, elect: false },
    settings: {
      workerId: c.PLANEXE_WORKER_ID ?? `standalone-${hostname()}-${process.pid}`,
      runDir: c.PLANEXE_RUN_DIR,
      profiles: c,
      creditPriceCents: c.PLANEXE_CREDIT_PRICE_CENTS,
      successFeeUsd: c.PLANEXE_SUCCESS_PLAN_FEE_USD,
      // one process: a processing plan found at start-up was left by a crash, so take it over at once
      staleSeconds: 5,
      heartbeatMs: 2_000,
      localEntries: o.localEntries,
      env: o.env,
    },
  });
  await worker.start();
  return worker;
}
