import { incidentApi, isAbort } from '../api';
import type { Incident } from '../../../core/wire';
import { errorBox, h, nameSpan, replace } from '../dom';
import { formatDuration, formatTime } from '../format';
import { formatHash } from '../route';
import { formatMetric, metricLabel, seriesLabel } from './incidentText';

export function incidentHref(id: string): string {
  return formatHash(['incident', id]);
}

/** A status chip: firing or resolved, with the severity. */
export function incidentChips(incident: Incident): HTMLElement {
  return h(
    'span',
    { class: 'incident-chips' },
    h('span', { class: `chip status-${incident.status}` }, incident.status),
    h('span', { class: `chip severity-${incident.severity}` }, incident.severity),
  );
}

/** #/incidents: every incident the alert evaluator opened, newest first. */
export function renderIncidents(root: HTMLElement, _route: unknown, signal: AbortSignal): void {
  const body = h('div', { class: 'status-line' }, 'Loading…');
  replace(root, h('section', { class: 'incidents-page' }, h('h1', { class: 'page-title' }, 'Incidents'), body));
  incidentApi
    .incidents(signal)
    .then((answer) => {
      if (!answer.evaluating) {
        replace(body, h('p', { class: 'empty' }, 'No alert evaluator runs in this process: give ALERT_RULES_DIR rule files (docs/alerts.md) to open incidents.'));
        return;
      }
      if (!answer.incidents.length) {
        replace(body, h('p', { class: 'empty' }, 'No incident yet: none of the alert rules has fired.'));
        return;
      }
      const nowUs = Date.now() * 1000;
      replace(
        body,
        h(
          'table',
          { class: 'results incidents-table' },
          h('thead', null, h('tr', null, ...['Status', 'Rule', 'Series', 'Started', 'Lasted', 'Summary'].map((c) => h('th', null, c)))),
          h(
            'tbody',
            null,
            ...answer.incidents.map((i) =>
              h(
                'tr',
                { class: `incident-row status-${i.status}`, data: { id: i.id } },
                h('td', null, incidentChips(i)),
                h('td', null, h('a', { href: incidentHref(i.id) }, nameSpan(i.rule))),
                h('td', null, nameSpan(seriesLabel(i.series)), h('span', { class: 'muted' }, ` ${metricLabel(i.metric)}`)),
                h('td', { class: 'nowrap' }, formatTime(i.startedAtMs * 1000)),
                h('td', { class: 'num' }, formatDuration((i.resolvedAtMs === null ? nowUs : i.resolvedAtMs * 1000) - i.startedAtMs * 1000), i.status === 'firing' ? h('span', { class: 'muted' }, ' so far') : null),
                h('td', null, i.summary || formatMetric(i.metric, i.value)),
              ),
            ),
          ),
        ),
      );
    })
    .catch((err) => {
      if (!isAbort(err)) replace(body, errorBox(err));
    });
}
