import type { StreamConfig } from '@planexe/config';
import { clientAddressResolver } from './clientAddress.ts';
import { createStreamService, streamOptionsFromConfig, type StreamDeps, type StreamOptions, type StreamService } from './streamService.ts';

/** The config the stream reads: its own schema in distributed mode, the standalone one in-process (no internal secret). */
export type StreamServiceConfig = Parameters<typeof streamOptionsFromConfig>[0] & Partial<Pick<StreamConfig, 'PLANEXE_INTERNAL_SECRET'>>;

/**
 * The stream service wired from config the same way in every run mode. Behind the gateway (an internal secret is
 * configured) the per-client cap counts by the address the gateway forwards; in-process, by the edge's client
 * address. `tuning` is for what a run mode knows better than the config (standalone's never-renewed slot lease).
 */
export function streamFromConfig(c: StreamServiceConfig, deps: StreamDeps, tuning: Partial<StreamOptions> = {}): StreamService {
  return createStreamService(deps, {
    ...streamOptionsFromConfig(c),
    clientAddress: clientAddressResolver(c.PLANEXE_INTERNAL_SECRET),
    ...tuning,
  });
}
