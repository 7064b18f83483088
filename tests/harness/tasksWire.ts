/**
 * The two exchanges of the MCP tasks extension (SEP-2663) that the SDK v2 client (2.4) cannot make yet (its tasks
 * support is tracking issue #2189), sent as plain 2026-07-28 POSTs with the per-request envelope:
 * - a `tools/call` answered with a task: the client's result decoder refuses `resultType: "task"`;
 * - a `subscriptions/listen` for task notifications: `listen()` validates its filter against the core schema, which
 *   has no `taskIds`. Its frames are `event: message` / `data:` lines, one JSON-RPC message each.
 * Everything else (tasks/get, tasks/cancel, plain tool calls) goes through the SDK client.
 */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

const envelope = (declare: boolean) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'planexe-test-raw', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': declare ? { extensions: { [TASKS_EXTENSION]: {} } } : {},
});

const modernHeaders = (method: string, name?: string) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': method,
  ...(name ? { 'mcp-name': name } : {}),
});

/** tools/call from a client that declared the tasks extension: the JSON-RPC result (a task or a tool result). */
export async function callToolAsTaskClient(mcpUrl: string, name: string, args: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { ...modernHeaders('tools/call', name), ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args, _meta: envelope(true) } }),
  });
  const body = (await res.json()) as { result?: Record<string, any>; error?: unknown };
  if (!body.result) throw new Error(`tools/call ${name} answered ${res.status}: ${JSON.stringify(body)}`);
  return body.result;
}

export interface TaskListen {
  /** The acknowledgement's params (`notifications.taskIds`: the ids the server agreed to watch). */
  ack: Promise<{ notifications: { taskIds?: string[] } }>;
  /** Every `notifications/tasks` params received so far, in order. */
  tasks: Record<string, any>[];
  /** Resolves with the first task notification (received so far or later) that matches. */
  next(match: (t: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves when the server ended the stream (with the listen's final result, or undefined). */
  ended: Promise<Record<string, any> | undefined>;
  close(): void;
}

export async function openTaskListen(mcpUrl: string, taskIds: string[], headers: Record<string, string> = {}): Promise<TaskListen> {
  const abort = new AbortController();
  const res = await fetch(mcpUrl, {
    method: 'POST',
    signal: abort.signal,
    headers: { ...modernHeaders('subscriptions/listen'), ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'listen-1',
      method: 'subscriptions/listen',
      params: {
        notifications: { taskIds },
        _meta: envelope(true),
      },
    }),
  });
  if (!/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) throw new Error(`listen answered ${res.status}: ${await res.text()}`);
  const tasks: Record<string, any>[] = [];
  const waiters: { match: (t: Record<string, any>) => boolean; resolve: (t: Record<string, any>) => void }[] = [];
  let ackResolve!: (v: any) => void;
  const ack = new Promise<any>((r) => (ackResolve = r));
  let final: Record<string, any> | undefined;
  const onMessage = (m: any) => {
    if (m.method === 'notifications/subscriptions/acknowledged') ackResolve(m.params);
    else if (m.method === 'notifications/tasks') {
      tasks.push(m.params);
      for (const w of waiters.splice(0)) {
        if (w.match(m.params)) w.resolve(m.params);
        else waiters.push(w);
      }
    } else if (m.id !== undefined) final = m.result;
  };
  const ended = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const data = buf.slice(0, cut).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          buf = buf.slice(cut + 2);
          if (data) onMessage(JSON.parse(data));
        }
      }
    } catch {
      // closed by us
    }
    return final;
  })();
  return {
    ack,
    tasks,
    next: (match, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const seen = tasks.find(match);
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`no matching notifications/tasks within ${timeoutMs} ms; got ${JSON.stringify(tasks.map((t) => t.status))}`)), timeoutMs);
        waiters.push({ match, resolve: (t) => (clearTimeout(timer), resolve(t)) });
      }),
    ended,
    close: () => abort.abort(),
  };
}
