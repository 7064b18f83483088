import { MemoryBus, MemoryLimits, MemoryQueue } from '@planexe/infra';
import { planQueueContract } from '../src/contract/queueContract.ts';
import { progressBusContract } from '../src/contract/busContract.ts';
import { limitsContract } from '../src/contract/limitsContract.ts';

planQueueContract('in-process', async () => new MemoryQueue({ redeliveryDelayMs: 50 }));

// in-process adapters share state only inside one object: every "instance" is the same bus / limits
const bus = new MemoryBus();
progressBusContract('in-process', async () => ({ ...wrap(bus) }));
const limits = new MemoryLimits();
limitsContract('in-process', async () => ({ ...wrapLimits(limits) }));

function wrap(b: MemoryBus) {
  return {
    publishSnapshot: b.publishSnapshot.bind(b),
    subscribeSnapshots: b.subscribeSnapshots.bind(b),
    publishStop: b.publishStop.bind(b),
    subscribeStops: b.subscribeStops.bind(b),
    publishToReplica: b.publishToReplica.bind(b),
    subscribeReplica: b.subscribeReplica.bind(b),
    isConnected: b.isConnected.bind(b),
    close: async () => {},
  };
}
function wrapLimits(l: MemoryLimits) {
  return {
    consume: l.consume.bind(l),
    acquireSlot: l.acquireSlot.bind(l),
    renewSlot: l.renewSlot.bind(l),
    releaseSlot: l.releaseSlot.bind(l),
    slotCount: l.slotCount.bind(l),
    close: async () => {},
  };
}
