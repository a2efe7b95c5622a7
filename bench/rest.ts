/**
 * REST overhead: autocannon over loopback against (a) the mock IMDS alone — the ceiling, (b) a
 * hand-written Fastify + undici route doing the same forwarding — the baseline, (c) the generated
 * IMDS route. The three targets are measured in alternating order, several rounds, medians kept;
 * ratios are taken within this run. Added latency = the target's percentile minus the upstream's.
 */
import autocannon from 'autocannon';
import { cpuMs } from './lib/cpu.js';
import { pinSelf } from './lib/proc.js';
import { type Mode, type SectionResult } from './lib/section.js';
import { AUTH, expectToken, LOAD_CPU, restTokenPath, startBaseline, startGenerated, startUpstream, upstreamTokenPath } from './lib/stack.js';
import { count, median, micros, ms, ratio } from './lib/stats.js';

interface Target {
  readonly label: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The process serving the target (its CPU time is read around each load). */
  readonly pid: number | undefined;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU milliseconds the serving process spent per request. */
  readonly cpuPerRequest: number;
}

export const CONNECTIONS = 32;

async function load(target: Target, seconds: number): Promise<Sample> {
  const cpuBefore = cpuMs(target.pid);
  const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: seconds, pipelining: 1, headers: target.headers });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${target.label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers under load`);
  }
  const cpuPerRequest = (cpuMs(target.pid) - cpuBefore) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuPerRequest };
}

export async function run(mode: Mode): Promise<SectionResult> {
  const rounds = mode.quick ? 1 : 3;
  const seconds = mode.quick ? 1 : 5;
  const restore = pinSelf(LOAD_CPU);
  const upstream = await startUpstream();
  const baseline = await startBaseline(upstream.url);
  // Logs off, like the baseline: the route's own cost. The default access log is measured apart.
  const generated = await startGenerated(upstream.url, ['--log-level', 'silent']);
  const logged = await startGenerated(upstream.url);
  try {
    const targets: Target[] = [
      { label: '(a) mock IMDS alone (ceiling)', url: `${upstream.url}${upstreamTokenPath}`, headers: { metadata: 'true' }, pid: upstream.process.child.pid },
      { label: '(b) hand-written Fastify + undici.request', url: `${baseline.url}${restTokenPath}`, headers: AUTH, pid: baseline.process.child.pid },
      { label: '(c) generated IMDS route', url: `${generated.rest}${restTokenPath}`, headers: AUTH, pid: generated.process.child.pid },
      { label: '(c′) generated, default access log (info)', url: `${logged.rest}${restTokenPath}`, headers: AUTH, pid: logged.process.child.pid },
    ];
    for (const target of targets) await expectToken(target.url, target.headers);
    // Warm-up (JIT, connection pools), not recorded.
    for (const target of targets) await load(target, 1);
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.label, []]));
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 ? [...targets].reverse() : targets;
      for (const target of order) samples.get(target.label)!.push(await load(target, seconds));
    }
    const med = (label: string, pick: (s: Sample) => number): number => median(samples.get(label)!.map(pick));
    const [a, b, c, cLogged] = targets.map((t) => t.label) as [string, string, string, string];
    const rows = targets.map((t) => [
      t.label,
      count(med(t.label, (s) => s.rps)),
      ms(med(t.label, (s) => s.p50)),
      ms(med(t.label, (s) => s.p99)),
      t.label === a ? '' : ms(med(t.label, (s) => s.p50) - med(a, (s) => s.p50)),
      t.label === a ? '' : ms(med(t.label, (s) => s.p99) - med(a, (s) => s.p99)),
      micros(med(t.label, (s) => s.cpuPerRequest)),
    ]);
    // Ratios of medians of per-round ratios would hide drift; rounds alternate, so ratios of medians are used.
    const cb = med(c, (s) => s.rps) / med(b, (s) => s.rps);
    const ca = med(c, (s) => s.rps) / med(a, (s) => s.rps);
    const ba = med(b, (s) => s.rps) / med(a, (s) => s.rps);
    const cpuB = med(b, (s) => s.cpuPerRequest);
    const cpuC = med(c, (s) => s.cpuPerRequest);
    const logCost = med(cLogged, (s) => s.rps) / med(c, (s) => s.rps);
    return {
      tables: [{
        title: `REST overhead: GET token, ${CONNECTIONS} connections, ${rounds}×${seconds} s per target (alternating), medians`,
        headers: ['target', 'req/s', 'p50', 'p99', 'p50 added', 'p99 added', 'server CPU per request'],
        rows: [
          ...rows,
          ['generated / hand-written (c/b)', ratio(cb), '', '', '', '', ratio(cpuB / cpuC)],
          ['generated / upstream alone (c/a)', ratio(ca), '', '', '', '', ''],
          ['hand-written / upstream alone (b/a)', ratio(ba), '', '', '', '', ''],
          ['with access log / without (c′/c)', ratio(logCost), '', '', '', '', ''],
        ],
        notes: [
          'each server runs in its own process; the upstream and autocannon share one CPU and the server under test has the other when taskset is available',
          '(c) runs with `--log-level silent` (the baseline logs nothing either); (c′) is the same server with its default one JSON line per request on stdout',
          'added latency = the target\'s percentile minus the upstream\'s own (autocannon latency, ms)',
          'server CPU per request = user+system CPU time of the serving process (/proc) over requests answered; less sensitive to other load on the machine than req/s. Its ratio row is hand-written CPU / generated CPU (1 = as cheap)',
        ],
      }],
      targets: mode.quick ? [] : [{ name: 'generated REST route vs hand-written', goal: '≥ 0.90×', value: ratio(cb), met: cb >= 0.9 }],
    };
  } finally {
    await Promise.all([generated.process.stop(), logged.process.stop(), baseline.process.stop(), upstream.process.stop()]);
    restore();
  }
}
