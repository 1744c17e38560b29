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
import { INSPECT_ERRORS_EN, reasonIn, type Reason } from './reasons.js';

export type CheckName = 'signature' | 'issuer' | 'audience' | 'expiry' | 'scope';

/**
 * One check: passed or not, why as a code and its values (the page words them in its language),
 * and why in English (`reason`, the same words as the code's English sentence).
 */
export type Check = { name: CheckName; ok: boolean; reason: string } & Reason;

export interface Inspection {
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  checks: Check[];
  /** What the API would answer: 200, or 401 invalid_token / 403 insufficient_scope. */
  verdict: { status: 200 | 401 | 403; error?: 'invalid_token' | 'insufficient_scope' };
  /** Why there are no checks, in English; `errorCode` says it for the page. */
  error?: string;
  errorCode?: 'not-a-jwt';
}

/** A check with its reason, the English sentence made from the code. */
const check = (name: CheckName, ok: boolean, reason: Reason): Check =>
  ({ name, ok, ...reason, reason: reasonIn(reason) }) as Check;

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
      error: INSPECT_ERRORS_EN['not-a-jwt'],
      errorCode: 'not-a-jwt',
    };
  }
  const checks: Check[] = [];
  const [{ document }, keys] = await Promise.all([metadata.document(), metadata.keys(header.kid)]);

  const key = keys.jwks.keys.find((candidate) => candidate.kid === header.kid) as JWK | undefined;
  if (header.alg === 'none' || header.alg?.startsWith('HS')) {
    checks.push(
      check('signature', false, { code: 'alg-refused', params: { alg: String(header.alg) } }),
    );
  } else if (!key) {
    checks.push(
      check('signature', false, {
        code: 'no-key',
        params: header.kid === undefined ? {} : { kid: header.kid },
      }),
    );
  } else {
    const kid = String(header.kid);
    try {
      await compactVerify(token, await importJWK(key, header.alg));
      checks.push(check('signature', true, { code: 'signature-verified', params: { kid } }));
    } catch (error) {
      const { message, name } = error as Error;
      const detailCode = (error as { code?: unknown }).code;
      checks.push(
        check('signature', false, {
          code: 'signature-invalid',
          params: {
            kid,
            alg: String(header.alg),
            detail: message,
            detailCode: typeof detailCode === 'string' ? detailCode : name,
          },
        }),
      );
    }
  }
  const issuer = String(document.issuer);
  checks.push(
    claims.iss === issuer
      ? check('issuer', true, { code: 'issuer-ok', params: { issuer } })
      : check('issuer', false, {
          code: 'issuer-wrong',
          params: { iss: String(claims.iss), issuer },
        }),
  );
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const audience = route.audience;
  checks.push(
    audiences.includes(audience)
      ? check('audience', true, { code: 'audience-ok', params: { audience } })
      : check('audience', false, {
          code: 'audience-wrong',
          params: { aud: audiences.join(', '), audience },
        }),
  );
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const seconds = Math.floor(now / 1000);
  checks.push(
    exp === undefined
      ? check('expiry', false, { code: 'expiry-missing', params: {} })
      : exp + DEFAULT_CLOCK_TOLERANCE_SEC > seconds
        ? check('expiry', true, { code: 'expiry-ok', params: { seconds: exp - seconds } })
        : check('expiry', false, { code: 'expiry-passed', params: { seconds: seconds - exp } }),
  );
  const granted = scopesOf(claims);
  const scope = route.scope;
  checks.push(
    granted.includes(scope)
      ? check('scope', true, { code: 'scope-ok', params: { scope } })
      : check('scope', false, {
          code: 'scope-missing',
          params: { granted: granted.join(' '), scope },
        }),
  );
  const tokenOk = checks.slice(0, 4).every((check) => check.ok);
  const verdict: Inspection['verdict'] = !tokenOk
    ? { status: 401, error: 'invalid_token' }
    : checks[4]!.ok
      ? { status: 200 }
      : { status: 403, error: 'insufficient_scope' };
  return { header, claims, checks, verdict };
}
