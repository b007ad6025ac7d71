/**
 * The optional Kafka leg of the ingest: the edge gateway hands every valid device message to an IngestSink, and
 * KafkaIngestBridge produces them (kafkajs 2.2.4) to `edgepilot.ingest.<scenario>`, keyed by deviceId so one device's
 * messages stay in order on one partition.
 *
 * Sending is batched (size or linger, like the Kafka producer's batch.size / linger.ms) so a gateway forwarding
 * thousands of messages per second makes few requests; the buffer is bounded and the oldest messages are dropped
 * (and counted) if Kafka cannot keep up, because a gateway must never run out of memory because of its uplink.
 *
 * The only Kafka here is librdkafka's mock cluster (kcat, /work/shared/reference/infra.md section 2): admin
 * createTopics fails there, so topics are auto-created (4 partitions) by the first produce.
 */
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { SCENARIOS, type ScenarioName } from '../../env/spark-iot-types.ts';
import { deviceTopic, ID_PATTERN, ingestTopic } from '../devices/topics.ts';

/** Where the gateway hands valid device messages (Kafka here; anything with the same shape elsewhere). */
export interface IngestSink {
  readonly id: string;
  send(key: string, value: Buffer, scenario?: string): void;
}

export const KAFKA_TOPIC_PREFIX = 'edgepilot.ingest';

/** Kafka topic of a scenario's ingest (Kafka topic names cannot contain '/', so the MQTT name is not reused). */
export function kafkaIngestTopic(scenario: string, prefix = KAFKA_TOPIC_PREFIX): string {
  if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`kafkaIngestTopic: unknown scenario '${scenario}' (expected one of ${SCENARIOS.join(', ')})`);
  return `${prefix}.${scenario}`;
}

/**
 * The MQTT-scheme topic a consumed ingest record is validated against. The bridge keys records by deviceId, so a
 * keyed record gets its device topic (the validator then checks the payload names that device). A record from another
 * producer may have no key, or a key that is no device ID: it gets the scenario's ingest topic, which checks only the
 * scenario, instead of being refused as 'topic-mismatch' against a made-up device.
 */
export function kafkaRecordTopic(scenario: ScenarioName, key: string | null | undefined): string {
  return key !== null && key !== undefined && ID_PATTERN.test(key) ? deviceTopic(scenario, key) : ingestTopic(scenario);
}

/** Parses `--kafka-brokers host:port,host:port`. */
export function parseBrokers(list: string): string[] {
  const brokers = list.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error(`Kafka brokers: expected host:port[,host:port...], got '${list}'`);
  for (const b of brokers) if (!/^[A-Za-z0-9_.-]+:\d{1,5}$/.test(b)) throw new Error(`Kafka brokers: '${b}' is not host:port (in '${list}')`);
  return brokers;
}

export interface KafkaBridgeOptions {
  brokers: string[];
  clientId?: string;
  /** Topic prefix (default edgepilot.ingest). */
  topicPrefix?: string;
  /** Scenario used when send() is not told one (default 'balanced'). */
  defaultScenario?: string;
  /**
   * Messages per produce request and the most a message waits for its batch. [assumed] 500 / 50 ms: the produce
   * rate measured against the mock (infra.md: 18.7k msg/s with batches of 500) at a latency well under a second.
   */
  batchSize?: number;
  lingerMs?: number;
  /** Most messages buffered while Kafka is slow or down; beyond it the oldest are dropped (counted). */
  maxBuffered?: number;
  connectionTimeoutMs?: number;
}

interface Pending {
  topic: string;
  key: string;
  value: Buffer;
}

export class KafkaIngestBridge implements IngestSink {
  readonly id = 'kafka';
  sent = 0;
  failed = 0;
  dropped = 0;
  lastError = '';
  private buffer: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly maxBuffered: number;
  private readonly prefix: string;
  private readonly defaultScenario: string;

  private constructor(
    private readonly producer: Producer,
    opts: KafkaBridgeOptions,
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.lingerMs = opts.lingerMs ?? 50;
    this.maxBuffered = opts.maxBuffered ?? 100_000;
    this.prefix = opts.topicPrefix ?? KAFKA_TOPIC_PREFIX;
    this.defaultScenario = opts.defaultScenario ?? 'balanced';
    kafkaIngestTopic(this.defaultScenario, this.prefix); // validates it
    if (!(this.batchSize >= 1 && this.lingerMs >= 0 && this.maxBuffered >= this.batchSize)) {
      throw new Error(`KafkaIngestBridge: need batchSize >= 1, lingerMs >= 0, maxBuffered >= batchSize; got ${this.batchSize}, ${this.lingerMs}, ${this.maxBuffered}`);
    }
  }

