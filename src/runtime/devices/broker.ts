/**
 * The embedded MQTT broker: aedes 1.2.0 on 127.0.0.1 (MQTT 3.1.1 only, so clients must connect with
 * protocolVersion 4; infra.md §2.1). Used when no external Mosquitto is configured, and by the tests.
 *
 * `stop()` closes every client connection, so clients see a broker restart exactly as they would with a
 * killed process. Passing the previous broker's `persistence` to the next start keeps sessions,
 * subscriptions and queued QoS 1 messages across that restart, like a broker with a disk-backed store.
 *
 * A connection that announces a packet over `maxPacketBytes` is closed before the packet's body is read
 * (PacketSizeGuard: aedes itself has no limit and would buffer the whole packet).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { warmMqttPacketCache } from './mqtt-client.ts';
import { Aedes, type AedesOptions, type AedesPublishPacket, type PublishPacket } from 'aedes';
import { checkMaxPacketBytes, DEFAULT_MAX_PACKET_BYTES, PacketSizeGuard } from './packet-size-guard.ts';
import { RejectLog } from './reject-log.ts';

export interface EmbeddedBrokerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The `persistence` of a stopped broker, to resume its sessions and queued messages. */
  persistence?: unknown;
  /** Extra aedes options (e.g. an `authorizePublish` hook in tests). */
  aedesOptions?: Omit<AedesOptions, 'persistence'>;
  /** Largest MQTT packet (header included) a client may send; a larger one closes its connection. Default 1 MiB. */
  maxPacketBytes?: number;
  /** Where the broker says what it refused (rate-limited like the gateway's rejects). Default: nowhere. */
  log?: (line: string) => void;
}

/** A message as an in-process subscriber of the embedded broker sees it. */
export type LocalMessageHandler = (topic: string, payload: Buffer) => void;

/**
 * In-process access to the embedded broker, for a component that runs in the broker's own process (the edge gateway
 * of `bench:pipeline` and `demo`): messages reach it through aedes' own router (mqemitter), without a second MQTT
 * connection, so nothing is encoded, written to a socket, parsed and acknowledged a second time.
 *
 * Delivery semantics match a QoS 1 subscriber on the same broker: a device's QoS 1 PUBLISH is acknowledged (PUBACK)
 * only after every matching subscriber, this one included, has been handed the message, so a message the device saw
 * acknowledged has reached the handler. A message re-sent by its device arrives again (dedup stays the receiver's
 * job). Unlike an MQTT session, the subscription does not survive `stop()`: after a restart, subscribe again.
 */
export interface LocalBrokerPort {
  /** Calls `onMessage` synchronously, from the broker's router, for every message matching `filter`. Resolves once active. */
  subscribe(filter: string, onMessage: LocalMessageHandler): Promise<() => Promise<void>>;
  /**
   * Publishes as if from a client at `qos`. `done` runs once the broker has routed the message to every subscriber
   * (for a QoS 1 subscriber: queued for it and written to its connection), i.e. when a PUBACK would have come back.
   */
  publish(topic: string, payload: Buffer, qos: 0 | 1, done: (err?: Error) => void): void;
}

export interface EmbeddedBroker {
  url: string;
  host: string;
  port: number;
  /** MQTT protocol version clients must use (aedes speaks 3.1.1 only). */
  protocolVersion: 4;
  /** aedes' in-memory persistence (sessions, subscriptions, queued messages), reusable by the next start. */
  persistence: unknown;
  /** In-process subscribe/publish for a component living in this process (see LocalBrokerPort). */
  local: LocalBrokerPort;
  /** Connections closed because they sent a packet over the size limit or broke the MQTT framing. */
  readonly closedForPacketSize: number;
  stop(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`startEmbeddedBroker: port must be an integer in [0, 65535], got ${port}`);
  const maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  // Checked here, before aedes starts, so a bad limit cannot leave a broker running.
  checkMaxPacketBytes(maxPacketBytes);
  // Every refusal goes through it, shown or only counted: its counts are the broker's.
  const refusals = new RejectLog({ who: 'embedded MQTT broker', log: opts.log ?? (() => undefined), nowMs: Date.now });
  // aedes writes its packets with the same mqtt-packet as the clients (src/runtime/devices/mqtt-client.ts).
  warmMqttPacketCache();
  const aedes = await Aedes.createBroker({ ...opts.aedesOptions, ...(opts.persistence === undefined ? {} : { persistence: opts.persistence }) });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client reset during a restart is expected; without a listener it would be an uncaught error.
    socket.on('error', () => undefined);
    aedes.handle(socket);
    // aedes reads with socket.read() on 'readable'; a 'data' listener sees each chunk as it is read, in order.
    const guard = new PacketSizeGuard(maxPacketBytes);
    const onData = (chunk: Buffer) => {
      const verdict = guard.feed(chunk);
      if (verdict.ok) return;
      socket.off('data', onData);
      refusals.noteAt(`the connection from ${socket.remoteAddress}:${socket.remotePort}`, Number.isNaN(verdict.packetBytes) ? 'bad-framing' : 'packet-too-large', `${verdict.reason}; connection closed`);
      socket.destroy();
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`embedded MQTT broker cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  }).catch(async (err: unknown) => {
    // The broker was created before the port was known to be free: close it, or it keeps the process alive.
    await new Promise<void>((r) => aedes.close(() => r()));
    throw err;
  });
  const actualPort = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    url: `mqtt://${host}:${actualPort}`,
    host,
    port: actualPort,
    protocolVersion: 4,
    persistence: (aedes as unknown as { persistence: unknown }).persistence,
    local: localPort(aedes, () => stopped),
    get closedForPacketSize() {
      return refusals.shown + refusals.suppressed;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      refusals.flush();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await serverClosed;
    },
  };
}

/** aedes' programmatic API (aedes.subscribe / aedes.publish), typed for what LocalBrokerPort needs. */
function localPort(aedes: Aedes, isStopped: () => boolean): LocalBrokerPort {
  return {
    subscribe(filter, onMessage) {
      // The router waits for `done` before it acknowledges the publisher, so call it after the handler has run.
      const listener = (packet: AedesPublishPacket, done: () => void) => {
        try {
          onMessage(packet.topic, typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload);
        } catch (err) {
          // A throwing handler is a bug: surface it as an uncaught exception, but not inside aedes' router.
          process.nextTick(() => {
            throw err;
          });
        }
        done();
      };
      return new Promise((resolve, reject) => {
        if (isStopped()) {
          reject(new Error(`embedded broker: cannot subscribe to '${filter}', the broker is stopped`));
          return;
        }
        aedes.subscribe(filter, listener, () =>
          resolve(() => new Promise<void>((r) => (isStopped() ? r() : aedes.unsubscribe(filter, listener, () => r())))),
        );
      });
    },
    publish(topic, payload, qos, done) {
      if (isStopped()) {
        done(new Error(`embedded broker: cannot publish to '${topic}', the broker is stopped`));
        return;
      }
      const packet: PublishPacket = { cmd: 'publish', topic, payload, qos, retain: false, dup: false };
      aedes.publish(packet, (err?: Error | null) => done(err ?? undefined));
    },
  };
}
