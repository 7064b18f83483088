import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Koa from 'koa';
import { sql } from 'kysely';
import { strToU8, zipSync } from 'fflate';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { KeyCache } from '@planexe/auth';
import { createArtifactsService, type ArtifactsService } from '@planexe/artifacts';
import { edgeAuth } from '@planexe/gateway';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { silentLogger } from '@planexe/telemetry';
import type { DbHandle } from '@planexe/db';
import { startTestServer, createUserWithKey, TEST_SECRET, type TestServer } from '../../../tests/harness/testServer.ts';
import { installPackedProxy, type InstalledProxy } from './packedProxy.ts';

const kind = (await dbKinds()).includes('postgres') ? 'postgres' : 'pglite';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const BIN = join(import.meta.dirname, '..', 'bin', 'planexe-local-proxy.mjs');
const run = promisify(execFile);

// The proxy as a clone runs it (bin/ through tsx) and as `npm pack` ships it (dist/, installed from the tarball).
type Form = 'checkout' | 'packed tarball';
let packed: Promise<InstalledProxy> | undefined;
const installed = () => (packed ??= installPackedProxy());
afterAll(async () => (await packed)?.remove());
async function launcherOf(form: Form): Promise<{ command: string; args: string[]; PATH: string }> {
  if (form === 'checkout') return { command: process.execPath, args: [BIN], PATH: process.env.PATH ?? '' };
  const p = await installed();
  return { command: p.bin, args: [], PATH: p.path };
}
/** The cursor snippet `--print-config` prints (JSON after the comment lines). */
async function printedSnippet(form: Form, env: Record<string, string>) {
  const l = await launcherOf(form);
  const { stdout } = await run(l.command, [...l.args, '--print-config', 'cursor'], { env: { PATH: l.PATH, ...env } });
  const lines = stdout.split('\n');
  return { notes: lines.filter((x) => x.startsWith('#')).join('\n'), server: JSON.parse(lines.slice(lines.indexOf('{')).join('\n')).mcpServers.planexe, PATH: l.PATH };
}

