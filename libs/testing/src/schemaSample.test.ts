import { describe, expect, it } from 'vitest';
import AjvModule from 'ajv';
import { sampleFromSchema, type JsonSchema } from './schemaSample.ts';

const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

function expectValid(schema: JsonSchema, seed = 'abc') {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  const value = sampleFromSchema(schema, { seed });
  const validate = ajv.compile(schema as object);
  expect(validate(value), `${JSON.stringify(value)} ${JSON.stringify(validate.errors)}`).toBe(true);
  return value;
}

describe('sampleFromSchema', () => {
  it('handles recursive schemas without looping', () => {
    const tree = { $ref: '#/$defs/node', $defs: { node: { type: 'object', required: ['label'], properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } } } } };
    expectValid(tree);
  });

  it('handles numbers, tuples, allOf, minProperties and string bounds', () => {
    expectValid({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
    expectValid({ type: 'integer', minimum: 10, maximum: 100, multipleOf: 7 });
    expectValid({ type: 'integer', exclusiveMaximum: -5 });
    expectValid({ type: 'array', items: [{ type: 'integer' }, { type: 'boolean' }, { type: 'string' }], additionalItems: false });
    expect(sampleFromSchema({ type: 'array', prefixItems: [{ type: 'integer' }], items: false })).toHaveLength(1);
    expectValid({ allOf: [{ type: 'object', required: ['a'], properties: { a: { type: 'string' } } }, { required: ['b'], properties: { b: { type: 'integer' } } }] });
    expectValid({ type: 'object', minProperties: 3, additionalProperties: { type: 'string' } });
    expectValid({ type: 'string', minLength: 200 });
    expectValid({ type: 'string', maxLength: 3 });
    expectValid({ type: 'array', items: { enum: ['x', 'y', 'z'] }, minItems: 3, uniqueItems: true });
    expectValid({ type: ['null', 'integer'] });
    expectValid({ oneOf: [{ type: 'null' }, { type: 'string', format: 'email' }] });
    expect(sampleFromSchema({ const: { a: 1 } })).toEqual({ a: 1 });
  });

  it('is deterministic per seed and varies across seeds', () => {
    const s = { type: 'object', properties: { summary: { type: 'string' }, score: { type: 'integer', minimum: 0, maximum: 1000 } } };
    expect(sampleFromSchema(s, { seed: 'one' })).toEqual(sampleFromSchema(s, { seed: 'one' }));
    expect(sampleFromSchema(s, { seed: 'one' })).not.toEqual(sampleFromSchema(s, { seed: 'two' }));
  });
});
