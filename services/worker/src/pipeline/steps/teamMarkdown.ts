/** Step 46: the team, with its review, as one Markdown document. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { humanLabel, mdJoin, mdSafe, mdSection, mdTable } from '../markdownText.ts';
import { readTeam, type TeamMember } from '../teamMembers.ts';
import type { ReviewTeam } from './reviewTeam.ts';

function memberSection(m: TeamMember): string {
  const rows: unknown[][] = [
    ['Contract type', m.contract_type ? humanLabel(m.contract_type) : ''],
    ['Contract type justification', m.contract_type_justification ?? ''],
    ['People needed', m.people_needed],
    ['Role', m.short_explanation],
    ['If missing', m.consequences_if_missing],
  ];
  if (m.full_name) rows.push(['Persona', m.full_name], ['Background', m.background_story ?? '']);
  if (m.equipment_needs) rows.push(['Equipment', m.equipment_needs]);
  if (m.facility_needs) rows.push(['Facility', m.facility_needs]);
  return mdSection(`${m.id}. ${m.job_category_title}`, mdTable(['Aspect', 'Detail'], rows), 3);
}

export function teamMarkdown(team: TeamMember[], review: ReviewTeam | undefined): string {
  const parts = [
    mdSection('Overview', mdTable(['#', 'Role', 'People', 'Contract type'], team.map((m) => [m.id, m.job_category_title, m.people_needed, m.contract_type ? humanLabel(m.contract_type) : '']))),
    mdSection('Roles', team.map(memberSection).join('\n')),
  ];
  if (review) {
    const rows = (list: ReviewTeam['omissions']) => list.map((f) => [f.issue, f.explanation, f.recommendation]);
    parts.push(
      mdSection('Omissions', mdTable(['Issue', 'Explanation', 'Recommendation'], rows(review.omissions))),
      mdSection('Potential improvements', mdTable(['Issue', 'Explanation', 'Recommendation'], rows(review.potential_improvements))),
    );
  }
  return mdJoin(parts);
}

export const teamMarkdownStep: StepDef = {
  name: 'TeamMarkdown',
  deps: ['EnrichTeamMembersWithEnvironmentInfo', 'ReviewTeam'],
  llm: false,
  outputs: ['team.md'],
  async run(ctx) {
    const team = mdSafe(readTeam(ctx, 'enrich_team_members_environment_info.json'));
    const review = ctx.has('review_team_raw.json') ? mdSafe(ctx.readJson<ReviewTeam>('review_team_raw.json')) : undefined;
    return { 'team.md': teamMarkdown(team, review) };
  },
};
