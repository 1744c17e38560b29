import type { AppServerResult } from './phases/app-server.js';
import { DPOP_VARIANTS, DPOP_VARIANT_LABELS, type DpopCostResult } from './phases/dpop-cost.js';
import type { ClientAuthResult } from './phases/client-auth.js';
import type { OverheadResult } from './phases/overhead.js';
import type { DirectionsResult } from './phases/directions.js';
import type { TokenEconomyResult } from './phases/token-economy.js';
import type { ColdStartResult, ColdStartsResult } from './services.js';
import { ownSections, type OwnPhases } from './own-phases.js';
import { VARIANTS, VARIANT_LABELS } from './overhead/variants.js';
import { spread, type Spread } from './stats.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the bench started and ended: other work on the machine. */
  loadAverage: { start: number; end: number };
  date: string;
}

/** A phase's figures, or why it could not be measured. */
export type Phase<T> = { ok: true; figures: T } | { ok: false; error: string };

export interface BenchReport extends OwnPhases {
  machine: Machine;
  command: string;
  durationSeconds: number;
  overhead: Phase<OverheadResult>;
  /** The services' HTTP server (createAppServer) against Node's plain one, unprotected route. */
  appServer: Phase<AppServerResult>;
  tokenEconomy: Phase<TokenEconomyResult>;
  /** The token endpoint: a client assertion (private_key_jwt) beside a secret; absent in older reports. */
  clientAuth?: Phase<ClientAuthResult>;
  directions: Phase<DirectionsResult>;
  coldStart: Phase<ColdStartsResult>;
  /** The cost per request of DPoP verification beside Bearer (absent from older reports). */
  dpopCost?: Phase<DpopCostResult>;
  /** Resident memory after all the load phases, MiB. */
  rssAfterLoadMiB?: Record<string, number | undefined>;
}

export const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? 'n/a'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
const range = (s: Spread, digits = 0) => `${fmt(s.min, digits)}–${fmt(s.max, digits)}`;
const ms = (value: number, digits = 1) => `${fmt(value, digits)} ms`;

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function overheadTable(o: OverheadResult): string {
  return table(
    [
      'variant',
      'req/s (median)',
      'req/s min–max',
      '× unprotected (median)',
      '× q1–q3',
      'p99 ms (median)',
      'p99 min–max',
      'CPU µs/req',
      '× by CPU (median)',
    ],
    VARIANTS.map((variant) => {
      const v = o.variants[variant];
      return [
        VARIANT_LABELS[variant],
        fmt(v.rps.median),
        range(v.rps),
        `${fmt(v.ratio.median, 2)}×`,
        `${fmt(v.ratio.q1, 2)}–${fmt(v.ratio.q3, 2)}`,
        fmt(v.p99Ms.median, 1),
        range(v.p99Ms),
        fmt(v.cpuMicrosPerRequest.median),
        `${fmt(v.cpuRatio.median, 2)}×`,
      ];
    }),
  );
}

const failed = (phase: { ok: false; error: string }) => `not measured: ${phase.error}`;

/** The markdown of the comparison of http.createServer and createAppServer. */
function appServerSection(a: AppServerResult): string[] {
  const app = a.served['app-server'];
  const node = a.served['node-http'];
  return [
    `Every variant above is served as the services serve their apps: by \`createAppServer\` of @repo/http, which has Node create each request and response with the Express app's prototypes. Express switches the prototype of every request and response it handles (\`Object.setPrototypeOf\`), and V8 then gives each of those objects a hidden class of its own, so every property later added to or read from one takes V8's slow path; created with the right prototype, Express's switch changes nothing. The unprotected route served both ways, each by a process of its own, ${a.rounds} rounds × ${a.roundSeconds} s split over ${a.processes} pair${a.processes === 1 ? '' : 's'} of fresh processes, each warmed up for ${a.warmupSeconds} s, taking turns in a balanced order, ${a.connections} connections:`,
    '',
    table(
      ['served by', 'req/s (median)', 'req/s min–max', 'CPU µs/req (median)', 'failed'],
      [
        [
          'http.createServer(app)',
          fmt(node.rps.median),
          range(node.rps),
          fmt(node.cpuMicrosPerRequest.median),
          fmt(node.failures),
        ],
        [
          'createAppServer(app)',
          fmt(app.rps.median),
          range(app.rps),
          fmt(app.cpuMicrosPerRequest.median),
          fmt(app.failures),
        ],
      ],
    ),
    '',
    `- createAppServer serves **${fmt(a.ratio.median, 2)}×** the requests per second of \`http.createServer\` (middle half of the rounds ${fmt(a.ratio.q1, 2)}–${fmt(a.ratio.q3, 2)}×; by server CPU per request ${fmt(a.cpuRatio.median, 2)}×).`,
    '',
  ];
}

