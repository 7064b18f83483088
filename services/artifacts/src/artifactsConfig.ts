import { loadServiceConfig, type ArtifactsConfig } from '@planexe/config';

export type { ArtifactsConfig };

/** The artifacts service's variables (libs/config's `artifacts` schema: one definition, one README row each). */
export function loadArtifactsConfig(source: Record<string, string | undefined> = process.env): ArtifactsConfig {
  return loadServiceConfig('artifacts', source);
}
