import type { LogRecord } from '../../core/model';
import { makeLog } from './fixtures';

/**
 * The shared query corpus: the same fixture records and queries run against
 * every LogStore backend (log-store.contract.ts) and the parser unit tests.
 * Every valid query must return, on every backend, exactly the records the
 * reference evaluator (core/logql/evaluate.ts) selects; `expect` pins the
 * answer by fixture key where it matters most, so the evaluator is checked too.
 */
export const CORPUS_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const CORPUS_SPAN_ID = '00f067aa0ba902b7';

export function corpusLogs(baseUs: number): Record<string, LogRecord> {
  const at = (i: number) => baseUs + i * 1_000;
  const res = (service: string, host: string) => ({ 'service.name': service, 'host.name': host });
  const rec = (key: string, i: number, o: Partial<LogRecord>): [string, LogRecord] => [
    key,
    makeLog({ id: `corpus-${key}-${baseUs}`, timeUs: at(i), ...o, resource: res(o.service ?? 'svc', String(o.resource?.['host.name'] ?? 'h0')) }),
  ];
  return Object.fromEntries([
    rec('declined', 1, { service: 'payment', severityText: 'ERROR', severityNumber: 17, body: 'card declined for order ORD-1234: insufficient funds', traceId: CORPUS_TRACE_ID, spanId: CORPUS_SPAN_ID, attributes: { 'order.id': 'ORD-1234', 'http.status_code': 402, duration_ms: 812, retry: true }, resource: { 'host.name': 'pay-1' } }),
    rec('authorised', 2, { service: 'payment', severityText: 'INFO', severityNumber: 9, body: 'payment authorised for order ORD-1235', attributes: { 'order.id': 'ORD-1235', 'http.status_code': 200, duration_ms: 120 }, resource: { 'host.name': 'pay-2' } }),
    rec('slow', 3, { service: 'order-api', severityText: 'WARN', severityNumber: 13, body: 'slow response from inventory (1.2 s) for ORD-12', attributes: { 'order.id': 'ORD-12', duration_ms: 1200, tags: ['slow', 'retry'] }, resource: { 'host.name': 'pay-1' } }),
    rec('accepted', 4, { service: 'order-api', severityText: 'info', severityNumber: 9, body: 'Order accepted: customer CUST-7 "vip"', attributes: { 'customer.id': 'CUST-7' }, resource: { 'host.name': 'api-1' } }),
    rec('reserved', 5, { service: 'inventory', severityText: 'DEBUG', severityNumber: 5, body: 'reserved 3 items in WH-MUC-2 for ORD-1234', attributes: { 'order.id': 'ORD-1234', 'http.status_code': '200' }, resource: { 'host.name': 'inv-1' } }),
    rec('unicode', 6, { service: 'notification', severityText: 'Error', severityNumber: 18, body: 'Überweisung für Café Müller fehlgeschlagen ✅', attributes: { 'kunde.name': 'Müller' }, resource: { 'host.name': 'nötig-1' } }),
    rec('syntax', 7, { service: 'notification', severityText: 'FATAL', severityNumber: 21, body: 'заказ оплачен 🚀 NEAR(a b) a* *:* _exists_:x', attributes: { _exists_: 'y' }, resource: { 'host.name': 'n-1' } }),
    rec('sql', 8, { service: 'billing', severityText: '', severityNumber: 0, body: '") OR 1=1 -- sql looking body; error, warning', attributes: { note: 'a:b "c"', 'weird*key': 'x' }, resource: { 'host.name': 'b-1' } }),
    rec('url', 9, { service: 'billing', severityText: 'INFO', severityNumber: 9, body: 'GET http://shop.example/pay?x=1 done', attributes: { 'url.full': 'http://shop.example/pay?x=1', 'http.status_code': 200 }, resource: { 'host.name': 'b-1' } }),
    rec('twice', 10, { service: 'payment', severityText: 'warning', severityNumber: 14, body: 'card declined twice; retrying payment', attributes: { duration_ms: 500, 'order.id': 'ORD-99' }, resource: { 'host.name': 'pay-2' } }),
    rec('question', 11, { service: 'payment', severityText: 'INFO', severityNumber: 9, body: 'declined card? no: card accepted', attributes: { duration_ms: 499.5, 'order.id': 'ORD-1?' }, resource: { 'host.name': 'pay-2' } }),
    rec('trace', 12, { service: 'gateway', severityText: 'TRACE', severityNumber: 1, body: 'GET /orders/ORD-1234 200', traceId: CORPUS_TRACE_ID, attributes: { 'http.status_code': 200, 'order.id': 'ORD-1234' }, resource: { 'host.name': 'gw-1' } }),
  ]);
}

