import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { sql } from 'kysely';
import { insertPlan, type DbHandle } from '@planexe/db';
import { connectClient, createUserWithKey, startTestServer, type TestServer } from '../harness/testServer.ts';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';
import { cancelTask, cancelThenResume, connectTasksClient, createAsTaskAndFollow, expectCreateTaskResult, foreignTaskIsNotFound, getTask, nonDeclaringUnchanged, type TaskConn } from './taskFlowSteps.ts';
import { callToolAsTaskClient, TASKS_EXTENSION } from '../harness/tasksWire.ts';

const ready = await postgresAvailable();

describe.skipIf(!ready)('MCP tasks extension on plans (standalone, Postgres, in-process worker)', () => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  let srv: TestServer;
  let alice: TaskConn;
  let bob: TaskConn;
  let plain: ModernClient;
  let created: { taskId: string };
  let aliceId: string;
  let aliceKey: string;
  beforeAll(async () => {
    dbh = await createTestPostgresDb();
    fake = await startFakeLlm({ latencyMs: 20 });
    srv = await startTestServer(dbh, {}, { configDir: fakeProfileDir(fake, { luigiWorkers: 4 }), llmEnv: { FAKE_LLM_KEY: 'k' } });
    const conn = async (headers: Record<string, string>) => ({ client: await connectTasksClient(srv.mcpUrl, { headers }), mcpUrl: srv.mcpUrl, headers });
    const a = await createUserWithKey(dbh.db, 100);
    aliceId = a.user.id;
    aliceKey = a.key;
    const aliceHeaders = { 'x-api-key': a.key };
    alice = await conn(aliceHeaders);
    bob = await conn({ 'x-api-key': (await createUserWithKey(dbh.db, 100)).key });
    plain = await connectTasksClient(srv.mcpUrl, { headers: aliceHeaders, declare: false });
  });
  afterAll(async () => {
    await Promise.all([alice?.client.close(), bob?.client.close(), plain?.close()]);
    await srv?.close();
    await fake?.close();
    await dbh?.close();
  });

  it('plan_create as a task: tasks/get at once, notifications/tasks on the listen stream while the worker runs it, completed', async () => {
    created = await createAsTaskAndFollow(alice, srv.mcpUrl, `A bike repair co-op in Utrecht within a year ${Date.now()}`);
  }, 180_000);

  it('tasks/cancel stops the plan within 2 s; plan_resume as a task is a new task, the stopped one stays cancelled', async () => {
    await cancelThenResume(alice, `A seed library in Bruges within six months ${Date.now()}`);
  }, 60_000);

  it('a failed plan is a failed task with plan_status error detail; retried as a task, the failed attempt stays failed', async () => {
    // a plan whose run failed (written as the worker's final write would: state, reason, step, message)
    const row = await insertPlan(dbh.db, { prompt: `A failed plan ${Date.now()}`, userId: aliceId, apiKeyId: null, parameters: { model_profile: 'baseline' } });
    await sql`update plans set state = 'failed', failure_reason = 'llm_error', failed_step = 'Setup', error_message = 'LLM quota exhausted', recoverable = true where id = ${row.id}`.execute(dbh.db);
    const failedId = `${row.id}.${row.attempt}`;
    const failed = await getTask(alice, failedId);
    expect(failed).toMatchObject({ taskId: failedId, status: 'failed', error: { code: -32603, message: 'LLM quota exhausted', data: { plan_id: row.id, failure_reason: 'llm_error', failed_step: 'Setup' } } });
    expect(failed).not.toHaveProperty('result');

    const retried = expectCreateTaskResult(await callToolAsTaskClient(alice.mcpUrl, 'plan_retry', { plan_id: row.id }, alice.headers));
    expect(retried).toBe(`${row.id}.${row.attempt + 1}`);
    const old = await getTask(alice, failedId);
    expect(old).toMatchObject({ status: 'failed', error: { code: -32603 } });
    expect(old.statusMessage).toMatch(/failed; the plan was started again/);
    expect(await getTask(alice, `${row.id}.${row.attempt + 2}`).catch((e) => e.code)).toBe(-32602);
    await cancelTask(alice, retried);
  }, 60_000);

  it("another user's taskId is not found, and listening for it watches nothing", async () => {
    await foreignTaskIsNotFound(bob, srv.mcpUrl, created.taskId);
  });

  it('a client that does not declare the extension sees the tools unchanged and is refused the tasks methods', async () => {
    await nonDeclaringUnchanged(plain, `A makerspace in Ghent ${Date.now()}`, created.taskId);
  });

  it('the extension is advertised in 2026-07-28 discovery only: a 2025-11-25 initialize result is what it was', async () => {
    expect(plain.getServerCapabilities()?.extensions).toEqual({ [TASKS_EXTENSION]: {} });
    const legacy = await connectClient(srv.mcpUrl, { 'x-api-key': aliceKey });
    try {
      expect(legacy.getServerCapabilities()).not.toHaveProperty('extensions');
      expect(legacy.getServerCapabilities()?.tools).toBeDefined();
    } finally {
      await legacy.close();
    }
  });
});
