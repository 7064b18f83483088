/**
 * Reading the MCP conformance suite's results: its output folder (one `server-<scenario>-<timestamp>/checks.json`
 * per scenario run) and its requirements file for a revision (which scenarios are scored, which are run but not
 * scored — extensions, pending, added after the release — and why), into one report per revision.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const SUITE_DIR = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/conformance/', import.meta.url));

export interface ScenarioResult {
  scenario: string;
  passed: boolean;
  /** `check id: message` of each failing check. */
  failures: string[];
}

export interface RevisionReport {
  revision: string;
  /** Scenarios the revision requires, with their results (a required scenario that did not run counts as failed). */
  scored: ScenarioResult[];
  /** Run and reported, never counted: extensions, pending scenarios, scenarios added after the release. */
  notScored: (ScenarioResult & { reason: string })[];
}

interface Requirements {
  server?: string[];
  not_scored?: { scenario: string; leg: string; reason: string }[];
}

export function requirementsOf(revision: string): { scored: string[]; notScored: Map<string, string> } {
  const doc = parse(readFileSync(join(SUITE_DIR, 'requirements', `${revision}.yaml`), 'utf8')) as Requirements;
  const notScored = new Map((doc.not_scored ?? []).filter((e) => e.leg === 'server').map((e) => [e.scenario, e.reason]));
  return { scored: doc.server ?? [], notScored };
}

/** `server-tools-list-2026-12-01T09-22-36-329Z` → `tools-list`. */
const scenarioOfDir = (dir: string) => dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** Every scenario run in `dir`, by name. */
export function readResults(dir: string): Map<string, ScenarioResult> {
  const out = new Map<string, ScenarioResult>();
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out; // the suite never ran
  }
  for (const e of entries) {
    let checks: Check[];
    try {
      checks = JSON.parse(readFileSync(join(dir, e, 'checks.json'), 'utf8')) as Check[];
    } catch {
      continue;
    }
    const scenario = scenarioOfDir(e);
    const failures = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${(c.errorMessage ?? '').slice(0, 200)}`);
    out.set(scenario, { scenario, passed: checks.length > 0 && failures.length === 0, failures });
  }
  return out;
}

export function revisionReport(revision: string, dir: string): RevisionReport {
  const req = requirementsOf(revision);
  const results = readResults(dir);
  const resultOf = (s: string): ScenarioResult => results.get(s) ?? { scenario: s, passed: false, failures: ['did not run'] };
  return {
    revision,
    scored: req.scored.map(resultOf),
    notScored: [...req.notScored].filter(([s]) => results.has(s)).map(([s, reason]) => ({ ...resultOf(s), reason })),
  };
}
