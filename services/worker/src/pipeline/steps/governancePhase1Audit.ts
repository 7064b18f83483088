/** Step 33: governance phase 1 — where money or authority could be misused, and the audits that prevent it. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { governanceDeps, governanceInputs } from '../governanceModel.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const GovernanceAuditSchema = z.object({
  corruption_risks: z.array(z.string()).min(1).describe('Concrete ways money or authority could be misused here'),
  misallocation_risks: z.array(z.string()).min(1).describe('Ways resources could be wasted or diverted'),
  audit_procedures: z.array(z.object({ procedure: z.string(), frequency: z.string(), responsible: z.string() })).min(1),
  transparency_measures: z.array(z.string()).min(1),
});

const SYSTEM = `You are an internal auditor setting up the integrity controls of a project before money starts to
flow. Your reader is the sponsor, who will be held accountable for how funds and authority are used.

You get the plan prompt, its purpose, the strategic decisions and chosen scenario, the assumptions and the project
plan. Name the specific corruption risks (bribery around permits, conflicts of interest in procurement, kickbacks)
and misallocation risks (budget drift, unused assets, duplicate spending) this project faces, then the audit
procedures that catch them — each with a frequency and a responsible role — and the transparency measures that keep
stakeholders informed. Scale the controls to the project: a small personal project needs light, simple checks.`;

export const governancePhase1AuditStep = singleCallStep({
  name: 'GovernancePhase1Audit',
  deps: governanceDeps(1),
  rawFile: 'governance_phase1_audit_raw.json',
  mdFile: 'governance_phase1_audit.md',
  inputs: governanceInputs(1),
  system: SYSTEM,
  request: 'Write the audit and integrity controls for this project.',
  schema: GovernanceAuditSchema,
  render: (v) =>
    mdJoin([
      mdSection('Corruption risks', mdBullets(v.corruption_risks), 3),
      mdSection('Misallocation risks', mdBullets(v.misallocation_risks), 3),
      mdSection('Audit procedures', mdTable(['Procedure', 'Frequency', 'Responsible'], v.audit_procedures.map((a) => [a.procedure, a.frequency, a.responsible])), 3),
      mdSection('Transparency measures', mdBullets(v.transparency_measures), 3),
    ]),
});
