#!/usr/bin/env node
// `npx planexe-local-proxy` — the PlanExe stdio MCP proxy (TypeScript, loaded through tsx). stdout is JSON-RPC only.
import { register } from 'tsx/esm/api';
register();
const { runLocalProxy } = await import('../src/main.ts');
process.exitCode = await runLocalProxy(process.argv.slice(2), process.env);
