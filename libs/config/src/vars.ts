import { env } from './envVar.ts';

/** Variables every service reads. */
export const commonVars = {
  PLANEXE_LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info', 'Log level of the JSON (pino) logs.'),
  PLANEXE_DEBUG_STARTUP: env.bool(false, 'Print start-up breadcrumbs to stderr.'),
  PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT: env.url(undefined, 'OTLP/HTTP endpoint for traces and metrics; telemetry is off when unset.'),
};

/** Database: a Postgres server, or the embedded PGlite in standalone mode. */
export const dbVars = {
  SQLALCHEMY_DATABASE_URI: env.secret('Full Postgres URL (postgresql://user:pass@host:port/db); wins over the PLANEXE_POSTGRES_* variables. A `+psycopg2`-style driver suffix is accepted.'),
  PLANEXE_POSTGRES_HOST: env.optionalStr('Postgres host. Unset in standalone mode → embedded PGlite; distributed services default to `database_postgres`.'),
  PLANEXE_POSTGRES_PORT: env.int(5432, 'Postgres port.', { min: 1, max: 65535 }),
  PLANEXE_POSTGRES_DB: env.str('planexe', 'Postgres database name.'),
  PLANEXE_POSTGRES_USER: env.str('planexe', 'Postgres user (URL-encoded into the URL).'),
  PLANEXE_POSTGRES_PASSWORD: env.secret('Postgres password (default `planexe`; URL-encoded into the URL).'),
  PLANEXE_DATA_DIR: env.str('.planexe', 'Standalone mode: directory of the embedded PGlite database (relative to the working directory). `memory://` keeps it in memory.'),
};

/** Authentication and download tokens. */
export const authVars = {
  PLANEXE_MCP_REQUIRE_AUTH: env.bool(true, 'Require an API key on /mcp… and /download… (the open tools and handshake methods excepted). Standalone `npm start` sets false unless given.'),
  PLANEXE_MCP_API_KEY: env.secret('Optional shared secret accepted as an API key when auth is required (no user identity: plans belong to `admin`). Compared in constant time.'),
  PLANEXE_API_KEY_SECRET: env.secret('Secret mixed into user-key hashes: sha256_hex(secret + ":" + key). Required when auth is required. Second choice for the download-token secret.'),
  PLANEXE_DOWNLOAD_TOKEN_SECRET: env.secret('HMAC secret for signed download URLs (first choice).'),
  PLANEXE_DOWNLOAD_TOKEN_TTL: env.int(900, 'Lifetime of a signed download URL, seconds.', { min: 1, max: 7 * 24 * 3600 }),
  PLANEXE_DOWNLOAD_TOKEN_KEYS: env.secret(
    'Download-token keyring for rotation without downtime: `kid:secret,…` (first entry signs, every entry verifies tokens that name it; the entry `default` stands for PLANEXE_DOWNLOAD_TOKEN_SECRET / PLANEXE_API_KEY_SECRET and keeps `<expiry>.<mac>` tokens valid). Every service that signs or verifies download URLs reads it. Unset → the spec secret alone.',
  ),
  PLANEXE_MCP_REQUIRE_USER_KEY: env.bool(false, 'When true, plan_create, plan_list and send_feedback need a user key (pex_…), not the shared secret.'),
};

/** The bind address and port of a service's HTTP listener. */
export const listenVars = {
  PLANEXE_MCP_HTTP_HOST: env.str('127.0.0.1', 'Bind address. A loopback value also turns on the DNS-rebinding guard (Host/Origin must be loopback). Use 0.0.0.0 in containers.'),
  PORT: env.optionalInt('Bind port; wins over PLANEXE_MCP_HTTP_PORT (PaaS convention).', { min: 0, max: 65535 }),
  PLANEXE_MCP_HTTP_PORT: env.int(8001, 'Bind port when PORT is unset.', { min: 0, max: 65535 }),
};

