import type { ToolRegistry } from '../registry.ts';
import type { SurfaceExtension } from '../surface.ts';
import { TaskRouter } from './backend.ts';
import { PlanTasks } from './planTasks.ts';

/** The MCP tasks extension of one tools service: plan tasks, plus the tasks its surface extensions hand out. */
export interface Tasks {
  router: TaskRouter;
  plans: PlanTasks;
}

export function createTasks(registry: ToolRegistry, extensions: SurfaceExtension[] = registry.extensions): Tasks {
  const plans = new PlanTasks(registry.deps, registry);
  return { plans, router: new TaskRouter([plans, ...extensions.flatMap((e) => (e.tasks ? [e.tasks] : []))]) };
}
