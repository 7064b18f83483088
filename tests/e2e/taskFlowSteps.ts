import { expect } from 'vitest';
import { z } from 'zod';
import { Client as ModernClient, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { callToolAsTaskClient, openTaskListen, TASKS_EXTENSION } from '../harness/tasksWire.ts';

/**
 * The MCP tasks extension (SEP-2663) as a client speaking 2026-07-28 uses it: a client that declares the extension
 * gets plan_create/plan_retry/plan_resume answered with a task, follows it with tasks/get, tasks/cancel and a listen
 * stream for notifications/tasks. tasks/get and tasks/cancel go through the SDK v2 client's request API with an
 * explicit result schema (it has no tasks API yet, tracking issue #2189); the task-creating call and the listen
 * stream are plain POSTs (tests/harness/tasksWire.ts says why).
 */
const AnyResult = z.object({}).passthrough();
type Json = Record<string, any>;

export async function connectTasksClient(mcpUrl: string, opts: { headers?: Record<string, string>; declare?: boolean; fetch?: typeof fetch } = {}) {
  const capabilities = opts.declare === false ? {} : { extensions: { [TASKS_EXTENSION]: {} } };
  const client = new ModernClient({ name: 'planexe-tasks-test', version: '1.0.0' }, { capabilities, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: opts.headers ?? {} }, fetch: opts.fetch }));
  return client;
}

/** A connection the task steps act through: the SDK client for tasks/*, its URL and headers for the raw calls. */
export interface TaskConn {
  client: ModernClient;
  mcpUrl: string;
  headers: Record<string, string>;
}
export const callTool = (c: TaskConn, name: string, args: Json) => callToolAsTaskClient(c.mcpUrl, name, args, c.headers);
export const getTask = ({ client: c }: TaskConn, taskId: string): Promise<Json> => c.request({ method: 'tasks/get', params: { taskId } }, AnyResult);
export const cancelTask = ({ client: c }: TaskConn, taskId: string): Promise<Json> => c.request({ method: 'tasks/cancel', params: { taskId } }, AnyResult);

/** The JSON-RPC error code a request failed with (the test fails if it succeeded). */
export async function errorCode(p: Promise<unknown>): Promise<number> {
  const r = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: { code?: number }) => ({ ok: false as const, code: e.code }),
  );
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.v)}`);
  return r.code ?? NaN;
}

/** tasks/cancel's answer is an empty acknowledgement: no task fields. */
const expectEmptyAck = (r: Json) => expect(Object.keys(r).filter((k) => k !== '_meta')).toEqual([]);

export function expectCreateTaskResult(r: Json): string {
  expect(r.resultType).toBe('task');
  expect(r.taskId).toMatch(/^[0-9a-f-]{36}\.\d+$/);
  expect(r.status).toBe('working');
  expect(r).not.toHaveProperty('result');
  expect(Number.isInteger(r.pollIntervalMs) && r.pollIntervalMs > 0).toBe(true);
  expect(Date.parse(r.createdAt)).not.toBeNaN();
  return r.taskId as string;
}

/**
 * plan_create as a task: tasks/get answers at once (before anything else happened), `notifications/tasks` arrive on
 * a listen stream opened at `listenUrl` (another replica than `client`'s, in the distributed run) while a worker runs
 * the plan, the last one completed with plan_status's result, and tasks/get then shows the same.
 */
export async function createAsTaskAndFollow(client: TaskConn, listenUrl: string, prompt: string) {
  const taskId = expectCreateTaskResult(await callTool(client, 'plan_create', { prompt }));
  const first = await getTask(client, taskId);
  // (the SDK client strips the wire-only resultType; the conformance suite checks it on the wire)
  expect(first).toMatchObject({ taskId, status: 'working' });
  const planId = taskId.split('.')[0];
  expect(first._meta?.['org.planexe/plan_status']?.plan_id).toBe(planId);

  const listen = await openTaskListen(listenUrl, [taskId], client.headers);
  expect((await listen.ack).notifications.taskIds).toEqual([taskId]);
  const done = await listen.next((t) => t.status === 'completed', 150_000);
  expect(listen.tasks.some((t) => t.status === 'working')).toBe(true);
  expect(done.taskId).toBe(taskId);
  expect(done.result.structuredContent).toMatchObject({ plan_id: planId, state: 'completed', progress_percentage: 100 });
  // every watched task is terminal: the server ends the stream with the listen's result
  expect(await listen.ended).toMatchObject({ resultType: 'complete' });

  const after = await getTask(client, taskId);
  expect(after).toMatchObject({ taskId, status: 'completed', result: { isError: false } });
  expect(after.result.structuredContent.state).toBe('completed');
  return { taskId, planId };
}

/** tasks/cancel is plan_stop: the task reads cancelled within 2 s, and resuming the plan as a task starts a new one. */
export async function cancelThenResume(client: TaskConn, prompt: string) {
  const taskId = expectCreateTaskResult(await callTool(client, 'plan_create', { prompt }));
  expectEmptyAck(await cancelTask(client, taskId));
  const t0 = Date.now();
  let t = await getTask(client, taskId);
  while (t.status !== 'cancelled' && Date.now() - t0 < 2_000) t = await getTask(client, taskId);
  expect(t.status).toBe('cancelled');
  const planId = taskId.split('.')[0];
  const status = await callTool(client, 'plan_status', { plan_id: planId });
  expect(status.structuredContent.state).toBe('stopped');

  // a terminal task never changes: resuming answers a new task (the next attempt) and the old one stays cancelled
  const resumed = expectCreateTaskResult(await callTool(client, 'plan_resume', { plan_id: planId }));
  expect(resumed).not.toBe(taskId);
  expect(resumed.split('.')[0]).toBe(planId);
  expect((await getTask(client, taskId)).status).toBe('cancelled');
  expect((await getTask(client, resumed)).status).toBe('working');
  await cancelTask(client, resumed);
  // cancelling a terminal task is acknowledged and changes nothing
  expectEmptyAck(await cancelTask(client, taskId));
  expect((await getTask(client, taskId)).status).toBe('cancelled');
  return { taskId, resumed };
}

/** Another user's task id is not found (-32602) for tasks/get and tasks/cancel, and a listen for it watches nothing. */
export async function foreignTaskIsNotFound(other: TaskConn, listenUrl: string, taskId: string) {
  expect(await errorCode(getTask(other, taskId))).toBe(-32602);
  expect(await errorCode(cancelTask(other, taskId))).toBe(-32602);
  const listen = await openTaskListen(listenUrl, [taskId], other.headers);
  expect((await listen.ack).notifications.taskIds).toEqual([]);
  await listen.ended;
}

/** A client that does not declare the extension sees today's tools: plain results, and the tasks methods refused. */
export async function nonDeclaringUnchanged(plain: ModernClient, prompt: string, someTaskId: string) {
  const r = await plain.callTool({ name: 'plan_create', arguments: { prompt } });
  expect(r).not.toHaveProperty('taskId');
  expect((r.structuredContent as Json).plan_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(await errorCode(plain.request({ method: 'tasks/get', params: { taskId: someTaskId } }, AnyResult))).toBe(-32021);
  await plain.callTool({ name: 'plan_stop', arguments: { plan_id: (r.structuredContent as Json).plan_id } });
}
