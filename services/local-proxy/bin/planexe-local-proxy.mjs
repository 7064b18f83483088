#!/usr/bin/env node
// `planexe-local-proxy`: stdout is JSON-RPC only. The published package runs its bundle (dist/, plain JavaScript
// with every dependency inside); a source checkout, which has src/, runs the TypeScript through tsx, so a clone
// never runs a stale build.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/planexe-local-proxy.mjs');
}
