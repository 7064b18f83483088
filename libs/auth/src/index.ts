export * from './apiKeys.ts';
export * from './caller.ts';
export * from './publicRequests.ts';
export * from './downloadTokens.ts';
export * from './keyAdmin.ts';
export * from './gatewayHeaders.ts';
export * from './authThrottle.ts';
export * from './keyDirectory.ts';