describe('the packed package (npm pack, installed offline into an empty folder)', () => {
  it('holds compiled JavaScript and no dependency, and answers --help and --version', async () => {
    const p = await installed();
    const files = readdirSync(p.packageDir, { recursive: true }).map(String);
    expect(files).toContain(join('dist', 'planexe-local-proxy.mjs'));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(readdirSync(join(p.dir, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['@planexe']);
    const help = await run(p.bin, ['--help'], { env: { PATH: p.path } });
    expect(help.stdout).toMatch(/^planexe-local-proxy — PlanExe as a local \(stdio\) MCP server/);
    expect((await run(p.bin, ['--version'], { env: { PATH: p.path } })).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 180_000);

  it('--print-config without PLANEXE_URL names the local server, no key, and a command that starts this copy', async () => {
    const { notes, server } = await printedSnippet('packed tarball', {});
    expect(server.env).toEqual({ PLANEXE_URL: 'http://127.0.0.1:8001/mcp' });
    expect(notes).not.toMatch(/railway/i);
    expect(server.command).toBe(process.execPath);
    expect(realpathSync(server.args[0])).toBe(realpathSync(join((await installed()).packageDir, 'bin', 'planexe-local-proxy.mjs')));
    expect(notes).toContain('"command": "npx", "args": ["-y", "@planexe/local-proxy"]');
  }, 180_000);
});

describe.each<Form>(['checkout', 'packed tarball'])(`plan_download through the stdio proxy (%s, started as --print-config says), real MCP client (${kind})`, (form) => {
  let dbh: DbHandle;
  let srv: TestServer;
  let artifacts: ArtifactsService;
  let artifactsHttp: Server;
  let dir: string;
  let client: Client;
  let stderr = '';
  let alice: Awaited<ReturnType<typeof createUserWithKey>>;
  let plan: string;
  const report = `<html><body>${'Plan ✓ '.repeat(20_000)}</body></html>`;
  const zip = zipSync({ 'report.html': strToU8(report), 'big.bin': [randomBytes(1_500_000), { level: 0 }] });

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    dir = await mkdtemp(join(tmpdir(), 'planexe-proxy-'));
    // the download route on its own app (the standalone test server does not mount it); plan_file_info's URLs point at it
    artifactsHttp = createServer();
    await new Promise<void>((r) => artifactsHttp.listen(0, '127.0.0.1', r));
    const artifactsUrl = `http://127.0.0.1:${(artifactsHttp.address() as AddressInfo).port}`;
    srv = await startTestServer(dbh, { PLANEXE_MCP_PUBLIC_BASE_URL: artifactsUrl, PLANEXE_DOWNLOAD_TOKEN_SECRET: 'proxy-test-dl-secret' });
    const tokens = srv.standalone.tokens;
    artifacts = createArtifactsService({ db: dbh.db, tokens, log: silentLogger() });
    const app = new Koa();
    app.use(edgeAuth({ db: dbh.db, auth: { requireAuth: true, apiKeySecret: TEST_SECRET }, keyCache: new KeyCache(), tokens, maxBodyBytes: 1 << 20, log: silentLogger() }));
    app.use(artifacts.middleware);
    artifactsHttp.on('request', app.callback());

    alice = await createUserWithKey(dbh.db);
    const created = await dbh.db
      .insertInto('plans')
      .values({ id: crypto.randomUUID(), state: 'completed', prompt: 'p', progress_percentage: 100, stop_requested: false, user_id: alice.user.id, api_key_id: null, parameters: '{}', state_version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    plan = created.id;
    await sql`update plans set generated_report_html = ${report}, run_zip_snapshot = ${Buffer.from(zip)}, run_artifact_layout_version = 2 where id = ${plan}`.execute(dbh.db);

    // the command --print-config prints for this server, plus the key (this test server has authentication on)
    const printed = await printedSnippet(form, { PLANEXE_URL: `${srv.url}/mcp/` });
    expect(printed.server.env).toEqual({ PLANEXE_URL: `${srv.url}/mcp` });
    expect(existsSync(printed.server.args[0])).toBe(true);
    const transport = new StdioClientTransport({
      command: printed.server.command,
      args: printed.server.args,
      env: { PATH: printed.PATH, ...printed.server.env, PLANEXE_MCP_API_KEY: alice.key, PLANEXE_PATH: join(dir, 'downloads') },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (c) => (stderr += String(c)));
    client = new Client({ name: 'proxy-test', version: '1.0.0' });
    await client.connect(transport);
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await srv?.close();
    artifactsHttp?.closeAllConnections();
    await new Promise((r) => artifactsHttp?.close(r));
    await artifacts?.close();
    await dbh?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number; total?: number }) => void) => {
    const r: any = await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : undefined);
    expect(JSON.parse(r.content[0].text)).toEqual(r.structuredContent);
    return { isError: !!r.isError, payload: r.structuredContent };
  };

  it('lists the cloud tools with plan_download in place of plan_file_info, and local instructions', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'example_plans', 'example_prompts', 'model_profiles', 'plan_create', 'plan_status', 'plan_stop', 'plan_retry', 'plan_resume', 'plan_download', 'plan_list', 'send_feedback',
    ]);
    const dl = tools.find((t) => t.name === 'plan_download')!;
    expect(dl.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(tools.find((t) => t.name === 'plan_create')!.annotations!.idempotentHint).toBe(false);
    const instructions = client.getInstructions() ?? '';
    expect(instructions).toContain('plan_download');
    expect(instructions).not.toContain('plan_file_info');
    expect(client.getServerVersion()?.name).toBe('planexe-mcp-local');
  });

  it('forwards tools with the key from the environment (plan_status of an own plan; others are not found)', async () => {
    const s = await call('plan_status', { plan_id: plan });
    expect(s.isError).toBe(false);
    expect(s.payload).toMatchObject({ plan_id: plan, state: 'completed' });
    const missing = await call('plan_status', { plan_id: '00000000-0000-4000-8000-000000000000' });
    expect(missing).toMatchObject({ isError: true, payload: { error: { code: 'PLAN_NOT_FOUND' } } });
    expect((await call('no_such_tool', {})).payload.error.code).toBe('INVALID_TOOL');
  });

  it("forwards the cloud's plan resources: templates, list, the report by URI; an unknown plan and a bad cursor keep the cloud's error", async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    // the cloud's list also holds the plan view's ui:// template (an MCP App), forwarded as it is
    expect(resourceTemplates.filter((t) => t.uriTemplate.startsWith('planexe://')).map((t) => t.name)).toEqual(['plan_report', 'plan_run_zip', 'plan_file']);
    const uri = `planexe://plans/${plan}/report.html`;
    expect((await client.listResources()).resources.map((r) => r.uri)).toContain(uri);
    const read = await client.readResource({ uri });
    expect(read.contents[0]).toMatchObject({ uri, mimeType: 'text/html', text: report });
    const missing = await client.readResource({ uri: 'planexe://plans/00000000-0000-4000-8000-000000000000/report.html' }).catch((e) => e);
    expect(missing.code).toBe(-32602);
    expect(missing.message).toContain('Resource not found');
    await expect(client.listResources({ cursor: 'garbage' })).rejects.toMatchObject({ code: -32602 });
  });

  it('saves an identical report (sha256), with progress notifications, and never overwrites', async () => {
    const progress: { progress: number; total?: number }[] = [];
    const a = await call('plan_download', { plan_id: plan }, (p) => progress.push(p));
    expect(a.isError).toBe(false);
    const bytes = Buffer.from(report);
    expect(a.payload).toMatchObject({ content_type: 'text/html; charset=utf-8', sha256: sha(bytes), download_size: bytes.length });
    expect(a.payload.saved_path).toBe(join(dir, 'downloads', `${plan}-report.html`));
    expect(a.payload.download_url).toMatch(/\/download\/.+\/report\.html\?token=/);
    expect(sha(await readFile(a.payload.saved_path))).toBe(sha(bytes));
    // The first notification (0 of total) is sent before the download starts. The last one (total of total) is sent
    // too, but the v1 SDK client drops a progress notification that arrives in the same read as the result (it
    // handles notifications a microtask later, after the response removed the token), so it is not asserted.
    expect(progress[0]).toEqual(expect.objectContaining({ progress: 0, total: bytes.length }));
    for (const [i, p] of progress.entries()) {
      expect(p.total).toBe(bytes.length);
      expect(p.progress).toBeLessThanOrEqual(bytes.length);
      if (i > 0) expect(p.progress).toBeGreaterThan(progress[i - 1].progress);
    }

    await writeFile(join(dir, 'downloads', `${plan}-report-1.html`), 'mine, keep me');
    const b = await call('plan_download', { plan_id: plan, artifact: ' REPORT ' });
    expect(b.payload.saved_path).toBe(join(dir, 'downloads', `${plan}-report-2.html`));
    expect(await readFile(join(dir, 'downloads', `${plan}-report-1.html`), 'utf8')).toBe('mine, keep me');
    expect((await readdir(join(dir, 'downloads'))).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('saves the zip, and answers not-ready and bad arguments as the spec says', async () => {
    const z = await call('plan_download', { plan_id: plan, artifact: 'zip' });
    expect(z.isError).toBe(false);
    expect(z.payload.saved_path).toBe(join(dir, 'downloads', `${plan}-run.zip`));
    expect(sha(await readFile(z.payload.saved_path))).toBe(sha(zip));

    const pending = await call('plan_create', { prompt: 'Open a bakery in Aarhus with a budget of 300,000 DKK within six months, serving sourdough.' });
    expect(pending.isError).toBe(false);
    const nr = await call('plan_download', { plan_id: pending.payload.plan_id });
    expect(nr).toEqual({ isError: false, payload: { ready: false, reason: 'processing' } });
    expect((await call('plan_download', { plan_id: plan, artifact: 'pdf' })).payload.error).toEqual({
      code: 'INVALID_ARGUMENT',
      message: "Invalid artifact type: 'pdf'. Must be 'report' or 'zip'.",
    });
    expect(stderr).not.toContain(alice.key);
  });
});
