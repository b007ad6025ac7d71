/**
 * The ShuffleStore seam (design.md): put/get/delete of opaque shuffle blocks on one storage tier.
 * Implementations: memory, redis, directory, s3 (+ the TieredShuffleStore that places blocks across them).
 * Stores move bytes only; framing and compression are the codecs' job (../codecs.ts).
 */
import type { Tier } from '../../core/types.ts';

export type { Tier };

export interface ShuffleStore {
  /** The tier this store serves in the live engine. */
  readonly tier: Tier;
  /** True when the data dies with a process (memory, Redis without persistence): the tiered store keeps a
   * backup copy of such blocks on a durable tier. */
  readonly volatile: boolean;
  put(key: string, data: Buffer): Promise<void>;
  /** The stored bytes, or undefined when the key is absent. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Bytes this store instance currently holds (from its own puts and deletes). */
  usedBytes?(): number;
  close(): Promise<void>;
}

/** A put that would exceed a store's byte capacity (or the server's memory / disk). */
export class CapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CapacityError';
  }
}

/** An operation that did not finish within its deadline. */
export class StoreTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreTimeoutError';
  }
}

/** Why a tier failed, as counted by the tiered store. */
export type FailureReason = 'connection' | 'timeout' | 'capacity' | 'error';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const CONNECTION_ERROR_NAMES = new Set(['ClientClosedError', 'ClientOfflineError', 'SocketClosedUnexpectedlyError', 'ConnectionTimeoutError', 'ReconnectStrategyError', 'DisconnectsClientError']);
const CAPACITY_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Maps an error from any store to a FailureReason. */
export function classifyStoreError(err: unknown): FailureReason {
  if (err instanceof CapacityError) return 'capacity';
  if (err instanceof StoreTimeoutError) return 'timeout';
  const e = err as { name?: string; code?: string; message?: string; errors?: unknown[]; cause?: unknown } | undefined;
  if (e === undefined || e === null) return 'error';
  if (e.code !== undefined && CAPACITY_CODES.has(e.code)) return 'capacity';
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) return 'connection';
  // node-redis error classes keep the name 'Error'; their constructor names tell them apart.
  const names = [e.name, (err as { constructor?: { name?: string } }).constructor?.name];
  if (e.code === 'ETIMEDOUT' || names.some((n) => n === 'TimeoutError' || n === 'SocketTimeoutError')) return 'timeout';
  if (names.some((n) => n !== undefined && CONNECTION_ERROR_NAMES.has(n))) return 'connection';
  // Redis answers "OOM command not allowed when used memory > 'maxmemory'" when full.
  if (typeof e.message === 'string' && e.message.startsWith('OOM ')) return 'capacity';
  // node's net errors can arrive wrapped (AggregateError for dual-stack connects, `cause` in SDK errors).
  if (Array.isArray(e.errors) && e.errors.length > 0) return classifyStoreError(e.errors[0]);
  if (e.cause !== undefined && e.cause !== err) return classifyStoreError(e.cause);
  return 'error';
}

/** Longest key a store accepts: the directory store encodes keys into one file name (<= 255 bytes). */
export const MAX_KEY_LENGTH = 200;
const KEY_PATTERN = /^[A-Za-z0-9._\-/:]+$/;

/** Block keys are short ASCII names such as `job-1/shuffle-3/map-12-reduce-4`. */
export function validateBlockKey(key: unknown, where: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new Error(`${where}: block key must be a non-empty string, got ${JSON.stringify(key)}`);
  if (key.length > MAX_KEY_LENGTH) throw new Error(`${where}: block key '${key.slice(0, 40)}...' is ${key.length} characters (max ${MAX_KEY_LENGTH})`);
  if (!KEY_PATTERN.test(key)) throw new Error(`${where}: block key '${key}' may only contain letters, digits and . _ - / :`);
  if (key.split('/').some((part) => part === '..' || part === '.')) throw new Error(`${where}: block key '${key}' may not contain '.' or '..' path segments`);
  return key;
}

export function validateBlockData(data: unknown, where: string): Buffer {
  if (!Buffer.isBuffer(data)) throw new Error(`${where}: block data must be a Buffer, got ${data === null ? 'null' : typeof data}`);
  return data;
}

/** Resolves like `work(signal)`, or rejects with StoreTimeoutError after `timeoutMs` (aborting `signal`). */
export async function withTimeout<T>(timeoutMs: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StoreTimeoutError(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
