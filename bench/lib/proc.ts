/**
 * Child processes of the benchmark: servers measured from outside (so the load generator never
 * shares their event loop) and one-shot commands timed from spawn to exit. Everything started
 * here is stopped by its own handle; nothing is killed by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/** The repository root (children run from here so tsx and node_modules resolve). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node with tsx's loader: runs a TypeScript file the way `npx tsx file.ts` does, in one process. */
export function tsxCommand(script: string, args: readonly string[] = []): string[] {
  return [process.execPath, '--import', 'tsx', script, ...args];
}

const hasTaskset = process.platform === 'linux' && spawnSync('taskset', ['--version']).status === 0;

/** CPU pinning is used when it can separate the load generator from the server (≥ 2 cores). */
export const canPin = hasTaskset && availableParallelism() >= 2 && process.env.BENCH_NO_PIN === undefined;

function pinned(command: readonly string[], cpu: number | undefined): string[] {
  return canPin && cpu !== undefined ? ['taskset', '-c', String(cpu), ...command] : [...command];
}

/** Pins this process (the load generator) to one CPU; returns a function restoring the old mask. */
export function pinSelf(cpu: number): () => void {
  if (!canPin) return () => {};
  const before = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' }).stdout.trim().split(/:\s*/).pop();
  spawnSync('taskset', ['-p', '-c', String(cpu), String(process.pid)]);
  return () => {
    if (before) spawnSync('taskset', ['-p', before, String(process.pid)]);
  };
}

/** Children still running: stopped if the bench itself exits early (an error, Ctrl-C). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export interface Started {
  readonly child: ChildProcess;
  /** Match of the readiness pattern in the child's output (URLs are read from it). */
  readonly match: RegExpMatchArray;
  /** Milliseconds from spawn to the readiness line. */
  readonly readyMs: number;
  /** The last few kilobytes the child printed (for error reports). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Pattern over stdout+stderr that says the child is ready. */
  readonly ready: RegExp;
  readonly cpu?: number;
  readonly timeoutMs?: number;
}

/** Starts a long-running child and waits for its readiness line. */
export function startProcess(options: StartOptions): Promise<Started> {
  const [file, ...args] = pinned(options.command, options.cpu);
  const started = performance.now();
  const child = spawn(file!, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.command.join(' ')} was not ready after ${options.timeoutMs ?? 60_000} ms:\n${output.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    let ready = false;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (ready) {
        if (output.length > 64_000) output = output.slice(-16_000);
        return;
      }
      const match = output.match(options.ready);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, match, readyMs: performance.now() - started, output: () => output.slice(-16_000), stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${options.command.join(' ')} exited (${code ?? signal}) before it was ready:\n${output.slice(-2000)}`));
    });
  });
}

export interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from spawn to exit. */
  readonly wallMs: number;
}

/** Runs a command to completion (output captured); never throws for a non-zero exit. */
export function runProcess(command: readonly string[], options: { env?: Readonly<Record<string, string | undefined>>; cwd?: string; timeoutMs?: number } = {}): Promise<Finished> {
  const [file, ...args] = command;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

/** The last line of a child's stdout that parses as JSON (children report their figures so). */
export function lastJson<T>(stdout: string): T {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON report in child output:\n${stdout.slice(-1000)}`);
  return JSON.parse(line) as T;
}
