import type { StepDef } from './stepTypes.ts';

/**
 * When each step was waiting on the model: the union of its LLM calls' intervals (calls run side by side inside a
 * step count once). That is the step's weight in the critical path: at a fixed model latency it is the step's
 * rounds of calls × the latency, measured rather than assumed.
 */
export class StepTimeline {
  private readonly calls = new Map<string, Array<[number, number]>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs one LLM call of `step`, recording its interval (also when it fails). */
  async call<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const t0 = this.now();
    try {
      return await fn();
    } finally {
      const list = this.calls.get(step) ?? [];
      list.push([t0, this.now()]);
      this.calls.set(step, list);
    }
  }

  /** Milliseconds during which at least one call of `step` was in flight. */
  llmMs(step: string): number {
    const spans = [...(this.calls.get(step) ?? [])].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [from, to] = [-Infinity, -Infinity];
    for (const [a, b] of spans) {
      if (a > to) {
        if (to > from) total += to - from;
        [from, to] = [a, b];
      } else to = Math.max(to, b);
    }
    if (to > from) total += to - from;
    return total;
  }
}

export interface CriticalPath {
  /** The longest dependency chain's model time, ms. */
  ms: number;
  /** Its steps, first to last. */
  steps: string[];
}

/** The longest chain of the step graph by weight (the graph is acyclic: the executor refuses anything else). */
export function criticalPath(steps: ReadonlyArray<StepDef>, weight: (step: string) => number): CriticalPath {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const best = new Map<string, CriticalPath>();
  const chainTo = (name: string): CriticalPath => {
    const known = best.get(name);
    if (known) return known;
    let before: CriticalPath = { ms: 0, steps: [] };
    for (const d of byName.get(name)?.deps ?? []) {
      const b = byName.has(d) ? chainTo(d) : before;
      if (b.ms > before.ms) before = b;
    }
    const c = { ms: before.ms + weight(name), steps: [...before.steps, name] };
    best.set(name, c);
    return c;
  };
  let top: CriticalPath = { ms: 0, steps: [] };
  for (const s of steps) {
    const c = chainTo(s.name);
    if (c.ms > top.ms) top = c;
  }
  return top;
}

/**
 * How much model work still hangs below each step: its own weight (an LLM step 1, another 0.1) plus the heaviest
 * chain of steps that depend on it. Starting the ready step with the most work below it first keeps a slot
 * limit (luigi_workers) from delaying the critical path behind side branches.
 */
export function workBelow(steps: ReadonlyArray<StepDef>): Map<string, number> {
  const dependents = new Map<string, StepDef[]>();
  for (const s of steps) for (const d of s.deps) dependents.set(d, [...(dependents.get(d) ?? []), s]);
  const below = new Map<string, number>();
  const of = (s: StepDef): number => {
    const known = below.get(s.name);
    if (known !== undefined) return known;
    below.set(s.name, 0); // a cycle ends here (the executor reports it as unsatisfiable)
    const w = (s.llm ? 1 : 0.1) + Math.max(0, ...(dependents.get(s.name) ?? []).map(of));
    below.set(s.name, w);
    return w;
  };
  for (const s of steps) of(s);
  return below;
}
