/**
 * Inputs made by the real OpenTelemetry JS SDK and serializers, so the decoders
 * are checked against what instrumented services actually send.
 */
import { context, trace, SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** 1700000000.123456789 s: nanoseconds above 2^53, to exercise exact conversion. */
export const T0: HrTime = [1700000000, 123456789];
export const T0_US = 1700000000123456;

export function at(offsetNs: number): HrTime {
  const ns = T0[1] + offsetNs;
  return [T0[0] + Math.floor(ns / 1e9), ns % 1e9];
}

export async function sdkSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  const orders = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'host.name': 'h1', 'process.pid': 4242 }),
    spanProcessors: [processor],
  });
  const payments = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'payments' }),
    spanProcessors: [processor],
  });
  const http = orders.getTracer('@opentelemetry/instrumentation-http', '0.57.0');
  const custom = orders.getTracer('order-center');

  const root = http.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    startTime: T0,
    attributes: {
      'http.request.method': 'POST',
      'http.response.status_code': 201,
      'order.id': 'ORD-1',
      ratio: 0.25,
      retried: false,
      tags: ['a', 'b'],
      codes: [1, 2, 3],
      big: 2 ** 40,
    },
  });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = custom.startSpan('reserve stock', { startTime: at(1_000_000), kind: SpanKind.INTERNAL }, rootCtx);
  child.addEvent('stock.checked', { sku: 'SKU-9', qty: 2 }, at(1_500_000));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
  child.end(at(2_000_999)); // end not on a µs boundary

  const remote = payments.getTracer('payments-sdk', '2.0.0').startSpan(
    'charge',
    {
      kind: SpanKind.CLIENT,
      startTime: at(3_000_000),
      links: [{ context: { traceId: 'ABCDEF0123456789ABCDEF0123456789'.toLowerCase(), spanId: '0123456789abcdef', traceFlags: 1 }, attributes: { reason: 'retry-of' } }],
    },
    rootCtx,
  );
  remote.setStatus({ code: SpanStatusCode.OK });
  remote.end(at(4_000_000));

  const producer = custom.startSpan('publish order.created', { kind: SpanKind.PRODUCER, startTime: at(5_000_000) }, rootCtx);
  producer.end(at(5_000_000));
  const consumer = custom.startSpan('consume order.created', { kind: SpanKind.CONSUMER, startTime: at(6_000_000) });
  consumer.end(at(7_000_000));

  root.end(at(10_000_000));
  await orders.forceFlush();
  return exporter.getFinishedSpans();
}

export async function sdkLogRecords(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'host.name': 'h1' }),
    processors: [new SimpleLogRecordProcessor(exporter)],
  });
  const logger = provider.getLogger('order-logger', '1.0.0');
  const spanCtx = trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  logger.emit({
    timestamp: T0,
    observedTimestamp: at(5_000),
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'order ORD-1 created',
    attributes: { 'order.id': 'ORD-1', amount: 12.5, items: 3 },
    context: spanCtx,
  });
  logger.emit({
    timestamp: at(1_000_000),
    severityNumber: SeverityNumber.WARN2,
    body: { event: 'stock.low', sku: 'SKU-9', levels: [1, 2], nested: { deep: true } },
    attributes: { map: { a: 1, b: ['x', 'y'] } },
  });
  logger.emit({
    timestamp: at(2_000_000),
    severityNumber: SeverityNumber.ERROR,
    severityText: 'Error',
    body: 42,
    attributes: { raw: new Uint8Array([1, 2, 3, 250]) },
  });
  logger.emit({ timestamp: at(3_000_000) }); // no body, no severity
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}
