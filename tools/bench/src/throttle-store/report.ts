import type { StoreFigures, ThrottleStoreResult } from '../phases/throttle-store.js';
import { fmt, table } from '../report.js';

const span = (s: { min: number; max: number }, digits: number) =>
  `${fmt(s.min, digits)}–${fmt(s.max, digits)}`;

/** The throttle-store section of docs/benchmarks.md. */
export function throttleStoreSection(t: ThrottleStoreResult): string[] {
  const row = (label: string, f: StoreFigures) => [
    label,
    `${fmt(f.p50Ms.median, 3)} (${span(f.p50Ms, 3)})`,
    `${fmt(f.p99Ms.median, 2)} (${span(f.p99Ms, 2)})`,
    fmt(f.tokensPerSecond.median),
    fmt(f.serverCpuMicros.median),
    fmt(f.redisCpuMicros.median),
    fmt(f.failures),
  ];
  const { memory, redis } = t.endpoint;
  return [
    `The real auth-server (\`node dist/index.js\`, JSON logs at info) issuing client_credentials tokens to \`giftdeliveries\` (\`client_secret_post\`, audience \`urn:worldmappers\`), with its client-authentication throttle and token quota counted in its memory and, beside it, in Redis (\`REDIS_URL\`: rate-limiter-flexible's Redis store, atomic Lua increments). ${t.processes} set${t.processes === 1 ? '' : 's'} of fresh processes, each a Redis server of this phase's own (\`redis-server\` without persistence, fresh counters) and one auth-server per store on one key file; after ${t.warmupTokens} warm-up tokens each, ${memory.rounds / t.processes} rounds of ${t.requestsPerRound} sequential token requests per store took turns (in alternating order) over one keep-alive connection. Each token request counts an attempt before the secret is checked, gives it back after (admit + settle), and counts one token of the hourly quota: three store operations. CPU from /proc (10 ms ticks) for the auth-server and from \`INFO cpu\` for Redis.`,
    '',
    table(
      [
        'store',
        'p50 ms (min–max)',
        'p99 ms (min–max)',
        'tokens/s',
        'auth-server CPU µs/token',
        'Redis CPU µs/token',
        'failed',
      ],
      [row('memory', memory), row('Redis', redis)],
    ),
    '',
    `- Per token request, the Redis store costs **${fmt(t.extraMicros.p50.median)} µs** more latency at the median (${fmt(t.ratio.p50.median, 2)}× the memory store's p50; middle half of the round pairs ${fmt(t.ratio.p50.q1, 2)}–${fmt(t.ratio.p50.q3, 2)}×) and ${fmt(t.extraMicros.cpuWithRedis.median)} µs more CPU, the auth-server's and Redis's together (${fmt(t.ratio.cpuWithRedis.median, 2)}×; the auth-server's alone ${fmt(t.ratio.cpu.median, 2)}×).`,
    `- The throttle alone (its admit + settle, the auth-server's own \`ClientAuthThrottle\` from its build output, ${t.path.rounds} rounds × ${fmt(t.path.opsPerRound)} sequential calls, the machine's Redis with a key prefix of this run): **${fmt(t.path.micros.memory.median, 1)} µs** in memory, **${fmt(t.path.micros.redis.median, 1)} µs** in Redis (${fmt(t.path.ratio.median, 1)}×, rounds ${span(t.path.ratio, 1)}×): the round trips to Redis over loopback, which the auth-server waits for while it serves other requests.`,
    '',
  ];
}
