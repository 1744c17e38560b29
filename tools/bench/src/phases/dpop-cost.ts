import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express, { type RequestHandler } from 'express';
import { createLogger } from '@repo/logger';
import { protectApi } from '@repo/resource-server';
import { createDpopKey } from '@repo/token-client';
import { giftdeliveriesTokens } from '../demo-client.js';
import { quantile, spread, type Spread } from '../stats.js';

/** The three ways a request is authenticated, measured side by side. */
export const DPOP_VARIANTS = ['bearer-cached', 'bearer', 'dpop'] as const;
export type DpopVariant = (typeof DPOP_VARIANTS)[number];

export const DPOP_VARIANT_LABELS: Record<DpopVariant, string> = {
  'bearer-cached': 'Bearer, as shipped (verification cache hit)',
  bearer: 'Bearer, verified from scratch (cache off)',
  dpop: 'DPoP: token and proof verified, jti recorded',
};

export interface DpopCostResult {
  rounds: number;
  requestsPerRound: number;
  /** Per variant: the median time spent in `authenticate` per request, µs, one value per round. */
  micros: Record<DpopVariant, Spread>;
  /** Per round: DPoP's median cost divided by each Bearer variant's, moments apart. */
  ratio: { overCached: Spread; overUncached: Spread };
}

const sink = new Writable({
  write(_chunk, _encoding, callback) {
    callback();
  },
});
const logger = createLogger({ service: 'bench', level: 'info', format: 'json', stream: sink });

/**
 * The cost per request of DPoP verification beside Bearer (issue 19): the time `authenticate`
 * of @repo/resource-server takes for each request, in one process, for a Bearer token answered
 * from the verification cache (as shipped), a Bearer token verified from scratch, and a
 * DPoP-bound token with a fresh proof (never cached: signature of the token, then of the proof,
 * the claims, the thumbprint, the jti). The variants take turns round by round; proofs are signed
 * before each round, outside the measurement, as the client's cost is not the API's.
 */
export async function measureDpopCost(options: {
  issuer: string;
  rounds: number;
  requestsPerRound: number;
}): Promise<DpopCostResult> {
  const { issuer, rounds, requestsPerRound } = options;
  const key = await createDpopKey();
  const bearer = await giftdeliveriesTokens(issuer).getAccessToken();
  const bound = await giftdeliveriesTokens(issuer, key).getAccessToken();
  const samples: Record<DpopVariant, number[]> = { 'bearer-cached': [], bearer: [], dpop: [] };
  const app = express();
  const timed = (variant: DpopVariant, authenticate: RequestHandler): RequestHandler => {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      authenticate(req, res, (error?: unknown) => {
        samples[variant].push(Number(process.hrtime.bigint() - started) / 1000);
        next(error);
      });
    };
  };
  const shipped = protectApi({ issuerBaseURL: issuer, audience: 'urn:worldmappers', logger });
  const uncached = protectApi({
    issuerBaseURL: issuer,
    audience: 'urn:worldmappers',
    logger,
    verificationCache: false,
  });
  for (const [variant, api] of [
    ['bearer-cached', shipped],
    ['bearer', uncached],
    ['dpop', shipped],
  ] as const) {
    app.get(
      `/${variant}`,
      timed(variant, api.authenticate),
      api.requireScopes('geocode:location'),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (variant: DpopVariant, proof?: string) => {
    const res = await fetch(`${base}/${variant}`, {
      headers:
        variant === 'dpop'
          ? { authorization: `DPoP ${bound}`, dpop: proof! }
          : { authorization: `Bearer ${bearer}` },
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${variant}: HTTP ${res.status}`);
  };
  const perRound: Record<DpopVariant, number[]> = { 'bearer-cached': [], bearer: [], dpop: [] };
  const overCached: number[] = [];
  const overUncached: number[] = [];
  try {
    // A warm-up round: keys fetched, JIT warm, cache filled.
    for (const variant of DPOP_VARIANTS) {
      for (let i = 0; i < 200; i++) {
        await call(
          variant,
          await key.proof({ htm: 'GET', htu: `${base}/dpop`, accessToken: bound }),
        );
      }
    }
    for (let round = 0; round < rounds; round++) {
      const proofs = await Promise.all(
        Array.from({ length: requestsPerRound }, () =>
          key.proof({ htm: 'GET', htu: `${base}/dpop`, accessToken: bound }),
        ),
      );
      // Rotate the order: no variant always runs first (or right after another).
      const order = DPOP_VARIANTS.map((_, i) => DPOP_VARIANTS[(i + round) % DPOP_VARIANTS.length]!);
      for (const variant of order) {
        samples[variant].length = 0;
        for (let i = 0; i < requestsPerRound; i++) await call(variant, proofs[i]);
        perRound[variant].push(
          quantile(
            [...samples[variant]].sort((a, b) => a - b),
            0.5,
          ),
        );
      }
      const median = (v: DpopVariant) => perRound[v].at(-1)!;
      overCached.push(median('dpop') / median('bearer-cached'));
      overUncached.push(median('dpop') / median('bearer'));
    }
  } finally {
    server.close();
  }
  return {
    rounds,
    requestsPerRound,
    micros: {
      'bearer-cached': spread(perRound['bearer-cached']),
      bearer: spread(perRound.bearer),
      dpop: spread(perRound.dpop),
    },
    ratio: { overCached: spread(overCached), overUncached: spread(overUncached) },
  };
}
