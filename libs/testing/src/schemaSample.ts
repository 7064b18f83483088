/**
 * Deterministic JSON Schema → example value generation, used by the fake LLM to answer structured-output
 * requests with content that validates against the requested schema.
 *
 * Supported: type (incl. unions such as ["string","null"]), object (properties, required,
 * additionalProperties, minProperties), array (items, prefixItems / tuple items, minItems/maxItems, uniqueItems), string
 * (enum, const, minLength/maxLength, formats date/date-time/time/uuid/email/uri/hostname/ipv4), number/integer
 * (minimum/maximum, exclusive bounds, multipleOf), boolean, null, anyOf/oneOf (first non-null branch), allOf
 * (shallow merge), $ref to local JSON pointers (#/$defs/..., #/definitions/...). `pattern` is not supported.
 */
export type JsonSchema = boolean | { [key: string]: unknown };
type SchemaObj = { [key: string]: unknown };

export interface SampleOptions {
  /** Varies the generated text and numbers; e.g. a hash of the prompt. */
  seed?: string;
  /** Array length when the schema does not constrain it (clamped to minItems/maxItems). Default 2. */
  defaultArrayItems?: number;
  /** Depth after which optional properties / items are omitted, to stop recursive schemas. Default 6. */
  maxDepth?: number;
}

/** FNV-1a 32-bit hash, returned as an unsigned integer. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Short hex seed for a piece of text (8 hex chars). */
export function seedOf(text: string): string {
  return hash32(text).toString(16).padStart(8, '0');
}

const WORDS = [
  'scope', 'budget', 'timeline', 'stakeholder', 'milestone', 'risk', 'dependency', 'resource', 'review',
  'launch', 'pilot', 'rollout', 'audit', 'training', 'vendor', 'permit', 'prototype', 'survey', 'baseline',
  'contingency', 'handover', 'procurement', 'testing', 'workshop', 'forecast', 'compliance', 'logistics',
];
const ADJECTIVES = [
  'phased', 'focused', 'realistic', 'lean', 'robust', 'staged', 'measurable', 'incremental', 'shared',
  'detailed', 'practical', 'scalable', 'clear', 'early', 'final', 'regional', 'weekly', 'critical',
];

export function pick<T>(list: readonly T[], key: string): T {
  return list[hash32(key) % list.length];
}

function humanize(name: string): string {
  const s = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_\-.]+/g, ' ').trim().toLowerCase();
  return s ? s[0].toUpperCase() + s.slice(1) : 'Value';
}

interface Ctx {
  root: SchemaObj;
  seed: string;
  defaultItems: number;
  maxDepth: number;
}

function isObj(v: unknown): v is SchemaObj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveRef(ctx: Ctx, ref: string): JsonSchema {
  if (!ref.startsWith('#')) throw new Error(`schemaSample: only local $ref is supported, got ${ref}`);
  let node: unknown = ctx.root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObj(node) || Array.isArray(node) ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (node === undefined) throw new Error(`schemaSample: unresolvable $ref ${ref}`);
  return node as JsonSchema;
}

/** Merges allOf branches (after resolving refs) into one schema: properties and required are unioned. */
function mergeAllOf(ctx: Ctx, schema: SchemaObj): SchemaObj {
  const { allOf, ...rest } = schema;
  const out: SchemaObj = { ...rest };
  for (const branch of allOf as JsonSchema[]) {
    const b = normalize(ctx, branch);
    if (!isObj(b)) continue;
    for (const [k, v] of Object.entries(b)) {
      if (k === 'properties' && isObj(v)) out.properties = { ...(out.properties as SchemaObj), ...v };
      else if (k === 'required' && Array.isArray(v)) out.required = [...((out.required as string[]) ?? []), ...v];
      else if (!(k in out)) out[k] = v;
    }
  }
  return out;
}

function normalize(ctx: Ctx, schema: JsonSchema, hops = 0): JsonSchema {
  if (!isObj(schema)) return schema;
  if (typeof schema.$ref === 'string' && hops < 50) {
    const { $ref, ...rest } = schema;
    const target = normalize(ctx, resolveRef(ctx, $ref as string), hops + 1);
    return Object.keys(rest).length && isObj(target) ? { ...target, ...rest } : target;
  }
  if (Array.isArray(schema.allOf)) return mergeAllOf(ctx, schema);
  return schema;
}

