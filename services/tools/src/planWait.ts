import { publicState, ToolError, type PlanSnapshot } from '@planexe/contracts';
import type { PlanStatusView } from '@planexe/db';
import type { ConnectionSlots, ProgressBus, Unsubscribe } from '@planexe/infra';

/** What a progress notification carries: steps done of total, and the step that last reported. */
export interface ProgressReport {
  progress: number;
  total?: number;
  message?: string;
}

/** Sends one `notifications/progress` for the current request (present only when the caller passed a progressToken). */
export type ProgressSink = (p: ProgressReport) => Promise<void>;

export interface WaitRequest {
  planId: string;
  seconds: number;
  /** The address the per-client cap counts by (the gateway's forwarded client address, else the socket peer). */
  client: string;
  /** Aborted when the caller went away or cancelled: the wait ends and frees its slot. */
  signal?: AbortSignal;
  progress?: ProgressSink;
}

/**
 * Reads the plan's status row, at least as new as `minVersion` (the snapshot that announced a change: a cache may not
 * have seen it yet, since bus listeners run in subscription order). Waits woken by one snapshot share one query.
 */
export type StatusRead = (minVersion?: number) => Promise<PlanStatusView | undefined>;

const ENDED = new Set(['completed', 'failed', 'stopped']);

/** True when the snapshot is newer than the row and shows something the plan_status payload shows differently. */
export function visiblyChanged(view: PlanStatusView, s: PlanSnapshot): boolean {
  if (s.version <= Number(view.state_version)) return false;
  return (
    s.state !== publicState(view.state) ||
    s.progress_percentage !== Number(view.progress_percentage ?? 0) ||
    s.steps_completed !== view.steps_completed ||
    s.steps_total !== view.steps_total ||
    s.current_step !== view.current_step
  );
}

/**
 * plan_status `wait_seconds`: a long poll woken by the progress bus, never by polling the database.
 * The order matters: take a connection slot (waits share the SSE caps), subscribe to the plan's snapshots, read the
 * row once (the pool connection goes back as soon as the query returns), then hold nothing but the subscription
 * until a snapshot shows a visible change, the time is up, or the caller leaves; then read once more. A snapshot
 * that arrived between subscribing and reading is not lost: the newest one seen is compared with what was read.
 * While the bus cannot be subscribed a wait lasts its whole time and reads at the end (no hot loop for a client
 * that calls again at once).
 */
export class PlanWaits {
  private active = 0;
  private holding = 0;
  /** Ends every held wait now ("time is up"): set while the process drains. */
  private readonly enders = new Set<() => void>();
  private draining = false;

  constructor(
    private readonly bus: ProgressBus,
    private readonly slots: ConnectionSlots,
  ) {}

  /** Waits in progress in this process (each holds a connection slot). */
  get size(): number {
    return this.active;
  }

  /**
   * For a graceful shutdown: every held wait answers now with the state as it is, and new waits answer at once, so
   * no caller loses its answer to the closing listener (it calls again and lands on another replica).
   */
  drain(): void {
    this.draining = true;
    for (const end of this.enders) end();
  }

  /** Waits past their first read, holding only their bus subscription and slot. */
  get waiting(): number {
    return this.holding;
  }

  async wait(req: WaitRequest, read: StatusRead): Promise<PlanStatusView | undefined> {
    const slot = await this.slots.reserve(req.client);
    if (!slot.ok) {
      throw new ToolError(
        'SSE_CONNECTION_LIMIT',
        `plan_status wait refused: ${slot.message} (waits and SSE streams share it); call again without wait_seconds, or once a wait or stream has ended`,
      );
    }
    this.active++;
    let off: Unsubscribe | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      let newest: PlanSnapshot | undefined;
      let baseline: PlanStatusView | undefined;
      let wake: () => void = () => {};
      off = await this.bus
        .subscribeSnapshots(req.planId, (s) => {
          if (newest && s.version <= newest.version) return;
          newest = s;
          if (baseline && visiblyChanged(baseline, s)) wake();
        })
        .catch(() => undefined);
      const first = await read();
      if (!first || ENDED.has(publicState(first.state)) || req.signal?.aborted) return first;
      await notify(req.progress, first);
      let changed = !!newest && visiblyChanged(first, newest);
      if (!changed && !this.draining) {
        baseline = first;
        this.holding++;
        let end: (() => void) | undefined;
        try {
          changed = await new Promise<boolean>((resolve) => {
            wake = () => resolve(true);
            timer = setTimeout(() => resolve(false), req.seconds * 1000);
            onAbort = () => resolve(false);
            req.signal?.addEventListener('abort', onAbort, { once: true });
            if (req.signal?.aborted) resolve(false); // gone while the first progress notification was sent
            end = () => resolve(false);
            this.enders.add(end);
          });
        } finally {
          this.holding--;
          if (end) this.enders.delete(end);
        }
      }
      if (req.signal?.aborted) return first; // nobody is listening for the answer
      const last = await read(changed ? newest?.version : undefined);
      if (last && changed) await notify(req.progress, last, first);
      return last;
    } finally {
      clearTimeout(timer);
      if (onAbort) req.signal?.removeEventListener('abort', onAbort);
      await off?.().catch(() => {});
      await this.slots.release(slot.holder);
      this.active--;
    }
  }
}

/**
 * One progress notification: steps done (of total) and the current step. Progress must increase from one
 * notification to the next (MCP), so an unchanged step count is not sent twice. A failed send (a 2025 JSON
 * answer that cannot carry it, a client gone) never fails the call.
 */
async function notify(sink: ProgressSink | undefined, view: PlanStatusView, previous?: PlanStatusView): Promise<void> {
  if (!sink) return;
  const done = stepsDone(view);
  if (previous && done <= stepsDone(previous)) return;
  await sink({ progress: done, ...(view.steps_total != null ? { total: view.steps_total } : {}), ...(view.current_step ? { message: view.current_step } : {}) }).catch(() => {});
}

const stepsDone = (v: PlanStatusView) => (publicState(v.state) === 'completed' && v.steps_total != null ? v.steps_total : (v.steps_completed ?? 0));
