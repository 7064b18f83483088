import { z } from 'zod';
import { ModelProfileSchema, PlanStateSchema } from './planState.ts';
import { ERROR_CODES } from './errors.ts';

export const ErrorDetailSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export const ErrorPayloadSchema = z.object({ error: ErrorDetailSchema });

export const ExamplePlansOutput = z.object({
  plans: z.array(z.object({ title: z.string(), report_url: z.string(), zip_url: z.string(), plan_id: z.string().optional() })),
  message: z.string(),
});

export const ExamplePromptsOutput = z.object({ samples: z.array(z.string()), message: z.string() });

export const ModelEntrySchema = z.object({
  key: z.string(),
  provider_class: z.string().nullable(),
  model: z.string().nullable(),
  priority: z.number().int().nullable(),
  reachable: z.boolean().nullable().optional(),
});
export const ModelProfilesOutput = z.object({
  default_profile: ModelProfileSchema,
  profiles: z.array(
    z.object({
      profile: ModelProfileSchema,
      title: z.string(),
      summary: z.string(),
      model_count: z.number().int(),
      models: z.array(ModelEntrySchema),
    }),
  ),
  message: z.string(),
});

export const PlanCreateOutput = z.object({
  plan_id: z.string(),
  created_at: z.string(),
  deduplicated: z.literal(true).optional(),
  sse_url: z.string().optional(),
});

export const PlanStatusOutput = z.object({
  plan_id: z.string(),
  state: PlanStateSchema,
  progress_percentage: z.number(),
  steps_completed: z.number().int().nullable(),
  steps_total: z.number().int().nullable(),
  current_step: z.string().nullable(),
  timing: z.object({
    started_at: z.string().nullable(),
    elapsed_sec: z.number(),
    last_progress_at: z.string().nullable(),
  }),
  files_count: z.number().int(),
  files: z.array(z.object({ path: z.string(), updated_at: z.string().nullable() })),
  sse_url: z.string().optional(),
  error: z
    .object({
      failure_reason: z.string().nullable(),
      failed_step: z.string().nullable(),
      message: z.string(),
      recoverable: z.boolean().nullable(),
    })
    .optional(),
});

export const PlanStopOutput = z.object({ state: PlanStateSchema, stop_requested: z.boolean() });

export const PlanRetryOutput = z.object({
  plan_id: z.string(),
  state: z.literal('pending'),
  model_profile: ModelProfileSchema,
  retried_at: z.string(),
  sse_url: z.string().optional(),
});

export const PlanResumeOutput = z.object({
  plan_id: z.string(),
  state: z.literal('pending'),
  model_profile: ModelProfileSchema,
  resume_count: z.number().int(),
  resumed_at: z.string(),
  sse_url: z.string().optional(),
});

/**
 * plan_file_info has three non-error answers (not ready, ready, terminal artifact problem). Upstream advertises
 * a oneOf that some clients reject; this flat object with optional members describes all three and validates
 * every non-error result.
 */
export const PlanFileInfoOutput = z.object({
  ready: z.boolean().optional(),
  reason: z.enum(['processing', 'stopped', 'failed']).optional(),
  content_type: z.string().optional(),
  sha256: z.string().optional(),
  download_size: z.number().int().optional(),
  download_url: z.string().optional(),
  expires_at: z.string().optional(),
  error: ErrorDetailSchema.optional(),
});

export const PlanListOutput = z.object({
  plans: z.array(
    z.object({
      plan_id: z.string(),
      state: PlanStateSchema,
      progress_percentage: z.number(),
      created_at: z.string().nullable(),
      prompt_excerpt: z.string(),
    }),
  ),
  message: z.string(),
});

export const SendFeedbackOutput = z.object({ feedback_id: z.string(), received_at: z.string(), message: z.string() });

export type PlanStatusPayload = z.infer<typeof PlanStatusOutput>;
export type PlanFileInfoPayload = z.infer<typeof PlanFileInfoOutput>;
export type ModelProfilesPayload = z.infer<typeof ModelProfilesOutput>;
export type PlanListPayload = z.infer<typeof PlanListOutput>;
