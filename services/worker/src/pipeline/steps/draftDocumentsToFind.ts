/**
 * Step 53: a search brief per kept document to find, one call each (`draft_documents_to_find_<n>_raw.json`).
 * Fast mode drafts only the first 2 documents (spec §4).
 */
import { z } from 'zod';
import type { StepDef, StepOutputs } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { documentsToFindText, type Drafted, type DocumentToFind, type Kept } from '../documentModel.ts';
import { mapBounded } from '../boundedMap.ts';

export const FAST_DRAFT_DOCUMENTS = 2;

export const DraftDocumentToFindSchema = z.object({
  essential_information: z.array(z.string()).min(1).describe('The questions this document must answer for the project'),
  where_to_look: z.array(z.string()).min(1).describe('Specific agencies, registries, archives or people, in the order to try'),
  quality_checks: z.array(z.string()).min(1).describe('How to tell the document is current, complete and reliable'),
  risk_if_poor: z.string().describe('What goes wrong if the team relies on an outdated or wrong version'),
  fallback_if_unavailable: z.string().describe('How to get the same information another way'),
});

export type DraftToFind = z.output<typeof DraftDocumentToFindSchema>;

const SYSTEM = `You write search briefs for a project's researcher. Your reader must find one existing document and
know, before starting, exactly what to extract from it and when the search is done.

You get the plan prompt, the project plan and the document to find (with its purpose and likely sources). State the
questions the document must answer for this project, where to look in the order to try, how to check that what was
found is current and reliable, what goes wrong if a poor version is used, and a fallback when it cannot be found.
Be concrete: name the kind of agency or registry and the data fields, not "search online".`;

export const draftDocumentsToFindStep: StepDef = {
  name: 'DraftDocumentsToFind',
  deps: ['Setup', 'ProjectPlan', 'FilterDocumentsToFind'],
  llm: true,
  outputs: ['draft_documents_to_find.json'],
  async run(ctx) {
    let docs = ctx.readJson<Array<Kept<DocumentToFind>>>('filter_documents_to_find_clean.json');
    if (ctx.speed === 'fast_but_skip_details') docs = docs.slice(0, FAST_DRAFT_DOCUMENTS);
    const base = readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]);
    const out: StepOutputs = {};
    // each document is drafted on its own, side by side, in list order
    const drafted: Array<Drafted<DocumentToFind, DraftToFind>> = await mapBounded(docs, async (doc) => {
      ctx.signal.throwIfAborted();
      const sources = [...base, { title: 'Document to find', text: documentsToFindText([doc]) }];
      const draft = await ctx.llmJson(DraftDocumentToFindSchema, planMessages(SYSTEM, sources, `Write the search brief for "${doc.document_name}".`), { schemaName: 'DraftDocumentsToFind' });
      return { ...doc, draft };
    });
    drafted.forEach((d, n) => (out[`draft_documents_to_find_${n + 1}_raw.json`] = prettyJson(d.draft)));
    out['draft_documents_to_find.json'] = prettyJson(drafted);
    return out;
  },
};
