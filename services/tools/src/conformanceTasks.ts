import { randomUUID } from 'node:crypto';
import { inputRequired, inputResponse, ProtocolError, ProtocolErrorCode, type InputRequest, type ServerContext, type Tool } from '@modelcontextprotocol/server';
import type { SurfaceTool } from './surface.ts';
import type { TaskBackend } from './tasks/backend.ts';
import { createTaskResult, declaresTasks, TERMINAL, type DetailedTask } from './tasks/wire.ts';

/**
 * The task tools the conformance suite's `tasks-*` scenarios call (greet, slow_compute, failing_job,
 * protocol_error_job, confirm_delete, multi_input, test_tool_with_task), over an in-memory task backend. Like the rest
 * of the fixtures they exist only with PLANEXE_CONFORMANCE_FIXTURES=1 on one local process; PlanExe's own tasks are
 * plans (tasks/planTasks.ts), which live in Postgres.
 */
interface FixtureTask {
  task: DetailedTask;
  timer?: NodeJS.Timeout;
  /** Outstanding input requests by key, and the answers received so far. */
  pending: Record<string, InputRequest>;
  answers: Record<string, unknown>;
  onAnswered?: (answers: Record<string, unknown>) => void;
  watchers: Set<() => void>;
}

const text = (t: string, isError = false) => ({ content: [{ type: 'text', text: t }], isError });
const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const elicit = (message: string, prop: string, type: 'string' | 'boolean') =>
  inputRequired.elicit({ message, requestedSchema: { type: 'object', properties: { [prop]: type === 'string' ? { type: 'string' } : { type: 'boolean' } }, required: [prop] } });

class FixtureTasks implements TaskBackend {
  private readonly tasks = new Map<string, FixtureTask>();
  private keys = 0;

  create(): FixtureTask {
    const at = now();
    const t: FixtureTask = { task: { taskId: `fx-${randomUUID()}`, status: 'working', createdAt: at, lastUpdatedAt: at, ttlMs: 3_600_000, pollIntervalMs: 200 }, pending: {}, answers: {}, watchers: new Set() };
    this.tasks.set(t.task.taskId, t);
    return t;
  }

  /** Moves a task (never a terminal one) and tells its watchers. */
  move(t: FixtureTask, patch: Partial<DetailedTask>): void {
    if (TERMINAL.has(t.task.status)) return;
    t.task = { ...t.task, ...patch, lastUpdatedAt: now() };
    if (TERMINAL.has(t.task.status)) clearTimeout(t.timer);
    for (const w of t.watchers) w();
  }

  after(t: FixtureTask, ms: number, patch: Partial<DetailedTask>): void {
    t.timer = setTimeout(() => this.move(t, patch), ms);
  }

  ask(t: FixtureTask, requests: Record<string, InputRequest>, onAnswered: FixtureTask['onAnswered']): void {
    for (const [name, r] of Object.entries(requests)) t.pending[`${name}-${++this.keys}`] = r;
    t.onAnswered = onAnswered;
    this.move(t, { status: 'input_required' });
  }

  owns(taskId: string): boolean {
    return taskId.startsWith('fx-');
  }

  async get(taskId: string): Promise<DetailedTask | undefined> {
    const t = this.tasks.get(taskId);
    if (!t) return undefined;
    return t.task.status === 'input_required' ? { ...t.task, inputRequests: { ...t.pending } } : { ...t.task };
  }

  async cancel(taskId: string): Promise<boolean> {
    const t = this.tasks.get(taskId);
    if (t) this.move(t, { status: 'cancelled', statusMessage: 'Cancelled by the client.' });
    return !!t;
  }

  async update(taskId: string, responses: Record<string, unknown>): Promise<boolean> {
    const t = this.tasks.get(taskId);
    if (!t) return false;
    const answered = Object.keys(responses).filter((k) => k in t.pending);
    for (const k of answered) {
      t.answers[k.replace(/-\d+$/, '')] = responses[k];
      delete t.pending[k];
    }
    if (answered.length && t.task.status === 'input_required') {
      if (Object.keys(t.pending).length) this.move(t, {});
      else {
        this.move(t, { status: 'working' });
        t.onAnswered?.(t.answers);
      }
    }
    return true;
  }

