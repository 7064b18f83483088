import { describe, it, beforeAll, afterAll } from 'vitest';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import { issueApiKey } from '@planexe/auth';
import { createPostgresDb, createUser } from '@planexe/db';
import { natsAvailable, postgresAvailable, redisAvailable } from '@planexe/testing/infra';
import { startSystem, type System } from '../harness/system.ts';
import { cancelThenResume, connectTasksClient, createAsTaskAndFollow, foreignTaskIsNotFound, nonDeclaringUnchanged, type TaskConn } from './taskFlowSteps.ts';

const ready = (await postgresAvailable()) && (await redisAvailable()) && (await natsAvailable());

/**
 * The tasks extension across processes: gateway-1 fronts tools replica A, gateway-2 tools replica B, and the plans run
 * on worker processes. The client calls through replica B and listens through replica A, so every notification on its
 * listen stream crossed NATS from a worker to a replica that never saw the call.
 */
describe.skipIf(!ready)('MCP tasks extension on plans (distributed: two tools replicas, worker processes, Postgres/Redis/NATS)', () => {
  let sys: System;
  let viaB: TaskConn;
  let bobViaA: TaskConn;
  let plainViaA: ModernClient;
  let created: { taskId: string };
  beforeAll(async () => {
    sys = await startSystem({ basePort: 9700, llmLatencyMs: 30, startTimeoutMs: 240_000 });
    const h = createPostgresDb(sys.databaseUrl, { max: 1 });
    const keyOf = async () => {
      const user = await createUser(h.db, { email: `u${Math.random().toString(36).slice(2)}@example.com`, credits: 100 });
      return (await issueApiKey(h.db, user.id, sys.env.PLANEXE_API_KEY_SECRET, 'test')).key;
    };
    const alice = { 'x-api-key': await keyOf() };
    const bob = { 'x-api-key': await keyOf() };
    await h.close();
    const [mcpA, mcpB] = sys.gateways.map((g) => `${g}/mcp`);
    viaB = { client: await connectTasksClient(mcpB, { headers: alice }), mcpUrl: mcpB, headers: alice };
    bobViaA = { client: await connectTasksClient(mcpA, { headers: bob }), mcpUrl: mcpA, headers: bob };
    plainViaA = await connectTasksClient(mcpA, { headers: alice, declare: false });
  }, 400_000);
  afterAll(async () => {
    await Promise.all([viaB?.client.close(), bobViaA?.client.close(), plainViaA?.close()]);
    await sys?.stop();
  });

  it('plan_create as a task on replica B: notifications/tasks reach the listen stream on replica A while a worker process runs it', async () => {
    created = await createAsTaskAndFollow(viaB, `${sys.gateways[0]}/mcp`, `A tool library in Aarhus within nine months ${Date.now()}`);
  }, 200_000);

  it('tasks/cancel stops the plan within 2 s; plan_resume as a task is a new task, the stopped one stays cancelled', async () => {
    await cancelThenResume(viaB, `A repair café in Odense within six months ${Date.now()}`);
  }, 60_000);

  it("another user's taskId is not found on the other replica either", async () => {
    await foreignTaskIsNotFound(bobViaA, `${sys.gateways[0]}/mcp`, created.taskId);
  });

  it('a client that does not declare the extension sees the tools unchanged', async () => {
    await nonDeclaringUnchanged(plainViaA, `A makerspace in Aalborg ${Date.now()}`, created.taskId);
  });
});
