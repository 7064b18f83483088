import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { PlanSnapshot, StopSignal } from '@planexe/contracts';
import { NatsBus, type MessageHeaders, type NatsBusOptions } from '@planexe/infra';
import { NATS_URL, natsAvailable } from '@planexe/testing/infra';
import { progressBusContract, snapshotFor } from '../src/contract/busContract.ts';

const up = await natsAvailable();

const until = async (cond: () => boolean, ms = 5_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!up)('NatsBus', () => {
  // every bus of the contract shares one namespace, so two of them reach each other
  const contractNs = `t${randomUUID().slice(0, 8)}`;
  progressBusContract('NATS', () => NatsBus.connect({ servers: NATS_URL, namespace: contractNs }));

  const open: NatsBus[] = [];
  const bus = async (o: NatsBusOptions) => {
    const b = await NatsBus.connect({ servers: NATS_URL, ...o });
    open.push(b);
    return b;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('holds one NATS subscription per plan however many local listeners, and drops it with the last', async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const pub = await bus({ namespace: ns });
    const sub = await bus({ namespace: ns });
    const id = randomUUID();
    const got: number[][] = [[], [], []];
    const offs = await Promise.all(got.map((g) => sub.subscribeSnapshots(id, (s) => g.push(s.version))));
    expect(sub.subscriptionCount()).toBe(1);
    expect(sub.listenerCount(id)).toBe(3);

    const before = sub.connection.stats().inMsgs;
    await pub.publishSnapshot(snapshotFor(id, 1));
    await until(() => got.every((g) => g.length === 1));
    expect(sub.connection.stats().inMsgs - before).toBe(1); // one message off the wire, three deliveries

    await offs[0]();
    await offs[0](); // a second call changes nothing
    expect(sub.listenerCount(id)).toBe(2);
    expect(sub.subscriptionCount()).toBe(1);
    await offs[1]();
    await offs[2]();
    expect(sub.subscriptionCount()).toBe(0);
    await pub.publishSnapshot(snapshotFor(id, 2));
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([[1], [1], [1]]);
  });

  it('gives every local listener its own copy, and one listener throwing does not starve the others', async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const errors: unknown[] = [];
    const b = await bus({ namespace: ns, onError: (e) => errors.push(e) });
    const id = randomUUID();
    const got: PlanSnapshot[] = [];
    await b.subscribeSnapshots(id, (s) => {
      s.progress_message = 'mutated';
      throw new Error('listener bug');
    });
    await b.subscribeSnapshots(id, (s) => got.push(s));
    await b.publishSnapshot(snapshotFor(id, 1));
    await until(() => got.length === 1);
    expect(got[0]).toEqual(snapshotFor(id, 1));
    expect(errors).toHaveLength(1);
  });

  it('uses the documented subjects, with stop signals on a per-plan subject', async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const b = await bus({ namespace: ns });
    const id = randomUUID();
    expect(b.snapshotSubject(id)).toBe(`planexe.${ns}.plan.${id}.snapshot`);
    expect(b.stopSubject(id)).toBe(`planexe.${ns}.plan.${id}.stop`);
    const raw: string[] = [];
    const sub = b.connection.subscribe(`planexe.${ns}.plan.>`, { callback: (_e, m) => raw.push(`${m.subject} ${m.string()}`) });
    await b.connection.flush();
    await b.publishStop({ plan_id: id, attempt: 2 });
    await until(() => raw.length === 1);
    expect(raw[0]).toBe(`planexe.${ns}.plan.${id}.stop {"plan_id":"${id}","attempt":2}`);
    sub.unsubscribe();
    expect(() => b.snapshotSubject('a.b')).toThrow();
  });

  it('carries trace headers from the publisher into the subscriber\'s delivery context', async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const pub = await bus({ namespace: ns, injectHeaders: () => ({ traceparent: '00-aaaa-bbbb-01' }) });
    let current: MessageHeaders | undefined;
    const seen: (MessageHeaders | undefined)[] = [];
    const sub = await bus({
      namespace: ns,
      withHeaders: (h, deliver) => {
        current = h;
        try {
          deliver();
        } finally {
          current = undefined;
        }
      },
    });
    const id = randomUUID();
    await sub.subscribeSnapshots(id, () => seen.push(current));
    const stops: StopSignal[] = [];
    await sub.subscribeStops((s) => {
      stops.push(s);
      seen.push(current);
    });
    await pub.publishSnapshot(snapshotFor(id, 1), { baggage: 'k=v' });
    await pub.publishStop({ plan_id: id, attempt: null });
    await until(() => seen.length === 2);
    expect(seen[0]).toEqual({ traceparent: '00-aaaa-bbbb-01', baggage: 'k=v' });
    expect(seen[1]).toEqual({ traceparent: '00-aaaa-bbbb-01' });
    expect(stops).toEqual([{ plan_id: id, attempt: null }]);
  });

  it('keeps its listeners across a reconnect and reports the connection state', async () => {
    const ns = `t${randomUUID().slice(0, 8)}`;
    const pub = await bus({ namespace: ns });
    const sub = await bus({ namespace: ns, reconnectTimeWaitMs: 50 });
    const id = randomUUID();
    const got: number[] = [];
    const stops: StopSignal[] = [];
    await sub.subscribeSnapshots(id, (s) => got.push(s.version));
    await sub.subscribeStops((s) => stops.push(s));
    const states: boolean[] = [];
    const watch = setInterval(() => states.push(sub.isConnected()), 1);
    await sub.connection.reconnect();
    await until(() => states.includes(false) && sub.isConnected());
    clearInterval(watch);
    await sub.connection.flush();
    await pub.publishSnapshot(snapshotFor(id, 9));
    await pub.publishStop({ plan_id: id, attempt: 1 });
    await until(() => got.length === 1 && stops.length === 1);
    expect(got).toEqual([9]);
    await sub.close();
    expect(sub.isConnected()).toBe(false);
  });
});
