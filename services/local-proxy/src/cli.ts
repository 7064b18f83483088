// The `planexe-local-proxy` command: the entry of the published bundle (dist/) and of a source checkout (bin/).
import { runLocalProxy } from './main.ts';

process.exitCode = await runLocalProxy(process.argv.slice(2), process.env);
