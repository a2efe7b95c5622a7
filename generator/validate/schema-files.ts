/**
 * The JSON Schemas shipped in the package's `schemas/` folder for editors (VS Code YAML,
 * JetBrains): one per dialect. `npm run schemas` writes them; test/cli/schemas.test.ts checks
 * the folder is current.
 *   - `naftiko-1.0.0-alpha2.schema.json`, `ikanos-1.0.0-beta5.schema.json`: the official schemas
 *     (./official, unchanged), what `validate --strict` checks;
 *   - `naftiko-catalogue.schema.json`: the generator's own, more lenient schema (schema.ts): the
 *     catalogue dialect and alpha2, what `validate` checks.
 */
import { readFileSync } from 'node:fs';
import { capabilitySchema } from './schema.js';

export const SCHEMA_FILES = {
  alpha2: 'naftiko-1.0.0-alpha2.schema.json',
  beta5: 'ikanos-1.0.0-beta5.schema.json',
  catalogue: 'naftiko-catalogue.schema.json',
} as const;

/** File name → text of every shipped schema. */
export function schemaFiles(): Map<string, string> {
  const official = (name: string): string => readFileSync(new URL(`./official/${name}`, import.meta.url), 'utf8');
  return new Map([
    [SCHEMA_FILES.alpha2, official('naftiko-schema-1.0.0-alpha2.json')],
    [SCHEMA_FILES.beta5, official('ikanos-schema-1.0.0-beta5.json')],
    [SCHEMA_FILES.catalogue, `${JSON.stringify(capabilitySchema, null, 2)}\n`],
  ]);
}
