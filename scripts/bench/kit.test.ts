import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchFailure, load, verify } from './kit.ts';
import { goalLine, unmeasuredLine } from './goals.ts';
import { cpuWindow } from './cpuShare.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server answering request n with answer(n). */
async function serve(answer: (n: number) => { status: number; body: string }): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(n++);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const MCP_OK = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: '{}' }] } });
const run = (url: string, check: (b: string) => boolean) => load('t', { url, method: 'POST', body: '{}', connections: 2, amount: 40 }, check);

describe('bench kit: a run with any failed request gives no figure', () => {
  it('passes a run where every answer is a 2xx success', async () => {
    const r = await run(await serve(() => ({ status: 200, body: MCP_OK })), verify.mcp);
    expect(r.failed).toBe(0);
    expect(r.requests.total).toBeGreaterThanOrEqual(40);
  });

  it('fails on a single non-2xx answer (a rate limiter refusing)', async () => {
    const url = await serve((n) => (n === 7 ? { status: 429, body: '{"error":"RATE_LIMITED"}' } : { status: 200, body: MCP_OK }));
    await expect(run(url, verify.mcp)).rejects.toThrow(/non-2xx 1/);
  });

  it('fails on a JSON-RPC error answered with 200', async () => {
    const url = await serve((n) => (n === 3 ? { status: 200, body: JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'x' } }) } : { status: 200, body: MCP_OK }));
    await expect(run(url, verify.mcp)).rejects.toThrow(BenchFailure);
  });

  it('fails on an isError tool result', async () => {
    const url = await serve(() => ({ status: 200, body: JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [], isError: true } }) }));
    await expect(run(url, verify.mcp)).rejects.toThrow(/bad bodies/);
  });

  it('fails on a REST answer carrying an error payload', async () => {
    const url = await serve(() => ({ status: 200, body: JSON.stringify({ content: [{ text: '{}' }], error: { code: 'PLAN_NOT_FOUND', message: 'x' } }) }));
    await expect(run(url, verify.rest)).rejects.toThrow(/bad bodies/);
  });

  it('reads MCP answers in SSE framing', () => {
    expect(verify.mcp(`event: message\ndata: ${MCP_OK}\n\n`)).toBe(true);
    expect(verify.mcp(`event: message\ndata: {"jsonrpc":"2.0","id":1,"error":{"code":-1}}\n\n`)).toBe(false);
  });
});

describe('bench kit: goal lines', () => {
  const r = (value: number, load1Max: number, otherCpu?: number) => ({ id: 'rest-vs-koa', value, extra: {}, load1Max, cores: 2, otherCpu });
  it('says met or missed against the target on a quiet machine', () => {
    expect(goalLine(r(0.9, 1, 0.01))).toBe('GOAL rest-vs-koa 90% ≥85% met');
    expect(goalLine(r(0.5, 1, 0.01))).toBe('GOAL rest-vs-koa 50% ≥85% missed');
  });
  it('judges by the CPU other processes took, not by the load average the benchmark itself makes', () => {
    expect(goalLine(r(0.9, 9, 0.03))).toBe('GOAL rest-vs-koa 90% ≥85% met');
    expect(goalLine(r(0.5, 9, 0.03))).toBe('GOAL rest-vs-koa 50% ≥85% missed');
  });
  it('says noisy when other work took a share that could move the figure across its target', () => {
    expect(goalLine(r(0.9, 1, 0.3))).toBe('GOAL rest-vs-koa 90% ≥85% noisy'); // 6 % past the target, 30 % taken
    expect(goalLine(r(0.8, 1, 0.3))).toBe('GOAL rest-vs-koa 80% ≥85% noisy');
    expect(goalLine(r(1.6, 1, 0.3))).toBe('GOAL rest-vs-koa 160% ≥85% met'); // far past it: decided anyway
    expect(goalLine(r(0.3, 1, 0.3))).toBe('GOAL rest-vs-koa 30% ≥85% missed');
  });
  it('falls back to the load average when the CPU split is unknown', () => {
    expect(goalLine(r(0.9, 2.5))).toBe('GOAL rest-vs-koa 90% ≥85% noisy');
    expect(goalLine(r(0.9, 1))).toBe('GOAL rest-vs-koa 90% ≥85% met');
  });
  it('needs the p99 as well for pickup-p50', () => {
    const p = (p99: number) => goalLine({ id: 'pickup-p50', value: 5, extra: { p99 }, load1Max: 0, cores: 2, otherCpu: 0 });
    expect(p(20)).toMatch(/ met$/);
    expect(p(80)).toMatch(/ missed$/);
  });
  it('prints a goal that cannot be measured yet without a figure, saying why', () => {
    expect(unmeasuredLine('mcp-vs-koa-2026')).toMatch(/^GOAL mcp-vs-koa-2026 - ≥60% not-measured \(.+\)$/);
  });
});

describe('bench kit: CPU split', () => {
  it("counts a child process's CPU as the benchmark's own", async () => {
    const w = cpuWindow();
    // a busy child for 1.5 s: in the benchmark's process tree, so not "other"
    await new Promise<void>((resolve) => execFile(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 1500);'], () => resolve()));
    const share = w.end();
    // one of the cores busy for the window (less when the machine is shared: the child gets what it gets)
    expect(share.own).toBeGreaterThan(0.1);
    expect(share.own + share.other).toBeLessThanOrEqual(1.0001);
  });
});

describe('bench kit: child processes', () => {
  const fixture = fileURLToPath(new URL('./fixtures/failingBench.ts', import.meta.url));
  const runFixture = (arg: string) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', fixture, arg], (err, stdout) => resolve({ code: err ? Number(err.code) : 0, out: stdout }));
    });
  /** Running (a zombie waiting for init to reap it is not). */
  const alive = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
    } catch {
      return false;
    }
  };

  it.each(['fail', 'ok'])('kills its children when the benchmark ends (%s)', async (arg) => {
    const { code, out } = await runFixture(arg);
    const pid = Number(/CHILD (\d+)/.exec(out)![1]);
    expect(code).toBe(arg === 'fail' ? 1 : 0);
    if (arg === 'fail') expect(out).toContain('BENCH FAILED: the fixture failed on purpose');
    expect(out).toMatch(/load average/);
    for (let i = 0; i < 20 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });
});
