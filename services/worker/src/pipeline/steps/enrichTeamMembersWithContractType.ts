/** Step 42: how each role is engaged (employee, contractor, …). */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { matchAnswers, readTeam, rolesText } from '../teamMembers.ts';

export const ContractTypeSchema = z.object({
  roles: z
    .array(
      z.object({
        job_category_title: z.string().describe('Exactly as in the list of roles'),
        contract_type: z.enum(['full_time_employee', 'part_time_employee', 'independent_contractor', 'agency_temp', 'volunteer', 'other']),
        justification: z.string(),
      }),
    )
    .min(1),
});

const SYSTEM = `You are an HR adviser. Your reader is the project lead deciding how to engage each role.
You get the plan prompt, the short assumptions and the numbered list of roles.

For every role in the list (same titles, same order) choose the contract type that fits the project's duration,
budget, location and the continuity the role needs: permanent staff for core ongoing work, contractors for
specialist or short tasks, agency temps for peaks, volunteers only where the plan is non-commercial. Justify each
choice in one or two sentences.`;

export const enrichTeamMembersWithContractTypeStep: StepDef = {
  name: 'EnrichTeamMembersWithContractType',
  deps: ['Setup', 'FindTeamMembers', 'ConsolidateAssumptionsMarkdown'],
  llm: true,
  outputs: ['enrich_team_members_contract_type_raw.json', 'enrich_team_members_contract_type.json'],
  async run(ctx) {
    const team = readTeam(ctx, 'find_team_members.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['consolidate_assumptions_short.md', 'Assumptions (short)']]), { title: 'Roles', text: rolesText(team) }];
    const v = await ctx.llmJson(ContractTypeSchema, planMessages(SYSTEM, sources, 'Choose a contract type for each role.'), { schemaName: 'ContractType' });
    const answers = matchAnswers(team, v.roles);
    const enriched = team.map((m, i) => ({ ...m, contract_type: answers[i]?.contract_type ?? 'other', contract_type_justification: answers[i]?.justification ?? '' }));
    return { 'enrich_team_members_contract_type_raw.json': prettyJson(v), 'enrich_team_members_contract_type.json': prettyJson(enriched) };
  },
};
