import path from 'node:path';
import type { Config } from '../../core/config';
import type { ComponentFactory, Role } from './component';

/**
 * The demo's defaults for the rest of the all-in-one. Its log lines name their
 * order ("order ORD-… reserved 3 items"): with no patterns configured, those
 * mentions are indexed as order.id, so the chain view shows log-only joins out
 * of the box; its billing/notification job waits on purpose (a settlement
 * delay), never a bottleneck. Its log files go under DATA_DIR unless
 * DEMO_LOG_DIR names a folder (or is `off`).
 */
export function withDemoDefaults(role: Role, config: Config): Config {
  if (role !== 'all-in-one' || !config.demo) return config;
  const out = { ...config };
  if (config.businessKeyPatterns.length === 0) out.businessKeyPatterns = [{ key: 'order.id', pattern: '\\border (ORD-[\\w-]+)' }];
  if (config.chainExpectedWaits.length === 0) out.chainExpectedWaits = ['order-jobs'];
  if (config.demoLogDir !== null) out.demoLogDir = path.resolve(config.demoLogDir || path.join(config.dataDir, 'demo-logs'));
  return out;
}

/** The demo order center (all-in-one, DEMO=1), sending to the all-in-one's own receiver. */
export const demoFactory: ComponentFactory<Pick<Config, 'demoRate' | 'demoLogDir' | 'statusLines'>> = {
  name: 'demo',
  settings: (config, role) => (role === 'all-in-one' && config.demo ? { demoRate: config.demoRate, demoLogDir: config.demoLogDir, statusLines: config.statusLines } : null),
  create(settings, context) {
    let demo: { stop(): Promise<void> } | undefined;
    return {
      async start() {
        const { startDemo } = await import('../../demo');
        demo = await startDemo({
          otlpEndpoint: context.otlpUrl,
          otlpAuthorization: context.access?.authenticator?.internalAuthorization(),
          ordersPerSecond: settings.demoRate,
          logger: context.log,
          logDir: settings.demoLogDir ?? undefined,
          ...(settings.statusLines === 'off' ? { statsIntervalMs: 0 } : {}),
        });
        context.log(`chainscope: demo order center sending ${settings.demoRate} orders/s (DEMO=0 switches it off)`);
      },
      shutdown: async () => demo?.stop(),
    };
  },
};
