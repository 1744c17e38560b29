import {
  accessTokenClaims,
  currentSigningKey,
  decodeJwt,
  signToken,
  tamperPayload,
} from '@repo/testkit';
import { existsSync, readFileSync } from 'node:fs';
import {
  CLIENT_ASSERTION_TYPE,
  createDpopKey,
  createTokenProvider,
  loadClientKey,
  renewalTime,
  signClientAssertion,
} from '@repo/token-client';
import { send, shortToken, type Exchange } from './exchange.js';
import type { Printer } from './printer.js';
import type { LabStack } from './stack.js';
import { DEMO_KEY_CLIENT, type DemoClientId } from '@repo/contracts';

/** The client secrets the lab uses: the environment's (or the root `.env`'s), else the dev defaults. */
export type Secrets = Readonly<Record<DemoClientId, string>>;

export interface ScenarioContext {
  stack: LabStack;
  out: Printer;
  secrets: Secrets;
}

export type Outcome = 'pass' | 'fail' | 'skip';

type Client = keyof Secrets;

const WORLDMAPPERS = 'urn:worldmappers';
const GEOCODE = '/api/location/geocode?address=Kyoto';
const DIRECTIONS = '/api/directions?origin=Kyoto&destination=Osaka';
/** The API calls of the token-caching scenario: one token serves them all. */
const CACHED_CALLS = 5;

/** The token request, Auth0 style (JSON body, `audience`), the secret hidden when printed. */
function tokenRequest(ctx: ScenarioContext, client: Client, audience: string, secret?: string) {
  const body = {
    grant_type: 'client_credentials',
    client_id: client,
    client_secret: secret ?? ctx.secrets[client],
    audience,
  };
  return send(`${ctx.stack.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    shownBody: JSON.stringify(
      { ...body, client_secret: `<${ctx.out.t.secretPlaceholder}>` },
      null,
      2,
    ),
  });
}

/** The auth-server's brute-force guard holds a client back: the scenario is skipped, not failed. */
export class LockedOut extends Error {
  constructor(
    readonly client: Client,
    readonly retryAfter: string,
  ) {
    super(`${client} is slowed: try again in ${retryAfter} s`);
  }
}

/** A token the scenario needs as a prop; throws (failing the scenario) when refused. */
async function tokenFor(ctx: ScenarioContext, client: Client, audience: string): Promise<string> {
  const exchange = await tokenRequest(ctx, client, audience);
  const token = (exchange.body as { access_token?: string }).access_token;
  if (exchange.status === 429) throw new LockedOut(client, exchange.retryAfter ?? '60');
  if (exchange.status !== 200 || !token) {
    ctx.out.exchange(exchange);
    throw new Error(ctx.out.t.tokenRefused(client, exchange.status));
  }
  return token;
}

const callApi = (ctx: ScenarioContext, path: string, token?: string) =>
  send(`${ctx.stack.worldmappers}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

/**
 * What the `WWW-Authenticate` header must say: nothing at all (`null`), only the realm (`'bare'`),
 * or these attributes with exactly these values (the realm is always `urn:worldmappers`).
 */
export type ChallengeExpectation = null | 'bare' | Readonly<Record<string, string>>;

export interface Expectation {
  status: number;
  error?: string;
  challenge?: ChallengeExpectation;
  /** The challenge the expectation is about (RFC 9449 §7.1 puts both side by side). Default Bearer. */
  scheme?: 'Bearer' | 'DPoP';
}

/** The attributes of each challenge (RFC 6750 §3, RFC 9449 §7.1), by scheme and name. */
function challengeAttributes(header: string): Record<string, Record<string, string>> {
  const challenges: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const [, scheme, name, value] of header.matchAll(
    /(?:^|,\s*)(?:(Bearer|DPoP)\s+)?(\w+)="((?:[^"\\]|\\.)*)"/g,
  )) {
    if (scheme) current = challenges[scheme] = {};
    if (current) current[name!] = value!;
  }
  return challenges;
}

