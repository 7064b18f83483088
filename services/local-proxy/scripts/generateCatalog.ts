/**
 * Writes src/cloudCatalog.json: the cloud tool catalog (from libs/contracts) in the proxy's wording, so the published
 * proxy needs no workspace library at run time. `npm run catalog -w @planexe/local-proxy` after a contract change;
 * test/catalog.test.ts fails while the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLocalCatalog } from './localCatalog.ts';

const out = join(import.meta.dirname, '..', 'src', 'cloudCatalog.json');
writeFileSync(out, JSON.stringify(buildLocalCatalog(), null, 2) + '\n');
process.stderr.write(`wrote ${out}\n`);
