/**
 * Step 60: the pitch edited into a one-page document. The model restructures and tightens the text; the Markdown
 * itself is written here from its structured answer, so model text never becomes markup.
 */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { planMessages } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSafe, mdSection, mdTable, prettyJson } from '../markdownText.ts';
import type { PitchSchema } from './createPitch.ts';

export const PitchPageSchema = z.object({
  headline: z.string().describe('One line that names the project and its promise'),
  paragraphs: z.array(z.string()).min(1).describe('The pitch text, tightened, one paragraph per item'),
  key_points: z.array(z.string()).min(1).describe('Three to five takeaways a listener should remember'),
  call_to_action: z.string(),
});

type Pitch = z.output<typeof PitchSchema>;

const SYSTEM = `You are an editor preparing a project pitch for a one-page handout. Your reader is the same audience the
pitch addresses; they will skim it after the meeting.

You get the pitch and its supporting notes. Write a one-line headline, the pitch as short paragraphs (keep the
substance, numbers and promises exactly; cut filler and repetition), three to five key points a reader should
remember, and the call to action. Do not add claims that are not in the pitch.`;

export function pitchMarkdown(page: z.output<typeof PitchPageSchema>, pitch: Pitch): string {
  return mdJoin([
    mdSection(page.headline, mdJoin(page.paragraphs)),
    mdSection('Key points', mdBullets(page.key_points)),
    mdSection('Call to action', page.call_to_action),
    mdSection('Audience', pitch.target_audience),
    mdSection('Why this pitch works', pitch.why_this_pitch_works),
    mdSection('Stakeholder benefits', mdTable(['Stakeholder', 'Benefit'], pitch.stakeholder_benefits.map((s) => [s.stakeholder, s.benefit]))),
    mdSection('Risks and mitigations', pitch.risks_and_mitigations),
    mdSection('Metrics for success', mdBullets(pitch.metrics_for_success)),
  ]);
}

export const convertPitchToMarkdownStep: StepDef = {
  name: 'ConvertPitchToMarkdown',
  deps: ['CreatePitch'],
  llm: true,
  outputs: ['pitch_to_markdown_raw.json', 'pitch.md'],
  async run(ctx) {
    const pitch = ctx.readJson<Pitch>('pitch_raw.json');
    const notes = `Audience: ${pitch.target_audience}\nCall to action: ${pitch.call_to_action}\nWhy it works: ${pitch.why_this_pitch_works}`;
    const sources = [{ title: 'Pitch', text: pitch.pitch }, { title: 'Supporting notes', text: notes }];
    const v = await ctx.llmJson(PitchPageSchema, planMessages(SYSTEM, sources, 'Edit the pitch into a one-page handout.'), { schemaName: 'ConvertPitchToMarkdown' });
    return { 'pitch_to_markdown_raw.json': prettyJson(v), 'pitch.md': pitchMarkdown(mdSafe(v), mdSafe(pitch)) };
  },
};
