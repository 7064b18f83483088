import { z } from 'zod';

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
