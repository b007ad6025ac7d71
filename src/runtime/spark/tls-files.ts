/**
 * The agent channel's certificate and key as files (a Kubernetes Secret mounted into the controller, renewed in
 * place by cert-manager or by hand). `loadTlsFiles` reads them with errors that name the file; `TlsFileWatcher`
 * re-reads them when either changes and hands the new pair over, so a renewal needs no restart. A renewal caught
 * half-written (the new certificate with the old key) fails to load and is tried again on the next check.
 */
import { readFileSync, statSync } from 'node:fs';
import type { AgentTls } from './agent-channel.ts';

/** How often the files are checked for a renewal (ms). A mounted Secret is refreshed within about a minute. */
export const DEFAULT_TLS_CHECK_INTERVAL_MS = 60_000;

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

function readPem(what: string, file: string, marker: RegExp): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`agent TLS ${what} ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!marker.test(text)) throw new Error(`agent TLS ${what} ${file}: no PEM ${what === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'} block in it`);
  return text;
}

/** Reads both files; says which file is missing, unreadable or not PEM of the right kind. */
export function loadTlsFiles(files: TlsFiles): AgentTls {
  return {
    cert: readPem('certificate', files.certFile, /-----BEGIN CERTIFICATE-----/),
    key: readPem('key', files.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

function fingerprint(files: TlsFiles): string {
  // stat follows the ..data symlink a mounted Secret swaps, so a renewal changes the mtime or size seen here.
  const f = (p: string): string => {
    try {
      const s = statSync(p);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'missing';
    }
  };
  return `${f(files.certFile)}|${f(files.keyFile)}`;
}

export type TlsCheck = 'unchanged' | 'reloaded' | 'failed';

export class TlsFileWatcher {
  private seen: string;
  private timer: NodeJS.Timeout | null = null;

  /** `apply` installs a pair (AgentChannel.reloadTls) and throws when the pair does not load. */
  constructor(private readonly files: TlsFiles, private readonly apply: (tls: AgentTls) => void, private readonly log: (line: string) => void) {
    this.seen = fingerprint(files);
  }

  /** One check: reloads when either file changed since the last successful load (or failed attempt's files). */
  check(): TlsCheck {
    const now = fingerprint(this.files);
    if (now === this.seen) return 'unchanged';
    try {
      this.apply(loadTlsFiles(this.files));
      this.seen = now;
      this.log(`spark-k8s: agent TLS certificate reloaded from ${this.files.certFile}`);
      return 'reloaded';
    } catch (err) {
      // Not remembered as seen: the next check tries again (the other half of a renewal may still be on its way).
      this.log(`spark-k8s: agent TLS certificate not reloaded, the old one keeps serving: ${(err as Error).message}`);
      return 'failed';
    }
  }

  start(intervalMs = DEFAULT_TLS_CHECK_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
