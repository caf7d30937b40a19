/** A store a contract suite runs against, as its backend's test file opens it. */
export interface OpenedStore<S> {
  /** Not started yet: the suite calls start() once before its tests and cleanup() after them. */
  store: S;
  cleanup: () => Promise<void>;
  /** For eventually-indexing backends (search engines): make everything written so far searchable. */
  flush?: () => Promise<void>;
}

/**
 * Opens the suite's store and starts it once before its tests, hands it to
 * `onOpened`, and cleans it up after them.
 */
export function openStoreForSuite<S extends { start(): Promise<void> }, O extends OpenedStore<S>>(open: () => Promise<O>, onOpened: (opened: O) => void): void {
  let opened: O | undefined;
  beforeAll(async () => {
    opened = await open();
    await opened.store.start();
    onOpened(opened);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });
}
