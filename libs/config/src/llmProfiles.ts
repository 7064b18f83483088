import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_PROFILES, type ModelProfile } from '@planexe/contracts';

/** The repository's own llm_config folder (shipped baseline/premium/frontier/custom profiles). */
export const REPO_LLM_CONFIG_DIR = fileURLToPath(new URL('../../../llm_config/', import.meta.url));

const CUSTOM_NAME = /^[a-z0-9_]{3,}\.json$/;

export interface LlmProfileSettings {
  PLANEXE_CONFIG_PATH?: string;
  PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: string;
  PLANEXE_LLM_CONFIG_WHITELISTED_CLASSES?: string;
}

/** File name of a profile; custom uses the strict name rule of spec/pipeline.md §6.2 (invalid → baseline.json). */
export function profileFileName(profile: ModelProfile, customFileName: string): string {
  if (profile !== 'custom') return `${profile}.json`;
  const f = customFileName.trim();
  if (!CUSTOM_NAME.test(f) || f.includes('/') || f.includes('\\') || isAbsolute(f)) return 'baseline.json';
  return f;
}

/** Search order: $PLANEXE_CONFIG_PATH/llm_config, $PLANEXE_CONFIG_PATH, ./llm_config, ., the repository's llm_config. */
export function findProfileFile(fileName: string, s: LlmProfileSettings, cwd = process.cwd()): string | undefined {
  const dirs: string[] = [];
  const cp = s.PLANEXE_CONFIG_PATH;
  if (cp && isAbsolute(cp) && existsSync(cp) && statSync(cp).isDirectory()) dirs.push(join(cp, 'llm_config'), cp);
  dirs.push(join(cwd, 'llm_config'), cwd, REPO_LLM_CONFIG_DIR);
  for (const d of dirs) {
    const p = join(d, fileName);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

export interface LlmEntry {
  key: string;
  providerClass: string | null;
  model: string | null;
  priority: number | null;
  luigiWorkers: number | null;
  arguments: Record<string, unknown>;
  pricing?: { input_per_million_tokens?: number; output_per_million_tokens?: number };
}

export function whitelist(s: LlmProfileSettings): string[] | undefined {
  const list = (s.PLANEXE_LLM_CONFIG_WHITELISTED_CLASSES ?? '')
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  return list.length ? list : undefined;
}

/** Replaces string values of the exact form `${NAME}` with the environment value (unknown names kept as-is). */
export function substituteEnv(args: Record<string, unknown>, env: Record<string, string | undefined> = process.env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    const m = typeof v === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v) : null;
    out[k] = m && env[m[1]] !== undefined ? env[m[1]] : v;
  }
  return out;
}

/**
 * Every object entry of a profile file, class-whitelisted, `${ENV}`-substituted, sorted by (priority or 999999,
 * key). Non-object entries (e.g. a `_comment` string) are ignored. Unreadable or non-object files → [].
 */
export function readProfileEntries(path: string | undefined, s: LlmProfileSettings, env = process.env): LlmEntry[] {
  if (!path) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return [];
  const wl = whitelist(s);
  const entries: LlmEntry[] = [];
  for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const e = raw as Record<string, any>;
    const cls = typeof e.class === 'string' ? e.class : null;
    if (wl && (!cls || !wl.includes(cls.toLowerCase()))) continue;
    const args = e.arguments && typeof e.arguments === 'object' && !Array.isArray(e.arguments) ? substituteEnv(e.arguments, env) : {};
    const prio = Number.isInteger(e.priority) ? e.priority : Number.isInteger(e.prio) ? e.prio : null;
    entries.push({
      key,
      providerClass: cls,
      model: typeof args.model === 'string' ? args.model : null,
      priority: prio,
      luigiWorkers: Number.isInteger(e.luigi_workers) && e.luigi_workers >= 1 ? e.luigi_workers : null,
      arguments: args,
      pricing: e.pricing && typeof e.pricing === 'object' ? e.pricing : undefined,
    });
  }
  return entries.sort((a, b) => (a.priority ?? 999999) - (b.priority ?? 999999) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface ProfileListing {
  profile: ModelProfile;
  file: string | undefined;
  entries: LlmEntry[];
}

/** One profile's file and its entries. */
export function readProfile(profile: ModelProfile, s: LlmProfileSettings, env = process.env): ProfileListing {
  const file = findProfileFile(profileFileName(profile, s.PLANEXE_LLM_CONFIG_CUSTOM_FILENAME), s);
  return { profile, file, entries: readProfileEntries(file, s, env) };
}

/** All four profiles with their entries, for model_profiles. */
export function listProfiles(s: LlmProfileSettings, env = process.env): ProfileListing[] {
  return MODEL_PROFILES.map((profile) => readProfile(profile, s, env));
}

/** The run's model list: prioritised entries in priority order (ties keep file order per spec; key order here). */
export function runnableEntries(entries: LlmEntry[]): LlmEntry[] {
  return entries.filter((e) => e.priority !== null);
}
