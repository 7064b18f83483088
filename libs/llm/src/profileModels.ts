/**
 * Profile → models: the one place that decides which models a profile offers, for the catalogs (model_profiles,
 * plan_create's check) and for the run itself.
 */
import { readProfile, type LlmEntry, type LlmProfileSettings } from '@planexe/config';
import type { ModelProfile } from '@planexe/contracts';

export interface ProfileModels {
  profile: ModelProfile;
  /** The profile's file; undefined when it has none (then it offers only what was discovered locally, if baseline). */
  file: string | undefined;
  entries: LlmEntry[];
}

export interface ModelSource {
  settings: LlmProfileSettings;
  env?: Record<string, string | undefined>;
  /** Local Ollama / LM Studio models found at start-up (standalone); they join the baseline profile. */
  local?: LlmEntry[];
}

/** The models of one profile: its file's entries, and for baseline the discovered local models it does not list. */
export function modelsForProfile(profile: ModelProfile, source: ModelSource): ProfileModels {
  const { settings, env = process.env, local = [] } = source;
  const { file, entries } = readProfile(profile, settings, env);
  if (profile === 'baseline') entries.push(...local.filter((l) => !entries.some((e) => e.key === l.key)));
  return { profile, file, entries };
}
