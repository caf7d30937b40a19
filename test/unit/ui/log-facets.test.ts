import { facetField } from '../../../query-api/services/log-service';
import { exampleQuery, isFacetable, topAttributeNames } from '../../../ui/src/views/logFacets';
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

  it('leaves the shipper noise fields out, however often they occur', () => {
    const line = (attributes: Record<string, string>): LogLine =>
      ({ id: 'x', timeUs: 0, service: 's', severityNumber: 9, severityText: 'INFO', body: 'b', traceId: '', spanId: '', attributes }) as unknown as LogLine;
    const shipped = { 'log.file.path': '/var/log/a.log', 'log.file.offset': '10', 'log.file.name': 'a.log' };
    const logs = [line({ ...shipped, 'order.id': 'o1' }), line({ ...shipped, 'http.route': '/a' }), line(shipped)];
    expect(topAttributeNames(logs)).toEqual(['http.route', 'order.id']);
  });
});

describe('the query box example', () => {
  it('names the services it is given, quoted when they are not one plain word', () => {
    expect(exampleQuery([])).toBe('level:>=warn "payment declined" order.id:ORD-12*');
    expect(exampleQuery(['payment'])).toBe('level:>=warn service:payment "payment declined" order.id:ORD-12*');
    expect(exampleQuery(['order-api', 'my svc', 'third'])).toBe('level:>=warn service:(order-api OR "my svc") "payment declined" order.id:ORD-12*');
    // names with hidden characters, empty or very long names make poor examples
    expect(exampleQuery(['pay\u202Ement', '', 'x'.repeat(41), 'billing'])).toBe('level:>=warn service:billing "payment declined" order.id:ORD-12*');
  });
});
