import type { PlanJob } from '@planexe/contracts';
import { finishRun, toSnapshot, type Db } from '@planexe/db';
import type { ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';

/** A job the queue will not deliver again (too many crashes): its plan fails, recoverable, so resume can continue it. */
export async function failGivenUpJob(db: Db, bus: ProgressBus, job: PlanJob, reason: string, log: Logger): Promise<void> {
  const row = await finishRun(
    db,
    { planId: job.plan_id, attempt: job.attempt },
    { state: 'failed', failureReason: 'worker_error', failedStep: null, errorMessage: `The plan's worker failed repeatedly (${reason}).`, recoverable: true },
    { reportHtml: null, zip: null, activityOverview: null },
  ).catch(() => undefined);
  if (row) {
    log.warn({ plan_id: job.plan_id, reason }, 'job given up; plan failed');
    await bus.publishSnapshot(toSnapshot(row)).catch(() => {});
  }
}
