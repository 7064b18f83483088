import { PlanStore } from '@planexe/db';
import type { ToolDeps } from '../deps.ts';

const stores = new WeakMap<ToolDeps, PlanStore>();

/** The tools' plan store: snapshots go on the bus and this process's plan_status cache is invalidated. */
export function planStore(deps: ToolDeps): PlanStore {
  let store = stores.get(deps);
  if (!store) {
    store = new PlanStore(deps.db, {
      snapshots: deps.bus,
      statusCache: deps.statusCache,
      onPublishFailed: (planId, err) => deps.log.warn({ plan_id: planId, err: String(err) }, 'snapshot not published'),
    });
    stores.set(deps, store);
  }
  return store;
}
