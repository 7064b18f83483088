import { SPEED_VS_DETAIL, type SpeedVsDetail } from '@planexe/contracts';

/** speed_vs_detail from plan parameters (spec/pipeline.md §4); MCP plans run all_details_but_slow. */
export function speedFromParameters(p: Record<string, unknown>): SpeedVsDetail {
  const raw = p.speed_vs_detail ?? p.speedvsdetail;
  if (typeof raw === 'string') {
    const v = raw.trim().toLowerCase();
    if ((SPEED_VS_DETAIL as readonly string[]).includes(v)) return v as SpeedVsDetail;
  }
  return 'fast' in p ? 'fast_but_skip_details' : 'all_details_but_slow';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-Mar-08` */
export function prettyDate(d: Date): string {
  return `${d.getUTCFullYear()}-${MONTHS[d.getUTCMonth()]}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** The project start: parameters.start_date (validated at plan_create) or now. */
export function startDateFrom(p: Record<string, unknown>, now = new Date()): Date {
  if (typeof p.start_date === 'string') {
    const s = p.start_date.trim();
    const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return now;
}

/** The run's input files (spec/pipeline.md §1), written before the graph. */
export function inputFiles(prompt: string, start: Date, now = new Date()): Record<string, string> {
  return {
    'start_time.json': JSON.stringify(
      { server_iso_utc: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), server_iso_local: now.toISOString().slice(0, 19), server_timezone_name: 'UTC' },
      null,
      2,
    ),
    'plan_raw.json': JSON.stringify({ plan_prompt: prompt, pretty_date: prettyDate(start) }, null, 2),
  };
}
