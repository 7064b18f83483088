import { z } from 'zod';
import { ModelProfileSchema } from './planState.ts';

/** Largest prompt plan_create accepts (characters). Upstream has no limit; a 1 MiB body is the edge cap. */
export const MAX_PROMPT_CHARS = 100_000;
export const MAX_FEEDBACK_CHARS = 20_000;

const planId = z.string().describe('Plan UUID returned by plan_create.');
const modelProfile = ModelProfileSchema.default('baseline').describe(
  'Model profile: baseline (default, cheap and fast), premium, frontier or custom. Call model_profiles to see what each holds.',
);
const userApiKey = z
  .string()
  .nullable()
  .optional()
  .describe('Optional user API key (pex_…). Over HTTP the X-API-Key header identifies the caller and this field is ignored.');

export const ExamplePlansInput = z.object({}).describe('No input parameters.');
export const ExamplePromptsInput = z.object({}).describe('No input parameters.');
export const ModelProfilesInput = z.object({}).describe('No input parameters.');

export const PlanCreateInput = z.object({
  prompt: z
    .string()
    .max(MAX_PROMPT_CHARS)
    .describe(
      'The approved plan prompt: a detailed 300-800 words prose description covering objective, scope, constraints, ' +
        'timeline, stakeholders, budget/resources, and success criteria. Write flowing prose, not headings or bullet lists.',
    ),
  model_profile: modelProfile,
  start_date: z
    .string()
    .nullable()
    .default(null)
    .describe('Optional project start as ISO-8601 (date, or date-time with offset), e.g. 2026-03-01 or 2026-03-01T09:00:00+01:00.'),
  user_api_key: userApiKey,
});

/** The longest plan_status `wait_seconds` (a wait must end well inside every proxy's and client's request timeout). */
export const PLAN_STATUS_MAX_WAIT_SECONDS = 50;

export const PlanStatusInput = z.object({
  plan_id: planId,
  wait_seconds: z
    .number()
    .int()
    .min(0)
    .max(PLAN_STATUS_MAX_WAIT_SECONDS)
    .optional()
    .describe(
      `Optional long poll, 0-${PLAN_STATUS_MAX_WAIT_SECONDS} seconds (default 0 = answer at once): the call answers as soon as the ` +
        "plan's state or progress changes, or when the time is up, with the status as it then is. An ended plan answers at once.",
    ),
});
export const PlanStopInput = z.object({ plan_id: planId });
export const PlanRetryInput = z.object({ plan_id: planId, model_profile: modelProfile });
export const PlanResumeInput = z.object({ plan_id: planId, model_profile: modelProfile });
export const PlanFileInfoInput = z.object({
  plan_id: planId,
  artifact: z.enum(['report', 'zip']).default('report').describe('report = the HTML report (default); zip = every intermediate file.'),
});
export const PlanListInput = z.object({
  limit: z.number().int().min(1).max(50).default(10).describe('How many plans to return, newest first (1-50, default 10).'),
  user_api_key: userApiKey,
});
export const FEEDBACK_CATEGORIES = ['mcp', 'plan', 'code', 'docs', 'other'] as const;
export const SendFeedbackInput = z.object({
  category: z
    .enum(FEEDBACK_CATEGORIES)
    .describe('mcp = tools/SSE/status/workflow; plan = the generated files; code = source; docs; other.'),
  message: z.string().max(MAX_FEEDBACK_CHARS).describe('What happened, with plan ids, percentages and timestamps where useful.'),
  plan_id: z.string().nullable().default(null).describe('Optional plan UUID the feedback is about.'),
  rating: z.number().int().min(1).max(5).nullable().default(null).describe('Optional sentiment 1-5 (1 strong negative, 3 neutral, 5 strong positive).'),
  user_api_key: userApiKey,
});

export type PlanCreateArgs = z.infer<typeof PlanCreateInput>;
export type PlanRetryArgs = z.infer<typeof PlanRetryInput>;
export type PlanResumeArgs = z.infer<typeof PlanResumeInput>;
export type PlanFileInfoArgs = z.infer<typeof PlanFileInfoInput>;
export type PlanListArgs = z.infer<typeof PlanListInput>;
export type SendFeedbackArgs = z.infer<typeof SendFeedbackInput>;
