/** Step 44: the equipment and workplace each role needs. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { matchAnswers, readTeam, rolesText } from '../teamMembers.ts';

export const EnvironmentSchema = z.object({
  environments: z
    .array(
      z.object({
        job_category_title: z.string().describe('Exactly as in the list of roles'),
        equipment_needs: z.string().describe('Tools, software, vehicles, protective gear'),
        facility_needs: z.string().describe('Where the person works and what that place must provide'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are the operations manager equipping the team. Your reader budgets equipment and space.
You get the plan prompt, the candidate locations and the numbered list of roles.

For every role in the list (same titles, same order) state the concrete equipment and the facility the person
needs to do the work on this project, considering the project's locations and whether the work is digital or
physical. Be specific ("laptop with CAD licence, site safety boots") rather than generic ("necessary tools").`;

export const enrichTeamMembersWithEnvironmentInfoStep: StepDef = {
  name: 'EnrichTeamMembersWithEnvironmentInfo',
  deps: ['Setup', 'EnrichTeamMembersWithBackgroundStory', 'PhysicalLocations'],
  llm: true,
  outputs: ['enrich_team_members_environment_info_raw.json', 'enrich_team_members_environment_info.json'],
  async run(ctx) {
    const team = readTeam(ctx, 'enrich_team_members_background_story.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['physical_locations.md', 'Physical locations']]), { title: 'Roles', text: rolesText(team) }];
    const v = await ctx.llmJson(EnvironmentSchema, planMessages(SYSTEM, sources, 'Describe the equipment and facilities for each role.'), { schemaName: 'EnvironmentInfo' });
    const answers = matchAnswers(team, v.environments);
    const enriched = team.map((m, i) => (answers[i] ? { ...m, equipment_needs: answers[i].equipment_needs, facility_needs: answers[i].facility_needs } : m));
    return { 'enrich_team_members_environment_info_raw.json': prettyJson(v), 'enrich_team_members_environment_info.json': prettyJson(enriched) };
  },
};
