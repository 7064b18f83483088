/**
 * Fake OpenAI-compatible chat-completions server: the stand-in for a real LLM in tests and load tests.
 * Routes (with or without the /v1 prefix): POST /chat/completions, GET /models; plus Ollama-style GET /api/tags.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  answerContent, completionBody, errorBody, malformedContent, streamChunks, wantsJson,
  type ChatRequest, type JsonSchemaFor, type ResponseFormat,
} from './fakeLlmContent.ts';

export type { ChatMessage, ChatRequest, JsonSchemaFor, ResponseFormat } from './fakeLlmContent.ts';

/** Port of `npm run fake-llm` unless PORT says otherwise; llm_config/offline/baseline.json points at it. */
export const FAKE_LLM_DEFAULT_PORT = 11435;

/** `ok` answers normally; `slow` answers normally after extra latency; the rest inject failures. */
export type FailureMode = 'ok' | '429' | '500' | 'malformed' | 'hang' | 'slow';
export type Latency = number | { min: number; max: number };

export interface FakeLlmBehaviour {
  mode?: FailureMode;
  /** Delay before answering (fixed or uniformly random in [min, max]). */
  latencyMs?: Latency;
  /** Extra delay added in `slow` mode. Default 2000. */
  slowExtraMs?: number;
  /** Overrides the generated content (return undefined to fall back to the generated answer). */
  content?: string | ((request: ChatRequest) => string | undefined);
}

/** A queued failure: a mode, a per-call behaviour, or a batch restricted to one model id. */
export type QueuedFailure = FailureMode | FakeLlmBehaviour | { model: string; failures: Array<FailureMode | FakeLlmBehaviour> };

export interface FakeLlmOptions extends FakeLlmBehaviour {
  port?: number;
  host?: string;
  /** Model ids listed by GET /models. Default ["fake-model"]. Requests for other models are still answered. */
  models?: string[];
  /** Schema to answer with when the request has no json_schema response_format. */
  jsonSchemaFor?: JsonSchemaFor;
}

export type CallOutcome = 'pending' | 'ok' | 'malformed' | '429' | '500' | 'aborted' | 'bad_request';

export interface FakeLlmCall {
  model: string;
  messages: ChatRequest['messages'];
  response_format?: ResponseFormat;
  stream: boolean;
  /** Epoch ms when the request arrived. */
  time: number;
  /** Behaviour mode applied to this call. */
  mode: FailureMode;
  /** What happened: `pending` while latency/hang is in progress, `aborted` if the client went away first. */
  outcome: CallOutcome;
  status?: number;
  durationMs?: number;
  /** The full parsed request body. */
  request: ChatRequest;
}

export interface FakeLlm {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  calls: FakeLlmCall[];
  /** Merges into the current global behaviour (mode, latencyMs, slowExtraMs, content). */
  setBehaviour(behaviour: FakeLlmBehaviour): void;
  /** Appends failures to a FIFO queue; each call consumes the first entry matching its model. */
  queueFailures(...failures: QueuedFailure[]): void;
  /** Clears calls and the failure queue and restores the behaviour given at start. */
  reset(): void;
  /** Resolves once at least `count` calls were recorded. */
  waitForCalls(count: number, timeoutMs?: number): Promise<FakeLlmCall[]>;
  /** Stops listening and destroys open sockets (hanging requests included). */
  close(): Promise<void>;
}

interface QueueEntry { model?: string; behaviour: FakeLlmBehaviour }

const toBehaviour = (f: FailureMode | FakeLlmBehaviour): FakeLlmBehaviour => (typeof f === 'string' ? { mode: f } : f);

