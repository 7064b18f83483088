/**
 * The baseline of expected conformance failures (tests/conformance/baseline.json), per revision, each scenario with
 * the reason it fails: for MCP 2026-07-28 at most MAX_2026_FAILURES; for 2025-11-25 only scenarios that the public
 * contract rules out (docs/spec/http.md §6.1: the 2025 surface is stateless JSON-response, server-initiated messages
 * never happen), so each 2025 reason must cite the contract. The verdict compares a run's report with it: every
 * failure must be listed, and a listed scenario that now passes is reported so the entry goes. The 2026-07-28
 * extension scenarios the server implements (the tasks extension's `tasks-*`) are held to the same rule through the
 * `extensions` section: the suite does not score them, but a failure outside that list fails the verdict.
 */
import { readFileSync } from 'node:fs';
import type { RevisionReport } from './report.ts';

export const MAX_2026_FAILURES = 5;
export const BASELINE_FILE = new URL('../../tests/conformance/baseline.json', import.meta.url);

export interface Baseline {
  /** Scenario name → why it fails (one sentence a reader can check). */
  '2026-07-28': Record<string, string>;
  /** Only what the contract rules out: each reason names docs/spec/. */
  '2025-11-25'?: Record<string, string>;
  /** 2026-07-28 extension scenarios (run, not scored by the suite) expected to fail, each with its reason. */
  extensions?: Record<string, string>;
}

export function readBaseline(): Baseline {
  return JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
}

export interface Verdict {
  /** Required scenarios failing for 2025-11-25 that the baseline does not list (must be none). */
  failing2025: string[];
  /** Required 2026-07-28 scenarios failing that the baseline does not list. */
  unexpected2026: string[];
  /** 2026-07-28 extension scenarios failing that the baseline's `extensions` does not list. */
  failingExtensions: string[];
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
  const listed2025 = baseline['2025-11-25'] ?? {};
  const required2026 = new Set(r2026?.scored.map((s) => s.scenario) ?? []);
  const required2025 = new Set(r2025?.scored.map((s) => s.scenario) ?? []);
  const listedExt = baseline.extensions ?? {};
  const ext2026 = r2026?.notScored.filter((s) => s.reason === 'extension') ?? [];
  const extNames = new Set(ext2026.map((s) => s.scenario));
  return {
    failingExtensions: ext2026.filter((s) => !s.passed && !(s.scenario in listedExt)).map((s) => s.scenario),
    failing2025: r2025 ? r2025.scored.filter((s) => !s.passed && !(s.scenario in listed2025)).map((s) => s.scenario) : [],
    unexpected2026: r2026 ? r2026.scored.filter((s) => !s.passed && !(s.scenario in listed)).map((s) => s.scenario) : [],
    nowPassing: [
      ...(r2025 ? r2025.scored.filter((s) => s.passed && s.scenario in listed2025).map((s) => `2025-11-25 ${s.scenario}`) : []),
      ...(r2026 ? r2026.scored.filter((s) => s.passed && s.scenario in listed).map((s) => s.scenario) : []),
      ...ext2026.filter((s) => s.passed && s.scenario in listedExt).map((s) => `extension ${s.scenario}`),
    ],
    invalidEntries: [
      ...(r2025 ? Object.entries(listed2025).filter(([s, why]) => !required2025.has(s) || !/docs\/spec\//.test(why ?? '')).map(([s]) => `2025-11-25 ${s}`) : []),
      ...(r2026 ? Object.entries(listed).filter(([s, why]) => !required2026.has(s) || !why?.trim()).map(([s]) => s) : []),
      ...(r2026 ? Object.entries(listedExt).filter(([s, why]) => !extNames.has(s) || !why?.trim()).map(([s]) => `extension ${s}`) : []),
    ],
    overLimit: Object.keys(listed).length > MAX_2026_FAILURES,
  };
}

export const passes = (v: Verdict) => !v.failing2025.length && !v.unexpected2026.length && !v.failingExtensions.length && !v.nowPassing.length && !v.invalidEntries.length && !v.overLimit;
