import { z } from 'zod';
import {
  buildToolCatalog,
  inputJsonSchema,
  isToolError,
  toolOutputJsonSchema,
  TOOL_NAMES,
  ToolError,
  type ToolDefinition,
  type ToolName,
} from '@planexe/contracts';
import { isDependencyDown, RETRY_AFTER_SECONDS } from '@planexe/infra';
import type { ToolContext, ToolDeps } from './deps.ts';
import { effectiveCaller, planNotFound } from './identity.ts';
import { examplePlans } from './handlers/examplePlans.ts';
import { examplePrompts } from './handlers/examplePrompts.ts';
import { modelProfiles } from './handlers/modelProfiles.ts';
import { createPlan } from './handlers/createPlan.ts';
import { planStatus } from './handlers/planStatus.ts';
import { stopPlan } from './handlers/stopPlan.ts';
import { resumePlan, retryPlan } from './handlers/retryPlan.ts';
import { planFileInfo } from './handlers/planFileInfo.ts';
import { listPlans } from './handlers/listPlans.ts';
import { sendFeedback } from './handlers/sendFeedback.ts';
import type { SurfaceExtension } from './surface.ts';
import { planAppSurface } from './planAppSurface.ts';

type Handler = (deps: ToolDeps, args: any, ctx: ToolContext, raw: Record<string, unknown>) => Promise<Record<string, unknown>>;

const HANDLERS: Record<ToolName, Handler> = {
  example_plans: examplePlans,
  example_prompts: examplePrompts,
  model_profiles: modelProfiles,
  plan_create: createPlan,
  plan_status: planStatus,
  plan_stop: stopPlan,
  plan_retry: retryPlan,
  plan_resume: resumePlan,
  plan_file_info: planFileInfo,
  plan_list: listPlans,
  send_feedback: sendFeedback,
};

/** An MCP CallToolResult: one text item holding the JSON payload, the same payload as structuredContent. */
export interface ToolResult {
  [k: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent: Record<string, unknown>;
  isError: boolean;
}

export const toolResult = (payload: Record<string, unknown>, isError: boolean): ToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(payload) }],
  structuredContent: payload,
  isError,
});

/** Integer fields accept numeric strings ("5" → 5), as upstream's lenient validation does. */
const INTEGER_FIELDS = ['limit', 'rating', 'wait_seconds'];
function coerce(args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  for (const f of INTEGER_FIELDS) if (typeof out[f] === 'string' && /^\s*-?\d+\s*$/.test(out[f] as string)) out[f] = Number(out[f]);
  return out;
}

