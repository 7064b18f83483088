import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { SUBSCRIPTION_ID_META_KEY } from '@modelcontextprotocol/server';
import type { ToolContext } from '../deps.ts';
import type { TaskRouter } from './backend.ts';
import { bodyDeclaresTasks, REQUIRED_TASKS_CAPABILITY, TERMINAL, type DetailedTask } from './wire.ts';

const MAX_TASK_IDS = 100;
const KEEP_ALIVE_MS = 15_000;
/** Open task streams per process, as the SDK bounds its own listen streams (maxSubscriptions, default 1024). */
const MAX_STREAMS = 1024;

interface ListenBody {
  id: string | number;
  method: string;
  params?: { notifications?: { taskIds?: unknown }; _meta?: Record<string, unknown> };
}

/** A 2026-07-28 `subscriptions/listen` that asks for task notifications (`notifications.taskIds`). */
export function isTaskListen(body: unknown): body is ListenBody {
  const b = body as ListenBody | undefined;
  return !!b && b.method === 'subscriptions/listen' && b.id !== undefined && b.params?.notifications?.taskIds !== undefined;
}

function rpcError(ctx: Context, status: number, id: unknown, code: number, message: string, data?: unknown) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** What a client sees change: a notification is sent only when one of these moved. */
const signature = (t: DetailedTask) => `${t.status}|${t.lastUpdatedAt}|${t.statusMessage ?? ''}`;

/**
 * `notifications/tasks` on a listen stream. The SDK's listen router (2.4) serves only the four list-change filters and
 * ends a stream that asks for none of them, so a listen that names `taskIds` is answered here, ahead of it: the
 * acknowledgement lists the ids this caller may watch (another caller's task is silently left out), each watched task
 * is sent once as it is now and again whenever it changes, and the stream ends (with its final result) once every
 * watched task is terminal, since a terminal task never changes. Each notification is the task exactly as `tasks/get`
 * would show it at that moment. The changes come from the backend's `watch` (for plans: the progress bus, which
 * reaches every replica), so the stream may live on a different replica than the calls that move its tasks.
 * List-change filters sent in the same request are not honored on this stream (the acknowledgement says so); a
 * client opens a second listen for them.
 */
export function createTaskListen(router: TaskRouter, opts: { keepAliveMs?: number; maxStreams?: number; onerror?: (err: Error) => void } = {}) {
  let open = 0;
  return async function serveTaskListen(ctx: Context, body: ListenBody, caller: ToolContext, signal: AbortSignal): Promise<void> {
    const method = ctx.get('mcp-method');
    if (method && method.trim() !== 'subscriptions/listen') {
      return rpcError(ctx, 400, body.id, -32020, `Header mismatch: Mcp-Method '${method}' does not match body method 'subscriptions/listen'`);
    }
    if (!bodyDeclaresTasks(body.params)) {
      return rpcError(ctx, 400, body.id, -32021, 'Missing required client capability: extensions["io.modelcontextprotocol/tasks"]', REQUIRED_TASKS_CAPABILITY);
    }
    const ids = body.params?.notifications?.taskIds;
    if (!Array.isArray(ids) || ids.length > MAX_TASK_IDS || ids.some((i) => typeof i !== 'string' || i.length === 0 || i.length > 200)) {
      return rpcError(ctx, 200, body.id, -32602, `Invalid params: notifications.taskIds must be an array of at most ${MAX_TASK_IDS} task ids`);
    }
    if (open >= (opts.maxStreams ?? MAX_STREAMS)) return rpcError(ctx, 200, body.id, -32603, 'Subscription limit reached');
    const current = new Map<string, DetailedTask>();
    for (const id of new Set(ids as string[])) {
      const t = await router.get(id, caller);
      if (t) current.set(id, t);
    }

    if (signal.aborted) return;
    const subscriptionId = body.id;
    const out = new PassThrough();
    const frame = (message: object) => {
      if (!out.writableEnded) out.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', ...message })}\n\n`);
    };
    const stamp = (params: Record<string, unknown>) => ({ ...params, _meta: { ...(params._meta as object | undefined), [SUBSCRIPTION_ID_META_KEY]: subscriptionId } });
    const sent = new Map<string, string>();
    const notify = (t: DetailedTask) => {
      if (sent.get(t.taskId) === signature(t)) return;
      sent.set(t.taskId, signature(t));
      frame({ method: 'notifications/tasks', params: stamp({ ...t }) });
    };

    const stops: (() => Promise<void>)[] = [];
    let keepAlive: NodeJS.Timeout | undefined;
    let closed = false;
    const teardown = (graceful: boolean) => {
      if (closed) return;
      closed = true;
      open--;
      if (keepAlive) clearInterval(keepAlive);
      signal.removeEventListener('abort', onAbort);
      for (const stop of stops) void stop().catch((e) => opts.onerror?.(e instanceof Error ? e : new Error(String(e))));
      if (graceful) frame({ id: subscriptionId, result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID_META_KEY]: subscriptionId } } });
      out.end();
    };
    const onAbort = () => teardown(false);
    const allTerminal = () => [...current.values()].every((t) => TERMINAL.has(t.status));

    open++;
    ctx.status = 200;
    ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.req.socket.setNoDelay(true);
    ctx.body = out;
    frame({ method: 'notifications/subscriptions/acknowledged', params: stamp({ notifications: { taskIds: [...current.keys()] } }) });
    signal.addEventListener('abort', onAbort, { once: true });
    out.once('close', onAbort);

    // re-reads of one task run one after another, so the notifications of a task leave in the order they happened;
    // changes that arrive while a re-read is still waiting to start share it (a burst of snapshots is one read)
    const chains = new Map<string, Promise<void>>();
    const queued = new Set<string>();
    const reread = (id: string) => {
      if (queued.has(id)) return;
      queued.add(id);
      const next = (chains.get(id) ?? Promise.resolve()).then(async () => {
        queued.delete(id);
        if (closed) return;
        const t = await router.get(id, caller);
        if (!t || closed) return;
        current.set(id, t);
        notify(t);
        if (allTerminal()) teardown(true);
      });
      chains.set(id, next.catch((e) => opts.onerror?.(e instanceof Error ? e : new Error(String(e)))));
    };
    for (const t of current.values()) notify(t);
    for (const [id, t] of current) {
      if (TERMINAL.has(t.status)) continue;
      const backend = router.backendOf(id)!;
      const stop = await backend.watch(id, () => reread(id));
      // the stream may have ended while the subscription was being made
      if (closed) return void stop().catch(() => {});
      stops.push(stop);
      // a change between the first read and the subscription is caught by reading once more
      reread(id);
    }
    if (allTerminal()) return teardown(true);
    if (!closed) keepAlive = setInterval(() => out.writableEnded || out.write(': keepalive\n\n'), opts.keepAliveMs ?? KEEP_ALIVE_MS);
  };
}
