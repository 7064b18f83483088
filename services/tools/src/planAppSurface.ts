import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError } from '@modelcontextprotocol/server';
import { registerAppResource, RESOURCE_MIME_TYPE, type McpUiReadResourceCallback } from '@modelcontextprotocol/ext-apps/server';
import { parseUuid, PLAN_APP_URI, PLAN_REPORT_URI_TEMPLATE, planIdOfReportUri } from '@planexe/contracts';
import { getPlan } from '@planexe/db';
import { reportBytes } from '@planexe/artifact-sources';
import type { ToolDeps } from './deps.ts';
import { loadPlanAppHtml } from './planAppHtml.ts';
import type { SurfaceExtension, SurfaceResource, SurfaceTemplate } from './surface.ts';

/**
 * The view's own policy (the host adds its own on top): nothing but its inline script and style, pictures only from
 * data: URLs, no network at all (`connect-src 'none'`, the default), no frames, no forms posted anywhere. Declared
 * to the host as an empty `_meta.ui.csp`: the view asks for no outside domain.
 */
const UI_META = { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } };

/**
 * ext-apps' registerAppResource fills in the MCP App MIME type and passes the listing and read callback to the
 * server's registerResource. Our server is one low-level Server shared with the contract's tools, so this adapter
 * takes what the helper registers and serves it as a SurfaceResource.
 */
function appResource(name: string, uri: string, description: string, read: McpUiReadResourceCallback): SurfaceResource {
  let captured: SurfaceResource | undefined;
  registerAppResource(
    {
      registerResource: ((n: string, u: string, config: Record<string, unknown>, cb: McpUiReadResourceCallback) => {
        captured = { definition: { name: n, uri: u, ...config }, read: async (readUri, ctx) => cb(new URL(readUri), ctx as never) };
        return undefined as never;
      }) as never,
    },
    name,
    uri,
    { description, _meta: UI_META },
    read,
  );
  if (!captured) throw new Error('registerAppResource registered nothing');
  return captured;
}

/** The plan's report for its owner, as a resource the view reads through the host (never a network request). */
function reportTemplate(deps: ToolDeps): SurfaceTemplate {
  return {
    definition: {
      uriTemplate: PLAN_REPORT_URI_TEMPLATE,
      name: 'Plan report',
      description: 'The HTML report of one of your completed plans, as the plan view shows it.',
      mimeType: 'text/html',
    },
    match: (uri) => {
      const planId = planIdOfReportUri(uri);
      return planId === undefined ? undefined : { plan_id: planId };
    },
    read: async (uri, vars, _ctx, context) => {
      const id = parseUuid(vars.plan_id);
      const row = id ? await getPlan(deps.db, id, context().caller.owner) : undefined;
      // another user's plan is as absent as one that never existed
      if (!row) throw new ResourceNotFoundError(uri);
      const art = row.state === 'completed' ? await reportBytes(deps.db, row.id, deps.settings.workerPlanUrl) : null;
      if (!art) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `The report of plan ${row.id} is not available (state ${row.state})`);
      return { contents: [{ uri, mimeType: 'text/html', text: art.bytes.toString('utf8') }] };
    },
  };
}

/** The plan view (an MCP App): its HTML resource and the report it renders. Every MCP surface serves it. */
export function planAppSurface(deps: ToolDeps): SurfaceExtension {
  const view = appResource('PlanExe plan view', PLAN_APP_URI, "A live view of a plan: progress, controls, and the report once it's done.", async () => ({
    contents: [{ uri: PLAN_APP_URI, mimeType: RESOURCE_MIME_TYPE, text: await loadPlanAppHtml(), _meta: UI_META }],
  }));
  return { stableLists: true, resources: [view], templates: [reportTemplate(deps)] };
}