/** NUL (which Postgres text cannot hold) and lone UTF-16 surrogates (text that was never valid Unicode). */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first argument path whose string value (at any depth) cannot be stored as text, or undefined. */
function unstorableField(v: unknown, path: string, depth = 0): string | undefined {
  if (typeof v === 'string') return UNSTORABLE.test(v) ? path : undefined;
  if (!v || typeof v !== 'object' || depth > 8) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (UNSTORABLE.test(k)) return `${path}.${k.replace(UNSTORABLE, '?')}`;
    const bad = unstorableField(x, `${path}.${k}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * The contract error of a field holding a NUL byte or invalid Unicode: a plan id that cannot exist is simply not
 * found; any other field is an invalid argument. Decided before anything reaches the database (which would fail).
 */
function unstorableArgument(def: ToolDefinition, raw: Record<string, unknown>): ToolError | undefined {
  const path = unstorableField(raw, '');
  if (!path) return undefined;
  const field = path.slice(1);
  if (field === 'plan_id' && def.name !== 'send_feedback') return planNotFound(String(raw.plan_id));
  return new ToolError(def.validationErrorCode, `Error executing tool ${def.name}: ${field}: contains a NUL character or invalid Unicode`);
}

/** The value at an issue's path in what was validated (zod 4 leaves `input` out of its issues unless asked). */
function valueAt(args: unknown, path: PropertyKey[]): unknown {
  let v = args;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function describeIssues(err: z.ZodError, args: unknown): string {
  return err.issues
    .map((i) => {
      const path = i.path.join('.') || '(arguments)';
      // only an absent field is "missing"; a present one of the wrong type gets zod's "expected …, received …"
      if (i.code === 'invalid_type' && valueAt(args, i.path) === undefined) return `${path}: required field is missing`;
      return `${path}: ${i.message}`;
    })
    .join('; ');
}

export interface ListedTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolDefinition['annotations'];
  _meta?: Record<string, unknown>;
}

/** The tool surface over given dependencies: listing and dispatch shared by MCP, REST and stdio. */
export class ToolRegistry {
  readonly definitions: ToolDefinition[];
  readonly listed: ListedTool[];
  /** MCP-only additions (the conformance fixtures); REST and the contract's lists never include them. */
  readonly extensions: SurfaceExtension[] = [];
  private readonly byName: Map<string, ToolDefinition>;

  constructor(
    readonly deps: ToolDeps,
    opts: { downloadTokenTtlSeconds: number },
  ) {
    this.definitions = buildToolCatalog(opts);
    this.byName = new Map(this.definitions.map((d) => [d.name, d]));
    // derived once: tools/list is served from this precomputed array
    this.listed = this.definitions.map((d) => ({
      name: d.name,
      description: d.description,
      inputSchema: inputJsonSchema(d.input),
      outputSchema: toolOutputJsonSchema(d.output),
      annotations: d.annotations,
      ...(d.meta ? { _meta: d.meta } : {}),
    }));
    // the plan view (an MCP App) is part of every MCP surface: the tools' _meta names it
    this.extensions.push(planAppSurface(deps));
  }

  /** Adds an extension's tools, prompts and resources to the MCP surface. Call before building a server factory. */
  extend(extension: SurfaceExtension): void {
    const taken = new Set([...this.definitions.map((d) => d.name), ...this.extensions.flatMap((e) => e.tools ?? []).map((t) => t.definition.name)]);
    for (const t of extension.tools ?? []) if (taken.has(t.definition.name)) throw new Error(`tool ${t.definition.name} is already registered`);
    this.extensions.push(extension);
  }

  has(name: string): name is ToolName {
    return (TOOL_NAMES as readonly string[]).includes(name);
  }

  /** Validates, runs and wraps one tool call. Never throws: every failure is a contract error payload. */
  async call(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolResult> {
    const def = this.byName.get(name);
    if (!def) return toolResult(new ToolError('INVALID_TOOL', `Unknown tool: ${name}`).toPayload(), true);
    const raw = rawArgs && typeof rawArgs === 'object' && !Array.isArray(rawArgs) ? (rawArgs as Record<string, unknown>) : {};
    if (rawArgs != null && raw !== rawArgs) {
      return toolResult(new ToolError(def.validationErrorCode, `Error executing tool ${name}: arguments must be an object`).toPayload(), true);
    }
    const unstorable = unstorableArgument(def, raw);
    if (unstorable) return toolResult(unstorable.toPayload(), true);
    const args = coerce(raw);
    const parsed = def.input.safeParse(args);
    if (!parsed.success) {
      return toolResult(
        new ToolError(def.validationErrorCode, `Error executing tool ${name}: ${describeIssues(parsed.error, args)}`).toPayload(),
        true,
      );
    }
    try {
      // a user_api_key argument (REST bridge, stdio) names the caller; an invalid one is an error only for the
      // tools that bill or list by user (spec/tools.md §3, §8), elsewhere it is ignored
      const strict = def.name === 'plan_create' || def.name === 'plan_list' || def.name === 'send_feedback';
      const caller = await effectiveCaller(this.deps, ctx, raw.user_api_key, strict);
      const payload = await HANDLERS[def.name](this.deps, parsed.data, { ...ctx, caller }, raw);
      return toolResult(payload, false);
    } catch (err) {
      if (isToolError(err)) return toolResult(err.toPayload(), true);
      if (isDependencyDown(err)) {
        // an outage, not a bug: the caller is told to come back (MCP and REST share this payload)
        this.deps.log.warn({ tool: name, err: err instanceof Error ? err.message : String(err) }, 'tool call during a dependency outage');
        const message = `Error executing tool ${name}: the service is temporarily unavailable, retry in ${RETRY_AFTER_SECONDS} s`;
        return toolResult(new ToolError('SERVICE_UNAVAILABLE', message, { retry_after: RETRY_AFTER_SECONDS }).toPayload(), true);
      }
      this.deps.log.error({ tool: name, err: err instanceof Error ? err.message : String(err) }, 'tool failed');
      return toolResult(new ToolError('INTERNAL_ERROR', `Error executing tool ${name}: internal error`).toPayload(), true);
    }
  }
}
