export * from './errors.ts';
export * from './providers.ts';
export * from './usage.ts';
export * from './httpChat.ts';
export * from './jsonAnswer.ts';
export * from './chatClient.ts';
export * from './modelRouter.ts';
export * from './reachability.ts';