  async watch(taskId: string, onChange: () => void): Promise<() => Promise<void>> {
    const t = this.tasks.get(taskId);
    t?.watchers.add(onChange);
    return async () => void t?.watchers.delete(onChange);
  }
}

const accepted = (answer: unknown) => (answer as { action?: string } | undefined)?.action === 'accept';

export function conformanceTaskFixtures(): { tools: SurfaceTool[]; tasks: TaskBackend } {
  const store = new FixtureTasks();
  const started = (t: FixtureTask) => createTaskResult(t.task);
  const tool = (definition: Tool, call: SurfaceTool['call'], taskSupport?: SurfaceTool['taskSupport']): SurfaceTool => ({ definition, call, taskSupport });
  const schema = (props: Record<string, 'string' | 'number'>): Tool['inputSchema'] => ({
    type: 'object',
    properties: Object.fromEntries(Object.entries(props).map(([k, type]) => [k, { type }])),
  });

  const tools: SurfaceTool[] = [
    tool({ name: 'greet', description: 'Greets synchronously', inputSchema: schema({ name: 'string' }) }, async (a) => text(`Hello, ${String(a.name ?? 'World')}!`)),
    tool({ name: 'slow_compute', description: 'Sleeps `seconds`, then answers (a task when the client takes tasks)', inputSchema: schema({ seconds: 'number', label: 'string' }) }, async (a, ctx) => {
      const seconds = Math.max(0, Math.min(120, Number(a.seconds ?? 1) || 0));
      const answer = text(`slow_compute ${String(a.label ?? '')} finished after ${seconds}s`);
      // the immediate-result shortcut: nothing to wait for, so no task
      if (seconds === 0 || !declaresTasks(ctx)) return (await sleep(seconds * 1000), answer);
      const t = store.create();
      store.after(t, seconds * 1000, { status: 'completed', result: answer });
      return started(t);
    }, 'optional'),
    tool({ name: 'failing_job', description: 'A task whose tool result is an error', inputSchema: schema({}) }, async () => {
      const t = store.create();
      store.after(t, 500, { status: 'completed', result: text('failing_job: the job reported an error', true) });
      return started(t);
    }, 'required'),
    tool({ name: 'protocol_error_job', description: 'A task that fails with a JSON-RPC error', inputSchema: schema({}) }, async (_a, ctx) => {
      if (!declaresTasks(ctx)) throw new ProtocolError(ProtocolErrorCode.InternalError, 'protocol_error_job: internal failure');
      const t = store.create();
      store.after(t, 200, { status: 'failed', statusMessage: 'internal failure', error: { code: -32603, message: 'protocol_error_job: internal failure' } });
      return started(t);
    }, 'optional'),
    tool({ name: 'confirm_delete', description: 'A task that asks for confirmation before it completes', inputSchema: schema({ filename: 'string' }) }, async (a) => {
      const t = store.create();
      const file = String(a.filename ?? 'file');
      store.ask(t, { confirm: elicit(`Delete ${file}?`, 'confirm', 'boolean') }, (answers) =>
        store.move(t, { status: 'completed', result: text(accepted(answers.confirm) ? `Deleted ${file}` : `Kept ${file}`) }),
      );
      return started(t);
    }, 'required'),
    tool({ name: 'multi_input', description: 'A task that asks two questions at once', inputSchema: schema({}) }, async () => {
      const t = store.create();
      store.ask(t, { name: elicit('Your name?', 'name', 'string'), confirm: elicit('Proceed?', 'confirm', 'boolean') }, (answers) =>
        store.move(t, { status: 'completed', result: text(`multi_input answered: ${JSON.stringify(answers)}`) }),
      );
      return started(t);
    }, 'required'),
    tool({ name: 'test_tool_with_task', description: 'Asks a name (multi-round-trip), then finishes as a task', inputSchema: schema({}) }, async (_a, ctx: ServerContext) => {
      const r = inputResponse(ctx.mcpReq.inputResponses, 'user_name');
      if (r.kind !== 'elicit') return inputRequired({ inputRequests: { user_name: elicit('What is your name?', 'name', 'string') } }) as never;
      const name = String((r.content as { name?: unknown } | undefined)?.name ?? 'unknown');
      const t = store.create();
      store.after(t, 200, { status: 'completed', result: text(`Hello, ${name}!`) });
      return started(t);
    }, 'required'),
  ];
  return { tools, tasks: store };
}
