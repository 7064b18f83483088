// Module resolution for a VU thread of the k6 shim: the k6 modules a script imports resolve to the shim's own.
// Plain JavaScript: a hooks module is loaded by Node itself, before any TypeScript loader could help.
import { URL } from 'node:url';

const SHIM = {
  k6: './k6.ts',
  'k6/http': './http.ts',
  'k6/metrics': './metrics.ts',
  'k6/x/sse': './sse.ts',
};

export async function resolve(specifier, context, next) {
  const target = SHIM[specifier];
  // resolved by the rest of the chain, so the TypeScript loader (tsx) sees and loads the shim's .ts file
  if (target) return next(new URL(target, import.meta.url).href, context);
  return next(specifier, context);
}
