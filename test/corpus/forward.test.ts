// The forwarding suite (forward-suite.ts) over the in-repo fixtures: the team's synthetic
// catalogue-dialect capabilities (every method, input location and type, both auth kinds, a
// 420-operation capability) and the engine's official examples the generator supports.
import { forwardSuite, listYaml, supportedYaml } from './forward-suite.js';

forwardSuite([...listYaml('test/fixtures/synthetic'), ...supportedYaml('test/fixtures/naftiko-examples')]);
