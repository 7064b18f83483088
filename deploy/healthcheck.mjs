/* global fetch, AbortSignal */
// The image's health check: the service's liveness probe on its own port. The worker's HTTP side (the run-file API)
// has no /livez (it answers 403 there, internal endpoint); it answers /healthcheck, which is tried when /livez fails.
const base = `http://127.0.0.1:${process.env.PORT || 8001}`;
const get = (path) => fetch(base + path, { signal: AbortSignal.timeout(2500) });
try {
  let res = await get('/livez');
  if (!res.ok) res = await get('/healthcheck');
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
