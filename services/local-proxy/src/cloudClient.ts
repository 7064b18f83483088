import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudUrls } from './cloudUrl.ts';

export interface CloudClientOptions {
  urls: CloudUrls;
  /** PLANEXE_MCP_API_KEY, sent as X-API-Key to the PlanExe origin only. */
  apiKey?: string;
  /** Per request (spec: 60 s); for downloads, the longest silence between chunks. */
  timeoutMs?: number;
  /** Delays before the 2nd and 3rd attempt (spec: 1 s, 2 s). */
  retryDelaysMs?: number[];
}

export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** A tool's answer: the payload, and whether the cloud marked it as an error. */
export interface ToolAnswer {
  payload: Record<string, unknown>;
  isError: boolean;
}

/** plan_file_info's terminal artifact problems are answers, not errors (spec/tools.md §8.1). */
const NON_ERROR_CODES = new Set(['generation_failed', 'content_unavailable']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function parseText(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { result: v };
  } catch {
    return { result: text };
  }
}

/** The REST bridge loses isError: an answer is an error when it is nothing but an error object of an error code. */
function restIsError(payload: Record<string, unknown>): boolean {
  const e = payload.error as { code?: unknown } | undefined;
  return !!e && typeof e === 'object' && Object.keys(payload).length === 1 && !NON_ERROR_CODES.has(String(e.code));
}

/**
 * HTTP to a PlanExe server (spec/tools.md §9.3): the REST bridge first, JSON-RPC when the bridge answers 404;
 * redirects followed by hand (at most 5; 303 turns into a GET; the API key is never sent to another origin);
 * three attempts on 5xx, timeouts and network errors, none on 4xx.
 */
export class CloudClient {
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly delays: number[];

  constructor(private readonly o: CloudClientOptions) {
    this.origin = new URL(o.urls.mcp).origin;
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.delays = o.retryDelaysMs ?? [1_000, 2_000];
  }

  get urls(): CloudUrls {
    return this.o.urls;
  }

  /** Headers for a URL: the key only when it is the PlanExe origin. */
  headersFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json', ...extra };
    if (this.o.apiKey && new URL(url).origin === this.origin) h['X-API-Key'] = this.o.apiKey;
    return h;
  }

  /** One request with redirects and retries. `signalFor` makes each attempt's abort signal (timeouts). */
  async fetch(url: string, init: { method: string; body?: string; headers?: Record<string, string>; idle?: boolean }): Promise<Response> {
    let lastErr: unknown;
    for (let attempt = 0; attempt <= this.delays.length; attempt++) {
      if (attempt > 0) await sleep(this.delays[attempt - 1]);
      try {
        const res = await this.followRedirects(url, init);
        if (res.status < 500) return res;
        lastErr = new RemoteError(`HTTP ${res.status} from ${new URL(url).host}: ${(await res.text().catch(() => '')).slice(0, 300)}`, res.status);
      } catch (e) {
        lastErr = e;
      }
    }
    throw lastErr instanceof RemoteError ? lastErr : new RemoteError(`cannot reach ${new URL(url).host}: ${describe(lastErr)}`);
  }

  private async followRedirects(url: string, init: { method: string; body?: string; headers?: Record<string, string>; idle?: boolean }): Promise<Response> {
    let method = init.method;
    let body = init.body;
    let current = url;
    for (let hop = 0; hop <= 5; hop++) {
      const headers = this.headersFor(current, init.headers);
      if (body === undefined) delete headers['Content-Type'];
      const res = await fetch(current, {
        method,
        body,
        headers,
        redirect: 'manual',
        // a download may take long: its limit is on silence (see readBody), not on the whole transfer
        signal: init.idle ? undefined : AbortSignal.timeout(this.timeoutMs),
      });
      if (!REDIRECTS.has(res.status)) return res;
      const loc = res.headers.get('location');
      await res.body?.cancel();
      if (!loc) throw new RemoteError(`redirect without Location from ${new URL(current).host}`, res.status);
      const next = new URL(loc, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RemoteError(`refusing redirect to ${next.protocol}`);
      if (res.status === 303) {
        method = 'GET';
        body = undefined;
      }
      current = next.toString();
    }
    throw new RemoteError('too many redirects');
  }

  /** Calls a cloud tool. Transport failures throw RemoteError; tool errors come back as answers. */
  async callTool(name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
    const json = { 'Content-Type': 'application/json' };
    const rest = await this.fetch(`${this.o.urls.mcp}/tools/call`, { method: 'POST', body: JSON.stringify({ tool: name, arguments: args }), headers: json });
    if (rest.status === 404) {
      await rest.body?.cancel();
      return this.callJsonRpc(name, args);
    }
    const body = await readJson(rest);
    if (!rest.ok) throw new RemoteError(httpError(rest.status, body), rest.status);
    const payload = parseText(body?.content?.[0]?.text);
    if (!body?.content?.length && body?.error) return { payload: { error: body.error }, isError: true };
    return { payload, isError: restIsError(payload) };
  }

  private async callJsonRpc(name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
    let result: any;
    try {
      result = (await this.rpc('tools/call', { name, arguments: args })) ?? {};
    } catch (e) {
      if (e instanceof JsonRpcError) throw new RemoteError(`JSON-RPC error ${e.code}: ${e.message}`);
      throw e;
    }
    const payload = result.structuredContent && typeof result.structuredContent === 'object' ? result.structuredContent : parseText(result.content?.[0]?.text);
    return { payload, isError: !!result.isError };
  }

  /**
   * One JSON-RPC request to the cloud's MCP endpoint (a stateless 2025-era POST, as every revision accepts), with
   * the retries and redirects above. The result object, or JsonRpcError carrying the cloud's code and message;
   * transport failures throw RemoteError.
   */
  async rpc(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await this.fetch(this.o.urls.mcp, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: '1', method, params }),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    let msg: any;
    try {
      if (type.includes('text/event-stream')) {
        for (const line of text.split(/\r?\n/)) {
          if (!line.startsWith('data:')) continue;
          const m = JSON.parse(line.slice(5));
          if (m?.id === '1') msg = m;
        }
      } else {
        msg = JSON.parse(text || 'null');
      }
    } catch {
      msg = undefined;
    }
    if (msg?.error) throw new JsonRpcError(Number(msg.error.code), String(msg.error.message ?? ''), msg.error.data);
    if (!res.ok || !msg) throw new RemoteError(httpError(res.status, msg), res.status);
    return (msg.result ?? {}) as Record<string, unknown>;
  }
}

/** A JSON-RPC error the cloud answered (its code, message and data are passed on as they are). */
export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'JsonRpcError';
  }
}

async function readJson(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 300) };
  }
}

export function httpError(status: number, body: any): string {
  const detail = body?.error?.message ?? (typeof body?.detail === 'string' ? body.detail : undefined);
  return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (e.name === 'TimeoutError' ? 'timed out' : e.message);
  }
  return String(e);
}
