import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AlertsView } from '../../../alerting/evaluator';
import type { IncidentEvidence, IncidentRcaAnswer, IncidentsAnswer } from '../../../core/wire/incidents';
import { ClickHouseSpanStore } from '../../../storage/clickhouse';
import { describeWithEngines } from '../../helpers/engines';
import { startRecordingWebhook, type RecordingWebhook } from '../../helpers/recording-webhook';
import { writeSteadyTraffic } from '../../helpers/steady-traffic';
import { waitFor } from '../../helpers/wait';
import { Harness, roleEnv, runNames, sharedEngines, type StartedRole } from '../distributed/helpers';
import { alertsOf, describeWithAlertmanager, startAlertmanager, type RunningAlertmanager } from './alertmanager';

const MINUTE_US = 60_000_000;
const INTERVAL_MS = 1000;

/**
 * `chainscope alerter` run twice (then three times) as separate processes on ClickHouse and OpenSearch,
 * posting to a real Alertmanager and a webhook. The fault: checkout has had no traffic (a threshold
 * rule on its call rate); its removal: traffic written for the last and the coming minutes. One alert
 * fires, once; stopping the leading alerter hands over to the standby with the alert state (same
 * startsAt, no second firing post), a restarted alerter stands by, a killed leader is replaced after its
 * lease runs out, and the fault's removal resolves the alert, once.
 */
