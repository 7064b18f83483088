import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { downloadTokensFromConfig, type Caller, type DownloadTokenConfig, type DownloadTokens } from '@planexe/auth';
import type { ArtifactsConfig } from '@planexe/config';
import { ArtifactSources, createCopyStreamer, TempFiles, type CopyStreamer } from '@planexe/artifact-sources';
import type { Db } from '@planexe/db';
import { createInternalApp } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';
import { createDownloadRoute } from './downloadRoute.ts';

export interface ArtifactsDeps {
  db: Db;
  /** The same signer the tools use for plan_file_info's download_url. */
  tokens: DownloadTokens;
  log: Logger;
}

export interface ArtifactsOptions {
  /** PLANEXE_RUN_DIR: run directories shared with the worker (standalone, or a shared volume). */
  runDir?: string;
  /** PLANEXE_WORKER_PLAN_URL: the worker run-file API; unset → no HTTP fallback. */
  workerPlanUrl?: string;
  /** PLANEXE_INTERNAL_SECRET, sent to the worker run-file API when it requires one. */
  internalSecret?: string;
  /** Cap on a worker response, bytes (spec ZIP_SNAPSHOT_MAX_BYTES: 100 000 000). */
  workerMaxBytes?: number;
  /**
   * A Postgres URL (the service's own database): stored artifacts then stream through COPY on a small pool of
   * its own. Unset (PGlite, tests) → substring reads through `db`.
   */
  postgresUrl?: string;
  /** Connections of that pool (= downloads from the database streaming at once; more wait). Default 8. */
  copyPoolSize?: number;
  /** Parent directory for spooled and rebuilt artifacts (default: the OS temp directory). */
  tempDir?: string;
  /** Who is calling: the edge's auth (ctx.state.caller) by default. */
  callerOf?: (ctx: Context) => Caller | undefined;
}

export interface ArtifactsService {
  middleware: Middleware;
  sources: ArtifactSources;
  close(): Promise<void>;
}

const stateCaller = (ctx: Context): Caller | undefined => (ctx.state as { caller?: Caller }).caller;

/**
 * The artifacts service's routes: GET|HEAD /download/{plan_id}/{filename}. Mount the middleware behind the edge
 * auth (which sets ctx.state.caller and lets a request with a valid token through without a key); every other path
 * falls through to the next middleware.
 */
export function createArtifactsService(deps: ArtifactsDeps, opts: ArtifactsOptions = {}): ArtifactsService {
  const copy: CopyStreamer | undefined = opts.postgresUrl ? createCopyStreamer(opts.postgresUrl, opts.copyPoolSize ?? 8) : undefined;
  const temp = new TempFiles(opts.tempDir);
  const sources = new ArtifactSources({
    db: deps.db,
    copy,
    runDir: opts.runDir,
    worker: opts.workerPlanUrl ? { url: opts.workerPlanUrl, internalSecret: opts.internalSecret } : undefined,
    workerMaxBytes: opts.workerMaxBytes,
    temp,
    log: deps.log,
  });
  if (deps.tokens.ephemeral) deps.log.warn('no download token secret configured: tokens die on restart and do not work across replicas');
  const middleware = createDownloadRoute({ db: deps.db, tokens: deps.tokens, sources, log: deps.log, callerOf: opts.callerOf ?? stateCaller });
  return {
    middleware: middleware as Middleware,
    sources,
    close: async () => {
      await sources.close();
      await temp.close();
      await copy?.close();
    },
  };
}

export interface ArtifactsAppOptions {
  /** PLANEXE_INTERNAL_SECRET: only the gateway's requests (which carry it) are served. Required. */
  internalSecret: string;
  log: Logger;
  /** Readiness for /readyz (false while starting or draining). */
  ready?: () => boolean;
}

/** The artifacts service as its own Koa app (distributed mode, behind the gateway, which forwards the caller). */
export function createArtifactsApp(service: ArtifactsService, opts: ArtifactsAppOptions): Koa {
  return createInternalApp({ service: 'planexe-artifacts', owner: 'artifacts', ...opts }, service.middleware);
}

/** The config the artifacts service reads: its own schema in distributed mode, the standalone one in-process. */
export type ArtifactsServiceConfig = DownloadTokenConfig &
  Pick<ArtifactsConfig, 'PLANEXE_RUN_DIR' | 'PLANEXE_WORKER_PLAN_URL'> &
  Partial<Pick<ArtifactsConfig, 'PLANEXE_INTERNAL_SECRET' | 'PLANEXE_ARTIFACTS_WORKER_MAX_BYTES' | 'PLANEXE_ARTIFACTS_COPY_CONNECTIONS'>>;

export interface ArtifactsAdapters {
  db: Db;
  log: Logger;
  /** The signer to share (standalone: the edge's); default: built from the config, keyring included. */
  tokens?: DownloadTokens;
  /** The Postgres URL of `db`, for COPY streaming of stored artifacts; unset (PGlite) → substring reads. */
  postgresUrl?: string;
}

/** The artifacts service wired from config the same way in every run mode (distributed main, standalone, tests). */
export function artifactsFromConfig(c: ArtifactsServiceConfig, a: ArtifactsAdapters): ArtifactsService & { tokens: DownloadTokens } {
  const tokens = a.tokens ?? downloadTokensFromConfig(c);
  const service = createArtifactsService(
    { db: a.db, tokens, log: a.log },
    {
      runDir: c.PLANEXE_RUN_DIR,
      workerPlanUrl: c.PLANEXE_WORKER_PLAN_URL,
      internalSecret: c.PLANEXE_INTERNAL_SECRET,
      workerMaxBytes: c.PLANEXE_ARTIFACTS_WORKER_MAX_BYTES,
      postgresUrl: a.postgresUrl,
      copyPoolSize: c.PLANEXE_ARTIFACTS_COPY_CONNECTIONS,
    },
  );
  return { ...service, tokens };
}
