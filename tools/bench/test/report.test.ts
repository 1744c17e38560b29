import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderSummary, type BenchReport } from '../src/report.js';
import { spread } from '../src/stats.js';
import { medianColdStart } from '../src/services.js';

const figures = (rps: number[], p99: number[], cpu: number[], ratio: number[]) => ({
  rps: spread(rps),
  p99Ms: spread(p99),
  p50Ms: spread(p99.map((x) => x / 4)),
  cpuMicrosPerRequest: spread(cpu),
  ratio: spread(ratio),
  // The fixtures' unprotected CPU per request (100, 102) over this variant's, round by round.
  cpuRatio: spread(cpu.map((c, i) => [100, 102][i]! / c)),
  failures: 0,
});

const served = (rps: number[], cpu: number[]) => ({
  rps: spread(rps),
  cpuMicrosPerRequest: spread(cpu),
  failures: 0,
});

/** How both side-by-side phases of the fixture were run. */
const setup = {
  route: 'GET /api/location/status',
  rounds: 2,
  processes: 1,
  roundSeconds: 5,
  warmupSeconds: 3,
  connections: 50,
};

/** Fake numbers: the report writer must lay them out, not measure anything. */
const report: BenchReport = {
  machine: {
    cpu: 'Test CPU @ 1.00GHz',
    cores: 2,
    memoryGiB: 8,
    node: 'v20.0.0',
    os: 'Linux 6.0',
    loadAverage: { start: 0.2, end: 0.3 },
    date: '2026-01-01T00:00:00.000Z',
  },
  command: 'npm run bench',
  durationSeconds: 123,
  overhead: {
    ok: true,
    figures: {
      ...setup,
      variants: {
        unprotected: figures([10_000, 10_200], [9, 11], [100, 102], [1, 1]),
        'library-default': figures([6_000, 6_100], [20, 22], [160, 162], [0.6, 0.6]),
        'shipped-no-cache': figures([5_800, 5_900], [21, 23], [170, 171], [0.58, 0.58]),
        shipped: figures([9_300, 9_500], [10, 12], [108, 110], [0.91, 0.95]),
      },
      logLineMicros: { request: 9, audit: 12 },
      cache: { hits: 99_000, misses: 3, size: 1 },
    },
  },
  appServer: {
    ok: true,
    figures: {
      ...setup,
      served: {
        'node-http': served([5_000, 5_200], [200, 196]),
        'app-server': served([10_000, 10_400], [100, 98]),
      },
      ratio: spread([2, 2]),
      cpuRatio: spread([2, 2]),
    },
  },
  tokenEconomy: {
    ok: true,
    figures: {
      calls: 10_000,
      concurrency: 200,
      tokenRequests: 1,
      tokensIssuedByServer: 1,
      discoveryRequests: 1,
      distinctTokens: 1,
      durationMs: 250,
    },
  },
  directions: { ok: false, error: 'the pair set is missing' },
  coldStart: {
    ok: true,
    figures: medianColdStart(
      [3_900, 4_321, 5_000].map((plannedMs, i) => ({
        plannedMs,
        postedMs: 2_000 + i,
        attempts: i === 2 ? 2 : 1,
        healthyMs: {
          'auth-server': 900,
          'worldmappers-api': 3_000 - i * 10,
          giftdeliveries: 1_500,
        },
        rssMiB: { 'auth-server': 80 + i, 'worldmappers-api': 240, giftdeliveries: 100 },
      })),
    ),
  },
  rssAfterLoadMiB: { 'auth-server': 90, 'worldmappers-api': 250, giftdeliveries: 101 },
};