describeWithEngines(['clickhouse', 'opensearch'], 'alerter role', () => {
  describeWithAlertmanager('two alerters, one Alertmanager', (binary) => {
    const harness = new Harness();
    const names = runNames('alerter');
    const engines = sharedEngines();
    const checkout = `checkout-${names.tag}`.replace(/_/g, '-');
    let am: RunningAlertmanager;
    let hook: RecordingWebhook;
    let env: Record<string, string>;

    beforeAll(async () => {
      harness.cleanUpNames(names, engines);
      am = await startAlertmanager(binary);
      harness.onDispose('alertmanager', () => am.stop());
      hook = await startRecordingWebhook();
      harness.onDispose('webhook', () => hook.close());
      const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-alerter-rules-'));
      harness.onDispose('rules folder', async () => fs.rmSync(rulesDir, { recursive: true, force: true }));
      fs.writeFileSync(
        path.join(rulesDir, 'checkout.json'),
        JSON.stringify({
          rules: [
            {
              name: 'CheckoutSilent',
              for: '2s',
              severity: 'critical',
              labels: { team: 'shop' },
              condition: { kind: 'threshold', metric: 'rate_per_sec', service: checkout, op: '<', value: 0.5, window: '1m' },
            },
          ],
        }),
      );
      env = roleEnv(names, engines, {
        ALERT_RULES_DIR: rulesDir,
        ALERTMANAGER_URL: am.url,
        ALERT_WEBHOOK_URL: hook.url,
        ALERT_EVAL_INTERVAL_MS: String(INTERVAL_MS),
      });
    }, 120_000);
    afterAll(() => harness.dispose(), 60_000);

    const view = async (r: StartedRole): Promise<AlertsView> => (await fetch(`${r.url}/api/alerts`, { signal: AbortSignal.timeout(5_000) })).json() as Promise<AlertsView>;
    const mine = (labels: Record<string, string>) => labels.alertname === 'CheckoutSilent';
    const posted = (status: string) => hook.posts.filter((p) => p.status === status && p.alerts.some((a) => mine(a.labels))).length;
    const activeInAlertmanager = async () => (await alertsOf(am.url)).filter((a) => mine(a.labels));
    /** Waits until `r` evaluated `n` more times as the leader. */
    const evaluationsBy = async (r: StartedRole, n: number) => {
      const from = (await view(r)).lastEvaluationMs ?? 0;
      await waitFor(async () => {
        const v = await view(r);
        return v.leading && (v.lastEvaluationMs ?? 0) >= from + n * INTERVAL_MS;
      }, `${n} more evaluations by the leader`, 30_000, 200);
    };
    const leaderOf = async (roles: StartedRole[]) =>
      waitFor(async () => {
        const leading = [];
        for (const r of roles) if ((await view(r)).leading) leading.push(r);
        return leading.length === 1 ? leading[0] : undefined;
      }, 'exactly one leading alerter', 30_000, 200);

    it('fires once, hands over without loss or duplicate, and resolves once', harness.withOutputs(async () => {
      const first = await harness.start('alerter', env);
      const second = await harness.start('alerter', env);

      // the fault (no checkout traffic) fires: Alertmanager holds one alert, the webhook heard one firing post
      const [fired] = await waitFor(async () => {
        const active = await activeInAlertmanager();
        return active.length === 1 ? active : undefined;
      }, 'Alertmanager to hold the alert', 60_000, 200);
      expect(fired.labels).toMatchObject({ alertname: 'CheckoutSilent', severity: 'critical', team: 'shop' });
      let leader = await leaderOf([first, second]);
      let standby = leader === first ? second : first;
      await evaluationsBy(leader, 3);
      expect((await view(standby)).leading).toBe(false);
      expect(posted('firing')).toBe(1);
      const firedAt = (await view(leader)).alerts.find((a) => a.rule === 'CheckoutSilent')!;
      expect(firedAt.status).toBe('firing');

      // a query role reads what the leader saved: the alert, its incident, and the rules of its own ALERT_RULES_DIR
      const query = await harness.start('query', env);
      const queryAlert = async () => ((await (await fetch(`${query.url}/api/alerts`)).json()) as AlertsView).alerts.find((a) => a.rule === 'CheckoutSilent');
      expect(await waitFor(queryAlert, 'the query role to show the alert', 30_000, 200)).toMatchObject({ status: 'firing', firedAtMs: firedAt.firedAtMs });
      const queryIncidents = async () => ((await (await fetch(`${query.url}/api/incidents`)).json()) as { evaluating: boolean; incidents: { rule: string; status: string }[] });
      expect(await queryIncidents()).toMatchObject({ incidents: [{ rule: 'CheckoutSilent', status: 'firing' }] });
      expect(await (await fetch(`${query.url}/api/alerts/rules`)).json()).toMatchObject({ evaluating: false, rules: [{ name: 'CheckoutSilent', lastError: null }] });

      // the leader stops (SIGTERM: it gives the lease up); the standby carries on from the saved state
      await leader.proc.stop('SIGTERM');
      await waitFor(async () => (await view(standby)).leading, 'the standby to take over', 30_000, 200);
      leader = standby;
      await evaluationsBy(leader, 3);
      expect((await view(leader)).alerts.find((a) => a.rule === 'CheckoutSilent')).toMatchObject({ status: 'firing', firedAtMs: firedAt.firedAtMs, activeAtMs: firedAt.activeAtMs });
      expect((await activeInAlertmanager()).map((a) => a.startsAt)).toEqual([fired.startsAt]);
      expect(posted('firing')).toBe(1);

      // a restarted alerter stands by
      standby = await harness.start('alerter', env);
      await evaluationsBy(leader, 3);
      expect((await view(standby)).leading).toBe(false);
      expect(posted('firing')).toBe(1);

      // the leader is killed (no hand-over): the standby leads once the lease ran out, still without a second firing post
      await leader.proc.stop('SIGKILL');
      await waitFor(async () => (await view(standby)).leading, 'the standby to take over from a killed leader', 30_000, 200);
      leader = standby;
      await evaluationsBy(leader, 2);
      expect((await activeInAlertmanager()).map((a) => a.startsAt)).toEqual([fired.startsAt]);
      expect(posted('firing')).toBe(1);

      // the fault's removal: checkout traffic in the last whole minute and the next few
      const store = new ClickHouseSpanStore({ url: engines.clickhouse, database: names.database });
      await store.start();
      try {
        const minute = Math.floor((Date.now() * 1000) / MINUTE_US) * MINUTE_US;
        await writeSteadyTraffic(store, { fromUs: minute - 2 * MINUTE_US, toUs: minute + 5 * MINUTE_US, perMinute: 60, paymentMs: () => 20, names: { frontend: checkout, payment: `${checkout}-pay` } });
      } finally {
        await store.shutdown();
      }
      await waitFor(async () => (await activeInAlertmanager()).length === 0, 'Alertmanager to drop the resolved alert', 30_000, 200);
      await waitFor(() => posted('resolved') === 1, 'the webhook to hear the resolution', 30_000, 200);
      await evaluationsBy(leader, 2);
      expect([posted('firing'), posted('resolved')]).toEqual([1, 1]);
      expect((await view(leader)).alerts.find((a) => a.rule === 'CheckoutSilent')).toMatchObject({ status: 'resolved', firedAtMs: firedAt.firedAtMs });
      await waitFor(async () => (await queryAlert())?.status === 'resolved', 'the query role to show the resolution', 30_000, 200);
      expect((await queryIncidents()).incidents.map((i) => [i.rule, i.status])).toEqual([['CheckoutSilent', 'resolved']]);
      // its evidence and ranking, read by the query role from ClickHouse and OpenSearch
      const [{ id }] = ((await (await fetch(`${query.url}/api/incidents`)).json()) as IncidentsAnswer).incidents;
      const evidence = await fetch(`${query.url}/api/incidents/${id}`, { signal: AbortSignal.timeout(30_000) });
      expect(evidence.status).toBe(200);
      expect(((await evidence.json()) as IncidentEvidence)).toMatchObject({ incident: { id, status: 'resolved', series: { kind: 'service', service: checkout }, metric: 'rate_per_sec' }, missing: [] });
      const rca = await fetch(`${query.url}/api/rca?incident=${id}`, { signal: AbortSignal.timeout(30_000) });
      expect(rca.status).toBe(200);
      expect(((await rca.json()) as IncidentRcaAnswer).incident).toBe(id);
    }), 240_000);
  });
});
