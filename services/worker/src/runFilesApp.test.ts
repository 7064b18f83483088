import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@planexe/http';
import { describe, expect, it } from 'vitest';
import { createRunFilesApp } from './runFilesApp.ts';

const log = { info: () => {} };

describe('worker run-file API probes', () => {
  it('answers /livez, /readyz and /healthcheck without the secret like every service; the run files need it', async () => {
    let ready = true;
    const app = createRunFilesApp(mkdtempSync(join(tmpdir(), 'planexe-runfiles-')), { internalSecret: 'inside', ready: () => ready });
    const served = await serve(app.callback(), { name: 't', host: '127.0.0.1', port: 0, log, exitOnSignal: false });
    const url = `http://127.0.0.1:${served.port}`;
    try {
      expect((await fetch(`${url}/livez`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(((await (await fetch(`${url}/healthcheck`)).json()) as { status: string }).status).toBe('ok');
      ready = false;
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      const id = '0b6b4b8e-6d4a-4a3e-9a57-3f2f8d3c1a10';
      expect((await fetch(`${url}/runs/${id}/files`)).status).toBe(403);
      expect((await fetch(`${url}/runs/${id}/files`, { headers: { 'x-planexe-internal': 'inside' } })).status).toBe(404);
    } finally {
      await served.stop();
    }
  });
});