function challengeMatches(expected: Expectation, got: string | null): boolean {
  const { challenge } = expected;
  if (challenge === undefined) return true;
  if (challenge === null || got === null) return challenge === got;
  const attributes = challengeAttributes(got)[expected.scheme ?? 'Bearer'];
  if (attributes?.realm !== WORLDMAPPERS) return false;
  // A DPoP challenge always names its proof algorithms besides the realm.
  const { algs: _algs, ...rest } = attributes;
  if (challenge === 'bare') return Object.keys(rest).length === 1;
  return Object.entries(challenge).every(([name, value]) => attributes[name] === value);
}

/** Prints the exchange and the verdict; true when it matches the documented behaviour. */
function judge(ctx: ScenarioContext, exchange: Exchange, expected: Expectation): boolean {
  ctx.out.exchange(exchange);
  const error = (exchange.body as { error?: unknown } | null)?.error;
  const ok =
    exchange.status === expected.status &&
    (expected.error === undefined || error === expected.error) &&
    challengeMatches(expected, exchange.challenge);
  const got = [exchange.status, typeof error === 'string' ? error : undefined, exchange.challenge]
    .filter(Boolean)
    .join(', ');
  ctx.out.verdict(ok, ctx.out.t.expectation(expected), got);
  return ok;
}

const invalidToken = { error: 'invalid_token' } as const;

async function happyPath(ctx: ScenarioContext): Promise<Outcome> {
  const { out } = ctx;
  const issued = await tokenRequest(ctx, 'giftdeliveries', WORLDMAPPERS);
  let ok = judge(ctx, issued, { status: 200 });
  const token = (issued.body as { access_token?: string }).access_token;
  if (!token) return 'fail';
  const { header, payload } = decodeJwt(token);
  out.line();
  out.note(out.t.jwtHeader);
  out.indented(JSON.stringify(header, null, 2), '      ');
  out.note(out.t.jwtPayload);
  for (const [claim, value] of Object.entries(payload)) {
    const explained = out.t.claims[claim];
    const shown =
      (claim === 'iat' || claim === 'exp') && typeof value === 'number'
        ? `${value} (${new Date(value * 1000).toISOString()})`
        : JSON.stringify(value);
    out.line(`      ${claim}: ${shown}${explained ? `  ← ${explained}` : ''}`);
  }
  const discovery = (await (
    await fetch(`${ctx.stack.issuer}.well-known/openid-configuration`)
  ).json()) as { jwks_uri?: string };
  out.note(out.t.jwtSignature(String(header.kid), discovery.jwks_uri ?? '(jwks_uri)'));
  out.line();
  out.note(out.t.call);
  ok = judge(ctx, await callApi(ctx, GEOCODE, token), { status: 200, challenge: null }) && ok;
  out.why(out.t.why1);
  return ok ? 'pass' : 'fail';
}

async function noToken(ctx: ScenarioContext): Promise<Outcome> {
  const ok = judge(ctx, await callApi(ctx, GEOCODE), {
    status: 401,
    error: 'invalid_token',
    challenge: 'bare',
  });
  ctx.out.why(ctx.out.t.why2);
  return ok ? 'pass' : 'fail';
}

async function wrongAudience(ctx: ScenarioContext): Promise<Outcome> {
  const token = await tokenFor(ctx, 'storefront', 'urn:giftdeliveries');
  const ok = judge(ctx, await callApi(ctx, GEOCODE, token), {
    status: 401,
    error: 'invalid_token',
    challenge: invalidToken,
  });
  ctx.out.why(ctx.out.t.why3);
  return ok ? 'pass' : 'fail';
}

async function missingScope(ctx: ScenarioContext): Promise<Outcome> {
  const token = await tokenFor(ctx, 'store-locator', WORLDMAPPERS);
  ctx.out.note(`scope: ${String(decodeJwt(token).payload.scope)}`);
  const ok = judge(ctx, await callApi(ctx, DIRECTIONS, token), {
    status: 403,
    error: 'insufficient_scope',
    challenge: { error: 'insufficient_scope', scope: 'directions' },
  });
  ctx.out.why(ctx.out.t.why4);
  return ok ? 'pass' : 'fail';
}

