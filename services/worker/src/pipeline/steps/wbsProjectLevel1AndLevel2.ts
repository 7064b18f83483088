/** Step 58: levels 1 and 2 merged into one tree. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { prettyJson } from '../markdownText.ts';
import type { WbsLevel1, WbsLevel2Item, WbsNode } from '../wbsModel.ts';

export function wbsTree(level1: WbsLevel1, level2: WbsLevel2Item[]): WbsNode {
  return {
    id: level1.id,
    title: level1.project_title,
    description: level1.final_deliverable,
    children: level2.map((t) => ({ id: t.id, title: t.title, description: t.description, children: [] })),
  };
}

export const wbsProjectLevel1AndLevel2Step: StepDef = {
  name: 'WBSProjectLevel1AndLevel2',
  deps: ['CreateWBSLevel1', 'CreateWBSLevel2'],
  llm: false,
  outputs: ['wbs_project_level1_and_level2.json'],
  async run(ctx) {
    const tree = wbsTree(ctx.readJson<WbsLevel1>('wbs_level1.json'), ctx.readJson<WbsLevel2Item[]>('wbs_level2.json'));
    return { 'wbs_project_level1_and_level2.json': prettyJson(tree) };
  },
};
