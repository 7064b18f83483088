import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { TOOL_NAMES, MAX_PROMPT_CHARS } from '@planexe/contracts';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { insertPlan, loadSnapshot, type DbHandle } from '@planexe/db';
import { sql } from 'kysely';
import { startTestServer, connectClient, createUserWithKey, payloadOf, type TestServer } from '../../../tests/harness/testServer.ts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

const kinds = await dbKinds();
const PROMPT = 'Open a neighbourhood tool library in Aarhus with a budget of 400,000 DKK within nine months.';

describe.each(kinds)('MCP tool surface over Streamable HTTP (%s)', (kind) => {
  let dbh: DbHandle;
  let srv: TestServer;
  let alice: Awaited<ReturnType<typeof createUserWithKey>>;
  let bob: Awaited<ReturnType<typeof createUserWithKey>>;
  let a: Client;
  let b: Client;
  let anon: Client;

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    srv = await startTestServer(dbh);
    alice = await createUserWithKey(dbh.db);
    bob = await createUserWithKey(dbh.db);
    a = await connectClient(srv.mcpUrl, { 'X-API-Key': alice.key });
    b = await connectClient(srv.mcpUrl, { 'X-API-Key': bob.key });
    anon = await connectClient(srv.mcpUrl);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), anon?.close()]);
    await srv?.close();
    await dbh?.close();
  });

  const call = async (c: Client, name: string, args: Record<string, unknown> = {}) => {
    const r = await c.callTool({ name, arguments: args });
    return { isError: !!r.isError, payload: payloadOf(r) };
  };
  /** What a worker does after each write: bump the state version and publish the snapshot. */
  const announce = async (id: string) => {
    await sql`update plans set state_version = state_version + 1 where id = ${id}`.execute(dbh.db);
    await srv.bus.publishSnapshot((await loadSnapshot(dbh.db, id))!);
  };
  const setState = async (id: string, state: string) => {
    await sql`update plans set state = ${state}::planstate where id = ${id}`.execute(dbh.db);
    await announce(id);
  };

  it('lists exactly the spec tools, in order, with input and output schemas and annotations', async () => {
    const { tools } = await a.listTools();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.annotations).toBeDefined();
      expect(t.description!.length).toBeGreaterThan(50);
    }
    const create = tools.find((t) => t.name === 'plan_create')!;
    expect(create.inputSchema.required).toEqual(['prompt']);
    expect(create.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(tools.find((t) => t.name === 'plan_stop')!.annotations?.destructiveHint).toBe(true);
    expect(create.description).toContain('plan_file_info');
  });

  it('initialize carries the server name and the instructions with the tested phrases', async () => {
    expect(a.getServerVersion()?.name).toBe('planexe-mcp-server');
    const ins = a.getInstructions()!;
    for (const s of ['send_feedback', 'plan_file_info', 'pending/processing', 'pending for longer than 5 minutes', 'longer than 20 minutes', 'PlanExeOrg/PlanExe/issues', 'MODEL_PROFILES_UNAVAILABLE']) {
      expect(ins).toContain(s);
    }
    expect(ins).not.toContain('running/stopping');
  });

  it('structuredContent of every successful call validates against the advertised outputSchema', async () => {
    const { tools } = await a.listTools();
    const ajv = new Ajv2020({ strict: false });
    const created = await call(a, 'plan_create', { prompt: `${PROMPT} schema-check ${randomUUID()}` });
    const id = created.payload.plan_id;
    const calls: [string, Record<string, unknown>][] = [
      ['example_plans', {}],
      ['example_prompts', {}],
      ['model_profiles', {}],
      ['plan_status', { plan_id: id }],
      ['plan_file_info', { plan_id: id }],
      ['plan_list', {}],
      ['send_feedback', { category: 'mcp', message: 'works' }],
      ['plan_stop', { plan_id: id }],
      ['plan_retry', { plan_id: id }],
    ];
    for (const [name, args] of calls) {
      const r = await call(a, name, args);
      expect(r.isError, `${name}: ${JSON.stringify(r.payload)}`).toBe(false);
      const schema = tools.find((t) => t.name === name)!.outputSchema!;
      expect(ajv.validate(schema, r.payload), `${name}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it('example_prompts returns our catalog of at least 12 prompts', async () => {
    const r = await call(anon, 'example_prompts');
    expect(r.payload.samples.length).toBeGreaterThanOrEqual(12);
    expect(new Set(r.payload.samples).size).toBe(r.payload.samples.length);
    expect(r.payload.message).toMatch(/plan_create/);
  });

  it('example_plans lists only completed published plans of this deployment, with links that work', async () => {
    const empty = await call(anon, 'example_plans');
    expect(empty.payload.plans).toEqual([]);
    const created = await call(a, 'plan_create', { prompt: `${PROMPT} example ${randomUUID()}` });
    const id = created.payload.plan_id;
    await sql`update plans set state = 'completed', generated_report_html = '<html>example report</html>', is_example = true where id = ${id}`.execute(dbh.db);
    const r = await call(anon, 'example_plans');
    expect(r.payload.plans).toHaveLength(1);
    const res = await fetch(r.payload.plans[0].report_url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<html>example report</html>');
    await sql`update plans set is_example = false where id = ${id}`.execute(dbh.db);
  });

  it('model_profiles lists the shipped profiles with the default', async () => {
    const r = await call(anon, 'model_profiles');
    expect(r.isError).toBe(false);
    expect(r.payload.default_profile).toBe('baseline');
    expect(r.payload.profiles.map((p: any) => p.profile)).toEqual(['baseline', 'premium', 'frontier', 'custom']);
    for (const p of r.payload.profiles) expect(p.model_count).toBe(p.models.length);
  });

  it('plan_create returns a plan id, created_at and sse_url, and enqueues the run', async () => {
    const r = await call(a, 'plan_create', { prompt: `${PROMPT} ${randomUUID()}`, model_profile: 'premium', start_date: '2026-03-01' });
    expect(r.isError).toBe(false);
    expect(r.payload.plan_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.payload.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(r.payload.sse_url).toBe(`${srv.url}/sse/plan/${r.payload.plan_id}`);
    expect('deduplicated' in r.payload).toBe(false);
    const row = await dbh.db.selectFrom('plans').selectAll().where('id', '=', r.payload.plan_id).executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    expect(row.user_id).toBe(alice.user.id);
    expect(row.parameters).toMatchObject({ model_profile: 'premium', start_date: '2026-03-01', trigger_source: 'mcp plan_create', pipeline_version: 2 });
    expect((await srv.queue.counts()).waiting).toBeGreaterThan(0);
  });

  it('plan_create deduplicates an identical pending prompt of the same caller only', async () => {
    const prompt = `${PROMPT} dedup ${randomUUID()}`;
    const first = await call(a, 'plan_create', { prompt });
    const again = await call(a, 'plan_create', { prompt });
    expect(again.payload).toMatchObject({ plan_id: first.payload.plan_id, deduplicated: true });
    const other = await call(b, 'plan_create', { prompt });
    expect(other.payload.plan_id).not.toBe(first.payload.plan_id);
    const otherProfile = await call(a, 'plan_create', { prompt, model_profile: 'frontier' });
    expect(otherProfile.payload.plan_id).not.toBe(first.payload.plan_id);
  });

  it('plan_create refuses bad input with contract codes and stores nothing', async () => {
    const before = await dbh.db.selectFrom('plans').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const missing = await call(a, 'plan_create', {});
    expect(missing).toMatchObject({ isError: true, payload: { error: { code: 'INVALID_ARGUMENT' } } });
    expect(missing.payload.error.message).toContain('prompt');
    const badEnum = await call(a, 'plan_create', { prompt: PROMPT, model_profile: 'ultra' });
    expect(badEnum.payload.error.code).toBe('INVALID_ARGUMENT');
    expect(badEnum.payload.error.message).toContain('model_profile');
    const huge = await call(a, 'plan_create', { prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) });
    expect(huge.payload.error.code).toBe('INVALID_ARGUMENT');
    const badDate = await call(a, 'plan_create', { prompt: PROMPT, start_date: 'next tuesday' });
    expect(badDate.payload.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const after = await dbh.db.selectFrom('plans').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('plan_create refuses a user without credits', async () => {
    const poor = await createUserWithKey(dbh.db, 0);
    const c = await connectClient(srv.mcpUrl, { 'X-API-Key': poor.key });
    const r = await call(c, 'plan_create', { prompt: PROMPT });
    await c.close();
    expect(r.payload.error.code).toBe('INSUFFICIENT_CREDITS');
  });

  it('plan_status reports a plan, and unknown, malformed and foreign ids all read as PLAN_NOT_FOUND', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} status ${randomUUID()}` });
    const id = payload.plan_id;
    const s = await call(a, 'plan_status', { plan_id: id.toUpperCase() });
    expect(s.isError).toBe(false);
    expect(s.payload).toMatchObject({ plan_id: id, state: 'pending', progress_percentage: 0, files_count: 0, files: [] });
    expect(s.payload.timing.started_at).toBe(payload.created_at);
    expect(typeof s.payload.timing.elapsed_sec).toBe('number');
    for (const bad of ['not-a-uuid', randomUUID()]) {
      const r = await call(a, 'plan_status', { plan_id: bad });
      expect(r).toMatchObject({ isError: true, payload: { error: { code: 'PLAN_NOT_FOUND', message: `Plan not found: ${bad}` } } });
    }
    const foreign = await call(b, 'plan_status', { plan_id: id });
    expect(foreign.payload).toEqual({ error: { code: 'PLAN_NOT_FOUND', message: `Plan not found: ${id}` } });
    const missing = await call(a, 'plan_status', {});
    expect(missing.payload.error.code).toBe('INVALID_ARGUMENT');
  });

  it('plan_status of a failed plan carries the diagnostics; a completed plan reads 100 %', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} failed ${randomUUID()}` });
    const id = payload.plan_id;
    await sql`update plans set state = 'failed', failure_reason = 'generation_error', failed_step = 'SWOT Analysis',
      error_message = 'unable to generate', recoverable = true, steps_completed = 40, steps_total = 125 where id = ${id}`.execute(dbh.db);
    await announce(id);
    const f = await call(a, 'plan_status', { plan_id: id });
    expect(f.payload.error).toEqual({ failure_reason: 'generation_error', failed_step: 'SWOT Analysis', message: 'unable to generate', recoverable: true });
    expect(f.payload.sse_url).toBeUndefined();
    await sql`update plans set state = 'completed', progress_percentage = 97 where id = ${id}`.execute(dbh.db);
    await announce(id);
    const c = await call(a, 'plan_status', { plan_id: id });
    expect(c.payload).toMatchObject({ state: 'completed', progress_percentage: 100, steps_completed: 125, steps_total: 125 });
    expect(c.payload.error).toBeUndefined();
  });

  it('plan_stop stops a pending plan once; stop on a stopped or foreign plan changes nothing', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} stop ${randomUUID()}` });
    const id = payload.plan_id;
    expect((await call(b, 'plan_stop', { plan_id: id })).payload.error.code).toBe('PLAN_NOT_FOUND');
    expect((await call(a, 'plan_stop', { plan_id: id })).payload).toEqual({ state: 'stopped', stop_requested: true });
    expect((await call(a, 'plan_stop', { plan_id: id })).payload).toEqual({ state: 'stopped', stop_requested: false });
    await setState(id, 'completed');
    expect((await call(a, 'plan_stop', { plan_id: id })).payload).toEqual({ state: 'completed', stop_requested: false });
  });

  it('plan_retry and plan_resume only accept failed or stopped plans, with their own error codes', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} retry ${randomUUID()}` });
    const id = payload.plan_id;
    expect((await call(a, 'plan_retry', { plan_id: id })).payload.error).toEqual({
      code: 'PLAN_NOT_FAILED',
      message: `Plan is not in failed or stopped state: ${id}`,
    });
    expect((await call(a, 'plan_resume', { plan_id: id })).payload.error.code).toBe('PLAN_NOT_RESUMABLE');
    expect((await call(b, 'plan_retry', { plan_id: id })).payload.error.code).toBe('PLAN_NOT_FOUND');
    expect((await call(a, 'plan_retry', { plan_id: id, model_profile: 'gold' })).payload.error.code).toBe('INVALID_ARGUMENT');
    await setState(id, 'failed');
    const r = await call(a, 'plan_retry', { plan_id: id, model_profile: 'premium' });
    expect(r.payload).toMatchObject({ plan_id: id, state: 'pending', model_profile: 'premium' });
    expect(r.payload.retried_at).toMatch(/Z$/);
    await setState(id, 'stopped');
    const res1 = await call(a, 'plan_resume', { plan_id: id });
    expect(res1.payload).toMatchObject({ plan_id: id, state: 'pending', model_profile: 'baseline', resume_count: 1 });
    await setState(id, 'failed');
    expect((await call(a, 'plan_resume', { plan_id: id })).payload.resume_count).toBe(2);
  });

  it('plan_resume refuses a plan made by another pipeline version', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} version ${randomUUID()}` });
    await sql`update plans set state = 'failed', parameters = '{"pipeline_version": 1, "model_profile": "baseline"}' where id = ${payload.plan_id}`.execute(dbh.db);
    const r = await call(a, 'plan_resume', { plan_id: payload.plan_id });
    expect(r.payload.error.code).toBe('PIPELINE_VERSION_MISMATCH');
    expect(r.payload.error.message).toContain('plan_retry');
  });

  it('two racing plan_retry calls on one failed plan: exactly one wins', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} race ${randomUUID()}` });
    await setState(payload.plan_id, 'failed');
    const results = await Promise.all([1, 2, 3, 4].map(() => call(a, 'plan_retry', { plan_id: payload.plan_id })));
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(results.filter((r) => r.payload.error?.code === 'PLAN_NOT_FAILED')).toHaveLength(3);
    const row = await dbh.db.selectFrom('plans').select('attempt').where('id', '=', payload.plan_id).executeTakeFirstOrThrow();
    expect(row.attempt).toBe(1);
  });

  it('plan_file_info: not ready while pending, ready with a signed URL when a report exists', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} files ${randomUUID()}` });
    const id = payload.plan_id;
    expect((await call(a, 'plan_file_info', { plan_id: id })).payload).toEqual({ ready: false, reason: 'processing' });
    expect((await call(a, 'plan_file_info', { plan_id: id, artifact: 'zip' })).payload).toEqual({ ready: false, reason: 'processing' });
    expect((await call(a, 'plan_file_info', { plan_id: id, artifact: 'pdf' })).payload.error.code).toBe('INVALID_ARGUMENT');
    expect((await call(b, 'plan_file_info', { plan_id: id })).payload.error.code).toBe('PLAN_NOT_FOUND');
    await sql`update plans set state = 'failed', progress_message = '12 of 125' where id = ${id}`.execute(dbh.db);
    expect((await call(a, 'plan_file_info', { plan_id: id })).payload).toEqual({
      ready: false,
      reason: 'failed',
      error: { code: 'generation_failed', message: '12 of 125' },
    });
    await sql`update plans set state = 'completed', generated_report_html = '<html>ok ✓</html>' where id = ${id}`.execute(dbh.db);
    const r = await call(a, 'plan_file_info', { plan_id: id });
    const bytes = Buffer.from('<html>ok ✓</html>', 'utf8');
    const { createHash } = await import('node:crypto');
    expect(r.payload).toMatchObject({
      content_type: 'text/html; charset=utf-8',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      download_size: bytes.length,
    });
    expect(r.payload.download_url).toMatch(new RegExp(`^${srv.url}/download/${id}/report\\.html\\?token=\\d+\\.[0-9a-f]{64}$`));
    expect(r.payload.expires_at).toMatch(/\+00:00$/);
    const token = new URL(r.payload.download_url).searchParams.get('token')!;
    expect(srv.standalone.tokens.verify(token, id, 'report.html')).toBe(true);
    expect(srv.standalone.tokens.verify(token, id, 'run.zip')).toBe(false);
  });

  it('plan_list shows only the caller\'s plans, newest first, and clamps limit', async () => {
    const mine = await call(a, 'plan_list', { limit: 50 });
    expect(mine.payload.plans.length).toBeGreaterThan(0);
    const ids = new Set((await dbh.db.selectFrom('plans').select('id').where('user_id', '=', alice.user.id).execute()).map((r) => r.id));
    for (const p of mine.payload.plans) expect(ids.has(p.plan_id)).toBe(true);
    expect(mine.payload.message).toBe(`Returned ${mine.payload.plans.length} plan(s).`);
    const stamps = mine.payload.plans.map((p: any) => p.created_at);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    expect((await call(a, 'plan_list', { limit: '2' })).payload.plans).toHaveLength(2);
    expect((await call(a, 'plan_list', { limit: 0 })).payload.error.code).toBe('INVALID_ARGUMENTS');
    const theirs = await call(b, 'plan_list', {});
    for (const p of theirs.payload.plans) expect(ids.has(p.plan_id)).toBe(false);
  });

  it('send_feedback stores the feedback with a plan snapshot and validates category and rating', async () => {
    const { payload } = await call(a, 'plan_create', { prompt: `${PROMPT} feedback ${randomUUID()}` });
    const r = await call(a, 'send_feedback', { category: 'plan', message: 'great', plan_id: payload.plan_id, rating: '5' });
    expect(r.payload.message).toBe('Feedback received. Thank you.');
    expect(r.payload.received_at).toMatch(/Z$/);
    const row = await dbh.db.selectFrom('feedback_item').selectAll().where('id', '=', r.payload.feedback_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ category: 'plan', rating: 5, plan_state: 'pending', user_id: alice.user.id });
    expect((await call(a, 'send_feedback', { category: 'rant', message: 'x' })).payload.error.code).toBe('INVALID_FEEDBACK');
    expect((await call(a, 'send_feedback', { category: 'mcp', message: 'x', rating: 9 })).payload.error.code).toBe('INVALID_FEEDBACK');
    expect((await call(a, 'send_feedback', { category: 'mcp' })).payload.error.code).toBe('INVALID_FEEDBACK');
    expect((await call(b, 'send_feedback', { category: 'mcp', message: 'x', plan_id: payload.plan_id })).payload.error.code).toBe('PLAN_NOT_FOUND');
  });

  it('an unknown tool is an INVALID_TOOL error, not a crash', async () => {
    const r = await a.callTool({ name: 'plan_delete', arguments: {} });
    expect(r.isError).toBe(true);
    expect(payloadOf(r).error).toEqual({ code: 'INVALID_TOOL', message: 'Unknown tool: plan_delete' });
  });

  it('prompts: getting_started and plan_a_project', async () => {
    const { prompts } = await a.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['getting_started', 'plan_a_project']);
    const p = await a.getPrompt({ name: 'plan_a_project', arguments: { topic: 'a rooftop garden', location: 'Lisbon' } });
    const text = (p.messages[0].content as any).text as string;
    expect(text.split('\n')[0]).toContain('a rooftop garden');
    expect(text).toContain('Lisbon');
    await expect(a.getPrompt({ name: 'plan_a_project', arguments: {} })).rejects.toThrow();
  });

  it("resources/list holds the caller's own plans' files only (spec/tools.md §12.3)", async () => {
    const completed = async (userId: string) => {
      const p = await insertPlan(dbh.db, { prompt: 'listed', userId, apiKeyId: null, parameters: {} });
      await dbh.db.updateTable('plans').set({ state: 'completed' }).where('id', '=', p.id).execute();
      return p.id;
    };
    const [alicePlan, bobPlan] = [await completed(alice.user.id), await completed(bob.user.id)];
    // the first page leads with the plan view (an MCP App), the same for everyone; plan files follow
    expect((await a.listResources()).resources[0]).toMatchObject({ uri: 'ui://planexe/plan', mimeType: 'text/html;profile=mcp-app' });
    const planIds = async (c: Client) =>
      new Set((await c.listResources()).resources.filter((r) => r.uri.startsWith('planexe://')).map((r) => r.uri.split('/')[3]));
    const mine = await planIds(a);
    const theirs = await planIds(b);
    expect(mine.has(alicePlan) && !mine.has(bobPlan)).toBe(true);
    expect(theirs.has(bobPlan)).toBe(true);
    expect([...mine].filter((id) => theirs.has(id))).toEqual([]);
    for (const id of mine) {
      const row = await dbh.db.selectFrom('plans').select('user_id').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.user_id).toBe(alice.user.id);
    }
  });
});
