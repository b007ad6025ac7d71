/**
 * Whether a trace's content is text at all, told from its first bytes. A NUL byte never occurs in a CSV, a log or
 * JSON lines, but fills UTF-16 text (a spreadsheet's "Unicode text" export) and every binary file a user may take for
 * a trace: an .xlsx workbook (a zip archive), a Parquet file, an image. Read as text, these failed on a later line
 * with an error about the content that was not there ("line 2: missing column", "t is not a number: ' 2 0 2 4 - 0 1'")
 * or as an "empty trace".
 */

/** What content starting with these bytes is, when it is no text (and how to make a trace of it), or null. */
export function notTextReason(start: Uint8Array): string | null {
  const bytes = Buffer.from(start.buffer, start.byteOffset, start.byteLength);
  const startsWith = (magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);
  const utf16 = 'UTF-16 text (a spreadsheet\'s "Unicode text" export); save it as CSV UTF-8, or convert it: iconv -f UTF-16 -t UTF-8';
  if (startsWith([0xff, 0xfe]) || startsWith([0xfe, 0xff])) return utf16;
  if (startsWith([0x50, 0x4b, 0x03, 0x04])) return 'a zip archive (an .xlsx workbook is one); export the sheet as CSV, or unzip the archive and give its trace file';
  const nul = bytes.indexOf(0);
  if (nul < 0) return null;
  // 'PAR1' alone could start a header ('PAR1,PAR2'): a Parquet file is told by its magic and a NUL byte.
  if (startsWith([0x50, 0x41, 0x52, 0x31])) return 'a Parquet file; export it as CSV first (for example with DuckDB: COPY (SELECT * FROM \'file.parquet\') TO \'file.csv\')';
  // ASCII in UTF-16 without a byte order mark: one byte of every pair is NUL.
  let halfNulPairs = 0;
  const pairs = Math.floor(Math.min(bytes.length, 256) / 2);
  for (let i = 0; i < pairs; i++) if ((bytes[2 * i] === 0) !== (bytes[2 * i + 1] === 0)) halfNulPairs++;
  if (pairs >= 4 && halfNulPairs >= 0.9 * pairs) return utf16;
  return `binary data, not text (a NUL byte at byte ${nul + 1})`;
}
