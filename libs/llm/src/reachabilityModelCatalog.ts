import { runnableEntries, type LlmEntry, type LlmProfileSettings } from '@planexe/config';
import { MODEL_PROFILES, ToolError, type ModelProfile } from '@planexe/contracts';
import type { ModelCatalog, ProfileInfo } from './modelCatalog.ts';
import { modelsForProfile } from './profileModels.ts';
import { ModelReachability } from './reachability.ts';

/**
 * What model_profiles and plan_create see: the profile files, each model probed (cached briefly), and — in
 * standalone — a local Ollama or LM Studio found by itself when the shipped cloud models have no key.
 */
export class ReachabilityModelCatalog implements ModelCatalog {
  private readonly probe: ModelReachability;
  private local: LlmEntry[] = [];

  constructor(
    private readonly settings: LlmProfileSettings,
    private readonly env: Record<string, string | undefined> = process.env,
    opts: { timeoutMs?: number; ttlMs?: number } = {},
  ) {
    this.probe = new ModelReachability({ env, timeoutMs: opts.timeoutMs ?? 2_000, ttlMs: opts.ttlMs ?? 30_000 });
  }

  /** Looks for a local Ollama / LM Studio once (standalone start-up). */
  async discoverLocal(): Promise<LlmEntry[]> {
    this.local = await this.probe.discoverLocal().catch(() => []);
    return this.local;
  }

  private entriesOf(profile: ModelProfile): LlmEntry[] {
    return modelsForProfile(profile, { settings: this.settings, env: this.env, local: this.local }).entries;
  }

  async profiles(): Promise<ProfileInfo[]> {
    return Promise.all(
      MODEL_PROFILES.map(async (profile) => {
        const entries = this.entriesOf(profile);
        const checks = await Promise.all(entries.map((e) => (e.priority === null ? Promise.resolve(null) : this.probe.isReachable(e))));
        return { profile, entries: entries.map((e, i) => ({ ...e, reachable: checks[i] })) };
      }),
    );
  }

  async assertRunnable(profile: ModelProfile): Promise<void> {
    const entries = runnableEntries(this.entriesOf(profile));
    if (entries.length && (await this.probe.isRunnable(entries))) return;
    throw new ToolError(
      'NO_MODEL_AVAILABLE',
      `No model of the '${profile}' profile is reachable right now, so a plan could only fail. Configure one: set ` +
        'OPENROUTER_API_KEY (or OPENAI_API_KEY) for the shipped cloud models, run Ollama (127.0.0.1:11434) or LM Studio ' +
        '(127.0.0.1:1234) locally, or point llm_config/<profile>.json (PLANEXE_CONFIG_PATH) at an OpenAI-compatible server. ' +
        'model_profiles shows which models answer.',
      { profile },
    );
  }
}
