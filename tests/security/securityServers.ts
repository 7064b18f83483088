/**
 * The two ways the public surface runs, for the security suites: standalone (one process, the edge in front of every
 * service in-process) and distributed (the gateway proxying to the real tools, stream and artifacts services, each
 * on its own port with the internal secret). Auth is required; budgets are high and distinct, so a response's
 * RateLimit-Limit says which budget a request was charged to without the budgets running out.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DownloadTokens, issueApiKey } from '@planexe/auth';
import { createArtifactsApp, createArtifactsService } from '@planexe/artifacts';
import { createUser, insertPlan, revokeApiKey, type DbHandle } from '@planexe/db';
import { MemoryBus, MemoryLimits } from '@planexe/infra';
import { clientAddressResolver, createStreamListener, createStreamService } from '@planexe/stream';
import { silentLogger } from '@planexe/telemetry';
import { INTERNAL_SECRET, listen, startDistributed, type Listening } from '../harness/distributedServer.ts';
import { startTestServer, TEST_SECRET } from '../harness/testServer.ts';

export type Mode = 'standalone' | 'distributed';

export const MAIN_LIMIT = 900_000;
export const DOWNLOAD_LIMIT = 800_000;
export const MAX_BODY = 4096;
export const TOKEN_SECRET = 'security-suite-download-token-secret';

export const SECURITY_ENV: Record<string, string> = {
  PLANEXE_MCP_REQUIRE_AUTH: 'true',
  PLANEXE_API_KEY_SECRET: TEST_SECRET,
  PLANEXE_DOWNLOAD_TOKEN_SECRET: TOKEN_SECRET,
  PLANEXE_MCP_RATE_LIMIT: String(MAIN_LIMIT),
  PLANEXE_MCP_DOWNLOAD_RATE_LIMIT: String(DOWNLOAD_LIMIT),
  PLANEXE_MCP_MAX_BODY_BYTES: String(MAX_BODY),
  PLANEXE_SSE_MAX_CONNECTIONS: '100000',
  PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: '100000',
};

export interface Principals {
  /** Owner of `planId`. */
  validKey: string;
  /** Another user: owns nothing the suite asks about. */
  otherKey: string;
  /** A key of the owner's that was revoked. */
  revokedKey: string;
  planId: string;
  /** The plan's prompt: no answer to anyone but the owner may contain it. */
  planPrompt: string;
  /** A download token for the plan's report (valid for exactly that plan and file). */
  reportToken: string;
}

export interface SecurityServer {
  mode: Mode;
  url: string;
  principals: Principals;
  close(): Promise<void>;
}

async function principals(dbh: DbHandle, tokens: DownloadTokens): Promise<Principals> {
  const owner = await createUser(dbh.db, { email: `owner-${Date.now()}@example.com`, credits: 1000 });
  const other = await createUser(dbh.db, { email: `other-${Date.now()}@example.com`, credits: 1000 });
  const valid = await issueApiKey(dbh.db, owner.id, TEST_SECRET, 'valid');
  const revoked = await issueApiKey(dbh.db, owner.id, TEST_SECRET, 'revoked');
  await revokeApiKey(dbh.db, revoked.row.id);
  const otherKey = await issueApiKey(dbh.db, other.id, TEST_SECRET, 'other');
  const planPrompt = `security suite plan ${randomUUID()}`;
  const plan = await insertPlan(dbh.db, { prompt: planPrompt, userId: owner.id, apiKeyId: valid.row.id, parameters: {} });
  return { validKey: valid.key, otherKey: otherKey.key, revokedKey: revoked.key, planId: plan.id, planPrompt, reportToken: tokens.sign(plan.id, 'report.html').token };
}

export async function startSecurityServer(mode: Mode, dbh: DbHandle): Promise<SecurityServer> {
  const tokens = new DownloadTokens([TOKEN_SECRET], 900);
  if (mode === 'standalone') {
    const srv = await startTestServer(dbh, SECURITY_ENV);
    return { mode, url: srv.url, principals: await principals(dbh, tokens), close: srv.close };
  }
  const log = silentLogger();
  const limits = new MemoryLimits();
  const stream = createStreamService(
    { db: dbh.db, bus: new MemoryBus(), limits, log },
    {
      pollIntervalSeconds: 5,
      heartbeatIntervalSeconds: 15,
      maxDurationSeconds: 60,
      maxConnections: 100_000,
      maxTotalConnections: 100_000,
      clientAddress: clientAddressResolver(INTERNAL_SECRET),
    },
  );
  const streamServer = createServer(createStreamListener(stream, { onError: () => {} }));
  await new Promise<void>((r) => streamServer.listen(0, '127.0.0.1', r));
  const streamUrl = `http://127.0.0.1:${(streamServer.address() as AddressInfo).port}`;
  const artifacts = createArtifactsService({ db: dbh.db, tokens, log });
  const artifactsHttp: Listening = await listen(createArtifactsApp(artifacts, { internalSecret: INTERNAL_SECRET, log }).callback());
  const d = await startDistributed(dbh, { env: SECURITY_ENV, stream: streamUrl, artifacts: artifactsHttp.url });
  return {
    mode,
    url: d.url,
    principals: await principals(dbh, tokens),
    close: async () => {
      await d.close();
      await stream.close();
      streamServer.closeAllConnections();
      await new Promise((r) => streamServer.close(r));
      await artifactsHttp.close();
      await artifacts.close();
    },
  };
}
