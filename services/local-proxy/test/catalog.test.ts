import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLocalCatalog } from '../scripts/localCatalog.ts';

describe('the proxy catalog (spec/tools.md §9.1)', () => {
  const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'src', 'cloudCatalog.json'), 'utf8'));

  it('src/cloudCatalog.json is current with libs/contracts (else: npm run catalog -w @planexe/local-proxy)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildLocalCatalog())));
  });

  it('plan_download replaces plan_file_info in the tools, descriptions and instructions', () => {
    const text = JSON.stringify(committed);
    expect(text).not.toContain('plan_file_info');
    for (const s of ['plan_download', 'REMOTE_ERROR', 'DOWNLOAD_FAILED', 'PLANEXE_PATH', 'pending/processing', 'longer than 20 minutes', 'MODEL_PROFILES_UNAVAILABLE']) {
      expect(committed.instructions).toContain(s);
    }
    const byName = Object.fromEntries(committed.tools.map((t: any) => [t.name, t]));
    expect(byName.plan_create.description).toContain('plan_download');
    expect(byName.plan_download.inputSchema.properties.artifact.enum).toEqual(['report', 'zip']);
    expect(byName.plan_download.outputSchema.properties.saved_path.type).toBe('string');
    for (const t of committed.tools) expect(t.outputSchema.type).toBe('object');
    expect(byName.plan_retry.inputSchema.properties.model_profile.default).toBe('baseline');
  });
});
