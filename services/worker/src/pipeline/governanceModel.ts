/** The governance work of steps 33–39: six phases that build on each other, consolidated into one document. */
import { PLAN_FILE } from './promptMessages.ts';

/** Phase k: [step name, file stem, title in the consolidated document]. */
export const GOVERNANCE_PHASES = [
  ['GovernancePhase1Audit', 'governance_phase1_audit', 'Audit'],
  ['GovernancePhase2Bodies', 'governance_phase2_bodies', 'Governance Bodies'],
  ['GovernancePhase3ImplPlan', 'governance_phase3_impl_plan', 'Implementation Plan'],
  ['GovernancePhase4DecisionEscalationMatrix', 'governance_phase4_decision_escalation_matrix', 'Decision Escalation Matrix'],
  ['GovernancePhase5MonitoringProgress', 'governance_phase5_monitoring_progress', 'Monitoring Progress'],
  ['GovernancePhase6Extra', 'governance_phase6_extra', 'Validation and Tough Questions'],
] as const;

/** What every phase reads: the plan, the chosen strategy, the assumptions and the project plan. */
export const GOVERNANCE_BASE_DEPS = ['Setup', 'IdentifyPurpose', 'StrategicDecisionsMarkdown', 'ScenariosMarkdown', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan'];

export const GOVERNANCE_BASE_INPUTS = [
  PLAN_FILE,
  ['identify_purpose.md', 'Purpose'],
  ['strategic_decisions.md', 'Strategic decisions'],
  ['scenarios.md', 'Chosen scenario'],
  ['consolidate_assumptions_short.md', 'Assumptions (short)'],
  ['project_plan.md', 'Project plan'],
] as const;

/** Inputs of phase `k` (1-based): the base inputs plus the Markdown of the phases before it. */
export function governanceInputs(k: number): Array<readonly [string, string]> {
  return [...GOVERNANCE_BASE_INPUTS, ...GOVERNANCE_PHASES.slice(0, k - 1).map(([, stem, title]) => [`${stem}.md`, `Governance: ${title}`] as const)];
}

export function governanceDeps(k: number): string[] {
  return [...GOVERNANCE_BASE_DEPS, ...GOVERNANCE_PHASES.slice(0, k - 1).map(([name]) => name)];
}
