export * from './cloudClient.ts';
export * from './cloudUrl.ts';
export * from './planDownload.ts';
export * from './printConfig.ts';
export * from './proxyServer.ts';
export * from './saveFile.ts';
export { runLocalProxy } from './main.ts';
