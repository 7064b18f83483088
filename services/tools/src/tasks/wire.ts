import { CLIENT_CAPABILITIES_META_KEY, MissingRequiredClientCapabilityError, ProtocolError, ProtocolErrorCode, type ServerContext } from '@modelcontextprotocol/server';

/**
 * The wire shapes of the MCP tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`, 2026-07-28). The TypeScript
 * SDK does not ship the extension yet (its tracking issue is #2189), so these few types and helpers are written here;
 * they follow the extension's published schema and nothing else in the service depends on their spelling.
 */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'cancelled' | 'failed';

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'cancelled', 'failed']);

/** A task as `tasks/get` and `notifications/tasks` carry it (the extension's DetailedTask). */
export interface DetailedTask {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  /** null: the task is kept as long as its plan (plans are never expired). */
  ttlMs: number | null;
  pollIntervalMs?: number;
  /** input_required only: the outstanding requests. */
  inputRequests?: Record<string, unknown>;
  /** completed only: the result the original request would have returned. */
  result?: Record<string, unknown>;
  /** failed only: the JSON-RPC error. */
  error?: { code: number; message: string; data?: unknown };
  _meta?: Record<string, unknown>;
}

/** The `tools/call` answer that hands out a task: the task's seed state without its payload fields. */
export function createTaskResult(task: DetailedTask): Record<string, unknown> {
  const { result: _r, error: _e, inputRequests: _i, ...seed } = task;
  return { ...seed, resultType: 'task' };
}

/** Whether this request declared the extension in its per-request client capabilities (2026-07-28 envelope). */
export function declaresTasks(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = envelope?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return caps?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/** The same test on a raw request body (the listen stream is answered ahead of the SDK). */
export function bodyDeclaresTasks(params: Record<string, unknown> | undefined): boolean {
  const meta = params?._meta as Record<string, unknown> | undefined;
  const caps = meta?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return caps?.extensions?.[TASKS_EXTENSION] !== undefined;
}

export const REQUIRED_TASKS_CAPABILITY = { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } };

/** -32021 naming the extension: a tasks method (or a task-only tool) from a client that did not declare it. */
export function missingTasksCapability(): ProtocolError {
  return new MissingRequiredClientCapabilityError(REQUIRED_TASKS_CAPABILITY as never, `Missing required client capability: extensions["${TASKS_EXTENSION}"]`);
}

/** -32602, as the extension requires for a taskId that is unknown (or not the caller's). */
export function taskNotFound(taskId: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: Task not found: ${taskId}`);
}
