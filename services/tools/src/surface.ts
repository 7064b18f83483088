import type { TaskBackend } from './tasks/backend.ts';
import type { ToolContext } from './deps.ts';
import type { ListResourceTemplatesResult, Prompt, Resource, ServerCapabilities, ServerContext, ServerEventBus, ServerOptions, Tool } from '@modelcontextprotocol/server';

/**
 * MCP surface beyond the contract's tools: what an extension (the conformance fixtures) adds to the registry. Each
 * entry is served on every protocol revision by the same server factory as the contract tools, so an extension can
 * never see a different transport than the real tools do.
 */
export interface SurfaceTool {
  /** The tools/list entry (name, description, inputSchema, …). */
  definition: Tool;
  call(args: Record<string, unknown>, ctx: ServerContext): Promise<Record<string, unknown>>;
  /**
   * 'required': the tool only runs as a task, so a request that did not declare the tasks extension gets -32021
   * before `call` runs; 'optional': `call` decides (it may answer with a task when the request declared it).
   */
  taskSupport?: 'optional' | 'required';
  /**
   * The tool sends notifications while it runs even when the caller passed no progressToken (log messages), so a
   * 2025 client that takes `text/event-stream` gets its call answered as a stream (spec/http.md §6.1). A tool that
   * only reports progress against the caller's token needs no flag: the token alone decides.
   */
  notifiesDuringCall?: boolean;
  /**
   * The tool may ask the client during a call (sampling/createMessage, elicitation/create, roots/list — on 2025, the
   * SDK turns an input-required result into such requests). Its 2025 calls stream, the requests travel on that
   * stream and the client's answer POSTs are routed back by id (spec/http.md §6.1).
   */
  asksClient?: boolean;
}

export interface SurfacePrompt {
  definition: Prompt;
  get(args: Record<string, string>, ctx: ServerContext): Promise<Record<string, unknown>>;
}

export interface SurfaceResource {
  definition: Resource;
  read(uri: string, ctx: ServerContext): Promise<Record<string, unknown>>;
}

export interface SurfaceTemplate {
  definition: ListResourceTemplatesResult['resourceTemplates'][number];
  /** The template's variables when `uri` is one of its resources, else undefined. */
  match(uri: string): Record<string, string> | undefined;
  /** `context` is the request's caller and surface, for a resource only its owner may read. */
  read(uri: string, vars: Record<string, string>, ctx: ServerContext, context: () => ToolContext): Promise<Record<string, unknown>>;
}

export interface SurfaceExtension {
  /** Its lists change only with a deploy (the plan view): list results stay cacheable. Default: they may change. */
  stableLists?: boolean;
  /** Capabilities the extension needs beyond the contract's (logging, completions, resource subscriptions). */
  capabilities?: ServerCapabilities;
  tools?: SurfaceTool[];
  prompts?: SurfacePrompt[];
  resources?: SurfaceResource[];
  templates?: SurfaceTemplate[];
  /** Verifies multi-round-trip requestState (the SDK hook) for the extension's input-required tools. */
  requestState?: ServerOptions['requestState'];
  /** The tasks its tools hand out (tasks/get, tasks/update, tasks/cancel answer from it). */
  tasks?: TaskBackend;
  /** Where the extension publishes list changes for subscriptions/listen streams. */
  bus?: ServerEventBus;
  complete?(params: Record<string, unknown>, ctx: ServerContext): Promise<Record<string, unknown>>;
}
