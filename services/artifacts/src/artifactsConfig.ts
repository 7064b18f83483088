import { authVars, commonVars, dbVars, env, httpVars, loadEnv, planVars, workerVars, type EnvConfig } from '@planexe/config';

/**
 * The artifacts service's variables, parsed with the shared definitions (same defaults and messages). A local
 * shape until libs/config gets an `artifacts` schema.
 */
export const artifactsVars = {
  ...commonVars,
  ...dbVars,
  PLANEXE_MCP_HTTP_HOST: httpVars.PLANEXE_MCP_HTTP_HOST,
  PORT: httpVars.PORT,
  PLANEXE_MCP_HTTP_PORT: httpVars.PLANEXE_MCP_HTTP_PORT,
  PLANEXE_API_KEY_SECRET: authVars.PLANEXE_API_KEY_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_SECRET: authVars.PLANEXE_DOWNLOAD_TOKEN_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_TTL: authVars.PLANEXE_DOWNLOAD_TOKEN_TTL,
  PLANEXE_DOWNLOAD_TOKEN_KEYS: env.secret(
    'Download-token keyring for rotation without downtime: `kid:secret,…` (first entry signs, every entry verifies tokens that name it; the entry `default` stands for PLANEXE_DOWNLOAD_TOKEN_SECRET / PLANEXE_API_KEY_SECRET and keeps `<expiry>.<mac>` tokens valid). Unset → the spec secret alone.',
  ),
  PLANEXE_WORKER_PLAN_URL: planVars.PLANEXE_WORKER_PLAN_URL,
  PLANEXE_RUN_DIR: workerVars.PLANEXE_RUN_DIR,
  PLANEXE_ARTIFACTS_WORKER_MAX_BYTES: env.int(100_000_000, 'Largest worker run-file response the artifacts service accepts (spooled to a temporary file), bytes.', { min: 1 }),
  PLANEXE_ARTIFACTS_COPY_CONNECTIONS: env.int(8, 'Postgres connections the artifacts service streams stored artifacts through (downloads from the database at once).', { min: 1, max: 100 }),
  PLANEXE_INTERNAL_SECRET: env.secret('Shared secret of the gateway (header x-planexe-internal); required: only requests that carry it are served, and only then is the forwarded caller trusted.'),
};

export type ArtifactsConfig = EnvConfig<typeof artifactsVars>;

export function loadArtifactsConfig(source: Record<string, string | undefined> = process.env): ArtifactsConfig {
  return loadEnv(artifactsVars, source);
}
