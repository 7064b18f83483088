/**
 * The plan view, an MCP App (extension `io.modelcontextprotocol/ui`): hosts that support MCP Apps render the
 * `ui://` resource a tool names in `_meta.ui.resourceUri` beside the conversation; hosts that do not ignore the
 * `_meta` and keep using the tools' text and structured results.
 */

/** The one app resource: a self-contained HTML document (MIME type `text/html;profile=mcp-app`). */
export const PLAN_APP_URI = 'ui://planexe/plan';

/** The rendered report of one plan, read by the view through the host (`resources/read`), owner only. */
export const PLAN_REPORT_URI_TEMPLATE = 'ui://planexe/plan/{plan_id}/report.html';
export const planReportUri = (planId: string): string => `ui://planexe/plan/${encodeURIComponent(planId)}/report.html`;
const REPORT_URI = /^ui:\/\/planexe\/plan\/([^/]+)\/report\.html$/;
/** The plan id a report URI names, or undefined when `uri` is not one. */
export function planIdOfReportUri(uri: string): string | undefined {
  const m = REPORT_URI.exec(uri);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/** How long the view asks plan_status to wait for a change (h16-wait adds `wait_seconds`, 0-50). */
export const PLAN_APP_WAIT_SECONDS = 25;

/**
 * The `_meta` of a tool that shows the plan view: `ui.resourceUri`, and the flat `ui/resourceUri` key older hosts
 * read (the normalisation ext-apps' registerAppTool applies; our tools are served by one registry, not McpServer).
 */
export const PLAN_APP_TOOL_META = { ui: { resourceUri: PLAN_APP_URI }, 'ui/resourceUri': PLAN_APP_URI } as const;
