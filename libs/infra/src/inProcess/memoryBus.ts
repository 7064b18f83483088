import { EventEmitter } from 'node:events';
import type { PlanSnapshot, StopSignal } from '@planexe/contracts';
import type { ProgressBus, Unsubscribe } from '../ports.ts';

/** In-process progress bus for standalone mode. Listeners get copies, as they would over a network. */
export class MemoryBus implements ProgressBus {
  private emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  async publishSnapshot(s: PlanSnapshot): Promise<void> {
    this.emitter.emit(`snap:${s.plan_id}`, structuredClone(s));
  }

  async subscribeSnapshots(planId: string, cb: (s: PlanSnapshot) => void): Promise<Unsubscribe> {
    const ev = `snap:${planId}`;
    this.emitter.on(ev, cb);
    return async () => {
      this.emitter.off(ev, cb);
    };
  }

  async publishStop(s: StopSignal): Promise<void> {
    this.emitter.emit('stop', structuredClone(s));
  }

  async subscribeStops(cb: (s: StopSignal) => void): Promise<Unsubscribe> {
    this.emitter.on('stop', cb);
    return async () => {
      this.emitter.off('stop', cb);
    };
  }

  async publishToReplica(replica: string, message: unknown): Promise<void> {
    this.emitter.emit(`replica:${replica}`, structuredClone(message));
  }

  async subscribeReplica(replica: string, cb: (message: unknown) => void): Promise<Unsubscribe> {
    const ev = `replica:${replica}`;
    this.emitter.on(ev, cb);
    return async () => {
      this.emitter.off(ev, cb);
    };
  }

  isConnected(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
