/**
 * Reading a trace file: plain or gzip-compressed (by its magic bytes, whatever its name: traces are often shipped as
 * `.csv.gz`), of any size. The parser (src/workload/trace-formats.ts) reads the content line by line, in several
 * passes, from its bytes; its text is never held as one string. Up to `inMemoryMaxBytes` (1 GiB) the bytes are held
 * whole and read once from disk (the passes over chunks read the file again each time). Beyond that:
 * - a plain file is read from disk in chunks on every pass (Node cannot read a file over 2 GiB into one buffer);
 * - a gzip file is decompressed once by the system's `gzip -dc` into a temporary file, which is then read like a
 *   plain one and deleted after the load (Node 20's zlib has no synchronous streaming API, and the loaders are
 *   synchronous).
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { TraceFormatError, type TraceChunks, type TraceText } from './trace-formats.ts';

export interface TraceFileOptions {
  /** Bytes read from disk at a time (default 4 MiB). */
  chunkBytes?: number;
  /**
   * Largest content held in memory whole (default 1 GiB): a plain file's size, a gzip file's decompressed size. A
   * larger plain file is read in chunks; a larger gzip file goes through `gzip -dc` into a temporary file.
   */
  inMemoryMaxBytes?: number;
  /** The gzip command (default 'gzip'; tests point it at a missing one). */
  gzipCommand?: string;
  /**
   * Called after every chunk the parser reads: which pass over the content (1, 2, ...: the parser sniffs the first
   * lines, then reads the whole once or twice) and how far it is. For a progress bar on a large file.
   */
  onProgress?: (p: TraceReadProgress) => void;
}

export interface TraceReadProgress {
  pass: number;
  bytesRead: number;
  totalBytes: number;
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
const DEFAULT_IN_MEMORY_MAX_BYTES = 1024 ** 3;
/** Node's largest single file read (fs.readFileSync refuses more). */
const MAX_READ_FILE_BYTES = 2 ** 31 - 1;

/** A file descriptor for reading; an error naming the file if it cannot be opened. */
function openForReading(path: string, what: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new TraceFormatError(`${path}: cannot read ${what} (${(err as Error).message})`);
  }
}

/**
 * The file's size, whether it is gzip (its magic bytes), and for a gzip file the uncompressed size its trailer
 * states (ISIZE: the last member's size modulo 2^32, so only a hint). One open; an unreadable file is a clear error.
 */
function probe(path: string, what: string): { bytes: number; gzip: boolean; gzipSizeHint: number } {
  const fd = openForReading(path, what);
  try {
    const bytes = fstatSync(fd).size;
    const head = Buffer.alloc(2);
    const gzip = readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    const trailer = Buffer.alloc(4);
    const gzipSizeHint = gzip && bytes >= 4 && readSync(fd, trailer, 0, 4, bytes - 4) === 4 ? trailer.readUInt32LE(0) : 0;
    return { bytes, gzip, gzipSizeHint };
  } finally {
    closeSync(fd);
  }
}

/** `chunks` with every chunk reported to `onProgress` (passes counted from 1). */
function reporting(chunks: () => Iterable<Uint8Array>, totalBytes: number, onProgress?: (p: TraceReadProgress) => void): TraceChunks {
  if (!onProgress) return { chunks };
  let pass = 0;
  return {
    *chunks() {
      pass++;
      let bytesRead = 0;
      for (const chunk of chunks()) {
        bytesRead += chunk.byteLength;
        onProgress({ pass, bytesRead, totalBytes });
        yield chunk;
      }
    },
  };
}

/** Bytes in memory as chunks (views, no copies): the same reading, with progress. */
function bufferChunks(bytes: Buffer, chunkBytes: number): () => Iterable<Uint8Array> {
  return function* () {
    for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, i + chunkBytes);
  };
}

