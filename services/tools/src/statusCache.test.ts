import { describe, it, expect } from 'vitest';
import { MemoryBus } from '@planexe/infra';
import type { PlanStatusView } from '@planexe/db';
import { StatusCache } from './statusCache.ts';

const view = (version: number, state = 'processing'): PlanStatusView => ({ id: 'p1', state_version: String(version), state, user_id: 'u' }) as unknown as PlanStatusView;
const snap = (version: number) => ({ plan_id: 'p1', version, state: 'processing' as const, progress_percentage: 0, progress_message: null, steps_completed: null, steps_total: null, current_step: null, created_at: null, last_progress_at: null, stop_requested: false, failure_reason: null, error_message: null, recoverable: null });

describe('StatusCache', () => {
  it('serves repeated reads from memory and reloads after a newer snapshot event', async () => {
    const bus = new MemoryBus();
    const cache = new StatusCache(bus, { maxAgeMs: 60_000 });
    let loads = 0;
    let version = 1;
    const load = async () => (loads++, view(version));
    expect((await cache.get('p1', load))?.state_version).toBe('1');
    await cache.get('p1', load);
    expect(loads).toBe(1);
    version = 2;
    await bus.publishSnapshot(snap(2));
    expect((await cache.get('p1', load))?.state_version).toBe('2');
    expect(loads).toBe(2);
    cache.invalidate('p1');
    await cache.get('p1', load);
    expect(loads).toBe(3);
    await cache.close();
  });

  it('never stores a row older than an event it has seen', async () => {
    const bus = new MemoryBus();
    const cache = new StatusCache(bus, { maxAgeMs: 60_000 });
    let loads = 0;
    const slowStale = async () => {
      loads++;
      await bus.publishSnapshot(snap(5)); // a write lands while the old row is in flight
      return view(4);
    };
    await cache.get('p1', slowStale);
    await cache.get('p1', async () => (loads++, view(5)));
    expect(loads).toBe(2);
    await cache.close();
  });

  it('is bypassed while the bus is disconnected, and entries expire', async () => {
    const bus = new MemoryBus();
    let connected = false;
    bus.isConnected = () => connected;
    const cache = new StatusCache(bus, { maxAgeMs: 50 });
    let loads = 0;
    const load = async () => (loads++, view(1));
    await cache.get('p1', load);
    await cache.get('p1', load);
    expect(loads).toBe(2);
    connected = true;
    await cache.get('p1', load);
    await new Promise((r) => setTimeout(r, 80));
    await cache.get('p1', load);
    expect(loads).toBe(4);
    expect(cache.size).toBe(1);
    await cache.close();
  });

  it('a reader that saw a newer snapshot than the cache gets a newer row, and concurrent misses share one load', async () => {
    const bus = new MemoryBus();
    const cache = new StatusCache(bus, { maxAgeMs: 60_000 });
    let loads = 0;
    let version = 1;
    const load = async () => (loads++, await new Promise((r) => setTimeout(r, 20)), view(version));
    await cache.get('p1', load);
    version = 2; // the row changed; this reader's own bus listener saw version 2 before the cache's did
    const rows = await Promise.all(Array.from({ length: 5 }, () => cache.get('p1', load, 2)));
    expect(rows.map((r) => r?.state_version)).toEqual(['2', '2', '2', '2', '2']);
    expect(loads).toBe(2);
    await cache.close();
  });
});
