import net from 'node:net';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { ENGINE_ADDRESSES } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';

export const brokers = (): string[] => ENGINE_ADDRESSES.kafka().split(',');

/** A plain kafkajs admin for checking what the bus did (committed offsets, partitions). */
export function adminClient() {
  return new Kafka({ clientId: 'chainscope-test-admin', brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
}

/** Waits for a condition with a deadline (test/helpers/wait.ts's waitFor). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  await waitFor(condition, what, timeoutMs, 20);
}

/** Sum of the group's committed offsets on a topic (-1, "nothing committed", counts as 0). */
export async function committedTotal(admin: ReturnType<typeof adminClient>, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return entry.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * A kafkajs socket factory whose connections can be cut: while `down`, every
 * new connection goes to a closed port and open ones are destroyed. Simulates
 * a Kafka outage for one client without touching the shared broker.
 */
export function switchableSockets(): { factory: ISocketFactory; down(): void; up(): void } {
  const open = new Set<net.Socket>();
  let isDown = false;
  const factory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = isDown ? net.connect({ host: '127.0.0.1', port: 1 }, onConnect) : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 30_000);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    return socket;
  };
  return {
    factory,
    down() {
      isDown = true;
      for (const s of open) s.destroy(new Error('read ECONNRESET (simulated outage)'));
    },
    up() {
      isDown = false;
    },
  };
}
