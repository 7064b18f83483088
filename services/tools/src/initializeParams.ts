/**
 * A 2025-era `initialize` with missing or malformed params: the SDK answers -32603 with a dump of its schema error;
 * the contract's answer is -32602 with a sentence a person can act on (tests/security/regressions.test.ts).
 */
export function invalidInitializeParams(msg: { method?: unknown; params?: unknown }): string | undefined {
  if (msg.method !== 'initialize') return undefined;
  const p = msg.params as { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: unknown } | undefined;
  if (!p || typeof p !== 'object') return 'Invalid params: initialize needs params {protocolVersion, capabilities, clientInfo}';
  const missing = (['protocolVersion', 'capabilities', 'clientInfo'] as const).filter((k) => p[k] === undefined || p[k] === null);
  if (missing.length) return `Invalid params: initialize params lack ${missing.join(', ')}`;
  if (typeof p.protocolVersion !== 'string') return 'Invalid params: protocolVersion must be a string';
  return undefined;
}
