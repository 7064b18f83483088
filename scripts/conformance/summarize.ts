/**
 * Sums up a conformance run (scripts/conformance.sh): reads the suite's results per revision, writes
 * <out>/report.json (reports + verdict), prints the scored results, the scenarios run but not scored (extensions,
 * pending, added after the release) and the verdict against tests/conformance/baseline.json; exits 1 when the verdict
 * fails. `--write-baseline` also prints the current 2026-07-28 failures in baseline.json's form (each with its first
 * failing check as a starting point for the reason, which a person must then write).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { revisionReport, type RevisionReport } from './report.ts';
import { MAX_2026_FAILURES, passes, readBaseline, verdict } from './verdict.ts';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'test-results/conformance' }, revisions: { type: 'string', default: '2025-11-25 2026-07-28' }, 'write-baseline': { type: 'boolean', default: false } },
});
const out = values.out!;
const reports: RevisionReport[] = values.revisions!.split(/\s+/).filter(Boolean).map((rev) => revisionReport(rev, join(out, rev)));
const v = verdict(reports, readBaseline());
writeFileSync(join(out, 'report.json'), JSON.stringify({ reports, verdict: v }, null, 2));

for (const r of reports) {
  const failed = r.scored.filter((s) => !s.passed);
  console.log(`\n${r.revision}: ${r.scored.length - failed.length}/${r.scored.length} required scenarios pass`);
  for (const s of failed) console.log(`  ✗ ${s.scenario}  ${s.failures[0] ?? ''}`);
  if (r.notScored.length) {
    console.log(`  not scored (run and reported, never counted): ${r.notScored.filter((s) => s.passed).length}/${r.notScored.length} pass`);
    for (const s of r.notScored) console.log(`    ${s.passed ? '✓' : '✗'} ${s.scenario} (${s.reason})`);
  }
}

console.log('\nverdict:');
console.log(`  2025-11-25 failing outside the baseline: ${v.failing2025.length ? v.failing2025.join(', ') : 'none'}`);
console.log(`  2026-07-28 failing outside the baseline: ${v.unexpected2026.length ? v.unexpected2026.join(', ') : 'none'}`);
console.log(`  2026-07-28 extension scenarios failing outside the baseline: ${v.failingExtensions.length ? v.failingExtensions.join(', ') : 'none'}`);
if (v.nowPassing.length) console.log(`  baseline entries that now pass (remove them from tests/conformance/baseline.json): ${v.nowPassing.join(', ')}`);
if (v.invalidEntries.length) console.log(`  baseline entries that name no required scenario or give no reason: ${v.invalidEntries.join(', ')}`);
if (v.overLimit) console.log(`  the baseline lists more than ${MAX_2026_FAILURES} scenarios`);
console.log(`  ${passes(v) ? 'PASS' : 'FAIL'} (report: ${join(out, 'report.json')})`);

if (values['write-baseline']) {
  const r2026 = reports.find((r) => r.revision === '2026-07-28');
  const current = Object.fromEntries((r2026?.scored ?? []).filter((s) => !s.passed).map((s) => [s.scenario, `FILL IN WHY — first failing check: ${s.failures[0] ?? '?'}`]));
  console.log('\nbaseline.json for this run (write each reason by hand before committing):');
  console.log(JSON.stringify({ '2026-07-28': current }, null, 2));
}
process.exit(passes(v) ? 0 : 1);
