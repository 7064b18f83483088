/** Step 43: a short fictional profile per role, to make the team tangible. Skipped in fast mode (spec §4). */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { matchAnswers, readTeam, rolesText } from '../teamMembers.ts';

export const BackgroundStorySchema = z.object({
  profiles: z
    .array(
      z.object({
        job_category_title: z.string().describe('Exactly as in the list of roles'),
        full_name: z.string().describe('A fictional name that fits the project location'),
        background_story: z.string().describe('Three or four sentences: experience, skills, why they fit this project'),
      }),
    )
    .min(1),
});

const SYSTEM = `You write short, realistic personas for a project's team so readers can picture who fills each role.
Your readers are the sponsor and the team reading the plan. You get the plan prompt and the numbered list of roles.

For every role in the list (same titles, same order) invent a plausible person: a fictional name suited to the
project's location, and a background of three or four sentences covering relevant experience, key skills and why
they suit this particular project. Keep it professional and free of stereotypes; no real people.`;

const CONTRACT_FILE = 'enrich_team_members_contract_type.json';

export const enrichTeamMembersWithBackgroundStoryStep: StepDef = {
  name: 'EnrichTeamMembersWithBackgroundStory',
  deps: ['Setup', 'EnrichTeamMembersWithContractType'],
  llm: true,
  outputs: ['enrich_team_members_background_story_raw.json', 'enrich_team_members_background_story.json'],
  async run(ctx) {
    if (ctx.speed === 'fast_but_skip_details') {
      const copy = ctx.read(CONTRACT_FILE);
      return { 'enrich_team_members_background_story_raw.json': copy, 'enrich_team_members_background_story.json': copy };
    }
    const team = readTeam(ctx, CONTRACT_FILE);
    const sources = [...readSources(ctx, [PLAN_FILE]), { title: 'Roles', text: rolesText(team) }];
    const v = await ctx.llmJson(BackgroundStorySchema, planMessages(SYSTEM, sources, 'Write a persona for each role.'), { schemaName: 'BackgroundStory' });
    const answers = matchAnswers(team, v.profiles);
    const enriched = team.map((m, i) => (answers[i] ? { ...m, full_name: answers[i].full_name, background_story: answers[i].background_story } : m));
    return { 'enrich_team_members_background_story_raw.json': prettyJson(v), 'enrich_team_members_background_story.json': prettyJson(enriched) };
  },
};
