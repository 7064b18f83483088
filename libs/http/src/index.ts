export * from './readBody.ts';
export * from './errors.ts';
export * from './publicUrl.ts';
export * from './hostGuard.ts';
export * from './errorBoundary.ts';
export * from './trustGateway.ts';
export * from './routeMatch.ts';
