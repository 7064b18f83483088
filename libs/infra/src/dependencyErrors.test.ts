import { describe, it, expect } from 'vitest';
import { DependencyUnavailable, isDependencyDown } from './dependencyErrors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDependencyDown', () => {
  it('recognises outages in the shapes pg, ioredis and our adapters report them', () => {
    expect(isDependencyDown(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDependencyDown(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isDependencyDown(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isDependencyDown(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyDown(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDependencyDown(new Error('Connection is closed.'))).toBe(true);
    expect(isDependencyDown(new DependencyUnavailable('redis', 'no answer'))).toBe(true);
    // wrapped (a step failure carrying the database error as its cause), or inside an AggregateError
    expect(isDependencyDown(new Error('step failed', { cause: withCode('x', 'ECONNRESET') }))).toBe(true);
    expect(isDependencyDown(new AggregateError([new Error('a'), withCode('b', 'ECONNREFUSED')]))).toBe(true);
  });

  it('leaves the plan’s own failures and bad queries alone', () => {
    expect(isDependencyDown(new Error('every configured model failed'))).toBe(false);
    expect(isDependencyDown(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isDependencyDown(withCode('syntax error at or near "selec"', '42601'))).toBe(false);
    expect(isDependencyDown(undefined)).toBe(false);
    const loop: Error & { cause?: unknown } = new Error('self');
    loop.cause = loop;
    expect(isDependencyDown(loop)).toBe(false);
  });
});
