import type { Progress } from '@planexe/db';

const IGNORED = new Set(['expected_filenames.json', 'log.txt', 'pipeline_stop_requested.txt', 'usage_metrics.jsonl', '.DS_Store']);

/** spec/pipeline.md §5.2: present/expected output files, and the `n of m[. Extra files: k]` message. */
export function computeProgress(files: Iterable<string>, expected: readonly string[], currentStep: string | null): Progress {
  const exp = new Set(expected);
  let present = 0;
  let extra = 0;
  for (const f of files) {
    if (IGNORED.has(f)) continue;
    if (exp.has(f)) present++;
    else extra++;
  }
  const total = exp.size;
  return {
    percentage: total ? (present * 100) / total : 0,
    message: `${present} of ${total}` + (extra ? `. Extra files: ${extra}` : ''),
    stepsCompleted: present,
    stepsTotal: total,
    currentStep,
  };
}
