import path from 'node:path';
import type { Config } from '../../core/config';
import { MemoryBus } from '../../bus/memory/memory-bus';
import { SpillKeeper } from '../../bus/memory/spill-keeper';
import { SpillStore } from '../../bus/memory/spill-store';
import { WalBus } from '../../bus/wal';
import { BUS_KEYS, checkBusForRole, createBus, walDir, type BusSettings } from '../backends';
import type { ComponentFactory, Role } from './component';
import { pick } from './pick';

const WITH_BUS: readonly Role[] = ['all-in-one', 'collector', 'ingest'];

/**
 * The all-in-one's in-process bus keeps what it could not write by shutdown
 * (a full disk) under DATA_DIR for the next start; ingest puts it back.
 */
export const spillKeeperFactory: ComponentFactory<Pick<Config, 'dataDir' | 'memoryBusCapacityBytes'>> = {
  name: 'spill keeper',
  settings: (config, role) => (role === 'all-in-one' && config.bus === 'memory' ? pick(config, ['dataDir', 'memoryBusCapacityBytes']) : null),
  create(settings, context) {
    return {
      async start() {
        // room for everything both subscribed topics can hold unwritten at once
        const keeper = new SpillKeeper(new SpillStore(settings.dataDir, 2 * settings.memoryBusCapacityBytes), context.log);
        keeper.open();
        context.keeper = keeper;
      },
      async shutdown() {},
    };
  },
};

/** Kafka, or in the all-in-one the write-ahead log or the in-process bus. */
export const busFactory: ComponentFactory<BusSettings> = {
  name: 'bus',
  settings(config, role) {
    if (!WITH_BUS.includes(role)) return null;
    checkBusForRole(config, role);
    return pick(config, BUS_KEYS);
  },
  create(settings, context) {
    const bus = createBus(settings, context.log, context.role, context.keeper ? { spill: context.keeper.spill } : {});
    return {
      async start() {
        await bus.start();
        context.bus = bus;
        if (bus instanceof WalBus) context.log(`chainscope: write-ahead log in ${path.resolve(walDir(settings))} (what is answered 200 is on disk first; BUS=wal)`);
      },
      shutdown: () => bus.shutdown(),
    };
  },
};

/** The all-in-one's own bus, memory or write-ahead log; undefined for Kafka. */
export function localBus(bus: unknown): MemoryBus | WalBus | undefined {
  return bus instanceof MemoryBus || bus instanceof WalBus ? bus : undefined;
}
