/**
 * The bind variables a capability really uses, for the generated server's readiness check.
 * A capability may declare binds it never refers to (most catalogue files declare an unused
 * `MICROSOFT_AZURE_API_KEY`); readiness must not wait for those. A variable is used when some
 * template of the model (`{{VAR}}` or `{{namespace.VAR}}` in a parameter value, body, path,
 * auth field, mapping...) names it, resolved as the runtime's resolver does: binds first.
 */
import type { BindModel, CapabilityModel } from '../model/ir.js';

const VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;
/** Prose and prompt text never reach the bind resolver. */
const SKIPPED_KEYS = new Set(['description', 'label', 'title', 'prompts']);

/** Bind references (`proxy.TOKEN` or `TOKEN`, as written), in first-use order. */
export function requiredBinds(model: CapabilityModel): string[] {
  if (model.binds.length === 0) return [];
  const found: string[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return;
      for (const match of value.matchAll(VARIABLE)) {
        const ref = match[1]!;
        if (!found.includes(ref) && isBind(model.binds, ref)) found.push(ref);
      }
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) return value.forEach(visit);
    for (const [key, child] of Object.entries(value)) if (!SKIPPED_KEYS.has(key) && key !== 'binds') visit(child);
  };
  visit(model);
  return found;
}

/** Mirrors `Bindings#find`: `namespace.VAR` first, then a flat variable name. */
function isBind(binds: readonly BindModel[], ref: string): boolean {
  const dot = ref.indexOf('.');
  if (dot > 0 && binds.some((b) => b.namespace === ref.slice(0, dot) && Object.prototype.hasOwnProperty.call(b.keys, ref.slice(dot + 1)))) return true;
  return binds.some((b) => Object.prototype.hasOwnProperty.call(b.keys, ref));
}
