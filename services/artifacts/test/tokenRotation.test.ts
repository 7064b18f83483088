/**
 * Download-token rotation across the three services that touch a token, each built by its own factory from its
 * own config schema: the tools sign download_url, the gateway lets a keyless download through on the token, the
 * artifacts service verifies it. With a rotated keyring in the shared environment, a token signed by the tools
 * under the new key downloads through the gateway, and so does one signed under the previous secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadTokens } from '@planexe/auth';
import { loadServiceConfig } from '@planexe/config';
import type { DbHandle } from '@planexe/db';
import { silentLogger } from '@planexe/telemetry';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { INTERNAL_SECRET, listen, startGateway, startToolsService, type Listening } from '../../../tests/harness/distributedServer.ts';
import { artifactsFromConfig, createArtifactsApp, type ArtifactsService } from '../src/index.ts';
import { API_SECRET, planWith, request, userWithKey } from './downloadHarness.ts';

const pg = await postgresAvailable();
const OLD_SECRET = 'rotation-test-old-secret';
// phase 2 of a rotation: the new key signs, the previous secret (`default`) still verifies
const ENV = {
  PLANEXE_MCP_REQUIRE_AUTH: 'true',
  PLANEXE_API_KEY_SECRET: API_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_SECRET: OLD_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_KEYS: 'k2:rotation-test-new-secret-0123,default',
};

describe.runIf(pg)('download-token rotation across tools, gateway and artifacts', () => {
  let dbh: DbHandle;
  let artifacts: ArtifactsService;
  let artifactsHttp: Listening;
  let tools: Awaited<ReturnType<typeof startToolsService>>;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    dbh = await createTestPostgresDb();
    const config = loadServiceConfig('artifacts', { ...ENV, PLANEXE_INTERNAL_SECRET: INTERNAL_SECRET });
    artifacts = artifactsFromConfig(config, { db: dbh.db, log: silentLogger() });
    artifactsHttp = await listen(createArtifactsApp(artifacts, { internalSecret: INTERNAL_SECRET, log: silentLogger() }).callback());
    tools = await startToolsService(dbh, ENV);
    gateway = await startGateway(dbh, { env: ENV, tools: tools.url, artifacts: artifactsHttp.url });
  });
  afterAll(async () => {
    await gateway?.close();
    await tools?.close();
    await artifactsHttp?.close();
    await artifacts?.close();
    await dbh?.close();
  });

  it('a download_url the tools sign with the rotated key downloads through the gateway without a key', async () => {
    const alice = await userWithKey(dbh.db);
    const id = await planWith(dbh.db, alice.user.id, { reportHtml: '<html>rotated</html>' });
    const res = await fetch(`${gateway.url}/mcp/tools/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': alice.key },
      body: JSON.stringify({ tool: 'plan_file_info', arguments: { plan_id: id } }),
    });
    expect(res.status).toBe(200);
    const info = JSON.parse(((await res.json()) as { content: { text: string }[] }).content[0].text) as { download_url: string };
    const url = new URL(info.download_url);
    expect(url.searchParams.get('token')).toMatch(/^\d+\.k2\.[0-9a-f]{64}$/);
    const download = await request(gateway.url, `${url.pathname}${url.search}`);
    expect(download.status).toBe(200);
    expect(download.body.toString()).toBe('<html>rotated</html>');
  });

  it('a token signed under the previous secret still downloads; one under an unknown key does not', async () => {
    const alice = await userWithKey(dbh.db);
    const id = await planWith(dbh.db, alice.user.id, { reportHtml: '<html>old</html>' });
    const old = new DownloadTokens([OLD_SECRET], 900).sign(id, 'report.html').token;
    expect((await request(gateway.url, `/download/${id}/report.html?token=${old}`)).status).toBe(200);
    const stranger = new DownloadTokens([], 900, { keyring: 'k2:some-other-secret-0123456789' }).sign(id, 'report.html').token;
    expect((await request(gateway.url, `/download/${id}/report.html?token=${stranger}`)).status).toBe(401);
  });
});
