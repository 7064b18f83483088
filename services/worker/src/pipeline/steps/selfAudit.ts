/**
 * Step 70: the plan audits itself against a fixed checklist of common planning failures, a few items per call.
 * Fast mode evaluates only the first 2 items (spec §4).
 */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources, REPEATED_CALL_SOURCE_CHARS } from '../promptMessages.ts';
import { humanLabel, mdSafe, mdTable, prettyJson } from '../markdownText.ts';
import { chunk } from '../wbsModel.ts';
import { matchByKey } from '../answerMatching.ts';
import { mapBounded } from '../boundedMap.ts';

export const SELF_AUDIT_CHECKLIST = [
  'Depends on a breakthrough, an unproven technology or something physically implausible',
  'The budget does not cover the scope, or the funding source is unclear',
  'The timeline is unrealistic for the scope and team',
  'Permits, licences or regulatory approvals are missing or under-estimated',
  'Key stakeholders (users, neighbours, authorities, partners) are not engaged',
  'The team lacks required skills or head count',
  'A single supplier, person or site is a point of failure with no backup',
  'Legal or ethical exposure: privacy, safety, labour, intellectual property',
  'Environmental impact is not assessed',
  'Success cannot be measured: no indicators with targets',
  'Important assumptions are not backed by evidence',
  'The scope has unclear boundaries and invites scope creep',
  'Critical dependencies on outside parties the project does not control',
  'Running costs after launch are not planned',
  'Physical or information security is neglected',
  'Health and safety risks to workers or the public are not handled',
  'Demand or need has not been validated with the people it serves',
  'No contingency reserve in budget or schedule',
  'Sections of the plan contradict each other',
  'Confident language stands in for evidence',
] as const;

export const SELF_AUDIT_BATCH = 5;
export const FAST_SELF_AUDIT_ITEMS = 2;

export const SelfAuditSchema = z.object({
  results: z
    .array(
      z.object({
        item_number: z.number().int().describe('The number of the checklist item, as listed'),
        level: z.enum(['low', 'medium', 'high']).describe('How strongly the plan shows this problem'),
        justification: z.string().describe('Evidence from the plan for the level'),
        mitigation: z.string().describe('What to change; "none needed" when the level is low'),
      }),
    )
    .min(1),
});

export interface SelfAuditItem {
  item_number: number;
  item: string;
  level: 'low' | 'medium' | 'high' | 'not_assessed';
  justification: string;
  mitigation: string;
}

const SYSTEM = `You are an independent auditor checking a project plan against a checklist of common planning failures.
Your reader is the sponsor, who wants an honest list of weak spots, not reassurance.

You get the plan prompt and the plan's key documents: project plan, assumptions, team, governance, the review and
the premortem. For each checklist item you are given, using its number as listed, rate how strongly the plan shows
the problem ("high" = clearly present and unaddressed, "medium" = partly addressed, "low" = handled or not
relevant), justify the rating with evidence from the plan, and give a concrete mitigation. Do not rate items you
were not given.`;

export function selfAuditMarkdown(items: SelfAuditItem[]): string {
  return mdTable(['#', 'Checklist item', 'Level', 'Justification', 'Mitigation'], items.map((i) => [i.item_number, i.item, humanLabel(i.level), i.justification, i.mitigation]));
}

export const selfAuditStep: StepDef = {
  name: 'SelfAudit',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'TeamMarkdown', 'ConsolidateGovernance', 'ReviewPlan', 'Premortem'],
  llm: true,
  outputs: ['self_audit_raw.json', 'self_audit.md'],
  async run(ctx) {
    const all = SELF_AUDIT_CHECKLIST.map((item, i) => ({ item_number: i + 1, item }));
    const checked = ctx.speed === 'fast_but_skip_details' ? all.slice(0, FAST_SELF_AUDIT_ITEMS) : all;
    const base = readSources(ctx, [
      PLAN_FILE,
      ['project_plan.md', 'Project plan'],
      ['consolidate_assumptions_short.md', 'Assumptions (short)'],
      ['team.md', 'Team'],
      ['consolidate_governance.md', 'Governance'],
      ['review_plan.md', 'Review of the plan'],
      ['premortem.md', 'Premortem'],
    ]);
    // each batch is rated on its own: the batches run side by side, items kept in checklist order
    const rated = await mapBounded(chunk(checked, SELF_AUDIT_BATCH), async (batch): Promise<SelfAuditItem[]> => {
      ctx.signal.throwIfAborted();
      const list = batch.map((b) => `${b.item_number}. ${b.item}`).join('\n');
      const messages = planMessages(SYSTEM, [...base, { title: 'Checklist items to rate', text: list }], 'Rate each listed checklist item.', { maxSourceChars: REPEATED_CALL_SOURCE_CHARS });
      const v = await ctx.llmJson(SelfAuditSchema, messages, { schemaName: 'SelfAudit' });
      const answers = matchByKey(batch.map((b) => String(b.item_number)), v.results, (r) => String(r.item_number));
      return batch.map((b, i) => {
        const a = answers[i];
        return { ...b, level: a?.level ?? 'not_assessed', justification: a?.justification ?? '', mitigation: a?.mitigation ?? '' };
      });
    });
    const items = rated.flat();
    return { 'self_audit_raw.json': prettyJson({ items }), 'self_audit.md': selfAuditMarkdown(mdSafe(items)) };
  },
};
