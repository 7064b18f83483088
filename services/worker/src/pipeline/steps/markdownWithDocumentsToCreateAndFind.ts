/** Step 55: the kept documents, with their drafts, as the "Documents to Create and Find" document. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { humanLabel, mdBullets, mdJoin, mdSafe, mdSection, mdTable } from '../markdownText.ts';
import type { Drafted, DocumentToCreate, DocumentToFind, Kept } from '../documentModel.ts';
import type { DraftToFind } from './draftDocumentsToFind.ts';
import type { DraftToCreate } from './draftDocumentsToCreate.ts';

const NOT_DRAFTED = '_Not drafted in this run (fast mode drafts only the first documents)._';

function createSection(doc: Kept<DocumentToCreate>, draft: DraftToCreate | undefined): string {
  const facts = mdTable(['Aspect', 'Detail'], [
    ['Purpose', doc.purpose],
    ['Unlocks', doc.decisions_enabled],
    ['Responsible', doc.responsible_role],
    ['Approved by', doc.approval_authority],
    ['Importance', `${humanLabel(doc.importance)}: ${doc.filter_rationale}`],
    ...(draft ? [['Audience', draft.audience], ['Approval check', draft.approval], ['Risk if weak', draft.risk_if_poor]] : []),
  ]);
  const body = draft
    ? [mdSection('Sections', mdBullets(draft.key_sections), 4), mdSection('Must contain', mdBullets(draft.essential_information), 4), mdSection('Inputs needed', mdBullets(draft.inputs_needed), 4)]
    : [NOT_DRAFTED];
  return mdSection(doc.document_name, mdJoin([facts, ...body]), 3);
}

function findSection(doc: Kept<DocumentToFind>, draft: DraftToFind | undefined): string {
  const facts = mdTable(['Aspect', 'Detail'], [
    ['Purpose', doc.purpose],
    ['Recency', doc.recency_requirement],
    ['Access', humanLabel(doc.access_difficulty)],
    ['Responsible', doc.responsible_role],
    ['Importance', `${humanLabel(doc.importance)}: ${doc.filter_rationale}`],
    ...(draft ? [['Risk if poor', draft.risk_if_poor], ['Fallback', draft.fallback_if_unavailable]] : [['Likely sources', doc.likely_sources]]),
  ]);
  const body = draft
    ? [mdSection('Must answer', mdBullets(draft.essential_information), 4), mdSection('Where to look', mdBullets(draft.where_to_look), 4), mdSection('Quality checks', mdBullets(draft.quality_checks), 4)]
    : [NOT_DRAFTED];
  return mdSection(doc.document_name, mdJoin([facts, ...body]), 3);
}

export function documentsMarkdown(
  create: Array<Kept<DocumentToCreate>>,
  createDrafts: Array<Drafted<DocumentToCreate, DraftToCreate>>,
  find: Array<Kept<DocumentToFind>>,
  findDrafts: Array<Drafted<DocumentToFind, DraftToFind>>,
): string {
  const draftOf = <T extends { document_id: string; draft: unknown }>(list: T[], id: string) => list.find((d) => d.document_id === id)?.draft as T['draft'] | undefined;
  return mdJoin([
    mdSection('Documents to create', mdJoin(create.map((d) => createSection(d, draftOf(createDrafts, d.document_id))))),
    mdSection('Documents to find', mdJoin(find.map((d) => findSection(d, draftOf(findDrafts, d.document_id))))),
  ]);
}

export const markdownWithDocumentsToCreateAndFindStep: StepDef = {
  name: 'MarkdownWithDocumentsToCreateAndFind',
  deps: ['FilterDocumentsToCreate', 'FilterDocumentsToFind', 'DraftDocumentsToCreate', 'DraftDocumentsToFind'],
  llm: false,
  outputs: ['documents_to_create_and_find.md'],
  async run(ctx) {
    const md = documentsMarkdown(
      mdSafe(ctx.readJson('filter_documents_to_create_clean.json')),
      mdSafe(ctx.readJson('draft_documents_to_create.json')),
      mdSafe(ctx.readJson('filter_documents_to_find_clean.json')),
      mdSafe(ctx.readJson('draft_documents_to_find.json')),
    );
    return { 'documents_to_create_and_find.md': md };
  },
};
