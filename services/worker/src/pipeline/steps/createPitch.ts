/** Step 59: the pitch — the project sold in a few minutes to the people whose support it needs. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import type { WbsNode } from '../wbsModel.ts';

export const PitchSchema = z.object({
  target_audience: z.string().describe('Who the pitch is for: funders, partners, community, customers'),
  pitch: z.string().describe('The pitch itself, three to five short paragraphs, to be read aloud in about two minutes'),
  why_this_pitch_works: z.string(),
  stakeholder_benefits: z.array(z.object({ stakeholder: z.string(), benefit: z.string() })).min(1),
  call_to_action: z.string(),
  risks_and_mitigations: z.string().describe('The risks a sceptical listener will raise, answered honestly'),
  metrics_for_success: z.array(z.string()).min(1),
});

const SYSTEM = `You write the pitch for a project. Your reader is the person who will present it to the people whose
money, permission or participation the project needs — name that audience first.

You get the plan prompt, the project plan, the work breakdown (levels 1 and 2) and what similar projects taught.
Write a pitch of three to five short paragraphs that can be read aloud in about two minutes: the problem, what the
project delivers and by when, why this team and approach will succeed, and what is asked of the listener. Then say
why the pitch works for this audience, what each stakeholder gains, the call to action, an honest answer to the
risks a sceptic will raise, and how success will be measured. Enthusiastic but truthful: no claim the plan cannot
back.`;

function outline(tree: WbsNode): string {
  return [`${tree.title}: ${tree.description}`, ...tree.children.map((c) => `- ${c.id} ${c.title}`)].join('\n');
}

export const createPitchStep: StepDef = {
  name: 'CreatePitch',
  deps: ['Setup', 'ProjectPlan', 'RelatedResources', 'WBSProjectLevel1AndLevel2'],
  llm: true,
  outputs: ['pitch_raw.json'],
  async run(ctx) {
    const tree = ctx.readJson<WbsNode>('wbs_project_level1_and_level2.json');
    const sources = [
      ...readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan'], ['related_resources.md', 'Similar projects']]),
      { title: 'Work breakdown (levels 1 and 2)', text: outline(tree) },
    ];
    const v = await ctx.llmJson(PitchSchema, planMessages(SYSTEM, sources, 'Write the pitch.'), { schemaName: 'CreatePitch' });
    return { 'pitch_raw.json': prettyJson(v) };
  },
};
