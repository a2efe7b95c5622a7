import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the CLI writes: stdout lines (results, JSON), stderr lines (diagnostics), and a terminal progress line. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Raw stderr text for a progress line rewritten in place; present only when stderr is a terminal. */
  progress?(text: string): void;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  ...(process.stderr.isTTY ? { progress: (text: string) => void process.stderr.write(text) } : {}),
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
