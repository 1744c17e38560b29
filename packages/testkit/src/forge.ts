import {
  CompactEncrypt,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Splits a compact JWS into its three parts (throws when it is not three parts). */
export function jwtParts(token: string): { header: string; payload: string; signature: string } {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || rest.length) {
    throw new Error('not a compact JWS (header.payload.signature)');
  }
  return { header, payload, signature };
}

/** Decodes a JWT's header and payload without verifying anything (for display and tampering). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const parts = jwtParts(token);
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(parts.header), payload: decode(parts.payload) };
}

/**
 * Replaces the payload of a signed token, keeping its header and signature: what an attacker who
 * wants more scopes or a later `exp` would try. The signature no longer matches.
 */
export function tamperPayload(token: string, change: (payload: JWTPayload) => JWTPayload): string {
  const { header, signature } = jwtParts(token);
  const { payload } = decodeJwt(token);
  return `${header}.${b64url(change(payload))}.${signature}`;
}

/** Flips one character in the middle of the signature. */
export function tamperSignature(token: string): string {
  const { header, payload, signature } = jwtParts(token);
  const at = Math.floor(signature.length / 2);
  const flipped = signature[at] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, at)}${flipped}${signature.slice(at + 1)}`;
}

/** An unsigned token (`alg: none`, RFC 7519 §6): header and payload as given, empty signature. */
export function unsignedToken(header: Record<string, unknown>, payload: JWTPayload): string {
  return `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`;
}

/** A token with any header and payload, signed with any key and algorithm `jose` supports. */
export function signToken(
  key: CryptoKey | Uint8Array,
  header: JWTHeaderParameters,
  payload: JWTPayload,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

/**
 * The claims the auth-server puts in a client-credentials access token (RFC 9068), for `clientId`
 * on `audience`, valid for `expiresIn` seconds (negative: already expired). Override any of them.
 */
export function accessTokenClaims(options: {
  issuer: string;
  audience: string;
  clientId: string;
  scope?: string;
  expiresIn?: number;
  now?: number;
}): JWTPayload {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 300;
  const iat = expiresIn < 0 ? now + expiresIn - 3600 : now;
  return {
    iss: options.issuer,
    sub: options.clientId,
    aud: options.audience,
    client_id: options.clientId,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    iat,
    exp: now + expiresIn,
    jti: `forged-${now}-${Math.random().toString(36).slice(2, 10)}`,
  };
}

/** A fresh RS256 private key nobody publishes: signatures made with it verify against no JWKS. */
export async function foreignKey(): Promise<CryptoKey> {
  const { privateKey } = await generateKeyPair('RS256');
  return privateKey;
}

/**
 * The classic algorithm confusion attack: an HS256 token whose HMAC secret is the issuer's RSA
 * public key (PEM), which a naive verifier would feed to HMAC verification.
 */
export async function hs256WithPublicKey(
  publicJwk: JWK,
  header: Omit<JWTHeaderParameters, 'alg'>,
  payload: JWTPayload,
): Promise<string> {
  const pem = await exportSPKI(
    (await importJWK({ ...publicJwk, alg: 'RS256' }, 'RS256')) as CryptoKey,
  );
  return signToken(new TextEncoder().encode(pem), { ...header, alg: 'HS256' }, payload);
}

/** An encrypted token (JWE, RFC 7516, five parts) for the issuer's public key. */
export async function encryptedToken(publicJwk: JWK, payload: JWTPayload): Promise<string> {
  const key = (await importJWK(
    { ...publicJwk, alg: 'RSA-OAEP-256', use: 'enc' },
    'RSA-OAEP-256',
  )) as CryptoKey;
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: publicJwk.kid, cty: 'JWT' })
    .encrypt(key);
}
