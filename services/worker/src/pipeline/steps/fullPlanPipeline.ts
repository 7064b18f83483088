/** Step 73: the completion marker, written once every other step of the graph has finished. */
import type { StepDef } from '../../engine/stepTypes.ts';

export const PIPELINE_COMPLETE_TEXT = 'Full pipeline executed successfully.\n';

/** The marker step depending on every step before it (spec §2: "73 needs all"), Report included. */
export function fullPlanPipelineStep(before: ReadonlyArray<StepDef>): StepDef {
  return {
    name: 'FullPlanPipeline',
    deps: before.map((s) => s.name),
    llm: false,
    outputs: ['pipeline_complete.txt'],
    async run() {
      return { 'pipeline_complete.txt': PIPELINE_COMPLETE_TEXT };
    },
  };
}
