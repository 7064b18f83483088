/** Step 45: a critical look at the proposed team. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { readTeam } from '../teamMembers.ts';

const Finding = z.object({ issue: z.string(), explanation: z.string(), recommendation: z.string() });

export const ReviewTeamSchema = z.object({
  omissions: z.array(Finding).describe('Roles or responsibilities that are missing'),
  potential_improvements: z.array(Finding).describe('Changes to existing roles: merge, split, resize, re-contract'),
});

export type ReviewTeam = z.output<typeof ReviewTeamSchema>;

const SYSTEM = `You are an experienced programme director reviewing a proposed project team for the sponsor.
You get the plan prompt, the project plan and the proposed team with head counts and contract types.

Compare the team with the project plan. Point out missing roles or responsibilities (legal, safety, finance,
maintenance, community relations, quality, …) that the plan clearly needs, and improvements to existing roles:
overlap, wrong head count, a contract type that does not fit. Give three to five findings in each list, each with a
concrete recommendation. Do not repeat roles that are already covered.`;

export const reviewTeamStep: StepDef = {
  name: 'ReviewTeam',
  deps: ['Setup', 'ProjectPlan', 'EnrichTeamMembersWithEnvironmentInfo'],
  llm: true,
  outputs: ['review_team_raw.json'],
  async run(ctx) {
    const team = readTeam(ctx, 'enrich_team_members_environment_info.json');
    const roles = team.map((m) => `- ${m.job_category_title} (${m.people_needed}, ${m.contract_type ?? 'contract type not set'}): ${m.short_explanation}`).join('\n');
    const sources = [...readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]), { title: 'Proposed team', text: roles }];
    const v = await ctx.llmJson(ReviewTeamSchema, planMessages(SYSTEM, sources, 'Review the proposed team.'), { schemaName: 'ReviewTeam' });
    return { 'review_team_raw.json': prettyJson(v) };
  },
};
