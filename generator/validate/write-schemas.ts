/** `npm run schemas`: writes the package's schemas/ folder (see schema-files.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { schemaFiles } from './schema-files.js';

const dir = new URL('../../schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, text] of schemaFiles()) writeFileSync(new URL(name, dir), text);
