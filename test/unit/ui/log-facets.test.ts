import { facetField } from '../../../query-api/services/log-service';
import { isFacetable, topAttributeNames } from '../../../ui/src/views/logFacets';
import type { LogLine } from '../../../ui/src/api';

const apiAccepts = (name: string): boolean => {
  try {
    facetField(name);
    return true;
  } catch {
    return false;
  }
};

describe('facet fields the log page asks for', () => {
  it.each([
    'http.status_code',
    'order.id',
    'user_agent.original',
    '@timestamp',
    '$meta',
    'k8s.pod/name',
    'a-b',
    'Größe',
    '注文.番号',
    '9lives',
    'service',
    'host.name',
    'x'.repeat(256),
    'x'.repeat(257),
    'my key',
    'a<b',
    'a:b',
    '.hidden',
    '-dash',
    'tab\tkey',
    'quote"key',
    'evil\u202Ekey',
    'zero\u200Bwidth',
    '',
  ])('%j: the UI asks for it exactly when the API takes it', (name) => {
    expect(isFacetable(name)).toBe(apiAccepts(name));
  });

  it('skips attribute keys the API refuses, however often they occur', () => {
    const line = (attributes: Record<string, string>): LogLine =>
      ({ id: 'x', timeUs: 0, service: 's', severityNumber: 9, severityText: 'INFO', body: 'b', traceId: '', spanId: '', attributes }) as unknown as LogLine;
    const logs = [
      line({ 'my key': '1', 'a<b': '2', 'order.id': 'o1', 'http.route': '/a' }),
      line({ 'my key': '1', 'a<b': '2', 'order.id': 'o2' }),
      line({ 'my key': '1', 'a<b': '2', ['x'.repeat(300)]: 'long' }),
    ];
    expect(topAttributeNames(logs)).toEqual(['order.id', 'http.route']);
  });
});
