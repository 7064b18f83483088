// The agent flow: plan_create → poll plan_status → plan_file_info → download the report.
// k6 run -e BASE_URL=https://host -e API_KEY=pex_… deploy/k6/agentFlow.js
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Trend, Counter } from 'k6/metrics';
import { BASE_URL, callTool, headers } from './lib.js';

const timeToComplete = new Trend('plan_time_to_complete_ms');
const completed = new Counter('plans_completed');

export const options = {
  scenarios: {
    agents: { executor: 'per-vu-iterations', vus: Number(__ENV.VUS || 10), iterations: 1, maxDuration: __ENV.MAX_DURATION || '30m' },
  },
  thresholds: {
    'http_req_failed{tool:plan_create}': ['rate<0.01'],
    'http_req_duration{tool:plan_create}': ['p(99)<500'],
    'http_req_duration{tool:plan_status}': ['p(99)<250'],
    plans_completed: [`count>=${Number(__ENV.VUS || 10)}`],
  },
};

export default function () {
  const t0 = Date.now();
  const created = callTool('plan_create', { prompt: `k6 agent ${__VU}-${Date.now()}: plan a community repair café with a budget of 20,000 EUR over six months.` });
  if (!created || !created.plan_id) return;
  let state = 'pending';
  while (state === 'pending' || state === 'processing') {
    sleep(Number(__ENV.POLL_SECONDS || 2));
    const s = callTool('plan_status', { plan_id: created.plan_id });
    state = s ? s.state : state;
  }
  check(state, { completed: (v) => v === 'completed' });
  if (state !== 'completed') return;
  const info = callTool('plan_file_info', { plan_id: created.plan_id, artifact: 'report' });
  check(info, { 'download_url present': (i) => !!(i && i.download_url) });
  // binary: download_size counts bytes, and a text body's length counts UTF-16 units (the report is not ASCII)
  const res = http.get(info.download_url, { headers: headers(), tags: { name: 'download' }, responseType: 'binary' });
  check(res, { 'report downloaded': (r) => r.status === 200 && r.body.byteLength === info.download_size });
  timeToComplete.add(Date.now() - t0);
  completed.add(1);
}

export function handleSummary(data) {
  return { stdout: JSON.stringify({ base: BASE_URL, metrics: data.metrics }, null, 2) };
}
