export * from './app.ts';
export * from './artifactsConfig.ts';
export * from './downloadRoute.ts';
export * from './httpRange.ts';
export * from './sendArtifact.ts';
