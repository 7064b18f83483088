// The staged test runner (scripts/runTests.ts): which stages run how, and the summed report CI reads.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mergeReports, planStage, summaryLine, type RunOptions } from '../../../scripts/testReport.ts';
import { TEST_STAGES, type TestStage } from '../../../scripts/testStages.ts';

const ROOT = '/repo';
const stage = (s: Partial<TestStage> = {}): TestStage => ({ name: 'x', title: 'x', config: 'vitest.x.config.ts', ...s });
const opts = (o: Partial<RunOptions> = {}): RunOptions => ({
  root: ROOT, full: false, extraArgs: [], env: { PATH: '/usr/bin' }, execPath: '/usr/bin/node', exists: () => true, ...o,
});

describe('planStage', () => {
  it('skips a stage whose config file does not exist yet, naming the file', () => {
    const p = planStage(stage(), opts({ exists: (f) => !f.endsWith('vitest.x.config.ts') }));
    expect(p).toEqual({ run: false, reason: 'vitest.x.config.ts does not exist yet', failed: false });
  });

  it('runs vitest with the stage config and a JSON report at test-results/<stage>.json', () => {
    const p = planStage(stage({ files: ['tests/x/'] }), opts());
    if (!p.run) throw new Error('expected to run');
    expect(p.node).toBe('/usr/bin/node');
    expect(p.reportFile).toBe('/repo/test-results/x.json');
    expect(p.args).toEqual([
      '/repo/node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.x.config.ts',
      '--reporter=default', '--reporter=json', '--outputFile.json=/repo/test-results/x.json', 'tests/x/',
    ]);
    expect(p.env.PLANEXE_TEST_FULL).toBeUndefined();
  });

  it('each form adds only its own env and arguments; the full form also sets PLANEXE_TEST_FULL=1', () => {
    const s = stage({
      args: ['--bail=1'],
      quick: { env: { FAULTS_QUICK: '1' }, args: ['tests/x/fast/'] },
      full: { env: { FUZZ_RUNS: '10000' }, args: ['tests/x/slow/'] },
    });
    const quick = planStage(s, opts());
    const full = planStage(s, opts({ full: true }));
    if (!quick.run || !full.run) throw new Error('expected to run');
    expect(quick.args.slice(-2)).toEqual(['--bail=1', 'tests/x/fast/']);
    expect(quick.env).toMatchObject({ FAULTS_QUICK: '1' });
    expect(quick.env.PLANEXE_TEST_FULL).toBeUndefined();
    expect(quick.env.FUZZ_RUNS).toBeUndefined();
    expect(full.args.slice(-2)).toEqual(['--bail=1', 'tests/x/slow/']);
    expect(full.env).toMatchObject({ PLANEXE_TEST_FULL: '1', FUZZ_RUNS: '10000' });
    expect(full.env.FAULTS_QUICK).toBeUndefined();
  });

  it('extra arguments replace the stage files, and a stage they do not match passes empty', () => {
    const p = planStage(stage({ files: ['tests/x/'] }), opts({ extraArgs: ['libs/config'] }));
    if (!p.run) throw new Error('expected to run');
    expect(p.args).not.toContain('tests/x/');
    expect(p.args.slice(-2)).toEqual(['--passWithNoTests', 'libs/config']);
  });

  it('a stage on another Node runs that binary with its folder first on PATH', () => {
    const p = planStage(stage({ nodeEnv: 'NODE_X' }), opts({ env: { PATH: '/usr/bin', NODE_X: '/opt/node24/bin/node' } }));
    if (!p.run) throw new Error('expected to run');
    expect(p.node).toBe('/opt/node24/bin/node');
    expect(p.env.PATH).toBe('/opt/node24/bin:/usr/bin');
  });

  it('a missing Node binary skips the stage locally and fails it when infrastructure is required (CI)', () => {
    const s = stage({ nodeEnv: 'NODE_X' });
    expect(planStage(s, opts())).toMatchObject({ run: false, failed: false, reason: expect.stringContaining('NODE_X is not set') });
    expect(planStage(s, opts({ env: { PLANEXE_TEST_REQUIRE_INFRA: '1' } }))).toMatchObject({ run: false, failed: true });
    const gone = opts({ env: { NODE_X: '/nope/node' }, exists: (f) => f !== '/nope/node' });
    expect(planStage(s, gone)).toMatchObject({ run: false, reason: expect.stringContaining('/nope/node does not exist') });
  });
});

describe('mergeReports', () => {
  const counts = (p: number, f: number, s = 0) => ({ numPassedTests: p, numFailedTests: f, numPendingTests: s, numTodoTests: 0, numTotalTests: p + f + s });

  it('sums passed, failed and skipped over the stages; skipped stages add nothing', () => {
    const m = mergeReports([
      { name: 'main', status: 'passed', exitCode: 0, durationMs: 1, counts: counts(500, 0, 3) },
      { name: 'security', status: 'skipped', reason: 'no config' },
      { name: 'e2e', status: 'failed', exitCode: 1, durationMs: 1, counts: counts(7, 2) },
    ]);
    expect(m).toMatchObject({ numPassedTests: 507, numFailedTests: 2, numPendingTests: 3, numTotalTests: 512, success: false });
    expect(summaryLine(m)).toBe('507 passed, 2 failed, 3 skipped');
  });

  it('a stage that failed without a failed test (no report, unhandled error) counts as one failure', () => {
    const m = mergeReports([
      { name: 'main', status: 'passed', exitCode: 0, durationMs: 1, counts: counts(10, 0) },
      { name: 'faults', status: 'failed', exitCode: 1, durationMs: 1 },
      { name: 'e2e', status: 'failed', exitCode: 1, durationMs: 1, counts: counts(3, 0) },
    ]);
    expect(m).toMatchObject({ numPassedTests: 13, numFailedTests: 2, success: false });
  });

  it('all stages green is a success', () => {
    expect(mergeReports([{ name: 'main', status: 'passed', exitCode: 0, durationMs: 1, counts: counts(1, 0) }]).success).toBe(true);
  });
});

describe('the stage list', () => {
  it('names are unique, the main stage runs the root config first, and every present config is at the root', () => {
    const names = TEST_STAGES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(TEST_STAGES[0]).toMatchObject({ name: 'main', config: 'vitest.config.ts' });
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    expect(existsSync(`${root}${TEST_STAGES[0].config}`)).toBe(true);
    expect(TEST_STAGES.find((s) => s.name === 'e2e-node24')).toMatchObject({ files: ['tests/e2e/'], nodeEnv: 'PLANEXE_TEST_NODE24' });
  });
});
