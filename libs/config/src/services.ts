import {
  artifactsVars,
  conformanceVars,
  authVars,
  commonVars,
  dbVars,
  gatewayVars,
  httpVars,
  internalVars,
  listenVars,
  llmVars,
  localProxyVars,
  planVars,
  signalVars,
  sseVars,
  workerVars,
} from './vars.ts';
import { ConfigError, loadEnv, type EnvConfig } from './envVar.ts';

/** The download-token variables: the signer's secrets, lifetime and rotation keyring (downloadTokensFromConfig). */
const tokenVars = {
  PLANEXE_API_KEY_SECRET: authVars.PLANEXE_API_KEY_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_SECRET: authVars.PLANEXE_DOWNLOAD_TOKEN_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_TTL: authVars.PLANEXE_DOWNLOAD_TOKEN_TTL,
  PLANEXE_DOWNLOAD_TOKEN_KEYS: authVars.PLANEXE_DOWNLOAD_TOKEN_KEYS,
};

/** One env schema per deployable: every PLANEXE_ variable any of them reads is declared here (README's table). */
export const serviceSchemas = {
  gateway: { ...commonVars, ...dbVars, ...authVars, ...httpVars, ...signalVars, ...internalVars, ...gatewayVars },
  tools: {
    ...commonVars,
    ...dbVars,
    ...authVars,
    ...httpVars,
    ...planVars,
    ...llmVars,
    ...signalVars,
    ...internalVars,
    ...conformanceVars,
    // plan_status waits and subscriptions/listen streams count against the SSE connection caps
    PLANEXE_SSE_MAX_CONNECTIONS: sseVars.PLANEXE_SSE_MAX_CONNECTIONS,
    PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: sseVars.PLANEXE_SSE_MAX_TOTAL_CONNECTIONS,
  },
  worker: { ...commonVars, ...dbVars, ...llmVars, ...workerVars, ...signalVars, ...internalVars },
  standalone: { ...commonVars, ...dbVars, ...authVars, ...httpVars, ...planVars, ...llmVars, ...sseVars, ...workerVars, ...signalVars, ...conformanceVars },
  stream: { ...commonVars, ...dbVars, ...listenVars, ...sseVars, ...signalVars, ...internalVars },
  artifacts: {
    ...commonVars,
    ...dbVars,
    ...listenVars,
    ...tokenVars,
    PLANEXE_WORKER_PLAN_URL: planVars.PLANEXE_WORKER_PLAN_URL,
    PLANEXE_RUN_DIR: workerVars.PLANEXE_RUN_DIR,
    ...artifactsVars,
    ...internalVars,
  },
  'local-proxy': { ...localProxyVars, PLANEXE_MCP_API_KEY: authVars.PLANEXE_MCP_API_KEY, PLANEXE_LOG_LEVEL: commonVars.PLANEXE_LOG_LEVEL },
} as const;

export type ServiceName = keyof typeof serviceSchemas;
export type GatewayConfig = EnvConfig<typeof serviceSchemas.gateway>;
export type ToolsConfig = EnvConfig<typeof serviceSchemas.tools>;
export type WorkerConfig = EnvConfig<typeof serviceSchemas.worker>;
export type StandaloneConfig = EnvConfig<typeof serviceSchemas.standalone>;
export type StreamConfig = EnvConfig<typeof serviceSchemas.stream>;
export type ArtifactsConfig = EnvConfig<typeof serviceSchemas.artifacts>;

export function loadServiceConfig<N extends ServiceName>(
  name: N,
  source: Record<string, string | undefined> = process.env,
): EnvConfig<(typeof serviceSchemas)[N]> {
  return loadEnv(serviceSchemas[name], source) as EnvConfig<(typeof serviceSchemas)[N]>;
}

/** The bind port: PORT wins over PLANEXE_MCP_HTTP_PORT. */
export function bindPort(cfg: { PORT?: number; PLANEXE_MCP_HTTP_PORT: number }): number {
  return cfg.PORT ?? cfg.PLANEXE_MCP_HTTP_PORT;
}

/** Postgres URL from SQLALCHEMY_DATABASE_URI or PLANEXE_POSTGRES_*; undefined when neither is configured. */
export function postgresUrl(cfg: EnvConfig<typeof dbVars>, defaultHost?: string): string | undefined {
  if (cfg.SQLALCHEMY_DATABASE_URI) return cfg.SQLALCHEMY_DATABASE_URI.replace(/^postgres(ql)?\+[a-z0-9]+:/i, 'postgresql:');
  const host = cfg.PLANEXE_POSTGRES_HOST ?? defaultHost;
  if (!host) return undefined;
  const user = encodeURIComponent(cfg.PLANEXE_POSTGRES_USER);
  const pass = encodeURIComponent(cfg.PLANEXE_POSTGRES_PASSWORD ?? 'planexe');
  return `postgresql://${user}:${pass}@${host}:${cfg.PLANEXE_POSTGRES_PORT}/${encodeURIComponent(cfg.PLANEXE_POSTGRES_DB)}`;
}

/** A service main's config: a bad variable ends the process with exit code 2 and one line naming it. */
export function loadServiceConfigOrExit<N extends ServiceName>(
  name: N,
  processName: string,
  source: Record<string, string | undefined> = process.env,
): EnvConfig<(typeof serviceSchemas)[N]> {
  try {
    return loadServiceConfig(name, source);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${processName}: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

/** A start-up check's findings: each printed as one line naming the process, then exit code 2 (nothing starts half-configured). */
export function exitOnProblems(processName: string, problems: (string | false | undefined)[]): void {
  const found = problems.filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (!found.length) return;
  for (const p of found) console.error(`${processName}: ${p}`);
  process.exit(2);
}

/** Builds something from config at start-up (a keyring, a URL list); a thrown message ends the process with exit code 2. */
export function buildOrExit<T>(processName: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    console.error(`${processName}: ${(e as Error).message}`);
    process.exit(2);
  }
}
