import { isStaleSocket, onFreshSocket } from '../../../../storage/clickhouse/connection';

const hangUp = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('onFreshSocket', () => {
  it('sends a request again when it met a socket the server had closed, at most three tries', async () => {
    let tries = 0;
    await expect(onFreshSocket(async () => (++tries < 3 ? Promise.reject(hangUp()) : 'answer'))).resolves.toBe('answer');
    expect(tries).toBe(3);
    tries = 0;
    await expect(onFreshSocket(async () => (++tries, Promise.reject(hangUp())))).rejects.toThrow('socket hang up');
    expect(tries).toBe(3);
  });

  it('does not repeat a request the server answered with an error, or any other failure', async () => {
    let tries = 0;
    await expect(onFreshSocket(async () => (++tries, Promise.reject(new Error('Code: 62, e.displayText() = DB::Exception: Syntax error'))))).rejects.toThrow('Syntax error');
    expect(tries).toBe(1);
  });

  it.each([
    [hangUp(), true],
    [new Error('socket hang up'), true],
    [Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), true],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }), false],
    [new Error('Timeout error.'), false],
    ['socket hang up', false],
  ])('isStaleSocket(%p) is %p', (err, stale) => {
    expect(isStaleSocket(err)).toBe(stale);
  });
});
