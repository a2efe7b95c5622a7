/** What CLI commands share: where output goes, the exit code, and writing a result file or stdout. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

export interface CommandContext {
  readonly io: Io;
  /** Sets the process exit code (the highest code set wins). */
  fail(code: number): void;
}

/** Writes `text` to `file` (folders created), or to stdout when no file is given. */
export function writeResult(io: Io, text: string, file: string | undefined, options: { overwrite?: boolean } = {}): boolean {
  if (file === undefined) {
    io.out(text.replace(/\n$/, ''));
    return true;
  }
  if (options.overwrite === false && existsSync(file)) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, options.overwrite === false ? { flag: 'wx' } : {});
  return true;
}