async function expired(ctx: ScenarioContext): Promise<Outcome> {
  const { out, stack } = ctx;
  if (!stack.keyFile) {
    out.skipped(out.t.expiredNoKey);
    return 'skip';
  }
  const key = await currentSigningKey(stack.keyFile);
  const token = await signToken(
    key.privateKey,
    { alg: 'RS256', kid: key.kid, typ: 'at+jwt' },
    accessTokenClaims({
      issuer: stack.issuer,
      audience: WORLDMAPPERS,
      clientId: 'giftdeliveries',
      scope: 'geocode:location reverse-geocode:location directions',
      expiresIn: -120,
    }),
  );
  out.note(out.t.expiredHow);
  const exp = Number(decodeJwt(token).payload.exp);
  out.note(`exp: ${exp} (${new Date(exp * 1000).toISOString()})`);
  const ok = judge(ctx, await callApi(ctx, GEOCODE, token), {
    status: 401,
    error: 'invalid_token',
    challenge: {
      error: 'invalid_token',
      error_description: "'exp' claim timestamp check failed",
    },
  });
  out.why(out.t.why5);
  return ok ? 'pass' : 'fail';
}

async function tampered(ctx: ScenarioContext): Promise<Outcome> {
  const genuine = await tokenFor(ctx, 'store-locator', WORLDMAPPERS);
  const forged = tamperPayload(genuine, (payload) => ({
    ...payload,
    scope: `${String(payload.scope)} directions`,
  }));
  ctx.out.note(ctx.out.t.tamperHow);
  ctx.out.note(`scope: ${String(decodeJwt(forged).payload.scope)}  (${shortToken(forged)})`);
  const ok = judge(ctx, await callApi(ctx, DIRECTIONS, forged), {
    status: 401,
    error: 'invalid_token',
    challenge: { error: 'invalid_token', error_description: 'signature verification failed' },
  });
  ctx.out.why(ctx.out.t.why6);
  return ok ? 'pass' : 'fail';
}

async function banned(ctx: ScenarioContext): Promise<Outcome> {
  const ok = judge(ctx, await tokenRequest(ctx, 'banned-partner', WORLDMAPPERS), {
    status: 400,
    error: 'access_denied',
  });
  ctx.out.why(ctx.out.t.why7);
  ctx.out.note(ctx.out.t.ruleAnalogy);
  return ok ? 'pass' : 'fail';
}

async function wrongSecret(ctx: ScenarioContext): Promise<Outcome> {
  // store-locator, not giftdeliveries: the slowing after repeated failures should not delay the
  // demo's real service.
  const exchange = await tokenRequest(ctx, 'store-locator', WORLDMAPPERS, 'not-the-secret');
  if (exchange.status === 429) {
    const ok = judge(ctx, exchange, { status: 429, error: 'too_many_attempts' });
    ctx.out.note(ctx.out.t.lockedOut);
    return ok ? 'pass' : 'fail';
  }
  const ok = judge(ctx, exchange, { status: 401, error: 'invalid_client' });
  ctx.out.why(ctx.out.t.why8);
  return ok ? 'pass' : 'fail';
}

async function rotation(ctx: ScenarioContext): Promise<Outcome> {
  const { out, stack } = ctx;
  if (!stack.rotate) {
    out.skipped(out.t.rotationManual);
    return 'skip';
  }
  const oldToken = await tokenFor(ctx, 'store-locator', WORLDMAPPERS);
  const oldKid = String(decodeJwt(oldToken).header.kid);
  let ok = (await callApi(ctx, GEOCODE, oldToken)).status === 200;
  out.note(out.t.rotationWait);
  out.note(out.t.rotationRun);
  await stack.rotate();
  const newToken = await tokenFor(ctx, 'store-locator', WORLDMAPPERS);
  const newKid = String(decodeJwt(newToken).header.kid);
  out.note(out.t.rotationNewKid(oldKid, newKid));
  ok = newKid !== oldKid && ok;
  out.note(out.t.rotationNew);
  ok = judge(ctx, await callApi(ctx, GEOCODE, newToken), { status: 200, challenge: null }) && ok;
  out.note(out.t.rotationOld);
  ok = judge(ctx, await callApi(ctx, GEOCODE, oldToken), { status: 200, challenge: null }) && ok;
  const jwks = await send(`${stack.issuer}.well-known/jwks.json`);
  const kids = ((jwks.body as { keys?: { kid?: string }[] }).keys ?? []).map((k) => k.kid);
  out.note(out.t.rotationJwks(kids.join(', ')));
  ok = kids.includes(newKid) && kids.includes(oldKid) && ok;
  out.why(out.t.why9);
  return ok ? 'pass' : 'fail';
}

