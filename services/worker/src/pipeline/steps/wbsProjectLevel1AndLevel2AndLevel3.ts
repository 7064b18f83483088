/** Step 64: the full three-level WBS as a tree and as CSV. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { toCsv } from '../csvText.ts';
import { prettyJson } from '../markdownText.ts';
import { flattenWbs, readTree, type WbsLevel3Item, type WbsNode } from '../wbsModel.ts';

export function addLevel3(tree: WbsNode, level3: WbsLevel3Item[]): WbsNode {
  return {
    ...tree,
    children: tree.children.map((t) => {
      const sub = level3.find((l) => l.parent_id === t.id)?.subtasks ?? [];
      return { ...t, children: sub.map((s) => ({ id: s.id, title: s.title, description: s.description, children: [] })) };
    }),
  };
}

export function wbsCsv(tree: WbsNode): string {
  return toCsv(
    ['id', 'level', 'parent_id', 'title', 'description'],
    flattenWbs(tree).map(({ node, level, parentId }) => [node.id, level, parentId ?? '', node.title, node.description]),
  );
}

export const wbsProjectLevel1AndLevel2AndLevel3Step: StepDef = {
  name: 'WBSProjectLevel1AndLevel2AndLevel3',
  deps: ['WBSProjectLevel1AndLevel2', 'CreateWBSLevel3'],
  llm: false,
  outputs: ['wbs_project_level1_and_level2_and_level3.json', 'wbs_project_level1_and_level2_and_level3.csv'],
  async run(ctx) {
    const tree = addLevel3(readTree(ctx, 'wbs_project_level1_and_level2.json'), ctx.readJson<WbsLevel3Item[]>('wbs_level3.json'));
    return { 'wbs_project_level1_and_level2_and_level3.json': prettyJson(tree), 'wbs_project_level1_and_level2_and_level3.csv': wbsCsv(tree) };
  },
};
