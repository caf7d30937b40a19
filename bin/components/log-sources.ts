import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config';
import type { ComponentFactory } from './component';

type ShipperModule = typeof import('../../collector/shipper');

interface ShipperSettings {
  config: Pick<Config, 'logPaths' | 'logService' | 'logServiceFrom' | 'logFormat' | 'logMultilineStart' | 'dataDir' | 'businessKeys' | 'statusLines'>;
  /** The demo's log folder to ship as well; null: none. */
  demoLogDir: string | null;
}

/** The all-in-one's file shipper: LOG_PATHS and the demo's log files, sent through its own OTLP receiver. */
export const shipperFactory: ComponentFactory<ShipperSettings> = {
  name: 'log shipper',
  settings(config, role) {
    const demoLogDir = role === 'all-in-one' && config.demo ? config.demoLogDir : null;
    if (role !== 'all-in-one' || (config.logPaths.length === 0 && !demoLogDir)) return null;
    const { logPaths, logService, logServiceFrom, logFormat, logMultilineStart, dataDir, businessKeys, statusLines } = config;
    return { config: { logPaths, logService, logServiceFrom, logFormat, logMultilineStart, dataDir, businessKeys, statusLines }, demoLogDir };
  },
  create({ config, demoLogDir }, context) {
    let shipper: import('../../collector/shipper').Shipper | undefined;
    return {
      async start() {
        const shipping = await import('../../collector/shipper');
        const otlpUrl = context.otlpUrl;
        const options = shipping.shipperOptionsFromConfig(config, otlpUrl);
        if (config.statusLines === 'off') options.statusIntervalMs = 0;
        options.authorization = context.access?.authenticator?.internalAuthorization();
        const demoSources = demoLogDir ? [demoLogSource(shipping, demoLogDir)] : [];
        // Demo files first: a file claimed by an earlier source is not taken again by a LOG_PATHS glob
        // (a file belongs to the first source whose glob matches it), so no demo file is shipped twice.
        options.sources = [...demoSources, ...(config.logPaths.length > 0 ? options.sources : [])];
        shipper = new shipping.Shipper(options, context.log);
        await shipper.start();
        if (config.logPaths.length > 0) {
          const naming = config.logServiceFrom.length > 0 ? `service from ${config.logServiceFrom.join(', ')}, else ${config.logService}` : `as service ${config.logService}`;
          context.log(`chainscope: shipping ${config.logPaths.join(' ')} ${naming} through ${otlpUrl} (LOG_PATHS)`);
        }
        if (demoLogDir) context.log(`chainscope: shipping the demo's log files ${path.join(demoLogDir, '*.log')} through ${otlpUrl} (DEMO_LOG_DIR)`);
      },
      async shutdown() {
        if (!shipper) return;
        // The demo stopped just before: let its last lines go out (they would otherwise wait for the next start).
        if (demoLogDir) await waitUntilShipped(shipper, 2_000);
        await shipper.shutdown();
      },
    };
  },
};

/**
 * One shipper source for the demo's files: `<dir>/*.log`, JSON lines, each
 * record named by its line's `service` field (which then is not also an
 * attribute), else by its file name (`order-api.log` → order-api).
 * `.log.1` files (renamed by the demo) are not matched: the shipper reads a
 * renamed file to its end through the descriptor it already has.
 */
function demoLogSource(shipping: ShipperModule, dir: string): import('../../collector/shipper').ShipperSource {
  return {
    paths: [path.join(shipping.escapeGlob(dir), '*.log')],
    service: 'demo',
    serviceFrom: [{ kind: 'field', name: 'service' }, { kind: 'file' }],
    parser: shipping.parseParserSpec('json'),
  };
}

/** Resolves once every followed file is shipped up to its current size on disk, or after `timeoutMs`. */
async function waitUntilShipped(shipper: import('../../collector/shipper').Shipper, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const behind = () =>
    shipper.fileStates().some((f) => {
      // a rotated file's path may name a newer file by now: the shipper's own lag counts there
      if (f.rotated) return f.lagBytes > 0;
      try {
        return fs.statSync(f.path).size > f.offset;
      } catch {
        return false;
      }
    });
  while (behind() && Date.now() < deadline) await new Promise<void>((r) => setTimeout(r, 50).unref());
}
