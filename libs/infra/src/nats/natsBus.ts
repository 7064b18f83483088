import { connect, headers as natsHeaders, DebugEvents, Events, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { PlanSnapshot, StopSignal } from '@planexe/contracts';
import type { ProgressBus, Unsubscribe } from '../ports.ts';

export type MessageHeaders = Record<string, string>;

export interface NatsBusOptions {
  /** NATS server URL(s). Default `nats://127.0.0.1:4222`. */
  servers?: string | string[];
  /** Subject namespace: `planexe.<namespace>.plan.<plan_id>.snapshot|stop`. Tests isolate with a random one. Default `v1`. */
  namespace?: string;
  /** Connection name shown by the server (monitoring). */
  name?: string;
  /** Wait between reconnect attempts (ms); reconnects never stop. Default 1000. */
  reconnectTimeWaitMs?: number;
  /** Keep retrying the first connect instead of failing fast. Default false (a deployable should crash and restart). */
  waitOnFirstConnect?: boolean;
  /** Headers (e.g. `traceparent` of the active span) added to every published message. */
  injectHeaders?: () => MessageHeaders | undefined;
  /** Runs a delivery inside the context carried by the message headers (e.g. OTel `context.with(extract(h), deliver)`). */
  withHeaders?: (headers: MessageHeaders, deliver: () => void) => void;
  /** A listener that threw, or a payload that is not JSON. Default: ignored. */
  onError?: (err: unknown) => void;
}

interface Shared {
  sub: Subscription;
  listeners: Set<(data: unknown) => void>;
}

/** Plan ids become one subject token; refuse what would change the subject's shape. */
function token(planId: string): string {
  if (!planId || /[\s.*>]/.test(planId)) throw new Error(`plan id not usable in a NATS subject: ${JSON.stringify(planId)}`);
  return planId;
}

/** A replica id becomes one subject token: letters, digits, `-` and `_` only. */
function replicaToken(replica: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(replica)) throw new Error(`replica id not usable in a NATS subject: ${JSON.stringify(replica)}`);
  return replica;
}

/**
 * ProgressBus on core NATS pub/sub (no JetStream: snapshots are whole states, so a lost one is replaced by the
 * next). Every subject has at most one NATS subscription per bus, shared by all local listeners and dropped
 * with the last one. Subscriptions are restored by the client after a reconnect.
 */
export class NatsBus implements ProgressBus {
  readonly namespace: string;
  private readonly shared = new Map<string, Shared>();
  private connected = true;
  private readonly statusLoop: Promise<void>;
  private stopStatus = () => {};
  private closing?: Promise<void>;

  private constructor(readonly connection: NatsConnection, private readonly opts: NatsBusOptions) {
    this.namespace = opts.namespace ?? 'v1';
    this.statusLoop = this.watchStatus();
  }

  static async connect(opts: NatsBusOptions = {}): Promise<NatsBus> {
    const nc = await connect({
      servers: opts.servers ?? 'nats://127.0.0.1:4222',
      name: opts.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: opts.reconnectTimeWaitMs ?? 1000,
      waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
    });
    return new NatsBus(nc, opts);
  }

  snapshotSubject(planId: string): string {
    return `planexe.${this.namespace}.plan.${token(planId)}.snapshot`;
  }

  stopSubject(planId: string): string {
    return `planexe.${this.namespace}.plan.${token(planId)}.stop`;
  }

  replicaSubject(replica: string): string {
    return `planexe.${this.namespace}.replica.${replicaToken(replica)}`;
  }

  private get stopWildcard(): string {
    return `planexe.${this.namespace}.plan.*.stop`;
  }

  /** `headers` are added to those from `injectHeaders`, e.g. `{ traceparent }`. */
  async publishSnapshot(snapshot: PlanSnapshot, headers?: MessageHeaders): Promise<void> {
    this.publish(this.snapshotSubject(snapshot.plan_id), snapshot, headers);
  }

  async subscribeSnapshots(planId: string, onSnapshot: (s: PlanSnapshot) => void): Promise<Unsubscribe> {
    return this.listen(this.snapshotSubject(planId), onSnapshot as (d: unknown) => void);
  }

