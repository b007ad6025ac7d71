import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadTraceCsv, parseTraceCsv, type Trace } from './trace.ts';
import { loadRateTrace } from '../runtime/devices/fleet.ts';

const dir = mkdtempSync(join(tmpdir(), 'trace-file-test-'));
/** Temporary copies this module makes (src/workload/trace-file.ts), to check none is left behind. */
const tempCopies = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('edgepilot-trace-')).sort();

const plain = (t: Trace) => ({ reading: t.reading, stepS: t.stepS, tS: Array.from(t.tS), rate: Array.from(t.rate), size: t.size ? Array.from(t.size) : null, eventCount: t.eventCount });

// Files whose lines a small chunk cuts anywhere: in a multi-byte character, in a CRLF pair, in the last line without
// a newline; a series with comments, an event log, an access log.
const FILES: Record<string, string> = {
  'series.csv': '# débit mesuré, µs\r\nt,rate,size\r\n0,5,100\r\n1,7,120\r\n2,9,90\r\n3,4,80',
  'events.csv': 'TIMESTAMP,ContextTokens\n2023-11-16 18:15:46.6805900,374\n2023-11-16 18:15:50.9951690,396\n2023-11-16 18:15:51.0,12\n2023-11-16 18:15:53.2,7\n',
  'access.log': '199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245\nunicomp6.unicomp.net - - [01/Jul/1995:00:00:06 -0400] "GET /shuttle/countdown/ HTTP/1.0" 200 3985\n199.120.110.21 - - [01/Jul/1995:00:00:09 -0400] "GET /shuttle/missions/sts-73/mission-sts-73.html HTTP/1.0" 200 4085\n',
};

test('a trace read from disk in chunks of any size parses exactly as the whole text does', () => {
  for (const [name, text] of Object.entries(FILES)) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const whole = plain(parseTraceCsv(text, name));
    for (const chunkBytes of [1, 2, 3, 7, 64, 4 * 1024 * 1024]) {
      assert.deepEqual(plain(loadTraceCsv(path, { gaps: false }, { chunkBytes, inMemoryMaxBytes: 0 })), whole, `${name} in chunks of ${chunkBytes} bytes`);
    }
  }
});

test('a gzip trace too large to decompress in memory goes through gzip into a temporary file, deleted afterwards', () => {
  const text = FILES['series.csv']!;
  const path = join(dir, 'series.csv.gz');
  writeFileSync(path, gzipSync(text));
  const before = tempCopies();
  const whole = plain(parseTraceCsv(text, 'series.csv.gz'));
  assert.deepEqual(plain(loadTraceCsv(path, { gaps: false })), whole, 'in memory');
  assert.deepEqual(plain(loadTraceCsv(path, { gaps: false }, { inMemoryMaxBytes: 16, chunkBytes: 5 })), whole, 'through gzip -dc');
  // Two gzip members, the last empty: the trailer says 0 bytes, the in-memory attempt overflows and fails over.
  const twoMembers = join(dir, 'two-members.csv.gz');
  writeFileSync(twoMembers, Buffer.concat([gzipSync(text), gzipSync('')]));
  assert.deepEqual(plain(loadTraceCsv(twoMembers, { gaps: false }, { inMemoryMaxBytes: 16 })), plain(parseTraceCsv(text, 'two-members.csv.gz')), 'multi-member, through gzip -dc');
  assert.deepEqual(tempCopies(), before, 'no temporary copy left');
  // A parse error in the decompressed copy still names the file the user gave, and still cleans up.
  const badPath = join(dir, 'bad-row.csv.gz');
  writeFileSync(badPath, gzipSync('t,rate\n0,5\n1,oops\n'));
  assert.throws(() => loadTraceCsv(badPath, { gaps: false }, { inMemoryMaxBytes: 4 }), (err: Error) => err.message.includes(badPath) && /line 3/.test(err.message));
  assert.deepEqual(tempCopies(), before);
});

