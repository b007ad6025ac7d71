/**
 * Log lines for rejected messages (the gateway's, the engine's and the forecast subscriber's), so an operator sees
 * what was wrong and where: one line per reject with the topic, the reason and its detail, at most `burst` lines per
 * `periodMs`; the rest of a period is counted by reason and summed up in one line when the next period starts (or
 * at `flush()`, on stop). A flood of garbage therefore costs a bounded number of lines, and every reject is still in
 * the counters (ValidationTally, the engine's `rejected`).
 *
 * Topics and details can carry text from the sender: control characters (a newline would forge a log line) are
 * escaped and both are shortened. Time comes from the caller's clock, so tests decide when a period ends.
 */
import { truncate } from '../../core/text.ts';

/** [assumed] 10 lines per 10 s: enough to see what a broken sender does, too few to flood a terminal or a log file. */
export const DEFAULT_REJECT_LOG_BURST = 10;
export const DEFAULT_REJECT_LOG_PERIOD_MS = 10_000;
const MAX_TOPIC_CHARS = 120;
const MAX_DETAIL_CHARS = 240;

export interface RejectLogOptions {
  /** Names the component in every line, e.g. `edge gateway edge-0`. */
  who: string;
  log: (line: string) => void;
  nowMs: () => number;
  burst?: number;
  periodMs?: number;
}

export class RejectLog {
  /** Lines written for single rejects, and rejects only counted (not shown). */
  shown = 0;
  suppressed = 0;
  private readonly burst: number;
  private readonly periodMs: number;
  private periodStartMs = Number.NEGATIVE_INFINITY;
  private shownInPeriod = 0;
  private hidden = new Map<string, number>();

  constructor(private readonly opts: RejectLogOptions) {
    this.burst = opts.burst ?? DEFAULT_REJECT_LOG_BURST;
    this.periodMs = opts.periodMs ?? DEFAULT_REJECT_LOG_PERIOD_MS;
    if (!Number.isInteger(this.burst) || this.burst < 0) throw new Error(`RejectLog: burst must be an integer >= 0, got ${this.burst}`);
    if (!(this.periodMs > 0)) throw new Error(`RejectLog: periodMs must be > 0, got ${this.periodMs}`);
  }

  /**
   * One message received on `topic`, refused for `reason`. `detail` may be a function: it is called only when the line
   * is actually written (explaining a reject can cost a parse).
   */
  note(topic: string, reason: string, detail: string | (() => string)): void {
    this.noteAt(`a message on topic '${clean(topic, MAX_TOPIC_CHARS)}'`, reason, detail);
  }

  /** Like note(), for rejects that are not one message on one topic: `what` reads "rejected <what>: <reason>". */
  noteAt(what: string, reason: string, detail: string | (() => string)): void {
    const now = this.opts.nowMs();
    if (!(now - this.periodStartMs < this.periodMs)) {
      this.flush();
      this.periodStartMs = now;
      this.shownInPeriod = 0;
    }
    if (this.shownInPeriod >= this.burst) {
      this.suppressed++;
      this.hidden.set(reason, (this.hidden.get(reason) ?? 0) + 1);
      return;
    }
    this.shownInPeriod++;
    this.shown++;
    let text: string;
    try {
      text = typeof detail === 'function' ? detail() : detail;
    } catch (err) {
      text = `(no detail: ${err instanceof Error ? err.message : String(err)})`;
    }
    this.opts.log(`${this.opts.who}: rejected ${what}: ${reason}${text ? `: ${clean(text, MAX_DETAIL_CHARS)}` : ''}`);
  }

  /** Writes the count of rejects not shown since the last line of that kind (stop() calls this). */
  flush(): void {
    if (this.hidden.size === 0) return;
    const total = [...this.hidden.values()].reduce((a, b) => a + b, 0);
    const byReason = [...this.hidden.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    this.hidden = new Map();
    this.opts.log(`${this.opts.who}: ${total} more rejected message${total === 1 ? '' : 's'} not shown (${byReason}); all are counted`);
  }
}

/** Escapes control characters (no raw newline can reach the log) and shortens to `max` characters. */
export function clean(text: string, max: number): string {
  const s = String(text);
  // eslint-disable-next-line no-control-regex
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return truncate(escaped, max);
}
