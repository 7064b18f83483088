import { DownloadTokens } from './downloadTokens.ts';

/** The download-token variables of a service's config (every schema in libs/config that signs or verifies has them). */
export interface DownloadTokenConfig {
  PLANEXE_DOWNLOAD_TOKEN_SECRET?: string;
  PLANEXE_API_KEY_SECRET?: string;
  PLANEXE_DOWNLOAD_TOKEN_TTL: number;
  PLANEXE_DOWNLOAD_TOKEN_KEYS?: string;
}

/**
 * The one way a service builds its download-token signer: the tools sign download_url, the gateway checks a token
 * before it lets a keyless download through, the artifacts service verifies it. All three must agree on the
 * secrets and the rotation keyring, or a rotated token signed by one is refused by another.
 */
export function downloadTokensFromConfig(c: DownloadTokenConfig): DownloadTokens {
  return new DownloadTokens([c.PLANEXE_DOWNLOAD_TOKEN_SECRET, c.PLANEXE_API_KEY_SECRET], c.PLANEXE_DOWNLOAD_TOKEN_TTL, {
    keyring: c.PLANEXE_DOWNLOAD_TOKEN_KEYS,
  });
}
