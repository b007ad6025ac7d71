/**
 * The progress bar (src/cli/progress.ts): silent when asked, one plain line per 10 % off a terminal, a redrawn bar on
 * one. Its output is stderr's, captured here; nothing depends on timing (the terminal's 100 ms redraw limit is only
 * met by the first draw and by finish(), which always draws).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, type ProgressOptions } from './progress.ts';

/** What `fn` writes to stderr with a bar made for a terminal (`tty`) or not. */
function stderrOf(tty: boolean, opts: ProgressOptions, fn: (bar: ProgressBar) => void): string {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true, writable: true });
  process.stderr.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
  try {
    fn(new ProgressBar(opts));
  } finally {
    process.stderr.write = write;
    if (had) Object.defineProperty(process.stderr, 'isTTY', had);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
  return chunks.join('');
}

test('progress: a silent bar writes nothing, on a terminal or not', () => {
  for (const tty of [false, true]) {
    assert.equal(stderrOf(tty, { label: 'x', total: 10, silent: true }, (bar) => {
      bar.tick();
      bar.set(5, 'half');
      bar.finish('done');
    }), '', `tty ${tty}`);
  }
});

test('progress: off a terminal, one plain line per 10 %, counted by tick(n), and finish() closes at 100 % once', () => {
  const text = stderrOf(false, { label: 'job', total: 20 }, (bar) => {
    for (let i = 0; i < 10; i++) bar.tick(2, `step ${i}`);
    bar.finish();
  });
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 10, text);
  assert.match(lines[0]!, /^job {2}10% 2\/20 \d+\.\ds eta \d+s step 0$/);
  // finish() keeps the last extra text and does not repeat the 100 % line already printed.
  assert.match(lines.at(-1)!, /^job 100% 20\/20 .* step 9$/);
  // Several ticks within one tenth: one line.
  const fine = stderrOf(false, { label: 'fine', total: 1000 }, (bar) => {
    for (let i = 0; i < 99; i++) bar.tick();
  });
  assert.equal(fine.trim().split('\n').length, 1, fine);
});

test('progress: finish() of a bar that stopped short prints it done; past the total it stays at 100 %; a total of 0 is done', () => {
  const short = stderrOf(false, { label: 'short', total: 10 }, (bar) => {
    bar.set(3);
    bar.finish();
  });
  assert.match(short.trim().split('\n').at(-1)!, /^short 100% 10\/10 /);
  const over = stderrOf(false, { label: 'over', total: 10 }, (bar) => bar.set(15));
  assert.match(over, /^over 100% 15\/10 /);
  const none = stderrOf(false, { label: 'none', total: 0 }, (bar) => bar.finish());
  assert.match(none, /^none 100% 0\/0 /);
});

test('progress: on a terminal, a 24-wide bar redrawn in place, and a newline at finish', () => {
  const text = stderrOf(true, { label: 'tty', total: 4 }, (bar) => {
    bar.set(1, 'a');
    bar.finish('b');
  });
  const draws = text.split('\r').filter(Boolean);
  assert.equal(draws.length, 2, JSON.stringify(text));
  // eslint-disable-next-line no-control-regex
  assert.match(draws[0]!, /^\[#{6}-{18}\] tty {2}25% 1\/4 .* a\x1b\[K$/);
  // eslint-disable-next-line no-control-regex
  assert.match(draws[1]!, /^\[#{24}\] tty 100% 4\/4 .* b\x1b\[K\n$/);
});

test('progress: the extra text stays until replaced; on a terminal, redraws come at most every 100 ms (clock stubbed)', () => {
  const plain = stderrOf(false, { label: 'x', total: 10 }, (bar) => {
    bar.tick(1, 'first');
    bar.tick(1);
  });
  assert.match(plain.trim().split('\n').at(-1)!, /^x {2}20% 2\/10 .* first$/);
  const now = Date.now;
  let t = 1_000_000;
  Date.now = () => t;
  try {
    const text = stderrOf(true, { label: 'tty', total: 10 }, (bar) => {
      bar.set(1); // drawn: the first draw
      t += 99;
      bar.set(2); // within 100 ms of it: not drawn
      t += 1;
      bar.set(3); // 100 ms after the first: drawn
      bar.finish(); // always drawn
    });
    assert.deepEqual(text.split('\r').filter(Boolean).map((d) => /\d+\/10/.exec(d)?.[0]), ['1/10', '3/10', '10/10']);
  } finally {
    Date.now = now;
  }
});
