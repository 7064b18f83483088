/**
 * The shim's `k6/x/sse` (the xk6-sse extension, github.com/phymbert/xk6-sse): `sse.open(url, params, setup)` calls
 * `setup(client)`, then delivers the stream's events to the handlers synchronously, as the extension's event loop
 * does, and returns the response once the stream ended or a handler called `client.close()`.
 */
import { addSample, call, send, waitMessage } from './bridge.ts';

interface SseEvent {
  id: string;
  name: string;
  data: string;
}

type Handler = (arg: any) => void;

function open(url: string, params: { method?: string; headers?: Record<string, string>; body?: string; tags?: Record<string, string> } = {}, setup?: (client: unknown) => void) {
  const handlers = new Map<string, Handler[]>();
  let closed = false;
  const client = {
    on(event: string, fn: Handler) {
      handlers.set(event, [...(handlers.get(event) ?? []), fn]);
    },
    close() {
      closed = true;
    },
  };
  setup?.(client);
  const emit = (event: string, arg: unknown) => {
    for (const fn of handlers.get(event) ?? []) fn(arg);
  };
  const opened = call<{ type: 'open' | 'end'; stream: number; status: number; error?: string }>({
    type: 'sse-open',
    url,
    method: params.method ?? 'GET',
    headers: params.headers ?? {},
    body: params.body,
  });
  const tags = { name: url, ...params.tags };
  if (opened.type === 'end') {
    emit('error', { error: () => opened.error ?? `HTTP ${opened.status}` });
    addSample({ metric: 'sse_open_failed', type: 'rate', value: 1, tags });
    return { status: opened.status, error: opened.error ?? '' };
  }
  addSample({ metric: 'sse_open_failed', type: 'rate', value: 0, tags });
  emit('open', undefined);
  const status = opened.status;
  let error = '';
  while (!closed) {
    const m = waitMessage<{ type: 'event' | 'end'; event?: SseEvent; error?: string }>();
    if (m.type === 'end') {
      if (m.error) {
        error = m.error;
        emit('error', { error: () => m.error });
      }
      break;
    }
    addSample({ metric: 'sse_event', type: 'counter', value: 1, tags });
    emit('event', m.event);
  }
  if (closed) {
    send({ type: 'sse-close', stream: opened.stream });
    // drain what the runner sent before it saw the close, up to its end message
    for (;;) if (waitMessage<{ type: string }>().type === 'end') break;
  }
  return { status, error };
}

export default { open };
export { open };
