/** Step 8: the primary and secondary domains the plan touches (which experts and rules apply). */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection } from '../markdownText.ts';

export const DomainSchema = z.object({
  primary_domain: z.string().describe('The one field of practice that dominates this project, e.g. "Hospitality"'),
  secondary_domains: z.array(z.string()).describe('Other fields whose expertise or rules matter, most important first'),
  reasoning: z.string(),
});

const SYSTEM = `You route planning requests to the right kind of expertise. Later steps use your answer to choose
experts, regulations and terminology.
You get the plan prompt and its purpose.

Name one primary domain (the field whose professionals would lead this project) and up to five secondary domains
that bring their own rules or skills (for example construction, food safety, software, finance, healthcare,
logistics, education). Prefer established professional fields over vague themes.`;

export const classifyDomainStep = singleCallStep({
  name: 'ClassifyDomain',
  deps: ['Setup', 'IdentifyPurpose'],
  rawFile: 'classify_domain_raw.json',
  mdFile: 'classify_domain.md',
  inputs: [PLAN_FILE, ['identify_purpose.md', 'Purpose']],
  system: SYSTEM,
  request: 'Classify the domains of this plan.',
  schema: DomainSchema,
  render: (v) =>
    mdJoin([`**Primary domain:** ${v.primary_domain}`, mdSection('Secondary domains', mdBullets(v.secondary_domains)), v.reasoning]),
});
