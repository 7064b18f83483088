// Status polling at scale: many agents polling plan_status of existing plans.
// k6 run -e BASE_URL=… -e API_KEY=… -e PLAN_IDS=id1,id2 deploy/k6/statusPolling.js
import { callTool } from './lib.js';

const ids = (__ENV.PLAN_IDS || '').split(',').filter(Boolean);

export const options = {
  scenarios: {
    polling: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE || 500), timeUnit: '1s', duration: __ENV.DURATION || '2m', preAllocatedVUs: 200, maxVUs: 1000 },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    'http_req_duration{tool:plan_status}': ['p(50)<20', 'p(99)<100'],
  },
};

export function setup() {
  if (ids.length) return { ids };
  const created = callTool('plan_create', { prompt: `k6 polling target ${Date.now()}: a small bakery in Porto.` });
  return { ids: [created.plan_id] };
}

export default function (data) {
  callTool('plan_status', { plan_id: data.ids[__ITER % data.ids.length] });
}
