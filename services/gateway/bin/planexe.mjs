#!/usr/bin/env node
// `npx planexe admin …` — loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
const { runAdmin } = await import('../src/cli/admin.ts');
process.exitCode = await runAdmin(process.argv.slice(2));
