export * from './logger.ts';
export * from './tracing.ts';
export * from './koaTracing.ts';
export * from './meters.ts';
