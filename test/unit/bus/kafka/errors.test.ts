import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { isRebalanceError, KafkaDeadlineError, toBusError, withDeadline } from '../../../../bus/kafka/errors';
import { BackendUnavailableError, OverloadedError, PayloadTooLargeError } from '../../../../core/errors';

/** kafkajs builds protocol errors from the broker's error code; these are the codes we care about. */
const protocolError = (type: string, code: number, retriable: boolean) => {
  const e = new KafkaJSProtocolError({ type, code, retriable, message: type } as never);
  return e;
};

describe('Kafka error mapping', () => {
  it.each([
    ['refused connection', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1')],
    ['request timeout', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')],
    ['retries exhausted', new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error'), { retryCount: 2, retryTime: 100 })],
    ['our deadline', new KafkaDeadlineError('publish to t', 5000)],
    ['leader moving', protocolError('NOT_LEADER_OR_FOLLOWER', 6, true)],
    ['authorization', protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false)],
    ['something else entirely', new Error('boom')],
    ['not even an Error', 'boom'],
  ])('%s → retriable BackendUnavailableError (503 + Retry-After at the collector)', (_name, err) => {
    const mapped = toBusError(err, 'publish to t');
    expect(mapped).toBeInstanceOf(BackendUnavailableError);
    expect(mapped.retriable).toBe(true);
    expect(mapped.message).toContain('publish to t');
    expect((mapped as BackendUnavailableError).cause).toBe(err);
  });

  it('a record the broker refuses for size is permanent (413), also when wrapped in a retry error', () => {
    const tooLarge = protocolError('MESSAGE_TOO_LARGE', 10, false);
    for (const err of [tooLarge, new KafkaJSNumberOfRetriesExceeded(tooLarge, { retryCount: 0, retryTime: 0 })]) {
      const mapped = toBusError(err, 'publish to t', 1000);
      expect(mapped).toBeInstanceOf(PayloadTooLargeError);
      expect(mapped.retriable).toBe(false);
      expect((mapped as PayloadTooLargeError).limitBytes).toBe(1000);
    }
  });

  it('passes our own errors through unchanged', () => {
    const own = new OverloadedError('full', 3);
    expect(toBusError(own, 'x')).toBe(own);
  });

  it('recognises group rebalances, also inside a retry error', () => {
    expect(isRebalanceError(protocolError('REBALANCE_IN_PROGRESS', 27, false))).toBe(true);
    expect(isRebalanceError(protocolError('ILLEGAL_GENERATION', 22, false))).toBe(true);
    expect(isRebalanceError(new KafkaJSNumberOfRetriesExceeded(protocolError('NOT_COORDINATOR', 16, true), { retryCount: 1, retryTime: 1 }))).toBe(true);
    expect(isRebalanceError(new KafkaJSConnectionError('down'))).toBe(false);
    expect(isRebalanceError(new Error('store down'))).toBe(false);
    expect(isRebalanceError(undefined)).toBe(false);
  });
});

describe('withDeadline', () => {
  it('answers with the work when it is in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('no')), 1000, 'x')).rejects.toThrow('no');
  });

  it('rejects at the deadline and swallows a late failure of the work', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      const late = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30));
      await expect(withDeadline(late, 5, 'publish')).rejects.toBeInstanceOf(KafkaDeadlineError);
      await new Promise((r) => setTimeout(r, 60));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
