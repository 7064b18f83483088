/** Step 14: the vital few levers as the "Strategic Decisions" document, with the other levers considered. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { humanLabel, mdBullets, mdJoin, mdSafe, mdSection, mdTable } from '../markdownText.ts';
import { readLevers, type Lever } from '../leverModel.ts';

function leverSection(l: Lever): string {
  const parts = [
    l.description ?? '',
    l.vital_rationale ? `**Why it is vital:** ${l.vital_rationale}` : '',
    mdSection('Options', mdBullets(l.options), 4),
    `**Trade-off:** ${l.review}`,
    `**Consequences:** ${l.consequences}`,
    l.synergy ? `**Synergy:** ${l.synergy}` : '',
    l.conflict ? `**Conflict:** ${l.conflict}` : '',
  ];
  return mdSection(l.name, mdJoin(parts), 3);
}

export function strategicDecisionsMarkdown(vital: Lever[], all: Lever[]): string {
  const vitalIds = new Set(vital.map((l) => l.lever_id));
  const others = all.filter((l) => !vitalIds.has(l.lever_id));
  return mdJoin([
    mdSection('Vital few decisions', vital.map(leverSection).join('\n')),
    mdSection(
      'Other levers considered',
      mdTable(['Lever', 'Triage', 'Trade-off'], others.map((l) => [l.name, l.classification ? humanLabel(l.classification) : '', l.review])),
    ),
  ]);
}

export const strategicDecisionsMarkdownStep: StepDef = {
  name: 'StrategicDecisionsMarkdown',
  deps: ['EnrichLevers', 'FocusOnVitalFewLevers'],
  llm: false,
  outputs: ['strategic_decisions.md'],
  async run(ctx) {
    const md = strategicDecisionsMarkdown(mdSafe(readLevers(ctx, 'vital_few_levers_raw.json')), mdSafe(readLevers(ctx, 'enriched_levers_raw.json')));
    return { 'strategic_decisions.md': md };
  },
};
