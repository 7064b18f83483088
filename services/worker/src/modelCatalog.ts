import { listProfiles, runnableEntries, type LlmEntry, type LlmProfileSettings } from '@planexe/config';
import { ToolError, type ModelProfile } from '@planexe/contracts';
import { ModelReachability } from './llm/index.ts';

/** Matches the tools service's ModelCatalog port (structural), with live reachability probes. */
export interface ProfileInfoLike {
  profile: ModelProfile;
  entries: (LlmEntry & { reachable: boolean | null })[];
}

/**
 * What model_profiles and plan_create see: the profile files, each model probed (cached briefly), and — in
 * standalone — a local Ollama or LM Studio found by itself when the shipped cloud models have no key.
 */
export class ReachabilityModelCatalog {
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

  private entriesOf(p: { profile: ModelProfile; entries: LlmEntry[] }): LlmEntry[] {
    return p.profile === 'baseline' && this.local.length ? [...p.entries, ...this.local.filter((l) => !p.entries.some((e) => e.key === l.key))] : p.entries;
  }

  async profiles(): Promise<ProfileInfoLike[]> {
    return Promise.all(
      listProfiles(this.settings, this.env).map(async (p) => {
        const entries = this.entriesOf(p);
        const checks = await Promise.all(entries.map((e) => (e.priority === null ? Promise.resolve(null) : this.probe.isReachable(e))));
        return { profile: p.profile, entries: entries.map((e, i) => ({ ...e, reachable: checks[i] })) };
      }),
    );
  }

  async assertRunnable(profile: ModelProfile): Promise<void> {
    const p = listProfiles(this.settings, this.env).find((x) => x.profile === profile);
    const entries = p ? runnableEntries(this.entriesOf(p)) : [];
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
