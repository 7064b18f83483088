/**
 * The test stages `npm test` runs, in order, one after another (scripts/runTests.ts runs them).
 *
 * Add a suite that must not run in the main `vitest run` (slow, needs containers, another Node version) as a
 * stage here: give it its own vitest config at the repository root and exclude its folder from
 * vitest.config.ts. A stage whose config file does not exist yet is skipped with a message.
 *
 * Quick and full forms: `npm test` (and CI) runs every stage in its quick form; `npm run test:full` runs the
 * full forms. In the full form every stage gets `PLANEXE_TEST_FULL=1` in its environment (read it with
 * `isFullTestRun()` from @planexe/testing, e.g. for more fuzz runs or longer fault schedules), plus the
 * stage's own `full.env` and `full.args` (extra vitest arguments, e.g. a file filter the quick form leaves out).
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
  /** Extra vitest arguments of the quick form. */
  args?: string[];
  /**
   * Run under another Node binary: the name of the environment variable holding the path of its `node`
   * executable (its folder goes first on PATH, so processes the tests spawn use it too). Unset → the stage
   * is skipped, or fails when PLANEXE_TEST_REQUIRE_INFRA=1 (CI installs the binary: .ci/run).
   */
  nodeEnv?: string;
  /** What the full form (`npm run test:full`) adds. */
  full?: { env?: Record<string, string>; args?: string[] };
}

export const TEST_STAGES: readonly TestStage[] = [
  { name: 'main', title: 'unit, integration and end-to-end suites', config: 'vitest.config.ts' },
  { name: 'security', title: 'security fuzz', config: 'vitest.security.config.ts' },
  { name: 'faults', title: 'fault injection', config: 'vitest.faults.config.ts' },
  { name: 'containers', title: 'container images', config: 'vitest.containers.config.ts' },
  {
    name: 'e2e-node24',
    title: 'end-to-end suites on Node 24 (current LTS)',
    config: 'vitest.config.ts',
    files: ['tests/e2e/'],
    nodeEnv: 'PLANEXE_TEST_NODE24',
  },
];