function dpopSection(d: DpopCostResult): string[] {
  return [
    `Time spent in \`authenticate\` of @repo/resource-server per request (process.hrtime around the middleware, one process, sequential requests on 127.0.0.1), ${d.rounds} rounds × ${d.requestsPerRound} requests per variant, the variants taking turns in a rotating order; each round's median per variant, then the median over the rounds. The proofs are signed before each round (the client's cost, not the API's); each one is fresh, so the replay check records every jti.`,
    '',
    table(
      ['variant', 'µs/request (median)', 'µs min–max'],
      DPOP_VARIANTS.map((v) => [
        DPOP_VARIANT_LABELS[v],
        fmt(d.micros[v].median),
        range(d.micros[v]),
      ]),
    ),
    '',
    `- DPoP costs **${fmt(d.ratio.overCached.median, 1)}×** a cached Bearer request (middle half of the rounds ${fmt(d.ratio.overCached.q1, 1)}–${fmt(d.ratio.overCached.q3, 1)}×) and **${fmt(d.ratio.overUncached.median, 2)}×** a Bearer token verified from scratch (${fmt(d.ratio.overUncached.q1, 2)}–${fmt(d.ratio.overUncached.q3, 2)}×): a proof is never cached, so every DPoP request pays the token's signature, the proof's signature and the checks around them.`,
    '',
  ];
}

function clientAuthSection(c: ClientAuthResult): string[] {
  const row = (label: string, f: ClientAuthResult['secret']) => [
    label,
    ms(f.latencyMs.median, 2),
    `${ms(f.latencyMs.q1, 2)}–${ms(f.latencyMs.q3, 2)}`,
    fmt(f.cpuMicrosPerRequest.median),
  ];
  return [
    `${c.rounds} rounds of ${c.requestsPerRound} sequential token requests each way against the real auth-server, in alternating order: \`giftdeliveries\` with \`client_secret_post\`, and \`giftdeliveries-keys\` with \`private_key_jwt\` (an ES256 assertion signed before the round, so only the server's work and HTTP are timed: signature check, claims, the \`jti\` recorded in the replay store). Both get the same RS256 token for \`urn:worldmappers\`. CPU is the auth-server's, from /proc (10 ms ticks, per round).`,
    '',
    table(
      ['method', 'latency (median)', 'latency q1–q3', 'server CPU µs/req (median)'],
      [row('client_secret_post', c.secret), row('private_key_jwt', c.assertion)],
    ),
    '',
    `Ratio assertion ÷ secret, per round (median): ${fmt(c.ratio.latency.median, 2)}× latency (q1–q3 ${fmt(c.ratio.latency.q1, 2)}–${fmt(c.ratio.latency.q3, 2)}), ${fmt(c.ratio.cpu.median, 2)}× CPU.`,
    '',
  ];
}

