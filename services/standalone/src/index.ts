export * from './app.ts';
export * from './startupChecks.ts';
export * from './clientSnippet.ts';
export * from './inProcessWorker.ts';
