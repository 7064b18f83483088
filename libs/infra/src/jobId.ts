import type { PlanJob } from '@planexe/contracts';

/**
 * Queue job id of a plan run: plan, attempt and the reconciler's takeover generation. A re-feed bumps the
 * generation, so it never collides with a stale record of an earlier delivery. BullMQ rejects `:` in custom ids,
 * so the separators are `@` and `.`.
 */
export function planJobId(job: Pick<PlanJob, 'plan_id' | 'attempt' | 'generation'>): string {
  return `${encodeURIComponent(job.plan_id)}@${job.attempt}.${job.generation ?? 0}`;
}
