// Generated tools declare their arguments' TypeScript type (toolTs) instead of letting the SDK
// infer it from the zod schema (zodSchema), which is much cheaper to type-check. This keeps the
// two tables in agreement: for every input kind, what zod hands a tool must be assignable to the
// declared type, checked by tsc.
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { InputField } from '../../../generator/model/ir.js';
import type { ParamType } from '../../../generator/runtime/descriptor.js';
import { toolTs, zodSchema } from '../../../generator/emit/types.js';
import { scratchDir, typecheck } from '../../helpers/cli.js';

const dir = scratchDir('tool-types');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES: ParamType[] = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'file'];
const fields: InputField[] = [
  ...TYPES.map((type): InputField => ({ name: type, type, required: true, in: 'query' })),
  { name: 'body', type: 'object', required: true, in: 'body' },
];

it('what each zod argument schema parses into is assignable to the declared argument type', () => {
  const json = relative(dir, resolve('generator/runtime/json.js')).split('\\').join('/');
  const lines = [
    "import { z } from 'zod';",
    `import type { JsonObject, JsonValue } from '${json.startsWith('.') ? json : `./${json}`}';`,
    ...fields.flatMap((field, i) => [
      `const schema${i} = ${zodSchema(field)};`,
      `export const value${i}: ${toolTs(field)} = null as unknown as z.output<typeof schema${i}>;`,
    ]),
    // Both JSON types are always imported; keep the checker quiet when a table stops using one.
    'export type Used = JsonObject | JsonValue;',
  ];
  writeFileSync(join(dir, 'check.ts'), `${lines.join('\n')}\n`);
  expect(() => typecheck(dir)).not.toThrow();
}, 60_000);