/** The short table printed at the end of `npm run bench`. */
export function renderSummary(report: BenchReport): string {
  const out: string[] = [];
  const { overhead, appServer, tokenEconomy, directions, coldStart } = report;
  out.push(
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, load ${fmt(report.machine.loadAverage.start, 1)} → ${fmt(report.machine.loadAverage.end, 1)}`,
  );
  out.push('', 'Authorization overhead, same cheap route');
  out.push(overhead.ok ? overheadTable(overhead.figures) : failed(overhead));
  out.push('');
  const rows: string[][] = [];
  if (appServer.ok) {
    const a = appServer.figures;
    rows.push([
      'createAppServer vs http.createServer (unprotected)',
      `${fmt(a.ratio.median, 2)}× req/s (${fmt(a.served['node-http'].cpuMicrosPerRequest.median)} → ${fmt(a.served['app-server'].cpuMicrosPerRequest.median)} µs CPU/req)`,
    ]);
  } else rows.push(['createAppServer vs http.createServer', failed(appServer)]);
  if (report.dpopCost?.ok) {
    const d = report.dpopCost.figures;
    rows.push([
      'DPoP verification per request vs Bearer',
      `${fmt(d.micros.dpop.median)} µs vs ${fmt(d.micros['bearer-cached'].median)} µs cached (${fmt(d.ratio.overCached.median, 1)}×), ${fmt(d.micros.bearer.median)} µs uncached (${fmt(d.ratio.overUncached.median, 2)}×)`,
    ]);
  } else if (report.dpopCost) rows.push(['DPoP verification', failed(report.dpopCost)]);
  if (tokenEconomy.ok) {
    const t = tokenEconomy.figures;
    rows.push([
      `token economy: ${fmt(t.calls)} calls at concurrency ${t.concurrency}`,
      `${t.tokenRequests} token request(s) (server issued ${t.tokensIssuedByServer})`,
    ]);
  } else rows.push(['token economy', failed(tokenEconomy)]);
  if (report.clientAuth?.ok) {
    const c = report.clientAuth.figures;
    rows.push([
      'token endpoint: private_key_jwt vs client secret',
      `${fmt(c.ratio.latency.median, 2)}× latency (${ms(c.secret.latencyMs.median, 2)} → ${ms(c.assertion.latencyMs.median, 2)}), ${fmt(c.ratio.cpu.median, 2)}× CPU (${fmt(c.secret.cpuMicrosPerRequest.median)} → ${fmt(c.assertion.cpuMicrosPerRequest.median)} µs/req)`,
    ]);
  } else if (report.clientAuth)
    rows.push(['token endpoint: private_key_jwt', failed(report.clientAuth)]);
  if (directions.ok) {
    const d = directions.figures;
    rows.push([
      `directions, ${d.pairs} pairs × ${d.rounds} (HTTP)`,
      `p50 ${ms(d.directions.p50)}, p95 ${ms(d.directions.p95)}, p99 ${ms(d.directions.p99)}`,
    ]);
    rows.push([
      `geocode, ${d.geocodeQueries} places (HTTP)`,
      `p50 ${ms(d.geocode.p50, 2)}, p99 ${ms(d.geocode.p99, 2)}`,
    ]);
  } else rows.push(['directions / geocode', failed(directions)]);
  if (coldStart.ok) {
    const c = coldStart.figures;
    rows.push([
      `cold start → first delivery planned (median of ${c.starts.length})`,
      ms(c.plannedMs, 0),
    ]);
    rows.push([
      'resident memory after cold start',
      Object.entries(c.rssMiB)
        .map(([name, mib]) => `${name} ${fmt(mib)} MiB`)
        .join(', '),
    ]);
  } else rows.push(['cold start', failed(coldStart)]);
  out.push(table(['measure', 'result'], rows));
  return out.join('\n');
}

/** `docs/benchmarks.md`: every figure, how it was measured, and the machine it ran on. */
/** The moments of a cold start, each with how to read it off one start. */
function coldStartMoments(c: ColdStartsResult): [string, (start: ColdStartResult) => number][] {
  return [
    ['auth-server answers /healthz', (s) => s.healthyMs['auth-server']],
    ['giftdeliveries answers /healthz', (s) => s.healthyMs.giftdeliveries],
    ['worldmappers-api answers /healthz', (s) => s.healthyMs['worldmappers-api']],
    ['delivery posted (202)', (s) => s.postedMs],
    [
      `**first delivery planned** (planning attempts, at most: ${c.attempts ?? 'n/a'})`,
      (s) => s.plannedMs,
    ],
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const { machine, overhead, appServer, tokenEconomy, directions, coldStart } = report;
  const md: string[] = [];
  md.push('# Benchmarks', '');
  md.push(
    `Written by \`${report.command}\` on ${machine.date} (took ${fmt(report.durationSeconds)} s). Re-run it to refresh this file and \`docs/benchmarks.json\`; figures vary by machine, so compare ratios rather than absolute numbers.`,
    '',
  );
  md.push('## Machine', '');
  md.push(
    table(
      ['', ''],
      [
        ['CPU', machine.cpu],
        ['cores', String(machine.cores)],
        ['memory', `${fmt(machine.memoryGiB, 1)} GiB`],
        ['Node.js', machine.node],
        ['OS', machine.os],
        [
          'load average (1 min) at start → end',
          `${fmt(machine.loadAverage.start, 2)} → ${fmt(machine.loadAverage.end, 2)}`,
        ],
      ],
    ),
    '',
  );
  if (
    machine.loadAverage.start > machine.cores * 0.5 ||
    machine.loadAverage.end > machine.cores * 0.5
  ) {
    md.push(
      `> The machine was busy with other work during this run (load average above half the core count): absolute figures are lower and noisier than on an idle machine; the variants of the overhead phase were interleaved round by round so the ratios stay comparable.`,
      '',
    );
  }

  md.push('## Authorization overhead on the same cheap route', '');
  if (overhead.ok) {
    const o = overhead.figures;
    md.push(
      `\`${o.route}\` (a JSON answer mounted like worldmappers-api's routes: \`authenticate\` on \`/api\`, the scope on the route, behind the same base app: helmet, request ids, one JSON request log line per request) served four ways on 127.0.0.1, each by a process of its own (as a service runs one configuration: no variant shares JIT state or heap with another). [autocannon](https://github.com/mcollina/autocannon), ${o.connections} connections, one valid access token from the auth-server. ${o.rounds} rounds × ${o.roundSeconds} s were measured, split over ${o.processes} set${o.processes === 1 ? '' : 's'} of fresh processes (on a virtual machine the same code can run up to half as fast in one process as in the next, for the process's whole life, so no single process may decide a ratio), every process warmed up for ${o.warmupSeconds} s first. The variants took turns within each round in a balanced order (over four rounds each variant runs in every position and follows every other once), each starting on a freshly collected heap. "× unprotected" divides a variant's requests/s by the unprotected variant's in the same round, moments apart, and takes the median over the rounds; q1–q3 is the middle half of those ratios. Pairing within rounds matters on a shared or virtual machine, whose speed drifts by tens of percent within seconds. "CPU µs/req" is the server process's CPU time per answered request (median over the rounds); "× by CPU" compares the same way by that cost (the unprotected variant's CPU per request divided by this variant's, per round), a second reading that does not depend on how busy the load generator was.`,
      '',
      overheadTable(o),
      '',
    );
    const shipped = o.variants.shipped;
    const library = o.variants['library-default'];
    const unprotectedCpu = o.variants.unprotected.cpuMicrosPerRequest.rounds;
    const extraCpu = spread(
      shipped.cpuMicrosPerRequest.rounds.map((cpu, i) => cpu - unprotectedCpu[i]!),
    );
    md.push(
      `- As shipped, protectApi serves **${fmt(shipped.ratio.median, 2)}×** the unprotected throughput (middle half of the rounds ${fmt(shipped.ratio.q1, 2)}–${fmt(shipped.ratio.q3, 2)}×, by server CPU per request ${fmt(shipped.cpuRatio.median, 2)}×; target ≥ 0.90×); express-oauth2-jwt-bearer's default serves **${fmt(library.ratio.median, 2)}×**.`,
      `- The cache takes the token verification off the hot path: ${fmt(o.variants['shipped-no-cache'].cpuMicrosPerRequest.median)} → ${fmt(shipped.cpuMicrosPerRequest.median)} µs of server CPU per request, against ${fmt(o.variants.unprotected.cpuMicrosPerRequest.median)} µs unprotected.`,
      `- Between the shipped variant and the unprotected one remain ${fmt(extraCpu.median)} µs of server CPU per request (median over the rounds of the difference within each round; middle half ${fmt(extraCpu.q1)} to ${fmt(extraCpu.q3)} µs). The audit (client, route, scopes, decision) rides on the request's one log line, which then costs ${fmt(o.logLineMicros.audit, 1)} µs of CPU instead of ${fmt(o.logLineMicros.request, 1)} µs (measured apart, one line per turn of the event loop); the rest is protectApi's own path (the checks that decide whether the cache may answer, the lookup, the scope check), the two more router layers of a protected route, and the garbage they leave.`,
      `- Failed requests (non-2xx or socket errors) across all rounds: ${VARIANTS.map((v) => `${v} ${o.variants[v].failures}`).join(', ')}.`,
    );
    if (o.cache) {
      md.push(
        `- The shipped variant's verification cache${o.processes > 1 ? `, its ${o.processes} processes added up` : ''}: ${fmt(o.cache.hits)} hits, ${fmt(o.cache.misses)} misses (the first concurrent requests of each process, before its cache had seen the JWKS), ${fmt(o.cache.size)} entr${o.cache.size === 1 ? 'y' : 'ies'} at the end.`,
      );
    }
    md.push(
      '',
      'Per-round requests/s:',
      '',
      table(
        ['variant', ...o.variants.unprotected.rps.rounds.map((_, i) => `round ${i + 1}`)],
        VARIANTS.map((v) => [v, ...o.variants[v].rps.rounds.map((r) => fmt(r))]),
      ),
      '',
      "Per-round × unprotected (the same round's requests/s divided):",
      '',
      table(
        ['variant', ...o.variants.unprotected.rps.rounds.map((_, i) => `round ${i + 1}`)],
        VARIANTS.filter((v) => v !== 'unprotected').map((v) => [
          v,
          ...o.variants[v].ratio.rounds.map((r) => fmt(r, 2)),
        ]),
      ),
      '',
    );
  } else md.push(failed(overhead), '');

  md.push('### The HTTP server under every variant', '');
  if (appServer.ok) md.push(...appServerSection(appServer.figures));
  else md.push(failed(appServer), '');

  if (report.dpopCost) {
    md.push('## DPoP verification cost', '');
    if (report.dpopCost.ok) md.push(...dpopSection(report.dpopCost.figures));
    else md.push(failed(report.dpopCost), '');
  }
  md.push('## Token economy', '');
  if (tokenEconomy.ok) {
    const t = tokenEconomy.figures;
    md.push(
      `${fmt(t.calls)} \`getAccessToken()\` calls from @repo/token-client's token provider, ${t.concurrency} in flight at a time, against the real auth-server (client \`giftdeliveries\`, audience \`urn:worldmappers\`), took ${ms(t.durationMs, 0)}.`,
      '',
      table(
        ['measure', 'value'],
        [
          ['token requests sent by the provider (target 1)', String(t.tokenRequests)],
          ['tokens the auth-server logged as issued', String(t.tokensIssuedByServer)],
          ['discovery requests', String(t.discoveryRequests)],
          ['distinct tokens handed to the callers', String(t.distinctTokens)],
        ],
      ),
      '',
    );
  } else md.push(failed(tokenEconomy), '');

  if (report.clientAuth) {
    md.push('### Client authentication: a signed assertion beside a secret', '');
    if (report.clientAuth.ok) md.push(...clientAuthSection(report.clientAuth.figures));
    else md.push(failed(report.clientAuth), '');
  }

  md.push('## Directions and geocoding latency', '');
  if (directions.ok) {
    const d = directions.figures;
    md.push(
      `Measured over ${d.transport}. The ${d.pairs} origin → destination pairs are worldmappers-api's fixed benchmark set (\`tools/bench/src/directions/pairs.ts\`), ${d.rounds} rounds after one warm-up pass; geocoding asks for each of the ${d.geocodeQueries} distinct places of that set. Measured after the service's routing landmarks were ready (waited ${ms(d.landmarksWaitMs, 0)}). Non-200 answers: ${d.failures}.`,
      '',
      table(
        ['request', 'samples', 'p50', 'p95', 'p99', 'max'],
        [
          [
            'GET /api/directions',
            String(d.directions.samples),
            ms(d.directions.p50, 2),
            ms(d.directions.p95, 2),
            ms(d.directions.p99, 2),
            ms(d.directions.max, 2),
          ],
          [
            'GET /api/location/geocode',
            String(d.geocode.samples),
            ms(d.geocode.p50, 2),
            ms(d.geocode.p95, 2),
            ms(d.geocode.p99, 2),
            ms(d.geocode.max, 2),
          ],
        ],
      ),
      '',
    );
  } else md.push(failed(directions), '');

  md.push('## Cold start and memory', '');
  if (coldStart.ok) {
    const c = coldStart.figures;
    md.push(
      `auth-server (fresh data directory: it creates its signing key), worldmappers-api and giftdeliveries were spawned at the same moment from their build output (\`node dist/index.js\`, JSON logs at info level), as \`docker compose up\` would start them. One delivery (\`Helsinki, FI\`) was posted with a storefront token as soon as all three answered \`/healthz\`; the clock stops when \`GET /deliveries/:id\` reads \`planned\`. ${c.starts.length} cold starts one after another, each moment as its median and range over them (the three services share the machine's cores while they start, so each waits for the others' CPU; worldmappers-api on its own is measured below).`,
      '',
      table(
        ['moment (from process start)', 'median', 'min–max'],
        coldStartMoments(c).map(([what, pick]) => {
          const all = spread(c.starts.map(pick));
          const median = ms(all.median, 0);
          return [
            what,
            what.startsWith('**') ? `**${median}**` : median,
            `${fmt(all.min)}–${fmt(all.max)} ms`,
          ];
        }),
      ),
      '',
      'Resident memory (VmRSS from `/proc/<pid>/status`):',
      '',
      table(
        ['service', 'after cold start', 'after the load phases'],
        Object.entries(c.rssMiB).map(([name, mib]) => [
          name,
          `${fmt(mib)} MiB`,
          `${fmt(report.rssAfterLoadMiB?.[name])} MiB`,
        ]),
      ),
      '',
    );
  } else md.push(failed(coldStart), '');

  md.push(...ownSections(report));
  md.push(
    '## How the speed-up stays secure',
    '',
    "protectApi keeps a bounded cache of successful verifications keyed by the exact token string (`packages/resource-server/src/verification-cache.ts`, an `lru-cache`). A hit skips only the signature check and the library's claim checks, which cannot change for the same bytes — except for time and keys, so: `exp` is re-checked on every hit against the current clock with the library's clock tolerance; the library verifies with the JWKS of the one issuer-metadata client (confirmed every 30 s while in use, and fetched again when a token names a `kid` it has not seen) and the cache empties when that JWKS changes or could not be confirmed for `cacheMaxAge`; only tokens whose `kid` is in that JWKS are stored; only the plain request (one `Authorization: Bearer` header, no token in the query or body) is answered from it. Failures are never stored, a token differing by one character is a different key, scope checks run on every request, and the cache holds at most 10 000 entries (least recently used evicted first). See docs/performance.md.",
    '',
  );
  return md.join('\n');
}
