import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/**
 * One request with the path and method exactly as given (no URL normalisation: `//`, `/./`, `%2e` reach the server)
 * and an optional body, chunked or with a length, on any method. An event stream is cut after its headers.
 */
export function sendRaw(base: string, o: { method: string; path: string; headers?: Record<string, string>; body?: string; chunked?: boolean }): Promise<RawAnswer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.body !== undefined && !o.chunked) headers['content-length'] = String(Buffer.byteLength(o.body));
    if (o.body !== undefined && o.chunked) headers['transfer-encoding'] = 'chunked';
    const req = http.request({ host: u.hostname, port: u.port, method: o.method, path: o.path, headers, agent }, (res) => {
      if (/text\/event-stream/i.test(String(res.headers['content-type'] ?? ''))) {
        res.destroy();
        resolve({ status: res.statusCode!, headers: res.headers, body: '' });
        return;
      }
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer to ${o.method} ${o.path}`)));
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}

export const closeRawAgent = () => agent.destroy();
