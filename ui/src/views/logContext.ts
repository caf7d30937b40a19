import { logApi, isAbort, type LogLine } from '../api';
import { errorBox, h, nameSpan, replace } from '../dom';
import { logRow } from './logResults';

const STEP = 20;
const MAX_SIDE = 200;

export interface ContextPanel {
  element: HTMLElement;
  open(logId: string): void;
  close(): void;
}

/** A drawer with the lines around one record from the same source; the record itself is marked. */
export function contextPanel(onChange: (logId: string | null) => void): ContextPanel {
  const body = h('div', { class: 'log-context-lines' });
  const title = h('h3', null, 'Context');
  let abort: AbortController | null = null;
  let before = STEP;
  let after = STEP;
  let anchorId = '';

  const load = () => {
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    replace(body, h('div', { class: 'status-line' }, 'Loading context…'));
    logApi
      .context(anchorId, { before, after }, signal)
      .then((ctx) => {
        const index = ctx.logs.findIndex((l) => l.id === ctx.anchorId);
        const anchor: LogLine | undefined = ctx.logs[index];
        if (anchor) replace(title, 'Context: ', nameSpan(anchor.service));
        else title.textContent = 'Context';
        const older = index >= 0 ? index : 0;
        const newer = index >= 0 ? ctx.logs.length - index - 1 : 0;
        replace(
          body,
          older >= before && before < MAX_SIDE
            ? h('button', { class: 'link-button more-before', attrs: { type: 'button' }, on: { click: () => ((before = Math.min(MAX_SIDE, before + STEP)), load()) } }, 'Earlier lines')
            : h('div', { class: 'muted context-edge' }, older >= MAX_SIDE ? `Showing the ${MAX_SIDE} earlier lines` : 'No earlier lines from this source'),
          ...ctx.logs.map((l) => logRow(l, { extraClass: l.id === ctx.anchorId ? 'anchor' : undefined })),
          newer >= after && after < MAX_SIDE
            ? h('button', { class: 'link-button more-after', attrs: { type: 'button' }, on: { click: () => ((after = Math.min(MAX_SIDE, after + STEP)), load()) } }, 'Later lines')
            : h('div', { class: 'muted context-edge' }, newer >= MAX_SIDE ? `Showing the ${MAX_SIDE} later lines` : 'No later lines from this source'),
        );
        body.querySelector('.anchor')?.scrollIntoView({ block: 'center' });
      })
      .catch((err) => {
        if (!isAbort(err)) replace(body, errorBox(err));
      });
  };

  const close = () => {
    abort?.abort();
    element.hidden = true;
    anchorId = '';
    onChange(null);
  };
  const element = h(
    'aside',
    { class: 'log-context', attrs: { role: 'dialog', 'aria-label': 'Log context' } },
    h('div', { class: 'panel-head' }, title, h('button', { class: 'close', title: 'Close', attrs: { type: 'button', 'aria-label': 'Close context' }, on: { click: close } }, '×')),
    body,
  );
  element.hidden = true;
  return {
    element,
    open(logId: string) {
      anchorId = logId;
      before = STEP;
      after = STEP;
      element.hidden = false;
      onChange(logId);
      load();
    },
    close,
  };
}
