// Entry of a VU thread: TypeScript (tsx) and the k6 module names (hooks.mjs) for this thread, then the VU itself.
// Plain JavaScript because a worker's entry is loaded before any loader flag could take effect.
import { register } from 'node:module';
import { URL } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register(new URL('./hooks.mjs', import.meta.url));
await import('./vu.ts');