/** The public HTTP edge. */
export const httpVars = {
  ...listenVars,
  PLANEXE_MCP_PUBLIC_BASE_URL: env.url(undefined, 'Absolute base for download_url and sse_url; unset → derived from each request (X-Forwarded-Proto/Host, Host).'),
  PLANEXE_MCP_CORS_ORIGINS: env.optionalStr('Allowed CORS origins: CSV or JSON array. Unset → https://mcp.planexe.org, https://home.planexe.org when auth is required, * otherwise.'),
  PLANEXE_MCP_MAX_BODY_BYTES: env.int(1_048_576, 'Largest request body accepted on POST /mcp and /mcp/tools/call.', { min: 1024 }),
  PLANEXE_MCP_RATE_LIMIT: env.int(60, 'Requests per window per API key (else client IP) on /mcp and /mcp/tools/call; <=0 disables.'),
  PLANEXE_MCP_RATE_WINDOW_SECONDS: env.float(60, 'Main rate-limit window, seconds.', { min: 0.001 }),
  PLANEXE_MCP_DOWNLOAD_RATE_LIMIT: env.int(10, 'Requests per window on /download…; <=0 disables.'),
  PLANEXE_MCP_DOWNLOAD_RATE_WINDOW_SECONDS: env.float(60, 'Download rate-limit window, seconds.', { min: 0.001 }),
  PLANEXE_MCP_PLAN_CREATE_COST: env.int(5, 'Rate-limit points a plan_create call takes from the main budget (every other request takes 1).', { min: 1 }),
  PLANEXE_MCP_TRUST_PROXY_HOPS: env.int(0, 'Reverse proxies in front of the edge whose X-Forwarded-For is trusted for the client IP (rate-limit keys, SSE caps); 0 = the socket peer.', { min: 0, max: 10 }),
  PLANEXE_MCP_GLAMA_MAINTAINER_EMAIL: env.str('neoneye@gmail.com', 'Maintainer email in /.well-known/glama.json.'),
};

/** Plan creation and the tools. */
export const planVars = {
  PLANEXE_DEDUP_WINDOW_SECONDS: env.int(600, 'plan_create returns an identical pending/processing plan of the same caller created within this window; <=0 disables.'),
  PLANEXE_MCP_RESOURCE_MAX_INLINE_BYTES: env.int(
    5_242_880,
    'Largest plan file resources/read returns inline (text, or base64 blob); a larger one is answered with its signed download URL instead.',
    { min: 1024 },
  ),
  PLANEXE_WORKER_PLAN_URL: env.url(undefined, 'Base URL of a worker run-file API for the file/report/zip fallbacks (upstream default http://worker_plan:8000; unset → no HTTP fallback).'),
};

/** LLM model profiles. */
export const llmVars = {
  PLANEXE_CONFIG_PATH: env.optionalStr('Absolute directory searched first for llm_config/<profile>.json (then ./llm_config, then the repository\'s llm_config).'),
  PLANEXE_MODEL_PROFILE: env.str('baseline', 'Profile reported as default_profile by model_profiles (invalid → baseline).'),
  PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: env.str('custom.json', 'File used for the custom profile; must match ^[a-z0-9_]{3,}\\.json$, else baseline.json.'),
  PLANEXE_LLM_CONFIG_WHITELISTED_CLASSES: env.optionalStr('Comma list of provider classes allowed in profiles (case-insensitive); unset → all.'),
};

/** SSE stream. */
export const sseVars = {
  PLANEXE_SSE_POLL_INTERVAL: env.float(3, 'Seconds between DB polls when the bus is unavailable.', { min: 0.05 }),
  PLANEXE_SSE_HEARTBEAT_INTERVAL: env.float(20, 'Seconds of silence before a heartbeat event.', { min: 0 }),
  PLANEXE_SSE_MAX_DURATION: env.int(3600, 'Maximum stream age, seconds.', { min: 1 }),
  PLANEXE_SSE_MAX_CONNECTIONS: env.int(5, 'Concurrent SSE streams per client address (plan_status waits and subscriptions/listen streams count too).', { min: 1 }),
  PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: env.int(200, 'Concurrent SSE streams server-wide (plan_status waits and subscriptions/listen streams count too).', { min: 1 }),
};

/** The plan worker. */
export const workerVars = {
  PLANEXE_WORKER_ID: env.optionalStr('Worker id; else <RAILWAY_REPLICA_REGION>_<RAILWAY_REPLICA_ID>; else hostname-pid.'),
  PLANEXE_WORKER_CONCURRENCY: env.int(2, 'Plans one worker process runs at once.', { min: 1, max: 64 }),
  PLANEXE_RUN_DIR: env.str('.planexe/run', 'Directory of run dirs (a cache; Postgres holds every step output).'),
  PLANEXE_CREDIT_PRICE_CENTS: env.int(100, 'Price of one credit in US cents.', { min: 1 }),
  PLANEXE_SUCCESS_PLAN_FEE_USD: env.float(1, 'Flat fee charged on successful runs, USD.', { min: 0 }),
  PLANEXE_WORKER_HTTP_PORT: env.int(8000, 'Port of the worker run-file API (GET /runs/<id>/files|report|zip) in distributed mode; 0 disables it.', { min: 0, max: 65535 }),
  PLANEXE_WORKER_HEARTBEAT_SECONDS: env.int(5, 'How often a worker writes the heartbeat of each plan it runs (the liveness a takeover is decided by).', { min: 1 }),
  PLANEXE_WORKER_STALE_SECONDS: env.int(20, 'A processing plan whose worker sent no heartbeat for this long is re-fed by the reconciler and taken over by another worker (keeping its attempt, start time and progress).', { min: 3 }),
  PLANEXE_RECONCILE_SECONDS: env.int(5, 'Period of the reconciler that re-enqueues, from Postgres, pending plans without a queue job and processing plans with a stale heartbeat (one elected worker per pass; also runs at every worker start).', { min: 1 }),
  PLANEXE_WORKER_REAP_SECONDS: env.int(1800, 'A processing plan with no live worker for this long is failed (recoverable) by the reaper; 0 disables it.', { min: 0 }),
  PLANEXE_QUEUE_LOCK_SECONDS: env.int(30, 'BullMQ job lock, renewed while a job runs. Takeover of a dead worker\'s plan does not wait for it (the reconciler re-feeds on the plan heartbeat); it only bounds how long a dead worker\'s job record stays active.', { min: 2 }),
};

