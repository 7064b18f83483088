/**
 * Route policy, property-based: generated requests for every route of the table and near-misses of every path
 * (letter case, `//`, `/./`, `%2e`, `%2f`, percent-encoded letters, trailing `/`, `.` and `;`, `..` and NUL in
 * parameters), on the route's methods and others (HEAD and OPTIONS with bodies too), with JSON-RPC bodies, batches
 * and duplicated JSON keys, clients' answers to server-to-client requests (JSON-RPC responses: never public, free), with MCP request headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name) absent, agreeing
 * with the body or not, with no key, a wrong key, a revoked key, another user's key and the owner's key — in
 * standalone mode and through the distributed gateway. Each answer must be exactly the matched route's policy:
 * 404 for no route, 405 + Allow for a wrong method, the route's auth class, body limit and rate budget, the owner's
 * data only for the owner; never a 5xx.
 *
 * SECURITY_FUZZ_REQUESTS sets the number of requests per mode (default 6,000: 12,000 across both modes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ROUTES } from '@planexe/contracts';
import type { DbHandle } from '@planexe/db';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { allowOf, EXPECTED_ROUTES } from './expectedRoutes.ts';
import { buildBody, buildPath, genRequest, headerOnly, headersDisagree, isCharged, isPublic, mcpHeaderLines, type GenRequest } from './requestModel.ts';
import { DOWNLOAD_LIMIT, MAIN_LIMIT, MAX_BODY, startSecurityServer, type Mode, type SecurityServer } from './securityServers.ts';
import { closeRawAgent, sendRaw, type RawAnswer } from './sendRaw.ts';

const PER_MODE = Number(process.env.SECURITY_FUZZ_REQUESTS ?? 6000);
const CONCURRENCY = 16;

const json = (s: string): any => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

/** Why an answer breaks the policy, or undefined when it is exactly what the matched route prescribes. */
function violation(g: GenRequest, srv: SecurityServer, path: string, sent: { body?: string; parsed: unknown; withToken: boolean }, a: RawAnswer): string | undefined {
  const p = srv.principals;
  const built = buildPath(g, p);
  if (a.status >= 500) return `5xx (${a.status})`;
  // the owner's data goes to the owner only (a plan's prompt is in plan_status / plan_list answers)
  if (g.key !== 'valid' && a.body.includes(p.planPrompt)) return "another caller's plan leaked";
  const target = built.names;
  // a HEAD answer has no body: its status (and headers) must still be the GET's
  const head = g.method === 'HEAD';
  const err = head ? { code: { 404: 'NOT_FOUND', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN' }[a.status] } : json(a.body)?.error;
  if (!target) {
    if (a.status !== 404 || err?.code !== 'NOT_FOUND') return `expected 404 NOT_FOUND for an unrouted path, got ${a.status} ${a.body.slice(0, 120)}`;
    return undefined;
  }
  const candidates = EXPECTED_ROUTES.filter((r) => r.path === target.path);
  const route = candidates.find((r) => r.methods.includes(g.method));
  if (!route) {
    const allow = allowOf(target.path).join(', ');
    if (String(a.headers.allow) !== allow) return `expected Allow: ${allow}, got ${a.headers.allow} (status ${a.status})`;
    if (g.method === 'OPTIONS') return a.status === 200 ? undefined : `OPTIONS on a known path: expected 200, got ${a.status}`;
    return a.status === 405 && (head || err?.code === 'BAD_REQUEST') ? undefined : `expected 405, got ${a.status}`;
  }
  // the route's auth class
  const declared = sent.body === undefined ? 0 : Buffer.byteLength(sent.body);
  const fits = declared <= MAX_BODY;
  // MCP headers: classified from them alone (body unparsed), or checked against the body the edge reads
  const fromHeaders = fits && headerOnly(route, g.method, g.mcp, g.key !== 'none', sent.body);
  if (route.id === 'mcp' && g.method === 'POST' && fits && !fromHeaders && headersDisagree(g.mcp, sent.parsed)) {
    return a.status === 400 && json(a.body)?.error?.code === -32020 ? undefined : `header/body disagreement: expected 400 -32020, got ${a.status} ${a.body.slice(0, 120)}`;
  }
  const bodyRead = route.body !== 'none' && g.method === 'POST' && sent.body !== undefined && fits && !fromHeaders;
  const tokenOk = route.auth === 'token-or-key' && sent.withToken && target.params.plan_id === p.planId && target.params.filename === 'report.html';
  let allowed: boolean;
  let refusal: 401 | 403 | undefined;
  if (route.auth === 'open' || tokenOk) allowed = true;
  else if (g.key === 'valid' || g.key === 'other') allowed = true;
  else if (g.key === 'none') {
    allowed = route.auth === 'exempt' && isPublic(route, g.method, sent.parsed, bodyRead);
    refusal = 401;
  } else {
    allowed = false;
    refusal = 403;
  }
  const rpcRefusal = a.status === 200 && json(a.body)?.error?.code === -32001;
  if (head && route.rpc) return a.status === 200 ? undefined : `HEAD on the MCP endpoint: expected 200, got ${a.status}`;
  const httpRefusal = a.status === 401 && err?.code === 'UNAUTHORIZED' ? 401 : a.status === 403 && err?.code === 'FORBIDDEN' ? 403 : undefined;
  if (!allowed) {
    if (route.rpc) return rpcRefusal ? undefined : `expected a JSON-RPC -32001 refusal (${refusal}), got ${a.status} ${a.body.slice(0, 120)}`;
    // a throttled address gets 429 instead of 403 for a wrong key; never a pass
    if (httpRefusal === refusal || (refusal === 403 && a.status === 429)) return undefined;
    return `BYPASS? expected ${refusal}, got ${a.status} ${a.body.slice(0, 160)}`;
  }
  // a download with a token that is not valid for this plan and file is refused whatever key came with it (the
  // token, once present, must be valid: spec/http.md §9), after the file-name check
  const file = target.params.filename;
  if (route.id === 'download' && sent.withToken && !tokenOk && (file === 'report.html' || file === 'run.zip')) {
    return a.status === 401 && (head || err?.code === 'INVALID_DOWNLOAD_TOKEN') ? undefined : `download with a foreign token: expected 401, got ${a.status}`;
  }
  if (rpcRefusal || httpRefusal) return `a request the policy allows was refused: ${a.status} ${a.body.slice(0, 160)}`;
  // body size, after auth
  if (route.body !== 'none' && g.method === 'POST' && sent.body !== undefined) {
    if (!g.chunked && declared > MAX_BODY) return a.status === 413 ? undefined : `expected 413, got ${a.status}`;
    if (g.chunked && declared > MAX_BODY) return a.status === 413 ? undefined : `expected 413 for an oversized chunked body, got ${a.status}`;
    if (g.chunked && route.body === 'json-length-required') return a.status === 411 ? undefined : `expected 411, got ${a.status}`;
  }
  // the budget charged: RateLimit-Limit names it, and free requests carry none
  // a header-only classification charges what the header claims (never a free method)
  const charged = fromHeaders || isCharged(route, g.method, sent.parsed);
  const limit = a.headers['ratelimit-limit'];
  const want = charged ? String(route.rate === 'download' ? DOWNLOAD_LIMIT : MAIN_LIMIT) : undefined;
  if (limit !== want) return `budget: expected RateLimit-Limit ${want}, got ${limit}`;
  // the route's own answers where they are exact
  // a client's answer that names no waiting call: taken (202, empty), never a 4xx/5xx that tells calls apart; under
  // a 2026-07-28 header (a revision without posted responses) refused as a bad request, whatever the id
  if (route.id === 'mcp' && g.method === 'POST' && g.body?.kind === 'answer') {
    if (g.mcp?.version === '2026-07-28') {
      if (a.status !== 400 || json(a.body)?.error?.code !== -32600) return `a client's answer under a 2026 header: expected 400 -32600, got ${a.status} ${a.body.slice(0, 120)}`;
    } else if (a.status !== 202 || a.body !== '') return `a client's answer: expected 202 and no body, got ${a.status} ${a.body.slice(0, 120)}`;
  }
  if (route.id === 'mcp_stream') {
    const wantStatus = g.acceptStream ? 200 : 406;
    if (a.status !== wantStatus) return `MCP GET stream: expected ${wantStatus}, got ${a.status}`;
  }
  if (route.id === 'download' && !head) {
    const withToken = sent.withToken;
    let wantDetail: string;
    if (file !== 'report.html' && file !== 'run.zip') wantDetail = 'Report not found';
    else if (withToken && !tokenOk) wantDetail = 'Invalid or expired download token';
    else if (tokenOk || (g.key === 'valid' && target.params.plan_id === p.planId)) wantDetail = 'Report not found';
    else wantDetail = 'Plan not found';
    if (json(a.body)?.detail !== wantDetail) return `download: expected "${wantDetail}", got ${a.status} ${a.body.slice(0, 120)}`;
  }
  return undefined;
}

describe.each(['standalone', 'distributed'] as Mode[])('route policy, generated requests (%s)', (mode) => {
  let dbh: DbHandle;
  let srv: SecurityServer;
  let sent = 0;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startSecurityServer(mode, dbh);
  }, 120_000);
  afterAll(async () => {
    closeRawAgent();
    await srv?.close();
    await dbh?.close();
  });

  it('the route table is the one this suite expects (ids, paths, methods, auth, budget, body)', () => {
    const auth = { open: 'open', 'handshake-exempt': 'exempt', protected: 'protected', 'token-or-key': 'token-or-key' } as const;
    expect(
      ROUTES.map((r) => ({ id: r.id, path: r.path, alias: r.aliases?.[0], methods: [...r.methods], auth: auth[r.auth], rate: r.rate, body: r.body, rpc: r.jsonRpcRefusals })),
    ).toEqual(EXPECTED_ROUTES.map(({ id, path, alias, methods, auth, rate, body, rpc }) => ({ id, path, alias, methods, auth, rate, body, rpc })));
  });

  it(`${PER_MODE} generated requests: every answer is exactly the matched route's policy, no 5xx`, async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(genRequest, { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (batch) => {
        const results = await Promise.all(
          batch.map(async (g) => {
            const p = srv.principals;
            const built = buildPath(g, p);
            const body = buildBody(g, p);
            const keyOf = { none: undefined, wrong: 'pex_wrongwrongwrongwrongwrongwrongwr', revoked: p.revokedKey, other: p.otherKey, valid: p.validKey }[g.key];
            const headers: Record<string, string> = {
              accept: g.acceptStream ? 'application/json, text/event-stream' : 'application/json',
              ...(body ? { 'content-type': 'application/json' } : {}),
              ...(keyOf ? { 'x-api-key': keyOf } : {}),
              ...mcpHeaderLines(g.mcp),
            };
            const query = g.withToken ? `?token=${p.reportToken}` : '';
            const answer = await sendRaw(srv.url, { method: g.method, path: built.path + query, headers, body: body?.text, chunked: g.chunked });
            sent++;
            const v = violation(g, srv, built.path, { body: body?.text, parsed: body?.parsed, withToken: g.withToken }, answer);
            return v && `${g.method} ${built.path}${query ? '?token=…' : ''} key=${g.key} mcp=${JSON.stringify(g.mcp ?? {})} body=${body?.text.slice(0, 100) ?? '-'}${g.chunked ? ' (chunked)' : ''}: ${v}`;
          }),
        );
        // recorded rather than failed at once: the report lists what broke (with the request line), not a 16-request tuple
        for (const r of results) if (r) failures.push(r);
      }),
      { numRuns: Math.ceil(PER_MODE / CONCURRENCY) },
    );
    expect(failures.slice(0, 25), `${failures.length} of ${sent} requests broke the policy`).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(PER_MODE);
  }, 600_000);
});
