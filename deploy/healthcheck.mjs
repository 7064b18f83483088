/* global fetch, AbortSignal */
// The image's health check: the service's readiness probe on its own port, so that "healthy" means ready for traffic
// (a replica still starting, or draining, is not; compose and podman restart nothing on an unhealthy check). The
// worker's HTTP side (its run-file API) has no /readyz (it answers 403 there: internal endpoint) but /healthcheck.
const base = `http://127.0.0.1:${process.env.PORT || 8001}`;
const get = (path) => fetch(base + path, { signal: AbortSignal.timeout(2500) });
try {
  let res = await get('/readyz');
  if (res.status === 403 || res.status === 404) res = await get('/healthcheck');
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
