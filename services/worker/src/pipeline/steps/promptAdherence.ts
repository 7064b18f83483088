/** Step 71: how faithfully the finished plan follows what the user asked for. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { humanLabel, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const PromptAdherenceSchema = z.object({
  requirements: z
    .array(
      z.object({
        requirement: z.string().describe('Something the prompt asked for or clearly implied, in the user\'s terms'),
        adherence: z.enum(['fully', 'partially', 'not_addressed', 'contradicted']),
        evidence: z.string().describe('Where and how the plan handles it'),
      }),
    )
    .min(1),
  score: z.number().int().min(0).max(100).describe('Overall fidelity to the prompt, 0–100'),
  drift: z.array(z.string()).describe('Things the plan added or changed that the user did not ask for'),
  summary: z.string(),
});

const SYSTEM = `You check whether a generated project plan does what the user actually asked. Your reader is the user
who wrote the prompt and wants to know, before reading 20 sections, whether the plan respects their request.

You get the original plan prompt, the constraints extracted from it, the chosen scenario, the project plan and the
executive summary. List every requirement the prompt stated or clearly implied — goal, place, budget, dates, scale,
exclusions, tone — and rate how the plan handles each: "fully", "partially", "not_addressed" or "contradicted",
with the evidence. List where the plan drifted from the request (added scope, changed location, bigger budget), give
an overall score from 0 to 100 (100 = every requirement fully met with no drift), and sum up in two sentences.`;

export const promptAdherenceStep = singleCallStep({
  name: 'PromptAdherence',
  deps: ['Setup', 'ExtractConstraints', 'ScenariosMarkdown', 'ProjectPlan', 'ExecutiveSummary'],
  rawFile: 'prompt_adherence_raw.json',
  mdFile: 'prompt_adherence.md',
  inputs: [
    PLAN_FILE,
    ['extract_constraints.md', 'Stated constraints'],
    ['scenarios.md', 'Chosen scenario'],
    ['project_plan.md', 'Project plan'],
    ['executive_summary.md', 'Executive summary'],
  ],
  system: SYSTEM,
  request: 'Check how faithfully the plan follows the prompt.',
  schema: PromptAdherenceSchema,
  render: (v) =>
    mdJoin([
      `**Adherence score:** ${v.score} / 100`,
      v.summary,
      mdSection('Requirements', mdTable(['Requirement', 'Adherence', 'Evidence'], v.requirements.map((r) => [r.requirement, humanLabel(r.adherence), r.evidence]))),
      mdSection('Drift from the prompt', v.drift.length ? v.drift.map((d) => `- ${d.replace(/\r?\n+/g, ' ')}`).join('\n') : '_None._'),
    ]),
});
