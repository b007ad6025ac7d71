/**
 * Shuffle store on an S3 API endpoint (@aws-sdk/client-s3): the cold tier, and with another bucket the
 * archive tier, of the live engine. Tested against the embedded s3rver (./s3-server.ts).
 *
 * - `requestChecksumCalculation: 'WHEN_REQUIRED'`: otherwise the SDK sends aws-chunked bodies that s3rver
 *   3.7.1 stores with the chunk framing included (reference/infra.md §2.3).
 * - One attempt by default (`maxAttempts: 1`): a failing cold tier should fail fast so the tiered store
 *   can place the block elsewhere, instead of retrying with back-off inside the put.
 * - Archive: real S3 would use a storage class such as GLACIER_IR. s3rver 3.7.1 rejects GLACIER_IR
 *   (InvalidStorageClass) and ignores classes it accepts, so in the live engine the archive tier is the same
 *   server with its own bucket; its latency there equals the cold tier's (docs/SHUFFLE.md).
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { validateBlockData, validateBlockKey, withTimeout, type ShuffleStore, type Tier } from './types.ts';

// The SDK warns on Node 20 that releases after January 2027 need Node 22 (reference/infra.md); the version
// is pinned, so the warning is noise on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:14568 (from startEmbeddedS3) */
  endpoint: string;
  bucket: string;
  /** Prepended to every key, e.g. 'shuffle/' ; default ''. */
  prefix?: string;
  region?: string;
  /** s3rver accepts the fixed pair S3RVER/S3RVER; default that pair. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Create the bucket on first use (right for the embedded server); default true. */
  createBucket?: boolean;
  /** Deadline per operation; default 5000 ms. */
  opTimeoutMs?: number;
  /** SDK attempts per operation; default 1 (fail fast, the tiered store falls back). */
  maxAttempts?: number;
  storageClass?: StorageClass;
  tier?: Tier;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class S3ShuffleStore implements ShuffleStore {
  readonly tier: Tier;
  readonly volatile = false;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly opTimeoutMs: number;
  private readonly createBucket: boolean;
  private readonly storageClass: StorageClass | undefined;
  private bucketReady: Promise<void> | undefined;
  private readonly sizes = new Map<string, number>();
  private bytesUsed = 0;

  constructor(options: S3StoreOptions) {
    try {
      new URL(options.endpoint);
    } catch {
      throw new Error(`s3 store: endpoint '${options.endpoint}' is not a valid URL (expected http://host:port)`);
    }
    if (!BUCKET_PATTERN.test(options.bucket)) {
      throw new Error(`s3 store: bucket '${options.bucket}' is not a valid bucket name (3-63 of a-z 0-9 . -)`);
    }
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.opTimeoutMs = options.opTimeoutMs ?? 5000;
    this.createBucket = options.createBucket ?? true;
    this.storageClass = options.storageClass;
    this.tier = options.tier ?? 's3';
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: true,
      credentials: options.credentials ?? S3RVER_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: options.maxAttempts ?? 1,
    });
  }

  async put(key: string, data: Buffer): Promise<void> {
    validateBlockKey(key, 's3 store put');
    validateBlockData(data, 's3 store put');
    await this.run(`s3 store put '${key}'`, async (abortSignal) => {
      await this.ensureBucket(abortSignal);
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: data, ContentLength: data.length, StorageClass: this.storageClass }),
        { abortSignal },
      );
    });
    this.bytesUsed += data.length - (this.sizes.get(key) ?? 0);
    this.sizes.set(key, data.length);
  }

  async get(key: string): Promise<Buffer | undefined> {
    validateBlockKey(key, 's3 store get');
    return this.run(`s3 store get '${key}'`, async (abortSignal) => {
      try {
        const reply = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), { abortSignal });
        if (reply.Body === undefined) return Buffer.alloc(0);
        return Buffer.from(await reply.Body.transformToByteArray());
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404) return undefined;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    validateBlockKey(key, 's3 store delete');
    await this.run(`s3 store delete '${key}'`, async (abortSignal) => {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), { abortSignal });
      } catch (err) {
        if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
      }
    });
    this.bytesUsed -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
  }

  usedBytes(): number {
    return this.bytesUsed;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private run<T>(what: string, op: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return withTimeout(this.opTimeoutMs, `${what} (bucket ${this.bucket})`, op);
  }

  private ensureBucket(abortSignal: AbortSignal): Promise<void> {
    if (!this.createBucket) return Promise.resolve();
    this.bucketReady ??= this.client.send(new CreateBucketCommand({ Bucket: this.bucket }), { abortSignal }).then(
      () => undefined,
      (err: unknown) => {
        const name = (err as { name?: string }).name;
        if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
        this.bucketReady = undefined; // retry on the next put
        throw err;
      },
    );
    return this.bucketReady;
  }
}
