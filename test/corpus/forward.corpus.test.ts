// The forwarding suite (forward-suite.ts) over an external folder of capability files:
// `npm run test:corpus [-- <folder>]` (see test/run-corpus.mjs), which sets NAFTIKO_CORPUS.
// A folder may hold several files of one name (copies of the engine's examples in two dialects):
// one generate run cannot hold both output folders, so each copy goes to a run of its own.
import { basename } from 'node:path';
import { describe } from 'vitest';
import { forwardSuite, supportedYaml } from './forward-suite.js';
import { corpusDir } from '../helpers/corpus.js';

const rounds: string[][] = [];
for (const file of supportedYaml(corpusDir())) {
  const name = basename(file).replace(/\.ya?ml$/, '');
  let round = rounds.find((r) => !r.some((f) => basename(f).replace(/\.ya?ml$/, '') === name));
  if (!round) rounds.push((round = []));
  round.push(file);
}
if (rounds.length === 1) forwardSuite(rounds[0]!);
else rounds.forEach((files, i) => describe(`run ${i + 1} of ${rounds.length}`, () => forwardSuite(files)));
