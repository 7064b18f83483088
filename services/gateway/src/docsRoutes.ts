import Router from '@koa/router';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildOpenApiDocument, type OpenApiOptions } from './openapi.ts';

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

/** `/openapi.json`, `/docs` (Swagger UI), `/docs/oauth2-redirect` and `/redoc` (→ /docs). */
export function docsRouter(o: OpenApiOptions): Router {
  const r = new Router();
  const cache = new Map<string, Buffer>();
  r.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument(o);
  });
  r.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });
  r.get('/docs/assets/init.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = INIT;
  });
  r.get('/docs/assets/:file', async (ctx, next) => {
    const file = ctx.params.file;
    const type = ASSETS[file];
    if (!type) return next(); // the 404 further down
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = await readFile(join(SWAGGER_DIR, file));
      cache.set(file, bytes);
    }
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = bytes;
  });
  r.get('/docs/oauth2-redirect', async (ctx) => {
    // Swagger UI's stock page (it loads ./oauth2-redirect.js); no OAuth is offered, so it is never actually used
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await readFile(join(SWAGGER_DIR, 'oauth2-redirect.html'));
  });
  r.get('/docs/oauth2-redirect.js', async (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = await readFile(join(SWAGGER_DIR, 'oauth2-redirect.js'));
  });
  r.get('/redoc', (ctx) => {
    ctx.status = 308;
    ctx.set('Location', '/docs');
  });
  return r;
}
