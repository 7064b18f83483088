import { loadServiceConfig, type StreamConfig } from '@planexe/config';

export type { StreamConfig };

/** The stream service's variables (libs/config's `stream` schema: one definition, one README row each). */
export function loadStreamConfig(source: Record<string, string | undefined> = process.env): StreamConfig {
  return loadServiceConfig('stream', source);
}
