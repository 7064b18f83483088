import { commonVars, dbVars, authVars, httpVars, planVars, llmVars, sseVars, workerVars, signalVars, internalVars, gatewayVars } from './vars.ts';
import { ConfigError, loadEnv, type EnvConfig } from './envVar.ts';

/** One env schema per deployable. */
export const serviceSchemas = {
  gateway: { ...commonVars, ...dbVars, ...authVars, ...httpVars, ...signalVars, ...internalVars, ...gatewayVars },
  tools: { ...commonVars, ...dbVars, ...authVars, ...httpVars, ...planVars, ...llmVars, ...signalVars, ...internalVars },
  worker: { ...commonVars, ...dbVars, ...llmVars, ...workerVars, ...signalVars, ...internalVars },
  standalone: { ...commonVars, ...dbVars, ...authVars, ...httpVars, ...planVars, ...llmVars, ...sseVars, ...workerVars, ...signalVars },
} as const;

export type ServiceName = keyof typeof serviceSchemas;
export type GatewayConfig = EnvConfig<typeof serviceSchemas.gateway>;
export type ToolsConfig = EnvConfig<typeof serviceSchemas.tools>;
export type WorkerConfig = EnvConfig<typeof serviceSchemas.worker>;
export type StandaloneConfig = EnvConfig<typeof serviceSchemas.standalone>;

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
