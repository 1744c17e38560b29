import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import type { IssuerMetadata } from '@repo/issuer-metadata';
import { DEFAULT_CLOCK_TOLERANCE_SEC } from '@repo/resource-server';
import type { RouteInfo } from './catalog.js';

export type CheckName = 'signature' | 'issuer' | 'audience' | 'expiry' | 'scope';

export interface Check {
  name: CheckName;
  ok: boolean;
  /** Why, in words (English; the page has its own words for the check names). */
  reason: string;
}

export interface Inspection {
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  checks: Check[];
  /** What the API would answer: 200, or 401 invalid_token / 403 insufficient_scope. */
  verdict: { status: 200 | 401 | 403; error?: 'invalid_token' | 'insufficient_scope' };
  error?: string;
}

const scopesOf = (claims: JWTPayload) =>
  typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];

/**
 * The five checks a resource server makes, by the same rules protectApi applies: the signature
 * against the issuer's live JWKS with the header's `kid` (RS256 and the other asymmetric
 * algorithms only), `iss` equal to the discovered issuer, `aud` holding the route's audience,
 * `exp` not passed (5 s leeway), and the route's scope in `scope`.
 */
export async function inspectToken(
  token: string,
  route: RouteInfo,
  metadata: IssuerMetadata,
  now = Date.now(),
): Promise<Inspection> {
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    return {
      checks: [],
      verdict: { status: 401, error: 'invalid_token' },
      error: 'This is not a JWT (three base64url parts, a JSON header and claims).',
    };
  }
  const checks: Check[] = [];
  const [{ document }, keys] = await Promise.all([metadata.document(), metadata.keys(header.kid)]);

  const key = keys.jwks.keys.find((candidate) => candidate.kid === header.kid) as JWK | undefined;
  if (header.alg === 'none' || header.alg?.startsWith('HS')) {
    checks.push({ name: 'signature', ok: false, reason: `alg ${header.alg} is never accepted` });
  } else if (!key) {
    checks.push({
      name: 'signature',
      ok: false,
      reason: `no key with kid "${header.kid ?? '(none)'}" in the issuer's JWKS`,
    });
  } else {
    try {
      await compactVerify(token, await importJWK(key, header.alg));
      checks.push({ name: 'signature', ok: true, reason: `verified with kid ${header.kid}` });
    } catch (error) {
      checks.push({
        name: 'signature',
        ok: false,
        reason: `does not verify with kid ${header.kid}: ${(error as Error).message}`,
      });
    }
  }
  const issuer = String(document.issuer);
  checks.push(
    claims.iss === issuer
      ? { name: 'issuer', ok: true, reason: `iss is ${issuer}` }
      : { name: 'issuer', ok: false, reason: `iss is ${String(claims.iss)}, expected ${issuer}` },
  );
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  checks.push(
    audiences.includes(route.audience)
      ? { name: 'audience', ok: true, reason: `aud holds ${route.audience}` }
      : {
          name: 'audience',
          ok: false,
          reason: `aud is ${audiences.join(', ') || '(none)'}, the route needs ${route.audience}`,
        },
  );
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const seconds = Math.floor(now / 1000);
  checks.push(
    exp === undefined
      ? { name: 'expiry', ok: false, reason: 'no exp claim' }
      : exp + DEFAULT_CLOCK_TOLERANCE_SEC > seconds
        ? { name: 'expiry', ok: true, reason: `expires in ${exp - seconds} s` }
        : { name: 'expiry', ok: false, reason: `expired ${seconds - exp} s ago` },
  );
  const granted = scopesOf(claims);
  checks.push(
    granted.includes(route.scope)
      ? { name: 'scope', ok: true, reason: `scope holds ${route.scope}` }
      : {
          name: 'scope',
          ok: false,
          reason: `scope is "${granted.join(' ')}", the route needs ${route.scope}`,
        },
  );
  const tokenOk = checks.slice(0, 4).every((check) => check.ok);
  const verdict: Inspection['verdict'] = !tokenOk
    ? { status: 401, error: 'invalid_token' }
    : checks[4]!.ok
      ? { status: 200 }
      : { status: 403, error: 'insufficient_scope' };
  return { header, claims, checks, verdict };
}