async function tokenCaching(ctx: ScenarioContext): Promise<Outcome> {
  const { out, stack } = ctx;
  const provider = createTokenProvider({
    clientId: 'giftdeliveries',
    clientSecret: ctx.secrets.giftdeliveries,
    audience: WORLDMAPPERS,
    issuerBaseURL: stack.issuer,
  });
  const statuses: number[] = [];
  for (let call = 0; call < CACHED_CALLS; call += 1) {
    const exchange = await callApi(ctx, GEOCODE, await provider.getAccessToken());
    statuses.push(exchange.status);
  }
  const token = await provider.getToken();
  const { tokenRequests } = provider.stats();
  const time = (ms: number) => new Date(ms).toISOString();
  out.note(out.t.cacheCalls(CACHED_CALLS, statuses.join(' '), tokenRequests));
  out.note(out.t.cacheRenewal(token.fingerprint, time(renewalTime(token)), time(token.expiresAt)));
  const ok = statuses.every((status) => status === 200) && tokenRequests === 1;
  out.verdict(
    ok,
    out.t.cacheExpected(CACHED_CALLS),
    out.t.cacheCalls(CACHED_CALLS, statuses.join(' '), tokenRequests),
  );
  out.why(out.t.why10);
  return ok ? 'pass' : 'fail';
}

