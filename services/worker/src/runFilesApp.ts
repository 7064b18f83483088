import Koa from 'koa';
import Router from '@koa/router';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { runDirZip } from '@planexe/artifact-sources/runDir';
import { INTERNAL_SECRET_HEADER, internalSecretMatches } from '@planexe/auth';
import { parseUuid, zTimestamp } from '@planexe/contracts';
import { probes, sendError } from '@planexe/http';

/**
 * The worker's run-file API (spec/http.md §11, the three GETs the artifact fallback chain uses) over the run
 * directory cache: files of a run, its report, a zip of it. Run ids must be UUIDs and never leave the run base.
 */
export function createRunFilesApp(runBase: string, opts: { internalSecret?: string; ready?: () => boolean } = {}): Koa {
  const base = resolve(runBase);
  const app = new Koa();
  const router = new Router();
  const notFound = (ctx: Koa.Context, detail: string) => sendError(ctx, 404, 'NOT_FOUND', detail);
  const runDir = (id: string): string | null => {
    const uuid = parseUuid(id);
    if (!uuid || uuid !== id.toLowerCase()) return null;
    const dir = resolve(base, uuid);
    return dir.startsWith(base + sep) ? dir : null;
  };
  // the probes are open (the orchestrator calls them without the secret), like every other service's
  app.use(probes({ service: 'planexe-worker', ready: opts.ready, healthcheck: (ctx) => void (ctx.body = { status: 'ok', run_base_path: base }) }));
  app.use(async (ctx, next) => {
    if (opts.internalSecret && !internalSecretMatches(ctx.headers[INTERNAL_SECRET_HEADER], opts.internalSecret)) {
      return sendError(ctx, 403, 'FORBIDDEN', 'internal endpoint');
    }
    await next();
  });
  router.get('/runs/:id/files', async (ctx) => {
    const dir = runDir(ctx.params.id);
    if (!dir) return notFound(ctx, 'Run not found');
    const names = await readdir(dir, { withFileTypes: true }).catch(() => null);
    if (!names) return notFound(ctx, 'Run not found');
    const files = names.filter((d) => d.isFile()).map((d) => d.name).sort();
    const stamps = await Promise.all(files.map(async (n) => ({ name: n, updated_at: zTimestamp((await stat(join(dir, n))).mtime) })));
    ctx.body = { run_id: ctx.params.id, run_dir: dir, files, files_with_timestamps: stamps };
  });
  router.get('/runs/:id/report', async (ctx) => {
    const dir = runDir(ctx.params.id);
    const p = dir && join(dir, 'report.html');
    const st = p ? await stat(p).catch(() => null) : null;
    if (!p || !st?.isFile()) return notFound(ctx, 'Report not found');
    ctx.type = 'text/html; charset=utf-8';
    ctx.length = st.size;
    ctx.set('Content-Disposition', 'attachment; filename="report.html"');
    ctx.body = createReadStream(p);
  });
  router.get('/runs/:id/zip', async (ctx) => {
    const zip = runDir(ctx.params.id) && (await runDirZip(base, ctx.params.id.toLowerCase()));
    if (!zip) return notFound(ctx, 'Run not found');
    ctx.type = 'application/zip';
    ctx.set('Content-Disposition', `attachment; filename="${ctx.params.id}.zip"`);
    ctx.body = zip.stream;
  });
  app.use(router.routes());
  return app;
}
