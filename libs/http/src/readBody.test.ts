import { describe, it, expect } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './readBody.ts';

const nested = (levels: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

describe('JSON nesting limit', () => {
  it('takes MAX_JSON_DEPTH levels and refuses one more, in objects and arrays alike', () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: null }] }, 3)).toBe(false); // three levels
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: {} }] }, 3)).toBe(true); // four
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('checks 20,000 levels (what JSON.parse takes in 120 KB) without overflowing its own stack', () => {
    const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000));
    expect(() => JSON.stringify(deep)).toThrow(RangeError); // what the limit keeps from every handler
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
  });
});
