import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { unzipSync } from 'fflate';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import type { DbHandle } from '@planexe/db';
import { PIPELINE_STEPS, expectedFiles } from '@planexe/worker';
import { startTestServer, connectClient, payloadOf, type TestServer } from '../harness/testServer.ts';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createHash } from 'node:crypto';
import { EventSource } from 'eventsource';
import { storedZip } from '@planexe/testing/storedArtifacts';

const kinds = await dbKinds();

describe.each(kinds)('agent flow end to end with the in-process worker (%s)', (kind) => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  let srv: TestServer;
  let client: Client;
  beforeAll(async () => {
    dbh = await createTestDb(kind);
    fake = await startFakeLlm({ latencyMs: 2 });
    srv = await startTestServer(dbh, {}, { configDir: fakeProfileDir(fake, { luigiWorkers: 4 }), llmEnv: { FAKE_LLM_KEY: 'k' } });
    client = await connectClient(srv.mcpUrl);
  });
  afterAll(async () => {
    await client?.close();
    await srv?.close();
    await fake?.close();
    await dbh?.close();
  });
  const call = async (name: string, args: Record<string, unknown> = {}) => payloadOf(await client.callTool({ name, arguments: args }));

  it('model_profiles shows the fake model as reachable', async () => {
    const r = await call('model_profiles');
    const baseline = r.profiles.find((p: any) => p.profile === 'baseline');
    expect(baseline.models.find((m: any) => m.key === 'fake-primary').reachable).toBe(true);
  });

  it('example_prompts → plan_create → plan_status until completed → plan_file_info, report and zip in the DB', async () => {
    const prompts = await call('example_prompts');
    const created = await call('plan_create', { prompt: prompts.samples[0] });
    expect(created.plan_id).toBeDefined();
    const seen = new Set<string>();
    let status: any;
    const t0 = Date.now();
    do {
      await new Promise((r) => setTimeout(r, 100));
      status = await call('plan_status', { plan_id: created.plan_id });
      seen.add(status.state);
      if (Date.now() - t0 > 60_000) throw new Error(`still ${status.state} ${status.progress_percentage}`);
    } while (status.state === 'pending' || status.state === 'processing');
    expect(status.state).toBe('completed');
    expect(status.progress_percentage).toBe(100);
    expect(status.steps_total).toBe(expectedFiles(PIPELINE_STEPS).length);
    expect(status.files_count).toBeGreaterThanOrEqual(expectedFiles(PIPELINE_STEPS).length);
    expect(status.files.length).toBe(10);

    const info = await call('plan_file_info', { plan_id: created.plan_id });
    expect(info.content_type).toBe('text/html; charset=utf-8');
    expect(info.download_url).toContain(`/download/${created.plan_id}/report.html?token=`);
    const zipInfo = await call('plan_file_info', { plan_id: created.plan_id, artifact: 'zip' });
    expect(zipInfo.content_type).toBe('application/zip');
    // the signed URLs download the exact bytes plan_file_info described, from the same process
    for (const i of [info, zipInfo]) {
      const res = await fetch(i.download_url);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(i.download_size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(i.sha256);
    }
    // the SSE stream of a completed plan sends one `complete` and ends
    const completeState = await new Promise<string>((resolve, reject) => {
      const es = new EventSource(created.sse_url);
      es.addEventListener('complete', (e) => {
        es.close();
        resolve(JSON.parse((e as MessageEvent).data).state);
      });
      es.addEventListener('error', () => (es.close(), reject(new Error('sse error'))));
    });
    expect(completeState).toBe('completed');

    const row = await dbh.db.selectFrom('plans').select(['generated_report_html']).where('id', '=', created.plan_id).executeTakeFirstOrThrow();
    expect(row.generated_report_html).toContain('<html');
    expect(row.generated_report_html).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/i);
    const names = Object.keys(unzipSync((await storedZip(dbh.db, created.plan_id))!));
    for (const f of expectedFiles(PIPELINE_STEPS)) expect(names).toContain(f);
    expect(names).not.toContain('track_activity.jsonl');
  }, 90_000);

  it('with every model failing, the plan fails with recoverable diagnostics and plan_resume completes it', async () => {
    fake.setBehaviour({ mode: '500' });
    const created = await call('plan_create', { prompt: `A plan that meets a broken model ${Date.now()}` });
    let status: any;
    const t0 = Date.now();
    do {
      await new Promise((r) => setTimeout(r, 100));
      status = await call('plan_status', { plan_id: created.plan_id });
      if (Date.now() - t0 > 60_000) throw new Error('no failure');
    } while (status.state !== 'failed');
    expect(status.error).toMatchObject({ failure_reason: 'generation_error', recoverable: true });
    expect(status.error.failed_step).toBeTruthy();
    fake.setBehaviour({ mode: 'ok' });
    const resumed = await call('plan_resume', { plan_id: created.plan_id });
    expect(resumed.resume_count).toBe(1);
    const t1 = Date.now();
    do {
      await new Promise((r) => setTimeout(r, 100));
      status = await call('plan_status', { plan_id: created.plan_id });
      if (Date.now() - t1 > 60_000) throw new Error(`resume stuck in ${status.state}`);
    } while (status.state !== 'completed');
  }, 120_000);
});
