/** Step 12: each kept lever explained: what it decides, and how it reinforces or fights the other levers. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { matchByKey } from '../answerMatching.ts';
import { leversText, readLevers, type LeverStage } from '../leverModel.ts';

export const EnrichLeversSchema = z.object({
  levers: z
    .array(
      z.object({
        lever_id: z.string().describe('The id exactly as listed'),
        description: z.string().describe('What is being decided and why it matters here, two or three sentences'),
        synergy: z.string().describe('Which other levers (by name) it strengthens, and how'),
        conflict: z.string().describe('Which other levers (by name) it trades off against, and how'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are a strategy adviser writing the briefing notes for the project owner's decision meeting.
Readers are the owner and the steering group; they know the project but have not seen the lever analysis.

You get the plan prompt, its purpose and the triaged levers with their options. For every lever, using its id
exactly as listed, explain in plain language what is being decided and why it matters for this project, which
other levers it reinforces (synergy) and which it pulls against (conflict), naming those levers. A good note lets
the reader see the decision as a system, not a list: "choosing a franchise funding model makes a fast rollout
cheaper but limits design control".`;

export const enrichLeversStep: StepDef = {
  name: 'EnrichLevers',
  deps: ['Setup', 'IdentifyPurpose', 'TriageLevers'],
  llm: true,
  outputs: ['enriched_levers_raw.json'],
  async run(ctx) {
    const levers = readLevers(ctx, 'triaged_levers_raw.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['identify_purpose.md', 'Purpose']]), { title: 'Levers', text: leversText(levers) }];
    const v = await ctx.llmJson(EnrichLeversSchema, planMessages(SYSTEM, sources, 'Write the briefing note for every lever.'), { schemaName: 'EnrichLevers' });
    const answers = matchByKey(levers.map((l) => l.lever_id), v.levers, (a) => a.lever_id);
    const enriched = levers.map((l, i) => {
      const a = answers[i];
      return a ? { ...l, description: a.description, synergy: a.synergy, conflict: a.conflict } : l;
    });
    const stage: LeverStage = { response: v, levers: enriched };
    return { 'enriched_levers_raw.json': prettyJson(stage) };
  },
};
