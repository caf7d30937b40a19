import type { BusMessage } from '../core/contracts/bus';
import { isRetriable } from '../core/errors';
import { messagesByTenant } from '../core/tenancy/messages-by-tenant';
import { PerTenant } from '../core/tenancy/per-tenant';
import { deadLetter, type BatchProcessor, type Signal } from './batch-processor';

/**
 * Writes each tenant's part of a bus batch with that tenant's processor (its
 * own stores), made on first use by `open`. The tenant comes from the
 * message's TENANT_HEADER only; a message whose header is not a tenant name is
 * dead-lettered. A tenant whose stores cannot open for good (too many tenants)
 * has its messages dead-lettered; a retriable failure fails the whole batch,
 * which the bus delivers again (the writes are idempotent).
 */
export class TenantBatchProcessor implements BatchProcessor {
  private readonly processors: PerTenant<BatchProcessor>;

  constructor(open: (tenant: string) => Promise<BatchProcessor>) {
    this.processors = new PerTenant(open, (p) => p.close());
  }

  /** Opens a tenant's processor now rather than at its first batch (start-up checks the default tenant's stores). */
  async prepare(tenant: string): Promise<void> {
    await this.processors.get(tenant);
  }

  async process(signal: Signal, topic: string, messages: BusMessage[]): Promise<BusMessage[]> {
    const { byTenant, invalid } = messagesByTenant(messages);
    const dead = invalid.map((i) => deadLetter(i.message, topic, new Error(i.reason)));
    for (const [tenant, own] of byTenant) {
      let processor: BatchProcessor;
      try {
        processor = await this.processors.get(tenant);
      } catch (err) {
        if (isRetriable(err)) throw err;
        for (const m of own) dead.push(deadLetter(m, topic, err));
        continue;
      }
      for (const m of await processor.process(signal, topic, own)) dead.push(m);
    }
    return dead;
  }

  async close(): Promise<void> {
    await this.processors.closeAll();
  }
}
