/** The verdict a conformance run gets against the baseline (scripts/conformance/verdict.ts), on made-up reports. */
import { describe, it, expect } from 'vitest';
import type { RevisionReport } from '../../scripts/conformance/report.ts';
import { passes, verdict } from '../../scripts/conformance/verdict.ts';

const report = (revision: string, results: Record<string, boolean>): RevisionReport => ({
  revision,
  scored: Object.entries(results).map(([scenario, passed]) => ({ scenario, passed, failures: passed ? [] : ['x: failed'] })),
  notScored: [],
});

describe('conformance verdict', () => {
  const ok2025 = report('2025-11-25', { 'tools-list': true, ping: true });
  it('passes with 2025-11-25 whole and every 2026-07-28 failure listed with a reason', () => {
    const v = verdict([ok2025, report('2026-07-28', { 'tools-list': true, caching: false })], { '2026-07-28': { caching: 'no ttlMs yet' } });
    expect(v).toEqual({ failing2025: [], unexpected2026: [], failingExtensions: [], nowPassing: [], invalidEntries: [], overLimit: false });
    expect(passes(v)).toBe(true);
  });
  it('fails on any 2025-11-25 failure, even one the 2026 baseline names', () => {
    const v = verdict([report('2025-11-25', { ping: false }), report('2026-07-28', { ping: false })], { '2026-07-28': { ping: 'x' } });
    expect(v.failing2025).toEqual(['ping']);
    expect(passes(v)).toBe(false);
  });
  it('fails on a 2026-07-28 failure outside the baseline, a listed scenario that passes, an entry without a reason or scenario, and more than 5 entries', () => {
    expect(verdict([ok2025, report('2026-07-28', { caching: false })], { '2026-07-28': {} }).unexpected2026).toEqual(['caching']);
    expect(verdict([ok2025, report('2026-07-28', { caching: true })], { '2026-07-28': { caching: 'old' } }).nowPassing).toEqual(['caching']);
    expect(verdict([ok2025, report('2026-07-28', { caching: false })], { '2026-07-28': { caching: ' ', nonsense: 'x' } }).invalidEntries).toEqual(['caching', 'nonsense']);
    const six = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((s) => [s, 'why']));
    const v = verdict([ok2025, report('2026-07-28', Object.fromEntries(Object.keys(six).map((s) => [s, false])))], { '2026-07-28': six });
    expect(v.overLimit).toBe(true);
    expect(passes(v)).toBe(false);
  });
  it('2026-07-28 extension scenarios (not scored by the suite) fail the verdict unless the extensions section lists them with a reason', () => {
    const withExt = (results: Record<string, boolean>): RevisionReport => ({
      ...report('2026-07-28', { ping: true }),
      notScored: Object.entries(results).map(([scenario, passed]) => ({ scenario, passed, failures: passed ? [] : ['x: failed'], reason: 'extension' })),
    });
    const failing = [ok2025, withExt({ 'tasks-lifecycle': false, 'tasks-wire-fields': true })];
    expect(verdict(failing, { '2026-07-28': {} }).failingExtensions).toEqual(['tasks-lifecycle']);
    expect(passes(verdict(failing, { '2026-07-28': {} }))).toBe(false);
    expect(passes(verdict(failing, { '2026-07-28': {}, extensions: { 'tasks-lifecycle': 'a reason' } }))).toBe(true);
    expect(verdict(failing, { '2026-07-28': {}, extensions: { 'tasks-wire-fields': 'old' } }).nowPassing).toEqual(['extension tasks-wire-fields']);
    expect(verdict(failing, { '2026-07-28': {}, extensions: { 'tasks-lifecycle': ' ', nonsense: 'x' } }).invalidEntries).toEqual(['extension tasks-lifecycle', 'extension nonsense']);
  });
  it('2025-11-25 failures pass only when the baseline lists them with the contract clause that rules them out', () => {
    const run = [report('2025-11-25', { sampling: false, ping: true }), report('2026-07-28', { ping: true })];
    expect(verdict(run, { '2026-07-28': {}, '2025-11-25': { sampling: 'docs/spec/http.md §6.1: no server-initiated messages' } }).failing2025).toEqual([]);
    expect(verdict(run, { '2026-07-28': {}, '2025-11-25': { sampling: 'not done yet' } }).invalidEntries).toEqual(['2025-11-25 sampling']);
    expect(verdict(run, { '2026-07-28': {}, '2025-11-25': { ping: 'docs/spec/http.md' } }).nowPassing).toEqual(['2025-11-25 ping']);
  });
});
