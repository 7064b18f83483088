export * from './planWorker.ts';
export * from './engine/planRunner.ts';
export * from './engine/stepTypes.ts';
export * from './engine/executor.ts';
export * from './engine/progress.ts';
export * from './pipeline/graph.ts';
export * from './reconciler.ts';
export * from './workerFromConfig.ts';
