// The forwarding suite (forward-suite.ts) over an external folder of capability files:
// `npm run test:corpus [-- <folder>]` (see test/run-corpus.mjs), which sets NAFTIKO_CORPUS.
import { forwardSuite, supportedYaml } from './forward-suite.js';
import { corpusDir } from '../helpers/corpus.js';

forwardSuite(supportedYaml(corpusDir()));
