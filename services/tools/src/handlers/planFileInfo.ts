import { isoMicrosOffset, parseUuid, publicState, urls, type PlanFileInfoArgs } from '@planexe/contracts';
import { getPlan } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { planNotFound } from '../identity.ts';
import { reportMeta, zipMeta, type ArtifactMeta } from '@planexe/artifact-sources';

export async function planFileInfo(deps: ToolDeps, args: PlanFileInfoArgs, ctx: ToolContext) {
  const id = parseUuid(args.plan_id);
  const row = id ? await getPlan(deps.db, id, ctx.caller.owner) : undefined;
  if (!row) throw planNotFound(args.plan_id);
  const state = publicState(row.state);
  const worker = deps.settings.workerPlanUrl;

  if (args.artifact === 'zip') {
    const meta = await zipMeta(deps.db, row.id, worker);
    if (meta) return ready(deps, ctx, row.id, 'run.zip', 'application/zip', meta);
    if (state === 'pending' || state === 'processing') return { ready: false, reason: 'processing' as const };
    return { error: { code: 'content_unavailable' as const, message: 'zip content_bytes is None' } };
  }
  if (state === 'pending' || state === 'processing') return { ready: false, reason: 'processing' as const };
  if (state === 'stopped') return { ready: false, reason: 'stopped' as const };
  if (state === 'failed') {
    return {
      ready: false,
      reason: 'failed' as const,
      error: { code: 'generation_failed' as const, message: row.progress_message || 'Plan generation failed.' },
    };
  }
  const meta = await reportMeta(deps.db, row.id, worker);
  if (!meta) return { error: { code: 'content_unavailable' as const, message: 'content_bytes is None' } };
  return ready(deps, ctx, row.id, 'report.html', 'text/html; charset=utf-8', meta);
}

function ready(deps: ToolDeps, ctx: ToolContext, planId: string, file: 'report.html' | 'run.zip', contentType: string, meta: ArtifactMeta) {
  const out: Record<string, unknown> = { content_type: contentType, sha256: meta.sha256, download_size: meta.size };
  if (ctx.baseUrl) {
    const { token, expiresAt } = deps.tokens.sign(planId, file);
    out.download_url = urls.download(ctx.baseUrl, planId, file, token);
    out.expires_at = isoMicrosOffset(expiresAt);
  }
  return out;
}
