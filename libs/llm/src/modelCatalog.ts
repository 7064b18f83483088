import { runnableEntries, type LlmProfileSettings, type LlmEntry } from '@planexe/config';
import { MODEL_PROFILES, ToolError, type ModelProfile } from '@planexe/contracts';
import { modelsForProfile } from './profileModels.ts';

export interface ProfileInfo {
  profile: ModelProfile;
  entries: (LlmEntry & { reachable: boolean | null })[];
}

/** What the tools know about models (the tools service's port): the profiles, and whether a profile can run now. */
export interface ModelCatalog {
  profiles(): Promise<ProfileInfo[]>;
  /** Throws NO_MODEL_AVAILABLE when no model of the profile can serve a plan right now. */
  assertRunnable(profile: ModelProfile): Promise<void>;
}

/**
 * Profiles read from upstream-format files. Reachability is unknown (null) here; ReachabilityModelCatalog adds live
 * probes. A profile is runnable when it has at least one prioritised model.
 */
export class FileModelCatalog implements ModelCatalog {
  constructor(private readonly settings: LlmProfileSettings) {}

  async profiles(): Promise<ProfileInfo[]> {
    return MODEL_PROFILES.map((profile) => ({
      profile,
      entries: modelsForProfile(profile, { settings: this.settings }).entries.map((e) => ({ ...e, reachable: null })),
    }));
  }

  async assertRunnable(profile: ModelProfile): Promise<void> {
    if (runnableEntries(modelsForProfile(profile, { settings: this.settings }).entries).length === 0) {
      throw new ToolError(
        'NO_MODEL_AVAILABLE',
        `No model is configured for the '${profile}' profile. An administrator must add a model with a priority to ` +
          `llm_config/${profile}.json (or set PLANEXE_CONFIG_PATH), or choose another profile with model_profiles.`,
      );
    }
  }
}
