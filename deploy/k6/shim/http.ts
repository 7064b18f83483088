/**
 * The shim's `k6/http`: synchronous requests (bridge.ts) with k6's built-in metrics (http_reqs, http_req_duration,
 * http_req_failed, tagged method/status/name and the request's own tags) and k6's Response surface.
 */
import { addSample, call } from './bridge.ts';

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  /** 'binary': the body is an ArrayBuffer (byte-exact), as in k6 */
  responseType?: 'text' | 'binary' | 'none';
}

/** A gjson-style path as k6's Response.json() takes it: `content.0.text`. */
function select(value: any, path?: string): any {
  if (!path) return value;
  let v = value;
  for (const part of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = Array.isArray(v) && /^\d+$/.test(part) ? v[Number(part)] : v[part];
  }
  return v;
}

export class Response {
  constructor(
    readonly status: number,
    readonly body: string | ArrayBuffer | null,
    readonly headers: Record<string, string>,
    readonly error: string,
    readonly url: string,
    readonly timings: { duration: number },
  ) {}

  json(selector?: string): any {
    return select(JSON.parse(typeof this.body === 'string' ? this.body : new TextDecoder().decode(this.body ?? new ArrayBuffer(0))), selector);
  }
}

function request(method: string, url: string, body?: string | null, params: Params = {}): Response {
  const r = call<{ status: number; body: string | ArrayBuffer; headers: Record<string, string>; error?: string; durationMs: number }>({
    type: 'http',
    method,
    url,
    body: body ?? undefined,
    headers: params.headers ?? {},
    binary: params.responseType === 'binary',
  });
  // k6: a request failed when it got no answer or one outside 200–399
  const failed = !r.status || r.status >= 400;
  const tags = { method, status: String(r.status), name: url, ...params.tags };
  addSample({ metric: 'http_reqs', type: 'counter', value: 1, tags });
  addSample({ metric: 'http_req_duration', type: 'trend', value: r.durationMs, tags });
  addSample({ metric: 'http_req_failed', type: 'rate', value: failed ? 1 : 0, tags });
  return new Response(r.status, params.responseType === 'none' ? null : r.body, r.headers, r.error ?? '', url, { duration: r.durationMs });
}

const http = {
  request,
  get: (url: string, params?: Params) => request('GET', url, null, params),
  head: (url: string, params?: Params) => request('HEAD', url, null, params),
  del: (url: string, body?: string | null, params?: Params) => request('DELETE', url, body, params),
  post: (url: string, body?: string | null, params?: Params) => request('POST', url, body, params),
  put: (url: string, body?: string | null, params?: Params) => request('PUT', url, body, params),
  patch: (url: string, body?: string | null, params?: Params) => request('PATCH', url, body, params),
};

export const { get, head, del, post, put, patch } = http;
export { request };
export default http;
