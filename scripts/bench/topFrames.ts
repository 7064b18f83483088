/**
 * The top frames of a V8 CPU profile (`node --cpu-prof`) by self time: `tsx scripts/bench/topFrames.ts <file> [n]`.
 * Prints each frame's share of the BUSY samples ((idle) left out: on a shared machine a server waits a lot), function
 * and where it is, so before/after of a hot-path change can be compared.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const file = process.argv[2];
const n = Number(process.argv[3] ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map<string, number>();
let total = 0;
for (const id of prof.samples) {
  const f = byId.get(id)!.callFrame;
  if (f.functionName === '(idle)') continue;
  total++;
  const where = f.url ? `${f.url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/\/work\/wt\/[^/]+\//, '')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + 1);
}
console.log(`${prof.samples.length} samples, ${total} busy`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
