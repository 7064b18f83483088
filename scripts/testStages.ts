/**
 * The test stages `npm test` runs, in order, one after another (scripts/runTests.ts runs them).
 *
 * Add a suite that must not run in the main `vitest run` (slow, needs containers, another Node version) as a
 * stage here: give it its own vitest config at the repository root and exclude its folder from
 * vitest.config.ts. A stage whose config file does not exist yet is skipped with a message.
 *
 * Quick and full forms: `npm test` (and CI) runs every stage in its quick form; `npm run test:full` runs the
 * full forms. A stage declares what differs: `quick.env`/`quick.args` apply only to the quick form (e.g. the
 * fault suite's FAULTS_QUICK=1), `full.env`/`full.args` only to the full form (extra vitest arguments, e.g. a
 * file filter the quick form leaves out). In the full form every stage also gets `PLANEXE_TEST_FULL=1` (read it
 * with `isFullTestRun()` from @planexe/testing, e.g. for more fuzz runs).
 *
 * Each stage writes its vitest JSON report to test-results/<name>.json; the runner sums them into
 * test-results/vitest.json, which .ci/run turns into the `N passed, N failed` line.
 */
export interface TestStage {
  /** Short name: `npm test -- --stage <name>` selects it; its report is test-results/<name>.json. */
  name: string;
  /** What the stage tests, printed when it starts. */
  title: string;
  /** Vitest config file at the repository root. */
  config: string;
  /** Test files (vitest filters) of the quick form; default: everything the config includes. */
  files?: string[];
  /** Extra vitest arguments of both forms. */
  args?: string[];
  /**
   * Run under another Node binary: the name of the environment variable holding the path of its `node`
   * executable (its folder goes first on PATH, so processes the tests spawn use it too). Unset → the stage
   * is skipped, or fails when PLANEXE_TEST_REQUIRE_INFRA=1 (CI installs the binary: .ci/run).
   */
  nodeEnv?: string;
  /** What only the quick form (`npm test`, CI) adds. */
  quick?: StageForm;
  /** What only the full form (`npm run test:full`) adds. */
  full?: StageForm;
}

export interface StageForm {
  env?: Record<string, string>;
  /** Extra vitest arguments. */
  args?: string[];
}

export const TEST_STAGES: readonly TestStage[] = [
  { name: 'main', title: 'unit, integration and end-to-end suites', config: 'vitest.config.ts' },
  // a real plan run watched through the MCP App view in Chromium: minutes of wall time, so budgeted on its own
  { name: 'app', title: 'the plan view (MCP App) in headless Chromium', config: 'vitest.app.config.ts' },
  { name: 'security', title: 'security fuzz', config: 'vitest.security.config.ts', full: { env: { SECURITY_FUZZ_REQUESTS: '25000' } } },
  { name: 'faults', title: 'fault injection', config: 'vitest.faults.config.ts', quick: { env: { FAULTS_QUICK: '1' } } },
  { name: 'containers', title: 'container images', config: 'vitest.containers.config.ts' },
  { name: 'bench', title: "the benchmark kit's own tests", config: 'vitest.bench.config.ts' },
  { name: 'conformance', title: 'MCP conformance suite 0.2 (2025-11-25 and 2026-07-28) against npm start', config: 'vitest.conformance.config.ts' },
  {
    name: 'e2e-node24',
    title: 'end-to-end suites on Node 24 (current LTS)',
    config: 'vitest.config.ts',
    files: ['tests/e2e/'],
    nodeEnv: 'PLANEXE_TEST_NODE24',
  },
];
