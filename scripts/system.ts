/**
 * `npm run system`: the distributed system as separate processes on loopback (2 gateways, 2 tools, 2 streams,
 * 1 artifacts, 2 workers, the fake LLM) against the local Postgres, Redis and NATS. Ctrl-C stops everything.
 */
import { startSystem } from '../tests/harness/system.ts';

const sys = await startSystem({ basePort: Number(process.env.SYSTEM_BASE_PORT ?? 9100), llmLatencyMs: Number(process.env.FAKE_LLM_LATENCY_MS ?? 200), quiet: true });
console.log('PlanExe distributed system is up:');
console.log(sys.procs.map((p) => `  ${p.name.padEnd(10)} http://127.0.0.1:${p.port}`).join('\n'));
console.log(`  fake LLM   ${sys.fake.url}\n  database   ${sys.databaseUrl}\n\nMCP: ${sys.gateways[0]}/mcp  and  ${sys.gateways[1]}/mcp`);
const stop = async () => {
  await sys.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
