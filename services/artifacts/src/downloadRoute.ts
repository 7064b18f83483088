import type { Context, Next } from 'koa';
import { MISSING_KEY, TOKEN_REFUSAL_MESSAGES, type Caller, type DownloadTokens } from '@planexe/auth';
import type { ArtifactSources } from '@planexe/artifact-sources';
import { parseUuid, REPORT_CSP } from '@planexe/contracts';
import { resolvePlanId, type Db } from '@planexe/db';
import { errorBody, matchedRoute, sendError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';
import { sendArtifact } from './sendArtifact.ts';

export const INVALID_TOKEN_DETAIL = 'Invalid or expired download token';

export interface DownloadRouteDeps {
  db: Db;
  tokens: DownloadTokens;
  sources: ArtifactSources;
  log: Logger;
  callerOf: (ctx: Context) => Caller | undefined;
}

const FILES = {
  'report.html': {
    contentType: 'text/html; charset=utf-8',
    disposition: () => 'inline; filename="report.html"',
    headers: { 'Content-Security-Policy': REPORT_CSP },
  },
  'run.zip': {
    contentType: 'application/zip',
    disposition: (planId: string) => `attachment; filename="${planId.replace(/[^A-Za-z0-9._-]/g, '_')}.zip"`,
    headers: {},
  },
} as const;

/**
 * GET|HEAD /download/{plan_id}/{filename}[?token=…] (spec/http.md §9). Checks in the spec's order: file name, then
 * the token (present at all → must be valid for this plan id and file, whatever key came with it), then the plan —
 * with a valid token any plan, otherwise only the caller's own (anyone else's reads as "Plan not found"), then the
 * first source that has the artifact.
 */
export function createDownloadRoute(d: DownloadRouteDeps) {
  return async (ctx: Context, next: Next) => {
    // matched once against the route table (which already refused dot segments, encoded separators, control
    // characters and methods other than GET and HEAD)
    const m = matchedRoute(ctx);
    if (m?.route.id !== 'download') return next();
    const p = { planId: m.params.plan_id, file: m.params.filename };
    if (p.file !== 'report.html' && p.file !== 'run.zip') return sendError(ctx, 404, 'NOT_FOUND', 'Report not found');
    const spec = FILES[p.file];
    let owner: string | undefined;
    let tokenLog: { kid?: string; expiry?: number } = {};
    if (Object.prototype.hasOwnProperty.call(ctx.query, 'token')) {
      const raw = ctx.query.token;
      const check = d.tokens.check(typeof raw === 'string' ? raw : undefined, p.planId, p.file);
      tokenLog = { kid: check.kid, expiry: check.expiry };
      if (!check.ok) {
        d.log.warn({ plan_id: p.planId, file: p.file, reason: check.reason, ...tokenLog }, 'download token refused');
        ctx.status = 401;
        ctx.body = errorBody('INVALID_DOWNLOAD_TOKEN', TOKEN_REFUSAL_MESSAGES[check.reason], { detail: INVALID_TOKEN_DETAIL });
        return;
      }
    } else {
      const caller = d.callerOf(ctx);
      if (!caller) return sendError(ctx, 401, 'UNAUTHORIZED', MISSING_KEY);
      owner = caller.owner;
    }
    const planId = await resolvePlanId(d.db, p.planId, parseUuid(p.planId), owner);
    if (!planId) return sendError(ctx, 404, 'NOT_FOUND', 'Plan not found');
    const handle = await d.sources.resolve(planId, p.file);
    if (!handle) return sendError(ctx, 404, 'NOT_FOUND', 'Report not found');
    const out = sendArtifact(ctx, handle, {
      contentType: spec.contentType,
      disposition: spec.disposition(p.planId),
      headers: spec.headers,
      log: d.log,
    });
    d.log.info({ plan_id: planId, file: p.file, source: handle.source, status: out.status, bytes: out.bytes, ...tokenLog }, 'download');
  };
}
