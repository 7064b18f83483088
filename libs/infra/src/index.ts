export * from './ports.ts';
export * from './connectionSlots.ts';
export * from './dependencyErrors.ts';
export * from './jobId.ts';
export * from './inProcess/memoryQueue.ts';
export * from './inProcess/memoryBus.ts';
export * from './inProcess/memoryLimits.ts';
// network adapters: importing them connects to nothing; their constructors / connect() do
export * from './redis/bullmqQueue.ts';
export * from './redis/redisLimits.ts';
export * from './nats/natsBus.ts';
export * from './nats/natsTrace.ts';