/** Trust between the gateway and the internal services (distributed mode). */
export const internalVars = {
  PLANEXE_INTERNAL_SECRET: env.secret(
    'Shared secret internal services require from the gateway (header x-planexe-internal, compared in constant time); only with it do they trust the caller and client address the gateway forwards. Required by the distributed gateway, tools and artifacts services (the stream service trusts the forwarded client address for its per-client cap only with it); sent to the worker run-file API.',
  ),
};

/** The distributed gateway: where its upstream services listen. */
export const gatewayVars = {
  PLANEXE_TOOLS_URL: env.urlList('http://tools:8002', 'Gateway: base URL of the tools service (/mcp…, /examples/…); a comma-separated list for one URL per replica (a failed connection is retried on the next), or one load-balanced address (a Kubernetes Service).'),
  PLANEXE_STREAM_URL: env.urlList('http://stream:8003', 'Gateway: base URL of the stream service (/sse/…); a comma-separated list for one URL per replica (a failed connection is retried on the next), or one load-balanced address (a Kubernetes Service).'),
  PLANEXE_ARTIFACTS_URL: env.urlList('http://artifacts:8004', 'Gateway: base URL of the artifacts service (/download/…); a comma-separated list for one URL per replica (a failed connection is retried on the next), or one load-balanced address (a Kubernetes Service).'),
  PLANEXE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS: env.float(60, 'Gateway: longest wait for an upstream\'s response headers (then 504), and longest silence inside a non-streaming response body. SSE streams have no idle limit.', { min: 0.1 }),
};

/** Signals: Redis and NATS (distributed mode). */
export const signalVars = {
  PLANEXE_REDIS_URL: env.url(undefined, 'Redis URL (redis://host:6379) for the BullMQ queue, rate limits and SSE caps; unset → in-process adapters.'),
  PLANEXE_NATS_URL: env.url(undefined, 'NATS URL (nats://host:4222) for progress events and stop signals; unset → in-process bus.'),
  PLANEXE_REDIS_PREFIX: env.str('planexe', 'Key prefix of the queue and the limits in Redis (separate deployments can share one Redis).'),
  PLANEXE_NATS_NAMESPACE: env.str('v1', 'Subject namespace on NATS: planexe.<namespace>.plan.<id>.snapshot|stop.'),
};

/** The distributed artifacts service: how it reads stored artifacts and the worker fallback. */
export const artifactsVars = {
  PLANEXE_ARTIFACTS_WORKER_MAX_BYTES: env.int(100_000_000, 'Largest worker run-file response the artifacts service accepts (spooled to a temporary file), bytes.', { min: 1 }),
  PLANEXE_ARTIFACTS_COPY_CONNECTIONS: env.int(8, 'Postgres connections the artifacts service streams stored artifacts through (downloads from the database at once).', { min: 1, max: 100 }),
};

/** The local stdio proxy (`planexe-local-proxy`), run by MCP clients on the user's machine. */
export const localProxyVars = {
  PLANEXE_URL: env.optionalStr('Local proxy: the PlanExe server it forwards to (normalised to end in /mcp/); unset → the local `npm start` server.'),
  PLANEXE_PATH: env.optionalStr('Local proxy: the folder plan_download saves files in; unset → the working directory.'),
};

/** Test-only surface (services/tools/src/conformanceGate.ts reads it and refuses it with auth on or in production). */
export const conformanceVars = {
  PLANEXE_CONFORMANCE_FIXTURES: env.bool(false, 'Serve the MCP conformance suite\'s fixture tools, prompts and resources (`npm run conformance`). Refused at start-up with PLANEXE_MCP_REQUIRE_AUTH on or NODE_ENV=production.'),
};
