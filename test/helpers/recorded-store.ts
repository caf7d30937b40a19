/** One call of a store method, in the order made. */
export interface StoreCall {
  method: string;
  args: unknown[];
}

/** The real store (a SpanStore, a LogStore, …) behind a proxy that records every method call (for tests of how many reads, and in what order, a service makes). */
export function recordedStore<T extends object>(store: T): { store: T; calls: StoreCall[] } {
  const calls: StoreCall[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(name), args });
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}
