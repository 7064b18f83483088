import { ToolError, urls } from '@planexe/contracts';
import { resolveUserKey, type Caller } from '@planexe/auth';
import type { ToolContext, ToolDeps } from './deps.ts';

const SIGNUP = 'https://home.planexe.org/';

/**
 * The caller a tool acts for. Over HTTP the edge already authenticated the request; on the REST bridge and stdio a
 * `user_api_key` argument, when given, names the user (it is a credential like the header).
 */
export async function effectiveCaller(deps: ToolDeps, ctx: ToolContext, argKey: unknown, strict: boolean): Promise<Caller> {
  if (ctx.surface !== 'http' && typeof argKey === 'string' && argKey.trim()) {
    const c = await resolveUserKey(deps.db, argKey, deps.settings.apiKeySecret, deps.keyCache);
    if (c) return c;
    if (strict) throw new ToolError('INVALID_USER_API_KEY', `Invalid user_api_key. Verify the key or create an account at ${SIGNUP}`);
  }
  return ctx.caller;
}

/** PLANEXE_MCP_REQUIRE_USER_KEY for plan_create, plan_list and send_feedback. */
export function requireUserKey(deps: ToolDeps, caller: Caller, tool: string): void {
  if (deps.settings.requireUserKey && caller.kind !== 'user') {
    throw new ToolError('USER_API_KEY_REQUIRED', `${tool} needs a user API key (pex_…). Create one at ${SIGNUP}`);
  }
}

export function planNotFound(planId: string): ToolError {
  return new ToolError('PLAN_NOT_FOUND', `Plan not found: ${planId}`);
}

export function sseUrl(ctx: ToolContext, planId: string): { sse_url?: string } {
  return ctx.baseUrl ? { sse_url: urls.sse(ctx.baseUrl, planId) } : {};
}