test('a large gzip trace that gzip cannot decompress, or with no gzip command, is an error naming the file', () => {
  const corrupt = join(dir, 'corrupt.csv.gz');
  // Valid for its first thousands of bytes (more than the in-memory limit), then cut off.
  const rows = Array.from({ length: 20000 }, (_, i) => `${i},${(i * 7919) % 1000}`).join('\n');
  const gz = gzipSync(`t,rate\n${rows}\n`);
  writeFileSync(corrupt, gz.subarray(0, Math.floor(gz.length * 0.7)));
  const before = tempCopies();
  assert.throws(() => loadTraceCsv(corrupt, { gaps: false }, { inMemoryMaxBytes: 64 }), new RegExp(`${corrupt.replace(/[.]/g, '\\.')}: the trace file is gzip-compressed but does not decompress \\(gzip exited with 1`));
  const ok = join(dir, 'ok.csv.gz');
  writeFileSync(ok, gzipSync('t,rate\n0,5\n1,7\n'));
  assert.throws(
    () => loadTraceCsv(ok, { gaps: false }, { inMemoryMaxBytes: 4, gzipCommand: 'no-such-gzip-command' }),
    /ok\.csv\.gz: the trace file is gzip-compressed and it decompresses to more than 4 bytes, too much to hold in memory, and the 'no-such-gzip-command' command that would stream it did not run .*install gzip or decompress the file first/,
  );
  // A full disk under the temporary copy: the message says where the copy goes and how to move it.
  const fullDisk = join(dir, 'full-disk-gzip');
  writeFileSync(fullDisk, '#!/bin/sh\necho "gzip: stdout: No space left on device" >&2\nexit 1\n', { mode: 0o755 });
  assert.throws(
    () => loadTraceCsv(ok, { gaps: false }, { inMemoryMaxBytes: 4, gzipCommand: fullDisk }),
    /does not decompress \(.*full-disk-gzip exited with 1: gzip: stdout: No space left on device\); the decompressed copy goes to .*, set TMPDIR to a disk with room or decompress the file first/,
  );
  assert.deepEqual(tempCopies(), before);
});

test('the devices read a rate trace file like the simulator does', () => {
  const path = join(dir, 'rate.csv');
  writeFileSync(path, 't,rate\n0,10\n10,30\n');
  const rate = loadRateTrace(path);
  assert.equal(rate(5), 20);
  assert.throws(() => loadRateTrace(join(dir, 'missing.csv')), /missing\.csv: cannot read rate trace/);
});

test('onProgress reports every pass over the content, up to its whole size, and leaves the result unchanged', () => {
  const text = FILES['events.csv']!;
  const path = join(dir, 'progress-events.csv');
  writeFileSync(path, text);
  const gzPath = join(dir, 'progress-events.csv.gz');
  writeFileSync(gzPath, gzipSync(text));
  const expected = plain(parseTraceCsv(text, 'progress-events.csv'));
  const total = Buffer.byteLength(text);
  for (const [file, fileOptions] of [[path, {}], [path, { inMemoryMaxBytes: 0 }], [gzPath, {}], [gzPath, { inMemoryMaxBytes: 0 }]] as const) {
    const seen: { pass: number; bytesRead: number; totalBytes: number }[] = [];
    const t = loadTraceCsv(file, { gaps: false }, { ...fileOptions, chunkBytes: 16, onProgress: (p) => seen.push(p) });
    assert.deepEqual(plain(t), expected, `${file} ${JSON.stringify(fileOptions)}`);
    assert.ok(seen.every((p) => p.totalBytes === total && p.bytesRead > 0 && p.bytesRead <= total));
    const passes = [...new Set(seen.map((p) => p.pass))];
    assert.deepEqual(passes, passes.map((_, i) => i + 1), 'passes numbered 1, 2, ...');
    for (const pass of passes) {
      const reads = seen.filter((p) => p.pass === pass).map((p) => p.bytesRead);
      assert.ok(reads.every((r, i) => i === 0 || r > reads[i - 1]!), `pass ${pass} only moves forward`);
    }
    // At least one pass reads to the end (an event log is read whole twice today: the times, then the counts).
    assert.ok(passes.filter((pass) => seen.some((p) => p.pass === pass && p.bytesRead === total)).length >= 1);
  }
});

// Rules found unpinned by a hand-made mutation audit of the file reader (each test below failed on at least one mutant).

test('withTraceFile refuses a chunk size that is not a positive integer and a negative in-memory limit', () => {
  const path = join(dir, 'options.csv');
  writeFileSync(path, 't,rate\n0,5\n');
  assert.throws(() => loadTraceCsv(path, { gaps: false }, { chunkBytes: 0 }), /withTraceFile: chunkBytes must be a positive integer, got 0/);
  assert.throws(() => loadTraceCsv(path, { gaps: false }, { chunkBytes: 1.5 }), /withTraceFile: chunkBytes must be a positive integer, got 1\.5/);
  assert.throws(() => loadTraceCsv(path, { gaps: false }, { inMemoryMaxBytes: -1 }), /withTraceFile: inMemoryMaxBytes must be >= 0, got -1/);
});

