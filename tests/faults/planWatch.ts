/**
 * What a client sees of a plan, recorded to be judged: every SSE `status`/`complete` event through a gateway and
 * every plan_status answer. Progress (percentage, steps_completed, files_count) must never go down.
 */
import { EventSource } from 'eventsource';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { payloadOf } from '../harness/testServer.ts';

export interface Decrease {
  source: 'sse' | 'plan_status';
  field: string;
  from: number;
  to: number;
}

export class PlanWatch {
  readonly decreases: Decrease[] = [];
  readonly sseProgress: number[] = [];
  completeState: string | null = null;
  readonly complete: Promise<string>;
  private es: EventSource;
  private last = new Map<string, number>();

  private closed = false;
  readonly reconnects: number[] = [];

  constructor(
    readonly planId: string,
    private readonly gateway: string,
  ) {
    let resolveComplete!: (s: string) => void;
    this.complete = new Promise((resolve) => (resolveComplete = resolve));
    this.es = this.open(resolveComplete);
  }

  /**
   * One EventSource; like any robust client, a stream the server refused during an outage (EventSource gives up
   * on a non-200 answer) is opened again a second later. A late joiner gets the current state first.
   */
  private open(resolve: (s: string) => void): EventSource {
    const es = new EventSource(`${this.gateway}/sse/plan/${this.planId}`);
    es.addEventListener('error', () => {
      if (es.readyState !== EventSource.CLOSED || this.closed || this.completeState) return;
      this.reconnects.push(Date.now());
      setTimeout(() => {
        if (!this.closed) this.es = this.open(resolve);
      }, 1_000);
    });
    es.addEventListener('status', (e) => {
      const d = JSON.parse((e as MessageEvent).data);
      this.sseProgress.push(d.progress_percentage);
      this.check('sse', 'progress_percentage', Number(d.progress_percentage));
    });
    es.addEventListener('complete', (e) => {
      this.completeState = JSON.parse((e as MessageEvent).data).state;
      es.close();
      resolve(this.completeState!);
    });
    return es;
  }

  /** The state of the `complete` event, or a failure after `ms`. */
  completed(ms = 60_000): Promise<string> {
    return Promise.race([this.complete, new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`no complete event for ${this.planId} in ${ms} ms`)), ms).unref())]);
  }

  /** Records one plan_status answer. */
  status(s: { progress_percentage: number; steps_completed: number | null; files_count: number }): void {
    this.check('plan_status', 'progress_percentage', Number(s.progress_percentage));
    if (s.steps_completed != null) this.check('plan_status', 'steps_completed', s.steps_completed);
    this.check('plan_status', 'files_count', s.files_count);
  }

  private check(source: Decrease['source'], field: string, v: number) {
    const k = `${source}:${field}`;
    const prev = this.last.get(k);
    if (prev !== undefined && v < prev) this.decreases.push({ source, field, from: prev, to: v });
    this.last.set(k, Math.max(prev ?? v, v));
  }

  close(): void {
    this.closed = true;
    this.es.close();
  }
}

/** Polls plan_status of every watched plan until each is completed (or the deadline passes); returns the states. */
export async function pollUntilDone(client: () => Client, watches: PlanWatch[], deadlineMs: number): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    for (const w of watches) {
      if (states[w.planId] === 'completed' || states[w.planId] === 'failed') continue;
      try {
        const s = payloadOf(await client().callTool({ name: 'plan_status', arguments: { plan_id: w.planId } }));
        if (s.error?.code) continue; // an outage answer (SERVICE_UNAVAILABLE): ask again
        w.status(s);
        states[w.planId] = s.state;
      } catch {
        // a transport error during a fault: ask again
      }
    }
    if (watches.every((w) => states[w.planId] === 'completed' || states[w.planId] === 'failed')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return states;
}
