export * from './edgeAuth.ts';
export * from './edgeBasics.ts';
export * from './discovery.ts';
