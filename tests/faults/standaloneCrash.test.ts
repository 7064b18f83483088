/**
 * Standalone (`npm start`: one process, embedded PGlite, in-process queue) killed with SIGKILL mid-plan and started
 * again on the same data directory: the plan completes, and plan_status never shows progress going down.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';
import { connectClient, payloadOf } from '../harness/testServer.ts';
import { waitTcp } from './ownInfra.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PORT = Number(process.env.FAULTS_BASE_PORT ?? 9700) + 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('standalone killed -9 mid-plan', () => {
  let fake: FakeLlm;
  let proc: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'planexe-standalone-crash-'));
  afterAll(async () => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (cfg: string) => {
    proc = spawn(process.execPath, ['--unhandled-rejections=strict', '--import', 'tsx', 'services/standalone/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(PORT),
        PLANEXE_MCP_HTTP_HOST: '127.0.0.1',
        PLANEXE_DATA_DIR: join(dataDir, 'db'),
        PLANEXE_RUN_DIR: join(dataDir, 'run'),
        PLANEXE_CONFIG_PATH: cfg,
        FAKE_LLM_KEY: 'k',
        PLANEXE_LOG_LEVEL: 'warn',
        PLANEXE_MCP_RATE_LIMIT: '0',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitTcp(PORT, true, 120_000);
    return connectClient(`http://127.0.0.1:${PORT}/mcp`);
  };

  it('the plan completes after a restart, progress never going down', async () => {
    fake = await startFakeLlm({ latencyMs: 80 });
    const cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
    let client: Client = await start(cfg);
    const created = payloadOf(await client.callTool({ name: 'plan_create', arguments: { prompt: 'A bakery co-op in Lyon, crash-tested.' } }));
    const id = created.plan_id as string;
    const seen: number[] = [];
    const status = async () => {
      const s = payloadOf(await client.callTool({ name: 'plan_status', arguments: { plan_id: id } }));
      seen.push(Number(s.progress_percentage));
      return s;
    };
    for (let s = await status(); (s.steps_completed ?? 0) < 10; s = await status()) await sleep(200);
    proc!.kill('SIGKILL');
    await new Promise((r) => proc!.once('exit', r));
    await client.close().catch(() => {});
    await waitTcp(PORT, false);
    client = await start(cfg);
    const t0 = Date.now();
    let s = await status();
    while (s.state !== 'completed') {
      if (Date.now() - t0 > 180_000 || s.state === 'failed') throw new Error(`plan ended ${s.state} at ${s.progress_percentage}`);
      await sleep(500);
      s = await status();
    }
    await client.close().catch(() => {});
    expect(s.state).toBe('completed');
    expect(seen.flatMap((x, i) => (i && x < seen[i - 1] ? [`${seen[i - 1]} → ${x}`] : []))).toEqual([]);
    expect(proc!.exitCode).toBeNull();
  }, 400_000);
});
