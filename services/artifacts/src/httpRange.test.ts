import { describe, it, expect } from 'vitest';
import { decideRange, ifRangeHolds, noneMatchHit } from './httpRange.ts';

describe('ranges and validators', () => {
  it.each([
    [undefined, 10, { kind: 'full' }],
    ['bytes=0-4', 10, { kind: 'partial', start: 0, end: 5 }],
    ['bytes=5-', 10, { kind: 'partial', start: 5, end: 10 }],
    ['bytes=-3', 10, { kind: 'partial', start: 7, end: 10 }],
    ['bytes=-30', 10, { kind: 'partial', start: 0, end: 10 }],
    ['bytes=8-99', 10, { kind: 'partial', start: 8, end: 10 }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=5-4', 10, { kind: 'full' }],
    ['bytes=0-1,3-4', 10, { kind: 'full' }],
    ['items=0-1', 10, { kind: 'full' }],
    ['bytes=-', 10, { kind: 'full' }],
  ])('%s of %i bytes', (h, size, want) => expect(decideRange(h as string | undefined, size)).toEqual(want));

  it('If-None-Match compares weakly, If-Range strongly', () => {
    expect(noneMatchHit('W/"a"', '"a"')).toBe(true);
    expect(noneMatchHit('"b" , "a"', '"a"')).toBe(true);
    expect(noneMatchHit('"b"', '"a"')).toBe(false);
    expect(noneMatchHit(undefined, '"a"')).toBe(false);
    expect(ifRangeHolds(undefined, '"a"')).toBe(true);
    expect(ifRangeHolds('"a"', '"a"')).toBe(true);
    expect(ifRangeHolds('W/"a"', '"a"')).toBe(false);
    expect(ifRangeHolds('Wed, 21 Oct 2015 07:28:00 GMT', '"a"')).toBe(false);
  });
});
