/** The strategic levers that steps 10–14 build up: decisions the project owner controls, each with options. */
import type { StepContext } from '../engine/stepTypes.ts';

export interface Lever {
  lever_id: string;
  name: string;
  consequences: string;
  options: string[];
  review: string;
  classification?: 'primary' | 'secondary';
  triage_reason?: string;
  description?: string;
  synergy?: string;
  conflict?: string;
  vital_rationale?: string;
}

/** `triaged_levers_raw.json`, `enriched_levers_raw.json`, `vital_few_levers_raw.json`: the answer plus the result. */
export interface LeverStage {
  response: unknown;
  levers: Lever[];
}

export function readLevers(ctx: Pick<StepContext, 'readJson'>, file: string): Lever[] {
  const v = ctx.readJson<Lever[] | LeverStage>(file);
  return Array.isArray(v) ? v : v.levers;
}

/** The levers as the model sees them: id, name, options and what else is known about each. */
export function leversText(levers: readonly Lever[]): string {
  return levers
    .map((l) => {
      const lines = [`${l.lever_id}. ${l.name}`, `   Options: ${l.options.join(' | ')}`, `   Consequences: ${l.consequences}`];
      if (l.description) lines.push(`   Description: ${l.description}`);
      if (l.synergy) lines.push(`   Synergy: ${l.synergy}`);
      if (l.conflict) lines.push(`   Conflict: ${l.conflict}`);
      return lines.join('\n');
    })
    .join('\n');
}
