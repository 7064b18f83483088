import type { StepDef, StepOutputs } from './stepTypes.ts';
import { workBelow } from './criticalPath.ts';

export interface ExecutorHooks {
  /** Whether every declared output of a step already exists (persisted earlier: skip it). */
  isDone(step: StepDef): boolean;
  runStep(step: StepDef): Promise<StepOutputs>;
  onStepDone(step: StepDef, outputs: StepOutputs): Promise<void>;
}

export class StepFailed extends Error {
  constructor(
    readonly step: StepDef,
    override readonly cause: unknown,
  ) {
    super(`step ${step.name} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepFailed';
  }
}

/**
 * Runs a step graph: a step starts when all its dependencies are done, at most `parallelism` at once, the one with
 * the most work depending on it first.
 * Finished steps are skipped. The first failure stops scheduling new steps; running ones are awaited, then the
 * failure is thrown. `signal` aborts scheduling.
 */
export async function executeGraph(steps: StepDef[], parallelism: number, hooks: ExecutorHooks, signal: AbortSignal): Promise<void> {
  const done = new Set<string>();
  for (const s of steps) if (hooks.isDone(s)) done.add(s.name);
  const pending = steps.filter((s) => !done.has(s.name));
  const running = new Map<string, Promise<void>>();
  let failure: unknown;

  const below = workBelow(steps);
  const ready = () =>
    pending.filter((s) => !running.has(s.name) && s.deps.every((d) => done.has(d))).sort((a, b) => below.get(b.name)! - below.get(a.name)!);
  while (pending.length || running.size) {
    if (!failure && !signal.aborted) {
      for (const s of ready()) {
        if (running.size >= Math.max(1, parallelism)) break;
        const p = (async () => {
          try {
            const out = await hooks.runStep(s);
            const missing = s.outputs.filter((o) => !(o in out));
            if (missing.length) throw new Error(`did not produce ${missing.join(', ')}`);
            await hooks.onStepDone(s, out);
            done.add(s.name);
            pending.splice(pending.indexOf(s), 1);
          } catch (err) {
            failure ??= err instanceof StepFailed ? err : new StepFailed(s, err);
          } finally {
            running.delete(s.name);
          }
        })();
        running.set(s.name, p);
      }
    }
    if (!running.size) {
      if (failure) throw failure;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (pending.length) throw new Error(`unsatisfiable dependencies: ${pending.map((s) => s.name).join(', ')}`);
      return;
    }
    await Promise.race(running.values());
  }
  if (failure) throw failure;
}
