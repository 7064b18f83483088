import { z } from 'zod';
import { ErrorDetailSchema } from './toolOutputs.ts';

/** JSON Schema (draft 2020-12) for a tool input: defaults make fields optional. */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

/** JSON Schema for a tool output, as the MCP client validates structuredContent against it. */
export function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

/**
 * The advertised outputSchema of a tool: the success object, plus the contract's `error` member, with the
 * required lists moved into `anyOf` so a result validates either as a success or as `{"error": {...}}`.
 * MCP clients (the TypeScript SDK among them) validate structuredContent of error results too, and a plain
 * success schema would turn every contract error into a client-side validation failure. The root keeps
 * `type: object` and `properties`, which clients that reject root-level `oneOf` accept.
 */
export function toolOutputJsonSchema(schema: z.ZodObject<any>): Record<string, unknown> {
  const js = outputJsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;
  const errorJs = outputJsonSchema(ErrorDetailSchema);
  const properties = { ...(js.properties ?? {}) };
  // a tool whose success payload has its own `error` member (plan_status diagnostics) accepts either shape
  properties.error = 'error' in properties ? { anyOf: [properties.error, errorJs] } : errorJs;
  const { required, ...rest } = js;
  return {
    ...rest,
    properties,
    ...(required?.length ? { anyOf: [{ required }, { required: ['error'] }] } : {}),
  };
}
