import type { Server, ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ToolContext } from '../deps.ts';
import type { TaskRouter } from './backend.ts';
import { declaresTasks, missingTasksCapability, taskNotFound } from './wire.ts';

const TaskParams = z.object({ taskId: z.string().min(1).max(200) }).passthrough();
const UpdateParams = TaskParams.extend({ inputResponses: z.record(z.string(), z.unknown()).optional() });

/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` on one server instance. The SDK (2.4) dispatches them to handlers
 * registered with explicit schemas on the 2026-07-28 era (they are the extension's methods, not core ones), so no
 * interception ahead of it is needed here; `tasks/result` and `tasks/list`, removed by the extension, stay unknown
 * methods (-32601) because nothing registers them. A request that did not declare the extension gets -32021.
 */
export function registerTaskMethods(server: Server, router: TaskRouter, contextOf: (ctx: ServerContext) => ToolContext): void {
  const gate = (ctx: ServerContext) => {
    if (!declaresTasks(ctx)) throw missingTasksCapability();
    return contextOf(ctx);
  };

  server.setRequestHandler('tasks/get', { params: TaskParams }, async (params, ctx) => {
    const caller = gate(ctx);
    const task = await router.get(params.taskId, caller);
    if (!task) throw taskNotFound(params.taskId);
    return task as never;
  });

  server.setRequestHandler('tasks/cancel', { params: TaskParams }, async (params, ctx) => {
    const caller = gate(ctx);
    const known = await router.backendOf(params.taskId)?.cancel(params.taskId, caller);
    if (!known) throw taskNotFound(params.taskId);
    return {} as never;
  });

  server.setRequestHandler('tasks/update', { params: UpdateParams }, async (params, ctx) => {
    const caller = gate(ctx);
    // the SDK lifts a request's inputResponses out of its params; either place is the client's answer
    const responses = params.inputResponses ?? ctx.mcpReq.inputResponses ?? {};
    const known = await router.backendOf(params.taskId)?.update(params.taskId, responses, caller);
    if (!known) throw taskNotFound(params.taskId);
    return {} as never;
  });
}