/** The token request of a private_key_jwt client: its assertion, no secret (RFC 7523 §2.2). */
function assertionRequest(ctx: ScenarioContext, assertion: string) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: DEMO_KEY_CLIENT.id,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: assertion,
    audience: WORLDMAPPERS,
  });
  return send(`${ctx.stack.issuer}token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    shownBody: [...body]
      .map(([name, value]) => `${name}=${name === 'client_assertion' ? shortToken(value) : value}`)
      .join('\n&'),
  });
}

async function noSecretToLeak(ctx: ScenarioContext): Promise<Outcome> {
  const { out, stack } = ctx;
  const files = stack.clientKeys;
  if (files?.create && !existsSync(files.jwks)) {
    out.note(out.t.pkjwtCreate);
    await files.create();
  }
  if (!files || !existsSync(files.jwks) || !existsSync(files.privateKey)) {
    out.skipped(out.t.pkjwtNoKeys);
    return 'skip';
  }
  // What the auth-server stores: public keys only (no "d"); nothing that could sign.
  const jwks = JSON.parse(readFileSync(files.jwks, 'utf8')) as { keys: Record<string, unknown>[] };
  out.note(out.t.pkjwtStored(files.jwks));
  out.indented(JSON.stringify(jwks, null, 2), '      ');
  let ok = jwks.keys.length > 0 && jwks.keys.every((key) => !('d' in key));
  const key = await loadClientKey(files.privateKey);
  const discovery = (await (
    await fetch(`${stack.issuer}.well-known/openid-configuration`)
  ).json()) as { token_endpoint: string };
  const assertion = await signClientAssertion(key, {
    clientId: DEMO_KEY_CLIENT.id,
    audience: discovery.token_endpoint,
  });
  const { header, payload } = decodeJwt(assertion);
  out.line();
  out.note(out.t.pkjwtAssertion);
  out.indented(JSON.stringify(header), '      ');
  for (const [claim, value] of Object.entries(payload)) {
    const explained = out.t.assertionClaims[claim];
    out.line(`      ${claim}: ${JSON.stringify(value)}${explained ? `  ← ${explained}` : ''}`);
  }
  ok = Number(payload.exp) - Number(payload.iat) <= 60 && ok;
  out.line();
  ok = judge(ctx, await assertionRequest(ctx, assertion), { status: 200 }) && ok;
  out.line();
  out.note(out.t.pkjwtReplay);
  ok =
    judge(ctx, await assertionRequest(ctx, assertion), { status: 401, error: 'invalid_client' }) &&
    ok;
  out.why(out.t.why11);
  return ok ? 'pass' : 'fail';
}

/** A call of worldmappers-api with `Authorization: DPoP <token>` and, if given, a DPoP proof. */
const callWithDpop = (ctx: ScenarioContext, path: string, token: string, proof?: string) =>
  send(`${ctx.stack.worldmappers}${path}`, {
    headers: { authorization: `DPoP ${token}`, ...(proof === undefined ? {} : { dpop: proof }) },
  });

async function stolenToken(ctx: ScenarioContext): Promise<Outcome> {
  const { out, stack } = ctx;
  // The key pair never leaves giftdeliveries' memory: the attacker below never has it.
  const key = await createDpopKey();
  const tokenEndpoint = `${stack.issuer}token`;
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'giftdeliveries',
    client_secret: ctx.secrets.giftdeliveries,
    audience: WORLDMAPPERS,
  });
  const issued = await send(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      dpop: await key.proof({ htm: 'POST', htu: tokenEndpoint }),
    },
    body: body.toString(),
    shownBody: body
      .toString()
      .replace(/client_secret=[^&]*/, `client_secret=<${out.t.secretPlaceholder}>`),
  });
  let ok = judge(ctx, issued, { status: 200 });
  const { access_token: token, token_type: tokenType } = issued.body as {
    access_token?: string;
    token_type?: string;
  };
  if (!token) return 'fail';
  const { cnf } = decodeJwt(token).payload as { cnf?: { jkt?: string } };
  out.note(out.t.dpopBound(String(tokenType), String(cnf?.jkt), key.thumbprint));
  ok = tokenType === 'DPoP' && cnf?.jkt === key.thumbprint && ok;

  out.line();
  out.note(out.t.dpopLegit);
  const geocode = `${stack.worldmappers}${GEOCODE}`;
  const proof = await key.proof({ htm: 'GET', htu: geocode, accessToken: token });
  ok =
    judge(ctx, await callWithDpop(ctx, GEOCODE, token, proof), { status: 200, challenge: null }) &&
    ok;

  out.line();
  out.note(out.t.dpopStolen);
  ok =
    judge(ctx, await callWithDpop(ctx, GEOCODE, token), {
      status: 401,
      error: 'invalid_dpop_proof',
      scheme: 'DPoP',
      challenge: { error: 'invalid_dpop_proof' },
    }) && ok;
  ok =
    judge(ctx, await callApi(ctx, GEOCODE, token), {
      status: 401,
      error: 'invalid_token',
      challenge: { error: 'invalid_token' },
    }) && ok;

  out.line();
  out.note(out.t.dpopOtherUrl);
  ok =
    judge(ctx, await callWithDpop(ctx, DIRECTIONS, token, proof), {
      status: 401,
      error: 'invalid_dpop_proof',
      scheme: 'DPoP',
      challenge: { error: 'invalid_dpop_proof', error_description: 'DPoP Proof htu mismatch' },
    }) && ok;
  out.note(out.t.dpopReplay);
  ok =
    judge(ctx, await callWithDpop(ctx, GEOCODE, token, proof), {
      status: 401,
      error: 'invalid_dpop_proof',
      scheme: 'DPoP',
      challenge: { error: 'invalid_dpop_proof' },
    }) && ok;
  out.why(out.t.why12);
  return ok ? 'pass' : 'fail';
}

/** The scenarios, by number. */
export const SCENARIOS: Record<number, (ctx: ScenarioContext) => Promise<Outcome>> = {
  1: happyPath,
  2: noToken,
  3: wrongAudience,
  4: missingScope,
  5: expired,
  6: tampered,
  7: banned,
  8: wrongSecret,
  9: rotation,
  10: tokenCaching,
  11: noSecretToLeak,
  12: stolenToken,
};