describe('the bench report writer', () => {
  it('reports the token endpoint with an assertion beside a secret, when measured', () => {
    const withClientAuth: BenchReport = {
      ...report,
      clientAuth: {
        ok: true,
        figures: {
          rounds: 2,
          requestsPerRound: 40,
          secret: { latencyMs: spread([3, 4]), cpuMicrosPerRequest: spread([3000, 3000]) },
          assertion: { latencyMs: spread([4, 5]), cpuMicrosPerRequest: spread([4000, 4500]) },
          ratio: { latency: spread([1.3, 1.25]), cpu: spread([1.33, 1.5]) },
        },
      },
    };
    expect(renderSummary(withClientAuth)).toMatch(
      /\| token endpoint: private_key_jwt vs client secret\s+\|\s+1\.28× latency \(3\.50 ms → 4\.50 ms\), 1\.42× CPU \(3,000 → 4,250 µs\/req\) \|/,
    );
    const md = renderMarkdown(withClientAuth);
    expect(md).toContain('### Client authentication: a signed assertion beside a secret');
    expect(md).toContain('Ratio assertion ÷ secret, per round (median): 1.28× latency');
    // Older reports have no such phase: nothing is printed for it.
    expect(renderMarkdown(report)).not.toContain('Client authentication');
  });

  it('prints a summary table with the ratios, token requests and cold start', () => {
    const text = renderSummary(report);
    expect(text).toContain('Test CPU @ 1.00GHz, 2 cores, Node v20.0.0');
    expect(text).toMatch(
      /\| protectApi as shipped \(verification cache on\)\s+\|\s+9,400 \|\s+9,300–9,500 \|\s+0\.93× \|\s+0\.92–0\.94 \|\s+11\.0 \|/,
    );
    expect(text).toMatch(/\| express-oauth2-jwt-bearer default .*\|\s+0\.60× \|/);
    expect(text).toContain('1 token request(s) (server issued 1)');
    expect(text).toContain('not measured: the pair set is missing');
    expect(text).toContain('4,321 ms');
    expect(text).toMatch(
      /\| createAppServer vs http\.createServer \(unprotected\) \|\s+2\.00× req\/s \(198 → 99 µs CPU\/req\) \|/,
    );
  });

  it('writes docs/benchmarks.md with the machine, every phase and the per-round figures', () => {
    const md = renderMarkdown(report);
    expect(md.startsWith('# Benchmarks\n')).toBe(true);
    expect(md).toContain('| CPU                                 | Test CPU @ 1.00GHz |');
    expect(md).toContain('As shipped, protectApi serves **0.93×** the unprotected throughput');
    expect(md).toContain("express-oauth2-jwt-bearer's default serves **0.60×**");
    expect(md).toMatch(/\| shipped\s+\|\s+9,300 \|\s+9,500 \|/);
    expect(md).toContain(
      '(middle half of the rounds 0.92–0.94×, by server CPU per request 0.93×; target ≥ 0.90×)',
    );
    expect(md).toMatch(/\| × by CPU \(median\) \|/);
    expect(md).toMatch(/\| protectApi as shipped \(verification cache on\) .*\| +0\.93× \|/);
    expect(md).toMatch(/Per-round × unprotected[^]*\| shipped\s+\|\s+0\.91 \|\s+0\.95 \|/);
    expect(md).toMatch(/\| token requests sent by the provider \(target 1\) \|\s+1 \|/);
    expect(md).toContain(
      '## Directions and geocoding latency\n\nnot measured: the pair set is missing',
    );
    expect(md).toMatch(/\| worldmappers-api \|\s+240 MiB \|\s+250 MiB \|/);
    // The median of three starts, with their range and the most attempts any needed.
    expect(md).toMatch(
      /\| \*\*first delivery planned\*\* \(planning attempts, at most: 2\) \| +\*\*4,321 ms\*\* \| +3,900–5,000 ms \|/,
    );
    expect(md).toMatch(/\| worldmappers-api answers \/healthz +\| +2,990 ms \| +2,980–3,000 ms \|/);
    expect(md).toContain('3 cold starts one after another');
    expect(md).toContain(
      'remain 8 µs of server CPU per request (median over the rounds of the difference within each round; middle half 8 to 8 µs). The audit',
    );
    expect(md).toContain('then costs 12.0 µs of CPU instead of 9.0 µs');
    expect(md).toMatch(
      /\| http\.createServer\(app\) \|\s+5,100 \|\s+5,000–5,200 \|\s+198 \|\s+0 \|/,
    );
    expect(md).toMatch(
      /\| createAppServer\(app\)\s+\|\s+10,200 \|\s+10,000–10,400 \|\s+99 \|\s+0 \|/,
    );
    expect(md).toContain('createAppServer serves **2.00×** the requests per second');
    expect(md).not.toContain('busy with other work');
  });
});
