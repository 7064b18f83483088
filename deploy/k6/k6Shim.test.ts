/**
 * The k6 scripts of deploy/k6, run unchanged through the k6-API shim (deploy/k6/shim) against the distributed
 * system (two gateways, tools, streams, workers on Postgres/Redis/NATS, fake LLM): each must run without an
 * exception, with every check passing and every count and rate threshold met. Small counts through the scripts' own
 * __ENV knobs keep it quick. The first test proves the shim fails a run: a script that throws, a failed check, a
 * missed threshold.
 *
 * The scripts' latency thresholds (p(99) of a duration) are the production cluster's objectives. Here they are
 * evaluated and must yield a figure, but their verdict is not asserted: a timed verdict in a test fails on a busy
 * machine, not on broken code (a CI run missed `p(99)<100` with 115 ms, the slowest of 40 requests). Speed is
 * `npm run bench`'s business; the real k6 run against a cluster enforces them.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsAvailable, postgresAvailable, redisAvailable } from '@planexe/testing/infra';
import { startSystem, type System } from '../../tests/harness/system.ts';
import { runK6, type K6RunResult } from './shim/runner.ts';

const ready = (await postgresAvailable()) && (await redisAvailable()) && (await natsAvailable());
const script = (name: string) => new URL(`./${name}`, import.meta.url).href;
/** A threshold over a time metric (http_req_duration, a Trend named …_ms): evaluated, its verdict reported only. */
const timed = (t: K6RunResult['thresholds'][number]) => /^http_req_duration|_ms(\{|$)/.test(t.threshold);
/** The run's verdict without its latency objectives: no exception, every check passed, every other threshold met. */
function passedUntimed(r: K6RunResult): boolean {
  const latency = r.thresholds.filter(timed);
  if (latency.some((t) => !Number.isFinite(t.value))) return false;
  if (latency.some((t) => !t.ok)) console.log(`latency objectives missed on this machine (not asserted): ${JSON.stringify(latency.filter((t) => !t.ok))}`);
  return !r.errors.length && r.checks.every((c) => c.fails === 0) && r.thresholds.filter((t) => !timed(t)).every((t) => t.ok);
}
const explain = (r: K6RunResult) =>
  JSON.stringify(
    { errors: r.errors, failedChecks: r.checks.filter((c) => c.fails), missed: r.thresholds.filter((t) => !t.ok && !timed(t)), untagged: r.samples.filter((s) => s.metric === 'http_reqs' && !s.tags.tool).map((s) => s.tags) },
    null,
    1,
  );

describe.skipIf(!ready)('k6 scripts through the k6-API shim, against the distributed system', () => {
  let sys: System;
  let env: Record<string, string>;
  beforeAll(async () => {
    sys = await startSystem({ basePort: 9700, llmLatencyMs: 5 });
    env = { BASE_URL: sys.gateways[0] };
  }, 240_000);
  afterAll(async () => {
    await sys?.stop();
  });

  it('fails a run whose script throws, whose check fails or whose threshold is missed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-shim-'));
    const write = (name: string, body: string) => {
      writeFileSync(join(dir, name), body);
      return `file://${join(dir, name)}`;
    };
    const head = `import http from 'k6/http';\nimport { check } from 'k6';\nimport { Trend } from 'k6/metrics';\nconst t = new Trend('t');\n`;
    const url = `${sys.gateways[0]}/healthcheck`;
    const good = await runK6({ script: write('good.mjs', `${head}export const options = { vus: 2, iterations: 4, thresholds: { t: ['max<100000'], http_req_failed: ['rate<0.01'] } };\nexport default function () { const r = http.get('${url}'); check(r, { ok: (x) => x.status === 200 && x.json('status') !== undefined }); t.add(1); }\n`) });
    expect(good.errors).toEqual([]);
    expect(good.ok).toBe(true);
    expect(good.checks).toEqual([{ name: 'ok', passes: 4, fails: 0 }]);
    const throws = await runK6({ script: write('throws.mjs', `${head}export default function () { throw new Error('boom'); }\n`) });
    expect(throws.ok).toBe(false);
    expect(throws.errors.join()).toContain('boom');
    const badCheck = await runK6({ script: write('check.mjs', `${head}export default function () { check(http.get('${url}'), { 'is 418': (r) => r.status === 418 }); }\n`) });
    expect(badCheck.ok).toBe(false);
    expect(badCheck.checks).toEqual([{ name: 'is 418', passes: 0, fails: 1 }]);
    const missed = await runK6({ script: write('threshold.mjs', `${head}export const options = { thresholds: { t: ['p(99)<5'] } };\nexport default function () { t.add(10); }\n`) });
    expect(missed.ok).toBe(false);
    expect(missed.thresholds).toEqual([{ threshold: 't', expression: 'p(99)<5', value: 10, ok: false }]);
  }, 60_000);

  it('statusPolling.js: constant-rate plan_status polling without an error, its latency objectives evaluated', async () => {
    const r = await runK6({ script: script('statusPolling.js'), env: { ...env, RATE: '20', DURATION: '2s' }, maxVus: 4 });
    expect(passedUntimed(r), explain(r)).toBe(true);
    expect(r.samples.filter((s) => s.metric === 'http_reqs' && s.tags.tool === 'plan_status').length).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('agentFlow.js: create, poll to completion, file info and report download for every VU', async () => {
    const r = await runK6({ script: script('agentFlow.js'), env: { ...env, VUS: '2', POLL_SECONDS: '0.5', MAX_DURATION: '3m' } });
    expect(passedUntimed(r), explain(r)).toBe(true);
    expect(r.samples.filter((s) => s.metric === 'plans_completed').length).toBe(2);
    expect(JSON.parse(r.summary!.stdout).metrics.plans_completed).toBeDefined();
  }, 240_000);

  it('sseFanout.js: every listener sees the plan to its complete event', async () => {
    const r = await runK6({ script: script('sseFanout.js'), env: { ...env, VUS: '4', MAX_DURATION: '3m' } });
    expect(passedUntimed(r), explain(r)).toBe(true);
    expect(r.samples.filter((s) => s.metric === 'sse_complete_events' && s.value === 1).length).toBe(4);
  }, 240_000);
});
