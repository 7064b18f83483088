/**
 * Matching a model's list answer back to the items it was asked about. Models renumber, rephrase or reorder ids,
 * so an answer is matched by its key first, else by position; each answer is used once.
 */

const norm = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9.]+/g, ' ').trim();

export function matchByKey<T>(itemKeys: readonly string[], answers: readonly T[], answerKey: (a: T) => string): Array<T | undefined> {
  const used = new Set<number>();
  const byKey = itemKeys.map((k) => {
    const i = answers.findIndex((a, j) => !used.has(j) && norm(answerKey(a)) === norm(k));
    if (i >= 0) used.add(i);
    return i;
  });
  return itemKeys.map((_k, n) => {
    if (byKey[n] >= 0) return answers[byKey[n]];
    if (n < answers.length && !used.has(n)) {
      used.add(n);
      return answers[n];
    }
    return undefined;
  });
}

/** The items whose key the model named, in the model's order, without duplicates; unknown keys are ignored. */
export function pickByKey<T>(items: readonly T[], itemKey: (t: T) => string, keys: readonly string[]): T[] {
  const out: T[] = [];
  for (const k of keys) {
    const hit = items.find((t) => norm(itemKey(t)) === norm(k));
    if (hit && !out.includes(hit)) out.push(hit);
  }
  return out;
}
