export * from './fakeLlm.ts';
export { sampleFromSchema, seedOf, hash32, type JsonSchema, type SampleOptions } from './schemaSample.ts';
export { isFullTestRun } from './testForm.ts';
