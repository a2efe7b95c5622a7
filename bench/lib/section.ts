/** What every benchmark section returns to the runner. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './proc.js';
import type { Table } from './table.js';

export interface Mode {
  /** Seconds-long smoke run (tiny sizes, one round, short loads): proves the harness works, measures nothing. */
  readonly quick: boolean;
}

/** A goal from the issue, and whether this run met it (undefined: not measured). */
export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | undefined;
}

export interface SectionResult {
  readonly tables: readonly Table[];
  readonly targets: readonly Target[];
}

export interface Section {
  readonly name: string;
  run(mode: Mode): Promise<SectionResult>;
}

/** A scratch folder inside the repository (generated code there resolves the repo's node_modules). */
export function scratch(prefix: string): { dir: string; remove(): void } {
  const base = join(ROOT, '.cache', 'bench');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A section that could not run: one row saying why, no targets judged. */
export function unavailable(title: string, reason: string): SectionResult {
  return { tables: [{ title, headers: ['figure', 'value'], rows: [['n/a', reason]] }], targets: [] };
}
