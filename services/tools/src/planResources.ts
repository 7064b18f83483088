import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, type Resource } from '@modelcontextprotocol/server';
import {
  PLAN_RESOURCE_TEMPLATES,
  parseUuid,
  planResourceUri,
  publicState,
  zTimestamp,
  type PlanResourceFile,
} from '@planexe/contracts';
import { getPlan, listFilesOfPlans, listPlanPage, type PlanPageRow } from '@planexe/db';
import { leftOutOfUserZip, listZipSnapshot, resolveRunFile, sharedSources, type ArtifactHandle } from '@planexe/artifact-sources';
import type { ToolContext, ToolDeps } from './deps.ts';
import { fileContent, mimeTypeOf, type ContentTarget } from './resourceContents.ts';

/** Plans per resources/list page (each plan contributes its report, zip and intermediate files). */
export const PLANS_PER_RESOURCE_PAGE = 10;

export const planResourceTemplates = PLAN_RESOURCE_TEMPLATES.map((t) => ({ ...t }));

/** The opaque cursor: the last plan of the page before, base64url so clients treat it as a token. */
const encodeCursor = (planId: string) => Buffer.from(JSON.stringify({ v: 1, after: planId })).toString('base64url');

function decodeCursor(cursor: string): string {
  let after: unknown;
  try {
    after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))?.after;
  } catch {
    after = undefined;
  }
  const id = parseUuid(after);
  if (!id || id !== after) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: pass a nextCursor from resources/list unchanged');
  return id;
}

/**
 * A plan's files as MCP resources, scoped to the caller exactly as the tools are: a plan is read with the caller's
 * owner (getPlan), so another user's plan, a plan that does not exist and a malformed id are the same "not found".
 */
export class PlanResources {
  constructor(private readonly deps: ToolDeps) {}

  /** One page of the caller's recent plans' resources, newest plan first. */
  async list(ctx: ToolContext, cursor: string | undefined): Promise<{ resources: Resource[]; nextCursor?: string }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    // plan_list's rule: with PLANEXE_MCP_REQUIRE_USER_KEY a caller without a user key lists nothing
    if (this.deps.settings.requireUserKey && ctx.caller.kind !== 'user') {
      if (after) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: pass a nextCursor from resources/list unchanged');
      return { resources: [] };
    }
    const rows = await listPlanPage(this.deps.db, ctx.caller.owner, PLANS_PER_RESOURCE_PAGE + 1, after);
    if (!rows) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: pass a nextCursor from resources/list unchanged');
    const page = rows.slice(0, PLANS_PER_RESOURCE_PAGE);
    const files = await listFilesOfPlans(this.deps.db, page.map((r) => r.id));
    const resources: Resource[] = [];
    for (const row of page) resources.push(...(await this.resourcesOf(row, files.get(row.id) ?? [])));
    return { resources, ...(rows.length > PLANS_PER_RESOURCE_PAGE ? { nextCursor: encodeCursor(page[page.length - 1].id) } : {}) };
  }

  private async resourcesOf(row: PlanPageRow, persisted: { path: string; updated_at: Date | null; byte_size?: number }[]): Promise<Resource[]> {
    const state = publicState(row.state as never);
    const excerpt = row.prompt_excerpt.replace(/\s+/g, ' ').trim().slice(0, 60);
    const about = `Plan ${row.id} (${state}): ${excerpt}`;
    const out: Resource[] = [];
    // the report is listed when resources/read serves it: once the plan has completed (plan_file_info's rule)
    if (state === 'completed') {
      out.push({ uri: planResourceUri(row.id, { kind: 'report' }), name: 'report.html', title: `Report: ${excerpt}`, description: about, mimeType: 'text/html' });
    }
    if (row.has_zip) {
      out.push({ uri: planResourceUri(row.id, { kind: 'zip' }), name: 'run.zip', title: `Run files: ${excerpt}`, description: about, mimeType: 'application/zip' });
    }
    // legacy rows keep their files only in the zip snapshot (its central directory is read, not the archive)
    const files = persisted.length || !row.has_zip ? persisted : await listZipSnapshot(this.deps.db, row.id);
    for (const f of files) {
      if (leftOutOfUserZip(f.path)) continue;
      const when = f.updated_at instanceof Date ? zTimestamp(f.updated_at) : f.updated_at;
      out.push({
        uri: planResourceUri(row.id, { kind: 'file', name: f.path }),
        name: f.path,
        title: `${f.path}: ${excerpt}`,
        description: about,
        mimeType: mimeTypeOf(f.path),
        ...('byte_size' in f && typeof f.byte_size === 'number' ? { size: f.byte_size } : {}),
        ...(when ? { annotations: { lastModified: when } } : {}),
      });
    }
    return out;
  }

  /** resources/read of a `planexe://plans/…` URI. */
  async read(ctx: ToolContext, uri: string, planId: string | null, file: PlanResourceFile | null): Promise<{ contents: Record<string, unknown>[] }> {
    const row = planId && file ? await getPlan(this.deps.db, planId, ctx.caller.owner) : undefined;
    if (!row || !file) throw new ResourceNotFoundError(uri);
    const worker = this.deps.settings.workerPlanUrl;
    const state = publicState(row.state);
    let handle: ArtifactHandle | null;
    let target: ContentTarget;
    if (file.kind === 'report') {
      // plan_file_info's rule: the report is the completed plan's (a failed run's partial report is not served)
      if (state !== 'completed') throw new ResourceNotFoundError(uri, `Resource not found: ${uri} (a plan's report exists once it has completed; this plan is ${state})`);
      handle = await sharedSources(this.deps.db, worker).resolve(row.id, 'report.html');
      target = { uri, mimeType: 'text/html', planId: row.id, download: 'report.html' };
    } else if (file.kind === 'zip') {
      handle = await sharedSources(this.deps.db, worker).resolve(row.id, 'run.zip');
      target = { uri, mimeType: 'application/zip', planId: row.id, download: 'run.zip' };
    } else {
      handle = await resolveRunFile(this.deps.db, row.id, file.name, worker);
      target = { uri, mimeType: mimeTypeOf(file.name), planId: row.id, download: 'run.zip', inside: file.name };
    }
    if (!handle) throw new ResourceNotFoundError(uri);
    try {
      return { contents: [await fileContent(this.deps, ctx, handle, target)] };
    } finally {
      await handle.dispose();
    }
  }
}
