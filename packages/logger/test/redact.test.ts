import { describe, expect, it } from 'vitest';
import { fingerprint, isSecretField, maskSecretsInText, redact } from '../src/redact.js';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJnaWZ0ZGVsaXZlcmllcyJ9.c2lnbmF0dXJlLWJ5dGVz';

describe('redact', () => {
  it('replaces secret-named fields at any depth with a fingerprint', () => {
    const out = redact({
      client_secret: 's3cr3t-value',
      nested: { deeper: { password: 'hunter2', apiKey: 'k-123' } },
      headers: { authorization: `Bearer ${JWT}`, accept: 'application/json' },
    });
    expect(out).toEqual({
      client_secret: fingerprint('s3cr3t-value'),
      nested: { deeper: { password: fingerprint('hunter2'), apiKey: fingerprint('k-123') } },
      headers: { authorization: fingerprint(`Bearer ${JWT}`), accept: 'application/json' },
    });
  });

  it('fingerprints every string inside a secret-named field, in lists and objects too', () => {
    const out = redact({
      client_secret: ['s3cr3t-one', Object.freeze(['s3cr3t-two'])],
      token: { value: 'opaque-token', issued: 3, revoked: false },
      scopes: ['things:read'],
    });
    expect(out).toEqual({
      client_secret: [fingerprint('s3cr3t-one'), [fingerprint('s3cr3t-two')]],
      token: { value: fingerprint('opaque-token'), issued: 3, revoked: false },
      scopes: ['things:read'],
    });
    expect(JSON.stringify(out)).not.toMatch(/s3cr3t|opaque-token/);
  });

  it('masks secrets inside a list of words, frozen or not, into a fresh list', () => {
    const scopes = Object.freeze(['things:read', `Bearer ${JWT}`]);
    const out = redact({ scopes }) as { scopes: readonly string[] };
    expect(out.scopes).toEqual([
      'things:read',
      expect.stringMatching(/^Bearer sha256:[0-9a-f]{8}$/),
    ]);
    expect(out.scopes).not.toBe(scopes);
    expect(redact([...scopes])).toEqual(out.scopes);
  });

  it('redacts inside arrays', () => {
    expect(redact([{ access_token: JWT }, `token was ${JWT}`])).toEqual([
      { access_token: fingerprint(JWT) },
      `token was ${fingerprint(JWT)}`,
    ]);
  });

  it('turns Errors into plain objects and masks their message and stack', () => {
    const error = Object.assign(new Error(`rejected Bearer ${JWT}`), { client_secret: 'xyz' });
    const out = redact({ err: error }) as { err: Record<string, string> };
    expect(out.err.name).toBe('Error');
    expect(out.err.message).toBe(`rejected Bearer ${fingerprint(JWT)}`);
    expect(out.err.client_secret).toBe(fingerprint('xyz'));
    expect(out.err.stack).not.toContain(JWT);
  });

  it('keeps fields that only describe secrets', () => {
    expect(isSecretField('tokenFingerprint')).toBe(false);
    expect(isSecretField('token_endpoint')).toBe(false);
    expect(isSecretField('token_type')).toBe(false);
    expect(isSecretField('clientSecret')).toBe(true);
    expect(isSecretField('Authorization')).toBe(true);
  });

  it('survives circular structures', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(redact(loop)).toEqual({ name: 'loop', self: '[Circular]' });
  });

  it('copies an object met twice, but not inside itself, in both places', () => {
    const shared = { id: 'x' };
    expect(redact({ a: shared, b: [shared] })).toEqual({ a: { id: 'x' }, b: [{ id: 'x' }] });
  });

  it('cuts structures deeper than 8 levels', () => {
    let deep: Record<string, unknown> = { bottom: true };
    for (let i = 0; i < 10; i++) deep = { down: deep };
    const out = JSON.stringify(redact(deep));
    expect(out).toContain('"[Truncated]"');
    expect(out.match(/down/g)).toHaveLength(8);
  });
});

describe('maskSecretsInText', () => {
  it('masks bare JWTs, Bearer and Basic credentials and secret parameters', () => {
    const text = `got ${JWT}; sent Basic Z2lmdDpzM2NyM3Q= and client_secret=abc&x=1`;
    const masked = maskSecretsInText(text);
    expect(masked).toBe(
      `got ${fingerprint(JWT)}; sent Basic ${fingerprint('Z2lmdDpzM2NyM3Q=')} and client_secret=${fingerprint('abc')}&x=1`,
    );
  });

  it('leaves ordinary text alone', () => {
    expect(maskSecretsInText('planned Kyoto in 12 steps')).toBe('planned Kyoto in 12 steps');
  });

  it('masks a DPoP credential but not the prose of refusals about DPoP', () => {
    const prose =
      'invalid_dpop_proof: The DPoP proof is missing; DPoP-bound token requires the DPoP authentication scheme, not Bearer.';
    expect(maskSecretsInText(prose)).toBe(prose);
    expect(maskSecretsInText('sent DPoP abc.def-ghi')).toBe(
      `sent DPoP ${fingerprint('abc.def-ghi')}`,
    );
  });
});

describe('fingerprint', () => {
  it('is short, stable and reveals nothing of the value', () => {
    expect(fingerprint('s3cr3t-value')).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(fingerprint('s3cr3t-value')).toBe(fingerprint('s3cr3t-value'));
    expect(fingerprint('s3cr3t-value')).not.toBe(fingerprint('s3cr3t-valuf'));
  });
});
