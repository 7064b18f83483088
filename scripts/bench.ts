/**
 * `npm run bench [-- --quick] [-- --only tools,gateway]`: every benchmark of the project, one after another, each in
 * its own process (so one's servers, memory and descriptors never weigh on the next), then one line per goal:
 *   GOAL <id> <measured> <target> met|missed|noisy
 * Benchmarks: tools (REST/MCP plan_status vs anchors), gateway (vs direct, vs a bare hop), stream (idle SSE memory,
 * fan-out), wait (plan_status wait_seconds woken by a publish), worker (pickup), pipeline (wall time vs the sum of
 * LLM latencies and vs the critical path), artifacts
 * (run.zip from the database vs raw). Each checks every response it counts and exits non-zero, printing no figure,
 * when any request failed (scripts/bench/kit.ts); ratios are medians of interleaved rounds (anchor, subject, …).
 * The load average is printed before and after each benchmark and beside each goal; a goal is `noisy` only when
 * OTHER processes took a share of the cores that could have moved it across its target (the benchmark's own
 * servers, load generator and database backends are not noise: scripts/bench/cpuShare.ts, goals.ts `isNoisy`).
 * A goal no benchmark can measure yet prints `GOAL <id> - <target> not-measured (<why>)` (goals.ts `unmeasurable`).
 * A failed benchmark makes this exit 1 after everything else ran and the goals measured were printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { GOAL_ORDER, GOALS, goalLine, NOISE_FLOOR, unmeasuredLine, type GoalResult } from './bench/goals.ts';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a, i) => process.argv[i - 1] === '--only' || a.startsWith('--only='));
const only = onlyArg?.replace(/^--only=/, '').split(',');
const tsx = (file: string, nodeArgs: string[] = []) => [process.execPath, ...nodeArgs, '--import', 'tsx', file];

const BENCHES: { name: string; command: string[]; goals: string[] }[] = [
  { name: 'tools', command: tsx('services/tools/bench/planStatus.bench.ts'), goals: ['rest-vs-koa', 'mcp-vs-koa-2025', 'mcp-vs-koa-2026'] },
  { name: 'gateway', command: tsx('services/gateway/bench/gateway.bench.ts'), goals: ['gateway-vs-direct', 'gateway-cpu-vs-hop', 'gateway-added-p50'] },
  // run.sh raises the open-file limit (18,000 connections need a descriptor each side)
  { name: 'stream', command: ['bash', 'services/stream/bench/run.sh'], goals: ['sse-kb-per-conn', 'sse-p99'] },
  { name: 'wait', command: tsx('services/tools/bench/planWait.bench.ts'), goals: ['wait-wake-p99'] },
  { name: 'worker', command: tsx('services/worker/bench/worker.bench.ts', ['--expose-gc']), goals: ['pickup-p50'] },
  { name: 'pipeline', command: tsx('services/worker/bench/pipeline.bench.ts'), goals: ['wall-vs-sum', 'wall-vs-critical-path'] },
  { name: 'artifacts', command: tsx('services/artifacts/bench/download.bench.ts'), goals: ['artifact-vs-raw', 'artifact-rss'] },
];
for (const b of BENCHES) for (const g of b.goals) if (!GOALS[g]) throw new Error(`unknown goal ${g}`);

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const results = new Map<string, GoalResult>();
const runs: { name: string; code: number; seconds: number; loadBefore: string; loadAfter: string }[] = [];
let current: ChildProcess | undefined;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupted = true;
    current?.kill('SIGTERM'); // the benchmark's own handler stops its servers, then exits
  });
}

function run(b: (typeof BENCHES)[number]): Promise<number> {
  const child = spawn(b.command[0], [...b.command.slice(1), ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_RUNNER: '1', ...(quick ? { BENCH_QUICK: '1' } : {}) },
  });
  current = child;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('GOALDATA ')) return console.log(line);
    const r = JSON.parse(line.slice('GOALDATA '.length)) as GoalResult;
    results.set(r.id, r);
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const cores = cpus().length;
const t0 = Date.now();
console.log(`npm run bench${quick ? ' --quick' : ''}: ${cores} cores, node ${process.version}, load average ${load()}`);
for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  if (interrupted) break;
  const loadBefore = load();
  console.log(`\n===== ${b.name}: load average before ${loadBefore}`);
  const started = Date.now();
  const code = await run(b);
  const loadAfter = load();
  console.log(`===== ${b.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s; load average after ${loadAfter}`);
  runs.push({ name: b.name, code, seconds: (Date.now() - started) / 1000, loadBefore, loadAfter });
}

console.log(
  `\n===== summary (${((Date.now() - t0) / 1000).toFixed(0)} s${quick ? ', --quick' : ''}; ${cores} cores: a goal is noisy when other processes took ≥ ${NOISE_FLOOR * 100} % of the cores and more than its distance from the target)\n`,
);
console.log('| bench | result | seconds | load average before | load average after |\n|---|---|---|---|---|');
for (const r of runs) console.log(`| ${r.name} | ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`} | ${r.seconds.toFixed(0)} | ${r.loadBefore} | ${r.loadAfter} |`);
console.log('\n| goal | measured | target | verdict | other processes\' CPU share | max 1-min load while measured |\n|---|---|---|---|---|---|');
const lines: string[] = [];
const missing: string[] = [];
for (const id of GOAL_ORDER) {
  const bench = BENCHES.find((b) => b.goals.includes(id));
  if (!bench || (only && !only.includes(bench.name))) continue;
  const r = results.get(id);
  if (!r && GOALS[id].unmeasurable) {
    console.log(`| ${id} | not measurable yet | ${GOALS[id].target} | - | - | - |`);
    lines.push(unmeasuredLine(id));
    continue;
  }
  if (!r) {
    missing.push(id);
    console.log(`| ${id} | not measured (${bench.name} failed) | ${GOALS[id].target} | - | - | - |`);
    continue;
  }
  const line = goalLine(r);
  const [, , measured, target, verdict] = line.split(' ');
  const other = r.otherCpu === undefined ? 'unknown' : `${(r.otherCpu * 100).toFixed(0)}%`;
  console.log(`| ${id} | ${measured} | ${target} | ${verdict} | ${other} | ${r.load1Max.toFixed(2)} |`);
  lines.push(line);
}
console.log('');
for (const l of lines) console.log(l);
if (missing.length) console.log(`no figure for: ${missing.join(', ')} (their benchmark failed; see above)`);
process.exit(runs.some((r) => r.code !== 0) || missing.length || interrupted ? 1 : 0);