/** The file's bytes in chunks, from the start on every call of `chunks()`. A chunk is valid until the next one. */
export function fileChunks(path: string, what = 'trace file', chunkBytes = DEFAULT_CHUNK_BYTES): TraceChunks {
  return {
    *chunks() {
      const fd = openForReading(path, what);
      try {
        const buffer = Buffer.allocUnsafe(chunkBytes);
        for (;;) {
          let n: number;
          try {
            n = readSync(fd, buffer, 0, chunkBytes, null);
          } catch (err) {
            throw new TraceFormatError(`${path}: cannot read ${what} (${(err as Error).message})`);
          }
          if (n === 0) return;
          yield buffer.subarray(0, n);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Calls `use` with the file's content (TraceText) and returns what it returns; a temporary decompressed copy, if one
 * was made, is deleted afterwards, also when `use` throws. Errors name the file.
 */
export function withTraceFile<T>(path: string, what: string, use: (text: TraceText) => T, options: TraceFileOptions = {}): T {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!(Number.isInteger(chunkBytes) && chunkBytes > 0)) throw new Error(`withTraceFile: chunkBytes must be a positive integer, got ${chunkBytes}`);
  const maxInMemory = options.inMemoryMaxBytes ?? DEFAULT_IN_MEMORY_MAX_BYTES;
  if (!(maxInMemory >= 0)) throw new Error(`withTraceFile: inMemoryMaxBytes must be >= 0, got ${maxInMemory}`);
  const { bytes: fileBytes, gzip, gzipSizeHint } = probe(path, what);
  const onProgress = options.onProgress;
  // Bytes held whole go to the parser as they are, or as views in chunks when progress is asked for.
  const whole = (bytes: Buffer): TraceText => (onProgress ? reporting(bufferChunks(bytes, chunkBytes), bytes.length, onProgress) : bytes);
  const fromDisk = (file: string, bytes: number): TraceText => reporting(() => fileChunks(file, what, chunkBytes).chunks(), bytes, onProgress);
  if (!gzip) return use(fileBytes <= Math.min(maxInMemory, MAX_READ_FILE_BYTES) ? whole(readTraceBytes(path, what)) : fromDisk(path, fileBytes));
  // The gzip trailer's size field (the last member's size, mod 2^32) is only a hint: a miss still fails over below.
  let zlibRefusal: string | null = null;
  if (fileBytes <= Math.min(maxInMemory, MAX_READ_FILE_BYTES) && gzipSizeHint <= maxInMemory) {
    let text: Buffer | null = null;
    try {
      text = gunzipSync(readFileSync(path), { maxOutputLength: Math.max(1, maxInMemory) });
    } catch (err) {
      // Node's zlib also refuses bytes after the data ("incorrect header check"), which gzip ignores with a warning:
      // such a file goes to gzip -dc below like a large one, so it loads at any size. A corrupt one is refused there.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') zlibRefusal = (err as Error).message;
    }
    if (text) return use(whole(text));
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-trace-'));
  try {
    const plainPath = join(dir, 'decompressed');
    gunzipToFile(path, plainPath, what, options.gzipCommand ?? 'gzip', maxInMemory, zlibRefusal);
    return use(fromDisk(plainPath, statSync(plainPath).size));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `zlibRefusal`: why Node's zlib refused a file small enough for memory (null: the file was too large for it). */
function gunzipToFile(path: string, outPath: string, what: string, gzipCommand: string, maxInMemory: number, zlibRefusal: string | null): void {
  const out = openSync(outPath, 'w');
  let result: ReturnType<typeof spawnSync>;
  try {
    result = spawnSync(gzipCommand, ['-dc', '--', path], { stdio: ['ignore', out, 'pipe'] });
  } finally {
    closeSync(out);
  }
  const limit = maxInMemory >= 1024 ** 2 ? `${(maxInMemory / 1024 ** 2).toFixed(0)} MiB` : `${maxInMemory} bytes`;
  const size = `it decompresses to more than ${limit}`;
  if (result.error && zlibRefusal !== null) throw new TraceFormatError(`${path}: the ${what} is gzip-compressed but does not decompress (${zlibRefusal})`);
  if (result.error) {
    throw new TraceFormatError(`${path}: the ${what} is gzip-compressed and ${size}, too much to hold in memory, and the '${gzipCommand}' command that would stream it did not run (${result.error.message}); install gzip or decompress the file first`);
  }
  // gzip's exit status 2 is a warning (for example trailing zeros after the data), the output is complete.
  if (result.status !== 0 && result.status !== 2) {
    const stderr = String(result.stderr ?? '').trim();
    // The decompressed copy is as large as the content: a full disk is the likely failure, and TMPDIR the fix.
    const disk = /no space/i.test(stderr) ? `; the decompressed copy goes to ${tmpdir()}, set TMPDIR to a disk with room or decompress the file first` : '';
    const zlib = zlibRefusal === null ? '' : `${zlibRefusal}; `;
    throw new TraceFormatError(`${path}: the ${what} is gzip-compressed but does not decompress (${zlib}${gzipCommand} exited with ${result.status ?? result.signal}${stderr ? `: ${stderr}` : ''})${disk}`);
  }
}

/** A small file's bytes, whole (a gaps file): plain, or gunzipped in memory. Errors name the file. */
export function readTraceBytes(path: string, what = 'trace file'): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new TraceFormatError(`${path}: cannot read ${what} (${(err as Error).message})`);
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new TraceFormatError(`${path}: the ${what} is gzip-compressed but does not decompress (${(err as Error).message})`);
  }
}
