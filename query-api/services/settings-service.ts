import type { SettingsView } from '../../core/wire';
import { chainOptions, type ChainServiceOptions } from './chain-service';

/** GET /api/settings: the configuration the UI needs (business keys for its search boxes, stage and wait rules it explains). */
export function settingsView(chains: Partial<ChainServiceOptions> = {}): SettingsView {
  const options = chainOptions(chains);
  return {
    businessKeys: [...options.businessKeys],
    expectedWaits: [...options.expectedWaits],
    stages: [...new Set(options.stages.map((rule) => rule.stage))],
    chainMaxTraces: options.maxTraces,
  };
}
