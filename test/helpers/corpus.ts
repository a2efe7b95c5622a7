// The external corpus folder of `npm run test:corpus` (test/run-corpus.mjs sets NAFTIKO_CORPUS).
// Only *.corpus.test.ts files call this; `npm test` never reads outside the repository.
import { existsSync } from 'node:fs';

export function corpusDir(): string {
  const dir = process.env.NAFTIKO_CORPUS;
  if (!dir || !existsSync(dir)) {
    throw new Error('needs a folder of capability files; pass one: npm run test:corpus -- <folder>');
  }
  return dir;
}
