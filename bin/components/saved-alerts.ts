import type { Config } from '../../core/config';
import { parseAlertState, type AlertState } from '../../alerting/state-file';
import { clickhouseCredentials } from '../backends';
import type { ComponentFactory } from './component';

interface SavedAlertsSettings {
  clickhouse: { url: string; database: string; username: string; password: string };
  refreshMs: number;
}

/**
 * A query role on ClickHouse reads the alert state the leading alerter saves
 * there (docs/alerts.md, "Running twice"), again every ALERT_EVAL_INTERVAL_MS,
 * so its GET /api/alerts and /api/incidents show the alerters' alerts and
 * incidents. A read that fails keeps the state read before.
 */
export const savedAlertsFactory: ComponentFactory<SavedAlertsSettings> = {
  name: 'saved alert state',
  settings: (config: Config, role) =>
    role === 'query' && config.spanStore === 'clickhouse'
      ? {
          clickhouse: clickhouseCredentials(config),
          refreshMs: config.alertEvalIntervalMs,
        }
      : null,
  create(settings, context) {
    const { ClickHouseAlertStateStore } = require('../../storage/clickhouse/alert-state-store') as typeof import('../../storage/clickhouse/alert-state-store');
    const store = new ClickHouseAlertStateStore(settings.clickhouse);
    let saved: AlertState | undefined;
    let timer: NodeJS.Timeout | undefined;
    let reading: Promise<void> | undefined;
    const refresh = () => {
      reading ??= store
        .read()
        .then((text) => {
          if (text !== null) saved = parseAlertState(text);
        })
        .catch(() => undefined)
        .finally(() => (reading = undefined));
      return reading;
    };
    return {
      async start() {
        await store.start();
        await refresh();
        timer = setInterval(refresh, settings.refreshMs);
        timer.unref();
        context.savedAlertState = () => saved;
      },
      async shutdown() {
        clearInterval(timer);
        await reading;
        await store.shutdown();
      },
    };
  },
};
