import type { Config } from '../../core/config';
import { ensureWritableDir } from '../../core/util/writable-dir';
import type { ComponentFactory } from './component';

interface DataDirSettings {
  dataDir: string;
  /** WAL_DIR when it is set apart from DATA_DIR ('' otherwise). */
  walDir: string;
}

/** Whether a role keeps anything under DATA_DIR (embedded store, bus, shipper checkpoints, demo logs). */
function usesDataDir(config: Config, role: string): boolean {
  if (role === 'all-in-one') return true;
  const embedded = config.spanStore === 'embedded' || config.logStore === 'embedded';
  return (role === 'ingest' || role === 'query') && embedded;
}

/** DATA_DIR (and a separate WAL_DIR) made and checked writable before anything opens a file there: one line naming the setting otherwise. */
export const dataDirFactory: ComponentFactory<DataDirSettings> = {
  name: 'data folder',
  settings: (config, role) =>
    usesDataDir(config, role) ? { dataDir: config.dataDir, walDir: role === 'all-in-one' && config.bus === 'wal' ? config.walDir : '' } : null,
  create: (settings) => ({
    async start() {
      ensureWritableDir(settings.dataDir, 'DATA_DIR');
      if (settings.walDir) ensureWritableDir(settings.walDir, 'WAL_DIR');
    },
    async shutdown() {},
  }),
};
