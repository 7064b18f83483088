/** Step 52: ranks the documents to create and keeps the ones the first phase needs. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { applyDocumentFilter, DocumentFilterSchema, documentsToCreateText, MAX_KEPT, type DocumentToCreate } from '../documentModel.ts';

const SYSTEM = `You are the project coordinator deciding which documents the team must write first. Your reader is the
project lead, whose team has limited time before the first steering meeting.

You get the plan prompt, the project plan and the list of candidate documents to create. Rate every document, using
its id exactly as listed: "critical" when funding, a permit or the go decision cannot happen without it, "high" when
the first milestone needs it, "medium" when it can wait for a later phase, "low" when it overlaps another document
or is a formality. Say which decision or deliverable depends on it. Be strict: at most ${MAX_KEPT} should be critical
or high.`;

export const filterDocumentsToCreateStep: StepDef = {
  name: 'FilterDocumentsToCreate',
  deps: ['Setup', 'ProjectPlan', 'IdentifyDocuments'],
  llm: true,
  outputs: ['filter_documents_to_create_raw.json', 'filter_documents_to_create_clean.json'],
  async run(ctx) {
    const docs = ctx.readJson<DocumentToCreate[]>('identified_documents_to_create.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]), { title: 'Documents to create', text: documentsToCreateText(docs) }];
    const v = await ctx.llmJson(DocumentFilterSchema, planMessages(SYSTEM, sources, 'Rate every document to create.'), { schemaName: 'FilterDocumentsToCreate' });
    return { 'filter_documents_to_create_raw.json': prettyJson(v), 'filter_documents_to_create_clean.json': prettyJson(applyDocumentFilter(docs, v)) };
  },
};
