/**
 * The view's side of the MCP Apps protocol (ext-apps 2.x, SEP-1865): JSON-RPC 2.0 over postMessage with the host
 * window. Written by hand because ext-apps' App class bundles the SDK client and zod (650 KB minified), over the
 * view's 150 KB budget; the messages it sends are typed against ext-apps' own spec types, and the browser test
 * drives it through ext-apps' real AppBridge.
 */
import type {
  McpUiHostContext,
  McpUiInitializeRequest,
  McpUiInitializeResult,
  McpUiOpenLinkRequest,
  McpUiSizeChangedNotification,
  McpUiToolInputNotification,
  McpUiToolResultNotification,
} from '@modelcontextprotocol/ext-apps';

export interface ToolCallResult {
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}
export interface ResourceReadResult {
  contents: { uri: string; mimeType?: string; text?: string }[];
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void };
type Message = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: any; result?: any; error?: { code: number; message: string } };

const PROTOCOL_VERSION: McpUiInitializeRequest['params']['protocolVersion'] = '2026-01-26';
const INITIALIZE: McpUiInitializeRequest['method'] = 'ui/initialize';
const TOOL_INPUT: McpUiToolInputNotification['method'] = 'ui/notifications/tool-input';
const TOOL_RESULT: McpUiToolResultNotification['method'] = 'ui/notifications/tool-result';
const SIZE_CHANGED: McpUiSizeChangedNotification['method'] = 'ui/notifications/size-changed';
const OPEN_LINK: McpUiOpenLinkRequest['method'] = 'ui/open-link';

/** An error the host or the server answered with (JSON-RPC error object). */
export class BridgeError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface BridgeHandlers {
  toolInput(args: Record<string, unknown>): void;
  toolResult(result: ToolCallResult): void;
  hostContext(ctx: McpUiHostContext): void;
  teardown(): void;
}

export class HostBridge {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly host: Window;

  constructor(private readonly handlers: BridgeHandlers) {
    this.host = window.parent;
    window.addEventListener('message', (e) => {
      // only the window that embeds us speaks for the host
      if (e.source !== this.host || !e.data || e.data.jsonrpc !== '2.0') return;
      this.receive(e.data as Message);
    });
  }

  /** ui/initialize, then ui/notifications/initialized; the host's context (theme, styles) comes back. */
  async connect(): Promise<McpUiInitializeResult> {
    const params: McpUiInitializeRequest['params'] = {
      appInfo: { name: 'planexe-plan-view', version: '1.0.0' },
      appCapabilities: {},
      protocolVersion: PROTOCOL_VERSION,
    };
    const result = (await this.request(INITIALIZE, params)) as McpUiInitializeResult;
    this.notify('ui/notifications/initialized', {});
    if (result.hostContext) this.handlers.hostContext(result.hostContext);
    return result;
  }

  callTool(name: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    return this.request('tools/call', { name, arguments: args }) as Promise<ToolCallResult>;
  }

  readResource(uri: string): Promise<ResourceReadResult> {
    return this.request('resources/read', { uri }) as Promise<ResourceReadResult>;
  }

  openLink(url: string): Promise<unknown> {
    const params: McpUiOpenLinkRequest['params'] = { url };
    return this.request(OPEN_LINK, params);
  }

  sizeChanged(width: number, height: number): void {
    const params: McpUiSizeChangedNotification['params'] = { width, height };
    this.notify(SIZE_CHANGED, params);
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ jsonrpc: '2.0', id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.post({ jsonrpc: '2.0', method, params });
  }

  private post(msg: Message): void {
    this.host.postMessage(msg, '*');
  }

  private receive(msg: Message): void {
    if (msg.method === undefined && typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new BridgeError(msg.error.code, msg.error.message));
      else p.resolve(msg.result);
      return;
    }
    switch (msg.method) {
      case TOOL_INPUT:
        return this.handlers.toolInput((msg.params?.arguments ?? {}) as Record<string, unknown>);
      case TOOL_RESULT:
        return this.handlers.toolResult(msg.params as ToolCallResult);
      case 'ui/notifications/host-context-changed':
        return this.handlers.hostContext(msg.params as McpUiHostContext);
      case 'ui/resource-teardown':
        this.handlers.teardown();
        if (msg.id !== undefined) this.post({ jsonrpc: '2.0', id: msg.id, result: {} });
        return;
      case 'ping':
        if (msg.id !== undefined) this.post({ jsonrpc: '2.0', id: msg.id, result: {} });
        return;
      default:
        // a request we do not serve is answered, so the host never waits on us
        if (msg.id !== undefined && msg.method) this.post({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
    }
  }
}
