import { select } from 'd3';
import type { LogTailRow, PanelData, Thresholds } from '../../../core/wire';
import { clockSeconds } from '../numberText';
import { visibleText } from '../safeText';
import { mergeTail } from './logTail';
import { thresholdLevel } from './screenLayout';

type TailData = Extract<PanelData, { kind: 'log-tail' }>;

/** Rows coloured from WARN (13) and ERROR (17) on unless the panel's `severityNumber` thresholds say otherwise. */
const SEVERITY_LEVELS: Thresholds = { warn: 13, critical: 17 };

/** What each log-stream panel shows, kept between pushes (gone with the panel's element). */
const shownOf = new WeakMap<HTMLElement, LogTailRow[]>();

/**
 * A live log tail on a wall screen: the records of each push of the screen's
 * one stream merged into what the panel shows (logTail.ts), drawn with a D3
 * join keyed by record id, so a row already on screen stays the same element
 * and the new ones come in on top, marked for a moment.
 */
export function drawLogStream(body: HTMLElement, data: TailData, thresholds: Thresholds | undefined): void {
  const kept = shownOf.get(body);
  const { rows, fresh } = mergeTail(kept ?? [], data.rows, data.limit);
  shownOf.set(body, rows);
  const root = select(body);
  root.selectAll(':scope > :not(.screen-tail)').remove();
  if (!rows.length) {
    root.selectAll(':scope > .screen-tail').remove();
    root.append('p').attr('class', 'screen-empty').text('No matching log record in this window');
    return;
  }
  const list = root.selectAll<HTMLOListElement, null>(':scope > .screen-tail').data([null]).join('ol').attr('class', 'screen-log screen-tail');
  list
    .selectAll<HTMLLIElement, LogTailRow>('li')
    .data(rows, (d) => d.id)
    .join((enter) => {
      const li = enter.append('li');
      li.append('time');
      li.append('span').attr('class', 'log-severity');
      li.append('span').attr('class', 'log-service');
      li.append('span').attr('class', 'cell-msg');
      return li;
    })
    // first drawing: nothing is new yet
    .attr('class', (d) => `tail-row level-${thresholdLevel(d.severityNumber, thresholds ?? SEVERITY_LEVELS)}${kept && fresh.has(d.id) ? ' tail-new' : ''}`)
    .attr('data-id', (d) => d.id)
    .call((li) => {
      li.select('time').text((d) => clockSeconds(d.timeUs));
      li.select('.log-severity').text((d) => visibleText(d.severity));
      li.select('.log-service').text((d) => visibleText(d.service));
      li.select('.cell-msg').text((d) => visibleText(d.body)).attr('title', (d) => visibleText(d.body));
    })
    .order();
}
