export * from './app.ts';
export * from './deps.ts';
export * from './registry.ts';
export * from './mcpServer.ts';
export * from './statusCache.ts';
