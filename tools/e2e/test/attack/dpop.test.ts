/**
 * DPoP sender-constrained tokens end to end (issue 19, RFC 9449), over real HTTP against real
 * processes: tokens bound by the real auth-server, checked by both APIs — worldmappers-api
 * accepting Bearer and DPoP (the default), giftdeliveries configured DPoP-only (`DPOP=required`).
 * Every attack case is refused with its status, challenge and body, none with a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, dpopProofKey, type ProofKey, type ProofOptions } from '@repo/testkit';
import { startDemoStack, type DemoStack } from 'demo-stack';
import { fetchToken } from '../../src/tokens.js';

const WORLDMAPPERS = 'urn:worldmappers';
const GIFTDELIVERIES = 'urn:giftdeliveries';
/** The proof algorithms the APIs announce (DPOP_PROOF_ALGS of @repo/resource-server). */
const algs = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"';
const quoted = (text: string) => text.replace(/"/g, "'");

let stack: DemoStack;
let key: ProofKey;
/** The two APIs: where to call, the realm, and a DPoP-bound token from the auth-server. */
const apis: Record<
  'worldmappers-api' | 'giftdeliveries',
  { url: string; realm: string; token: string }
> = {} as never;

/** A token from the real auth-server bound to `proofKey` (its proof names the token endpoint). */
async function boundToken(
  clientId: 'giftdeliveries' | 'storefront',
  audience: string,
  proofKey = key,
) {
  const proof = await proofKey.proof({ htm: 'POST', htu: `${stack.issuer}token` });
  const body = await fetchToken(stack.issuer, clientId, audience, undefined, proof);
  expect(body.token_type).toBe('DPoP');
  expect(decodeJwt(body.access_token).payload.cnf).toEqual({ jkt: proofKey.jkt });
  return body.access_token;
}

beforeAll(async () => {
  stack = await startDemoStack({
    services: ['auth-server', 'worldmappers-api', 'giftdeliveries'],
    commonEnv: { LOG_LEVEL: 'info' },
    env: { giftdeliveries: { DPOP: 'required' } },
  });
  key = await dpopProofKey();
  apis['worldmappers-api'] = {
    url: `${stack.get('worldmappers-api').url}/api/location/geocode`,
    realm: `realm="${WORLDMAPPERS}"`,
    token: await boundToken('giftdeliveries', WORLDMAPPERS),
  };
  apis.giftdeliveries = {
    url: `${stack.get('giftdeliveries').url}/deliveries`,
    realm: `realm="${GIFTDELIVERIES}"`,
    token: await boundToken('storefront', GIFTDELIVERIES),
  };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  challenge: string | null;
  body: unknown;
}

async function call(
  api: keyof typeof apis,
  headers: Record<string, string>,
  query = api === 'worldmappers-api' ? '?address=Kyoto' : '',
): Promise<Answer> {
  const res = await fetch(`${apis[api].url}${query}`, { headers });
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    body: await res.json(),
  };
}

/** `Authorization: DPoP <token>` with a proof for GET of the API's URL, shaped by `options`. */
async function withProof(
  api: keyof typeof apis,
  options: ProofOptions = {},
  token = apis[api].token,
) {
  const dpop = await key.proof({ htm: 'GET', htu: apis[api].url, accessToken: token, ...options });
  return call(api, { authorization: `DPoP ${token}`, dpop });
}

/** worldmappers-api allows both schemes: the error rides on the one the client used. */
const onDpop = (code: string, description: string) =>
  `Bearer ${apis['worldmappers-api'].realm}, DPoP ${apis['worldmappers-api'].realm}, error="${code}", error_description="${quoted(description)}", ${algs}`;

describe.each(['worldmappers-api', 'giftdeliveries'] as const)('%s', (api) => {
  it('accepts its DPoP-bound token with a fresh proof on every request', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await withProof(api);
      expect(res.status).toBe(200);
      expect(res.challenge).toBeNull();
    }
  });

  it('refuses the same token without its proof', async () => {
    const { token, realm } = apis[api];
    const description =
      'The DPoP proof is missing: send it in the DPoP header with "Authorization: DPoP <token>".';
    const res = await call(api, { authorization: `DPoP ${token}` });
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(
      api === 'giftdeliveries'
        ? `DPoP ${realm}, error="invalid_dpop_proof", error_description="${quoted(description)}", ${algs}`
        : onDpop('invalid_dpop_proof', description),
    );
    expect(res.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
  });

  it('refuses the same token sent as Bearer', async () => {
    const { token, realm } = apis[api];
    const res = await call(api, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    const description =
      api === 'giftdeliveries'
        ? 'This API accepts DPoP-bound tokens only: send "Authorization: DPoP <token>" with a DPoP proof.'
        : 'DPoP-bound token requires the DPoP authentication scheme, not Bearer.';
    expect(res.challenge).toBe(
      api === 'giftdeliveries'
        ? `DPoP ${realm}, error="invalid_token", error_description="${quoted(description)}", ${algs}`
        : `Bearer ${realm}, error="invalid_token", error_description="${description}", DPoP ${realm}, ${algs}`,
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
  });
});

describe('attacks on a DPoP-bound token at worldmappers-api', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<ProofOptions>, number, string, string]>([
    [
      'a proof for another method',
      async () => ({ htm: 'POST' }),
      401,
      'invalid_dpop_proof',
      'DPoP Proof htm mismatch',
    ],
    [
      'a proof for another URL',
      async () => ({ htu: `${stack.get('worldmappers-api').url}/api/directions` }),
      401,
      'invalid_dpop_proof',
      'DPoP Proof htu mismatch',
    ],
    [
      'a proof issued 5 minutes ago',
      async () => ({ iat: now() - 300 }),
      401,
      'invalid_dpop_proof',
      'DPoP proof "iat" is outside the acceptable range',
    ],
    [
      'a proof from the future',
      async () => ({ iat: now() + 60 }),
      401,
      'invalid_dpop_proof',
      'DPoP proof "iat" is outside the acceptable range',
    ],
    [
      'a proof without ath',
      async () => ({ accessToken: null }),
      401,
      'invalid_dpop_proof',
      'Missing "ath" claim in DPoP proof',
    ],
    [
      'a proof with the ath of another token',
      async () => ({ accessToken: await boundToken('giftdeliveries', WORLDMAPPERS) }),
      401,
      'invalid_dpop_proof',
      'DPoP Proof "ath" mismatch',
    ],
  ])('refuses %s', async (_name, options, status, code, description) => {
    const res = await withProof('worldmappers-api', await options());
    expect(res.status).toBe(status);
    expect(res.challenge).toBe(onDpop(code, description));
    expect(res.body).toEqual({ error: code, error_description: description });
  });

  it('refuses a proof signed by another key than the token’s cnf.jkt', async () => {
    const attacker = await dpopProofKey();
    const { url, token } = apis['worldmappers-api'];
    const dpop = await attacker.proof({ htm: 'GET', htu: url, accessToken: token });
    const res = await call('worldmappers-api', { authorization: `DPoP ${token}`, dpop });
    const description = 'JWT Access Token confirmation mismatch';
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(onDpop('invalid_token', description));
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
  });

  it('refuses a replayed proof (same jti) within its window', async () => {
    const { url, token } = apis['worldmappers-api'];
    const dpop = await key.proof({ htm: 'GET', htu: url, accessToken: token });
    const first = await call('worldmappers-api', { authorization: `DPoP ${token}`, dpop });
    expect(first.status).toBe(200);
    const replay = await call('worldmappers-api', { authorization: `DPoP ${token}`, dpop });
    const description = 'The DPoP proof was already used: send a fresh proof (new jti).';
    expect(replay.status).toBe(401);
    expect(replay.challenge).toBe(onDpop('invalid_dpop_proof', description));
    expect(replay.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
  });

  it('refuses a proof without a token', async () => {
    const { url, realm } = apis['worldmappers-api'];
    const dpop = await key.proof({ htm: 'GET', htu: url });
    const res = await call('worldmappers-api', { dpop });
    const description =
      'A DPoP proof was sent without an access token: send "Authorization: DPoP <token>" as well.';
    expect(res.status).toBe(400);
    expect(res.challenge).toBe(
      `Bearer ${realm}, error="invalid_request", error_description="${quoted(description)}", DPoP ${realm}, ${algs}`,
    );
    expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
  });
});

describe('a DPoP-only API (giftdeliveries with DPOP=required)', () => {
  it('refuses a plain Bearer token from the auth-server', async () => {
    const plain = await fetchToken(stack.issuer, 'storefront', GIFTDELIVERIES);
    expect(plain.token_type).toBe('Bearer');
    const res = await call('giftdeliveries', { authorization: `Bearer ${plain.access_token}` });
    const description =
      'This API accepts DPoP-bound tokens only: send "Authorization: DPoP <token>" with a DPoP proof.';
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(
      `DPoP ${apis.giftdeliveries.realm}, error="invalid_token", error_description="${quoted(description)}", ${algs}`,
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
  });
});
