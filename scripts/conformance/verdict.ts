/**
 * The baseline of expected conformance failures (tests/conformance/baseline.json): for MCP 2026-07-28 only (2025-11-25
 * must pass whole), at most MAX_2026_FAILURES scenarios, each with the reason it fails. The verdict compares a run's
 * report with it: every failure must be listed, and a listed scenario that now passes is reported so the entry goes.
 */
import { readFileSync } from 'node:fs';
import type { RevisionReport } from './report.ts';

export const MAX_2026_FAILURES = 5;
export const BASELINE_FILE = new URL('../../tests/conformance/baseline.json', import.meta.url);

export interface Baseline {
  /** Scenario name → why it fails (one sentence a reader can check). */
  '2026-07-28': Record<string, string>;
}

export function readBaseline(): Baseline {
  return JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
}

export interface Verdict {
  /** Required scenarios failing for 2025-11-25 (must be none). */
  failing2025: string[];
  /** Required 2026-07-28 scenarios failing that the baseline does not list. */
  unexpected2026: string[];
  /** Baseline entries whose scenario now passes: remove them. */
  nowPassing: string[];
  /** Baseline entries naming no required 2026-07-28 scenario, or without a reason. */
  invalidEntries: string[];
  /** Baseline size over the limit. */
  overLimit: boolean;
}

export function verdict(reports: RevisionReport[], baseline: Baseline): Verdict {
  const r2025 = reports.find((r) => r.revision === '2025-11-25');
  const r2026 = reports.find((r) => r.revision === '2026-07-28');
  const listed = baseline['2026-07-28'] ?? {};
  const required2026 = new Set(r2026?.scored.map((s) => s.scenario) ?? []);
  return {
    failing2025: r2025 ? r2025.scored.filter((s) => !s.passed).map((s) => s.scenario) : [],
    unexpected2026: r2026 ? r2026.scored.filter((s) => !s.passed && !(s.scenario in listed)).map((s) => s.scenario) : [],
    nowPassing: r2026 ? r2026.scored.filter((s) => s.passed && s.scenario in listed).map((s) => s.scenario) : [],
    invalidEntries: r2026 ? Object.entries(listed).filter(([s, why]) => !required2026.has(s) || !why?.trim()).map(([s]) => s) : [],
    overLimit: Object.keys(listed).length > MAX_2026_FAILURES,
  };
}

export const passes = (v: Verdict) => !v.failing2025.length && !v.unexpected2026.length && !v.nowPassing.length && !v.invalidEntries.length && !v.overLimit;
