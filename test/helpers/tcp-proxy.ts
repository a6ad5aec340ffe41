/**
 * A TCP relay in front of a database, able to simulate a network partition: while partitioned it
 * accepts connections and reads nothing, and established streams stop flowing; nothing is reset, so
 * the client sees a server that no longer answers (the case only client-side timeouts can bound).
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const waiting = new Set<net.Socket>();
  let partitioned = false;

  function flow(link: { client: net.Socket; upstream: net.Socket }): void {
    link.client.pipe(link.upstream);
    link.upstream.pipe(link.client);
  }
  function link(client: net.Socket): void {
    const upstream = net.connect(target);
    const pair = { client, upstream };
    links.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      links.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    flow(pair);
  }

  const server = net.createServer((client) => {
    if (!partitioned) return link(client);
    client.pause();
    waiting.add(client);
    client.on('error', () => waiting.delete(client)).on('close', () => waiting.delete(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    partition() {
      partitioned = true;
      for (const pair of links) {
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.client.pause();
        pair.upstream.pause();
      }
    },
    heal() {
      partitioned = false;
      for (const pair of links) flow(pair);
      for (const client of waiting) {
        waiting.delete(client);
        link(client);
      }
    },
    async close() {
      for (const pair of links) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      for (const client of waiting) client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
