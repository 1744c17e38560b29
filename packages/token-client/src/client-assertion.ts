import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
// jose by entry point: the package's index is some 60 modules to load at start-up.
import type { CryptoKey, JWK } from 'jose';
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { exportJWK, exportPKCS8, exportSPKI } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { importJWK } from 'jose/key/import';
import { SignJWT } from 'jose/jwt/sign';

/**
 * The asymmetric JWS algorithms a client may sign its assertions with (RFC 7518 §3.1, RFC 8037).
 * Never HS* (a shared secret again) and never `none`.
 */
export const CLIENT_ASSERTION_ALGS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const;
export type ClientAssertionAlg = (typeof CLIENT_ASSERTION_ALGS)[number];

/** The default: short signatures, fast to sign, supported by Auth0, Keycloak and oidc-provider. */
export const DEFAULT_CLIENT_ASSERTION_ALG: ClientAssertionAlg = 'ES256';

/** How long a signed assertion is valid: one token request, plus room for a retry (≤ 60 s). */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

/** RFC 7523 §2.2: the value of `client_assertion_type`. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A client's private signing key, loaded once at start. */
export interface ClientKey {
  /** The private key, not extractable. */
  key: CryptoKey;
  alg: ClientAssertionAlg;
  /** The `kid` the authorization server finds the public key by (the JWK thumbprint by default). */
  kid: string;
  /** The public half, as registered at the authorization server. */
  publicJwk: JWK;
}

/** The key file cannot be used; the message names the file and what is wrong, never the key. */
export class ClientKeyError extends Error {
  override readonly name = 'ClientKeyError';
}

/** The public members of a JWK: what is safe to print, publish and register. */
export function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e, kid, alg, use } = jwk;
  const members: JWK = { kty, crv, x, y, n, e, kid, alg, use };
  return Object.fromEntries(Object.entries(members).filter(([, v]) => v !== undefined)) as JWK;
}

/** Which algorithms a key type can sign with (RFC 7518 §3, RFC 8037 §3.1). */
function algFits(alg: ClientAssertionAlg, jwk: JWK): boolean {
  switch (jwk.kty) {
    case 'EC':
      return (alg === 'ES256' && jwk.crv === 'P-256') || (alg === 'ES384' && jwk.crv === 'P-384');
    case 'RSA':
      return alg === 'RS256' || alg === 'PS256';
    case 'OKP':
      return alg === 'EdDSA' && jwk.crv === 'Ed25519';
    default:
      return false;
  }
}

/**
 * Reads a client's private key: a PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`) or a private JWK
 * (JSON with `d`). The key must be able to sign with `alg`; its `kid` is the JWK's own or its
 * RFC 7638 thumbprint (what `keys:client` registers).
 * @throws ClientKeyError naming the file (never its content).
 */
export async function loadClientKey(
  path: string,
  alg: ClientAssertionAlg = DEFAULT_CLIENT_ASSERTION_ALG,
): Promise<ClientKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClientKeyError(
      code === 'ENOENT'
        ? `${path} does not exist (create a key pair with npm run keys:client)`
        : `${path} cannot be read (${code ?? 'unknown error'})`,
    );
  }
  if (!(CLIENT_ASSERTION_ALGS as readonly string[]).includes(alg)) {
    throw new ClientKeyError(
      `unsupported algorithm ${alg} (one of ${CLIENT_ASSERTION_ALGS.join(', ')})`,
    );
  }
  let jwk: JWK;
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      jwk = JSON.parse(trimmed) as JWK;
    } else if (trimmed.includes('-----BEGIN PRIVATE KEY-----')) {
      // Node reads any PKCS #8 key, whatever its algorithm: the fit is checked below, in words.
      jwk = createPrivateKey(trimmed).export({ format: 'jwk' }) as JWK;
    } else if (/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(trimmed)) {
      throw new ClientKeyError(`${path} holds a public key or certificate, not a private key`);
    } else {
      throw new ClientKeyError(
        `${path} is neither a PKCS #8 PEM ("-----BEGIN PRIVATE KEY-----") nor a JWK (JSON)`,
      );
    }
  } catch (error) {
    if (error instanceof ClientKeyError) throw error;
    throw new ClientKeyError(`${path} is not a private key for ${alg}`);
  }
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') {
    throw new ClientKeyError(`${path} is not a JWK (no "kty")`);
  }
  if (jwk.d === undefined) {
    throw new ClientKeyError(`${path} holds a public key, not a private key (no "d")`);
  }
  if (!algFits(alg, jwk) || (jwk.alg !== undefined && jwk.alg !== alg)) {
    throw new ClientKeyError(
      `${path} holds a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key${jwk.alg ? ` for ${jwk.alg}` : ''}, which cannot sign ${alg}: set the algorithm to match the key, or create an ${alg} key`,
    );
  }
  let key: CryptoKey;
  try {
    key = (await importJWK({ ...jwk, alg }, alg, { extractable: false })) as CryptoKey;
  } catch {
    throw new ClientKeyError(`${path} is not a valid private key for ${alg}`);
  }
  const publicJwk = publicPart(jwk);
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  return { key, alg, kid, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

/**
 * A new key pair: its private key as PKCS #8 PEM, the public JWK (with `kid`, `alg`, `use`) and
 * the public key as SPKI PEM (what Auth0's dashboard takes).
 */
export async function generateClientKey(
  alg: ClientAssertionAlg = DEFAULT_CLIENT_ASSERTION_ALG,
): Promise<{ privatePem: string; publicJwk: JWK; publicPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const jwk = publicPart(await exportJWK(publicKey));
  const kid = await calculateJwkThumbprint(jwk);
  return {
    privatePem: await exportPKCS8(privateKey),
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

export interface AssertionClaims {
  clientId: string;
  /** The token endpoint the assertion is sent to (RFC 7523 §3: `aud`). */
  audience: string;
  /** Epoch milliseconds; default `Date.now()`. */
  now?: number;
  lifetimeSeconds?: number;
}

/**
 * A client assertion for one token request (RFC 7523 §3, OpenID Connect Core §9
 * `private_key_jwt`): `iss` = `sub` = the client id, `aud` = the token endpoint, a fresh `jti`,
 * `iat` and an `exp` at most {@link CLIENT_ASSERTION_LIFETIME_SECONDS} away.
 * https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function signClientAssertion(
  clientKey: ClientKey,
  {
    clientId,
    audience,
    now = Date.now(),
    lifetimeSeconds = CLIENT_ASSERTION_LIFETIME_SECONDS,
  }: AssertionClaims,
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: clientKey.alg, kid: clientKey.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.min(lifetimeSeconds, CLIENT_ASSERTION_LIFETIME_SECONDS))
    .sign(clientKey.key);
}
