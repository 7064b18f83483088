/**
 * Starts the offline OpenAI-compatible model server, for trying PlanExe without an LLM account (`npm run fake-llm`),
 * load tests and manual runs:
 *   PORT=11435 FAKE_LLM_LATENCY_MS=200 (or "100-500") FAKE_LLM_MODELS=a,b npm run fake-llm
 * Prints the base URL (ending in /v1) on stdout and how to point PlanExe at it on stderr.
 */
import { fileURLToPath } from 'node:url';
import { FAKE_LLM_DEFAULT_PORT, startFakeLlm, type Latency } from './fakeLlm.ts';

function parseLatency(raw: string | undefined): Latency | undefined {
  if (!raw?.trim()) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-|\.\.)\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`FAKE_LLM_LATENCY_MS must be a number or "min-max", got "${raw}"`);
  return n;
}

const port = Number(process.env.PORT ?? FAKE_LLM_DEFAULT_PORT);
const host = process.env.FAKE_LLM_HOST ?? '127.0.0.1';
const models = process.env.FAKE_LLM_MODELS?.split(',').map((s) => s.trim()).filter(Boolean);
const fake = await startFakeLlm({
  port,
  host,
  latencyMs: parseLatency(process.env.FAKE_LLM_LATENCY_MS),
  ...(models?.length ? { models } : {}),
});
console.log(fake.url);
const example = fileURLToPath(new URL('../../../llm_config/offline', import.meta.url));
process.stderr.write(
  `Offline model server (canned answers, no account, no network) at ${fake.url}; Ctrl-C stops it.\n` +
    (port === FAKE_LLM_DEFAULT_PORT && host === '127.0.0.1'
      ? `Start PlanExe with it in another terminal:\n  PLANEXE_CONFIG_PATH=${example} npm start\n`
      : `Point a profile's api_base at ${fake.url} (llm_config/offline/baseline.json is a worked example).\n`),
);

const shutdown = () => {
  fake.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
