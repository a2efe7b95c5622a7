/**
 * `binds` of a capability: named secrets and settings the spec refers to as `{{VAR}}` or
 * `{{namespace.VAR}}`. A bind without `location` reads the environment; one with a `file:`
 * location reads a YAML or JSON file. Values are read when first used, so a capability whose
 * unused bind is missing still starts (the reference engine refuses to start instead).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError } from './errors.js';

export interface BindSpec {
  readonly namespace: string;
  /** `file:` location of a YAML/JSON file, already made relative to `baseDir` by the generator. */
  readonly location?: string | undefined;
  /** Variable name → provider key (environment variable name or key in the file). */
  readonly keys: Readonly<Record<string, string>>;
}

export interface BindingsOptions {
  /** Environment to read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Directory relative file locations are resolved against. */
  readonly baseDir?: string | undefined;
  /** Explicit values by variable name; they win over env and files (tests, embedding). */
  readonly values?: Readonly<Record<string, string>> | undefined;
}

export class Bindings {
  readonly #binds: readonly BindSpec[];
  readonly #options: BindingsOptions;
  readonly #files = new Map<string, Record<string, unknown>>();

  constructor(binds: readonly BindSpec[], options: BindingsOptions = {}) {
    this.#binds = binds;
    this.#options = options;
  }

  /** True when `ref` (`VAR` or `namespace.VAR`) names a declared bind variable. */
  has(ref: string): boolean {
    return this.#find(ref) !== undefined;
  }

  /** The value of a bind variable, or a ConfigurationError naming what to set. */
  get(ref: string): string {
    const found = this.#find(ref);
    if (!found) throw new ConfigurationError(`"${ref}" is not a declared bind variable`);
    const [bind, variable] = found;
    const explicit = this.#options.values?.[variable];
    if (explicit !== undefined) return explicit;
    const providerKey = bind.keys[variable]!;
    if (bind.location === undefined) {
      const env = this.#options.env ?? process.env;
      const value = env[providerKey];
      if (value === undefined || value === '') {
        throw new ConfigurationError(
          `bind variable ${variable} is not set`,
          `set the environment variable ${providerKey}`,
        );
      }
      return value;
    }
    const data = this.#readFile(bind);
    const value = data[providerKey];
    if (value === undefined || value === null) {
      throw new ConfigurationError(
        `bind variable ${variable} is not set`,
        `add the key "${providerKey}" to the bind file of namespace ${bind.namespace}`,
      );
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /** Variables that cannot be resolved now (for readiness checks); never their values. */
  missing(): string[] {
    const out: string[] = [];
    for (const bind of this.#binds) {
      for (const variable of Object.keys(bind.keys)) {
        try {
          this.get(`${bind.namespace}.${variable}`);
        } catch {
          out.push(variable);
        }
      }
    }
    return out;
  }

  #find(ref: string): [BindSpec, string] | undefined {
    const dot = ref.indexOf('.');
    if (dot > 0) {
      const namespace = ref.slice(0, dot);
      const variable = ref.slice(dot + 1);
      const bind = this.#binds.find((b) => b.namespace === namespace && variable in b.keys);
      if (bind) return [bind, variable];
    }
    // Later binds win, as in the reference engine's flat variable map.
    for (let i = this.#binds.length - 1; i >= 0; i -= 1) {
      const bind = this.#binds[i]!;
      if (Object.prototype.hasOwnProperty.call(bind.keys, ref)) return [bind, ref];
    }
    return undefined;
  }

  #readFile(bind: BindSpec): Record<string, unknown> {
    const path = this.#filePath(bind.location!);
    const cached = this.#files.get(path);
    if (cached) return cached;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new ConfigurationError(
        `bind file of namespace ${bind.namespace} cannot be read`,
        `create ${path}`,
      );
    }
    let data: unknown;
    try {
      data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    } catch {
      throw new ConfigurationError(`bind file of namespace ${bind.namespace} is not valid YAML/JSON`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ConfigurationError(`bind file of namespace ${bind.namespace} must hold a mapping`);
    }
    this.#files.set(path, data as Record<string, unknown>);
    return data as Record<string, unknown>;
  }

  #filePath(location: string): string {
    let path = location;
    if (/^file:\/\/\/\.\.?\//.test(path)) path = path.slice('file:///'.length);
    else if (/^file:\/\/\.\.?\//.test(path)) path = path.slice('file://'.length);
    else if (path.startsWith('file:')) path = fileURLToPath(path);
    if (isAbsolute(path)) return path;
    return resolvePath(this.#options.baseDir ?? process.cwd(), path);
  }
}
