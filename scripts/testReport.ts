/**
 * What the staged test runner decides and reports, kept free of process handling so it can be tested:
 * whether and how a stage runs (testStages.ts), and the sum of the stages' vitest JSON reports.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { TestStage } from './testStages.ts';

export interface RunOptions {
  root: string;
  /** `npm run test:full`. */
  full: boolean;
  /** Arguments given after `--` (vitest filters or flags): they replace every stage's own `files`. */
  extraArgs: string[];
  env: Record<string, string | undefined>;
  /** Node binary of the runner itself. */
  execPath: string;
  exists?: (path: string) => boolean;
}

export type StagePlan =
  | { run: true; node: string; args: string[]; env: Record<string, string | undefined>; reportFile: string }
  | { run: false; reason: string; failed: boolean };

export const reportFileOf = (root: string, stage: TestStage): string => join(root, 'test-results', `${stage.name}.json`);

/** How one stage runs: which node, which vitest arguments, which environment; or why it does not. */
export function planStage(stage: TestStage, o: RunOptions): StagePlan {
  const exists = o.exists ?? existsSync;
  if (!exists(join(o.root, stage.config))) return { run: false, reason: `${stage.config} does not exist yet`, failed: false };
  let node = o.execPath;
  const env: Record<string, string | undefined> = { ...o.env };
  if (stage.nodeEnv) {
    const bin = o.env[stage.nodeEnv];
    if (!bin || !exists(bin)) {
      const why = bin ? `${stage.nodeEnv}=${bin} does not exist` : `${stage.nodeEnv} is not set (the path of a node binary; .ci/run installs one)`;
      const required = o.env.PLANEXE_TEST_REQUIRE_INFRA === '1';
      return { run: false, reason: required ? `${why}, and PLANEXE_TEST_REQUIRE_INFRA=1` : why, failed: required };
    }
    node = bin;
    env.PATH = [dirname(bin), o.env.PATH].filter(Boolean).join(delimiter);
  }
  const form = o.full ? stage.full : stage.quick;
  Object.assign(env, o.full ? { PLANEXE_TEST_FULL: '1' } : {}, form?.env ?? {});
  const reportFile = reportFileOf(o.root, stage);
  const args = [
    join(o.root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
    '--config', stage.config,
    '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`,
    ...(stage.args ?? []),
    ...(form?.args ?? []),
    // a stage whose files the extra filters miss passes empty, not fails
    ...(o.extraArgs.length ? ['--passWithNoTests'] : (stage.files ?? [])),
    ...o.extraArgs,
  ];
  return { run: true, node, args, env, reportFile };
}

/** The counts of vitest's JSON report that CI reads. */
export interface TestCounts {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
}

export type StageOutcome =
  | { name: string; status: 'skipped'; reason: string }
  | { name: string; status: 'passed' | 'failed'; exitCode: number; durationMs: number; counts?: TestCounts; reason?: string };

export interface MergedReport extends TestCounts {
  success: boolean;
  stages: StageOutcome[];
}

const ZERO: TestCounts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 0 };

/** Reads the counts of a vitest JSON report; undefined when it is missing or unreadable. */
export function countsOf(json: unknown): TestCounts | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const r = json as Record<string, unknown>;
  const n = (k: keyof TestCounts) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
  if (typeof r.numTotalTests !== 'number') return undefined;
  return { numPassedTests: n('numPassedTests'), numFailedTests: n('numFailedTests'), numPendingTests: n('numPendingTests'), numTodoTests: n('numTodoTests'), numTotalTests: n('numTotalTests') };
}

/**
 * Sums the stages. A stage that failed without a failed test (vitest could not start, an unhandled error, a
 * missing required Node binary) counts as one failed test, so the `N passed, N failed` line never reads as
 * green while the run is red.
 */
export function mergeReports(stages: StageOutcome[]): MergedReport {
  const total = { ...ZERO };
  for (const s of stages) {
    const c = s.status === 'skipped' ? ZERO : (s.counts ?? ZERO);
    const failedWithoutTest = s.status === 'failed' && c.numFailedTests === 0 ? 1 : 0;
    total.numPassedTests += c.numPassedTests;
    total.numFailedTests += c.numFailedTests + failedWithoutTest;
    total.numPendingTests += c.numPendingTests;
    total.numTodoTests += c.numTodoTests;
    total.numTotalTests += c.numTotalTests + failedWithoutTest;
  }
  return { ...total, success: stages.every((s) => s.status !== 'failed'), stages };
}

export function summaryLine(c: TestCounts): string {
  return `${c.numPassedTests} passed, ${c.numFailedTests} failed` + (c.numPendingTests ? `, ${c.numPendingTests} skipped` : '');
}
