import type { ServerResponse } from 'node:http';
import type { PlanState } from '@planexe/contracts';
import type { FeedListener, PlanFeeds } from './planFeeds.ts';
import { completeEvent, heartbeatEvent, isTerminal, notFoundEvent, statusEvent, timeoutEvent, type PlanUpdate } from './planEvents.ts';
import { sseComment } from './sseWire.ts';

export interface StreamTimings {
  /** PLANEXE_SSE_POLL_INTERVAL in ms: also the shortest heartbeat period (upstream heartbeats only on a poll). */
  pollIntervalMs: number;
  /** PLANEXE_SSE_HEARTBEAT_INTERVAL in ms: silence (no status/heartbeat) before a heartbeat. */
  heartbeatIntervalMs: number;
  /** PLANEXE_SSE_MAX_DURATION, seconds. */
  maxDurationSeconds: number;
  /** Longest write silence before a `: keep-alive` comment (≤ 15 s whatever the heartbeat setting). */
  keepAliveMs: number;
}

/** A reader that stopped reading: past this much buffered output the connection is dropped. */
const MAX_BUFFERED_BYTES = 256 * 1024;

/**
 * One client's stream of one plan (spec/sse.md §4, push-driven): the first state, a `status` whenever state or
 * progress differ from the last sent one, a `heartbeat` after silence, `complete` on a terminal state, `error`
 * for a missing plan or the maximum age. One timer per stream, armed for the next of: heartbeat, keep-alive
 * comment, maximum age. The response headers and the retry hint are already written by the caller.
 */
export class PlanStream implements FeedListener {
  private ended = false;
  private lastState?: PlanState;
  private lastProgress?: number;
  private readonly startedAt = Date.now();
  private lastEventAt = this.startedAt;
  private lastWriteAt = this.startedAt;
  private timer?: NodeJS.Timeout;
  private resolveFinished!: () => void;
  /** Settles when the stream has ended for any reason (it never rejects). */
  readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

  /**
   * @param planId the path value, echoed verbatim in payloads
   * @param key the canonical plan UUID, or null when the path value is not a UUID ("not found")
   * @param lastVersion the client's Last-Event-ID: states up to this version are not sent again
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly planId: string,
    private readonly key: string | null,
    private readonly feeds: PlanFeeds,
    private readonly t: StreamTimings,
    private lastVersion = 0,
  ) {}

  /** Runs the stream; resolves when it has ended. */
  async run(): Promise<void> {
    this.res.once('close', this.onClose);
    if (!this.key) {
      this.finish(notFoundEvent(this.planId));
      return this.finished;
    }
    let first: PlanUpdate | null;
    try {
      first = await this.feeds.join(this.key, this);
    } catch (e) {
      this.res.destroy(); // no event: the client reconnects after the retry hint
      this.end();
      throw e;
    }
    if (this.ended) return this.finished;
    if (!first) this.finish(notFoundEvent(this.planId));
    // a plan that is already over always yields its `complete`, even to a client that saw that version before
    else if (isTerminal(first)) this.finish(completeEvent(this.planId, first, Date.now()));
    else this.onUpdate(first);
    if (!this.ended) this.arm();
    return this.finished;
  }

  onUpdate(u: PlanUpdate): void {
    if (this.ended || u.version <= this.lastVersion) return;
    const now = Date.now();
    if (now - this.startedAt >= this.t.maxDurationSeconds * 1000) return this.finish(timeoutEvent(this.t.maxDurationSeconds));
    this.lastVersion = u.version;
    if (isTerminal(u)) return this.finish(completeEvent(this.planId, u, now));
    if (u.state !== this.lastState || u.progress !== this.lastProgress) {
      this.lastState = u.state;
      this.lastProgress = u.progress;
      this.lastEventAt = now;
      this.write(statusEvent(this.planId, u, now));
    } else if (now - this.lastEventAt >= this.t.heartbeatIntervalMs) {
      // an unchanged state is upstream's "poll with no change"
      this.lastEventAt = now;
      this.write(heartbeatEvent(now));
    }
  }

  onMissing(): void {
    this.finish(notFoundEvent(this.planId));
  }

  /** Ends the stream with a comment telling the client to reconnect (it lands on another replica). */
  drain(): void {
    this.finish(sseComment('reconnect: this server is shutting down'));
  }

  private readonly onClose = () => this.end();

  private readonly onTimer = () => {
    this.timer = undefined;
    if (this.ended) return;
    const now = Date.now();
    if (now - this.startedAt >= this.t.maxDurationSeconds * 1000) return this.finish(timeoutEvent(this.t.maxDurationSeconds));
    if (now - this.lastEventAt >= this.heartbeatPeriod()) {
      this.lastEventAt = now;
      this.write(heartbeatEvent(now));
    } else if (now - this.lastWriteAt >= this.t.keepAliveMs) {
      this.write(sseComment('keep-alive'));
    }
    if (!this.ended) this.arm();
  };

  private heartbeatPeriod(): number {
    return Math.max(this.t.heartbeatIntervalMs, this.t.pollIntervalMs);
  }

  private arm(): void {
    const next = Math.min(
      this.lastEventAt + this.heartbeatPeriod(),
      this.lastWriteAt + this.t.keepAliveMs,
      this.startedAt + this.t.maxDurationSeconds * 1000,
    );
    this.timer = setTimeout(this.onTimer, Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private write(chunk: string): void {
    const res = this.res;
    if (res.destroyed || res.writableEnded) return this.end();
    res.write(chunk);
    this.lastWriteAt = Date.now();
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      this.end();
    }
  }

  /** Writes the last chunk, ends the response and the stream. */
  private finish(chunk: string): void {
    if (this.ended) return;
    this.write(chunk);
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.res.off('close', this.onClose);
    if (this.key) this.feeds.leave(this.key, this);
    this.resolveFinished();
  }
}
