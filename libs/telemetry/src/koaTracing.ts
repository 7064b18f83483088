import type { Context, Next } from 'koa';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { withSpanFrom } from './tracing.ts';

/** One SERVER span per HTTP request, continuing the caller's trace (traceparent header). */
export function koaTracing(serviceName: string) {
  return async (ctx: Context, next: Next) =>
    withSpanFrom(
      ctx.headers as Record<string, string>,
      `${ctx.method} ${ctx.path.startsWith('/sse/plan/') ? '/sse/plan/:id' : ctx.path.startsWith('/download/') ? '/download/:id/:file' : ctx.path}`,
      { 'http.request.method': ctx.method, 'url.path': ctx.path, 'service.name': serviceName },
      async (span) => {
        await next();
        span.setAttribute('http.response.status_code', ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      },
      SpanKind.SERVER,
    );
}
