import { isoMicrosOffset, urls } from '@planexe/contracts';
import type { ArtifactHandle } from '@planexe/artifact-sources';
import type { ToolContext, ToolDeps } from './deps.ts';

/**
 * MIME types of the files a plan's run writes. A short table rather than a MIME library: the pipeline writes only
 * these kinds, and what matters here is also whether a type is text (served as `text`) or not (base64 `blob`),
 * which no such library says.
 */
const BY_EXTENSION: Record<string, string> = {
  md: 'text/markdown',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  jsonl: 'application/jsonl',
  zip: 'application/zip',
  png: 'image/png',
  svg: 'image/svg+xml',
};

export function mimeTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && BY_EXTENSION[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

const isTextType = (mime: string) => mime.startsWith('text/') || mime === 'application/json' || mime === 'application/jsonl' || mime === 'image/svg+xml';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The key of our download details in a resource content's `_meta`. */
export const DOWNLOAD_META_KEY = 'org.planexe/download';

export interface ContentTarget {
  uri: string;
  mimeType: string;
  planId: string;
  /** What the download URL beyond the cap points at: the file itself, or (intermediate files) the run's zip. */
  download: 'report.html' | 'run.zip';
  /** Whether the download holds the file inside it (an intermediate file in run.zip). */
  inside?: string;
}

/**
 * One resources/read content for a found file. Within the cap the bytes are read (streamed, never more than the
 * handle's size) and returned as `text` when they are UTF-8 of a text type, else as a base64 `blob`. Beyond the cap
 * nothing is read: the content is a `text/uri-list` holding the signed download URL (the same URL plan_file_info
 * gives), with size, digest and expiry in `_meta["org.planexe/download"]`. Resource contents cannot be resource
 * links, and a URI list is the registered type for "here is where the bytes are".
 */
export async function fileContent(deps: ToolDeps, ctx: ToolContext, h: ArtifactHandle, t: ContentTarget): Promise<Record<string, unknown>> {
  const cap = deps.settings.resourceMaxInlineBytes;
  if (h.size <= cap) {
    const bytes = await readAll(h, cap);
    if (isTextType(t.mimeType)) {
      try {
        return { uri: t.uri, mimeType: t.mimeType, text: utf8.decode(bytes) };
      } catch {
        // not UTF-8 after all: the bytes go as they are
      }
    }
    return { uri: t.uri, mimeType: t.mimeType, blob: bytes.toString('base64') };
  }
  const over = `${h.size} bytes, over the ${cap}-byte inline cap of resources/read`;
  const where = t.inside ? `; the file is ${t.inside} inside the run's zip` : '';
  if (!ctx.baseUrl) {
    return { uri: t.uri, mimeType: 'text/plain', text: `${over}${where}. No public base URL is configured, so no download URL can be offered.` };
  }
  const { token, expiresAt } = deps.tokens.sign(t.planId, t.download);
  const url = urls.download(ctx.baseUrl, t.planId, t.download, token);
  const meta = { download_url: url, expires_at: isoMicrosOffset(expiresAt), size: h.size, sha256: h.sha256, content_type: t.mimeType, ...(t.inside ? { zip_entry: t.inside } : {}), note: `${over}${where}` };
  return { uri: t.uri, mimeType: 'text/uri-list', text: `${url}\r\n`, _meta: { [DOWNLOAD_META_KEY]: meta } };
}

async function readAll(h: ArtifactHandle, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of h.open(0, h.size)) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    n += b.length;
    if (n > cap) throw new Error('artifact grew beyond its announced size');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
