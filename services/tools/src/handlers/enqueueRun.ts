import type { PlanJob } from '@planexe/contracts';
import { isDependencyDown } from '@planexe/infra';
import type { ToolDeps } from '../deps.ts';

/**
 * Hands a plan run to the queue. The plan row is already committed and is the truth, so a queue that is down (the
 * enqueue gives up within its command timeout) does not fail the call: the reconciler finds the pending plan
 * without a job and enqueues it once the queue is back.
 */
export async function enqueueRun(deps: ToolDeps, job: PlanJob): Promise<void> {
  try {
    await deps.queue.enqueue(job);
  } catch (e) {
    if (!isDependencyDown(e)) throw e;
    deps.log.warn({ plan_id: job.plan_id, err: e instanceof Error ? e.message : String(e) }, 'queue unavailable; the reconciler will enqueue the plan');
  }
}
