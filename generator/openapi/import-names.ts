/** Names of imported capabilities: kebab-case identifiers, unique within their scope. */
import { words } from '../model/names.js';

/** `listPets` → `list-pets`; `GET /pets/{id}` → `get-pets-id`; empty → the fallback. */
export function kebabCase(name: string, fallback: string, maxLength = 64): string {
  let out = words(name).map((w) => w.toLowerCase()).join('-');
  if (out.length > maxLength) out = out.slice(0, maxLength).replace(/-[^-]*$/, '') || out.slice(0, maxLength);
  return out || fallback;
}

/** Hands out names, suffixing `-2`, `-3`, … when one is taken. */
export class UniqueNames {
  readonly #taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.#taken.add(r);
  }

  take(candidate: string): string {
    let name = candidate;
    for (let n = 2; this.#taken.has(name); n += 1) name = `${candidate}-${n}`;
    this.#taken.add(name);
    return name;
  }
}

/** `petstore` → `PETSTORE`, for bind (environment) variable names. */
export function screamingSnake(name: string): string {
  const out = words(name).map((w) => w.toUpperCase()).join('_');
  return /^[A-Z]/.test(out) ? out : `API_${out}`;
}
