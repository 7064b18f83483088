import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROUTE } from '@planexe/contracts';
import { sendError } from '@planexe/http';
import { buildOpenApiDocument, type OpenApiOptions } from './openapi.ts';
import { JSON_CSP, type EdgeHandlers } from './edgeBasics.ts';

/** Swagger UI's own files, served from the swagger-ui-dist package (no CDN: /docs works offline and under a strict CSP). */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>PlanExe – AI Project Planning – API docs</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'
});
`;

const documents = new Map<string, Record<string, unknown>>();

/** One document per option set per process (schema generation registers ids in zod's global registry). */
export function openApiDocument(o: OpenApiOptions): Record<string, unknown> {
  const key = JSON.stringify(o);
  let doc = documents.get(key);
  if (!doc) {
    doc = buildOpenApiDocument(o);
    documents.set(key, doc);
  }
  return doc;
}

/** Swagger UI's page: its own scripts and styles only (it injects inline styles), images inline, never framed. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** `/openapi.json`, `/docs` (Swagger UI), `/docs/oauth2-redirect` and `/redoc` (→ /docs). */
export function docsHandlers(o: OpenApiOptions): EdgeHandlers {
  const cache = new Map<string, Buffer>();
  const page = (ctx: Parameters<NonNullable<EdgeHandlers['docs']>>[0], body: string | Buffer) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.body = body;
  };
  return {
    openapi: (ctx) => {
      ctx.set('Content-Security-Policy', JSON_CSP);
      ctx.body = openApiDocument(o);
    },
    docs: (ctx) => page(ctx, PAGE),
    docs_asset: async (ctx, params) => {
      const file = params.file;
      if (file === 'init.js') {
        ctx.type = 'text/javascript; charset=utf-8';
        ctx.body = INIT;
        return;
      }
      const type = ASSETS[file];
      if (!type) {
        return sendError(ctx, 404, 'NOT_FOUND', 'Not Found');
      }
      let bytes = cache.get(file);
      if (!bytes) {
        bytes = await readFile(join(SWAGGER_DIR, file));
        cache.set(file, bytes);
      }
      ctx.type = type;
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = bytes;
    },
    // Swagger UI's stock page (it loads ./oauth2-redirect.js); no OAuth is offered, so it is never actually used
    docs_oauth2_redirect: async (ctx) => page(ctx, await readFile(join(SWAGGER_DIR, 'oauth2-redirect.html'))),
    docs_oauth2_redirect_js: async (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = await readFile(join(SWAGGER_DIR, 'oauth2-redirect.js'));
    },
    redoc: (ctx) => {
      ctx.status = 308;
      ctx.set('Location', ROUTE.docs.path);
    },
  };
}
