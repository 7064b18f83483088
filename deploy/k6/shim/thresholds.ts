/**
 * k6 thresholds over the samples a run collected: `metric{tag:value,…}` selects the samples, and each expression
 * (`p(99)<250`, `avg<100`, `med<50`, `min`/`max`, `count>=10`, `rate<0.01`, `value>0`) is an aggregate compared with a
 * number (https://grafana.com/docs/k6/latest/using-k6/thresholds/).
 */
import type { Sample } from './bridge.ts';

export interface ThresholdResult {
  threshold: string;
  expression: string;
  /** the aggregate, or undefined when no sample matched (k6 then leaves a trend threshold unevaluated: we fail it) */
  value?: number;
  ok: boolean;
}

function parseKey(key: string): { metric: string; tags: [string, string][] } {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key.trim());
  if (!m) throw new Error(`k6 shim: cannot read threshold ${key}`);
  const tags = (m[2] ?? '')
    .split(',')
    .filter(Boolean)
    .map((t) => {
      const i = t.indexOf(':');
      return [t.slice(0, i).trim(), t.slice(i + 1).trim()] as [string, string];
    });
  return { metric: m[1].trim(), tags };
}

function percentile(sorted: number[], p: number): number {
  // k6 interpolates between the two nearest ranks
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (rank - lo);
}

function aggregate(name: string, values: number[], seconds: number): number | undefined {
  if (name === 'count') return values.reduce((a, b) => a + b, 0);
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(name);
  if (p) return percentile(sorted, Number(p[1]));
  switch (name) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'med':
      return percentile(sorted, 50);
    case 'min':
      return sorted[0];
    case 'max':
      return sorted[sorted.length - 1];
    case 'value':
      return values[values.length - 1];
    case 'rate':
      // a Rate: share of non-zero samples; a Counter: per second
      return values.reduce((a, b) => a + b, 0) / (seconds || 1);
  }
  throw new Error(`k6 shim: unknown threshold aggregate ${name}`);
}

const compare: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export function evaluateThresholds(thresholds: Record<string, (string | { threshold: string })[]>, samples: Sample[], seconds: number): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [key, list] of Object.entries(thresholds ?? {})) {
    const { metric, tags } = parseKey(key);
    const matching = samples.filter((s) => s.metric === metric && tags.every(([k, v]) => s.tags[k] === v));
    const isRate = matching[0]?.type === 'rate';
    const values = matching.map((s) => (isRate ? (s.value ? 1 : 0) : s.value));
    for (const item of list) {
      const expression = typeof item === 'string' ? item : item.threshold;
      const m = /^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(expression);
      if (!m) throw new Error(`k6 shim: cannot read threshold expression ${expression}`);
      const value = isRate && m[1] === 'rate' ? (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined) : aggregate(m[1], values, seconds);
      out.push({ threshold: key, expression, value, ok: value !== undefined && compare[m[2]](value, Number(m[3])) });
    }
  }
  return out;
}
