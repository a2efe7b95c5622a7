// Child of the generation benchmarks: runs `naftiko-codegen generate <args>` in this fresh process
// and reports, as one JSON line, the time spent in the command (startup excluded) and peak memory.
import { performance } from 'node:perf_hooks';
import { main } from '../../generator/cli/main.js';

const errors: string[] = [];
const started = performance.now();
const code = await main(['node', 'naftiko-codegen', 'generate', ...process.argv.slice(2)], { out: () => {}, err: (line) => errors.push(line) });
const ms = performance.now() - started;
console.log(JSON.stringify({ code, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, errors: errors.slice(0, 5) }));
