import type { SurfaceExtension } from './surface.ts';
import { createConformanceFixtures } from './conformanceFixtures.ts';

/**
 * The conformance fixtures are on only with PLANEXE_CONFORMANCE_FIXTURES=1, and never where they could be reached by
 * anyone but the suite: start-up is refused when authentication is on or in a production image (NODE_ENV=production,
 * which deploy/Dockerfile sets). Deliberately not in the config schema: it is not a setting of the service.
 */
export function conformanceExtensions(env: Record<string, string | undefined>, authRequired: boolean): SurfaceExtension[] {
  if (env.PLANEXE_CONFORMANCE_FIXTURES !== '1') return [];
  if (authRequired) {
    throw new Error('PLANEXE_CONFORMANCE_FIXTURES=1 is refused with PLANEXE_MCP_REQUIRE_AUTH on: the fixtures are for the conformance suite against a local server only');
  }
  if (env.NODE_ENV === 'production') throw new Error('PLANEXE_CONFORMANCE_FIXTURES=1 is refused in a production image (NODE_ENV=production)');
  return [createConformanceFixtures()];
}
