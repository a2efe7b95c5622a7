// The formatter runs TypeScript's formatting on the tree parsed for the syntax check; its
// fallback (a one-file language service) must give the same text, and a file that does not
// parse is refused with its position.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { EmitError, formatTypeScript } from '../../../generator/emit/format.js';

const GENERATED = 'generated/azure-imds-get-token';

it('formats generated files identically through both paths, and leaves committed output unchanged', () => {
  for (const name of readdirSync(GENERATED).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(GENERATED, name), 'utf8');
    // Un-indent everything: the formatter has to do real work.
    const flat = text.split('\n').map((line) => line.trimStart()).join('\n');
    const direct = formatTypeScript(name, flat, 'direct');
    expect(formatTypeScript(name, flat, 'service'), name).toBe(direct);
    expect(formatTypeScript(name, text), name).toBe(text);
  }
});

it('refuses a file that does not parse, naming line and column', () => {
  expect(() => formatTypeScript('x.ts', 'export const a = 1;\nconst = ;\n')).toThrow(EmitError);
  expect(() => formatTypeScript('x.ts', 'export const a = 1;\nconst = ;\n')).toThrow(/x\.ts does not parse at 2:7/);
});
