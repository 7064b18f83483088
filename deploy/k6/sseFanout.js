// SSE fan-out: many clients hold /sse/plan/<id> open while one plan runs (needs the xk6-sse extension:
//   xk6 build --with github.com/phymbert/xk6-sse ; ./k6 run -e BASE_URL=… -e PLAN_ID=… deploy/k6/sseFanout.js).
import sse from 'k6/x/sse';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { BASE_URL, callTool } from './lib.js';

const events = new Counter('sse_events');
const terminal = new Counter('sse_complete_events');
const firstEvent = new Trend('sse_first_event_ms');

export const options = {
  scenarios: { listeners: { executor: 'per-vu-iterations', vus: Number(__ENV.VUS || 500), iterations: 1, maxDuration: __ENV.MAX_DURATION || '30m' } },
  thresholds: {
    sse_first_event_ms: ['p(99)<1000'],
    sse_complete_events: [`count>=${Number(__ENV.VUS || 500)}`],
  },
};

export function setup() {
  if (__ENV.PLAN_ID) return { id: __ENV.PLAN_ID };
  const created = callTool('plan_create', { prompt: `k6 SSE fan-out ${Date.now()}: a neighbourhood festival in Ghent.` });
  return { id: created.plan_id };
}

export default function (data) {
  const t0 = Date.now();
  let got = false;
  const res = sse.open(`${BASE_URL}/sse/plan/${data.id}`, { method: 'GET' }, (client) => {
    client.on('event', (e) => {
      if (!got) {
        firstEvent.add(Date.now() - t0);
        got = true;
      }
      events.add(1);
      if (e.name === 'complete' || e.name === 'error') {
        terminal.add(e.name === 'complete' ? 1 : 0);
        client.close();
      }
    });
  });
  check(res, { 'sse 200': (r) => r && r.status === 200 });
}
