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
