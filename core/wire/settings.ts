/** GET /api/settings: what the UI needs to know of the server's configuration. */
export interface SettingsView {
  /** BUSINESS_KEYS: the attribute names a chain can be looked up by; the first is the UI's default. */
  businessKeys: string[];
  /** CHAIN_EXPECTED_WAITS: destinations or operations whose waits are intended (not bottlenecks). */
  expectedWaits: string[];
  /** CHAIN_STAGES: the configured stage names, in rule order (empty: one stage per kind of entry trace). */
  stages: string[];
  /** CHAIN_MAX_TRACES: most traces one chain answer holds. */
  chainMaxTraces: number;
}