function latencyValue(l: Latency | undefined): number {
  if (l === undefined) return 0;
  if (typeof l === 'number') return Math.max(0, l);
  return Math.max(0, l.min + Math.random() * Math.max(0, l.max - l.min));
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = ms === Infinity ? undefined : setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const { port: wantedPort = 0, host = '127.0.0.1', models = ['fake-model'], jsonSchemaFor, ...initial } = options;
  const initialBehaviour: FakeLlmBehaviour = { mode: 'ok', slowExtraMs: 2000, ...initial };
  let behaviour: FakeLlmBehaviour = { ...initialBehaviour };
  let queue: QueueEntry[] = [];
  const calls: FakeLlmCall[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();

  function takeBehaviour(model: string): FakeLlmBehaviour {
    const i = queue.findIndex((e) => e.model === undefined || e.model === model);
    if (i < 0) return behaviour;
    const [entry] = queue.splice(i, 1);
    return { ...behaviour, mode: 'ok', ...entry.behaviour };
  }

  function finish(call: FakeLlmCall, outcome: CallOutcome, status?: number): void {
    if (call.outcome !== 'pending') return;
    call.outcome = outcome;
    call.status = status;
    call.durationMs = Date.now() - call.time;
  }

  async function handleChat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = Date.now();
    let parsed: ChatRequest;
    try {
      parsed = JSON.parse(await readBody(req)) as ChatRequest;
      if (!parsed || !Array.isArray(parsed.messages)) throw new Error('"messages" must be an array');
    } catch (err) {
      sendJson(res, 400, errorBody(400, `invalid request: ${(err as Error).message}`));
      return;
    }
    const model = typeof parsed.model === 'string' ? parsed.model : models[0];
    const b = takeBehaviour(model);
    const mode = b.mode ?? 'ok';
    const call: FakeLlmCall = {
      model, messages: parsed.messages, response_format: parsed.response_format, stream: parsed.stream === true,
      time, mode, outcome: 'pending', request: { ...parsed, model },
    };
    calls.push(call);
    for (const w of [...waiters]) w();

    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        finish(call, 'aborted');
        ac.abort();
      }
    });
    let delay = latencyValue(b.latencyMs);
    if (mode === 'slow') delay += b.slowExtraMs ?? 2000;
    if (mode === 'hang') delay = Infinity;
    if (delay > 0 && !(await sleep(delay, ac.signal))) return;
    if (res.destroyed) return;

    if (mode === '429') {
      finish(call, '429', 429);
      sendJson(res, 429, errorBody(429, 'Rate limit reached (fake-llm). Please retry.'), { 'retry-after': '0', 'retry-after-ms': '0' });
      return;
    }
    if (mode === '500') {
      finish(call, '500', 500);
      sendJson(res, 500, errorBody(500, 'The server had an error while processing your request (fake-llm).'));
      return;
    }
    const custom = typeof b.content === 'function' ? b.content(call.request) : b.content;
    const good = custom ?? answerContent(call.request, jsonSchemaFor);
    const malformed = mode === 'malformed';
    const jsonAsked = wantsJson(call.request) || /^\s*[[{]/.test(good);
    const content = malformed && jsonAsked ? malformedContent(good) : good;
    finish(call, malformed ? 'malformed' : 'ok', 200);

    if (call.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const frames = streamChunks(call.request, content);
      if (malformed && !jsonAsked) {
        res.end(`${frames[0]}data: {"id": "broken\n\n`);
        return;
      }
      res.end(`${frames.join('')}data: [DONE]\n\n`);
      return;
    }
    if (malformed && !jsonAsked) {
      const text = JSON.stringify(completionBody(call.request, content));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    sendJson(res, 200, completionBody(call.request, content));
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '').replace(/^\/v1(?=\/)/, '');
    if (req.method === 'POST' && path === '/chat/completions') {
      handleChat(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, errorBody(500, `fake-llm internal error: ${String(err)}`));
        else res.destroy();
      });
      return;
    }
    if (req.method === 'GET' && path === '/models') {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'fake-llm' })) });
      return;
    }
    if (req.method === 'GET' && path === '/api/tags') {
      sendJson(res, 200, { models: models.map((name) => ({ name, model: name })) });
      return;
    }
    sendJson(res, 404, errorBody(404, `no route for ${req.method} ${req.url}`));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/v1`,
    port,
    calls,
    setBehaviour(next) {
      behaviour = { ...behaviour, ...next };
    },
    queueFailures(...failures) {
      for (const f of failures) {
        if (typeof f === 'object' && 'failures' in f) {
          for (const x of f.failures) queue.push({ model: f.model, behaviour: toBehaviour(x) });
        } else queue.push({ behaviour: toBehaviour(f) });
      }
    },
    reset() {
      calls.length = 0;
      queue = [];
      behaviour = { ...initialBehaviour };
    },
    waitForCalls(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (calls.length < count) return;
          cleanup();
          resolve(calls);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fake-llm: expected ${count} calls, got ${calls.length} within ${timeoutMs}ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    },
  };
}
