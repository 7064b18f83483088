import { metrics } from '@opentelemetry/api';

/** The shared metric names; instruments are no-ops until initTelemetry installed a meter provider. */
export const METRICS = {
  plansByState: 'planexe.plans.transitions',
  stepDuration: 'planexe.step.duration',
  llmTokens: 'planexe.llm.tokens',
  sseConnections: 'planexe.sse.connections',
  rateLimitRefusals: 'planexe.ratelimit.refusals',
  queueDepth: 'planexe.queue.depth',
  reconcilerRefed: 'planexe.reconciler.refed',
  reconcilerStranded: 'planexe.reconciler.stranded',
  oldestPendingAge: 'planexe.plans.oldest_pending_age',
} as const;

const meter = () => metrics.getMeter('planexe');

export const meters = {
  planTransition: (state: string) => meter().createCounter(METRICS.plansByState).add(1, { state }),
  stepDuration: (step: string, seconds: number) => meter().createHistogram(METRICS.stepDuration, { unit: 's' }).record(seconds, { step }),
  llmTokens: (model: string, kind: 'input' | 'output', n: number) => meter().createCounter(METRICS.llmTokens).add(n, { model, kind }),
  sseConnections: (delta: number) => meter().createUpDownCounter(METRICS.sseConnections).add(delta),
  rateLimitRefusal: (route: string) => meter().createCounter(METRICS.rateLimitRefusals).add(1, { route }),
  queueDepth: (waiting: number, active: number) => {
    const g = meter().createGauge(METRICS.queueDepth);
    g.record(waiting, { kind: 'waiting' });
    g.record(active, { kind: 'active' });
  },
  reconcilerRefed: (state: string, n: number) => meter().createCounter(METRICS.reconcilerRefed).add(n, { state }),
  reconcilerStranded: (state: string, n: number) => meter().createCounter(METRICS.reconcilerStranded).add(n, { state }),
  oldestPendingAge: (seconds: number) => meter().createGauge(METRICS.oldestPendingAge, { unit: 's' }).record(seconds),
};
