import { commonVars, dbVars, httpVars, loadEnv, signalVars, sseVars, env, type EnvConfig } from '@planexe/config';

/**
 * The stream service's variables, parsed with the same definitions (and so the same defaults and messages) as the
 * other services. A local shape until libs/config gets a `stream` schema.
 */
export const streamVars = {
  ...commonVars,
  ...dbVars,
  PLANEXE_MCP_HTTP_HOST: httpVars.PLANEXE_MCP_HTTP_HOST,
  PORT: httpVars.PORT,
  PLANEXE_MCP_HTTP_PORT: httpVars.PLANEXE_MCP_HTTP_PORT,
  ...sseVars,
  ...signalVars,
  PLANEXE_INTERNAL_SECRET: env.secret('Shared secret of the gateway (header x-planexe-internal); only with it is the forwarded client address (x-planexe-client-ip) trusted for the per-client cap.'),
};

export type StreamConfig = EnvConfig<typeof streamVars>;

export function loadStreamConfig(source: Record<string, string | undefined> = process.env): StreamConfig {
  return loadEnv(streamVars, source);
}
