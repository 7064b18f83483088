import { decodeMcpHeaderValue, trimOws } from '@planexe/contracts';

/**
 * `Mcp-Param-*` headers on 2026-07-28 tool calls (SEP-2243): a tool argument whose input schema says
 * `"x-mcp-header": "<Name>"` is mirrored by the client into `Mcp-Param-<Name>`, so an edge may route on it without
 * parsing the body; the server must refuse a call whose header is missing or disagrees with the argument (HTTP 400,
 * -32020), as it does for `Mcp-Name`.
 *
 * Why here: the SDK checks these only for tools registered on its high-level `McpServer`; our factory serves the
 * contract's registry through the low-level `Server`, so the check the SDK would make is made before its handler.
 * Our own tools declare no such argument today; the conformance fixtures do.
 */

/** One declared mirror: the argument at `path` (a chain of `properties`) in header `Mcp-Param-<headerName>`. */
export interface ParamHeader {
  path: string[];
  headerName: string;
  type: 'string' | 'integer' | 'boolean' | 'number';
}

const MIRRORED_TYPES = new Set(['string', 'integer', 'boolean', 'number']);

/** The declarations of a tool's input schema: properties reached through `properties` only, of a primitive type. */
export function paramHeadersOf(inputSchema: unknown): ParamHeader[] {
  const found: ParamHeader[] = [];
  const visit = (node: unknown, path: string[]) => {
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    const name = schema['x-mcp-header'];
    if (path.length > 0 && typeof name === 'string' && name.length > 0 && typeof schema.type === 'string' && MIRRORED_TYPES.has(schema.type)) {
      found.push({ path, headerName: name, type: schema.type as ParamHeader['type'] });
    }
    const props = schema.properties;
    if (props !== null && typeof props === 'object') for (const [k, child] of Object.entries(props)) visit(child, [...path, k]);
  };
  visit(inputSchema, []);
  return found;
}

/** The refusal of a call whose mirrored header disagrees with its body (the `-32020` answer of the standard headers). */
export interface ParamHeaderMismatch {
  header: string;
  message: string;
}

const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

const valueAt = (args: unknown, path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), args);

/** The header text a primitive argument is mirrored as; undefined for what is not mirrored (objects, arrays). */
const asHeaderText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'boolean' ? String(v) : undefined;

/**
 * The first declared argument whose header is missing, undecodable or different from the body; undefined when all
 * agree. An argument that is absent or null needs no header (the client omits it).
 */
export function paramHeaderMismatch(declared: readonly ParamHeader[], args: unknown, headerOf: (lowerName: string) => string | undefined): ParamHeaderMismatch | undefined {
  for (const d of declared) {
    const body = valueAt(args, d.path);
    const bodyText = body === undefined || body === null ? undefined : asHeaderText(body);
    if (bodyText === undefined) continue;
    const header = `Mcp-Param-${d.headerName}`;
    const where = `params.arguments.${d.path.join('.')}`;
    const raw = headerOf(`mcp-param-${d.headerName.toLowerCase()}`);
    if (raw === undefined) return { header, message: `the body carries ${where}=${JSON.stringify(body)} but the ${header} header is absent` };
    const decoded = decodeMcpHeaderValue(trimOws(raw));
    if (decoded === null) return { header, message: `the ${header} header carries an invalid Base64 sentinel value` };
    const numeric = (d.type === 'integer' || d.type === 'number') && typeof body === 'number' && CANONICAL_DECIMAL.test(decoded);
    if (numeric ? Number(decoded) !== body : decoded !== bodyText) {
      return { header, message: `the ${header} header decodes to ${JSON.stringify(decoded)} but the body carries ${where}=${JSON.stringify(body)}` };
    }
  }
  return undefined;
}
