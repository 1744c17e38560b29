import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeySet } from '@repo/issuer-metadata';
import { jwtParts, tamperPayload, tamperSignature } from '@repo/testkit';
import { SignatureCheck } from '../src/signature-check.js';

const keySet = (...keys: JWK[]): KeySet => ({
  jwks: { keys: keys as Record<string, unknown>[] },
  kids: new Set(keys.map((k) => k.kid!)),
  uri: 'http://issuer.test/jwks',
});

let jwk: JWK;
let sign: (header?: Record<string, unknown>, alg?: string) => Promise<string>;

beforeAll(async () => {
  // A Node key: jose signs RS* and PS* alike with it.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig' };
  sign = (header = {}, alg = 'RS256') =>
    new SignJWT({ sub: 'client', scope: 'things:read' })
      .setProtectedHeader({ alg, kid: 'k1', typ: 'at+jwt', ...header })
      .sign(privateKey);
});

describe('SignatureCheck', () => {
  it('refutes a token whose signature or payload was changed under a published kid', async () => {
    const check = new SignatureCheck('RS256');
    const token = await sign();
    const keys = keySet(jwk);
    expect(check.refutes(token, keys)).toBe(false);
    expect(check.refutes(tamperSignature(token), keys)).toBe(true);
    expect(
      check.refutes(
        tamperPayload(token, (p) => ({ ...p, scope: 'admin' })),
        keys,
      ),
    ).toBe(true);
    // Cut short: still base64url, so jose decodes it and refuses the signature.
    expect(check.refutes(token.slice(0, -12), keys)).toBe(true);
  });

  it('looks a key up only under the key set’s own kids, so invented ones are not remembered', async () => {
    const check = new SignatureCheck('RS256');
    const forged = tamperSignature(await sign());
    // The JWKS holds k1, but the set's kids (what it was fetched with) do not: nothing is imported.
    expect(check.refutes(forged, { ...keySet(jwk), kids: new Set(['k9']) })).toBe(false);
    expect(check.refutes(forged, keySet(jwk))).toBe(true);
  });

  it('checks RSA-PSS with the digest of its alg', async () => {
    const check = new SignatureCheck('PS256');
    const token = await sign({}, 'PS256');
    expect(check.refutes(token, keySet(jwk))).toBe(false);
    expect(check.refutes(tamperSignature(token), keySet(jwk))).toBe(true);
  });

  it('leaves to the library every token it would refuse before the signature', async () => {
    const check = new SignatureCheck('RS256');
    const forged = tamperSignature(await sign());
    const { header, payload, signature } = jwtParts(forged);
    const withHeader = (fields: unknown) =>
      `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${payload}.${signature}`;
    const keys = keySet(jwk);
    const leftAlone = {
      'no keys yet': [forged, undefined],
      'another alg than the API’s': [tamperSignature(await sign({}, 'RS384')), keys],
      'a kid the keys lack': [tamperSignature(await sign({ kid: 'k2' })), keys],
      'no kid': [withHeader({ alg: 'RS256' }), keys],
      'a crit header': [withHeader({ alg: 'RS256', kid: 'k1', crit: ['exp'] }), keys],
      'a b64 header': [withHeader({ alg: 'RS256', kid: 'k1', b64: false }), keys],
      'a header that is not an object': [withHeader(['RS256']), keys],
      'a header that is not JSON': [`${header.slice(1)}.${payload}.${signature}`, keys],
      'no signature part': [`${header}.${payload}`, keys],
      'a signature that is not base64url': [`${header}.${payload}.${signature}+`, keys],
      'two keys with its kid': [forged, keySet(jwk, { ...jwk })],
      'a key for encryption': [forged, keySet({ ...jwk, use: 'enc' })],
      'a key for another alg': [forged, keySet({ ...jwk, alg: 'RS512' })],
      'a key that may not verify': [forged, keySet({ ...jwk, key_ops: ['encrypt'] })],
      'a key that is not RSA': [forged, keySet({ kty: 'oct', k: 'c2VjcmV0', kid: 'k1' })],
    } as const;
    for (const [why, [token, set]] of Object.entries(leftAlone)) {
      expect({ why, refuted: check.refutes(token, set) }).toEqual({ why, refuted: false });
    }
  });

  it('leaves an RSA key shorter than 2048 bits to the library, which refuses it in its words', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const short = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'k1' };
    // Any compact JWS naming k1: the key is never used, whatever the signature.
    const token = `${Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url')}.e30.AAAA`;
    expect(new SignatureCheck('RS256').refutes(token, keySet(short))).toBe(false);
    expect(new SignatureCheck('RS256').refutes(token, keySet(jwk))).toBe(true);
  });

  it('does nothing for an API that accepts an algorithm other than RSA', async () => {
    const forged = tamperSignature(await sign());
    expect(new SignatureCheck('ES256').refutes(forged, keySet(jwk))).toBe(false);
  });
});