export interface ValidCase {
  q: string;
  /** Fixture keys of the expected hits, any order; omitted: whatever the reference evaluator says. */
  expect?: string[];
}

export const VALID_QUERIES: ValidCase[] = [
  { q: 'declined', expect: ['declined', 'twice', 'question'] },
  { q: 'DECLINED card', expect: ['declined', 'twice', 'question'] },
  { q: '"card declined"', expect: ['declined', 'twice'] },
  { q: 'service:payment AND "card declined"', expect: ['declined', 'twice'] },
  { q: 'service:payment "card declined" -twice', expect: ['declined'] },
  { q: 'declined OR reserved', expect: ['declined', 'twice', 'question', 'reserved'] },
  { q: 'declined AND NOT service:payment', expect: [] },
  { q: 'NOT declined', expect: ['authorised', 'slow', 'accepted', 'reserved', 'unicode', 'syntax', 'sql', 'url', 'trace'] },
  { q: '(declined OR accepted) AND level:info', expect: ['question', 'accepted'] },
  { q: 'level:error', expect: ['declined', 'unicode'] },
  { q: 'level:ERROR', expect: ['declined', 'unicode'] },
  { q: 'severity:warn*', expect: ['slow', 'twice'] },
  { q: 'level:>=warn', expect: ['declined', 'slow', 'unicode', 'syntax', 'twice'] },
  { q: 'level:>warn', expect: ['declined', 'unicode', 'syntax'] },
  { q: 'level:<info', expect: ['reserved', 'trace', 'sql'] },
  { q: 'level:[debug TO info]', expect: ['authorised', 'accepted', 'reserved', 'question', 'url'] },
  { q: 'level:>=17', expect: ['declined', 'unicode', 'syntax'] },
  { q: 'order.id:ORD-1234', expect: ['declined', 'reserved', 'trace'] },
  { q: 'order.id:"ORD-1234"', expect: ['declined', 'reserved', 'trace'] },
  { q: 'order.id:ORD-12*', expect: ['declined', 'authorised', 'slow', 'reserved', 'trace'] },
  { q: 'order.id:ORD-123?', expect: ['declined', 'authorised', 'reserved', 'trace'] },
  { q: 'order.id:ORD-1\\?', expect: ['question'] },
  { q: 'order.id:ORD-1?', expect: ['question', 'slow'] },
  { q: 'order.id:"ORD-1?"', expect: ['question'] },
  { q: 'http.status_code:200', expect: ['authorised', 'reserved', 'url', 'trace'] },
  { q: 'http.status_code:>=400', expect: ['declined'] },
  { q: 'http.status_code:[200 TO 402}', expect: ['authorised', 'url', 'trace'] },
  { q: 'duration_ms:>500', expect: ['declined', 'slow'] },
  { q: 'duration_ms:>=500', expect: ['declined', 'slow', 'twice'] },
  { q: 'duration_ms:<500', expect: ['authorised', 'question'] },
  { q: 'duration_ms:[499.5 TO 500]', expect: ['twice', 'question'] },
  { q: 'duration_ms:[* TO 120]', expect: ['authorised'] },
  { q: 'duration_ms:>-1e9', expect: ['declined', 'authorised', 'slow', 'twice', 'question'] },
  { q: 'retry:true', expect: ['declined'] },
  { q: 'tags:retry', expect: ['slow'] },
  { q: 'tags:sl*', expect: ['slow'] },
  { q: `trace_id:${CORPUS_TRACE_ID.toUpperCase()}`, expect: ['declined', 'trace'] },
  { q: `trace_id:${CORPUS_TRACE_ID} span_id:${CORPUS_SPAN_ID}`, expect: ['declined'] },
  { q: 'trace_id:4bf92f*', expect: ['declined', 'trace'] },
  { q: 'host:pay-1', expect: ['declined', 'slow'] },
  { q: 'host:pay-*', expect: ['declined', 'authorised', 'slow', 'twice', 'question'] },
  { q: 'host:nötig-1', expect: ['unicode'] },
  { q: 'service:order-api OR service:inventory', expect: ['slow', 'accepted', 'reserved'] },
  { q: 'service:pay*', expect: ['declined', 'authorised', 'twice', 'question'] },
  { q: 'body:declined body:"card accepted"', expect: ['question'] },
  { q: 'ORD-1234', expect: ['declined', 'reserved', 'trace'] },
  { q: 'ord-12*', expect: ['declined', 'authorised', 'slow', 'reserved', 'trace'] },
  { q: 'retr*', expect: ['twice'] },
  { q: 'cafe MÜLLER', expect: ['unicode'] },
  { q: 'uberweisung fur', expect: ['unicode'] },
  { q: 'ЗАКАЗ', expect: ['syntax'] },
  { q: 'kunde.name:Müller', expect: ['unicode'] },
  { q: '"vip"', expect: ['accepted'] },
  { q: '"customer CUST-7 \\"vip\\""', expect: ['accepted'] },
  { q: 'note:"a:b \\"c\\""', expect: ['sql'] },
  { q: 'note:a\\:b*', expect: ['sql'] },
  { q: 'url.full:http://shop.example/pay?x=1', expect: ['url'] },
  { q: 'url.full:"http://shop.example/pay?x=1"', expect: ['url'] },
  { q: 'http\\://shop.example', expect: ['url'] },
  { q: `time:>=${new Date(0).toISOString()}`, expect: undefined },
  // a bare level name also finds the records at that level (docs/log-query-language.md)
  { q: 'error', expect: ['declined', 'unicode', 'sql'] },
  { q: 'ERROR', expect: ['declined', 'unicode', 'sql'] },
  { q: 'warn', expect: ['slow', 'twice'] },
  { q: 'warning', expect: ['slow', 'twice', 'sql'] },
  { q: 'fatal OR trace', expect: ['syntax', 'trace'] },
  { q: 'error service:payment', expect: ['declined'] },
  { q: '-error service:(payment OR billing)', expect: ['authorised', 'twice', 'question', 'url'] },
  { q: '"error"', expect: ['sql'] },
  { q: 'body:error', expect: ['sql'] },
  { q: 'msg:(error OR fatal)', expect: ['sql'] },
  { q: '\\error', expect: ['sql'] },
  { q: 'error*', expect: ['sql'] },
  { q: 'body error', expect: ['sql'] },
  // field groups: field:( … ) applies the field to every value inside
  { q: 'service:(payment OR inventory)', expect: ['declined', 'authorised', 'twice', 'question', 'reserved'] },
  { q: 'service:(order-api OR "inventory")', expect: ['slow', 'accepted', 'reserved'] },
  { q: 'level:(error OR warn)', expect: ['declined', 'unicode', 'slow'] },
  { q: 'level:(ERROR OR warn*)', expect: ['declined', 'unicode', 'slow', 'twice'] },
  { q: 'level:([debug TO info] OR fatal)', expect: ['authorised', 'accepted', 'reserved', 'question', 'url', 'syntax'] },
  { q: 'order.id:(ORD-1235 OR ORD-9*)', expect: ['authorised', 'twice'] },
  { q: 'order.id:("ORD-1?" OR ORD-12)', expect: ['question', 'slow'] },
  { q: 'order.id:(ORD-12 OR (ORD-1234 AND NOT ORD-1234))', expect: ['slow'] },
  { q: '-service:(payment OR billing)', expect: ['slow', 'accepted', 'reserved', 'unicode', 'syntax', 'trace'] },
  { q: 'NOT service:(payment OR order-api OR inventory)', expect: ['unicode', 'syntax', 'sql', 'url', 'trace'] },
  { q: 'service:(order-api OR inventory) -level:(debug OR trace)', expect: ['slow', 'accepted'] },
  { q: 'service:(payment) level:error', expect: ['declined'] },
  { q: 'service:(payment (x OR y))', expect: [] },
  { q: 'host:(pay-* -pay-2)', expect: ['declined', 'slow'] },
  { q: 'http.status_code:(200 OR 402)', expect: ['declined', 'authorised', 'reserved', 'url', 'trace'] },
  { q: 'duration_ms:(>1000 OR <=120)', expect: ['slow', 'authorised'] },
  { q: 'tags:(retry AND slow)', expect: ['slow'] },
  { q: 'trace_id:(4BF92F* OR 0000)', expect: ['declined', 'trace'] },
  { q: 'kunde.name:(müller OR Müller)', expect: ['unicode'] },
  { q: 'body:("card declined" OR reserved)', expect: ['declined', 'twice', 'reserved'] },
  { q: 'msg:(card -twice)', expect: ['declined', 'question'] },
  { q: 'message:(ord-12* AND NOT gateway) service:(payment OR inventory)', expect: ['declined', 'authorised', 'reserved'] },
  { q: 'note:("a:b \\"c\\"" OR x)', expect: ['sql'] },
  { q: 'note:(a\\:b*)', expect: ['sql'] },
  { q: '_exists_:(y OR z)', expect: ['syntax'] },
  { q: 'service:(\\OR OR \\AND)', expect: [] },
  { q: `time:(>=${new Date(0).toISOString()})`, expect: undefined },
  // injection attempts and other engines' syntax: plain text or plain attribute names
  { q: '"\\") OR 1=1 --"', expect: ['sql'] },
  { q: '"NEAR(a b)"', expect: ['syntax'] },
  { q: '"a*"', expect: ['syntax'] },
  { q: '"*:*"', expect: [] },
  { q: '_exists_:x', expect: [] },
  { q: '_exists_:y', expect: ['syntax'] },
  { q: 'body:\\*', expect: [] },
  { q: '\\( \\)', expect: [] },
  { q: 'NOT \\(', expect: undefined },
  { q: "'", expect: [] },
  { q: "' OR 1=1 --", expect: undefined },
  { q: 'and or not', expect: [] },
  { q: '{!lucene}', expect: [] },
  { q: 'a\\*', expect: ['syntax'] },
  { q: '   ', expect: undefined },
];

