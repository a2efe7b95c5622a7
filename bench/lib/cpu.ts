/**
 * CPU time used by a child process (user + system), read from /proc on Linux. On a machine shared
 * with other work, CPU milliseconds per request are steadier than requests per second: they do
 * not count the time the server waited for a core.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ticksPerSecond = (() => {
  if (process.platform !== 'linux') return undefined;
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim();
  return out && Number(out) > 0 ? Number(out) : 100;
})();

/** CPU milliseconds used so far by process `pid` and its threads, or NaN where /proc is missing. */
export function cpuMs(pid: number | undefined): number {
  if (!ticksPerSecond || pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  } catch {
    return Number.NaN;
  }
}
