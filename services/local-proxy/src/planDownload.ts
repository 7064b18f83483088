import { urls } from '@planexe/contracts';
import { CloudClient, httpError, RemoteError } from './cloudClient.ts';
import { candidateNames, DownloadError, downloadDirectory, saveStream } from './saveFile.ts';

export interface DownloadContext {
  client: CloudClient;
  /** PLANEXE_PATH as given (resolved on each call, as upstream does). */
  planexePath?: string;
  /** Called as bytes arrive: (received, total when known). */
  onProgress?: (received: number, total: number | undefined) => void;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export interface DownloadResult {
  payload: Record<string, unknown>;
  isError: boolean;
}

const fail = (code: string, message: string): DownloadResult => ({ payload: { error: { code, message } }, isError: true });

/** Yields the body while reporting progress; aborts after `idleMs` without a byte. */
async function* bodyChunks(res: Response, idleMs: number, onChunk: (n: number) => void): AsyncIterable<Uint8Array> {
  const reader = res.body!.getReader();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DownloadError(`no data for ${idleMs / 1000} s`)), idleMs)));
      const r = await Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
      if (r.done) return;
      onChunk(r.value.length);
      yield r.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * plan_download (spec/tools.md §9.4): plan_file_info on the server, then the file to PLANEXE_PATH under a name that
 * never replaces an existing file, checked against the sha256 and size the server announced. A not-ready answer
 * is returned as it is (nothing downloaded).
 */
export async function planDownload(args: Record<string, unknown>, ctx: DownloadContext, idleMs = 60_000): Promise<DownloadResult> {
  const planId = typeof args.plan_id === 'string' ? args.plan_id.trim() : '';
  if (!planId) return fail('INVALID_ARGUMENT', 'plan_id is required.');
  const rawArtifact = args.artifact ?? 'report';
  const artifact = typeof rawArtifact === 'string' ? rawArtifact.trim().toLowerCase() : '';
  if (artifact !== 'report' && artifact !== 'zip') return fail('INVALID_ARGUMENT', `Invalid artifact type: '${String(rawArtifact)}'. Must be 'report' or 'zip'.`);

  let info;
  try {
    info = await ctx.client.callTool('plan_file_info', { plan_id: planId, artifact });
  } catch (e) {
    return fail('REMOTE_ERROR', e instanceof Error ? e.message : String(e));
  }
  if (info.isError) return info;
  const meta = info.payload;
  if (Object.keys(meta).length === 0 || meta.ready === false || meta.error) return { payload: meta, isError: false };

  const file = artifact === 'zip' ? 'run.zip' : 'report.html';
  const base = ctx.client.urls.download;
  let url: URL;
  try {
    url = typeof meta.download_url === 'string' && meta.download_url ? new URL(meta.download_url, `${base}/`) : new URL(urls.download(base, planId, file));
  } catch {
    return fail('DOWNLOAD_FAILED', `Invalid download_url: ${String(meta.download_url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('DOWNLOAD_FAILED', `Refusing a ${url.protocol} download_url`);

  try {
    const dir = await downloadDirectory(ctx.planexePath);
    const res = await ctx.client.fetch(url.toString(), { method: 'GET', headers: { Accept: '*/*' }, idle: true });
    if (res.status !== 200) {
      const body = await res.json().catch(() => null);
      throw new DownloadError(httpError(res.status, body));
    }
    const expectedSize = typeof meta.download_size === 'number' ? meta.download_size : undefined;
    const total = Number(res.headers.get('content-length')) || expectedSize;
    let received = 0;
    ctx.onProgress?.(0, total);
    const saved = await saveStream(
      dir,
      candidateNames(planId, url.pathname.split('/').pop() || file),
      bodyChunks(res, idleMs, (n) => ctx.onProgress?.((received += n), total)),
      (got) => {
        if (typeof meta.sha256 === 'string' && meta.sha256 !== got.sha256) {
          throw new DownloadError(`sha256 mismatch: plan_file_info announced ${meta.sha256}, the download has ${got.sha256} (the artifact may have changed; call plan_download again)`);
        }
        if (expectedSize !== undefined && expectedSize !== got.size) throw new DownloadError(`size mismatch: expected ${expectedSize} bytes, got ${got.size}`);
      },
    );
    ctx.log('info', 'plan_download saved', { plan_id: planId, artifact, bytes: saved.size, path: saved.path });
    return { payload: { ...meta, download_url: url.toString(), saved_path: saved.path }, isError: false };
  } catch (e) {
    const message = e instanceof RemoteError || e instanceof DownloadError || e instanceof Error ? e.message : String(e);
    ctx.log('warn', 'plan_download failed', { plan_id: planId, artifact, err: message });
    return fail('DOWNLOAD_FAILED', message);
  }
}
