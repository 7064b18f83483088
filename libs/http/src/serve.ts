import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServeOptions {
  /** Log name of the process in its shutdown line. */
  name: string;
  host: string;
  port: number;
  log: { info(obj: object, msg: string): void; error?(obj: object, msg: string): void };
  /**
   * First step of a shutdown, before the listener closes: mark not ready (/readyz 503) and tell open streams to
   * reconnect elsewhere. Awaited.
   */
  drain?: () => void | Promise<void>;
  /** After the listener has closed: the service and its adapters, closed in this order. */
  close?: (() => unknown)[];
  /** How long open connections (SSE streams, downloads) may finish after the listener closed. Default 10 s. */
  graceMs?: number;
  /** Handle SIGTERM / SIGINT (stop, then exit). Default true; tests pass false and call stop() themselves. */
  exitOnSignal?: boolean;
}

export interface Served {
  server: Server;
  port: number;
  /** Drains and closes as on SIGTERM, without exiting. */
  stop(): Promise<void>;
}

/**
 * Runs a service's request listener: listen (with a keep-alive longer than common load-balancer idle timeouts),
 * then on SIGTERM / SIGINT a graceful shutdown the same for every service — drain, stop accepting, give open
 * connections a grace period, close the adapters, exit 0.
 */
export async function serve(listener: RequestListener, o: ServeOptions): Promise<Served> {
  const server = createServer(listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await o.drain?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), o.graceMs ?? 10_000).unref();
      await closed;
      for (const close of o.close ?? []) await close();
    })());
  if (o.exitOnSignal !== false) onShutdownSignal(o.name, o.log, stop);
  return { server, port, stop };
}

/**
 * SIGTERM / SIGINT run `stop` once, then the process exits (0, or 1 when stopping failed). For a process without a
 * listener of its own; serve() uses it too.
 */
export function onShutdownSignal(name: string, log: ServeOptions['log'], stop: () => Promise<unknown>): void {
  const onSignal = (signal: string) => {
    log.info({ signal }, `${name} shutting down`);
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error?.({ err: err.message }, `${name} shutdown failed`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
