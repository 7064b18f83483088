/**
 * `npm test` / `npm run test:full`: runs the stages of scripts/testStages.ts one after another, then writes the
 * sum of their reports to test-results/vitest.json and exits non-zero if any stage failed.
 *
 *   npm test                              every stage, quick form
 *   npm run test:full                     every stage, full form
 *   npm test -- --stage main,e2e-node24   only these stages
 *   npm test -- libs/config               vitest filters/flags, given to every stage in place of its own files
 *   npm test -- --list                    the stages and whether they would run
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countsOf, mergeReports, planStage, reportFileOf, summaryLine, type RunOptions, type StageOutcome } from './testReport.ts';
import { TEST_STAGES } from './testStages.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Cli {
  full: boolean;
  list: boolean;
  only?: string[];
  extraArgs: string[];
}

function parseCli(argv: string[]): Cli {
  const cli: Cli = { full: false, list: false, extraArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--full') cli.full = true;
    else if (a === '--list') cli.list = true;
    else if (a === '--stage' || a.startsWith('--stage=')) {
      const v = a === '--stage' ? argv[++i] : a.slice('--stage='.length);
      cli.only = [...(cli.only ?? []), ...(v ?? '').split(',').map((s) => s.trim()).filter(Boolean)];
    } else cli.extraArgs.push(a);
  }
  return cli;
}

let current: ReturnType<typeof spawn> | undefined;
let interrupted = false;
// stop after the running stage has cleaned up (its servers and databases), and run no further stage
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupted = true;
    current?.kill(sig);
  });
}

function runChild(node: string, args: string[], env: Record<string, string | undefined>): Promise<number> {
  return new Promise((resolve) => {
    current = spawn(node, args, { cwd: ROOT, env, stdio: 'inherit' });
    current.on('error', (e) => {
      console.error(`could not start ${node}: ${e.message}`);
      resolve(1);
    });
    current.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function readCounts(file: string) {
  try {
    return countsOf(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  const unknown = (cli.only ?? []).filter((n) => !TEST_STAGES.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown stage ${unknown.join(', ')}; stages: ${TEST_STAGES.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const stages = TEST_STAGES.filter((s) => !cli.only || cli.only.includes(s.name));
  const options: RunOptions = { root: ROOT, full: cli.full, extraArgs: cli.extraArgs, env: process.env, execPath: process.execPath };
  if (cli.list) {
    for (const s of stages) {
      const p = planStage(s, options);
      console.log(`${s.name.padEnd(12)} ${s.config.padEnd(28)} ${p.run ? 'runs' : `${p.failed ? 'fails' : 'skipped'}: ${p.reason}`}`);
    }
    return 0;
  }

  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  rmSync(join(ROOT, 'test-results', 'vitest.json'), { force: true });
  const outcomes: StageOutcome[] = [];
  for (const s of stages) {
    const plan = planStage(s, options);
    if (!plan.run) {
      console.log(`\n== test stage ${s.name}: ${plan.failed ? 'FAILED' : 'skipped'} (${plan.reason})`);
      outcomes.push(plan.failed ? { name: s.name, status: 'failed', exitCode: 1, durationMs: 0, reason: plan.reason } : { name: s.name, status: 'skipped', reason: plan.reason });
      continue;
    }
    rmSync(reportFileOf(ROOT, s), { force: true });
    const form = cli.full ? 'full' : 'quick';
    console.log(`\n== test stage ${s.name}: ${s.title} (${form} form, ${s.config}${plan.node === process.execPath ? '' : `, ${plan.node}`})`);
    const t0 = Date.now();
    const exitCode = await runChild(plan.node, plan.args, plan.env);
    if (interrupted) return 130;
    const counts = readCounts(plan.reportFile);
    outcomes.push({ name: s.name, status: exitCode === 0 ? 'passed' : 'failed', exitCode, durationMs: Date.now() - t0, counts });
  }

  const merged = mergeReports(outcomes);
  writeFileSync(join(ROOT, 'test-results', 'vitest.json'), JSON.stringify(merged, null, 2) + '\n');
  console.log('\n== test stages');
  for (const o of outcomes) {
    const detail = o.status === 'skipped' ? o.reason : `${o.counts ? summaryLine(o.counts) : (o.reason ?? 'no report')}, ${Math.round(o.durationMs / 1000)} s`;
    console.log(`${o.name.padEnd(12)} ${o.status.padEnd(8)} ${detail}`);
  }
  console.log(`total        ${merged.success ? 'passed' : 'failed'}   ${summaryLine(merged)}`);
  return merged.success ? 0 : 1;
}

process.exitCode = await main();
