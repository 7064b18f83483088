/** The shim's `k6` module: check, sleep, group, fail (https://grafana.com/docs/k6/latest/javascript-api/k6/). */
import { addSample, blockFor } from './bridge.ts';

export function check<T>(value: T, checks: Record<string, (v: T) => unknown>, tags: Record<string, string> = {}): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(checks)) {
    let ok: boolean;
    try {
      ok = !!fn(value);
    } catch {
      ok = false; // k6 counts a check that throws as failed
    }
    addSample({ metric: 'checks', type: 'rate', value: ok ? 1 : 0, tags: { ...tags, check: name } });
    all &&= ok;
  }
  return all;
}

export function sleep(seconds: number): void {
  blockFor(seconds * 1000);
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

export function fail(message = ''): never {
  throw new Error(message);
}

export default { check, sleep, group, fail };
