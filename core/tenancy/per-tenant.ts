import { ValidationError } from '../errors';

/** Tenants whose parts one process keeps open at once, at most: a bus writer cannot make it open files without end. */
export const MAX_OPEN_TENANTS = 1000;

/**
 * One value per tenant (its stores, its ingest processor, its API routes),
 * made on first use and kept until closeAll. A failed open is forgotten, so the
 * next use tries again (an engine that was down).
 */
export class PerTenant<T> {
  private readonly opened = new Map<string, Promise<T>>();

  constructor(
    private readonly open: (tenant: string) => Promise<T>,
    private readonly close: (value: T) => Promise<void> = async () => {},
    private readonly maxTenants = MAX_OPEN_TENANTS,
  ) {}

  get(tenant: string): Promise<T> {
    const known = this.opened.get(tenant);
    if (known) return known;
    if (this.opened.size >= this.maxTenants) {
      return Promise.reject(new ValidationError(`at most ${this.maxTenants} tenants are open in one process; "${tenant}" is one too many`, 'tenant'));
    }
    const opening = this.open(tenant);
    this.opened.set(tenant, opening);
    opening.catch(() => {
      if (this.opened.get(tenant) === opening) this.opened.delete(tenant);
    });
    return opening;
  }

  /** The tenants opened so far. */
  tenants(): string[] {
    return [...this.opened.keys()];
  }

  /** Closes every value opened (each once; the first failure is thrown after all were tried). */
  async closeAll(): Promise<void> {
    const all = [...this.opened.values()];
    this.opened.clear();
    let failure: unknown;
    for (const opening of all) {
      try {
        await this.close(await opening);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }
}