function isNullOnly(ctx: Ctx, s: JsonSchema): boolean {
  const n = normalize(ctx, s);
  return isObj(n) && (n.type === 'null' || n.const === null);
}

function chooseType(s: SchemaObj): string {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t) && t.length) return (t.find((x) => x !== 'null') as string | undefined) ?? 'null';
  if (isObj(s.properties) || s.additionalProperties !== undefined || Array.isArray(s.required)) return 'object';
  if (s.items !== undefined || Array.isArray(s.prefixItems) || s.minItems !== undefined) return 'array';
  if (s.minimum !== undefined || s.maximum !== undefined) return 'number';
  return 'string';
}

function gen(ctx: Ctx, input: JsonSchema, path: string, name: string, depth: number): unknown {
  if (depth > ctx.maxDepth + 20) return null; // required-only recursion that never bottoms out
  const schema = normalize(ctx, input);
  if (schema === true) return `${humanize(name)} ${ctx.seed}`;
  if (schema === false || !isObj(schema)) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return pick(schema.enum, ctx.seed + path);
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(branches) && branches.length) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const branch = branches.find((b) => !isNullOnly(ctx, b)) ?? branches[0];
    const nb = normalize(ctx, branch);
    return gen(ctx, isObj(nb) ? { ...rest, ...nb } : nb, path, name, depth);
  }
  switch (chooseType(schema)) {
    case 'object': return genObject(ctx, schema, path, depth);
    case 'array': return genArray(ctx, schema, path, name, depth);
    case 'integer': return genNumber(ctx, schema, path, true);
    case 'number': return genNumber(ctx, schema, path, false);
    case 'boolean': return hash32(ctx.seed + path) % 2 === 0;
    case 'null': return null;
    default: return genString(ctx, schema, path, name);
  }
}

function genObject(ctx: Ctx, s: SchemaObj, path: string, depth: number): Record<string, unknown> {
  const props = isObj(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const out: Record<string, unknown> = {};
  const deep = depth >= ctx.maxDepth;
  for (const [key, sub] of Object.entries(props)) {
    if (deep && !required.has(key)) continue;
    out[key] = gen(ctx, sub as JsonSchema, `${path}/${key}`, key, depth + 1);
  }
  const extra = s.additionalProperties;
  const extraSchema: JsonSchema = extra === undefined || extra === false ? true : (extra as JsonSchema);
  for (const key of required) {
    if (!(key in out)) out[key] = gen(ctx, isObj(props[key]) ? (props[key] as JsonSchema) : extraSchema, `${path}/${key}`, key, depth + 1);
  }
  const minProps = typeof s.minProperties === 'number' ? s.minProperties : 0;
  const wantExtra = extra !== undefined && extra !== false && Object.keys(props).length === 0 && !deep ? 1 : 0;
  for (let i = 1; extra !== false && Object.keys(out).length < Math.max(minProps, wantExtra); i++) {
    const key = `key${i}`;
    if (!(key in out)) out[key] = gen(ctx, extraSchema, `${path}/${key}`, key, depth + 1);
  }
  return out;
}

function genArray(ctx: Ctx, s: SchemaObj, path: string, name: string, depth: number): unknown[] {
  const min = typeof s.minItems === 'number' ? s.minItems : 0;
  // 2020-12 tuples use prefixItems + items; draft-07 tuples use an items array + additionalItems.
  const prefix = (Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : []) as JsonSchema[];
  const rest = (Array.isArray(s.items) ? s.additionalItems : s.items) as JsonSchema | undefined;
  let max = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
  if (rest === false) max = Math.min(max, prefix.length);
  const wanted = depth >= ctx.maxDepth ? min : Math.max(ctx.defaultItems, prefix.length);
  const count = Math.max(min, Math.min(max, wanted));
  const items: JsonSchema = rest === undefined || rest === false ? true : rest;
  const itemName = name.endsWith('s') && name.length > 1 ? name.slice(0, -1) : `${name} item`;
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0, attempt = 0; out.length < count && attempt < count + 20; attempt++) {
    const schema = i < prefix.length ? prefix[i] : items;
    const v = gen(ctx, schema, `${path}/${attempt}`, `${itemName} ${i + 1}`, depth + 1);
    const key = JSON.stringify(v);
    if (s.uniqueItems === true && seen.has(key) && attempt < count + 19) continue;
    seen.add(key);
    out.push(v);
    i++;
  }
  return out;
}

