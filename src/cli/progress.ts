/**
 * A small progress bar for long commands. Writes to stderr (so `--json` stdout stays clean), redraws at most
 * every 100 ms on a TTY; elsewhere (CI logs) it prints one plain line per 10 %.
 */
export interface ProgressOptions {
  label: string;
  total: number;
  /** Disable entirely (e.g. for tests). */
  silent?: boolean;
}

export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly start = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  private extra = '';

  constructor(private readonly opts: ProgressOptions) {}

  tick(n = 1, extra?: string): void {
    this.done += n;
    if (extra !== undefined) this.extra = extra;
    this.draw(false);
  }

  set(done: number, extra?: string): void {
    this.done = done;
    if (extra !== undefined) this.extra = extra;
    this.draw(false);
  }

  finish(extra?: string): void {
    if (extra !== undefined) this.extra = extra;
    this.done = Math.max(this.done, this.opts.total);
    this.draw(true);
    if (!this.opts.silent && this.tty) process.stderr.write('\n');
  }

  private draw(force: boolean): void {
    if (this.opts.silent) return;
    const now = Date.now();
    const frac = this.opts.total > 0 ? Math.min(1, this.done / this.opts.total) : 1;
    const elapsedS = (now - this.start) / 1000;
    const etaS = frac > 0 ? (elapsedS / frac) * (1 - frac) : 0;
    const text = `${this.opts.label} ${(frac * 100).toFixed(0).padStart(3)}% ${this.done}/${this.opts.total} ${elapsedS.toFixed(1)}s eta ${etaS.toFixed(0)}s ${this.extra}`;
    if (this.tty) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round(frac * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
    } else {
      // One plain line per 10 %; the closing call only prints if that line has not been printed yet.
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      process.stderr.write(`${text}\n`);
    }
  }
}
