/**
 * Quick or full form of a test stage (scripts/testStages.ts): `npm test` runs the quick form, `npm run test:full`
 * sets PLANEXE_TEST_FULL=1 for the full one (more fuzz runs, longer fault schedules, bigger inputs).
 */
export function isFullTestRun(env: Record<string, string | undefined> = process.env): boolean {
  return env.PLANEXE_TEST_FULL === '1';
}
