import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spliceEnvTable } from '../src/envDocs.ts';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
const next = spliceEnvTable(readFileSync(readme, 'utf8'));
writeFileSync(readme, next);
console.log('README.md env table updated');
