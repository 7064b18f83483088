import type { Context, Next } from 'koa';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { withSpanFrom } from './tracing.ts';

/**
 * One SERVER span per HTTP request, continuing the caller's trace (traceparent header). `spanName` names it from
 * the route table (method and pattern, never the ids in a path).
 */
export function koaTracing(serviceName: string, spanName: (ctx: Context) => string) {
  return async (ctx: Context, next: Next) =>
    withSpanFrom(
      ctx.headers as Record<string, string>,
      spanName(ctx),
      { 'http.request.method': ctx.method, 'url.path': ctx.path, 'service.name': serviceName },
      async (span) => {
        await next();
        span.setAttribute('http.response.status_code', ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      },
      SpanKind.SERVER,
    );
}
