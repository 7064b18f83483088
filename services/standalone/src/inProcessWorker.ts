import type { LlmEntry, StandaloneConfig } from '@planexe/config';
import type { Db } from '@planexe/db';
import type { PlanQueue, ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { planWorkerFromConfig, type PlanWorker, type StepDef } from '@planexe/worker';

/** The worker inside the standalone process, on the in-process queue and bus: the worker's own factory, in-process mode. */
export async function startInProcessWorker(o: {
  db: Db;
  bus: ProgressBus;
  queue: PlanQueue;
  log: Logger;
  config: StandaloneConfig;
  /** Default: the real pipeline. */
  steps?: StepDef[];
  localEntries?: LlmEntry[];
  env?: Record<string, string | undefined>;
}): Promise<PlanWorker> {
  const worker = planWorkerFromConfig(o.config, { db: o.db, bus: o.bus, queue: o.queue, log: o.log, steps: o.steps }, { inProcess: true, localEntries: o.localEntries, env: o.env });
  await worker.start();
  return worker;
}
