/**
 * Writes server.json, the MCP Registry entry of the hosted service (schema 2025-12-11), from libs/contracts.
 * `--check` writes nothing and exits 1 when the committed file differs from what the contracts say.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registryServerJson } from '@planexe/contracts';

const target = fileURLToPath(new URL('../server.json', import.meta.url));
const text = `${JSON.stringify(registryServerJson(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as different
  }
  if (current !== text) {
    console.error('server.json is out of date: run `npm run registry:server-json`');
    process.exit(1);
  }
  console.log('server.json matches libs/contracts');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
