import { parseUuid } from './uuid.ts';

/**
 * A plan's files as MCP resources (spec/tools.md §12.3): the URI scheme is API. `{name}` is a run file's spec name
 * (e.g. `018-2-wbs_level1.json`), percent-encoded as one path segment.
 */
export const PLAN_RESOURCE_SCHEME = 'planexe://plans/';

export type PlanResourceFile = { kind: 'report' } | { kind: 'zip' } | { kind: 'file'; name: string };

export interface PlanResourceTemplateSpec {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType?: string;
}

export const PLAN_RESOURCE_TEMPLATES: readonly PlanResourceTemplateSpec[] = [
  {
    uriTemplate: `${PLAN_RESOURCE_SCHEME}{plan_id}/report.html`,
    name: 'plan_report',
    title: 'Plan report',
    description: "A completed plan's HTML report (the same file as plan_file_info's report download).",
    mimeType: 'text/html',
  },
  {
    uriTemplate: `${PLAN_RESOURCE_SCHEME}{plan_id}/run.zip`,
    name: 'plan_run_zip',
    title: 'Plan run files (zip)',
    description: "Every file of a plan's run in one zip; beyond the inline size cap the content is a signed download URL.",
    mimeType: 'application/zip',
  },
  {
    uriTemplate: `${PLAN_RESOURCE_SCHEME}{plan_id}/files/{name}`,
    name: 'plan_file',
    title: 'Plan intermediate file',
    description: 'One intermediate file of a plan by its name (as plan_status lists it), readable as soon as its step has persisted it.',
  },
];

/** The URI of one of a plan's resources. */
export function planResourceUri(planId: string, file: PlanResourceFile): string {
  const base = `${PLAN_RESOURCE_SCHEME}${planId}/`;
  if (file.kind === 'report') return `${base}report.html`;
  if (file.kind === 'zip') return `${base}run.zip`;
  return `${base}files/${encodeURIComponent(file.name)}`;
}

/**
 * The plan and file a `planexe://plans/…` URI names; undefined when it is not one (a URI that is one but names no
 * valid plan id or file name yields `planId: null`, which every reader answers as not found).
 */
export function parsePlanResourceUri(uri: string): { planId: string | null; file: PlanResourceFile | null } | undefined {
  if (!uri.startsWith(PLAN_RESOURCE_SCHEME)) return undefined;
  const rest = uri.slice(PLAN_RESOURCE_SCHEME.length);
  const slash = rest.indexOf('/');
  const planId = slash > 0 ? parseUuid(rest.slice(0, slash)) : null;
  const tail = slash > 0 ? rest.slice(slash + 1) : '';
  let file: PlanResourceFile | null = null;
  if (tail === 'report.html') file = { kind: 'report' };
  else if (tail === 'run.zip') file = { kind: 'zip' };
  else if (tail.startsWith('files/')) {
    const name = decodeSegment(tail.slice(6));
    if (name) file = { kind: 'file', name };
  }
  return { planId: file ? planId : null, file };
}

/** A file name from one percent-encoded segment; null for anything that could step out of the plan's files. */
function decodeSegment(seg: string): string | null {
  if (!seg || seg.includes('/')) return null;
  let name: string;
  try {
    name = decodeURIComponent(seg);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (name === '.' || name === '..' || /[\u0000-\u001f\\]/.test(name) || name.length > 255) return null;
  return name;
}
