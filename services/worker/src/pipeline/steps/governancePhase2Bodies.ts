/** Step 34: governance phase 2 — the bodies that steer, decide and advise, with their mandates and members. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { governanceDeps, governanceInputs } from '../governanceModel.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const GovernanceBodiesSchema = z.object({
  bodies: z
    .array(
      z.object({
        name: z.string().describe('e.g. "Project Steering Committee"'),
        rationale: z.string().describe('Why this project needs this body'),
        responsibilities: z.array(z.string()).min(1),
        membership: z.array(z.string()).min(1).describe('Roles, not names'),
        decision_rights: z.string().describe('What it may decide, with budget thresholds where useful'),
        decision_mechanism: z.string().describe('How it decides: majority, consensus, chair decides on a tie'),
        meeting_cadence: z.string(),
        escalation_path: z.string().describe('Where unresolved issues go'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are a governance adviser designing how a project is steered. Your reader is the sponsor who must
set up these bodies in the first weeks and explain them to stakeholders.

You get the plan prompt, its purpose, the strategic decisions and chosen scenario, the assumptions, the project plan
and the audit controls from phase 1. Propose the two to five bodies this project needs (steering committee, core
project team, technical or ethics advisory group, stakeholder forum — only those that fit its size). For each give
why it exists, its responsibilities, its members as roles, its decision rights with thresholds, how it decides, how
often it meets and where it escalates. Make the decision rights of the bodies fit together without gaps or overlaps.`;

export const governancePhase2BodiesStep = singleCallStep({
  name: 'GovernancePhase2Bodies',
  deps: governanceDeps(2),
  rawFile: 'governance_phase2_bodies_raw.json',
  mdFile: 'governance_phase2_bodies.md',
  inputs: governanceInputs(2),
  system: SYSTEM,
  request: 'Design the governance bodies of this project.',
  schema: GovernanceBodiesSchema,
  render: (v) =>
    mdJoin(
      v.bodies.map((b) =>
        mdSection(
          b.name,
          mdJoin([
            b.rationale,
            mdTable(['Aspect', 'Detail'], [
              ['Decision rights', b.decision_rights],
              ['Decision mechanism', b.decision_mechanism],
              ['Meeting cadence', b.meeting_cadence],
              ['Escalation path', b.escalation_path],
              ['Membership', b.membership],
            ]),
            mdSection('Responsibilities', mdBullets(b.responsibilities), 4),
          ]),
          3,
        ),
      ),
    ),
});
