import { ToolError } from '@planexe/contracts';
import type { ToolDeps } from '../deps.ts';

const TITLES = { baseline: 'Baseline', premium: 'Premium', frontier: 'Frontier', custom: 'Custom' } as const;
const SUMMARIES = {
  baseline: 'Cheap and fast; the recommended default.',
  premium: 'Higher cost for stronger quality.',
  frontier: 'The most capable models first; usually the slowest and most expensive.',
  custom: 'A user-managed profile file with its own model order.',
} as const;

export async function modelProfiles(deps: ToolDeps) {
  const profiles = (await deps.models.profiles())
    .filter((p) => p.entries.length > 0)
    .map((p) => ({
      profile: p.profile,
      title: TITLES[p.profile],
      summary: SUMMARIES[p.profile],
      model_count: p.entries.length,
      models: p.entries.map((e) => ({
        key: e.key,
        provider_class: e.providerClass,
        model: e.model,
        priority: e.priority,
        reachable: e.reachable,
      })),
    }));
  if (!profiles.length) {
    throw new ToolError(
      'MODEL_PROFILES_UNAVAILABLE',
      'No model profiles are configured on this server. Tell the user that an administrator must set up model profiles ' +
        '(llm_config/<profile>.json) before plans can be created.',
    );
  }
  return {
    default_profile: deps.settings.defaultProfile,
    profiles,
    message:
      'Pass one of these profile values as plan_create.model_profile. The model lists show what is configured now; ' +
      'reachable tells whether a model answered a recent probe (null = not probed).',
  };
}
