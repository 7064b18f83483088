// README "Try it without an LLM account": `npm run fake-llm` plus PLANEXE_CONFIG_PATH=llm_config/offline.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { findProfileFile, readProfileEntries, runnableEntries } from '@planexe/config';
import { FAKE_LLM_DEFAULT_PORT } from '../src/fakeLlm.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OFFLINE = `${ROOT}llm_config/offline`;
const settings = { PLANEXE_CONFIG_PATH: OFFLINE, PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: 'custom.json' };

describe('the offline profile example', () => {
  it('PLANEXE_CONFIG_PATH=llm_config/offline makes baseline one runnable model at the fake LLM default address', () => {
    const file = findProfileFile('baseline.json', settings, ROOT);
    expect(file).toBe(`${OFFLINE}/baseline.json`);
    const entries = runnableEntries(readProfileEntries(file, settings, {}));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ providerClass: 'OpenAILike', model: 'fake-model', arguments: { api_base: `http://127.0.0.1:${FAKE_LLM_DEFAULT_PORT}/v1` } });
    // premium and the rest still come from the repository's own files
    expect(findProfileFile('premium.json', settings, ROOT)).toBe(`${ROOT}llm_config/premium.json`);
  });

  it('the fake-llm command serves the OpenAI API and says how to start PlanExe with it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'libs/testing/src/fakeLlmMain.ts'], {
      cwd: ROOT, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let err = '';
      child.stderr.on('data', (c) => (err += String(c)));
      const [first] = await once(child.stdout, 'data');
      const url = String(first).trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await fetch(`${url}/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'Say something.' }] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0].message.content.length).toBeGreaterThan(0);
      await expect.poll(() => err).toContain('llm_config/offline/baseline.json');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
