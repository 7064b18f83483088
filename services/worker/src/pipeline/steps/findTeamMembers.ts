/** Step 41: the roles the project needs. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import type { TeamMember } from '../teamMembers.ts';

export const TeamSchema = z.object({
  team_members: z
    .array(
      z.object({
        job_category_title: z.string().describe('A role, e.g. "Site Manager", not a person'),
        short_explanation: z.string().describe('What this role does on this project'),
        people_needed: z.string().describe('Head count, e.g. "1" or "2-3 depending on opening hours"'),
        consequences_if_missing: z.string(),
      }),
    )
    .min(1),
});

const SYSTEM = `You are staffing a project. Your reader is the project lead who must budget and recruit for each role.
You get the plan prompt, the short assumptions, the pre-project assessment and the project plan.

List the 6 to 10 roles this specific plan needs to succeed, covering delivery, specialist, compliance and support
work. Give each role a clear title, what it does here, how many people, and what goes wrong without it. Size the team
to the plan's scale and budget; a small personal project needs few roles, often part-time or volunteer.`;

export const findTeamMembersStep: StepDef = {
  name: 'FindTeamMembers',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown', 'PreProjectAssessment', 'ProjectPlan'],
  llm: true,
  outputs: ['find_team_members_raw.json', 'find_team_members.json'],
  async run(ctx) {
    const sources = readSources(ctx, [
      PLAN_FILE,
      ['consolidate_assumptions_short.md', 'Assumptions (short)'],
      ['pre_project_assessment.json', 'Pre-project assessment'],
      ['project_plan.md', 'Project plan'],
    ]);
    const v = await ctx.llmJson(TeamSchema, planMessages(SYSTEM, sources, 'List the team roles this plan needs.'), { schemaName: 'FindTeamMembers' });
    const team: TeamMember[] = v.team_members.map((m, i) => ({ id: i + 1, ...m }));
    return { 'find_team_members_raw.json': prettyJson(v), 'find_team_members.json': prettyJson(team) };
  },
};
