/**
 * The documents of steps 50–55: documents to find (existing data, regulations, reports) and documents to create
 * (charters, budgets, applications). Both lists are ranked and filtered the same way before drafting.
 */
import { z } from 'zod';
import { matchByKey } from './answerMatching.ts';

export interface DocumentToFind {
  document_id: string;
  document_name: string;
  purpose: string;
  recency_requirement: string;
  likely_sources: string[];
  access_difficulty: 'easy' | 'medium' | 'hard';
  responsible_role: string;
}

export interface DocumentToCreate {
  document_id: string;
  document_name: string;
  purpose: string;
  decisions_enabled: string;
  responsible_role: string;
  approval_authority: string;
}

export type Importance = 'critical' | 'high' | 'medium' | 'low';

/** A document that survived filtering, with the reason it was kept. */
export type Kept<D> = D & { importance: Importance; filter_rationale: string };

/** A filtered document and, when it was drafted, its draft. */
export type Drafted<D, T> = Kept<D> & { draft: T };

export const DocumentFilterSchema = z.object({
  ranking: z
    .array(
      z.object({
        document_id: z.string().describe('The id exactly as listed'),
        importance: z.enum(['critical', 'high', 'medium', 'low']),
        rationale: z.string().describe('Which decision or deliverable depends on it'),
      }),
    )
    .min(1),
});

/** Fewer kept documents than this are topped up with the best of the rest; more than MAX are cut. */
export const MIN_KEPT = 3;
export const MAX_KEPT = 10;
const RANK: Record<Importance, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Keeps the critical and high documents (at least MIN_KEPT, at most MAX_KEPT), most important first. */
export function applyDocumentFilter<D extends { document_id: string }>(docs: D[], answer: z.output<typeof DocumentFilterSchema>): Array<Kept<D>> {
  const ranks = matchByKey(docs.map((d) => d.document_id), answer.ranking, (r) => r.document_id);
  const rated = docs.map((d, i) => ({ ...d, importance: ranks[i]?.importance ?? 'medium', filter_rationale: ranks[i]?.rationale ?? '' }));
  const ordered = rated.map((d, i) => ({ d, i })).sort((a, b) => RANK[a.d.importance] - RANK[b.d.importance] || a.i - b.i).map((x) => x.d);
  const top = ordered.filter((d) => RANK[d.importance] <= RANK.high);
  return (top.length >= MIN_KEPT ? top : ordered.slice(0, MIN_KEPT)).slice(0, MAX_KEPT);
}

export function documentsToFindText(docs: ReadonlyArray<DocumentToFind>): string {
  return docs.map((d) => `${d.document_id}. ${d.document_name} — ${d.purpose} (sources: ${d.likely_sources.join(', ')}; recency: ${d.recency_requirement})`).join('\n');
}

export function documentsToCreateText(docs: ReadonlyArray<DocumentToCreate>): string {
  return docs.map((d) => `${d.document_id}. ${d.document_name} — ${d.purpose} (enables: ${d.decisions_enabled}; approved by: ${d.approval_authority})`).join('\n');
}