function genNumber(ctx: Ctx, s: SchemaObj, path: string, integer: boolean): number {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  const step = num(s.multipleOf);
  let lo = num(s.minimum) ?? -Infinity;
  let hi = num(s.maximum) ?? Infinity;
  const eps = integer ? 1 : 1e-6;
  if (exMin !== undefined) lo = Math.max(lo, exMin + eps);
  if (exMax !== undefined) hi = Math.min(hi, exMax - eps);
  if (lo === -Infinity && hi === Infinity) lo = 1;
  if (lo === -Infinity) lo = hi - 100;
  if (hi === Infinity) hi = lo + 100;
  if (integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
  }
  const f = (hash32(ctx.seed + path) % 1000) / 1000;
  if (step !== undefined && step > 0) {
    const first = Math.ceil(lo / step);
    const last = Math.floor(hi / step);
    const n = last >= first ? first + Math.floor(f * (last - first + 1)) : first;
    return Number((n * step).toPrecision(12));
  }
  if (integer) return Math.min(hi, lo + Math.floor(f * (hi - lo + 1)));
  const raw = lo + f * (hi - lo);
  const rounded = Math.round(raw * 100) / 100;
  return rounded >= lo && rounded <= hi ? rounded : raw;
}

function hexOf(key: string, len: number): string {
  let out = '';
  for (let i = 0; out.length < len; i++) out += hash32(`${key}#${i}`).toString(16).padStart(8, '0');
  return out.slice(0, len);
}

function genFormat(ctx: Ctx, format: string, path: string, name: string): string | undefined {
  const h = hash32(ctx.seed + path);
  const date = new Date(Date.UTC(2025, 0, 1) + (h % 730) * 86_400_000 + (h % 86_400) * 1000);
  const slug = humanize(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
  switch (format) {
    case 'date': return date.toISOString().slice(0, 10);
    case 'date-time': return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'time': return date.toISOString().slice(11, 19) + 'Z';
    case 'uuid': {
      const x = hexOf(ctx.seed + path, 32);
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-${'89ab'[h % 4]}${x.slice(17, 20)}-${x.slice(20, 32)}`;
    }
    case 'email': return `${slug}.${ctx.seed}@example.com`;
    case 'uri': case 'url': case 'iri': return `https://example.com/${slug}/${ctx.seed}`;
    case 'hostname': return `${slug}.example.com`;
    case 'ipv4': return `10.${h % 256}.${(h >> 8) % 256}.${(h >> 16) % 256}`;
    default: return undefined;
  }
}

function genString(ctx: Ctx, s: SchemaObj, path: string, name: string): string {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  const formatted = typeof s.format === 'string' ? genFormat(ctx, s.format, path, name) : undefined;
  if (formatted !== undefined) return formatted;
  const key = ctx.seed + path;
  let text = `${humanize(name)}: ${pick(ADJECTIVES, key + 'a')} ${pick(WORDS, key + 'b')} ${pick(WORDS, key + 'c')} (${ctx.seed})`;
  for (let i = 0; text.length < min; i++) text += ` ${pick(WORDS, `${key}${i}`)}`;
  if (text.length > max) text = text.slice(0, max);
  return text.length > min && text.endsWith(' ') ? text.trimEnd().padEnd(min, 'x') : text;
}

/** Generates a deterministic value that validates against `schema` (for the supported keywords). */
export function sampleFromSchema(schema: JsonSchema, options: SampleOptions = {}): unknown {
  const ctx: Ctx = {
    root: isObj(schema) ? schema : {},
    seed: options.seed ?? '0000',
    defaultItems: options.defaultArrayItems ?? 2,
    maxDepth: options.maxDepth ?? 6,
  };
  return gen(ctx, schema, '#', isObj(schema) && typeof schema.title === 'string' ? schema.title : 'value', 0);
}
