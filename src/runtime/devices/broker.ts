/**
 * The embedded MQTT broker: aedes 1.2.0 on 127.0.0.1 (MQTT 3.1.1 only, so clients must connect with
 * protocolVersion 4; infra.md §2.1). Used when no external Mosquitto is configured, and by the tests.
 *
 * `stop()` closes every client connection, so clients see a broker restart exactly as they would with a
 * killed process. Passing the previous broker's `persistence` to the next start keeps sessions,
 * subscriptions and queued QoS 1 messages across that restart, like a broker with a disk-backed store.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

export interface EmbeddedBrokerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The `persistence` of a stopped broker, to resume its sessions and queued messages. */
  persistence?: unknown;
  /** Extra aedes options (e.g. an `authorizePublish` hook in tests). */
  aedesOptions?: Omit<AedesOptions, 'persistence'>;
}

export interface EmbeddedBroker {
  url: string;
  host: string;
  port: number;
  /** MQTT protocol version clients must use (aedes speaks 3.1.1 only). */
  protocolVersion: 4;
  /** aedes' in-memory persistence (sessions, subscriptions, queued messages), reusable by the next start. */
  persistence: unknown;
  stop(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`startEmbeddedBroker: port must be an integer in [0, 65535], got ${port}`);
  const aedes = await Aedes.createBroker({ ...opts.aedesOptions, ...(opts.persistence === undefined ? {} : { persistence: opts.persistence }) });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client reset during a restart is expected; without a listener it would be an uncaught error.
    socket.on('error', () => undefined);
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`embedded MQTT broker cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    url: `mqtt://${host}:${actualPort}`,
    host,
    port: actualPort,
    protocolVersion: 4,
    persistence: (aedes as unknown as { persistence: unknown }).persistence,
    async stop() {
      if (stopped) return;
      stopped = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await serverClosed;
    },
  };
}
