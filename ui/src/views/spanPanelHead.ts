import { h, nameSpan } from '../dom';

/** What both span panels (trace waterfall, chain view) show at the top. */
export interface SpanHeadFacts {
  name: string;
  service: string;
  kind: string;
  status?: { code?: string };
}

/**
 * Title with a close button, then the service chip, kind and status, and
 * whatever badges the caller adds (critical path, skew …).
 */
export function spanPanelHead(span: SpanHeadFacts, color: string, onClose: () => void, ...badges: (HTMLElement | null)[]): HTMLElement[] {
  const code = span.status?.code ?? 'unset';
  return [
    h(
      'div',
      { class: 'detail-head' },
      h('h2', { class: 'detail-title' }, nameSpan(span.name)),
      h('button', { class: 'close', attrs: { type: 'button', 'aria-label': 'Close details' }, on: { click: onClose } }, '×'),
    ),
    h(
      'div',
      { class: 'detail-tags' },
      h('span', { class: 'chip', style: { borderColor: color } }, h('span', { class: 'swatch', style: { background: color } }), nameSpan(span.service)),
      h('span', { class: 'chip' }, span.kind),
      h('span', { class: `badge status-${code}` }, code === 'error' ? '! error' : code),
      ...badges,
    ),
  ];
}
