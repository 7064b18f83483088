/** The team list that steps 41–46 build up, and how model answers are matched back to its roles. */
import type { StepContext } from '../engine/stepTypes.ts';

export interface TeamMember {
  id: number;
  job_category_title: string;
  short_explanation: string;
  people_needed: string;
  consequences_if_missing: string;
  contract_type?: string;
  contract_type_justification?: string;
  full_name?: string;
  background_story?: string;
  equipment_needs?: string;
  facility_needs?: string;
}

export function readTeam(ctx: Pick<StepContext, 'readJson'>, file: string): TeamMember[] {
  return ctx.readJson<TeamMember[]>(file);
}

/** The roles as the model sees them: id, title and what the role does. */
export function rolesText(team: TeamMember[]): string {
  return team.map((m) => `${m.id}. ${m.job_category_title} (${m.people_needed}): ${m.short_explanation}`).join('\n');
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * For each member, the answer about that role: the one with the same title, else the one at the same position,
 * else none. Each answer is used once.
 */
export function matchAnswers<T extends { job_category_title: string }>(team: TeamMember[], answers: T[]): Array<T | undefined> {
  const used = new Set<number>();
  const byTitle = team.map((m) => answers.findIndex((a) => norm(a.job_category_title) === norm(m.job_category_title)));
  for (const i of byTitle) if (i >= 0) used.add(i);
  return team.map((_m, k) => {
    if (byTitle[k] >= 0) return answers[byTitle[k]];
    if (k < answers.length && !used.has(k)) {
      used.add(k);
      return answers[k];
    }
    return undefined;
  });
}
