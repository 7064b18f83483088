/** Step 50: the documents the project must find (existing) and create (new) to get started. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { GOVERNANCE_BASE_DEPS, GOVERNANCE_BASE_INPUTS } from '../governanceModel.ts';
import { planMessages, readSources } from '../promptMessages.ts';
import { humanLabel, mdJoin, mdSafe, mdSection, mdTable, prettyJson } from '../markdownText.ts';
import type { DocumentToCreate, DocumentToFind } from '../documentModel.ts';

export const IdentifyDocumentsSchema = z.object({
  documents_to_find: z
    .array(
      z.object({
        document_name: z.string().describe('e.g. "Municipal zoning map for the district"'),
        purpose: z.string(),
        recency_requirement: z.string().describe('How current it must be, e.g. "published within 2 years"'),
        likely_sources: z.array(z.string()).min(1).describe('Agencies, registries, libraries, associations'),
        access_difficulty: z.enum(['easy', 'medium', 'hard']),
        responsible_role: z.string(),
      }),
    )
    .min(1),
  documents_to_create: z
    .array(
      z.object({
        document_name: z.string().describe('e.g. "Project charter", "Permit application"'),
        purpose: z.string(),
        decisions_enabled: z.string().describe('Which decision or approval it unlocks'),
        responsible_role: z.string(),
        approval_authority: z.string(),
      }),
    )
    .min(1),
});

const SYSTEM = `You are the project coordinator preparing the paperwork of a new project. Your reader is the team that
must gather and write these documents in the first weeks, before the main work can start.

You get the plan prompt, its purpose, the strategic decisions and chosen scenario, the assumptions and the project
plan. List the existing documents the team must find (statistics, regulations, maps, market reports, standards,
prior studies), with how current they must be, where to look and how hard they are to get; and the documents the
team must create (charter, budget, risk register, permit and funding applications, contracts, communication plan),
with the decision each one unlocks and who approves it. Eight to twelve of each, specific to this project.`;

export function identifiedDocumentsMarkdown(find: DocumentToFind[], create: DocumentToCreate[]): string {
  return mdJoin([
    mdSection('Documents to create', mdTable(['Id', 'Document', 'Purpose', 'Unlocks', 'Responsible', 'Approved by'], create.map((d) => [d.document_id, d.document_name, d.purpose, d.decisions_enabled, d.responsible_role, d.approval_authority]))),
    mdSection('Documents to find', mdTable(['Id', 'Document', 'Purpose', 'Recency', 'Sources', 'Access', 'Responsible'], find.map((d) => [d.document_id, d.document_name, d.purpose, d.recency_requirement, d.likely_sources, humanLabel(d.access_difficulty), d.responsible_role]))),
  ]);
}

export const identifyDocumentsStep: StepDef = {
  name: 'IdentifyDocuments',
  // the same context the governance phases start from: plan, purpose, strategy, scenario, assumptions, project plan
  deps: [...GOVERNANCE_BASE_DEPS],
  llm: true,
  outputs: ['identified_documents_raw.json', 'identified_documents.md', 'identified_documents_to_find.json', 'identified_documents_to_create.json'],
  async run(ctx) {
    const sources = readSources(ctx, GOVERNANCE_BASE_INPUTS);
    const v = await ctx.llmJson(IdentifyDocumentsSchema, planMessages(SYSTEM, sources, 'List the documents to find and to create.'), { schemaName: 'IdentifyDocuments' });
    const find: DocumentToFind[] = v.documents_to_find.map((d, i) => ({ document_id: `F${i + 1}`, ...d }));
    const create: DocumentToCreate[] = v.documents_to_create.map((d, i) => ({ document_id: `C${i + 1}`, ...d }));
    return {
      'identified_documents_raw.json': prettyJson(v),
      'identified_documents.md': identifiedDocumentsMarkdown(mdSafe(find), mdSafe(create)),
      'identified_documents_to_find.json': prettyJson(find),
      'identified_documents_to_create.json': prettyJson(create),
    };
  },
};
