export * from './envVar.ts';
export * from './vars.ts';
export * from './services.ts';
export * from './envDocs.ts';
export * from './llmProfiles.ts';
