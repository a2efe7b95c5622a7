/**
 * How a run talks: diagnostics on stderr, a progress line for batches (rewritten in place on a
 * terminal, a periodic line otherwise), a one-line summary on stdout, or with `--json` a
 * machine-readable report on stdout (for CI annotations). `--quiet` keeps errors only.
 */
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Io } from './io.js';

export interface OutputFlags {
  readonly quiet?: boolean;
  readonly json?: boolean;
  /** One compact JSON report per line (watch mode) instead of one indented report. */
  readonly jsonLines?: boolean;
}

export interface JsonDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: Diagnostic['severity'];
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface CapabilityReport {
  readonly name: string;
  readonly file: string;
  /** generate: written | unchanged | failed; check: ok | differs | failed; validate: valid | invalid; shared import files: import-only. */
  readonly status: string;
  readonly counts: { readonly operations: number; readonly routes: number; readonly tools: number; readonly files: number };
  readonly changes: readonly { readonly path: string; readonly kind: 'added' | 'changed' | 'removed' }[];
  readonly diagnostics: readonly JsonDiagnostic[];
}

/** The `--json` report (version 1). Paths in `changes` are relative to `out`. */
export interface RunReport {
  readonly version: 1;
  readonly command: string;
  readonly ok: boolean;
  readonly exitCode: number;
  readonly dryRun?: boolean;
  readonly out?: string;
  readonly config?: string;
  readonly durationMs: number;
  readonly totals: Readonly<Record<string, number>>;
  readonly capabilities: readonly CapabilityReport[];
  /** Diagnostics not tied to one capability (the config file, duplicate output folders). */
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly changes: readonly { readonly path: string; readonly kind: 'added' | 'changed' | 'removed' }[];
}

export function jsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  return { file: d.file, line: d.line, col: d.col, severity: d.severity, code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) };
}

/** Milliseconds between progress lines when stderr is not a terminal (`NAFTIKO_PROGRESS_MS`, default 2000). */
function progressInterval(): number {
  const value = Number(process.env.NAFTIKO_PROGRESS_MS);
  return Number.isFinite(value) && value >= 0 && process.env.NAFTIKO_PROGRESS_MS !== '' ? value : 2000;
}

export class Reporter {
  readonly #io: Io;
  readonly #flags: OutputFlags;
  readonly #started = Date.now();
  #lastLine = Date.now();
  #showing = false;
  #interval = progressInterval();

  constructor(io: Io, flags: OutputFlags) {
    this.#io = io;
    this.#flags = flags;
  }

  get elapsedMs(): number {
    return Date.now() - this.#started;
  }

  /** Diagnostics on stderr (`--quiet`: errors only). */
  diagnostics(list: readonly Diagnostic[]): void {
    const shown = this.#flags.quiet ? list.filter((d) => d.severity === 'error') : list;
    if (shown.length === 0) return;
    this.#clear();
    for (const d of shown) this.#io.err(formatDiagnostic(d));
  }

  /** An error line that is not a spec diagnostic (check's differences); kept under `--quiet`. */
  error(line: string): void {
    this.#clear();
    this.#io.err(line);
  }

  /** A human result line on stdout (not under `--quiet` or `--json`). */
  line(text: string): void {
    if (this.#flags.quiet || this.#flags.json) return;
    this.#clear();
    this.#io.out(text);
  }

  /** Progress of a batch (more than one file); silent under `--quiet` and `--json`. */
  progress(done: number, total: number, file: string): void {
    if (total < 2 || this.#flags.quiet || this.#flags.json) return;
    if (this.#io.progress) {
      const text = `[${done}/${total}] ${file}`;
      this.#io.progress(`\r\x1b[K${text.length > 100 ? `${text.slice(0, 99)}…` : text}`);
      this.#showing = true;
      if (done === total) this.#clear();
      return;
    }
    const now = Date.now();
    if (done < total && now - this.#lastLine >= this.#interval) {
      this.#lastLine = now;
      this.#io.err(`progress: ${done}/${total} files (${Math.floor((done / total) * 100)}%), ${((now - this.#started) / 1000).toFixed(1)} s`);
    }
  }

  /** The `--json` report on stdout. */
  json(report: RunReport): void {
    if (this.#flags.json) this.#io.out(this.#flags.jsonLines ? JSON.stringify(report) : JSON.stringify(report, null, 2));
  }

  #clear(): void {
    if (this.#showing && this.#io.progress) this.#io.progress('\r\x1b[K');
    this.#showing = false;
  }
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
