import { listProfiles, runnableEntries, type LlmProfileSettings, type LlmEntry } from '@planexe/config';
import { ToolError, type ModelProfile } from '@planexe/contracts';

export interface ProfileInfo {
  profile: ModelProfile;
  entries: (LlmEntry & { reachable: boolean | null })[];
}

/** What the tools know about models: the profiles, and whether a profile can run now. */
export interface ModelCatalog {
  profiles(): Promise<ProfileInfo[]>;
  /** Throws NO_MODEL_AVAILABLE when no model of the profile can serve a plan right now. */
  assertRunnable(profile: ModelProfile): Promise<void>;
}

/**
 * Profiles read from upstream-format files. Reachability is unknown (null) here; the worker's catalog adds live
 * probes. A profile is runnable when it has at least one prioritised model.
 */
export class FileModelCatalog implements ModelCatalog {
  constructor(private readonly settings: LlmProfileSettings) {}

  async profiles(): Promise<ProfileInfo[]> {
    return listProfiles(this.settings).map((p) => ({ profile: p.profile, entries: p.entries.map((e) => ({ ...e, reachable: null })) }));
  }

  async assertRunnable(profile: ModelProfile): Promise<void> {
    const p = (await this.profiles()).find((x) => x.profile === profile);
    if (!p || runnableEntries(p.entries).length === 0) {
      throw new ToolError(
        'NO_MODEL_AVAILABLE',
        `No model is configured for the '${profile}' profile. An administrator must add a model with a priority to ` +
          `llm_config/${profile}.json (or set PLANEXE_CONFIG_PATH), or choose another profile with model_profiles.`,
      );
    }
  }
}
