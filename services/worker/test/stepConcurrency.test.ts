import { describe, it, expect } from 'vitest';
import type { z } from 'zod';
import type { StepContext, StepDef } from '../src/engine/stepTypes.ts';
import { criticalPath, StepTimeline, workBelow } from '../src/engine/criticalPath.ts';
import { executeGraph } from '../src/engine/executor.ts';
import { mapBounded, STEP_CALL_CONCURRENCY } from '../src/pipeline/boundedMap.ts';
import { REVIEW_THEMES, reviewPlanStep } from '../src/pipeline/steps/reviewPlan.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('independent model calls inside a step', () => {
  it('mapBounded keeps at most `limit` in flight and returns results in input order, whatever order they finish in', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([50, 10, 40, 5, 30, 1, 20], async (ms, i) => {
      most = Math.max(most, ++inFlight);
      await tick(ms);
      inFlight--;
      return i;
    }, 3);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('mapBounded starts nothing new after a failure, waits for the calls in flight, then throws the first error', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapBounded([0, 1, 2, 3, 4, 5], async (i) => {
      started.push(i);
      await tick(i === 0 ? 5 : 30);
      settled++;
      if (i === 0) throw new Error('first');
      return i;
    }, 2);
    await expect(run).rejects.toThrow('first');
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(2);
  });

  it('ReviewPlan asks its 16 themes 4 at a time and writes the answers in theme order', async () => {
    let inFlight = 0;
    let most = 0;
    const asked: string[] = [];
    const ctx = {
      planId: 'p',
      prompt: 'a bakery',
      startDate: new Date(0),
      speed: 'all_details_but_slow',
      signal: new AbortController().signal,
      has: () => false,
      read: () => '',
      readJson: () => ({}),
      llmText: async () => '',
      llmJson: async <S extends z.ZodType>(_schema: S, messages: { content: unknown }[]) => {
        const request = String(messages.at(-1)!.content);
        const theme = REVIEW_THEMES.findIndex(([t]) => request.includes(`Theme: ${t}.`));
        asked.push(REVIEW_THEMES[theme][0]);
        most = Math.max(most, ++inFlight);
        await tick(40 - 2 * theme); // later themes answer first
        inFlight--;
        return { points: [{ headline: `h${theme}`, detail: `d${theme}` }] } as z.output<S>;
      },
    } as unknown as StepContext;
    const out = await reviewPlanStep.run(ctx);
    expect(most).toBe(STEP_CALL_CONCURRENCY);
    expect(asked).toHaveLength(16);
    const answers = JSON.parse(String(out['review_plan_raw.json'])) as Array<{ theme: string; points: { headline: string }[] }>;
    expect(answers.map((a) => a.theme)).toEqual(REVIEW_THEMES.map(([t]) => t));
    expect(answers.map((a) => a.points[0].headline)).toEqual(REVIEW_THEMES.map((_, i) => `h${i}`));
  });
});

describe('critical path of the step graph', () => {
  it('weighs each step by the time a call was in flight (overlapping calls once) and takes the longest chain', async () => {
    let now = 0;
    const t = new StepTimeline(() => now);
    const call = (step: string, from: number, to: number) => {
      now = from;
      const p = t.call(step, async () => {});
      now = to;
      return p;
    };
    // A: one call 0–200; B: two overlapping calls 200–400 and 250–450, then one 500–700; C: 200–300
    await call('A', 0, 200);
    await call('B', 200, 400);
    await call('B', 250, 450);
    await call('B', 500, 700);
    await call('C', 200, 300);
    expect(t.llmMs('B')).toBe(450);
    expect(t.llmMs('none')).toBe(0);
    const step = (name: string, deps: string[]): StepDef => ({ name, deps, outputs: [], llm: true, run: async () => ({}) });
    // declared out of order on purpose: D depends on B and C, which depend on A
    const steps = [step('D', ['B', 'C']), step('B', ['A']), step('C', ['A']), step('A', [])];
    const path = criticalPath(steps, (n) => t.llmMs(n));
    expect(path).toEqual({ ms: 200 + 450, steps: ['A', 'B', 'D'] });
  });
});

describe('step order when slots are scarce', () => {
  it('starts the ready step with the most model work depending on it first', async () => {
    const step = (name: string, deps: string[], llm = true): StepDef => ({ name, deps, outputs: [], llm, run: async () => ({}) });
    // side (no dependents) is declared first; head leads a chain of three LLM steps
    const steps = [step('side', []), step('head', []), step('mid', ['head']), step('tail', ['mid']), step('note', ['side'], false)];
    expect(Object.fromEntries(workBelow(steps))).toEqual({ side: 1.1, head: 3, mid: 2, tail: 1, note: 0.1 });
    const order: string[] = [];
    await executeGraph(steps, 1, { isDone: () => false, runStep: async (s) => (order.push(s.name), {}), onStepDone: async () => {} }, new AbortController().signal);
    expect(order).toEqual(['head', 'mid', 'side', 'tail', 'note']);
  });
});
