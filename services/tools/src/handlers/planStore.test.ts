import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { publicState, type PlanSnapshot } from '@planexe/contracts';
import { getPlan, getPlanStatusView, PlanStore, type DbHandle, type Progress, type RunKey } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { StatusCache } from '../statusCache.ts';

const progress = (percentage: number): Progress => ({ percentage, message: `at ${percentage}`, stepsCompleted: 1, stepsTotal: 10, currentStep: 'Step' });
const noArtifacts = { reportHtml: null, zip: null, activityOverview: null };

describe.skipIf(!(await postgresAvailable()))('the plan store announces each write once, in one place (Postgres)', () => {
  let h: DbHandle;
  const bus = new MemoryBus();
  const cache = new StatusCache(bus, { maxAgeMs: 60_000 });
  const failures: string[] = [];
  let store: PlanStore;
  beforeAll(async () => {
    h = await createTestPostgresDb();
    store = new PlanStore(h.db, { snapshots: bus, statusCache: cache, onPublishFailed: (id) => failures.push(id) });
  });
  afterAll(async () => {
    await cache.close();
    await h?.close();
  });

  /** Runs a write on a plan whose status is cached; returns the snapshots it published and whether the cache reloaded. */
  async function observe(planId: string, write: () => Promise<unknown>) {
    const seen: PlanSnapshot[] = [];
    const off = await bus.subscribeSnapshots(planId, (s) => seen.push(s));
    let loads = 0;
    const load = () => {
      loads++;
      return getPlanStatusView(h.db, planId, undefined);
    };
    if (await cache.get(planId, load)) {
      const primed = loads;
      await cache.get(planId, load);
      expect(loads).toBe(primed); // cached before the write
    }
    const before = loads;
    await write();
    const cached = await cache.get(planId, load);
    await off();
    const row = (await getPlan(h.db, planId, undefined))!;
    return { seen, reloaded: loads > before, row, cached };
  }

  async function expectAnnounced(planId: string, write: () => Promise<unknown>, state: string) {
    const { seen, reloaded, row, cached } = await observe(planId, write);
    expect(row.state).toBe(state);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ plan_id: planId, version: Number(row.state_version), state: publicState(row.state) });
    expect(reloaded).toBe(true);
    expect(cached?.state_version).toBe(row.state_version);
  }

  async function expectSilent(planId: string, write: () => Promise<unknown>) {
    const { seen, reloaded } = await observe(planId, write);
    expect(seen).toEqual([]);
    expect(reloaded).toBe(false);
  }

  it('create, claim, persist step, progress, fail, resume, takeover, reap, retry, stop and the stopped run’s last write', async () => {
    const id = randomUUID();
    await expectAnnounced(id, () => store.create({ id, prompt: 'Open a bakery', userId: 'admin', apiKeyId: null, parameters: { model_profile: 'baseline', pipeline_version: 2 } }), 'pending');
    const run1: RunKey = { planId: id, attempt: 0, workerId: 'w1' };
    await expectAnnounced(id, () => store.claim(run1, 'w1', 60), 'processing');
    await expectAnnounced(id, () => store.persistStep(run1, 'Start Time', { 'plan_raw.json': Buffer.from('{}') }, progress(10), 'w1'), 'processing');
    await expectAnnounced(id, () => store.progress(run1, progress(20), 'w1'), 'processing');
    const failed = { state: 'failed' as const, failureReason: 'worker_error', failedStep: 'Step', errorMessage: 'boom', recoverable: true };
    await expectAnnounced(id, () => store.finish(run1, failed, noArtifacts), 'failed');
    await expectAnnounced(id, () => store.resume(id, { modelProfile: 'baseline', pipelineVersion: 2 }), 'pending');
    const run2: RunKey = { planId: id, attempt: 1, workerId: 'w1' };
    await expectAnnounced(id, () => store.claim(run2, 'w1', 60), 'processing');
    // takeover: another worker claims the run once w1's heartbeat is older than the stale limit (0 s here)
    await expectAnnounced(id, () => store.claim({ ...run2, workerId: 'w2' }, 'w2', 0), 'processing');
    expect((await store.claim(run2, 'w1', 60)).claimed).toBe(false);
    await expectAnnounced(id, () => store.reapStale(0), 'failed');
    await expectAnnounced(id, () => store.retry(id, { modelProfile: 'baseline' }), 'pending');
    await expectAnnounced(id, () => store.stop(id), 'stopped');
    await expectAnnounced(id, () => store.finish({ planId: id, attempt: 2 }, { state: 'stopped' }, { ...noArtifacts, zip: new Uint8Array([1]) }), 'stopped');
    expect(failures).toEqual([]);
  });

  it('a completed run announces its final state; writes that change nothing announce nothing', async () => {
    const { id } = await store.create({ prompt: 'Plan a garden', userId: 'admin', apiKeyId: null, parameters: { model_profile: 'baseline' } });
    const run: RunKey = { planId: id, attempt: 0, workerId: 'w1' };
    expect((await store.claim(run, 'w1', 60)).claimed).toBe(true);
    await expectAnnounced(id, () => store.finish(run, { state: 'completed', stepsTotal: 3 }, { ...noArtifacts, reportHtml: '<html></html>' }), 'completed');
    await expectSilent(id, () => store.stop(id));
    await expectSilent(id, () => store.claim(run, 'w1', 60));
    await expectSilent(id, () => store.finish(run, { state: 'completed', stepsTotal: 3 }, noArtifacts));
    await expectSilent(id, () => store.resume(id, { modelProfile: 'baseline', pipelineVersion: 2 }));
  });

  it('a publish that fails loses nothing: the row is written, the failure reported, the cached status dropped', async () => {
    const reported: string[] = [];
    const down = new PlanStore(h.db, {
      snapshots: { publishSnapshot: async () => Promise.reject(new Error('bus down')) },
      statusCache: cache,
      onPublishFailed: (planId) => reported.push(planId),
    });
    const { id } = await down.create({ prompt: 'Plan a move', userId: 'admin', apiKeyId: null, parameters: { model_profile: 'baseline' } });
    expect(reported).toEqual([id]);
    // no event reaches the cache, so only the store's own invalidation makes it read the new row
    const { seen, reloaded, row, cached } = await observe(id, () => down.stop(id));
    expect(seen).toEqual([]);
    expect(row.state).toBe('stopped');
    expect(reloaded).toBe(true);
    expect(cached?.state).toBe('stopped');
    expect(reported).toEqual([id, id]);
  });
});
