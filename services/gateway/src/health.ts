import type { EdgeHandlers } from './edgeBasics.ts';

export type HealthCheck = () => Promise<boolean> | boolean;

export interface HealthOptions {
  requireAuth: boolean;
  /** Dependency checks by name (database, redis, nats, …); each resolves true when healthy. */
  checks: Record<string, HealthCheck>;
  /** The dependency without which nothing works: down → `down` and 503. Default `database`. */
  critical?: string;
  /** Per-check time limit; a slow dependency counts as down. Default 1500 ms. */
  timeoutMs?: number;
}

/** Lifecycle of one process, for the Kubernetes probes: ready after start-up, not ready once shutdown begins. */
export class Lifecycle {
  private state: 'starting' | 'ready' | 'stopping' = 'starting';
  markReady(): void {
    if (this.state === 'starting') this.state = 'ready';
  }
  markStopping(): void {
    this.state = 'stopping';
  }
  get ready(): boolean {
    return this.state === 'ready';
  }
  get stopping(): boolean {
    return this.state === 'stopping';
  }
}

function withTimeout(check: HealthCheck, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    Promise.resolve()
      .then(check)
      .then(
        (ok) => resolve(!!ok),
        () => resolve(false),
      )
      .finally(() => clearTimeout(t));
  });
}

/**
 * `/healthcheck` (status healthy | degraded | down with each dependency), `/livez` (the process answers) and
 * `/readyz` (send traffic here: false while starting or shutting down).
 */
export function healthHandlers(o: HealthOptions, life: Lifecycle): EdgeHandlers {
  const critical = o.critical ?? 'database';
  return {
    healthcheck: async (ctx) => {
      const deps: Record<string, 'ok' | 'down'> = {};
      await Promise.all(
        Object.entries(o.checks).map(async ([name, check]) => {
          deps[name] = (await withTimeout(check, o.timeoutMs ?? 1500)) ? 'ok' : 'down';
        }),
      );
      const down = Object.values(deps).filter((v) => v === 'down').length;
      const status = down === 0 ? 'healthy' : deps[critical] === 'down' ? 'down' : 'degraded';
      ctx.status = status === 'down' ? 503 : 200;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status, service: 'planexe-mcp-cloud', authentication_required: o.requireAuth, dependencies: deps };
    },
    livez: (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
    },
    readyz: (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.status = life.ready ? 200 : 503;
      ctx.body = { status: life.ready ? 'ready' : life.stopping ? 'stopping' : 'starting' };
    },
  };
}
