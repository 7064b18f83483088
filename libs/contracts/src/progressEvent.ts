import { z } from 'zod';
import { PlanStateSchema } from './planState.ts';

/**
 * The whole public state of one plan, published on every change (events are snapshots, not deltas).
 * `version` increases by one on every write to the plan row, so a subscriber can drop stale events and SSE
 * can use it as the event id.
 */
export const PlanSnapshotSchema = z.object({
  plan_id: z.string(),
  version: z.number().int(),
  state: PlanStateSchema,
  progress_percentage: z.number(),
  progress_message: z.string().nullable(),
  steps_completed: z.number().int().nullable(),
  steps_total: z.number().int().nullable(),
  current_step: z.string().nullable(),
  created_at: z.string().nullable(),
  last_progress_at: z.string().nullable(),
  stop_requested: z.boolean(),
  failure_reason: z.string().nullable(),
  error_message: z.string().nullable(),
  recoverable: z.boolean().nullable(),
});
export type PlanSnapshot = z.infer<typeof PlanSnapshotSchema>;

/** Signal sent to workers on the bus when a plan must stop. */
export const StopSignalSchema = z.object({ plan_id: z.string(), attempt: z.number().int().nullable() });
export type StopSignal = z.infer<typeof StopSignalSchema>;

/** The queue's job payload: one job per plan run. */
export const PlanJobSchema = z.object({
  plan_id: z.string(),
  attempt: z.number().int(),
  /** The reconciler's re-feed count within the attempt (part of the job id); absent = 0. */
  generation: z.number().int().optional(),
  trace: z.record(z.string(), z.string()).optional(),
});
export type PlanJob = z.infer<typeof PlanJobSchema>;