export interface InvalidCase {
  q: string;
  position: number;
  /** Substring of the message. */
  message: string;
}

export const INVALID_QUERIES: InvalidCase[] = [
  { q: '(declined OR card', position: 17, message: "expected ')'" },
  { q: 'declined)', position: 8, message: "unexpected ')'" },
  { q: '"unclosed phrase', position: 16, message: 'unterminated phrase' },
  { q: 'declined AND', position: 12, message: 'expected a term' },
  { q: 'OR declined', position: 0, message: 'expected a term' },
  { q: 'service:', position: 8, message: "expected a value after 'service:'" },
  { q: ':value', position: 0, message: 'expected a field name' },
  { q: '*:*', position: 0, message: 'field names cannot have wildcards' },
  { q: 'body:*', position: 5, message: "expected at least one character before '*'" },
  { q: '*', position: 0, message: "expected at least one character before '*'" },
  { q: 'a*b', position: 1, message: "'*' is only allowed at the end" },
  { q: 'order.id:*12', position: 9, message: "'*' is only allowed at the end" },
  { q: 'duration_ms:>abc', position: 13, message: 'expected a number' },
  { q: 'duration_ms:[1 TO 5', position: 19, message: "expected ']' or '}'" },
  { q: 'duration_ms:[1 5]', position: 15, message: "expected 'TO'" },
  { q: 'service:>5', position: 9, message: 'takes values, not ranges' },
  { q: 'time:2026', position: 5, message: 'time takes a range' },
  { q: 'time:>yesterday', position: 6, message: 'expected a time' },
  { q: 'level:>loud', position: 7, message: 'expected a number or a level name' },
  { q: 'trailing\\', position: 9, message: "expected a character after '\\'" },
  { q: 'service:(', position: 9, message: 'expected a value in service:(...)' },
  { q: 'service:()', position: 9, message: "unexpected ')': expected a value in service:(...)" },
  { q: 'service:(a OR)', position: 13, message: "unexpected ')': expected a value in service:(...)" },
  { q: 'service:(OR a)', position: 9, message: 'unexpected "OR": expected a value' },
  { q: 'service:(a OR b', position: 15, message: "expected ')'" },
  { q: 'service:(a OR b))', position: 16, message: "unexpected ')'" },
  { q: 'service:(level:error)', position: 9, message: 'field "level" inside service:(...): a group takes values only' },
  { q: 'order.id:(ORD-1 OR http://x)', position: 19, message: 'field "http" inside order.id:(...)' },
  { q: 'service:(>5)', position: 10, message: 'takes values, not ranges' },
  { q: 'body:(a OR >5)', position: 11, message: 'body takes words and "phrases", not ranges' },
  { q: 'time:(2026)', position: 6, message: 'time takes a range' },
  { q: 'order.id:(ORD-1 OR *12)', position: 19, message: "'*' is only allowed at the end" },
  { q: 'level:(error OR "warn)', position: 22, message: 'unterminated phrase' },
  { q: 'NOT', position: 3, message: 'expected a term' },
  { q: 'weird\\*key:x', position: 0, message: 'invalid field name' },
  { q: 'NEAR(a', position: 6, message: "expected ')'" },
];
