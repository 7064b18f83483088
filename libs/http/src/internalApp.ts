import Koa, { type Middleware } from 'koa';
import type { RouteOwner } from '@planexe/contracts';
import { isClientGone } from './clientGone.ts';
import { errorBoundary } from './errorBoundary.ts';
import { sendError } from './errors.ts';
import { probes } from './probes.ts';
import { ownRoutesOnly } from './routeMatch.ts';
import { trustGateway } from './trustGateway.ts';

export interface InternalAppOptions {
  /** Process name for the probes, e.g. `planexe-artifacts`. */
  service: string;
  /** The routes of the table this service answers; every other path is the edge's 404 / 405. */
  owner: RouteOwner;
  /** PLANEXE_INTERNAL_SECRET: only the gateway's requests (which carry it) are served. Required. */
  internalSecret: string;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Readiness for /readyz (false while starting or draining). Default: always ready. */
  ready?: () => boolean;
  /** Outermost middleware (e.g. tracing that continues the gateway's trace). */
  before?: Middleware[];
}

/**
 * A service's own Koa app in distributed mode, the same for every service behind the gateway: error boundary,
 * probes (open), gateway trust (the internal secret, then the forwarded caller), only this service's routes, the
 * service, then a JSON 404. A client that leaves mid-answer is not logged as an error.
 */
export function createInternalApp(o: InternalAppOptions, service: Middleware): Koa {
  const app = new Koa({ proxy: false });
  app.on('error', (err: Error & { code?: string }) => {
    if (!isClientGone(err)) o.log.warn({ err: err.message }, 'http error');
  });
  for (const m of o.before ?? []) app.use(m);
  app.use(errorBoundary(o.log));
  app.use(probes({ service: o.service, ready: o.ready }));
  app.use(trustGateway({ secret: o.internalSecret }));
  app.use(ownRoutesOnly(o.owner));
  app.use(service);
  app.use(async (ctx) => sendError(ctx, 404, 'NOT_FOUND', 'Not Found'));
  return app;
}
