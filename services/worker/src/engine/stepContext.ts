import type { StepContext } from './stepTypes.ts';

/** What a runner gives a step beyond its files: identity, inputs, the stop signal and the model. */
export type StepContextBase = Omit<StepContext, 'read' | 'readJson'>;

/**
 * The context a step runs in, the same for the engine and the in-memory runner: a file read of a name the run
 * does not have is an error naming the file, and JSON is read through the same read.
 */
export function stepContext(base: StepContextBase, file: (name: string) => string | undefined): StepContext {
  const read = (name: string) => {
    const v = file(name);
    if (v === undefined) throw new Error(`missing input file ${name}`);
    return v;
  };
  return { ...base, read, readJson: (name) => JSON.parse(read(name)) };
}
