/**
 * A test host for MCP Apps on a plain page: the SDK client talks to the real server; ext-apps' AppBridge serves the
 * view in a sandboxed iframe, forwarding its tools/call and resources/read to the client, as a chat host would.
 * The test drives it through `window.testHost` and reads what the view asked for in `calls`.
 */
import { AppBridge, getToolUiResourceUri, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

interface ViewCall {
  name: string;
  args: Record<string, unknown>;
  start: number;
  end?: number;
}

interface OpenOptions {
  apiKey: string;
  tool: string;
  args: Record<string, unknown>;
  theme: 'light' | 'dark';
}

const calls: ViewCall[] = [];
const reads: string[] = [];
const links: string[] = [];
/** Tools whose calls the user declines when the host asks to confirm them. */
const declined = new Set<string>();
let bridge: AppBridge | undefined;
let client: Client | undefined;

async function open(o: OpenOptions): Promise<{ resourceUri: string; mimeType: string | undefined; bytes: number; toolResult: unknown }> {
  client = new Client(
    { name: 'planexe-test-host', version: '1.0.0' },
    { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } as never },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', location.origin), { requestInit: { headers: { 'X-API-Key': o.apiKey } } }));
  const tool = (await client.listTools()).tools.find((t) => t.name === o.tool);
  const resourceUri = tool && getToolUiResourceUri(tool);
  if (!resourceUri) throw new Error(`${o.tool} names no UI resource`);
  const resource = await client.readResource({ uri: resourceUri });
  const content = resource.contents[0] as { text: string; mimeType?: string };
  // the model's call, whose input and result the host hands to the view
  const toolResult = await client.callTool({ name: o.tool, arguments: o.args });

  const iframe = document.createElement('iframe');
  iframe.title = 'PlanExe plan view';
  iframe.setAttribute('sandbox', 'allow-scripts');
  document.documentElement.dataset.theme = o.theme;
  document.getElementById('view')!.append(iframe);
  const c = client;
  bridge = new AppBridge(null, { name: 'planexe-test-host', version: '1.0.0' }, { serverTools: {}, serverResources: {}, openLinks: {} }, {
    hostContext: { theme: o.theme, platform: 'web', displayMode: 'inline' },
  });
  bridge.oncalltool = async (params) => {
    const call: ViewCall = { name: params.name, args: (params.arguments ?? {}) as Record<string, unknown>, start: Date.now() };
    calls.push(call);
    if (declined.has(params.name)) throw new Error('The user declined the call');
    try {
      return (await c.callTool(params, { timeout: 120_000 })) as never;
    } finally {
      call.end = Date.now();
    }
  };
  bridge.onreadresource = async (params) => {
    reads.push(params.uri);
    return (await c.readResource(params)) as never;
  };
  bridge.onopenlink = async (params) => {
    links.push(params.url);
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    if (height) iframe.style.height = `${Math.ceil(height)}px`;
  };
  bridge.oninitialized = () => {
    void bridge!.sendToolInput({ arguments: o.args });
    void bridge!.sendToolResult(toolResult as never);
  };
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  iframe.srcdoc = content.text;
  return { resourceUri, mimeType: content.mimeType, bytes: new TextEncoder().encode(content.text).length, toolResult };
}

function setTheme(theme: 'light' | 'dark'): void {
  document.documentElement.dataset.theme = theme;
  bridge?.setHostContext({ theme, platform: 'web', displayMode: 'inline' });
}

/** The most plan_status calls of the view that were in flight at one time. */
function maxStatusInFlight(): number {
  const edges = calls
    .filter((c) => c.name === 'plan_status')
    .flatMap((c) => [
      [c.start, 1],
      [c.end ?? Infinity, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (now += d));
  return max;
}

const decline = (names: string[]) => {
  declined.clear();
  for (const n of names) declined.add(n);
};

(window as unknown as { testHost: unknown }).testHost = { open, setTheme, decline, calls, reads, links, maxStatusInFlight };
