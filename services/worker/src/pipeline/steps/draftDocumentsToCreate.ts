/**
 * Step 54: an outline per kept document to create, one call each (`draft_documents_to_create_<n>_raw.json`).
 * Fast mode drafts only the first 2 documents (spec §4).
 */
import { z } from 'zod';
import type { StepDef, StepOutputs } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { documentsToCreateText, type Drafted, type DocumentToCreate, type Kept } from '../documentModel.ts';
import { mapBounded } from '../boundedMap.ts';

export const FAST_DRAFT_DOCUMENTS = 2;

export const DraftDocumentToCreateSchema = z.object({
  audience: z.string().describe('Who reads and signs it'),
  key_sections: z.array(z.string()).min(1).describe('Section headings in order, each with a few words on its content'),
  essential_information: z.array(z.string()).min(1).describe('Facts and figures it must contain'),
  inputs_needed: z.array(z.string()).describe('Other documents or data needed to write it'),
  approval: z.string().describe('Who approves it and what they will check'),
  risk_if_poor: z.string(),
});

export type DraftToCreate = z.output<typeof DraftDocumentToCreateSchema>;

const SYSTEM = `You outline project documents for the person who has to write them. Your reader should be able to start
writing immediately and know what the approver will look for.

You get the plan prompt, the project plan and the document to create (its purpose, the decision it unlocks and who
approves it). Give the audience, the sections in order with a few words each, the facts and figures it must
contain for this project, the inputs needed to write it, who approves it and what they will check, and what goes
wrong if it is weak. Keep it to what this project needs; no boilerplate sections.`;

export const draftDocumentsToCreateStep: StepDef = {
  name: 'DraftDocumentsToCreate',
  deps: ['Setup', 'ProjectPlan', 'FilterDocumentsToCreate'],
  llm: true,
  outputs: ['draft_documents_to_create.json'],
  async run(ctx) {
    let docs = ctx.readJson<Array<Kept<DocumentToCreate>>>('filter_documents_to_create_clean.json');
    if (ctx.speed === 'fast_but_skip_details') docs = docs.slice(0, FAST_DRAFT_DOCUMENTS);
    const base = readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]);
    const out: StepOutputs = {};
    // each document is drafted on its own, side by side, in list order
    const drafted: Array<Drafted<DocumentToCreate, DraftToCreate>> = await mapBounded(docs, async (doc) => {
      ctx.signal.throwIfAborted();
      const sources = [...base, { title: 'Document to create', text: documentsToCreateText([doc]) }];
      const draft = await ctx.llmJson(DraftDocumentToCreateSchema, planMessages(SYSTEM, sources, `Outline "${doc.document_name}".`), { schemaName: 'DraftDocumentsToCreate' });
      return { ...doc, draft };
    });
    drafted.forEach((d, n) => (out[`draft_documents_to_create_${n + 1}_raw.json`] = prettyJson(d.draft)));
    out['draft_documents_to_create.json'] = prettyJson(drafted);
    return out;
  },
};
