import type { ToolContext } from '../deps.ts';
import type { DetailedTask } from './wire.ts';

/**
 * Where tasks live: the small seam the MCP tasks extension is written against. A backend answers for the task ids it
 * owns; every call carries the caller's context, so a backend scopes by owner exactly as the tools do (a task of
 * another caller is simply not found). When the SDK ships the extension (its tracking issue #2189), its task store
 * takes this interface's place and the rest of the service does not change: the plan backend (planTasks.ts) reads
 * tasks from the plans themselves, never from a second state store.
 */
export interface TaskBackend {
  /** Whether the id is spelled as one of this backend's (ownership is then decided by `get`). */
  owns(taskId: string): boolean;
  /** The task as `tasks/get` shows it, or undefined when unknown to this caller. */
  get(taskId: string, caller: ToolContext): Promise<DetailedTask | undefined>;
  /** Asks the task to stop; false when unknown. A terminal task is left as it is (the ack is the same). */
  cancel(taskId: string, caller: ToolContext): Promise<boolean>;
  /** Delivers input responses; false when unknown. Keys that are not outstanding are ignored. */
  update(taskId: string, inputResponses: Record<string, unknown>, caller: ToolContext): Promise<boolean>;
  /**
   * Calls `onChange` whenever the task may have changed (the caller re-reads it with `get`), on whichever replica
   * the watcher runs. Resolves to the function that stops watching.
   */
  watch(taskId: string, onChange: () => void): Promise<() => Promise<void>>;
}

/** The backends of one server, asked in order: the first that owns an id answers for it. */
export class TaskRouter {
  constructor(private readonly backends: TaskBackend[]) {}

  backendOf(taskId: string): TaskBackend | undefined {
    return this.backends.find((b) => b.owns(taskId));
  }

  get(taskId: string, caller: ToolContext): Promise<DetailedTask | undefined> {
    return this.backendOf(taskId)?.get(taskId, caller) ?? Promise.resolve(undefined);
  }
}
