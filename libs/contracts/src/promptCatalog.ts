import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CatalogPrompt {
  id: string;
  prompt: string;
  tags: string[];
  extras: Record<string, unknown>;
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses the JSON Lines prompt catalog with the loading rules of spec/pipeline.md §8. */
export function parsePromptCatalog(text: string): CatalogPrompt[] {
  const seen = new Set<string>();
  const out: CatalogPrompt[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      continue;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
    const { id, prompt, tags, ...extras } = obj as Record<string, unknown>;
    if (typeof id !== 'string' || typeof prompt !== 'string' || !id || !prompt) continue;
    if (!CANONICAL_UUID.test(id) || seen.has(id)) continue;
    seen.add(id);
    out.push({ id, prompt, tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [], extras });
  }
  return out;
}

export const FALLBACK_EXAMPLE_PROMPTS = [
  'Open a plant-based "vegan butcher" shop in Kødbyen, Copenhagen, with a budget of 10 million DKK. The shop must open in ' +
    'month 3 and turn a profit by month 12. Cover sourcing, fit-out, permits, staffing, branding and launch marketing. ' +
    'Banned words: "revolutionary", "game-changer".',
  'Set up a three-room family dental clinic in Copenhagen with a budget of 2.5 million DKK, open to patients within 12 ' +
    'months. Cover premises, equipment, clinical staff, regulatory approval, booking systems and patient acquisition.',
];

/** `samples` of example_prompts: flagged catalog prompts in file order; built-in fallback when none load. */
export function loadExamplePrompts(path = fileURLToPath(new URL('../data/example_prompts.jsonl', import.meta.url))): string[] {
  try {
    const flagged = parsePromptCatalog(readFileSync(path, 'utf8')).filter(
      (p) => p.extras.mcp_example === true || p.extras['mcp-example-prompt'] === true,
    );
    return flagged.length ? flagged.map((p) => p.prompt) : FALLBACK_EXAMPLE_PROMPTS;
  } catch {
    return FALLBACK_EXAMPLE_PROMPTS;
  }
}
