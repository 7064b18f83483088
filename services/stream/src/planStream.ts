import type { ServerResponse } from 'node:http';
import type { PlanState } from '@planexe/contracts';
import type { FeedListener, PlanFeeds } from './planFeeds.ts';
import { completeEvent, heartbeatEvent, isTerminal, notFoundEvent, statusEvent, timeoutEvent, type PlanUpdate } from './planEvents.ts';
import { finishResponse, isWritable, sseComment } from './sseWire.ts';

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

// Per-connection memory matters (15,000 streams per process): the response and the timer call these shared
// functions with the stream as an argument instead of holding two closures per stream.
const STREAM = Symbol('planStream');
function onResponseClose(this: ServerResponse & { [STREAM]?: PlanStream }) {
  this[STREAM]?.end();
}
function onStreamTimer(stream: PlanStream) {
  stream.tick();
}

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

  /**
   * @param planId the path value, echoed verbatim in payloads
   * @param key the canonical plan UUID, or null when the path value is not a UUID ("not found")
   * @param lastVersion the client's Last-Event-ID: states up to this version are not sent again
   * @param onEnd called once when the stream has ended, for any reason
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly planId: string,
    private readonly key: string | null,
    private readonly feeds: PlanFeeds,
    private readonly t: StreamTimings,
    private lastVersion: number,
    private readonly onEnd: (s: PlanStream) => void,
  ) {}

  /** Starts the stream: resolves once the first state is sent (the stream then lives on by itself). */
  async start(): Promise<void> {
    (this.res as ServerResponse & { [STREAM]?: PlanStream })[STREAM] = this;
    this.res.once('close', onResponseClose);
    if (!this.key) return this.finish(notFoundEvent(this.planId));
    let first: PlanUpdate | null;
    try {
      first = await this.feeds.join(this.key, this);
    } catch (e) {
      this.res.destroy(); // no event: the client reconnects after the retry hint
      this.end();
      throw e;
    }
    if (this.ended) return;
    if (!first) this.finish(notFoundEvent(this.planId));
    // a plan that is already over always yields its `complete`, even to a client that saw that version before
    else if (isTerminal(first)) this.finish(completeEvent(this.planId, first, Date.now()));
    else this.onUpdate(first);
    if (!this.ended) this.arm();
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

  /** The timer fired: maximum age, heartbeat or keep-alive comment, whichever is due. */
  tick(): void {
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
  }

  private heartbeatPeriod(): number {
    return Math.max(this.t.heartbeatIntervalMs, this.t.pollIntervalMs);
  }

  private arm(): void {
    const next = Math.min(
      this.lastEventAt + this.heartbeatPeriod(),
      this.lastWriteAt + this.t.keepAliveMs,
      this.startedAt + this.t.maxDurationSeconds * 1000,
    );
    this.timer = setTimeout(onStreamTimer, Math.max(0, next - Date.now()), this);
    this.timer.unref();
  }

  private write(chunk: string): void {
    const res = this.res;
    if (!isWritable(res)) return this.end();
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
    finishResponse(this.res, chunk);
    this.end();
  }

  /** Ends the stream without writing (the client went away, or after finish). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.res.off('close', onResponseClose);
    (this.res as ServerResponse & { [STREAM]?: PlanStream })[STREAM] = undefined;
    if (this.key) this.feeds.leave(this.key, this);
    this.onEnd(this);
  }
}
