import { z } from 'zod';

export const PLAN_STATES = ['pending', 'processing', 'completed', 'failed', 'stopped'] as const;
export const PlanStateSchema = z.enum(PLAN_STATES);
export type PlanState = z.infer<typeof PlanStateSchema>;

export const TERMINAL_STATES: readonly PlanState[] = ['completed', 'failed', 'stopped'];
export const isTerminalState = (s: PlanState): boolean => TERMINAL_STATES.includes(s);

/** Public state mapping: null/unknown DB values read as `pending` (spec/tools.md §4). */
export function publicState(value: string | null | undefined): PlanState {
  return (PLAN_STATES as readonly string[]).includes(value ?? '') ? (value as PlanState) : 'pending';
}

export const MODEL_PROFILES = ['baseline', 'premium', 'frontier', 'custom'] as const;
export const ModelProfileSchema = z.enum(MODEL_PROFILES);
export type ModelProfile = z.infer<typeof ModelProfileSchema>;

/** trim + lower-case; anything else → baseline (spec/pipeline.md §6.1). */
export function normaliseModelProfile(value: unknown): ModelProfile {
  if (typeof value !== 'string') return 'baseline';
  const v = value.trim().toLowerCase();
  return (MODEL_PROFILES as readonly string[]).includes(v) ? (v as ModelProfile) : 'baseline';
}

export const FAILURE_REASONS = [
  'generation_error',
  'worker_error',
  'inactivity_timeout',
  'internal_error',
  'version_mismatch',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const SPEED_VS_DETAIL = ['all_details_but_slow', 'fast_but_skip_details', 'ping_llm'] as const;
export type SpeedVsDetail = (typeof SPEED_VS_DETAIL)[number];

export const PIPELINE_VERSION = 2;
