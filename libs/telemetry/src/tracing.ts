import { context, metrics, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context as OtelContext, type Span } from '@opentelemetry/api';
import { NodeTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

let shutdownHooks: (() => Promise<void>)[] = [];

/**
 * OpenTelemetry for one service: traces and metrics over OTLP/HTTP to `endpoint` (e.g. http://collector:4318).
 * Without an endpoint nothing is installed and every helper below is a cheap no-op. W3C trace context is the
 * propagation format, carried in HTTP headers, BullMQ job data and NATS message headers.
 */
export function initTelemetry(o: { serviceName: string; endpoint?: string; metricIntervalMs?: number }): boolean {
  if (!o.endpoint) return false;
  const base = o.endpoint.replace(/\/+$/, '');
  const resource = resourceFromAttributes({ 'service.name': o.serviceName, 'service.namespace': 'planexe' });
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }), { scheduledDelayMillis: 500 })],
  });
  provider.register();
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }), exportIntervalMillis: o.metricIntervalMs ?? 15_000 })],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  shutdownHooks = [() => provider.shutdown(), () => meterProvider.shutdown()];
  return true;
}

/** Flushes and stops exporters (graceful shutdown). */
export async function shutdownTelemetry(): Promise<void> {
  await Promise.all(shutdownHooks.map((h) => h().catch(() => {})));
  shutdownHooks = [];
}

export const tracer = () => trace.getTracer('planexe');

/** The active trace context as W3C headers (`traceparent`, `tracestate`) for a job, message or request. */
export function traceCarrier(ctx: OtelContext = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Runs `fn` inside a span whose parent is the trace context in `carrier` (if any). */
export async function withSpanFrom<T>(
  carrier: Record<string, string | string[] | undefined> | undefined,
  name: string,
  attrs: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.CONSUMER,
): Promise<T> {
  const parent = carrier ? propagation.extract(context.active(), carrier) : context.active();
  return tracer().startActiveSpan(name, { kind, attributes: attrs }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}

/** A child span of the active context. */
export function withSpan<T>(name: string, attrs: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return withSpanFrom(undefined, name, attrs, fn, SpanKind.INTERNAL);
}

/** The active span's ids, for log lines. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

export { SpanKind };

/** Records an instant span in the active context (e.g. an event handed from the bus to SSE clients). */
export function markSpan(name: string, attrs: Attributes): void {
  tracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes: attrs }).end();
}
