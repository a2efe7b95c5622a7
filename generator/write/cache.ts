/**
 * Incremental generation: a capability whose spec, imports, output folder and generator are all
 * unchanged since a clean run, and whose output files are still exactly what was written, is not
 * rendered again. The cache lives in node_modules/.cache (never committed, never checked); `check`
 * never uses it, so a hand edit or a stale cache can only cost time, not correctness.
 *
 * An entry remembers which files the spec imported, so an unchanged capability is recognised
 * from the bytes of its files alone (`lookupFile`): no YAML is parsed and the generator's heavy
 * stages are not even loaded when nothing changed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSpec } from '../load/decode.js';

interface Entry {
  readonly input: string;
  /** Absolute paths of the files the spec imported (`location:`), in the order they were read. */
  readonly imports?: readonly string[];
  /** A shared consumes file: validated, nothing generated. */
  readonly importOnly?: boolean;
  /** Files a watcher follows for this capability (imports, local bind files). */
  readonly dependencies?: readonly string[];
  /** Output-relative path → sha256 of the bytes written. */
  readonly files: Record<string, string>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let fingerprint: string | undefined;

/** Hash of the generator's own code and templates: any change invalidates every entry. */
function generatorFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|hbs|json)$/.test(entry.name)) hash.update(full.slice(ROOT.length)).update(readFileSync(full));
    }
  };
  walk(join(ROOT, 'generator'));
  walk(join(ROOT, 'templates'));
  hash.update(readFileSync(join(ROOT, 'package.json')));
  fingerprint = hash.digest('hex');
  return fingerprint;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export class GenerationCache {
  readonly #path: string;
  readonly #outDir: string;
  readonly #entries: Record<string, Entry>;

  constructor(outDir: string) {
    this.#outDir = outDir;
    this.#path = join(ROOT, 'node_modules', '.cache', 'naftiko-codegen', `${sha256(outDir).slice(0, 16)}.json`);
    let entries: Record<string, Entry> = {};
    try {
      const data = JSON.parse(readFileSync(this.#path, 'utf8')) as { generator?: string; entries?: Record<string, Entry> };
      if (data.generator === generatorFingerprint() && data.entries) entries = data.entries;
    } catch {
      // no cache yet, or unreadable: start empty
    }
    this.#entries = entries;
  }

  /** The key of one capability's inputs. */
  static inputKey(outDir: string, specText: string, importTexts: readonly string[]): string {
    return sha256([generatorFingerprint(), outDir, specText, ...importTexts].join('\u0000'));
  }

  /** Files of an unchanged capability, read back from disk, when every one is intact. */
  lookup(file: string, input: string, capabilityDir: string): Map<string, string> | undefined {
    const entry = this.#entries[file];
    if (!entry || entry.input !== input) return undefined;
    const files = new Map<string, string>();
    for (const [path, hash] of Object.entries(entry.files)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(capabilityDir, path));
      } catch {
        return undefined;
      }
      if (sha256(bytes) !== hash) return undefined;
      files.set(path, bytes.toString('utf8'));
    }
    return files;
  }

  /**
   * The cached result of an unchanged capability file, recognised without parsing it: its bytes
   * and those of the files it imported give the same key as when it was generated.
   */
  lookupFile(file: string, capabilityDir: string, settingsKey = ''): { files: Map<string, string>; importOnly?: true; dependencies?: readonly string[] } | undefined {
    const entry = this.#entries[file];
    if (!entry?.imports) return undefined;
    const texts: string[] = [];
    for (const path of [file, ...entry.imports]) {
      let text: string | undefined;
      try {
        text = decodeSpec(readFileSync(path));
      } catch {
        return undefined;
      }
      if (text === undefined) return undefined;
      texts.push(text);
    }
    // The same key as the pipeline's: spec text, imported texts, then the config settings' key.
    const input = GenerationCache.inputKey(this.#outDir, texts[0]!, [...texts.slice(1), settingsKey]);
    const dependencies = entry.dependencies ? { dependencies: entry.dependencies } : {};
    if (entry.importOnly) return entry.input === input ? { files: new Map(), importOnly: true, ...dependencies } : undefined;
    const files = this.lookup(file, input, capabilityDir);
    return files ? { files, ...dependencies } : undefined;
  }

  remember(file: string, input: string, files: ReadonlyMap<string, string>, imports: readonly string[] = [], importOnly = false, dependencies: readonly string[] = []): void {
    this.#entries[file] = {
      input,
      imports,
      ...(importOnly ? { importOnly } : {}),
      dependencies,
      files: Object.fromEntries([...files].map(([p, t]) => [p, sha256(t)])),
    };
  }

  save(): void {
    try {
      mkdirSync(join(this.#path, '..'), { recursive: true });
      writeFileSync(this.#path, JSON.stringify({ generator: generatorFingerprint(), entries: this.#entries }));
    } catch {
      // a read-only install just means no incremental speed-up
    }
  }
}
