import type Database from 'better-sqlite3';

/**
 * Records the SQL of every statement run on `db` (all, get, iterate, run) until `restore()`: for tests of
 * how many statements, and which, a store read makes. Spies on better-sqlite3's Statement prototype.
 */
export function recordSqlReads(db: Database.Database): { reads: string[]; restore(): void } {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  const reads: string[] = [];
  const spies = ['all', 'get', 'iterate', 'run'].map((method) => {
    const original = proto[method];
    return jest.spyOn(proto, method as never).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      reads.push(this.source);
      return original.apply(this, args);
    } as never);
  });
  return { reads, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}
