/**
 * Upstream with a budget (issue 12): callers at 32 connections ask for tokens for 3 resources,
 * in front of (1) a mock IMDS that enforces real IMDS's budget (20 rps, 5 in flight, 429 beyond)
 * and (2) the same mock without limits. Side by side: the hand-written baseline (forwards every
 * call) and the generated server as its config ships (tokens cached until 5 min before
 * `expires_on`, single-flight, 20 rps / 5 in flight budget). Printed: the share of caller answers
 * that were 2xx, req/s, p99, and what the upstream received (requests, how many it throttled, the
 * most for one resource).
 */
import autocannon from 'autocannon';
import { cpuMs } from './lib/cpu.js';
import { pinSelf } from './lib/proc.js';
import { type Mode, type SectionResult } from './lib/section.js';
import { AUTH, expectToken, LOAD_CPU, restTokenPath, startBaseline, startGenerated, startUpstream, upstreamStats, type Server } from './lib/stack.js';
import { count, micros, ms, ratio } from './lib/stats.js';

export const CONNECTIONS = 32;
export const RESOURCES = ['https://management.azure.com/', 'https://vault.azure.net', 'https://storage.azure.com/'];

interface Sample {
  readonly share2xx: number;
  readonly rps: number;
  readonly p99: number;
  readonly answers: number;
  readonly upstream: number;
  readonly throttled: number;
  readonly maxPerResource: number;
  /** CPU ms the serving process spent per caller answer. */
  readonly cpuPerRequest: number;
}

async function load(url: string, pid: number | undefined, upstream: Server, seconds: number): Promise<Sample> {
  const before = await upstreamStats(upstream);
  const cpuBefore = cpuMs(pid);
  const path = (resource: string): string => `/v1/identity/oauth2/token?resource=${encodeURIComponent(resource)}`;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
    headers: AUTH,
    // autocannon cycles through these per connection (its typings lack the field).
    requests: RESOURCES.map((resource) => ({ method: 'GET', path: path(resource) })),
  } as Parameters<typeof autocannon>[0]);
  const cpu = cpuMs(pid) - cpuBefore;
  const after = await upstreamStats(upstream);
  const ok = result['2xx'];
  const answers = ok + result.non2xx + result.errors + result.timeouts;
  const perResource = RESOURCES.map((r) => (after.byResource[r] ?? 0) - (before.byResource[r] ?? 0));
  return {
    share2xx: answers > 0 ? ok / answers : Number.NaN,
    rps: result.requests.average,
    p99: result.latency.p99,
    answers,
    upstream: after.total - before.total,
    throttled: after.throttled - before.throttled,
    maxPerResource: Math.max(...perResource),
    cpuPerRequest: answers > 0 ? cpu / answers : Number.NaN,
  };
}

const percent = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');

export async function run(mode: Mode): Promise<SectionResult> {
  const seconds = mode.quick ? 1 : 8;
  const restore = pinSelf(LOAD_CPU);
  const throttled = await startUpstream({ throttled: true });
  const open = await startUpstream();
  const servers = [
    await startBaseline(`${throttled.url}`),
    await startGenerated(throttled.url, ['--log-level', 'silent', '--cache', 'on', '--budget', 'on']),
    await startBaseline(`${open.url}`),
    await startGenerated(open.url, ['--log-level', 'silent', '--cache', 'on', '--budget', 'on']),
  ];
  const urls = servers.map((s) => ('rest' in s ? s.rest : s.url));
  try {
    // The open upstream must answer; through the throttled one a single warm-up call does too.
    for (const url of urls) await expectToken(`${url}${restTokenPath}`, AUTH);
    const rows: string[][] = [];
    const samples: Sample[] = [];
    const labels = [
      ['throttled (20 rps, 5 in flight)', '(b) hand-written, forwards every call'],
      ['throttled (20 rps, 5 in flight)', '(c) generated, config as shipped'],
      ['no limits', '(b) hand-written, forwards every call'],
      ['no limits', '(c) generated, config as shipped'],
    ];
    for (let i = 0; i < urls.length; i++) {
      // Let the upstream's own 1 s window forget the previous load (the baseline's calls would
      // otherwise still count against the next server's first requests).
      await new Promise((r) => setTimeout(r, mode.quick ? 100 : 1_500));
      const sample = await load(urls[i]!, servers[i]!.process.child.pid, i < 2 ? throttled : open, seconds);
      samples.push(sample);
      rows.push([...labels[i]!, percent(sample.share2xx), count(sample.rps), ms(sample.p99), count(sample.answers), count(sample.upstream), count(sample.throttled), count(sample.maxPerResource), micros(sample.cpuPerRequest)]);
    }
    const [bT, cT, bO, cO] = samples as [Sample, Sample, Sample, Sample];
    const speedup = cO.rps / bO.rps;
    rows.push(['no limits', 'generated / hand-written (c/b)', '', ratio(speedup), '', '', '', '', '', ratio(bO.cpuPerRequest / cO.cpuPerRequest)]);
    return {
      tables: [{
        title: `Upstream with a budget: ${CONNECTIONS} connections over ${RESOURCES.length} resources, ${seconds} s per target`,
        headers: ['upstream', 'server', 'caller 2xx', 'req/s', 'p99', 'caller answers', 'upstream requests', 'upstream 429s', 'most for one resource', 'server CPU per answer'],
        rows,
        notes: [
          'the generated server runs with its config as shipped: tokens cached per (identity, resource) until 5 min before expires_on, single-flight, budget 20 rps / 5 in flight; the hand-written baseline forwards every call',
          'upstream figures count the load only: each server\'s warm-up call (one token, before the load) is not in them, so the generated server\'s cache already held one of the three tokens',
          'server CPU per answer = user+system CPU of the serving process over caller answers; its ratio row is hand-written CPU / generated CPU. req/s is bounded by the load generator, which shares its CPU with the upstream',
          `each server and each upstream is its own process; the CPUs are shared with the load generator${mode.quick ? '' : ' and, on a shared machine, with other work: read req/s as indicative'}`,
          `throttled baseline for comparison: ${percent(bT.share2xx)} 2xx at ${count(bT.rps)} req/s`,
        ],
      }],
      targets: mode.quick ? [] : [
        { name: 'budget: callers answered 2xx (throttled upstream)', goal: '100 %', value: percent(cT.share2xx), met: cT.share2xx === 1 },
        { name: 'budget: upstream requests per distinct key', goal: '≤ 2', value: count(cT.maxPerResource), met: cT.maxPerResource <= 2 && cT.throttled === 0 },
        { name: 'budget: generated vs hand-written, unthrottled upstream', goal: '≥ 1.5×', value: ratio(speedup), met: speedup >= 1.5 },
      ],
    };
  } finally {
    await Promise.all([...servers.map((s) => s.process.stop()), throttled.process.stop(), open.process.stop()]);
    restore();
  }
}
