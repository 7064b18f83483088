import { context, propagation } from '@opentelemetry/api';
import type { NatsBusOptions } from './natsBus.ts';

/**
 * NatsBus hooks that carry W3C trace context in message headers: publishers inject the active context, and
 * listeners run inside the publisher's context, so a plan's events stay in the plan's trace. No-ops when no
 * tracer provider is installed.
 */
export const natsTraceHooks: Pick<NatsBusOptions, 'injectHeaders' | 'withHeaders'> = {
  injectHeaders: () => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return Object.keys(carrier).length ? carrier : undefined;
  },
  withHeaders: (headers, deliver) => {
    context.with(propagation.extract(context.active(), headers), deliver);
  },
};
