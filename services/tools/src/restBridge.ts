import type { Context } from 'koa';
import { z } from 'zod';
import { clientGoneSignal, readJsonBody, sendError } from '@planexe/http';
import type { ToolRegistry } from './registry.ts';
import type { ToolContext } from './deps.ts';

const CallBody = z.object({
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** GET /mcp/tools: the tool list as JSON. */
export function createToolListHandler(registry: ToolRegistry) {
  const body = { tools: registry.listed };
  return async (ctx: Context) => {
    ctx.type = 'application/json';
    ctx.body = body;
  };
}

/**
 * POST /mcp/tools/call: `{tool, arguments, metadata?}` → `{content:[{text}], error}` (spec/http.md §7.2), over the
 * same handlers as MCP. Every tool, plan_create included, answers with the contract's error payload, never a 500.
 */
export function createToolCallHandler(registry: ToolRegistry, opts: { maxBodyBytes: number; context: (ctx: Context) => ToolContext }) {
  return async (ctx: Context) => {
    const body = await readJsonBody(ctx, opts.maxBodyBytes);
    if (!body.ok) return sendError(ctx, 400, 'BAD_REQUEST', 'Request body is not valid JSON');
    const parsed = CallBody.safeParse(body.value);
    if (!parsed.success) {
      return sendError(ctx, 422, 'INVALID_ARGUMENT', 'Body must be {"tool": string, "arguments": object, "metadata"?: object}', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const { tool, metadata } = parsed.data;
    const args = { ...parsed.data.arguments };
    if (tool === 'plan_create' && metadata && typeof metadata === 'object') args.metadata = metadata;
    const gone = clientGoneSignal(ctx.res);
    let result;
    try {
      result = await registry.call(tool, args, { ...opts.context(ctx), signal: gone.signal });
    } finally {
      gone.release();
    }
    const payload = result.structuredContent;
    const err = payload && typeof payload === 'object' && 'error' in payload ? (payload as { error: unknown }).error : null;
    ctx.type = 'application/json';
    ctx.body = {
      content: result.content.map((c) => ({ text: c.text })),
      error: err == null ? null : typeof err === 'object' ? err : { message: String(err) },
    };
  };
}
