/** Step 51: ranks the documents to find and keeps the ones the project cannot start without. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { applyDocumentFilter, DocumentFilterSchema, documentsToFindText, MAX_KEPT, type DocumentToFind } from '../documentModel.ts';

const SYSTEM = `You are the project coordinator deciding which existing documents are worth the effort of finding in
the first weeks. Your reader is the researcher who will spend days tracking them down.

You get the plan prompt, the project plan and the list of candidate documents to find. Rate every document, using
its id exactly as listed: "critical" when a go/no-go decision, permit or budget figure depends on it, "high" when
an early deliverable needs it, "medium" when it is useful later, "low" when it duplicates another or is nice to
have. Say which decision or deliverable depends on it. Be strict: at most ${MAX_KEPT} should be critical or high.`;

export const filterDocumentsToFindStep: StepDef = {
  name: 'FilterDocumentsToFind',
  deps: ['Setup', 'ProjectPlan', 'IdentifyDocuments'],
  llm: true,
  outputs: ['filter_documents_to_find_raw.json', 'filter_documents_to_find_clean.json'],
  async run(ctx) {
    const docs = ctx.readJson<DocumentToFind[]>('identified_documents_to_find.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]), { title: 'Documents to find', text: documentsToFindText(docs) }];
    const v = await ctx.llmJson(DocumentFilterSchema, planMessages(SYSTEM, sources, 'Rate every document to find.'), { schemaName: 'FilterDocumentsToFind' });
    return { 'filter_documents_to_find_raw.json': prettyJson(v), 'filter_documents_to_find_clean.json': prettyJson(applyDocumentFilter(docs, v)) };
  },
};
