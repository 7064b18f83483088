import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { payloadOf } from '../harness/testServer.ts';

/** What the flow needs of a client: v1 (2025-11-25) and v2 (2026-07-28) SDK clients both have it. */
export interface ToolCaller {
  callTool(req: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  /** When given, the report is also read as the MCP resource planexe://plans/{id}/report.html. */
  readResource?(req: { uri: string }): Promise<{ contents: unknown[] }>;
}

/**
 * The whole agent flow as an MCP client runs it: plan_create → plan_status until completed → plan_file_info →
 * download of the report and the zip through the signed URLs, each checked against the size and sha256 the tool
 * announced. `rebase` points a download URL at the base the test reaches (another gateway, say).
 */
export async function runAgentFlow(client: ToolCaller, opts: { prompt: string; timeoutMs: number; rebase?: (url: string) => string }) {
  const call = async (name: string, args: Record<string, unknown> = {}) => payloadOf(await client.callTool({ name, arguments: args }));
  const created = await call('plan_create', { prompt: opts.prompt });
  expect(created.plan_id).toMatch(/^[0-9a-f-]{36}$/);
  let status: any;
  const t0 = Date.now();
  do {
    await new Promise((r) => setTimeout(r, 200));
    status = await call('plan_status', { plan_id: created.plan_id });
    if (Date.now() - t0 > opts.timeoutMs) throw new Error(`plan still ${status.state} at ${status.progress_percentage} %`);
  } while (status.state === 'pending' || status.state === 'processing');
  expect(status.state).toBe('completed');
  expect(status.progress_percentage).toBe(100);
  for (const artifact of ['report', 'zip']) {
    const info = await call('plan_file_info', { plan_id: created.plan_id, artifact });
    expect(info.download_url).toContain(`/download/${created.plan_id}/`);
    const res = await fetch(opts.rebase ? opts.rebase(info.download_url) : info.download_url);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(info.download_size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
    if (artifact === 'report' && client.readResource) {
      // the same report as an MCP resource (spec/tools.md §12.3): inline text/html, the very bytes downloaded
      const uri = `planexe://plans/${created.plan_id}/report.html`;
      const { contents } = await client.readResource({ uri });
      expect(contents).toHaveLength(1);
      expect(contents[0]).toMatchObject({ uri, mimeType: 'text/html' });
      expect(Buffer.from((contents[0] as { text: string }).text, 'utf8').equals(bytes)).toBe(true);
    }
  }
  return created.plan_id as string;
}
