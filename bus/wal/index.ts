export { WalBus, type WalBusOptions, type WalBusStats } from './wal-bus';
export type { WalSync, TopicLogStats } from './topic-log';
