import { z } from 'zod';

/**
 * One environment variable: its parser (a zod schema over the raw string), its default as written in the docs,
 * and its meaning. The README's env table is generated from these definitions (`npm run docs:env`).
 */
export interface EnvVar<T> {
  schema: z.ZodType<T>;
  defaultText: string;
  description: string;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

function def<T>(schema: z.ZodType<T>, defaultText: string, description: string): EnvVar<T> {
  return { schema, defaultText, description };
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Why a raw value was refused; thrown by a parser, turned into the variable's zod issue by `parsed`. */
class Refusal extends Error {}
const refuse = (message: string): never => {
  throw new Refusal(message);
};

/**
 * The schema of one variable: blank counts as unset, then `parse` maps the raw text (undefined when unset) to the
 * value or refuses it with a message. Every typed variable below is one `parse` function.
 */
function parsed<T>(parse: (raw: string | undefined) => T): z.ZodType<T> {
  const s = z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        try {
          return parse(v);
        } catch (e) {
          if (!(e instanceof Refusal)) throw e;
          ctx.addIssue({ code: 'custom', message: e.message });
          return z.NEVER;
        }
      }),
  );
  return s as unknown as z.ZodType<T>;
}

function parseUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (/^(https?|redis|rediss|nats|tls|postgres|postgresql):$/.test(u.protocol)) return raw.replace(/\/+$/, '');
  } catch {
    // refused below
  }
  return refuse(`expected an absolute URL, got '${raw}'`);
}

export const env = {
  bool(defaultValue: boolean, description: string): EnvVar<boolean> {
    const s = parsed((v) => {
      if (v === undefined) return defaultValue;
      const t = v.trim().toLowerCase();
      if (TRUE.includes(t)) return true;
      if (FALSE.includes(t)) return false;
      return refuse(`expected one of 1/true/yes/on or 0/false/no/off, got '${v}'`);
    });
    return def(s, String(defaultValue), description);
  },
  int(defaultValue: number, description: string, opts: { min?: number; max?: number } = {}): EnvVar<number> {
    const s = parsed((v) => {
      if (v === undefined) return defaultValue;
      const t = v.trim();
      if (!/^-?\d+$/.test(t)) return refuse(`expected an integer, got '${v}'`);
      const n = Number(t);
      if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
        return refuse(`expected an integer in [${opts.min ?? '-∞'}, ${opts.max ?? '∞'}], got ${n}`);
      }
      return n;
    });
    return def(s, String(defaultValue), description);
  },
  optionalInt(description: string, opts: { min?: number; max?: number } = {}): EnvVar<number | undefined> {
    const inner = env.int(0, description, opts).schema;
    const s = z.preprocess(blankToUndefined, z.union([z.undefined(), inner]));
    return def(s as z.ZodType<number | undefined>, 'unset', description);
  },
  float(defaultValue: number, description: string, opts: { min?: number } = {}): EnvVar<number> {
    const s = parsed((v) => {
      if (v === undefined) return defaultValue;
      const n = Number(v.trim());
      if (!Number.isFinite(n) || (opts.min !== undefined && n < opts.min)) {
        return refuse(`expected a number${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got '${v}'`);
      }
      return n;
    });
    return def(s, String(defaultValue), description);
  },
  str(defaultValue: string, description: string): EnvVar<string> {
    const s = parsed((v) => (v === undefined ? defaultValue : v.trim()));
    return def(s, defaultValue === '' ? 'empty' : defaultValue, description);
  },
  optionalStr(description: string): EnvVar<string | undefined> {
    const s = parsed((v) => v?.trim() || undefined);
    return def(s, 'unset', description);
  },
  /** A secret: never echoed in an error message. */
  secret(description: string): EnvVar<string | undefined> {
    const s = z.preprocess(blankToUndefined, z.string().optional());
    return def(s as z.ZodType<string | undefined>, 'unset', description);
  },
  url(defaultValue: string | undefined, description: string): EnvVar<string | undefined> {
    const s = parsed((v) => {
      const raw = v?.trim() ?? defaultValue;
      return raw === undefined ? undefined : parseUrl(raw);
    });
    return def(s, defaultValue ?? 'unset', description);
  },
  /** One URL or a comma-separated list of them (e.g. one per replica), each checked like `url`. */
  urlList(defaultValue: string, description: string): EnvVar<string[]> {
    const s = parsed((v) => {
      const parts = (v ?? defaultValue).split(',').map((p) => p.trim()).filter(Boolean);
      const out = parts.map((p) => {
        try {
          return parseUrl(p);
        } catch {
          return refuse(`expected absolute URLs separated by commas, got '${p}'`);
        }
      });
      return out.length ? out : refuse('expected at least one URL');
    });
    return def(s, defaultValue, description);
  },
  oneOf<const T extends readonly string[]>(values: T, defaultValue: T[number], description: string): EnvVar<T[number]> {
    const s = parsed((v): T[number] => {
      if (v === undefined) return defaultValue;
      const t = v.trim().toLowerCase();
      if ((values as readonly string[]).includes(t)) return t as T[number];
      return refuse(`expected one of ${values.join(', ')}, got '${v}'`);
    });
    return def(s, defaultValue, description);
  },
};

export type EnvShape = Record<string, EnvVar<any>>;
export type EnvConfig<S extends EnvShape> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid environment variable ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Parses every variable of the shape from `source`; the first bad one throws a ConfigError naming it. */
export function loadEnv<S extends EnvShape>(shape: S, source: Record<string, string | undefined> = process.env): EnvConfig<S> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(shape)) {
    const r = v.schema.safeParse(source[name]);
    if (!r.success) {
      const isSecret = /SECRET|PASSWORD|API_KEY|TOKEN/.test(name);
      throw new ConfigError(name, isSecret ? 'invalid value (hidden)' : r.error.issues.map((i) => i.message).join('; '));
    }
    out[name] = r.data;
  }
  return out as EnvConfig<S>;
}