test('a large gzip trace with bytes after its data (gzip exits 2: "decompression OK, trailing garbage ignored") loads through gzip -dc', () => {
  const path = join(dir, 'trailing.csv.gz');
  writeFileSync(path, Buffer.concat([gzipSync('t,rate\n0,5\n1,7\n'), Buffer.from('garbage!')]));
  assert.deepEqual(Array.from(loadTraceCsv(path, { gaps: false }, { inMemoryMaxBytes: 4 }).rate), [5, 7]);
});

test('a small gzip trace with bytes after its data loads as a large one does (gzip ignores them; Node\'s zlib alone refused it)', () => {
  const garbage = join(dir, 'small-trailing.csv.gz');
  writeFileSync(garbage, Buffer.concat([gzipSync('t,rate\n0,5\n1,7\n'), Buffer.from('garbage!')]));
  assert.deepEqual(Array.from(loadTraceCsv(garbage, { gaps: false }).rate), [5, 7]);
  const zeros = join(dir, 'small-zero-padded.csv.gz');
  writeFileSync(zeros, Buffer.concat([gzipSync('t,rate\n0,5\n1,7\n'), Buffer.alloc(512)]));
  assert.deepEqual(Array.from(loadTraceCsv(zeros, { gaps: false }).rate), [5, 7], 'padded with zeros (a tape or block device copy)');
  // Without a gzip command to read past them, the file is refused with zlib's reason, not as too large.
  assert.throws(() => loadTraceCsv(garbage, { gaps: false }, { gzipCommand: 'no-such-gzip-command' }), /small-trailing\.csv\.gz: the trace file is gzip-compressed but does not decompress \(incorrect header check\)$/);
});

test('a small corrupt gzip trace names both refusals when the gzip command also fails', () => {
  const path = join(dir, 'small-corrupt-both.csv.gz');
  writeFileSync(path, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
  assert.throws(() => loadTraceCsv(path, { gaps: false }), /small-corrupt-both\.csv\.gz: the trace file is gzip-compressed but does not decompress \([^;]+; gzip exited with 1/);
});

test('a gzip trace whose trailer understates its size is still not decompressed in memory beyond the limit', () => {
  // 12.9 kB that compress to 4.4 kB, in two members, the last empty: the trailer says 0 bytes. The file fits the
  // 8,000 bytes allowed in memory, its content does not; with no gzip command to decompress it to disk, it is refused
  // rather than held whole past the limit.
  const text = `t,rate\n${Array.from({ length: 2000 }, (_, i) => `${i},5`).join('\n')}\n`;
  const path = join(dir, 'understated.csv.gz');
  writeFileSync(path, Buffer.concat([gzipSync(text), gzipSync('')]));
  assert.throws(() => loadTraceCsv(path, { gaps: false }, { inMemoryMaxBytes: 8000, gzipCommand: 'no-such-gzip-command' }), /understated\.csv\.gz: the trace file is gzip-compressed and it decompresses to more than 8000 bytes/);
});

test('a small corrupt gzip trace is refused as corrupt, not sent to the gzip command as if it were large', () => {
  const path = join(dir, 'small-corrupt.csv.gz');
  writeFileSync(path, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  assert.throws(() => loadTraceCsv(path, { gaps: false }, { gzipCommand: 'no-such-gzip-command' }), /small-corrupt\.csv\.gz: the trace file is gzip-compressed but does not decompress \((?!.*no-such-gzip-command)/);
});

test('a gzip-compressed gaps file beside the trace is read like a plain one', () => {
  const sub = mkdtempSync(join(tmpdir(), 'trace-file-gaps-gz-'));
  const path = join(sub, 'rate.csv');
  writeFileSync(path, 't,rate\n0,1\n1,0\n2,0\n3,4\n');
  writeFileSync(join(sub, 'gaps.csv'), gzipSync('t_start,length_steps\n1,2\n'));
  assert.deepEqual(Array.from(loadTraceCsv(path).rate), [1, 4]);
});
