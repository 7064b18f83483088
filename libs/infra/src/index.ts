export * from './ports.ts';
export * from './inProcess/memoryQueue.ts';
export * from './inProcess/memoryBus.ts';
export * from './inProcess/memoryLimits.ts';
