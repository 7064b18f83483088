export * from './app.ts';
export * from './connectionSlots.ts';
export * from './planEvents.ts';
export * from './planFeeds.ts';
export * from './planStream.ts';
export * from './sseWire.ts';
export * from './clientAddress.ts';
export * from './streamConfig.ts';
