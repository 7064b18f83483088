/**
 * GET against the worker run-file API with a connect/overall deadline. Only URLs built from
 * PLANEXE_WORKER_PLAN_URL reach here, never a URL taken from a request. Errors read as "no answer".
 */
export async function fetchWorker(url: string, timeoutMs: number): Promise<Response | null> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch {
    return null;
  }
}
