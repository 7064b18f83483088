import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import Koa from 'koa';
import { isClientGone, probes, sendError } from '@planexe/http';
import type { StreamService } from './streamService.ts';

export interface StreamAppOptions {
  /** For `/healthcheck`: whether the progress bus is connected (else streams are on the polling fallback). */
  busConnected?: () => boolean;
  /** Errors Koa reports, except a client that went away (routine for SSE). Default: console.error. */
  onError?: (err: Error) => void;
}

/**
 * The stream service as a Koa app: the probes (`/livez`; `/readyz` 503 while draining, so the load balancer stops
 * sending streams here; `/healthcheck` with the bus state), the SSE route as Koa middleware, and a JSON 404.
 */
export function createStreamApp(service: StreamService, opts: StreamAppOptions = {}): Koa {
  const app = new Koa({ proxy: false });
  app.on('error', (err: Error & { code?: string }) => {
    if (!isClientGone(err)) (opts.onError ?? ((e: Error) => console.error(e)))(err);
  });
  app.use(
    probes({
      service: 'planexe-stream',
      ready: () => !service.draining,
      healthcheck: (ctx) => {
        const bus = opts.busConnected?.() ?? true;
        ctx.status = service.draining ? 503 : 200;
        ctx.body = { status: service.draining ? 'stopping' : bus ? 'healthy' : 'degraded', dependencies: { nats: bus ? 'ok' : 'down' }, ...service.stats() };
      },
    }),
  );
  app.use(service.middleware);
  app.use(async (ctx) => sendError(ctx, 404, 'NOT_FOUND', 'Not Found'));
  return app;
}

/**
 * The stream process's request listener: SSE requests go straight to the service on node:http (no per-request
 * framework state on 15,000 open streams), everything else (probes, 404) to the Koa app.
 */
export function createStreamListener(service: StreamService, opts: StreamAppOptions = {}): RequestListener {
  const koa = createStreamApp(service, opts).callback();
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!service.handle(req, res)) void koa(req, res);
  };
}
