import net from 'node:net';
import { IDLE_SOCKET_TTL_MS, openClient } from '../../../storage/clickhouse/connection';
import { describeWithEngines, ENGINE_ADDRESSES } from '../../helpers/engines';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * ClickHouse 18.16 closes a keep-alive connection after 3 idle seconds; a request
 * sent on it then fails with "socket hang up". The stores' client must give up
 * an idle socket well before that: a TCP relay in front of the real server
 * counts the connections the client opens.
 */
describeWithEngines(['clickhouse'], 'ClickHouse client idle sockets', () => {
  it('reuses a socket idle for a moment, opens a new one after the idle limit, and never sends on one the server closed', async () => {
    const target = new URL(ENGINE_ADDRESSES.clickhouse());
    let connections = 0;
    const relay = net.createServer((inbound) => {
      connections++;
      const outbound = net.connect(Number(target.port), target.hostname);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const client = openClient({ url: `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}` });
    const one = async () => (await (await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json<{ one: number }>())[0].one;
    try {
      expect(await one()).toBe(1);
      await sleep(50);
      expect(await one()).toBe(1);
      expect(connections).toBe(1);

      await sleep(IDLE_SOCKET_TTL_MS + 700);
      expect(await one()).toBe(1);
      expect(connections).toBe(2);

      // Past the server's own keep-alive timeout (3 s): still answered, on a fresh socket.
      await sleep(3_300);
      expect(await one()).toBe(1);
      expect(connections).toBe(3);
    } finally {
      await client.close();
      relay.close();
    }
  }, 30_000);
});
