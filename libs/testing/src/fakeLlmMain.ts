/**
 * Starts the fake LLM for load tests / manual runs:
 *   PORT=11435 FAKE_LLM_LATENCY_MS=200 (or "100-500") FAKE_LLM_MODELS=a,b tsx libs/testing/src/fakeLlmMain.ts
 * Prints the base URL (ending in /v1) on stdout.
 */
import { startFakeLlm, type Latency } from './fakeLlm.ts';

function parseLatency(raw: string | undefined): Latency | undefined {
  if (!raw?.trim()) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-|\.\.)\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`FAKE_LLM_LATENCY_MS must be a number or "min-max", got "${raw}"`);
  return n;
}

const port = Number(process.env.PORT ?? 11435);
const host = process.env.FAKE_LLM_HOST ?? '127.0.0.1';
const models = process.env.FAKE_LLM_MODELS?.split(',').map((s) => s.trim()).filter(Boolean);
const fake = await startFakeLlm({
  port,
  host,
  latencyMs: parseLatency(process.env.FAKE_LLM_LATENCY_MS),
  ...(models?.length ? { models } : {}),
});
console.log(fake.url);

const shutdown = () => {
  fake.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
