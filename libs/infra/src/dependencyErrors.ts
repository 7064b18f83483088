/**
 * Telling "a dependency is down" (Postgres, Redis, NATS unreachable or restarting) from every other failure.
 * The difference decides a plan's fate: an infrastructure error only delays work (retry with backoff, answer
 * SERVICE_UNAVAILABLE), while any other error is the plan's own failure. Drivers report outages in different
 * shapes (errno codes, SQLSTATE classes, bare messages), so the rules are collected here, once.
 */

/** Thrown by our own adapters when a dependency did not answer in time (e.g. an enqueue during a Redis outage). */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: 'postgres' | 'redis' | 'nats',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailable';
  }
}

const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'CONNECTION_CLOSED',
  'CONNECTION_REFUSED',
  'DISCONNECT',
]);

/**
 * SQLSTATEs of a server that is going away or not accepting connections: class 08 (connection exception),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections).
 */
const PG_UNAVAILABLE = /^(08\w{3}|57P0[123]|53300)$/;

const MESSAGES = [
  /Connection terminated/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is closed/i,
  /connect ECONNREFUSED/i,
  /Reached the max retries per request limit/i,
  /Stream isn't writeable and enableOfflineQueue options is false/i,
  /LOADING Redis is loading/i,
];

function one(e: unknown): boolean {
  if (e instanceof DependencyUnavailable) return true;
  if (!e || typeof e !== 'object') return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NET_CODES.has(code) || PG_UNAVAILABLE.test(code))) return true;
  return typeof message === 'string' && MESSAGES.some((m) => m.test(message));
}

/** True when `err` (or anything in its cause chain, or an AggregateError member) says a dependency is down. */
export function isDependencyDown(err: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length) {
    const e = stack.pop();
    if (!e || seen.has(e)) continue;
    seen.add(e);
    if (one(e)) return true;
    if (typeof e === 'object') {
      const cause = (e as { cause?: unknown }).cause;
      if (cause) stack.push(cause);
      const errors = (e as { errors?: unknown }).errors;
      if (Array.isArray(errors)) stack.push(...errors);
    }
  }
  return false;
}

/** Seconds a caller should wait before trying again while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;
