/* global fetch, AbortSignal */
// The image's health check: the service's liveness probe on its own port. The worker's HTTP side (the run-file API)
// has no /livez; it answers /healthcheck, which is tried when /livez is not there.
const base = `http://127.0.0.1:${process.env.PORT || 8001}`;
const get = (path) => fetch(base + path, { signal: AbortSignal.timeout(2500) });
try {
  let res = await get('/livez');
  if (res.status === 404) res = await get('/healthcheck');
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