  async publishStop(signal: StopSignal, headers?: MessageHeaders): Promise<void> {
    this.publish(this.stopSubject(signal.plan_id), signal, headers);
  }

  async subscribeStops(onStop: (s: StopSignal) => void): Promise<Unsubscribe> {
    return this.listen(this.stopWildcard, onStop as (d: unknown) => void);
  }

  async publishToReplica(replica: string, message: unknown, headers?: MessageHeaders): Promise<void> {
    this.publish(this.replicaSubject(replica), message, headers);
  }

  async subscribeReplica(replica: string, onMessage: (message: unknown) => void): Promise<Unsubscribe> {
    return this.listen(this.replicaSubject(replica), onMessage);
  }

  isConnected(): boolean {
    return this.connected && !this.connection.isClosed() && !this.closing;
  }

  /** NATS subscriptions this bus holds (one per subject with local listeners). */
  subscriptionCount(): number {
    return this.shared.size;
  }

  /** Local listeners on a plan's snapshots. */
  listenerCount(planId: string): number {
    return this.shared.get(this.snapshotSubject(planId))?.listeners.size ?? 0;
  }

  private publish(subject: string, payload: unknown, extra?: MessageHeaders): void {
    const all = { ...this.opts.injectHeaders?.(), ...extra };
    const keys = Object.keys(all);
    let h;
    if (keys.length) {
      h = natsHeaders();
      for (const k of keys) h.set(k, all[k]);
    }
    this.connection.publish(subject, JSON.stringify(payload), h ? { headers: h } : undefined);
  }

  private async listen(subject: string, listener: (data: unknown) => void): Promise<Unsubscribe> {
    if (this.closing) throw new Error('bus closed');
    const entry = this.shared.get(subject) ?? this.open(subject);
    // wrap so that the same function subscribed twice is two listeners, each removed once
    const own = (d: unknown) => listener(d);
    entry.listeners.add(own);
    // the SUB must reach the server before we return, so a publish right after is seen
    if (this.connected) await this.connection.flush().catch(() => {});
    return async () => {
      if (!entry.listeners.delete(own) || entry.listeners.size) return;
      if (this.shared.get(subject) === entry) this.shared.delete(subject);
      if (!this.connection.isClosed()) entry.sub.unsubscribe();
    };
  }

  private open(subject: string): Shared {
    const listeners = new Set<(data: unknown) => void>();
    const sub = this.connection.subscribe(subject, { callback: (err, msg) => (err ? this.fail(err) : this.deliver(msg, listeners)) });
    const entry = { sub, listeners };
    this.shared.set(subject, entry);
    return entry;
  }

  private deliver(msg: Msg, listeners: Set<(data: unknown) => void>): void {
    let data: unknown;
    try {
      data = JSON.parse(msg.string());
    } catch (e) {
      return this.fail(e);
    }
    const run = () => {
      // each listener gets its own copy, as the in-process bus does
      for (const l of [...listeners]) {
        try {
          l(listeners.size > 1 ? structuredClone(data) : data);
        } catch (e) {
          this.fail(e);
        }
      }
    };
    if (msg.headers && this.opts.withHeaders) {
      const h: MessageHeaders = {};
      for (const k of msg.headers.keys()) h[k] = msg.headers.get(k);
      this.opts.withHeaders(h, run);
    } else run();
  }

  private fail(e: unknown): void {
    this.opts.onError?.(e);
  }

  private async watchStatus(): Promise<void> {
    const events = this.connection.status();
    this.stopStatus = () => (events as { stop?: () => void }).stop?.();
    for await (const s of events) {
      if (s.type === Events.Disconnect || s.type === DebugEvents.Reconnecting) this.connected = false;
      else if (s.type === Events.Reconnect) this.connected = true;
    }
  }

  /** Drains (delivers what is in flight, flushes publishes) and closes the connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.shared.clear();
      if (!this.connection.isClosed()) {
        if (this.connected) await this.connection.drain().catch(() => this.connection.close());
        else await this.connection.close();
      }
      await this.connection.closed();
      this.stopStatus(); // the status iterator does not end by itself when the connection closes
      await this.statusLoop.catch(() => {});
    })();
    return this.closing;
  }
}
