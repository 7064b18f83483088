/** Step 24: where the project physically happens, with candidate sites. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const PhysicalLocationsSchema = z.object({
  physical_location_required: z.boolean(),
  location_requirements: z.array(z.string()).describe('What any site must offer: size, access, zoning, utilities, proximity'),
  candidate_locations: z.array(
    z.object({
      location: z.string().describe('Country, city and area (or a site type when no place is given)'),
      why_it_fits: z.string(),
      watch_out_for: z.string(),
    }),
  ),
  summary: z.string(),
});

const SYSTEM = `You are a site-selection consultant. Your reader is the project lead who must secure a place to work.
You get the plan prompt, its purpose, whether it is digital or physical, the strategic decisions and the chosen
scenario.

If the plan is purely digital, say that no physical location is required, but still note where the team or servers
might need to be. Otherwise list what a site must offer, then three candidate locations, most suitable first.
Respect any place the user named and the location strategy of the chosen scenario: candidates then narrow it down
(district, building type) rather than replace it. Give the concrete reason each candidate fits and the main
drawback to check before committing.`;

export const physicalLocationsStep = singleCallStep({
  name: 'PhysicalLocations',
  deps: ['Setup', 'IdentifyPurpose', 'PlanType', 'StrategicDecisionsMarkdown', 'ScenariosMarkdown'],
  rawFile: 'physical_locations_raw.json',
  mdFile: 'physical_locations.md',
  inputs: [PLAN_FILE, ['identify_purpose.md', 'Purpose'], ['plan_type.md', 'Plan type'], ['strategic_decisions.md', 'Strategic decisions'], ['scenarios.md', 'Chosen scenario']],
  system: SYSTEM,
  request: 'Identify the physical locations this plan needs.',
  schema: PhysicalLocationsSchema,
  render: (v) =>
    mdJoin([
      `**Physical location required:** ${v.physical_location_required ? 'Yes' : 'No'}`,
      mdSection('Requirements', mdBullets(v.location_requirements)),
      mdSection('Candidate locations', mdTable(['Location', 'Why it fits', 'Watch out for'], v.candidate_locations.map((l) => [l.location, l.why_it_fits, l.watch_out_for]))),
      mdSection('Summary', v.summary),
    ]),
});