  static async start(opts: KafkaBridgeOptions): Promise<KafkaIngestBridge> {
    if (opts.brokers.length === 0) throw new Error('KafkaIngestBridge: no brokers given');
    const kafka = new Kafka({
      clientId: opts.clientId ?? 'edgepilot-gateway',
      brokers: opts.brokers,
      connectionTimeout: opts.connectionTimeoutMs ?? 3000,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    });
    // The default partitioner (murmur2 on the key, as the Java client) keeps one device on one partition.
    const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    try {
      await producer.connect();
    } catch (err) {
      throw new Error(`KafkaIngestBridge: cannot connect to ${opts.brokers.join(',')}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return new KafkaIngestBridge(producer, opts);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  send(key: string, value: Buffer, scenario = this.defaultScenario): void {
    if (this.stopped) {
      this.dropped++;
      return;
    }
    this.buffer.push({ topic: kafkaIngestTopic(scenario, this.prefix), key, value });
    if (this.buffer.length > this.maxBuffered) {
      const over = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, over);
      this.dropped += over;
    }
    if (this.buffer.length >= this.batchSize) this.flushSoon(0);
    else this.flushSoon(this.lingerMs);
  }

  private flushSoon(delayMs: number): void {
    if (this.timer !== null && delayMs > 0) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  /** Sends everything buffered (batches run one after another, so order per key is kept). */
  flush(): Promise<void> {
    this.sending = this.sending.then(async () => {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.batchSize);
        const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
        for (const m of batch) {
          let list = byTopic.get(m.topic);
          if (!list) byTopic.set(m.topic, (list = []));
          list.push({ key: m.key, value: m.value });
        }
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          this.sent += batch.length;
        } catch (err) {
          // kafkajs already retried; these messages are lost to Kafka (MQTT ingest still has them).
          this.failed += batch.length;
          this.lastError = err instanceof Error ? err.message : String(err);
        }
      }
    });
    return this.sending;
  }

  stats(): { sent: number; failed: number; dropped: number; buffered: number; lastError: string } {
    return { sent: this.sent, failed: this.failed, dropped: this.dropped, buffered: this.buffer.length, lastError: this.lastError };
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    this.stopped = true;
    await this.producer.disconnect();
  }
}

export interface IngestConsumerOptions {
  brokers: string[];
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  clientId?: string;
  onMessage: (topic: string, key: string | null, value: Buffer) => void;
  /** Where a record the handler could not take is reported (topic, partition, offset, why). Default: stderr. */
  log?: (line: string) => void;
}

/** Records the consumer saw but could not hand on: no value (a tombstone), or a handler that threw. */
export interface IngestConsumerStats {
  received: number;
  handled: number;
  emptyValues: number;
  handlerErrors: number;
  lastError: string;
}

/** [assumed] A poisoned topic is told 10 times in full; after that only every 1000th failure, the rest counted. */
const CONSUMER_ERRORS_SHOWN = 10;

/**
 * The per-record step of the ingest consumer: hands the record to `onMessage` and never throws. A throwing handler
 * (say, a record key that is not a device id) must not fail kafkajs' eachMessage: kafkajs would then retry the same
 * record and restart the consumer forever, and the whole partition behind it would stall. The record is counted and
 * logged with where it is instead, and the consumer moves on.
 */
export function ingestRecordHandler(opts: Pick<IngestConsumerOptions, 'onMessage' | 'log'>, stats: IngestConsumerStats) {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return (topic: string, partition: number, message: { key: Buffer | null; value: Buffer | null; offset: string }): void => {
    stats.received++;
    const where = `Kafka record ${topic}[${partition}]@${message.offset}`;
    if (!message.value) {
      stats.emptyValues++;
      if (stats.emptyValues <= CONSUMER_ERRORS_SHOWN) log(`ingest consumer: skipped ${where}: it has no value (a tombstone; an empty record is handed on and judged by the engine)`);
      return;
    }
    try {
      opts.onMessage(topic, message.key ? message.key.toString('utf8') : null, message.value);
      stats.handled++;
    } catch (err) {
      stats.handlerErrors++;
      stats.lastError = `${where}: ${err instanceof Error ? err.message : String(err)}`;
      if (stats.handlerErrors <= CONSUMER_ERRORS_SHOWN || stats.handlerErrors % 1000 === 0) {
        log(`ingest consumer: could not take ${stats.lastError} (${stats.handlerErrors} so far; skipped, the consumer goes on)`);
      }
    }
  };
}

/** A minimal consumer of the Kafka ingest (the engine's Kafka input and the tests use it). */
export async function startIngestConsumer(opts: IngestConsumerOptions): Promise<{ consumer: Consumer; stop: () => Promise<void>; stats: () => IngestConsumerStats }> {
  const kafka = new Kafka({ clientId: opts.clientId ?? 'edgepilot-ingest-consumer', brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: opts.groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  const stats: IngestConsumerStats = { received: 0, handled: 0, emptyValues: 0, handlerErrors: 0, lastError: '' };
  const take = ingestRecordHandler(opts, stats);
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => take(topic, partition, message),
  });
  return { consumer, stop: () => consumer.disconnect(), stats: () => ({ ...stats }) };
}
